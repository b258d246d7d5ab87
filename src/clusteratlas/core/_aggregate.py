"""Sum rows into dense (region, category, year) cells (numba, cached).

Region-major order matches the usual sort order of panel files, so writes are
nearly sequential.  Threads share out the categories: each reads every row and sums
those of its categories, so every cell and every category total adds its rows in file
order, whatever the number of threads (the same bits as one pass)."""

from __future__ import annotations

import threading

import numpy as np
from numba import njit

from clusteratlas.core._jit import light_cache_loads, light_compiles, pick
from clusteratlas.core._threads import balanced_bounds, n_threads, run_ranges

light_cache_loads()  # before any kernel is loaded from the cache
light_compiles(__name__)

__all__ = ["CubeMemory", "aggregate_rows", "sum_by_region_year", "sums_in_order"]


def _frozen(array: np.ndarray) -> np.ndarray:
    """A read-only view: numba compiles a kernel once per read-only/writable mix of
    its arguments, and arrays from Arrow are read-only while computed ones are not;
    passing only read-only arrays needs one compiled version for every panel."""
    view = array.view()
    view.flags.writeable = False
    return view


def _zeroed(size: int, dtype: type) -> np.ndarray:
    """Zeros written by this thread, not handed out lazily by the kernel
    (``np.zeros``): the kernel threads' first access to a cell is a read, which maps
    the kernel's shared zero page, and the write after it copies the page and flushes
    every other core's TLB, a round of interrupts per page (on a virtual machine, half
    a second of system time for the benchmark panel's 300 MB of cubes).  Written
    first, each page is faulted in once."""
    out: np.ndarray = np.empty(size, dtype)
    out.fill(0)
    return out


class CubeMemory:
    """The zeroed arrays of a cube's sums (:func:`aggregate_rows`), written on a thread
    of their own while the caller gets the rows ready.

    Writing the zeros of the benchmark panel's cube (270 MB) takes a core a fifth of a
    second, the totals and flags the caller computes before it another; on two cores
    the two overlap (bench/mapping.py).  ``suppressed``, ``establishments``, ``wages``:
    whether the rows have any (a cube they do not need is not written)."""

    def __init__(self, size: int, *, suppressed: bool, establishments: bool,
                 wages: bool) -> None:
        self.size = size
        self._wanted = (("emp", np.float64, True), ("present", np.bool_, True),
                        ("known", np.bool_, suppressed), ("sup", np.int32, suppressed),
                        ("est", np.float64, establishments), ("wag", np.float64, wages))
        self._arrays: dict[str, np.ndarray] = {}
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._write, name="clusteratlas-cube-memory",
                                        daemon=True)
        self._thread.start()

    def _write(self) -> None:
        try:
            for name, dtype, wanted in self._wanted:
                if wanted:
                    self._arrays[name] = _zeroed(self.size, dtype)
        except BaseException as exc:  # MemoryError: raised where the arrays are claimed
            self._error = exc

    def claim(self, name: str, size: int, dtype: type) -> np.ndarray:
        """The zeroed array ``name`` of ``size`` elements: the one written ahead, or a
        new one where none of that size was (``size`` 0: an empty array)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        if size == 0:
            return np.zeros(0, dtype)
        ahead = self._arrays.pop(name, None)
        if ahead is not None and ahead.size == size and ahead.dtype == dtype:
            return ahead
        return _zeroed(size, dtype)


def aggregate_rows(
    region_idx: np.ndarray, year_idx: np.ndarray, industry_idx: np.ndarray,
    cat_of: np.ndarray, employment: np.ndarray, suppressed: np.ndarray,
    establishments: np.ndarray, wages: np.ndarray, n_c: int, n_t: int, n_r: int,
    memory: CubeMemory | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dense ``(R * C * T,)`` sums of the rows: employment (NaN where every row of a
    present cell is suppressed), presence, suppressed row counts (empty when no row is
    suppressed), establishments and wages (empty when not given), and (C, T) category
    totals.

    The outputs are allocated here (:func:`_zeroed`; the kernel then compiles no
    allocation code of its own), or taken from ``memory``, zeroed ahead."""
    size = n_r * n_c * n_t

    def claim(name: str, size: int, dtype: type) -> np.ndarray:
        return _zeroed(size, dtype) if memory is None else memory.claim(name, size, dtype)

    threads = n_threads()
    bounds = None
    if threads > 1 and region_idx.size > 1 << 16:
        # about as many rows for each thread: rows per industry, summed by category
        per_ind = np.bincount(industry_idx, minlength=cat_of.size)[:cat_of.size]
        valid = cat_of >= 0
        bounds = balanced_bounds(np.bincount(cat_of[valid], weights=per_ind[valid],
                                             minlength=n_c), threads)
    # without suppressed rows every present cell is known and no cell counts one:
    # neither cube is needed (a fifth of the cube's memory)
    any_suppressed = bool(suppressed.any())
    # (the zeros of ``memory`` are being written meanwhile)
    emp = claim("emp", size, np.float64)
    present = claim("present", size, np.bool_)
    known = claim("known", size if any_suppressed else 0, np.bool_)
    sup = claim("sup", size if any_suppressed else 0, np.int32)
    est = claim("est", size if establishments.size == region_idx.size else 0, np.float64)
    wag = claim("wag", size if wages.size == region_idx.size else 0, np.float64)
    cat_totals = np.zeros((n_c, n_t))
    args = (_frozen(region_idx), _frozen(year_idx), _frozen(industry_idx), _frozen(cat_of),
            _frozen(employment), _frozen(suppressed), _frozen(establishments), _frozen(wages),
            n_c, n_t, emp, present, known, sup, est, wag, cat_totals)
    run_ranges(_aggregate_rows, n_c, *args, bounds=bounds or [0, n_c])
    if any_suppressed:
        run_ranges(_unknown_cells, size, present, known, emp, per_thread=1)
    return emp, present, sup, est, wag, cat_totals


