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

__all__ = ["location_quotient", "share_of_category", "share_of_region"]


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
