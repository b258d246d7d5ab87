"""A standalone Spark cluster (one master, one worker on 127.0.0.1) for the engine tests.

Started here, from the interpreter that runs the tests, rather than by ``.ci/run`` before
pytest: the README's test command creates the virtual environment and runs pytest in one
line, so only the test process knows which Python (and which pyspark, numpy, …) the
workers must use; bound to this module's lifetime, the cluster is also stopped when the
tests end, pass or fail.  ``CLUSTERATLAS_TEST_SPARK_URL=spark://host:port`` uses an
existing cluster instead.  Without Java or pyspark the cluster tests skip, unless
``CLUSTERATLAS_REQUIRE_SPARK_CLUSTER=1`` (set by ``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "spark"
REQUIRE = os.environ.get("CLUSTERATLAS_REQUIRE_SPARK_CLUSTER") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"CLUSTERATLAS_REQUIRE_SPARK_CLUSTER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory):
    """The ``spark://`` URL of a running standalone cluster."""
    given = os.environ.get("CLUSTERATLAS_TEST_SPARK_URL")
    if given:
        yield given
        return
    if shutil.which("java") is None:
        _unavailable("Spark needs a Java runtime (none on PATH)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _unavailable("pyspark is not installed (pip install '.[spark]')")
    if not SCRIPT.exists():
        _unavailable(f"{SCRIPT} (starts the cluster) is not in this checkout")
    folder = tmp_path_factory.mktemp("spark-cluster")
    env = {**os.environ, "PYTHON": sys.executable}
    started = subprocess.run([str(SCRIPT), "start", str(folder)], env=env,
                             capture_output=True, text=True, timeout=180, check=False)
    if started.returncode != 0:
        subprocess.run([str(SCRIPT), "stop", str(folder)], env=env, capture_output=True,
                       timeout=120, check=False)
        _unavailable(f"the standalone Spark cluster did not start: {started.stderr[-2000:]}")
    url = started.stdout.strip().splitlines()[-1]
    try:
        yield url
    finally:
        # the driver would keep calling a stopped master; end the application first
        from pyspark import SparkContext

        active = SparkContext._active_spark_context
        if active is not None and active.master == url:
            active.stop()
        subprocess.run([str(SCRIPT), "stop", str(folder)], env=env, capture_output=True,
                       timeout=120, check=False)
