"""numba's start without SciPy's linear algebra (standard library only).

numba's ``arraymath`` module, which every process that runs a kernel loads, imports
``scipy.linalg`` to find out whether a BLAS is there for ``np.dot`` inside kernels: a
fifth of a second of the interpreter's time.  The mapping's kernels call no BLAS (numba
then takes its own loop for such products), so a process that only runs them (``map``:
``clusteratlas.cli.process.skip_numba_blas_probe``; the second process that compiles
kernels on a fresh install: ``clusteratlas.service.compile_ahead``) lets that probe's
import fail, and only that one."""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder
from types import FrameType
from typing import Any

__all__ = ["block_blas_probe"]


class _NoBlasProbe(MetaPathFinder):
    """Fails SciPy's BLAS import where numba's ``arraymath`` module probes for it, and
    nowhere else: not on another thread, not later."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "scipy.linalg" or name.startswith("scipy.linalg."):
            frame: FrameType | None = sys._getframe(1)
            while frame is not None:
                if frame.f_code.co_name == "_check_blas" \
                        and frame.f_globals.get("__name__") == "numba.np.arraymath":
                    raise ModuleNotFoundError(f"{name}: not probed in this process",
                                              name=name)
                frame = frame.f_back
        return None


def block_blas_probe() -> None:
    """Fail numba's BLAS probe in this process from now on (before numba's
    ``arraymath`` is imported; once)."""
    if "numba.np.arraymath" not in sys.modules \
            and not any(isinstance(f, _NoBlasProbe) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoBlasProbe())
