"""Star and strong-cluster rules, with the numbers behind each flag."""

from __future__ import annotations

from dataclasses import dataclass

from clusteratlas.errors import ConfigError

__all__ = ["StarRules", "StrongRule"]


@dataclass(frozen=True)
class StarRules:
    """Thresholds of the European Cluster Observatory star rating (2007–2012).

    A region × category earns up to three stars:

    - *size*: employment at or above the ``size_quantile`` of the regions with
      employment in that category (default top 10 %);
    - *specialisation*: :math:`LQ \\ge` ``min_lq`` (default 2);
    - *focus*: the category's share of regional employment at or above the
      ``focus_quantile`` of the regions with employment (default top 10 %).

    References
    ----------
    European Cluster Observatory (2008). *Cluster mapping methodology*; Ketels, C. and
    Protsiv, S. (2013). *Methodology and findings report for a cluster mapping of related
    sectors*. European Cluster Observatory.
    """

    size_quantile: float = 0.90
    min_lq: float = 2.0
    focus_quantile: float = 0.90

    def __post_init__(self) -> None:
        for name in ("size_quantile", "focus_quantile"):
            q = getattr(self, name)
            if not 0.0 <= q <= 1.0:
                raise ConfigError(f"star rule {name}={q!r} must lie between 0 and 1")
        if self.min_lq < 0:
            raise ConfigError(f"star rule min_lq={self.min_lq!r} must not be negative")


@dataclass(frozen=True)
class StrongRule:
    """The US Cluster Mapping *strong cluster* rule.

    Among regions of one level with employment in the category:
    :math:`LQ \\ge` the ``lq_quantile`` (75th percentile; variant 90th) **and**
    :math:`LQ \\ge` ``min_lq`` (1) **and** employment above the ``size_quantile``
    (25th percentile) **and** establishments above the ``size_quantile``.  Without
    establishment counts the last condition is dropped and the result is flagged.

    References
    ----------
    Delgado, M., Porter, M. E. and Stern, S. (2014). Defining clusters of related
    industries. NBER Working Paper 20375; US Cluster Mapping, "Strong clusters"
    (clustermapping.us, data definitions).
    """

    lq_quantile: float = 0.75
    min_lq: float = 1.0
    size_quantile: float = 0.25

    def __post_init__(self) -> None:
        for name in ("lq_quantile", "size_quantile"):
            q = getattr(self, name)
            if not 0.0 <= q <= 1.0:
                raise ConfigError(f"strong rule {name}={q!r} must lie between 0 and 1")
