"""A second process that compiles the mapping's kernels with this one on a fresh install.

numba compiles one kernel at a time, and its compiler holds the interpreter: on a
fresh install ``clusteratlas map`` of a large panel would wait for one core to compile
every kernel while the other has little to do.  :class:`CompileAhead` starts a second
Python process that runs the pipeline on a tiny cube
(:func:`~clusteratlas.core.mapping.load_kernels`) while this process does the same on
its warm-up thread.  Each kernel is compiled by whichever process claims it first
(:class:`~clusteratlas.core._jit.Claims`), in the order the pipeline needs them; the
pipeline waits only for a kernel the other process is still compiling, and then loads
it from numba's cache (bench/mapping.py: the cold run).

The console script starts the process as soon as it sees a ``map`` of a large Parquet
panel whose kernels are not in numba's cache (:func:`cache_is_empty`, without
importing numba), so that the process's own start overlaps the command line's.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["CompileAhead", "cache_is_empty", "command_ended", "compiling_ahead",
           "second_process", "start_early"]

#: what the second process runs, with the claims' folder and the first process's id as
#: its arguments
_CODE = ("import sys; from clusteratlas.service.compile_ahead import second_process; "
         "second_process(sys.argv[1], int(sys.argv[2]))")


class CompileAhead:
    """The second process of one command: :meth:`start`, and :meth:`stop` if the
    command fails.  The process ends by itself when every kernel is compiled, or when
    this process has ended."""

    def __init__(self, code: str | None = None) -> None:
        self._code = code or _CODE
        self._lock = threading.Lock()
        self._stopped = False
        self._folder: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def started(self) -> bool:
        return self._process is not None

    def start(self, *, cold: bool | None = None) -> bool:
        """Start the process, if the kernels are not all in numba's cache (``cold``:
        known already; otherwise numba is asked).  ``True`` if it runs."""
        try:
            if cold is None:
                from clusteratlas.core import _jit
                from clusteratlas.core.mapping import pipeline_kernels

                cold = _jit.cold(pipeline_kernels())
            if not cold:
                return False
            import fcntl  # noqa: F401  (claims: elsewhere this process compiles alone)
            # the package this process runs, also where it is not installed; the path
            # as this process spells it (not resolved: numba names its cache folders
            # after the source's path); -P: nothing from the working directory
            root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
            with self._lock:
                if self._stopped or self._process is not None:
                    return False
                folder = tempfile.mkdtemp(prefix="clusteratlas-compiling-")
                self._folder = folder
                _started.append(self)
                self._process = subprocess.Popen(
                    [sys.executable, "-P", "-c", self._code, folder, str(os.getpid())], env=env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
            # after the start, which this import (numpy's) would delay; before this
            # process compiles anything
            from clusteratlas.core import _jit

            with self._lock:  # not if the command has failed meanwhile (stop)
                if not self._stopped:
                    _jit.use_claims(folder)
            # reaped as soon as it ends: no zombie, and its CPU time counts as this
            # process's children's (what a benchmark of the command measures); its
            # claims' folder goes too, however it ended
            threading.Thread(target=self._reap, args=(self._process, folder),
                             name="clusteratlas-compile-reaper", daemon=True).start()
            return True
        except Exception:  # no second process: this one compiles everything itself
            self.stop()
            return False

    @staticmethod
    def _reap(process: subprocess.Popen[bytes], folder: str | None,
              timeout: float | None = None) -> None:
        process.wait(timeout)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def wait(self, timeout: float = 120.0) -> None:
        """Until the process has ended, at most ``timeout`` seconds (then it is ended)."""
        if self._process is None:
            return
        try:
            self._reap(self._process, self._folder, timeout)
        except subprocess.TimeoutExpired:
            self.stop()

    def stop(self) -> None:
        """End the process if it still runs, or keep it from starting (the command
        failed); this process compiles alone from now on."""
        with self._lock:
            self._stopped = True
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        self._forget()

    def _forget(self) -> None:
        with contextlib.suppress(ValueError):
            _started.remove(self)
        from clusteratlas.core import _jit

        claims = _jit.claims()
        if claims is not None and claims.folder == self._folder:
            _jit.use_claims(None)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


_early: CompileAhead | None = None

#: the second processes this process started, whose claims' folders go when it ends
#: (:func:`command_ended`)
_started: list[CompileAhead] = []


def command_ended() -> None:
    """This process is about to end: the claims' folders of the second processes it
    started go now.  Each second process, if still compiling, ends by itself a moment
    later (:func:`second_process`), and the thread that would remove the folder when
    it does (:meth:`CompileAhead.start`) dies with this process – as does any such
    thread of a process that ends without tearing down its interpreter
    (:func:`clusteratlas.cli.main.run`), which calls this itself."""
    while _started:
        with contextlib.suppress(Exception):  # the others' folders go all the same
            _started.pop()._forget()


atexit.register(command_ended)


def start_early(panel: Path) -> bool:
    """Start the second process for a ``map`` of ``panel`` before the command line is
    even parsed (:func:`clusteratlas.service.panel_reading.prefetch`), if the panel is
    large and the kernels are not in numba's cache; :func:`compiling_ahead` hands it
    to the command.  ``True`` if it runs."""
    global _early
    from clusteratlas.core._kernel_names import PIPELINE_KERNELS, SMALL
    from clusteratlas.service.parquet_assembly import file_rows

    try:
        rows = file_rows(panel)  # without Arrow, whose import would come first
    except OSError:  # the reader says what is wrong with the file
        return False
    if rows is None or rows <= SMALL or not cache_is_empty(PIPELINE_KERNELS):
        return False
    ahead = CompileAhead()
    if not ahead.start(cold=True):
        return False
    _early = ahead
    return True


def compiling_ahead() -> CompileAhead:
    """The second process that :func:`start_early` started, or a new one (not started
    yet: :meth:`CompileAhead.start`)."""
    global _early
    early, _early = _early, None
    return early if early is not None else CompileAhead()


def second_process(folder: str, parent: int) -> None:
    """The second process: the kernels of the pipeline that it claims first, compiled
    into numba's cache; it ends when they are, or as soon as the process that started
    it (``parent``) has ended.  The claims' folder is removed by the parent when it
    ends (:func:`command_ended`) or, if this one ends first, by its reaper
    (:meth:`CompileAhead.start`); by this one where the parent ended without either
    (killed)."""

    def orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(0.05)
        shutil.rmtree(folder, ignore_errors=True)
        os._exit(0)

    threading.Thread(target=orphaned, daemon=True).start()
    # no garbage collection: numba's compiler leaves cycles behind at a rate that made
    # 500 collections, 7 % of this process's CPU time, for 25 MB it would free in a
    # process that ends in seconds
    gc.disable()
    from clusteratlas.core._blas_probe import block_blas_probe

    block_blas_probe()
    from clusteratlas.core._jit import use_claims
    from clusteratlas.core.mapping import load_kernels

    use_claims(folder)
    load_kernels()
    if os.getppid() != parent:  # the parent ended meanwhile and its cleanup may not
        shutil.rmtree(folder, ignore_errors=True)


def cache_is_empty(kernels: Iterable[tuple[str, str]],
                   environ: Mapping[str, str] | None = None) -> bool:
    """Whether numba's cache lacks any of ``kernels`` (``(module, function)`` of
    ``clusteratlas.core``), asked without importing numba (half a second): the index
    files are looked for where numba keeps them (``numba.core.caching``: the folder of
    ``NUMBA_CACHE_DIR``, else the source's ``__pycache__`` if writable, else the user's
    cache folder).  ``False`` where that cannot be told (a numba settings file, the
    JIT switched off): then the command asks numba itself, a little later.
    ``environ``: the environment numba reads (default: this process's)."""
    environ = os.environ if environ is None else environ
    if environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0") \
            or Path(".numba_config.yaml").exists():
        return False
    # the kernels' folder as numba spells it: from their modules' __file__
    folder = _cache_folder(os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), "core"), environ)
    if folder is None:
        return False
    try:
        names = set(os.listdir(folder))
    except FileNotFoundError:
        return True
    except OSError:
        return False
    tag = f".py{sys.version_info[0]}{sys.version_info[1]}{getattr(sys, 'abiflags', '')}.nbi"
    for module, function in kernels:
        prefix = f"{module}.{function}-"
        if not any(n.startswith(prefix) and n.endswith(tag) for n in names):
            return True
    return False


def _cache_folder(spelled: str, environ: Mapping[str, str]) -> str | None:
    """The folder numba caches the kernels of the source folder ``spelled`` in, or
    ``None`` if unsure."""
    import hashlib

    def subpath() -> str:
        # numba: _CacheLocator.get_suitable_cache_subpath
        return "_".join([os.path.basename(spelled), hashlib.sha1(spelled.encode()).hexdigest()])

    configured = environ.get("NUMBA_CACHE_DIR", "")
    if configured:
        return os.path.join(configured, subpath())
    in_tree = Path(spelled) / "__pycache__"
    if os.access(in_tree if in_tree.is_dir() else spelled, os.W_OK):
        return str(in_tree)
    if not sys.platform.startswith("linux"):  # numba's user folder is the platform's
        return None
    base = environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "numba", subpath())
