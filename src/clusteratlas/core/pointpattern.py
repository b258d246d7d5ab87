"""Distance-based concentration of firm locations: the Duranton–Overman K-density with
local and global confidence bands, and the Marcon–Puech M function.

All pair distances of an industry are binned into a fine histogram in one parallel pass
(:mod:`clusteratlas.core._pairs`); the Gaussian kernel is applied to the histogram
afterwards, which is what makes thousands of simulations affordable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from clusteratlas.core._jit import light_cache_loads
from clusteratlas.core._pairs import pair_histogram
from clusteratlas.core.geodesy import EARTH_RADIUS_KM
from clusteratlas.errors import InputError

light_cache_loads()  # before any kernel is loaded from the cache

__all__ = ["KDensity", "k_density", "kd_exact", "silverman_bandwidth"]

F64 = NDArray[np.float64]
#: Bins per bandwidth.  With the kernel evaluated at bin centres the midpoint-rule
#: error is about (bin/h)²/24 of the kernel's curvature: 1/80 of h keeps the result
#: within 1e-3 (relative, max over the grid) of the exact kernel sum, checked in
#: ``tests/core/test_pointpattern.py``.
BINS_PER_BANDWIDTH = 80
#: The kernel is cut at 6 bandwidths (the Gaussian tail beyond is below 1e-8).
KERNEL_REACH = 6.0


def silverman_bandwidth(hist: F64, bin_width: float) -> float:
    r"""Silverman's rule of thumb from a histogram of distances:
    :math:`h = 0.9\,\min(\hat\sigma, \mathrm{IQR}/1.34)\,m^{-1/5}` (R's ``bw.nrd0``),
    with :math:`m` the (weighted) number of pairs, moments and quartiles taken from
    the bins.

    References
    ----------
    Silverman, B. W. (1986). *Density Estimation for Statistics and Data Analysis*,
    eq. 3.31. Chapman & Hall.
    """
    m = float(hist.sum())
    if m <= 0:
        raise InputError("no pair of sites lies within d_max; increase d_max")
    centres = (np.arange(hist.size) + 0.5) * bin_width
    mean = float((hist * centres).sum() / m)
    var = float((hist * (centres - mean) ** 2).sum() / m) + bin_width**2 / 12.0
    cum = np.cumsum(hist) / m
    q1 = float(np.interp(0.25, cum, centres + bin_width / 2))
    q3 = float(np.interp(0.75, cum, centres + bin_width / 2))
    spread = min(np.sqrt(var), (q3 - q1) / 1.34) or np.sqrt(var)
    return float(0.9 * spread * m ** (-0.2))


def _kernel_matrix(n_bins: int, bin_width: float, grid: F64, h: float) -> F64:
    r"""(n_grid, n_bins) Gaussian kernel with reflection at zero, evaluated at the bin
    centres :math:`m_b`: :math:`[\phi((d - m_b)/h) + \phi((d + m_b)/h)] / h`.  The same
    for the observed pattern and every simulation, so it is built once."""
    centres = (np.arange(n_bins) + 0.5) * bin_width
    z1 = (grid[:, None] - centres[None, :]) / h
    z2 = (grid[:, None] + centres[None, :]) / h
    out: F64 = (np.exp(-0.5 * z1 * z1) + np.exp(-0.5 * z2 * z2)) / (np.sqrt(2.0 * np.pi) * h)
    return out


@njit(cache=True)
def _apply_kernel(kernel_t: np.ndarray, hist: np.ndarray) -> np.ndarray:
    # kernel_t is (n_bins, n_grid): the inner loop runs along contiguous memory
    out = np.zeros(kernel_t.shape[1])
    for b in range(hist.size):
        c = hist[b]
        if c != 0.0:
            row = kernel_t[b]
            for g in range(row.size):
                out[g] += row[g] * c
    return out


def _total_pair_weight(weights: F64 | None, n: int) -> float:
    """Sum of w_i w_j over all unordered pairs (n(n-1)/2 without weights)."""
    if weights is None:
        return n * (n - 1) / 2.0
    s = float(weights.sum())
    return (s * s - float((weights**2).sum())) / 2.0


@dataclass(frozen=True)
class KDensity:
    """K-density of one industry with its counterfactual bands.

    Attributes
    ----------
    distance, kd
        Grid (km) and :math:`\\hat K(d)` of the observed sites.
    local_lo, local_hi
        5 % and 95 % pointwise quantiles of the simulations.
    global_lo, global_hi
        Bands that only 5 % of the simulations leave anywhere on [0, d_max]
        (Duranton & Overman 2005, section 4).
    gamma, psi
        Localisation :math:`\\Gamma = \\sum_d \\max(\\hat K - \\bar K, 0)` and
        dispersion :math:`\\Psi = \\sum_d \\max(\\underline K - \\hat K, 0)` (only
        when :math:`\\Gamma = 0`), on the grid, multiplied by the grid step.
    verdict
        ``localised``, ``dispersed`` or ``neither``.
    """

    distance: F64
    kd: F64
    local_lo: F64
    local_hi: F64
    global_lo: F64
    global_hi: F64
    gamma: float
    psi: float
    verdict: str
    bandwidth: float
    n_sites: int
    n_simulations: int
    simulations: F64 | None = None
    m: F64 | None = None


def _global_band(sims: F64, upper: bool, level: float = 0.05) -> F64:
    """The pointwise band at the quantile that only ``level`` of the simulations cross
    anywhere (Duranton & Overman 2005): the quantile is found by bisection."""
    ordered = np.sort(sims, axis=0)
    n = sims.shape[0]
    allowed = int(np.floor(level * n))

    def band(q: float) -> F64:
        pos = q * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        out: F64 = ordered[lo] + (pos - lo) * (ordered[hi] - ordered[lo])
        return out

    def crossing(q: float) -> int:
        b = band(q)
        hit = (sims > b).any(axis=1) if upper else (sims < b).any(axis=1)
        return int(hit.sum())

    lo_q, hi_q = (1.0 - level, 1.0) if upper else (level, 0.0)
    if crossing(lo_q) <= allowed:
        return band(lo_q)
    for _ in range(40):  # bisection between a level that fails and one that holds
        mid = (lo_q + hi_q) / 2
        if crossing(mid) <= allowed:
            hi_q = mid
        else:
            lo_q = mid
    return band(hi_q)


def k_density(
    coords: ArrayLike,
    industry: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    dmax: float = 100.0,
    n_grid: int = 101,
    simulations: int = 99,
    seed: int = 1,
    bandwidth: float | None = None,
    spherical: bool = False,
    keep_simulations: bool = False,
    histogram: Callable[..., F64] = pair_histogram,
) -> KDensity:
    r"""Duranton–Overman K-density of one industry against all sites.

    .. math::

        \hat K(d) = \frac{1}{h \sum_{i<j} w_i w_j} \sum_{i<j} w_i w_j
        \left[f\!\left(\frac{d-d_{ij}}{h}\right) + f\!\left(\frac{d+d_{ij}}{h}\right)\right]

    with a Gaussian :math:`f`, reflection at zero, :math:`w \equiv 1` unweighted.
    Counterfactuals redraw the industry's *n* sites without replacement from all *N*
    sites (weights travel with their sites), seeded by ``seed``.

    Parameters
    ----------
    coords
        (N, 2) all sites: x, y in km, or lon, lat in degrees with ``spherical``.
    industry
        (N,) boolean mask of the industry's sites.
    weights
        (N,) employment for the weighted version; None for the unweighted one.
    dmax, n_grid
        The grid 0..d_max (km) with ``n_grid`` points.
    simulations
        Number of counterfactual draws (999 in DO 2005).
    bandwidth
        Kernel bandwidth in km; default Silverman's rule on the observed pair
        distances below d_max, used for the simulations too.
    histogram
        The pair-histogram implementation (CPU by default; the GPU back end
        passes its own with the same signature and results).  One that also has
        ``submit_subset(coords, weights, idx, ...)``, the histogram of
        ``coords[idx]`` returned as a function that waits for it, is run one
        simulation ahead, so that drawing and smoothing overlap with binning.

    References
    ----------
    Duranton, G. and Overman, H. G. (2005). Testing for localization using
    micro-geographic data. *Review of Economic Studies* 72(4), 1077–1106.
    doi:10.1111/0034-6527.00362
    """
    xy = np.asarray(coords, dtype=float)
    mask = np.asarray(industry, dtype=bool)
    if xy.ndim != 2 or xy.shape[1] != 2 or len(mask) != len(xy):
        raise InputError("coords must be (N, 2) and industry a length-N mask")
    if not np.isfinite(xy).all():
        raise InputError("coordinates must be finite numbers")
    n = int(mask.sum())
    if n < 2:
        raise InputError(f"the industry has {n} site(s); the K-density needs at least 2")
    if dmax <= 0 or n_grid < 2:
        raise InputError("dmax must be positive and n_grid at least 2")
    w_all = None if weights is None else np.asarray(weights, dtype=float)
    if w_all is not None and (np.isnan(w_all).any() or (w_all < 0).any()):
        raise InputError("weights must be non-negative numbers")
    grid = np.linspace(0.0, dmax, n_grid)

    # a back end that can work while the CPU draws the next simulation offers
    # submit_subset(); it is handed all sites once and then only the drawn indices
    submit = getattr(histogram, "submit_subset", None)

    def start(idx: NDArray[np.intp], h: float) -> Callable[[], F64]:
        kw = {"cutoff": dmax + KERNEL_REACH * h, "bin_width": h / BINS_PER_BANDWIDTH,
              "spherical": spherical}
        if submit is not None:
            job: Callable[[], F64] = submit(xy, w_all, idx, **kw)
            return job
        done = histogram(xy[idx], None if w_all is None else w_all[idx], **kw)
        return lambda: done

    observed = np.flatnonzero(mask)
    kernel: list[F64] = []

    def smooth(hist: F64, bin_width: float, total_weight: float) -> F64:
        if not kernel:
            kernel.append(np.ascontiguousarray(_kernel_matrix(hist.size, bin_width, grid, h).T))
        # a plain loop, not BLAS: OpenBLAS worker threads spinning after a matrix
        # product steal the cores the next pair histogram needs
        out: F64 = _apply_kernel(kernel[0], hist) / total_weight
        return out

    if bandwidth is None:
        coarse_bw = dmax / 2000.0
        # the bandwidth describes the distances, so pairs count once whatever the weights
        coarse = histogram(xy[observed], None, cutoff=dmax, bin_width=coarse_bw,
                           spherical=spherical)
        bandwidth = silverman_bandwidth(coarse, coarse_bw)
    h = float(bandwidth)
    bw = h / BINS_PER_BANDWIDTH
    kd = smooth(start(observed, h)(), bw,
                _total_pair_weight(None if w_all is None else w_all[observed], n))
    rng = np.random.default_rng(seed)
    sims = np.empty((simulations, n_grid))
    pending: tuple[int, Callable[[], F64], float] | None = None
    for s in range(simulations + 1):
        if s < simulations:
            idx = np.sort(rng.choice(len(xy), size=n, replace=False))
            job = start(idx, h)
        if pending is not None:
            # smooth the previous simulation while the back end bins this one
            k, previous, total = pending
            sims[k] = smooth(previous(), bw, total)
        if s < simulations:
            pending = (s, job, _total_pair_weight(None if w_all is None else w_all[idx], n))
    local_lo = np.quantile(sims, 0.05, axis=0)
    local_hi = np.quantile(sims, 0.95, axis=0)
    global_hi = _global_band(sims, upper=True)
    global_lo = _global_band(sims, upper=False)
    step = grid[1] - grid[0]
    gamma = float(np.clip(kd - global_hi, 0, None).sum() * step)
    psi = float(np.clip(global_lo - kd, 0, None).sum() * step) if gamma == 0 else 0.0
    verdict = "localised" if gamma > 0 else ("dispersed" if psi > 0 else "neither")
    return KDensity(distance=grid, kd=kd, local_lo=local_lo, local_hi=local_hi,
                    global_lo=global_lo, global_hi=global_hi, gamma=gamma, psi=psi,
                    verdict=verdict, bandwidth=h, n_sites=n, n_simulations=simulations,
                    simulations=sims if keep_simulations else None)


def kd_exact(coords: ArrayLike, grid: ArrayLike, h: float, weights: ArrayLike | None = None,
             ) -> F64:
    """The K-density by summing the kernel over every pair in float64 (the reference
    the binned estimate is tested against; O(n²) memory, for small n)."""
    xy = np.asarray(coords, dtype=float)
    g = np.asarray(grid, dtype=float)
    diff = xy[:, None, :] - xy[None, :, :]
    d = np.sqrt((diff**2).sum(axis=2))
    iu = np.triu_indices(len(xy), 1)
    dij = d[iu]
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    wij = (w[:, None] * w[None, :])[iu]
    z1 = (g[:, None] - dij[None, :]) / h
    z2 = (g[:, None] + dij[None, :]) / h
    phi = (np.exp(-0.5 * z1**2) + np.exp(-0.5 * z2**2)) / np.sqrt(2 * np.pi)
    out: F64 = (phi @ wij) / (h * wij.sum())
    return out


def m_function(
    coords: ArrayLike,
    industry: ArrayLike,
    radii: ArrayLike,
    *,
    weights: ArrayLike | None = None,
    spherical: bool = False,
) -> F64:
    r"""Marcon–Puech M, the cumulative, relative alternative to the K-density.

    .. math::

        M(r) = \frac{\sum_{i \in S} \frac{\sum_{j \ne i,\, j\in S,\, d_{ij}\le r} w_j}
        {\sum_{j \ne i,\, d_{ij}\le r} w_j}}
        {\sum_{i \in S} \frac{W_S - w_i}{W - w_i}}

    with :math:`S` the industry's sites, :math:`W_S` their total weight and :math:`W`
    that of all sites.  :math:`M = 1` means the industry's neighbourhoods look like
    the whole economy's; above 1, relative concentration up to distance *r*.  Points
    whose neighbourhood within *r* is empty contribute 0 at that *r*.

    References
    ----------
    Marcon, E. and Puech, F. (2010). Measures of the geographic concentration of
    industries: improving distance-based methods. *Journal of Economic Geography*
    10(5), 745–762. doi:10.1093/jeg/lbp056
    """
    xy = np.asarray(coords, dtype=float)
    mask = np.asarray(industry, dtype=bool)
    r = np.sort(np.asarray(radii, dtype=float))
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    if mask.sum() < 2:
        raise InputError("the M function needs at least 2 sites of the industry")
    sites = np.flatnonzero(mask)
    total_all, total_s = w.sum(), w[mask].sum()
    numerator = np.zeros(r.size)
    for start in range(0, sites.size, 256):
        block = sites[start:start + 256]
        d = _distances(xy[block], xy, spherical)
        d[np.arange(block.size), block] = np.inf  # not its own neighbour
        within = d[:, :, None] <= r[None, None, :]
        near_all = (within * w[None, :, None]).sum(axis=1)
        near_s = (within * (w * mask)[None, :, None]).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            numerator += np.where(near_all > 0, near_s / near_all, 0.0).sum(axis=0)
    denominator = ((total_s - w[sites]) / (total_all - w[sites])).sum()
    out: F64 = numerator / denominator
    return out


def _distances(a: F64, b: F64, spherical: bool) -> F64:
    if not spherical:
        out: F64 = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
        return out
    lon1, lat1 = np.radians(a[:, 0])[:, None], np.radians(a[:, 1])[:, None]
    lon2, lat2 = np.radians(b[:, 0])[None, :], np.radians(b[:, 1])[None, :]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    out2: F64 = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
    return out2
