"""The Spark session behind ``--engine spark``: local mode, a cluster master or Spark Connect.

Spark starts its Python workers with the interpreter named by ``PYSPARK_PYTHON``, else
``python3`` from ``PATH`` — not the interpreter that runs Clusteratlas.  A user who did
not activate the virtual environment therefore got workers without numpy (or without
Clusteratlas).  In local mode the workers run on this machine, so they get the running
interpreter (``sys.executable``) unless ``PYSPARK_PYTHON`` says otherwise.  On a cluster
(``spark://``, ``yarn``, ``k8s://``) that path means nothing to the workers: they keep
their own Python, the installed ``clusteratlas`` package travels with the job as a zip,
and a worker that lacks a dependency fails with one line naming what to install.  Spark
Connect (``sc://``) runs no Python of ours on the server and needs none of this.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from clusteratlas._config import load_settings
from clusteratlas._optional import import_optional
from clusteratlas.errors import EngineError

__all__ = ["master_url", "package_archive", "python_tasks", "spark_context", "spark_session",
           "worker_failure", "worker_python"]

DEFAULT_MASTER = "local[*]"


def master_url(url: str | None = None) -> str:
    """``url``, else the ``spark_url`` setting (``CLUSTERATLAS_SPARK_URL``), else
    ``local[*]``."""
    return url or load_settings().spark_url or DEFAULT_MASTER


def is_local(master: str) -> bool:
    """Whether the executors run on this machine (``local``, ``local[4]``, ``local[*]``)."""
    return master == "local" or master.startswith("local[")


def worker_python(master: str) -> str:
    """The interpreter Spark's Python workers are started with.

    A user's ``PYSPARK_PYTHON`` always wins.  In local mode the workers otherwise run
    the interpreter running this code; on a cluster they run Spark's default,
    ``python3`` from the worker's ``PATH``, because the driver's path need not exist
    there.
    """
    chosen = os.environ.get("PYSPARK_PYTHON")
    if chosen:
        return chosen
    return sys.executable if is_local(master) else "python3"


def spark_session(url: str | None = None) -> Any:
    """A SparkSession for ``url`` (see :func:`master_url`).

    Without ``url`` or ``CLUSTERATLAS_SPARK_URL``, an active session (a notebook's, or
    the one ``spark-submit`` set up with its ``--master`` and ``--conf``) is used as it
    is, else local mode starts.  With one, an active session for another master, or
    one whose workers run another Python, is stopped first: ``getOrCreate`` would
    otherwise hand it back unchanged.
    """
    import_optional("pyspark", extra="spark", purpose="The spark engine")
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("clusteratlas")
    settings = load_settings()
    if not (url or settings.spark_url) and (
            _under_spark_submit() or SparkContext._active_spark_context is not None):
        return _started(builder.getOrCreate())
    master = master_url(url)
    if master.startswith("sc://"):
        return builder.remote(master).getOrCreate()
    python = worker_python(master)
    _stop_unless(master, python)
    memory = settings.spark_driver_memory
    builder = (builder.master(master).config("spark.ui.enabled", "false")
               .config("spark.driver.memory", memory)
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.pyspark.driver.python", sys.executable))
    # on a cluster Spark's default holds: PYSPARK_PYTHON, else python3 on the workers' PATH
    chosen = is_local(master) or bool(os.environ.get("PYSPARK_PYTHON"))
    if chosen:
        builder = builder.config("spark.pyspark.python", python)
    with _python_environment(python if chosen else None):
        return _started(builder.getOrCreate())


def _under_spark_submit() -> bool:
    # spark-submit (and the pyspark shell) start the JVM first and hand over its gateway
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _started(session: Any) -> Any:
    context = session.sparkContext
    context.setLogLevel("ERROR")
    if not is_local(context.master):
        _ship_package(context)
    return session


def spark_context(session: Any) -> Any:
    """The SparkContext of a classic session; Spark Connect has none."""
    try:
        return session.sparkContext
    except Exception:  # pyspark.errors.PySparkNotImplementedError on Spark Connect
        raise EngineError(
            "this command runs Python tasks on the Spark workers, which needs a classic "
            "Spark master (local[*], spark://host:7077, yarn, k8s://…); Spark Connect "
            "(sc://…) does not run them"
        ) from None


@contextmanager
def python_tasks(context: Any) -> Iterator[None]:
    """Turn a failure of Spark's Python workers into one :class:`EngineError` line."""
    try:
        yield
    except Exception as exc:
        message = worker_failure(str(exc), str(getattr(context, "pythonExec", "python3")))
        if message is None:
            raise
        raise EngineError(message) from None


