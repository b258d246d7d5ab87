"""Immutable domain objects: regions, classifications, cluster categories, panels."""

from clusteratlas.model.categories import CategorySet, ClusterCategory
from clusteratlas.model.classification import Classification, Concordance, Industry
from clusteratlas.model.panel import FLAGS, TOTAL_CODE, Panel
from clusteratlas.model.regions import Region, Regions

__all__ = [
    "FLAGS",
    "TOTAL_CODE",
    "CategorySet",
    "Classification",
    "ClusterCategory",
    "Concordance",
    "Industry",
    "Panel",
    "Region",
    "Regions",
]
