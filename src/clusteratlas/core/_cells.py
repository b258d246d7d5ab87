"""Fused per-cell kernels of the mapping pipeline (numba, cached on disk).

One pass over the present cells, shared out among threads, computes every cell
indicator (in chunks, so that a writer can start on the first rows); a second pass
sums the per-region summaries on one thread and the per-category summaries on
another.  The formulas are those of
:mod:`clusteratlas.core.concentration`, which documents them and serves as the
reference in the tests.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numba import njit

from clusteratlas.core._aggregate import sums_in_order
from clusteratlas.core._jit import light_cache_loads, light_compiles
from clusteratlas.core._threads import n_threads, run_ranges

light_cache_loads()  # before any kernel is loaded from the cache
light_compiles(__name__)

__all__ = ["cell_arrays", "cell_indicators", "detail_columns", "summaries"]


def cell_arrays(size: int, has_est: bool) -> tuple:  # type: ignore[type-arg]
    """Output arrays of :func:`cell_indicators` for ``size`` rows: region, category and
    year indices, (6, size) values (focus, concentration, LQ, CAGR, LQ change, change),
    (6, size) flags (size, specialisation and focus star, strong, strong at the 90th
    percentile, positive), employment, establishments, suppressed rows."""
    # the columns that only explain a result (region total, the employment span years
    # before, relative change, thresholds) are computed on demand by detail_columns
    return (np.empty(size, np.int32), np.empty(size, np.int32), np.empty(size, np.int32),
            np.empty((6, size)), np.empty((6, size), np.bool_), np.empty(size),
            np.empty(size if has_est else 0), np.empty(size, np.int32))


def cell_indicators(
    flat: np.ndarray,
    emp: np.ndarray,
    est: np.ndarray,
    sup: np.ndarray,
    totals: np.ndarray,
    cat_totals: np.ndarray,
    ref_share: np.ndarray,
    stat_e: np.ndarray,
    stat_f: np.ndarray,
    stat_s: np.ndarray,
    observed: np.ndarray,
    n_c: int,
    n_t: int,
    span: int,
    star_min_lq: float,
    strong_min_lq: float,
) -> Callable[[int, int, tuple, int], None]:  # type: ignore[type-arg]
    """The function computing every indicator of the present cells ``flat[first:stop]``
    into arrays of :func:`cell_arrays` (cell ``k`` at position ``k - offset``), shared
    out among threads; rows may be computed in any order, each alone."""
    args = (flat, emp, est, sup, totals, cat_totals, ref_share, stat_e, stat_f, stat_s,
            observed, n_c, n_t, span, float(star_min_lq), float(strong_min_lq))
    n = flat.size

    def compute(first: int, stop: int, arrays: tuple, offset: int) -> None:  # type: ignore[type-arg]
        parts = max(1, min(n_threads(), stop - first))
        run_ranges(_cells, n, *args, offset, *arrays,
                   bounds=[first + (stop - first) * i // parts for i in range(parts + 1)])

    return compute


@njit(cache=True, nogil=True)
def _cells(
    first: int,
    stop: int,
    flat: np.ndarray,
    emp: np.ndarray,
    est: np.ndarray,
    sup: np.ndarray,
    totals: np.ndarray,
    cat_totals: np.ndarray,
    ref_share: np.ndarray,
    stat_e: np.ndarray,
    stat_f: np.ndarray,
    stat_s: np.ndarray,
    observed: np.ndarray,
    n_c: int,
    n_t: int,
    span: int,
    star_min_lq: float,
    strong_min_lq: float,
    offset: int,
    r_idx: np.ndarray,
    c_idx: np.ndarray,
    t_idx: np.ndarray,
    out: np.ndarray,
    flags: np.ndarray,
    e_out: np.ndarray,
    est_out: np.ndarray,
    sup_out: np.ndarray,
) -> None:
    # cell k goes to position k - offset of the output arrays (a block of the rows)
    has_est = est.size == emp.size
    for k in range(first, stop):
        f = flat[k]
        r = f // (n_c * n_t)
        rem = f - r * n_c * n_t
        c = rem // n_t
        t = rem - c * n_t
        r_idx[k - offset] = r
        c_idx[k - offset] = c
        t_idx[k - offset] = t
        col = c * n_t + t
        e = emp[f]
        er = totals[t, r]
        ec = cat_totals[c, t]
        rs = ref_share[c, t]
        focus = e / er if er > 0 else np.nan
        conc = e / ec if ec > 0 else np.nan
        lq = focus / rs if rs > 0 else np.nan
        # a year missing from the panel is unknown, not zero employment
        if t >= span and observed[t - span, r]:
            fp = f - span
            ep = emp[fp]
            erp = totals[t - span, r]
            rsp = ref_share[c, t - span]
            lqp = (ep / erp) / rsp if (erp > 0 and rsp > 0) else np.nan
            cagr = (e / ep) ** (1.0 / span) - 1.0 if ep > 0 else np.nan
        else:
            ep = np.nan
            lqp = np.nan
            cagr = np.nan
        positive = e > 0
        size_thr = stat_e[col, 0]
        star_size = positive and e >= size_thr
        star_spec = positive and lq >= star_min_lq
        star_focus = positive and focus >= stat_f[col, 0]
        base = positive and lq >= strong_min_lq and e > stat_e[col, 1]
        if has_est:
            base = base and est[f] > stat_s[col, 0]
        strong = base and focus >= stat_f[col, 1]
        strong90 = base and focus >= stat_f[col, 2]
        out[0, k - offset] = focus
        out[1, k - offset] = conc
        out[2, k - offset] = lq
        out[3, k - offset] = cagr
        out[4, k - offset] = lq - lqp
        out[5, k - offset] = e - ep
        e_out[k - offset] = e
        sup_out[k - offset] = sup[f] if sup.size else 0
        if has_est:
            est_out[k - offset] = est[f]
        flags[0, k - offset] = star_size
        flags[1, k - offset] = star_spec
        flags[2, k - offset] = star_focus
        flags[3, k - offset] = strong
        flags[4, k - offset] = strong90
        flags[5, k - offset] = positive


def detail_columns(flat: np.ndarray, emp: np.ndarray, totals: np.ndarray,
                   ref_share: np.ndarray, stat_e: np.ndarray, stat_f: np.ndarray,
                   observed: np.ndarray, r_idx: np.ndarray, c_idx: np.ndarray,
                   t_idx: np.ndarray, n_t: int, span: int) -> dict[str, np.ndarray]:
    """The explanatory cell columns, with the arithmetic of :func:`_cells` (same bits):
    region total, employment ``span`` years before, relative change, and the size
    and strong-LQ thresholds."""
    col = c_idx.astype(np.int64) * n_t + t_idx
    rs = ref_share[c_idx, t_idx]
    back = t_idx >= span
    back[back] = observed[t_idx[back] - span, r_idx[back]]
    ep = np.full(flat.size, np.nan)
    ep[back] = emp[flat[back] - span]
    e = emp[flat]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(ep > 0, e / ep - 1.0, np.nan)
        lq_thr = np.where(rs > 0, stat_f[col, 1] / rs, np.nan)
    return {"region_total": totals[t_idx, r_idx], "employment_before": ep,
            "employment_change_pct": pct, "size_threshold": stat_e[col, 0],
            "lq_threshold_strong": lq_thr}


def summaries(
    flat: np.ndarray,
    emp: np.ndarray,
    est: np.ndarray,
    totals: np.ndarray,
    cat_totals: np.ndarray,
    ref_share: np.ndarray,
    strong: np.ndarray,
    n_c: int,
    n_t: int,
    n_r: int,
) -> tuple:  # type: ignore[type-arg]
    """Region-year sums (Krugman, Herfindahl, strong clusters) and category-year sums
    (Hoover, EG raw concentration, establishments, regions with employment).

    A suppressed cell (NaN) leaves its term out of the region sums (the caller reports
    how many were left out); an absent cell is zero employment.  Krugman and
    Herfindahl are NaN for a region-year without employment."""
    out = (np.zeros((n_t, n_r)), np.zeros((n_t, n_r)), np.zeros((n_t, n_r)),
           np.zeros((n_t, n_r), np.int64), np.zeros((n_c, n_t)), np.zeros((n_c, n_t)),
           np.zeros((n_c, n_t)), np.zeros((n_c, n_t), np.int64), np.zeros(n_t))
    krugman, hhi, strong_emp, n_strong, hoover, g, plants, n_regions, sum_x2 = out
    grand = sums_in_order(totals, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = totals / grand[:, None]
    # the squared region shares summed where the year has employment, else 0
    sum_x2[:] = np.where(grand > 0, sums_in_order(x * x, axis=1), 0.0)
    # the reference shares the panel has (NaN: none; adding 0.0 instead leaves each
    # partial sum as it is, as none of them is -0.0)
    ref_sum = sums_in_order(np.where(np.isnan(ref_share), 0.0, ref_share), axis=0)
    # the region sums and the category sums read the same cells into different
    # accumulators: one thread each (part 0 and part 1 of the same kernel)
    run_ranges(_summaries, 2, flat, emp, est, totals, cat_totals, ref_share, strong, n_c, n_t,
               n_r, grand, ref_sum, krugman, hhi, strong_emp, n_strong, hoover, g, plants,
               n_regions, sum_x2, per_thread=1)
    return out


@njit(cache=True, nogil=True)
def _summaries(
    first: int,
    stop: int,
    flat: np.ndarray,
    emp: np.ndarray,
    est: np.ndarray,
    totals: np.ndarray,
    cat_totals: np.ndarray,
    ref_share: np.ndarray,
    strong: np.ndarray,
    n_c: int,
    n_t: int,
    n_r: int,
    grand: np.ndarray,
    ref_sum: np.ndarray,
    krugman: np.ndarray,
    hhi: np.ndarray,
    strong_emp: np.ndarray,
    n_strong: np.ndarray,
    hoover: np.ndarray,
    g: np.ndarray,
    plants: np.ndarray,
    n_regions: np.ndarray,
    sum_x2: np.ndarray,
) -> None:
    """Part 0: the region-year sums; part 1: the category-year sums (``first..stop``
    names the parts; one call may do both)."""
    regions = first <= 0 < stop
    categories = first <= 1 < stop
    has_est = est.size == emp.size
    for k in range(flat.size):
        f = flat[k]
        r = f // (n_c * n_t)
        rem = f - r * n_c * n_t
        c = rem // n_t
        t = rem - c * n_t
        e = emp[f]
        er = totals[t, r]
        if regions:
            rs = ref_share[c, t]
            if np.isnan(rs):
                rs = 0.0
            if np.isnan(e):
                # unknown term: cancel the |0 - rs| that ref_sum adds for every category
                krugman[t, r] -= rs
            else:
                focus = e / er if er > 0 else 0.0
                krugman[t, r] += abs(focus - rs) - rs
                hhi[t, r] += focus * focus
            if strong[k]:
                strong_emp[t, r] += 0.0 if np.isnan(e) else e
                n_strong[t, r] += 1
        if categories:
            if np.isnan(e):
                e = 0.0
            ec = cat_totals[c, t]
            if grand[t] > 0 and ec > 0:
                s = e / ec
                x = er / grand[t]
                hoover[c, t] += abs(s - x) - x
                g[c, t] += (s - x) * (s - x) - x * x
            if e > 0:
                n_regions[c, t] += 1
            if has_est:
                plants[c, t] += est[f]
    if regions:
        for t in range(n_t):
            for r in range(n_r):
                if totals[t, r] > 0:
                    krugman[t, r] += ref_sum[t]
                else:  # no employment: no shares to compare
                    krugman[t, r] = np.nan
                    hhi[t, r] = np.nan
    if categories:
        for c in range(n_c):
            for t in range(n_t):
                if cat_totals[c, t] > 0 and grand[t] > 0:
                    hoover[c, t] = 0.5 * (hoover[c, t] + 1.0)
                    g[c, t] = g[c, t] + sum_x2[t]
                else:
                    hoover[c, t] = np.nan
                    g[c, t] = np.nan

