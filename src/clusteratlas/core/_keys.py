"""Repeated observation keys, found without numba.

A panel is checked for duplicate (region, industry, year) keys while it is read;
this module imports no numba, so the check runs while numba starts in another
thread (:func:`clusteratlas.service.mapping.map_file`)."""

from __future__ import annotations

import numpy as np

__all__ = ["first_duplicate"]


def first_duplicate(region_idx: np.ndarray, industry_idx: np.ndarray, year_idx: np.ndarray,
                    n_i: int, n_t: int, weights: np.ndarray) -> int:
    """Index of the first row whose (region, industry, year) key was seen before (or
    whose aggregated row count exceeds 1); -1 when keys are unique.

    Vectorised (a flag per possible key, or a sort where the keys are too many for
    that), so that it needs no compilation on a fresh install; the position of the
    duplicate is only looked for when there is one."""
    n = region_idx.size
    if n == 0:
        return -1
    n_keys = (int(region_idx.max()) + 1) * n_i * n_t
    # half the memory to write and read where the keys fit
    key: np.ndarray = region_idx.astype(np.int32 if n_keys < 2**31 else np.int64)
    key *= n_i
    key += industry_idx
    key *= n_t
    key += year_idx
    if n_keys <= max(1 << 27, 16 * n):
        seen = np.zeros(n_keys, np.bool_)
        seen[key] = True
        repeated = int(np.count_nonzero(seen)) < n
    else:
        repeated = np.unique(key).size < n
    heavy = np.flatnonzero(weights > 1) if weights.size == n else np.zeros(0, np.int64)
    if not repeated and not heavy.size:
        return -1
    first = int(heavy[0]) if heavy.size else n
    if repeated:
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        later = order[1:][sorted_keys[1:] == sorted_keys[:-1]]
        first = min(first, int(later.min()))
    return first
