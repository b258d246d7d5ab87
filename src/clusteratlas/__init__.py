"""Clusteratlas: regional cluster agglomerations, cluster initiatives, and the link between them.

The model classes are re-exported lazily: ``import clusteratlas`` (which every
``clusteratlas.*`` import runs first) stays light, so ``clusteratlas --help`` does not pay
for pandas and numba; ``clusteratlas.Panel`` imports them on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
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

_MODEL = frozenset({"CategorySet", "Classification", "ClusterCategory", "Concordance",
                    "Industry", "Panel", "Region", "Regions"})


def __getattr__(name: str) -> Any:
    """The model's classes, imported on first access (PEP 562)."""
    if name in _MODEL:
        from clusteratlas import model

        value = getattr(model, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'clusteratlas' has no attribute {name!r}")


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
