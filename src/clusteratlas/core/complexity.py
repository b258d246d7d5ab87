r"""Relatedness and economic complexity of regions × industries (pure, no I/O).

From an employment matrix :math:`E` (regions × industries):

- presence :math:`M_{ri} = 1` if :math:`RCA_{ri} = (E_{ri}/E_r)/(E_i/E) \ge 1`;
  diversity :math:`k_r = \sum_i M_{ri}`, ubiquity :math:`u_i = \sum_r M_{ri}`;
- proximity :math:`\phi_{ij} = \sum_r M_{ri} M_{rj} / \max(u_i, u_j)` (Hidalgo et al.
  2007), the diagonal set to 0 (this package's default, ``../shared/domain.md`` §4) or 1
  (``include_diagonal=True``, the convention of the ``ecomplexity`` package);
- density :math:`\omega_{ri} = \sum_j M_{rj}\phi_{ij} / \sum_j \phi_{ij}`;
- ECI and PCI from the eigenvector of the second largest eigenvalue of
  :math:`\tilde M_{ii'} = \sum_r M_{ri} M_{ri'} / (k_r u_i)`; ECI :math:`= D^{-1} M\,
  \mathrm{PCI}`; the sign makes ECI correlate positively with diversity; ECI is
  standardised (mean 0, population standard deviation 1) and PCI shifted and scaled by
  the same two numbers, so that a region's ECI stays the mean PCI of its industries
  (the normalisation of the Stata and Python ``ecomplexity`` packages);
- complexity outlook :math:`COI_r = \sum_i \omega_{ri}(1 - M_{ri})\,PCI_i` (standardised)
  and gain :math:`COG_{ri} = (1 - M_{ri}) \sum_j \frac{\phi_{ij}}{\sum_l \phi_{jl}}
  (1 - M_{rj})\,PCI_j` (Hausmann et al., *The Atlas of Economic Complexity*, 2014).

Regions without employment and industries without employment take no part (their
values are NaN), as do regions with no industry of RCA ≥ 1 and industries present in no
region (zero diversity or ubiquity would divide by zero).

Computation: :math:`\tilde M` is similar to the symmetric matrix
:math:`S = U^{-1/2} M^\top D^{-1} M U^{-1/2}`; its two leading eigenvectors come from a
symmetric eigensolver (``scipy.linalg.eigh`` with a subset), and all products are float
BLAS products — where ``ecomplexity`` multiplies integer matrices and decomposes a full
non-symmetric matrix.

References
----------
Hidalgo, C. A., Klinger, B., Barabási, A.-L. and Hausmann, R. (2007). The product space
conditions the development of nations. *Science* 317(5837), 482–487.
Hidalgo, C. A. and Hausmann, R. (2009). The building blocks of economic complexity.
*PNAS* 106(26), 10570–10575.
Hausmann, R., Hidalgo, C. A. et al. (2014). *The Atlas of Economic Complexity*. MIT Press.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from clusteratlas.errors import InputError

__all__ = ["Complexity", "complexity", "proximity"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class Complexity:
    """Relatedness and complexity of one year (arrays in the input's row/column order).

    Attributes
    ----------
    rca, mcp
        (R, I) revealed comparative advantage and presence (RCA ≥ threshold).
    diversity, ubiquity
        (R,) and (I,) counts of present industries / regions.
    proximity
        (I, I) industry proximity φ.
    density
        (R, I) relatedness density ω.
    eci, pci, coi
        (R,), (I,), (R,) complexity indices and complexity outlook (NaN where a region or
        industry takes no part).
    cog
        (R, I) complexity outlook gain (NaN for an industry without employment).
    """

    rca: F64
    mcp: NDArray[np.bool_]
    diversity: NDArray[np.int64]
    ubiquity: NDArray[np.int64]
    proximity: F64
    density: F64
    eci: F64
    pci: F64
    coi: F64
    cog: F64


def proximity(mcp: ArrayLike, *, include_diagonal: bool = False) -> F64:
    r""":math:`\phi_{ij} = \sum_r M_{ri}M_{rj} / \max(u_i, u_j)`; 0 where both
    ubiquities are 0; the diagonal 0, or 1 for present industries with
    ``include_diagonal``."""
    m = np.asarray(mcp, dtype=np.float32)
    # counts of co-presence are exact in float32 (below 2**24) and BLAS is fast
    co = (m.T @ m).astype(np.float64)
    u = np.diag(co).copy()
    denom = np.maximum(u[:, None], u[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(denom > 0, co / np.where(denom > 0, denom, 1.0), 0.0)
    np.fill_diagonal(phi, np.where(u > 0, 1.0, 0.0) if include_diagonal else 0.0)
    out: F64 = phi
    return out


def complexity(employment: ArrayLike, *, threshold: float = 1.0,
               include_diagonal: bool = False) -> Complexity:
    """Relatedness and complexity of one regions × industries employment matrix.

    Parameters
    ----------
    employment
        (R, I) non-negative values (missing as NaN, counted as 0).
    threshold
        RCA at or above which an industry counts as present in a region.
    include_diagonal
        Keep :math:`\\phi_{ii} = 1` in the proximity (and hence in density, COI, COG) as
        the ``ecomplexity`` package does; the default leaves it out.
    """
    e = np.nan_to_num(np.asarray(employment, dtype=np.float64), nan=0.0)
    if e.ndim != 2 or min(e.shape) < 2:
        raise InputError("complexity needs a regions × industries matrix with at least "
                         "2 rows and 2 columns")
    if (e < 0).any():
        raise InputError("employment must not be negative")
    rows, cols = e.sum(axis=1) > 0, e.sum(axis=0) > 0
    n_r, n_i = e.shape
    rca = np.full(e.shape, np.nan)
    sub = e[np.ix_(rows, cols)]
    with np.errstate(divide="ignore", invalid="ignore"):
        rca[np.ix_(rows, cols)] = (sub / sub.sum(axis=1, keepdims=True)) / (
            sub.sum(axis=0, keepdims=True) / sub.sum())
    mcp = np.nan_to_num(rca, nan=0.0) >= threshold
    diversity = mcp.sum(axis=1)
    ubiquity = mcp.sum(axis=0)
    phi = proximity(mcp, include_diagonal=include_diagonal)
    row_sum = phi.sum(axis=1)
    m = mcp.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = m @ (phi / np.where(row_sum > 0, row_sum, np.nan)[:, None]).T
    density[:, ~cols] = np.nan
    density[~rows, :] = np.nan

    eci = np.full(n_r, np.nan)
    pci = np.full(n_i, np.nan)
    vr, vi = diversity > 0, ubiquity > 0
    raw_eci, raw_pci = _eigen(m[np.ix_(vr, vi)], diversity[vr], ubiquity[vi])
    eci[vr], pci[vi] = raw_eci, raw_pci

    # COI and COG with the raw eigenvector, then scaled (as the Stata package does)
    pci0 = np.nan_to_num(pci)
    absent = 1.0 - m
    coi = np.nansum(np.nan_to_num(density) * absent * pci0, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = phi * (pci0 / np.where(row_sum > 0, row_sum, np.inf))[:, None]
    cog = absent * (absent @ weight)
    mean, std = np.nanmean(eci), np.nanstd(eci)
    if not np.isfinite(std) or std == 0:
        raise InputError("complexity: ECI does not vary (every region has the same mix)")
    pci = (pci - mean) / std
    eci = (eci - mean) / std
    cog = cog / std
    coi_valid = coi[vr]
    coi = np.where(vr, (coi - coi_valid.mean()) / coi_valid.std(), np.nan)
    cog[~vr, :] = np.nan
    cog[:, ~cols] = np.nan  # no region employs anyone there: no gain to speak of
    return Complexity(rca=rca, mcp=mcp, diversity=diversity, ubiquity=ubiquity,
                      proximity=phi, density=density, eci=eci, pci=pci, coi=coi, cog=cog)


# up to this many industries the full decomposition costs milliseconds; above it SciPy
# computes only the two eigenvectors needed
_FULL_EIGH = 600


def _eigen(m: F64, k: NDArray[np.int64], u: NDArray[np.int64]) -> tuple[F64, F64]:
    """Raw (unscaled, sign-fixed) ECI and PCI from the second eigenvector."""
    n = m.shape[1]
    if n < 2:
        raise InputError("complexity needs at least 2 industries present somewhere")
    su = 1.0 / np.sqrt(u.astype(np.float64))
    left = m * (1.0 / np.sqrt(k.astype(np.float64)))[:, None] * su[None, :]
    sym = left.T @ left  # U^-1/2 Mᵀ D^-1 M U^-1/2
    if n <= _FULL_EIGH:  # small: numpy's full decomposition, without importing SciPy
        second = np.linalg.eigh(sym)[1][:, n - 2]
    else:
        from scipy.linalg import eigh

        second = eigh(sym, subset_by_index=[n - 2, n - 1])[1][:, 0]
    kp = su * second  # back to an eigenvector of M̃ = U^-1 Mᵀ D^-1 M
    kc = (m @ kp) / k
    if np.ptp(kc) < 1e-12 * max(1.0, float(np.abs(kc).max())):
        raise InputError("complexity: ECI does not vary (every region has the same mix)")
    if np.ptp(k) > 0:
        sign = -1.0 if np.corrcoef(k, kc)[0, 1] < 0 else 1.0
    else:  # equal diversities: complex industries are the less ubiquitous ones
        sign = 1.0 if np.ptp(u) == 0 or np.corrcoef(u, kp)[0, 1] <= 0 else -1.0
    return sign * kc, sign * kp
