r"""Difference in differences with matched comparison units (pure, no I/O).

Each treated unit (a region × category cell an initiative works on) is matched to the
``k`` nearest untreated units of the same group (category) on two pre-period features,
both standardised over the candidates: the level :math:`\log(1 + y)` in the last
pre-period year and the pre-period trend (least-squares slope of :math:`\log(1 + y)`).
With :math:`\Delta_u = \overline{\log(1+y_u)}_{post} - \overline{\log(1+y_u)}_{pre}` and
:math:`C_i` the matches of treated unit *i*,

.. math::

    \hat\delta = \frac{1}{n_T}\sum_i \Big(\Delta_i - \overline{\Delta}_{C_i}\Big), \qquad
    \widehat{se} = \frac{1}{n_T}\sqrt{\sum_i s_i^2 \,(1 + 1/|C_i|)},

:math:`s_i^2` the variance of the :math:`\Delta` of unit *i*'s matches (its own noise is
taken to be like theirs), and a Student-*t* interval with :math:`\sum_i (|C_i| - 1)`
degrees of freedom.  :math:`\hat\delta` is in log
points; :math:`e^{\hat\delta} - 1` is the relative effect.

This measures an association: the matched units share size and pre-trend, not every
other cause.  Reference: Abadie, A. (2005). Semiparametric difference-in-differences
estimators. *Review of Economic Studies* 72(1), 1–19; Stuart, E. A. (2010). Matching
methods for causal inference. *Statistical Science* 25(1), 1–21.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from clusteratlas.errors import InputError

__all__ = ["DidResult", "matched_did"]


@dataclass(frozen=True)
class DidResult:
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    level: float
    n_treated: int
    n_controls: int
    #: indices into the candidate pool, per treated unit
    matches: tuple[tuple[int, ...], ...]

    @property
    def effect(self) -> tuple[float, float, float]:
        """Relative effect and interval, :math:`e^{x} - 1`."""
        return (float(np.expm1(self.estimate)), float(np.expm1(self.ci_low)),
                float(np.expm1(self.ci_high)))


def _features(logy: NDArray[np.float64], pre: int) -> NDArray[np.float64]:
    t = np.arange(pre, dtype=float)
    tc = t - t.mean()
    slope = (logy[:, :pre] - logy[:, :pre].mean(axis=1, keepdims=True)) @ tc / (tc @ tc)
    return np.column_stack([logy[:, pre - 1], slope])


def matched_did(treated: ArrayLike, pool: ArrayLike, first_post: int, *,
                treated_groups: ArrayLike | None = None,
                pool_groups: ArrayLike | None = None, k: int = 5,
                level: float = 0.95) -> DidResult:
    """Matched difference in differences.

    Parameters
    ----------
    treated, pool
        (n, T) outcome series (e.g. employment) of treated and candidate units, the same
        T years in the same order.
    first_post
        Index of the first year after treatment began; at least 2 years before it.
    treated_groups, pool_groups
        Group labels: treated units are matched within their group only.
    k
        Controls per treated unit (fewer if the group has fewer candidates).
    """
    from scipy import stats

    y_t = np.asarray(treated, dtype=float)
    y_p = np.asarray(pool, dtype=float)
    if y_t.ndim != 2 or y_p.ndim != 2 or y_t.shape[1] != y_p.shape[1]:
        raise InputError("treated and pool must be (units, years) with the same years")
    n_years = y_t.shape[1]
    if not 2 <= first_post < n_years:
        raise InputError(f"needs at least 2 years before and 1 after the start "
                         f"(first post-period year at index {first_post} of {n_years})")
    if (y_t < 0).any() or (y_p < 0).any() or not (np.isfinite(y_t).all()
                                                  and np.isfinite(y_p).all()):
        raise InputError("outcomes must be finite and non-negative")
    g_t = np.zeros(len(y_t), dtype=object) if treated_groups is None else np.asarray(
        treated_groups, dtype=object)
    g_p = np.zeros(len(y_p), dtype=object) if pool_groups is None else np.asarray(
        pool_groups, dtype=object)
    log_t, log_p = np.log1p(y_t), np.log1p(y_p)
    f_t, f_p = _features(log_t, first_post), _features(log_p, first_post)
    matches: list[tuple[int, ...]] = []
    for i in range(len(y_t)):
        candidates = np.flatnonzero(g_p == g_t[i])
        if len(candidates) == 0:
            raise InputError(f"no comparison unit in group {g_t[i]!r}")
        feats = f_p[candidates]
        scale = feats.std(axis=0)
        scale[scale == 0] = 1.0
        dist = np.sqrt((((feats - f_t[i]) / scale) ** 2).sum(axis=1))
        order = np.argsort(dist, kind="stable")[:k]
        matches.append(tuple(int(c) for c in candidates[order]))
    controls = sorted({c for m in matches for c in m})

    def delta(logy: NDArray[np.float64]) -> NDArray[np.float64]:
        out: NDArray[np.float64] = logy[:, first_post:].mean(axis=1) - logy[:, :first_post].mean(
            axis=1)
        return out

    d_t, d_p = delta(log_t), delta(log_p)
    n_t, n_c = len(d_t), len(controls)
    if any(len(m) < 2 for m in matches):
        raise InputError("a treated unit has fewer than 2 comparison units: no interval "
                         "can be given")
    # each treated unit against the mean of its own matches (the matching estimator of
    # the effect on the treated); its noise is estimated by the spread of its matches
    gaps = np.array([d_t[i] - d_p[list(m)].mean() for i, m in enumerate(matches)])
    spread = np.array([d_p[list(m)].var(ddof=1) * (1 + 1 / len(m)) for m in matches])
    estimate = float(gaps.mean())
    se = float(np.sqrt(spread.sum()) / n_t)
    df = sum(len(m) - 1 for m in matches)
    q = float(stats.t.ppf(0.5 + level / 2, df))
    return DidResult(estimate=estimate, se=se, ci_low=estimate - q * se,
                     ci_high=estimate + q * se, level=level, n_treated=n_t,
                     n_controls=n_c, matches=tuple(matches))
