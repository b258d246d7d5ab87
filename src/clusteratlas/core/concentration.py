"""Location quotients and shares of regional employment.

Notation (``../docs/methods.md``): :math:`E_{ri}` employment of region *r* in
industry or category *i*, :math:`E_r` the region's total, :math:`E_i` the
reference area's employment in *i*, :math:`E` the reference area's total.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from clusteratlas.errors import DegenerateDataWarning, InputError

__all__ = [
    "coagglomeration",
    "ellison_glaeser",
    "herfindahl",
    "hoover_localisation",
    "krugman_specialisation",
    "location_quotient",
    "locational_gini",
    "share_of_category",
    "share_of_region",
]


def _matrix(employment: ArrayLike) -> NDArray[np.float64]:
    e = np.asarray(employment, dtype=np.float64)
    if e.ndim != 2:
        raise InputError(f"employment must be a (n_regions, n_industries) matrix, got shape {e.shape}")
    if np.any(e < 0):
        raise InputError("employment must not be negative")
    return e


def _divide(num: NDArray[np.float64], den: NDArray[np.float64], what: str) -> NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    bad = ~np.isfinite(out) & ~np.isnan(num)
    if np.any(bad):
        warnings.warn(
            f"{what} is undefined for {int(bad.sum())} cell(s) with a zero denominator; "
            "they are NaN",
            DegenerateDataWarning,
            stacklevel=3,
        )
        out = np.where(bad, np.nan, out)
    return out


def share_of_region(
    employment: ArrayLike, *, region_totals: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Industry share of each region's employment ("focus").

    .. math:: s_{ri} = E_{ri} / E_r

    Parameters
    ----------
    employment
        (n_regions, n_industries) employment; NaN marks a suppressed cell.
    region_totals
        (n_regions,) published totals :math:`E_r`.  Defaults to the row sums of the
        known cells, which understates :math:`E_r` when cells are suppressed.

    Examples
    --------
    >>> share_of_region([[30, 70], [50, 50]]).round(2).tolist()
    [[0.3, 0.7], [0.5, 0.5]]
    """
    e = _matrix(employment)
    er = np.nansum(e, axis=1) if region_totals is None else np.asarray(region_totals, float)
    return _divide(e, er[:, None], "share of region")