_MISSING = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")
_VERSION = re.compile(r"Python in worker has different version")
_NO_PROGRAM = re.compile(r'Cannot run program "([^"]+)"')
_WORKER_SAID = re.compile(r"Error from python worker:\s*\n\s*(.+)")


def worker_failure(text: str, python: str) -> str | None:
    """The one-line explanation of a failed Spark job whose Python workers could not
    run our code, or ``None`` when the failure is something else.

    >>> worker_failure("... ModuleNotFoundError: No module named 'numba' ...", "python3")
    ... # doctest: +ELLIPSIS
    "Spark's Python workers (python3) cannot import 'numba': install Clusteratlas ...
    >>> worker_failure("division by zero", "python3") is None
    True
    """
    fix = (f"install Clusteratlas on every worker (pip install clusteratlas=="
           f"{_version()}) or set PYSPARK_PYTHON to a worker Python that has it")
    missing = _MISSING.search(text)
    if missing:
        return f"Spark's Python workers ({python}) cannot import {missing.group(1)!r}: {fix}"
    version = _VERSION.search(text)
    if version:
        wanted = f"{sys.version_info[0]}.{sys.version_info[1]}"
        return (f"Spark's Python workers ({python}) run another Python version than the "
                f"driver ({wanted}): set PYSPARK_PYTHON to a Python {wanted} on every worker")
    program = _NO_PROGRAM.search(text)
    said = _WORKER_SAID.search(text)
    if program or said:
        detail = said.group(1).strip() if said else "not found"
        return (f"Spark could not start its Python workers with {python!r} ({detail}): "
                f"set PYSPARK_PYTHON to a Python that has Clusteratlas installed")
    return None


def package_archive() -> Path:
    """A zip of the installed ``clusteratlas`` package, built once per process.

    The name carries a hash of the contents: Spark refuses a second file of the same
    name with other contents in one application.
    """
    return _archive()


@cache
def _archive() -> Path:
    import clusteratlas

    root = Path(clusteratlas.__file__).resolve().parent
    files = sorted(p for p in root.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    folder = Path(tempfile.mkdtemp(prefix="clusteratlas-pyfiles-"))
    atexit.register(shutil.rmtree, folder, True)
    target = folder / f"clusteratlas-{digest.hexdigest()[:12]}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, Path("clusteratlas") / path.relative_to(root))
    return target


def _ship_package(context: Any) -> None:
    """Send the package to the workers, unless it already came as a zip (spark-submit
    ``--py-files``) or was sent to this context before."""
    import clusteratlas

    if not Path(clusteratlas.__file__).resolve().parent.is_dir():
        return
    archive = package_archive()
    if archive.name in getattr(context, "_python_includes", ()):
        return
    context.addPyFile(str(archive))


def _stop_unless(master: str, python: str) -> None:
    from pyspark import SparkContext

    active = SparkContext._active_spark_context
    if active is not None and (active.master != master or active.pythonExec != python):
        active.stop()


@contextmanager
def _python_environment(python: str | None) -> Iterator[None]:
    """``PYSPARK_PYTHON`` and ``PYSPARK_DRIVER_PYTHON`` while the session starts.

    PySpark reads the workers' interpreter from the environment when the SparkContext
    is created, and the launcher scripts of a pip-installed PySpark run
    ``PYSPARK_DRIVER_PYTHON`` (else ``python3``) to find Spark's home; both are set
    only for that moment and restored afterwards.
    """
    saved = {name: os.environ.get(name) for name in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    if python is not None:
        os.environ["PYSPARK_PYTHON"] = python
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clusteratlas")
    except PackageNotFoundError:
        return "<the driver's version>"
