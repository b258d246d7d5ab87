"""Pair-distance histograms of point sets (numba, parallel, cached on disk).

The hot spot of the Duranton–Overman K-density: every pair of an industry's sites, for
the observed pattern and each simulation.  How it stays fast:

- sites are sorted along one axis and, for each site, only the run of later sites
  within the cut-off along that axis is visited (a binary search finds its end);
- inside that run a branch-free loop computes squared distances in float32 and
  compacts the hits into a buffer, which the compiler vectorises; a second loop
  turns hits into bin indices and a third adds them to the worker's own histogram
  row, so there are neither mispredicted branches per pair nor atomics;
- great-circle distances use points on a sphere of the Earth's radius, centred on
  their mean to keep float32 precise, and the chord ↔ arc relation.

float32 distances move a pair across a bin edge only when it lies within ~1e-7 of the
edge; the K-density changes by far less than the 1e-3 the tests allow.
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange

from clusteratlas.core._jit import light_cache_loads
from clusteratlas.core.geodesy import EARTH_RADIUS_KM

light_cache_loads()  # before any kernel is loaded from the cache

__all__ = ["pair_histogram"]


@njit(cache=True, parallel=True, fastmath=True, error_model="numpy")
def _histogram(a: np.ndarray, b: np.ndarray, c: np.ndarray, w: np.ndarray, ends: np.ndarray,
               chord2: float, bin_width: float, n_bins: int, spherical: bool,
               n_chunks: int) -> np.ndarray:
    n = a.size
    weighted = w.size == n
    inv = np.float32(1.0 / bin_width)
    limit = np.float32(chord2)
    two_r = np.float32(2.0 * EARTH_RADIUS_KM)
    hist = np.zeros((n_chunks, n_bins + 1))
    for chunk in prange(n_chunks):
        row = hist[chunk]
        dist2 = np.empty(n, np.float32)
        other = np.empty(n, np.float64)
        bins = np.empty(n, np.int32)
        for i in range(chunk, n, n_chunks):
            ai = a[i]
            bi = b[i]
            ci = c[i] if spherical else np.float32(0.0)
            start = i + 1
            m = ends[i] - start
            hits = 0
            for t in range(m):
                dx = a[start + t] - ai
                dy = b[start + t] - bi
                d2 = dx * dx + dy * dy
                if spherical:
                    dz = c[start + t] - ci
                    d2 += dz * dz
                dist2[hits] = d2
                if weighted:
                    other[hits] = w[start + t]
                hits += d2 < limit
            if spherical:
                for t in range(hits):
                    half = np.sqrt(dist2[t]) / two_r
                    bins[t] = np.int32(two_r * np.arcsin(min(half, np.float32(1.0))) * inv)
            else:
                for t in range(hits):
                    bins[t] = np.int32(np.sqrt(dist2[t]) * inv)
            if weighted:
                wi = w[i]
                for t in range(hits):
                    row[min(bins[t], n_bins)] += wi * other[t]
            else:
                for t in range(hits):
                    row[min(bins[t], n_bins)] += 1.0
    out = hist.sum(axis=0)
    return out[:n_bins]


@njit(cache=True, parallel=True, fastmath=True, error_model="numpy")
def _histogram_planar(a: np.ndarray, b: np.ndarray, w: np.ndarray, ends: np.ndarray,
                      cutoff2: float, bin_width: float, n_bins: int,
                      n_chunks: int) -> np.ndarray:
    """The planar case with the loops free of every branch but the hit test, so that
    the compiler vectorises the distance loop (the common case, kept separate)."""
    n = a.size
    weighted = w.size == n
    inv = np.float32(1.0 / bin_width)
    limit = np.float32(cutoff2)
    hist = np.zeros((n_chunks, n_bins + 1))
    wf = w.astype(np.float32) if weighted else np.ones(n, np.float32)
    for chunk in prange(n_chunks):
        row = hist[chunk]
        dist2 = np.empty(n, np.float32)
        other = np.empty(n, np.float32)
        bins = np.empty(n, np.int32)
        for i in range(chunk, n, n_chunks):
            ai = a[i]
            bi = b[i]
            start = i + 1
            m = ends[i] - start
            hits = 0
            for t in range(m):
                dx = a[start + t] - ai
                dy = b[start + t] - bi
                d2 = dx * dx + dy * dy
                dist2[hits] = d2
                other[hits] = wf[start + t]
                hits += d2 < limit
            for t in range(hits):
                bins[t] = min(np.int32(np.sqrt(dist2[t]) * inv), n_bins)
            wi = np.float64(wf[i])
            for t in range(hits):
                row[bins[t]] += wi * other[t]
    out = hist.sum(axis=0)
    return out[:n_bins]


def pair_histogram(
    coords: np.ndarray,
    weights: np.ndarray | None,
    *,
    cutoff: float,
    bin_width: float,
    spherical: bool,
) -> np.ndarray:
    """Histogram (bins of ``bin_width`` from 0 to ``cutoff``) of all pair distances.

    Parameters
    ----------
    coords
        (n, 2): projected x, y in km, or lon, lat in degrees when ``spherical``.
    weights
        (n,) site weights (employment) or None for counts.

    Returns
    -------
    hist
        Weighted pair counts per bin (each unordered pair once).
    """
    n_bins = int(np.ceil(cutoff / bin_width))
    w = np.zeros(0) if weights is None else np.asarray(weights, dtype=np.float64)
    if spherical:
        lon = np.radians(coords[:, 0])
        lat = np.radians(coords[:, 1])
        xyz = EARTH_RADIUS_KM * np.column_stack(
            [np.sin(lat), np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon)])
        xyz -= xyz.mean(axis=0)
        # the chord between two points is at least their gap along the first axis
        chord = 2.0 * EARTH_RADIUS_KM * np.sin(min(cutoff / (2.0 * EARTH_RADIUS_KM), np.pi / 2))
        order = np.argsort(xyz[:, 0], kind="stable")
        a, b, c = (np.ascontiguousarray(xyz[order, k], dtype=np.float32) for k in range(3))
    else:
        chord = float(cutoff)
        order = np.argsort(coords[:, 0], kind="stable")
        a = np.ascontiguousarray(coords[order, 0], dtype=np.float32)
        b = np.ascontiguousarray(coords[order, 1], dtype=np.float32)
        c = np.zeros(0, np.float32)
    ends = np.searchsorted(a, a + np.float32(chord), side="right").astype(np.int64)
    ww = w[order] if w.size else w
    chunks = max(1, 8 * get_num_threads())
    if not spherical:
        return _histogram_planar(a, b, ww, ends, chord * chord, float(bin_width), n_bins, chunks)
    return _histogram(a, b, c, ww, ends, chord * chord, float(bin_width), n_bins, spherical,
                      chunks)
