"""Per category-year statistics over the regions with employment (numba, cached).

Cells arrive in region-major order; a counting sort groups them by category-year
column, then each column is handled in parallel.  Only the very first run on a machine
pays the compilation (``cache=True``).  Percentiles interpolate linearly between order
statistics (Hyndman & Fan type 7, numpy's default).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["column_statistics"]


@njit(cache=True)
def _quantile_sorted(values: np.ndarray, n: int, q: float) -> float:
    if n == 0:
        return np.nan
    pos = q * (n - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, n - 1)
    return float(values[lo] + (pos - lo) * (values[hi] - values[lo]))


@njit(cache=True)
def _group_by_column(flat: np.ndarray, emp: np.ndarray, n_cols: int) -> tuple:  # type: ignore[type-arg]
    counts = np.zeros(n_cols + 1, np.int64)
    for k in range(flat.size):
        if emp[flat[k]] > 0.0:
            counts[flat[k] % n_cols + 1] += 1
    offsets = np.cumsum(counts)
    fill = offsets[:-1].copy()
    order = np.empty(offsets[-1], np.int64)
    for k in range(flat.size):
        if emp[flat[k]] > 0.0:
            col = flat[k] % n_cols
            order[fill[col]] = k
            fill[col] += 1
    return offsets, order


@njit(cache=True)
def _quantile_select(values: np.ndarray, q: float) -> float:
    """Type-7 quantile by selection (O(n)); reorders ``values`` in place."""
    n = values.size
    if n == 0:
        return np.nan
    pos = q * (n - 1)
    lo = int(np.floor(pos))
    part = np.partition(values, lo)
    low = part[lo]
    if lo + 1 >= n or pos == lo:
        return float(low)
    high = part[lo + 1]
    for k in range(lo + 2, n):
        if part[k] < high:
            high = part[k]
    return float(low + (pos - lo) * (high - low))


@njit(cache=True, parallel=True)
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
) -> tuple:  # type: ignore[type-arg]
    """Statistics of every category-year column over its regions with employment > 0.

    ``flat`` indexes present cells of the (R, C, T) arrays ``emp`` and ``est`` (``est``
    may be empty); ``totals`` is (T, R).  Returns quantiles of employment, of the focus
    :math:`E_{rc}/E_r` and of establishments, and the locational Gini coefficient with
    regions ordered by focus (the same order as by location quotient).
    """
    n_cols = n_c * n_t
    has_est = est.size == emp.size
    offsets, order = _group_by_column(flat, emp, n_cols)
    grand = np.zeros(n_t)
    for t in range(n_t):
        for r in range(totals.shape[1]):
            grand[t] += totals[t, r]
    out_e = np.full((n_cols, quantiles_e.size), np.nan)
    out_f = np.full((n_cols, quantiles_focus.size), np.nan)
    out_s = np.full((n_cols, quantiles_est.size), np.nan)
    gini = np.full(n_cols, np.nan)
    for col in prange(n_cols):
        start = offsets[col]
        count = offsets[col + 1] - start
        t = col % n_t
        if count == 0 or grand[t] <= 0.0:
            continue
        vals = np.empty(count)
        focus = np.empty(count)
        xs = np.empty(count)
        ests = np.empty(count)
        total = 0.0
        for k in range(count):
            f = flat[order[start + k]]
            r = f // n_cols
            v = emp[f]
            er = totals[t, r]
            vals[k] = v
            focus[k] = v / er if er > 0 else np.inf
            xs[k] = er / grand[t]
            ests[k] = est[f] if has_est else 0.0
            total += v
        # ties in focus contribute equally in any order, so an unstable sort is fine
        idx = np.argsort(focus)
        cum = 0.0
        acc = 0.0
        for k in range(count):
            share = vals[idx[k]] / total
            acc += xs[idx[k]] * (2.0 * cum + share)
            cum += share
        gini[col] = 1.0 - acc
        sorted_focus = focus[idx]
        for q in range(quantiles_e.size):
            out_e[col, q] = _quantile_select(vals, quantiles_e[q])
        for q in range(quantiles_focus.size):
            out_f[col, q] = _quantile_sorted(sorted_focus, count, quantiles_focus[q])
        if has_est:
            for q in range(quantiles_est.size):
                out_s[col, q] = _quantile_select(ests, quantiles_est[q])
    return out_e, out_f, out_s, gini
