"""Sum rows into dense (region, category, year) cells in one pass (numba, cached).

Region-major order matches the usual sort order of panel files, so writes are
nearly sequential."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["aggregate_rows", "first_duplicate", "sum_by_region_year"]


@njit(cache=True)
def aggregate_rows(
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
    n_r: int,
) -> tuple:  # type: ignore[type-arg]
    size = n_r * n_c * n_t
    emp = np.zeros(size)
    present = np.zeros(size, np.bool_)
    known = np.zeros(size, np.bool_)
    sup = np.zeros(size, np.int32)
    has_est = establishments.size == region_idx.size
    has_wages = wages.size == region_idx.size
    est = np.zeros(size if has_est else 0)
    wag = np.zeros(size if has_wages else 0)
    cat_totals = np.zeros((n_c, n_t))
    for k in range(region_idx.size):
        c = cat_of[industry_idx[k]]
        if c < 0 or region_idx[k] < 0:
            continue
        f = (region_idx[k] * n_c + c) * n_t + year_idx[k]
        present[f] = True
        # a row is either suppressed (counted, value missing) or known (summed); a
        # suppressed cell filled by an estimate arrives as known
        if suppressed[k]:
            sup[f] += 1
        else:
            known[f] = True
            emp[f] += employment[k]
            cat_totals[c, year_idx[k]] += employment[k]
        if has_est and not np.isnan(establishments[k]):
            est[f] += establishments[k]
        if has_wages and not np.isnan(wages[k]):
            wag[f] += wages[k]
    for f in range(size):
        if present[f] and not known[f]:
            emp[f] = np.nan
    return emp, present, sup, est, wag, cat_totals


@njit(cache=True)
def sum_by_region_year(
    region_idx: np.ndarray, year_idx: np.ndarray, values: np.ndarray, mask: np.ndarray,
    n_t: int, n_r: int,
) -> np.ndarray:
    out = np.zeros((n_t, n_r))
    for k in range(region_idx.size):
        if mask[k] and region_idx[k] >= 0:
            v = values[k]
            if not np.isnan(v):
                out[year_idx[k], region_idx[k]] += v
    return out


@njit(cache=True)
def first_duplicate(region_idx: np.ndarray, industry_idx: np.ndarray, year_idx: np.ndarray,
                    n_i: int, n_t: int, weights: np.ndarray) -> int:
    """Index of the first row whose (region, industry, year) key was seen before (or
    whose aggregated row count exceeds 1); -1 when keys are unique.  A bitmap of one
    bit per possible key keeps this cache-friendly."""
    n_keys = (int(region_idx.max()) + 1) * n_i * n_t if region_idx.size else 0
    seen = np.zeros(n_keys // 8 + 1, np.uint8)
    has_w = weights.size == region_idx.size
    for k in range(region_idx.size):
        key = (region_idx[k] * n_i + industry_idx[k]) * n_t + year_idx[k]
        byte = key >> 3
        bit = np.uint8(1 << (key & 7))
        if (seen[byte] & bit) or (has_w and weights[k] > 1):
            return k
        seen[byte] |= bit
    return -1
