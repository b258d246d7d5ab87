"""Clusteratlas: regional cluster agglomerations, cluster initiatives, and the link between them."""

from __future__ import annotations

from clusteratlas.errors import (
    ClusteratlasError,
    ClusteratlasWarning,
    ConfigError,
    DegenerateDataWarning,
    InputError,
    MethodologyWarning,
    MissingDependency,
    NotFoundError,
    SchemaError,
    SourceError,
    StoreError,
    UnknownCodeError,
)
from clusteratlas.model import (
    CategorySet,
    Classification,
    ClusterCategory,
    Concordance,
    Industry,
    Panel,
    Region,
    Regions,
)

__version__ = "0.1.0"

__all__ = [
    "CategorySet",
    "Classification",
    "ClusterCategory",
    "ClusteratlasError",
    "ClusteratlasWarning",
    "Concordance",
    "ConfigError",
    "DegenerateDataWarning",
    "Industry",
    "InputError",
    "MethodologyWarning",
    "MissingDependency",
    "NotFoundError",
    "Panel",
    "Region",
    "Regions",
    "SchemaError",
    "SourceError",
    "StoreError",
    "UnknownCodeError",
    "__version__",
]
