"""Classic shift-share decomposition of regional employment change."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from clusteratlas.errors import InputError

__all__ = ["ShiftShare", "shift_share"]


@dataclass(frozen=True)
class ShiftShare:
    """Components of the change :math:`\\Delta E_{ri}` (arrays of shape (n_regions, n_industries)).

    ``national + industry_mix + competitive == change`` holds exactly.
    """

    change: NDArray[np.float64]
    national: NDArray[np.float64]
    industry_mix: NDArray[np.float64]
    competitive: NDArray[np.float64]


def shift_share(
    start: ArrayLike,
    end: ArrayLike,
    *,
    reference_start: ArrayLike | None = None,
    reference_end: ArrayLike | None = None,
) -> ShiftShare:
    r"""Decompose the change between two years into national, industry-mix and
    competitive (regional) effects.

    .. math::

        \Delta E_{ri} = \underbrace{E_{ri}\,g}_{\text{national}}
        + \underbrace{E_{ri}(g_i - g)}_{\text{industry mix}}
        + \underbrace{E_{ri}(g_{ri} - g_i)}_{\text{competitive}}

    with :math:`E_{ri}` the start-year employment, :math:`g` the growth rate of total
    reference employment, :math:`g_i` that of industry *i* in the reference area and
    :math:`g_{ri}` the region's own rate.  A positive competitive effect means the
    region's industry outgrew the industry's reference trend.

    Parameters
    ----------
    start, end
        (n_regions, n_industries) employment in the two years.
    reference_start, reference_end
        (n_industries,) reference employment (e.g. the nation); default: the column
        sums of ``start``/``end``.

    References
    ----------
    Dunn, E. S. (1960). A statistical and analytical technique for regional analysis.
    *Papers in Regional Science* 6(1), 97–112. doi:10.1111/j.1435-5597.1960.tb01705.x

    Examples
    --------
    Region 0 grows its industry by 50 % where the industry grew by 25 % overall and
    the whole economy by 5 %:

    >>> ss = shift_share([[100.0, 100.0], [100.0, 100.0]], [[150.0, 100.0], [100.0, 70.0]])
    >>> [round(float(a[0, 0]), 9) for a in (ss.change, ss.national, ss.industry_mix, ss.competitive)]
    [50.0, 5.0, 20.0, 25.0]
    """
    e0 = np.asarray(start, dtype=float)
    e1 = np.asarray(end, dtype=float)
    if e0.shape != e1.shape or e0.ndim != 2:
        raise InputError(f"start and end must be matrices of one shape, got {e0.shape} and {e1.shape}")
    r0 = e0.sum(axis=0) if reference_start is None else np.asarray(reference_start, dtype=float)
    r1 = e1.sum(axis=0) if reference_end is None else np.asarray(reference_end, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = r1.sum() / r0.sum() - 1.0
        g_i = np.where(r0 > 0, r1 / r0 - 1.0, 0.0)
        g_ri = np.where(e0 > 0, e1 / e0 - 1.0, 0.0)
    national = e0 * g
    mix = e0 * (g_i - g)[None, :]
    competitive = e0 * (g_ri - g_i[None, :])
    # cells that start at zero: all of their change is regional (no base to apply rates to)
    change = e1 - e0
    competitive = np.where(e0 > 0, competitive, change)
    return ShiftShare(change=change, national=national, industry_mix=mix, competitive=competitive)
