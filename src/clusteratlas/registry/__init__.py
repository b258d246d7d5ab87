"""The registry of cluster initiatives (organisations), on SQLite or PostgreSQL."""

from clusteratlas.registry.models import Base, Initiative
from clusteratlas.registry.store import InitiativeRecord, RegistryStore

__all__ = ["Base", "Initiative", "InitiativeRecord", "RegistryStore"]
