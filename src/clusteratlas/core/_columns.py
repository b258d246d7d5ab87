"""Per category-year statistics over the regions with employment (numba, cached).

Cells arrive in region-major order; a counting sort groups them by category-year
column, then threads share out the columns.  Only the very first run on a machine
pays the compilation (``cache=True``).  Percentiles interpolate linearly between order
statistics (Hyndman & Fan type 7, numpy's default).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numba.extending import register_jitable

from clusteratlas.core._aggregate import sums_in_order
from clusteratlas.core._jit import light_cache_loads, light_compiles, pick
from clusteratlas.core._threads import n_threads, run_ranges

light_cache_loads()  # before any kernel is loaded from the cache
light_compiles(__name__)

__all__ = ["column_statistics", "start_numba"]


@register_jitable
def _quantile_sorted(values: np.ndarray, n: int, q: float) -> float:
    if n == 0:
        return np.nan
    pos = q * (n - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, n - 1)
    return float(values[lo] + (pos - lo) * (values[hi] - values[lo]))


@njit(cache=True, nogil=True)
def _by_column(first: int, stop: int, flat: np.ndarray, emp: np.ndarray, est: np.ndarray,
               n_cols: int, bounds: np.ndarray, fill: np.ndarray, vals: np.ndarray,
               regions: np.ndarray, ests: np.ndarray, count: bool) -> None:
    # parts first..stop of the cells (cut at ``bounds``), each in its own row of
    # ``fill``: counted per column (``count``), or moved to their column's next place
    # (one kernel for both passes: one less to compile on a fresh install)
    has_est = ests.size == vals.size
    for p in range(first, stop):
        for k in range(bounds[p], bounds[p + 1]):
            f = flat[k]
            v = emp[f]
            if v > 0.0:
                col = f % n_cols
                if count:
                    fill[p, col] += 1
                    continue
                pos = fill[p, col]
                vals[pos] = v
                regions[pos] = f // n_cols
                if has_est:
                    ests[pos] = est[f]
                fill[p, col] = pos + 1


def _group_by_column(flat: np.ndarray, emp: np.ndarray, est: np.ndarray, n_cols: int,
                     has_est: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Counting sort of the cells with employment by category-year column, keeping
    region order within a column; the values travel with it, so that the per-column
    work reads contiguous memory instead of gathering from the cube.  Each thread
    counts and moves the cells of one part of the rows; a column's cells from an
    earlier part come first, so the order is that of one pass."""
    parts = n_threads() if flat.size > 1 << 16 else 1
    bounds = np.array([flat.size * i // parts for i in range(parts + 1)], np.int64)
    counts = np.zeros((parts, n_cols), np.int64)
    none, no_regions = np.empty(0), np.empty(0, np.int64)
    run_ranges(_by_column, parts, flat, emp, est, n_cols, bounds, counts, none, no_regions,
               none, True, per_thread=1)
    per_column = counts.sum(axis=0)
    offsets = np.zeros(n_cols + 1, np.int64)
    np.cumsum(per_column, out=offsets[1:])
    # where each part starts writing in each column
    fill = offsets[:-1] + np.cumsum(counts, axis=0) - counts
    n = int(offsets[-1])
    vals = np.empty(n)
    regions = np.empty(n, np.int64)
    ests = np.empty(n if has_est else 0)
    run_ranges(_by_column, parts, flat, emp, est, n_cols, bounds, fill, vals, regions, ests,
               False, per_thread=1)
    return offsets, vals, regions, ests


@register_jitable
def _quantile_select(values: np.ndarray, q: float) -> float:
    """Type-7 quantile by selection (O(n)); reorders ``values`` in place.

    A plain quickselect rather than ``np.partition``, whose numba implementation
    takes seconds to compile on a fresh install; both return the same order
    statistics, hence the same value."""
    n = values.size
    if n == 0:
        return np.nan
    pos = q * (n - 1)
    k = int(np.floor(pos))
    lo = 0
    hi = n - 1
    while lo < hi:
        pivot = values[(lo + hi) // 2]
        i = lo
        j = hi
        while i <= j:
            while values[i] < pivot:
                i += 1
            while values[j] > pivot:
                j -= 1
            if i <= j:
                tmp = values[i]
                values[i] = values[j]
                values[j] = tmp
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    low = values[k]
    if k + 1 >= n or pos == k:
        return float(low)
    # everything after position k is at least values[k]: the next order statistic
    # is their minimum
    high = values[k + 1]
    for m in range(k + 2, n):
        if values[m] < high:
            high = values[m]
    return float(low + (pos - k) * (high - low))


@register_jitable
def _less(a: float, b: float) -> bool:
    # numba's order for floats: NaN last
    return a < b or (np.isnan(b) and not np.isnan(a))


@register_jitable
def _argsort(a: np.ndarray, order: np.ndarray, keys: np.ndarray, stack_lo: np.ndarray,
             stack_hi: np.ndarray) -> None:
    """``order[:a.size] = np.argsort(a)`` as numba computes it (its quicksort: median
    of three, insertion sort below 15 elements, a stack of 100 ranges), so that ties
    keep the same order and every sum over the sorted values the same bits; written
    out because numba's generic version takes seconds to compile on a fresh install.

    The values move with their indices (``keys[:a.size]`` ends as ``a[order]``): every
    comparison reads them in place, not through ``order``, for the same swaps at a
    third less time."""
    n = a.size
    for i in range(n):
        order[i] = i
        keys[i] = a[i]
    if n < 2:
        return
    stack_lo[0] = 0
    stack_hi[0] = n - 1
    depth = 1
    while depth > 0:
        depth -= 1
        low = stack_lo[depth]
        high = stack_hi[depth]
        while high - low >= 15:
            mid = (low + high) >> 1
            if _less(keys[mid], keys[low]):
                order[low], order[mid] = order[mid], order[low]
                keys[low], keys[mid] = keys[mid], keys[low]
            if _less(keys[high], keys[mid]):
                order[high], order[mid] = order[mid], order[high]
                keys[high], keys[mid] = keys[mid], keys[high]
            if _less(keys[mid], keys[low]):
                order[low], order[mid] = order[mid], order[low]
                keys[low], keys[mid] = keys[mid], keys[low]
            pivot = keys[mid]
            order[high], order[mid] = order[mid], order[high]
            keys[high], keys[mid] = keys[mid], keys[high]
            i = low
            j = high - 1
            while True:
                while i < high and _less(keys[i], pivot):
                    i += 1
                while j >= low and _less(pivot, keys[j]):
                    j -= 1
                if i >= j:
                    break
                order[i], order[j] = order[j], order[i]
                keys[i], keys[j] = keys[j], keys[i]
                i += 1
                j -= 1
            order[i], order[high] = order[high], order[i]
            keys[i], keys[high] = keys[high], keys[i]
            if high - i > i - low:
                if high > i:
                    stack_lo[depth] = i + 1
                    stack_hi[depth] = high
                    depth += 1
                high = i - 1
            else:
                if i > low:
                    stack_lo[depth] = low
                    stack_hi[depth] = i - 1
                    depth += 1
                low = i + 1
        for i in range(low + 1, high + 1):
            k = order[i]
            v = keys[i]
            j = i
            while j > low and _less(v, keys[j - 1]):
                order[j] = order[j - 1]
                keys[j] = keys[j - 1]
                j -= 1
            order[j] = k
            keys[j] = v


@njit(cache=True, nogil=True)
def _columns(first: int, stop: int, offsets: np.ndarray, col_vals: np.ndarray,
             col_regions: np.ndarray, col_ests: np.ndarray, totals: np.ndarray,
             grand: np.ndarray, n_t: int, quantiles_e: np.ndarray,
             quantiles_focus: np.ndarray, quantiles_est: np.ndarray, out_e: np.ndarray,
             out_f: np.ndarray, out_s: np.ndarray, gini: np.ndarray, work: np.ndarray,
             order: np.ndarray, stack: np.ndarray) -> None:
    """Quantiles and locational Gini of the category-year columns ``first..stop-1``;
    ``work`` (5, longest column), ``order`` and ``stack`` (2, 100) are scratch."""
    has_est = col_ests.size == col_vals.size
    for col in range(first, stop):
        start = offsets[col]
        count = offsets[col + 1] - start
        t = col % n_t
        if count == 0 or grand[t] <= 0.0:
            continue
        vals = work[0, :count]
        focus = work[1, :count]
        xs = work[2, :count]
        sorted_focus = work[3, :count]
        total = 0.0
        for k in range(count):
            v = col_vals[start + k]
            vals[k] = v
            er = totals[t, col_regions[start + k]]
            focus[k] = v / er if er > 0 else np.inf
            xs[k] = er / grand[t]
            total += v
        # ties in focus contribute equally in any order up to rounding; the order is
        # numba's quicksort's, fixed by the input order
        idx = order[:count]
        _argsort(focus, idx, sorted_focus, stack[0], stack[1])
        cum = 0.0
        acc = 0.0
        for k in range(count):
            share = vals[idx[k]] / total
            acc += xs[idx[k]] * (2.0 * cum + share)
            cum += share
        gini[col] = 1.0 - acc
        for q in range(quantiles_e.size):
            out_e[col, q] = _quantile_select(vals, quantiles_e[q])
        for q in range(quantiles_focus.size):
            out_f[col, q] = _quantile_sorted(sorted_focus, count, quantiles_focus[q])
        if has_est:
            ests = work[4, :count]
            for k in range(count):
                ests[k] = col_ests[start + k]
            for q in range(quantiles_est.size):
                out_s[col, q] = _quantile_select(ests, quantiles_est[q])


def column_statistics(
    flat: np.ndarray,
    emp: np.ndarray,
    est: np.ndarray,
    totals: np.ndarray,
    n_c: int,
    n_t: int,
    quantiles_e: np.ndarray,
    quantiles_focus: np.ndarray,
    quantiles_est: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Statistics of every category-year column over its regions with employment > 0.

    ``flat`` indexes present cells of the (R, C, T) arrays ``emp`` and ``est`` (``est``
    may be empty); ``totals`` is (T, R).  Returns quantiles of employment, of the focus
    :math:`E_{rc}/E_r` and of establishments, and the locational Gini coefficient with
    regions ordered by focus (the same order as by location quotient).  The columns
    are shared out among threads (:func:`~clusteratlas.core._threads.run_ranges`).
    """
    n_cols = n_c * n_t
    has_est = est.size == emp.size
    offsets, col_vals, col_regions, col_ests = _group_by_column(flat, emp, est, n_cols,
                                                                has_est)
    grand = sums_in_order(totals, axis=1)
    longest = int(np.diff(offsets).max(initial=0))
    out_e = np.full((n_cols, quantiles_e.size), np.nan)
    out_f = np.full((n_cols, quantiles_focus.size), np.nan)
    out_s = np.full((n_cols, quantiles_est.size), np.nan)
    gini = np.full(n_cols, np.nan)
    run_ranges(_columns, n_cols, offsets, col_vals, col_regions, col_ests, totals, grand, n_t,
               quantiles_e, quantiles_focus, quantiles_est, out_e, out_f, out_s, gini,
               scratch=lambda: (np.empty((5, longest)), np.empty(longest, np.int64),
                                np.zeros((2, 100), np.int64)))
    return out_e, out_f, out_s, gini


def start_numba() -> None:
    """Import numba and set up its compiler's tables in this process, by loading one
    small cached kernel (on a fresh install: compiling it, unless another process has
    claimed it).

    Importing numba and loading the first kernel from its cache cost half a second
    of the interpreter's time (numba's modules; its runtime, readied by
    :func:`~clusteratlas.core._jit.light_cache_loads`); each further kernel a few
    hundredths.  ``map`` starts this on a thread of its own while it imports its
    other libraries
    (:func:`clusteratlas.service.panel_reading.prefetch`)."""
    from clusteratlas.core._jit import compiling

    # the argument types of the pipeline's call (one signature, loaded or compiled)
    flat, emp = np.zeros(1, np.int64), np.zeros(1)
    bounds, counts = np.zeros(2, np.int64), np.zeros((1, 1), np.int64)
    with compiling():  # on a fresh install: compiled, unless another process does
        pick(_by_column, flat)(0, 1, flat, emp, emp, 1, bounds, counts, emp, bounds, emp, True)
