"""Run a numba kernel over index ranges on several threads.

The kernels are compiled with ``nogil=True`` and called from a small pool of Python
threads, each on its own range of rows or columns.  This uses every core like
numba's ``parallel=True``, but compiles in a fraction of the time on a fresh install
(no parallel-loop transformation) and gives the same numbers: every row or column is
computed alone, whatever the number of threads."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import numpy as np

__all__ = ["balanced_bounds", "n_threads", "run_ranges"]


def n_threads() -> int:
    """Threads to use: numba's setting (``NUMBA_NUM_THREADS``, default every core)."""
    from numba import config

    return max(1, int(getattr(config, "NUMBA_NUM_THREADS", 1)))


def balanced_bounds(weights: np.ndarray, parts: int) -> list[int]:
    """``parts + 1`` bounds cutting ``0..weights.size`` into consecutive ranges of
    about equal total weight (e.g. rows per category)."""
    n = weights.size
    if parts <= 1 or n <= 1:
        return [0, n]
    cum = np.cumsum(weights, dtype=np.float64)
    total = float(cum[-1])
    if total <= 0:
        return [n * i // parts for i in range(parts + 1)]
    cuts = np.searchsorted(cum, total * np.arange(1, parts) / parts, side="left") + 1
    return sorted({0, n, *(int(c) for c in np.clip(cuts, 1, n - 1))})


def run_ranges(kernel: Callable[..., Any], n: int, *args: Any, per_thread: int = 4,
               scratch: Callable[[], tuple[Any, ...]] | None = None,
               bounds: list[int] | None = None) -> None:
    """Call ``kernel(start, stop, *args, *scratch())`` on consecutive ranges covering
    ``0..n``.

    ``per_thread`` ranges per thread even out ranges of unequal cost; ``scratch``
    makes each range's own working arrays (allocated here, so that the kernels
    compile no allocation code).  ``bounds`` gives the ranges instead (e.g. one per
    thread from :func:`balanced_bounds`, or a part ``a..b`` of the rows split up);
    one thread, or a Python twin (small input on a fresh install: threads would only
    queue for the interpreter), runs ``bounds[0]..bounds[-1]`` at once."""
    from clusteratlas.core._jit import pick

    picked = pick(kernel, *args)  # small and not compiled yet: its Python twin
    twin = picked is not kernel and hasattr(kernel, "py_func")
    kernel = picked
    threads = n_threads()

    def call(start: int, stop: int) -> None:
        kernel(start, stop, *args, *(scratch() if scratch is not None else ()))

    if bounds is None:
        parts = min(n, threads * per_thread) if threads > 1 and not twin else 1
        bounds = [n * i // parts for i in range(parts + 1)] if parts > 1 else [0, n]
    if len(bounds) <= 2 or threads == 1 or twin:
        call(bounds[0], bounds[-1])
        return
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(call, a, b) for a, b in pairwise(bounds)]:
            future.result()
