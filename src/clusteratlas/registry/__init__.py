"""The registry of cluster initiatives (organisations), on SQLite or PostgreSQL."""

from clusteratlas.registry.store import InitiativeRecord, RegistryStore
from clusteratlas.registry.tables import Base, Initiative

__all__ = ["Base", "Initiative", "InitiativeRecord", "RegistryStore"]
