"""The registry of cluster initiatives (organisations), on SQLite or PostgreSQL.

Its names are loaded when first used (PEP 562): a command that only reads the
registry's plain records (:mod:`.records`) never imports SQLAlchemy."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusteratlas.registry.records import InitiativeRecord
    from clusteratlas.registry.store import RegistryStore
    from clusteratlas.registry.tables import Base, Initiative

__all__ = ["Base", "Initiative", "InitiativeRecord", "RegistryStore"]

_WHERE = {"Base": "tables", "Initiative": "tables", "InitiativeRecord": "records",
          "RegistryStore": "store"}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"clusteratlas.registry.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'clusteratlas.registry' has no attribute {name!r}")
