"""A second process that compiles some of the mapping's kernels on a fresh install.

numba compiles one kernel at a time, and its compiler holds the interpreter: on a
fresh install ``clusteratlas map`` of a large panel would wait for one core to compile
every kernel while the other has little to do.  :class:`CompileAhead` starts a second
Python process that compiles one group of kernels into numba's cache while this
process compiles the others; the pipeline waits for it before it needs that group,
which it then loads from the cache (bench/mapping.py: the cold run).
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Collection
from typing import Any

__all__ = ["CompileAhead"]


class CompileAhead:
    """The second process of one command: :meth:`start` on the thread that loads the
    kernels, :meth:`wait` on the pipeline's, before it needs them.

    ``kernels``: the module and name of a tuple of kernels (imported by :meth:`start`,
    on that thread, so that numba is not imported where the caller runs); ``code``:
    what the second process runs to compile them."""

    def __init__(self, kernels: str, code: str) -> None:
        self._kernels = kernels
        self._code = code
        self._decided = threading.Event()
        self._lock = threading.Lock()
        self._stopped = False
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Collection[Any]:
        """Start the process if any of the kernels is not in numba's cache; the
        kernels it compiles (none if it was not started)."""
        try:
            from clusteratlas.core._jit import cold

            module, _, name = self._kernels.rpartition(".")
            kernels: tuple[Any, ...] = getattr(importlib.import_module(module), name)
            if not cold(kernels):
                return ()
            # the package this process runs, also where it is not installed; the path
            # as this process spells it (not resolved: numba names its cache folders
            # after the source's path); -P: nothing from the working directory
            root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
            path = os.environ.get("PYTHONPATH")
            env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
            with self._lock:
                if self._stopped:  # the command failed before the process started
                    return ()
                self._process = subprocess.Popen(
                    [sys.executable, "-P", "-c", self._code], env=env,
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL)
            return kernels
        except Exception:  # no second process: this one compiles everything itself
            return ()
        finally:
            self._decided.set()

    def wait(self, timeout: float = 120.0) -> None:
        """Until the process has ended, at most ``timeout`` seconds in all (then it is
        ended).  Whether it compiled the kernels or not, the pipeline then finds them in
        the cache or compiles them itself."""
        deadline = time.monotonic() + timeout
        if not self._decided.wait(timeout) or self._process is None:
            return
        try:
            self._process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.stop()

    def stop(self) -> None:
        """End the process if it still runs, or keep it from starting (the command
        failed, or the process took too long)."""
        with self._lock:
            self._stopped = True
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
