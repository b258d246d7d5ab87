"""The data directory and the two database files in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clusteratlas.errors import StoreError

__all__ = ["DataDir"]


@dataclass(frozen=True)
class DataDir:
    """A Clusteratlas data directory.

    ``stats.duckdb`` holds statistics (panels, regions, geometries, provenance):
    an analytical, column-oriented engine suits them.  ``registry.sqlite`` holds the
    initiative registry: many small transactional writes by several users, which
    SQLite (WAL) or, in production, PostgreSQL handle and DuckDB's single-writer
    file lock does not.
    """

    path: Path
    #: a database URL for the registry instead of the SQLite file (PostgreSQL)
    registry_db: str | None = None

    @property
    def stats_file(self) -> Path:
        return self.path / "stats.duckdb"

    @property
    def registry_file(self) -> Path:
        return self.path / "registry.sqlite"

    @property
    def registry_url(self) -> str:
        return self.registry_db or f"sqlite:///{self.registry_file}"

    def ensure(self) -> DataDir:
        """Create the directory if needed; fail clearly if it is not usable."""
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"data directory {self.path} is a file, not a directory")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"data directory {self.path} cannot be created ({exc.strerror or exc})"
            ) from None
        return self