def share_of_category(
    employment: ArrayLike, *, industry_totals: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Each region's share of an industry's (or category's) reference employment.

    .. math:: c_{ri} = E_{ri} / E_i

    Examples
    --------
    >>> share_of_category([[30, 70], [10, 30]]).round(2).tolist()
    [[0.75, 0.7], [0.25, 0.3]]
    """
    e = _matrix(employment)
    ei = np.nansum(e, axis=0) if industry_totals is None else np.asarray(industry_totals, float)
    return _divide(e, ei[None, :], "share of category")


def location_quotient(
    employment: ArrayLike,
    *,
    region_totals: ArrayLike | None = None,
    industry_totals: ArrayLike | None = None,
    total: float | None = None,
) -> NDArray[np.float64]:
    r"""Location quotient of every region × industry cell.

    .. math:: LQ_{ri} = \frac{E_{ri} / E_r}{E_i / E}

    An LQ above 1 means the industry's share of the region's employment is larger
    than its share in the reference area.

    Parameters
    ----------
    employment
        (n_regions, n_industries) employment; NaN marks a suppressed cell, whose
        LQ is NaN as well.
    region_totals
        (n_regions,) :math:`E_r`; defaults to the row sums of the known cells.
        Pass published totals when categories do not cover every industry.
    industry_totals
        (n_industries,) :math:`E_i` of the reference area; defaults to the column
        sums, i.e. the regions given form the reference area.
    total
        :math:`E` of the reference area; defaults to the sum of ``region_totals``.

    Returns
    -------
    ndarray
        (n_regions, n_industries) location quotients; NaN where a denominator is
        zero (with a :class:`DegenerateDataWarning`) or the cell is suppressed.

    References
    ----------
    Isard, W. (1960). *Methods of Regional Analysis*. MIT Press.

    Examples
    --------
    Two regions of 100 employees each; region 0 holds 30 of the 40 jobs in
    industry 0, so :math:`LQ = (30/100)/(40/200) = 1.5`:

    >>> location_quotient([[30, 70], [10, 90]]).round(3).tolist()
    [[1.5, 0.875], [0.5, 1.125]]
    """
    e = _matrix(employment)
    er = np.nansum(e, axis=1) if region_totals is None else np.asarray(region_totals, float)
    ei = np.nansum(e, axis=0) if industry_totals is None else np.asarray(industry_totals, float)
    grand = float(np.nansum(er)) if total is None else float(total)
    if er.shape != (e.shape[0],) or ei.shape != (e.shape[1],):
        raise InputError(
            f"totals do not fit the {e.shape} matrix: region_totals {er.shape}, "
            f"industry_totals {ei.shape}"
        )
    focus = _divide(e, er[:, None], "location quotient")
    with np.errstate(divide="ignore", invalid="ignore"):
        reference = ei / grand if grand > 0 else np.full_like(ei, np.nan)
    return _divide(focus, np.broadcast_to(reference[None, :], e.shape), "location quotient")


def _shares_and_reference(
    employment: ArrayLike, region_totals: ArrayLike | None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(n_regions, n_industries) shares s_ri = E_ri / E_i and (n_regions,) x_r = E_r / E."""
    e = np.nan_to_num(_matrix(employment))
    er = e.sum(axis=1) if region_totals is None else np.asarray(region_totals, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = e / e.sum(axis=0, keepdims=True)
        x = er / er.sum()
    return s, x


def hoover_localisation(
    employment: ArrayLike, *, region_totals: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Hoover coefficient of localisation of every industry.

    .. math:: H_i = \tfrac12 \sum_r \left| \frac{E_{ri}}{E_i} - \frac{E_r}{E} \right|

    0 when the industry is spread like total employment, approaching 1 when it sits in
    one small region.  NaN for an industry without employment.

    References
    ----------
    Hoover, E. M. (1936). The measurement of industrial localization. *Review of
    Economics and Statistics* 18(4), 162–171. doi:10.2307/1927875

    Examples
    --------
    Region 0 holds a quarter of all jobs but half of industry 0 and none of industry 1:

    >>> hoover_localisation([[10, 0], [10, 20]]).round(3).tolist()
    [0.25, 0.25]
    """
    s, x = _shares_and_reference(employment, region_totals)
    out: NDArray[np.float64] = 0.5 * np.abs(s - x[:, None]).sum(axis=0)
    return out


def locational_gini(
    employment: ArrayLike, *, region_totals: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Locational Gini coefficient of every industry (Krugman 1991).

    Regions are ordered by their location quotient :math:`s_{ri}/x_r`; with
    cumulative shares :math:`X_k = \sum_{j\le k} x_{(j)}` of total employment and
    :math:`S_k = \sum_{j\le k} s_{(j)i}` of the industry,

    .. math:: G_i = 1 - \sum_k (X_k - X_{k-1})(S_k + S_{k-1})

    i.e. twice the area between the diagonal and the localisation curve.

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*. MIT Press, appendix D.

    Examples
    --------
    Evenly spread industry: 0; an industry in one of two equal regions: 0.5.

    >>> locational_gini([[10, 10, 0], [10, 0, 10]]).round(3).tolist()
    [0.0, 0.5, 0.5]
    """
    s, x = _shares_and_reference(employment, region_totals)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x[:, None] > 0, s / x[:, None], np.inf)
    order = np.argsort(ratio, axis=0, kind="stable")
    s_sorted = np.take_along_axis(s, order, axis=0)
    x_sorted = x[order]
    cum_s = np.cumsum(s_sorted, axis=0)
    prev_s = np.vstack([np.zeros((1, s.shape[1])), cum_s[:-1]])
    out: NDArray[np.float64] = 1.0 - (x_sorted * (cum_s + prev_s)).sum(axis=0)
    return out


def krugman_specialisation(
    employment: ArrayLike, *, region_totals: ArrayLike | None = None,
    industry_totals: ArrayLike | None = None,
) -> NDArray[np.float64]:
    r"""Krugman specialisation index of every region.

    .. math:: K_r = \sum_i \left| \frac{E_{ri}}{E_r} - \frac{E_i}{E} \right|

    0 for a region with the reference structure, up to 2.  The Hoover specialisation
    coefficient is :math:`K_r/2`.

    References
    ----------
    Krugman, P. (1991). *Geography and Trade*. MIT Press.

    Examples
    --------
    >>> krugman_specialisation([[30, 70], [10, 90]]).round(3).tolist()
    [0.2, 0.2]
    """
    e = np.nan_to_num(_matrix(employment))
    er = e.sum(axis=1) if region_totals is None else np.asarray(region_totals, float)
    ei = e.sum(axis=0) if industry_totals is None else np.asarray(industry_totals, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        focus = e / er[:, None]
        reference = ei / ei.sum() if industry_totals is None else ei / er.sum()
    out: NDArray[np.float64] = np.abs(focus - reference[None, :]).sum(axis=1)
    return out


def herfindahl(shares: ArrayLike, *, axis: int = -1) -> NDArray[np.float64]:
    r"""Herfindahl–Hirschman index :math:`\sum_k s_k^2` of shares along ``axis``.

    Applied to the industry shares of a region it measures concentration
    (1 = a single industry); :math:`1/HHI` is the "effective number" of industries.

    Examples
    --------
    >>> float(herfindahl([0.5, 0.5]))
    0.5
    """
    s = np.asarray(shares, dtype=float)
    out: NDArray[np.float64] = np.square(s).sum(axis=axis)
    return out


def ellison_glaeser(
    employment: ArrayLike,
    plant_herfindahl: ArrayLike,
    *,
    region_totals: ArrayLike | None = None,
) -> NDArray[np.float64]:
    r"""Ellison–Glaeser agglomeration index :math:`\gamma` of every industry.

    .. math::

        G_i = \sum_r (s_{ri} - x_r)^2, \qquad
        \gamma_i = \frac{G_i / (1 - \sum_r x_r^2) - H_i}{1 - H_i}

    with :math:`s_{ri} = E_{ri}/E_i`, :math:`x_r = E_r/E` and the plant Herfindahl
    :math:`H_i = \sum_k z_k^2` of the industry's plant employment shares.  Without
    plant sizes, :math:`H_i \approx 1/N_i` for :math:`N_i` equal-sized plants is the
    usual approximation (the callers flag it).  :math:`\gamma > 0` means more
    concentration than a "dartboard" of randomly located plants.

    References
    ----------
    Ellison, G. and Glaeser, E. L. (1997). Geographic concentration in U.S.
    manufacturing industries: a dartboard approach. *Journal of Political Economy*
    105(5), 889–927. doi:10.1086/262098

    Examples
    --------
    An industry spread exactly like total employment with 100 equal plants
    (H = 0.01) has G = 0, hence γ = −H/(1 − H):

    >>> ellison_glaeser([[50, 150], [50, 150]], [0.01, 0.01]).round(4).tolist()
    [-0.0101, -0.0101]
    """
    s, x = _shares_and_reference(employment, region_totals)
    h = np.asarray(plant_herfindahl, dtype=float)
    g = np.square(s - x[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out: NDArray[np.float64] = (g / (1.0 - np.square(x).sum()) - h) / (1.0 - h)
    return out


def coagglomeration(
    employment: ArrayLike, *, region_totals: ArrayLike | None = None
) -> NDArray[np.float64]:
    r"""Pairwise coagglomeration of industries (Ellison–Glaeser 1997, eq. 5, large-plant limit).

    .. math:: \gamma^c_{ij} = \frac{\sum_r (s_{ri} - x_r)(s_{rj} - x_r)}{1 - \sum_r x_r^2}

    Returns the (n_industries, n_industries) matrix; the diagonal is the raw
    concentration :math:`G_i / (1 - \sum x_r^2)` of each industry.

    Examples
    --------
    >>> coagglomeration([[10, 10], [0, 0], [0, 0], [0, 0]], region_totals=[10, 10, 10, 10]
    ...                 ).round(3).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    s, x = _shares_and_reference(employment, region_totals)
    d = s - x[:, None]
    out: NDArray[np.float64] = (d.T @ d) / (1.0 - np.square(x).sum())
    return out