def sum_by_region_year(region_idx: np.ndarray, year_idx: np.ndarray, values: np.ndarray,
                       mask: np.ndarray, n_t: int, n_r: int,
                       observed: np.ndarray | None = None) -> np.ndarray:
    """(T, R) sums of the known (not NaN) ``values`` of the rows in ``mask``.

    ``observed``: a (T, R) array that gets True for the region-year of every row with a
    region (``region_idx`` ≥ 0), in ``mask`` or not, in the same pass."""
    out = np.zeros((n_t, n_r))
    seen = np.zeros((0, 0), np.bool_) if observed is None else observed
    pick(_sum_by_region_year, values)(_frozen(region_idx), _frozen(year_idx), _frozen(values),
                                      _frozen(mask), out, seen)
    return out


def sums_in_order(values: np.ndarray, axis: int) -> np.ndarray:
    r"""Sums of ``values`` along ``axis``, the terms added one after another to 0.0:
    :math:`s_k = s_{k-1} + x_k`, :math:`s_0 = 0`, as a loop adds them.

    ``np.sum`` adds pairwise, which rounds differently; ``np.cumsum`` (numpy's add
    accumulate) adds in order, and the 0.0 in front makes the first step the loop's
    too (``0.0 + -0.0`` is ``0.0``).  The small per-year sums of the mapping are
    taken this way instead of in a kernel of their own, which a fresh install would
    have to compile."""
    shape = list(values.shape)
    shape[axis] = 1
    padded = np.concatenate([np.zeros(shape), values], axis=axis)
    return np.asarray(np.cumsum(padded, axis=axis).take(-1, axis=axis))


@njit(cache=True, nogil=True)
def _aggregate_rows(
    c_first: int,
    c_stop: int,
    region_idx: np.ndarray,
    year_idx: np.ndarray,
    industry_idx: np.ndarray,
    cat_of: np.ndarray,
    employment: np.ndarray,
    suppressed: np.ndarray,
    establishments: np.ndarray,
    wages: np.ndarray,
    n_c: int,
    n_t: int,
    emp: np.ndarray,
    present: np.ndarray,
    known: np.ndarray,
    sup: np.ndarray,
    est: np.ndarray,
    wag: np.ndarray,
    cat_totals: np.ndarray,
) -> None:
    has_est = establishments.size == region_idx.size
    has_wages = wages.size == region_idx.size
    for k in range(region_idx.size):
        c = cat_of[industry_idx[k]]
        if c < c_first or c >= c_stop or region_idx[k] < 0:
            continue
        f = (region_idx[k] * n_c + c) * n_t + year_idx[k]
        present[f] = True
        # a row is either suppressed (counted, value missing) or known (summed); a
        # suppressed cell filled by an estimate arrives as known
        if suppressed[k]:
            sup[f] += 1
        else:
            if known.size:
                known[f] = True
            emp[f] += employment[k]
            cat_totals[c, year_idx[k]] += employment[k]
        if has_est and not np.isnan(establishments[k]):
            est[f] += establishments[k]
        if has_wages and not np.isnan(wages[k]):
            wag[f] += wages[k]


@njit(cache=True, nogil=True)
def _unknown_cells(first: int, stop: int, present: np.ndarray, known: np.ndarray,
                   emp: np.ndarray) -> None:
    # a present cell none of whose rows is known has unknown employment
    for f in range(first, stop):
        if present[f] and not known[f]:
            emp[f] = np.nan


@njit(cache=True)
def _sum_by_region_year(
    region_idx: np.ndarray, year_idx: np.ndarray, values: np.ndarray, mask: np.ndarray,
    out: np.ndarray, observed: np.ndarray,
) -> None:
    mark = observed.size > 0
    for k in range(region_idx.size):
        r = region_idx[k]
        if r < 0:
            continue
        if mark:
            observed[year_idx[k], r] = True
        if mask[k]:
            v = values[k]
            if not np.isnan(v):
                out[year_idx[k], r] += v
