"""Statistics store on DuckDB: datasets with provenance, regions, geometries, panels."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from clusteratlas.errors import ClusteratlasError, NotFoundError, StoreError
from clusteratlas.model.regions import Region

__all__ = ["HOME_SCOPE", "STATS_SCHEMA_VERSION", "DatasetInfo", "StatsStore"]

#: the settings key of the data directory's home scope (the region whose districts the
#: atlas shows unless asked otherwise): ``"08"`` for the demo, the data's country
#: (``"DG"``, ``"US"``) for imports unless set
HOME_SCOPE = "home_scope"

# Each entry upgrades the schema by one version; never edit a released entry.
# No FOREIGN KEY clauses: DuckDB refuses to delete a referenced row even after the
# referencing rows were deleted in the same transaction, which every replace needs;
# the writers below keep dataset_id consistent instead.
_MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE schema_info (version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL);
    CREATE TABLE datasets (
        id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,            -- 'panel', 'boundaries', 'regions'
        title VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        licence VARCHAR NOT NULL,
        attribution VARCHAR NOT NULL,
        is_synthetic BOOLEAN NOT NULL,
        classification VARCHAR,
        content_hash VARCHAR,
        imported_at TIMESTAMP NOT NULL,
        notes VARCHAR
    );
    CREATE TABLE regions (
        code VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        level VARCHAR NOT NULL,
        parent VARCHAR,
        vintage INTEGER,
        kind VARCHAR,
        population BIGINT,
        alt_codes VARCHAR NOT NULL,       -- JSON object scheme -> code
        groupings VARCHAR NOT NULL,       -- JSON object
        lon DOUBLE,
        lat DOUBLE,
        abbreviation VARCHAR,
        dataset_id VARCHAR NOT NULL
    );
    CREATE TABLE geometries (
        region VARCHAR NOT NULL,
        layer VARCHAR NOT NULL,           -- 'schematic' (tile space) or 'boundaries' (WGS84)
        geojson VARCHAR NOT NULL,         -- a GeoJSON Polygon or MultiPolygon geometry
        dataset_id VARCHAR NOT NULL,
        PRIMARY KEY (region, layer)
    );
    CREATE TABLE observations (
        dataset_id VARCHAR NOT NULL,
        region VARCHAR NOT NULL,
        industry VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        employment DOUBLE,
        establishments DOUBLE,
        wages DOUBLE,
        flag VARCHAR NOT NULL,
        PRIMARY KEY (dataset_id, region, industry, year)
    );
    CREATE TABLE settings (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
    """,
    # v2: imported tables with vintages (replaced versions stay recoverable), measures
    # other than employment, and the extra dimensions of official tables (sex, …)
    """
    ALTER TABLE datasets ADD COLUMN table_key VARCHAR;
    ALTER TABLE datasets ADD COLUMN status VARCHAR DEFAULT 'active';
    ALTER TABLE datasets ADD COLUMN superseded_by VARCHAR;
    ALTER TABLE datasets ADD COLUMN labels VARCHAR;
    CREATE TABLE observations_v2 (
        dataset_id VARCHAR NOT NULL,
        region VARCHAR NOT NULL,
        industry VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        measure VARCHAR NOT NULL DEFAULT 'employment',
        dims VARCHAR NOT NULL DEFAULT '',
        employment DOUBLE,
        establishments DOUBLE,
        wages DOUBLE,
        flag VARCHAR NOT NULL,
        status VARCHAR,
        PRIMARY KEY (dataset_id, region, industry, year, measure, dims)
    );
    INSERT INTO observations_v2 (dataset_id, region, industry, year, employment,
                                 establishments, wages, flag)
        SELECT dataset_id, region, industry, year, employment, establishments, wages, flag
        FROM observations;
    DROP TABLE observations;
    ALTER TABLE observations_v2 RENAME TO observations;
    """,
    # v3: firm and establishment locations
    """
    CREATE TABLE firms (
        dataset_id VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        industry VARCHAR NOT NULL,
        employment DOUBLE,
        lon DOUBLE,
        lat DOUBLE,
        x DOUBLE,
        y DOUBLE,
        crs VARCHAR NOT NULL,
        PRIMARY KEY (dataset_id, id)
    );
    """,
)
STATS_SCHEMA_VERSION = len(_MIGRATIONS)
_DATASET_COLUMNS = ("id, kind, title, source, licence, attribution, is_synthetic, classification, "
                    "content_hash, imported_at, notes, table_key, status, superseded_by, labels")


def settings_panel(con: duckdb.DuckDBPyConnection) -> str | None:
    """The active panel: a dataset id (the demo) or the key of an imported table."""
    row = con.execute("SELECT value FROM settings WHERE key = 'active_panel'").fetchone()
    return str(row[0]) if row else None


@dataclass(frozen=True)
class DatasetInfo:
    """Provenance of one dataset, shown beside every number built on it."""

    id: str
    kind: str
    title: str
    source: str
    licence: str
    attribution: str
    is_synthetic: bool
    classification: str | None = None
    content_hash: str | None = None
    imported_at: datetime | None = None
    notes: str | None = None
    table_key: str | None = None
    status: str = "active"
    superseded_by: str | None = None
    labels: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "source": self.source,
            "licence": self.licence,
            "attribution": self.attribution,
            "synthetic": self.is_synthetic,
            "classification": self.classification,
            "imported_at": self.imported_at.isoformat() if self.imported_at else None,
            "notes": self.notes,
            "table": self.table_key,
            "status": self.status,
            "content_hash": self.content_hash,
        }


#: errno values a failed write reports, and what the user is told
_ERRNO_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied (the data directory or file is read-only for this user)",
    errno.EPERM: "permission denied (the data directory or file is read-only for this user)",
}
#: DuckDB raises its file-lock, checksum and file-format failures as the base
#: ``IOException``/``Error`` types; these are its fixed message phrases for them.
_LOCK_PHRASES = ("Could not set lock on file", "Conflicting lock is held")
_CORRUPT_PHRASES = ("Corrupt database file", "does not match stored checksum",
                    "not a valid DuckDB database file", "Failed to deserialize")


def _root_cause(exc: BaseException) -> BaseException:
    """The error that started it: a failed ``ROLLBACK`` after a failed write (DuckDB has
    already aborted the transaction) hides the write's own error in ``__context__``."""
    while (isinstance(exc, duckdb.TransactionException | duckdb.FatalException)
           and isinstance(exc.__context__, Exception)):
        exc = exc.__context__
    return exc


def _errno(exc: BaseException) -> int | None:
    """The errno of an ``OSError``, or the one whose ``strerror`` text DuckDB's
    ``IOException`` carries (DuckDB formats system errors with ``strerror``)."""
    if isinstance(exc, OSError) and exc.errno in _ERRNO_CAUSES:
        return exc.errno
    if isinstance(exc, duckdb.IOException | duckdb.PermissionException):
        text = str(exc)
        return next((code for code in _ERRNO_CAUSES if os.strerror(code) in text), None)
    return None


def _store_error(path: Path, exc: BaseException) -> StoreError:
    """One honest line for a failure of ``stats.duckdb``, by the error's type and errno."""
    exc = _root_cause(exc)
    text = str(exc)
    first = (text.splitlines() or [type(exc).__name__])[0][:200]
    code = _errno(exc)
    if code is not None:
        advice = ("free some space" if code in (errno.ENOSPC, errno.EDQUOT)
                  else "make the data directory writable or use another --data-dir")
        return StoreError(f"{path} cannot be written: {_ERRNO_CAUSES[code]}; nothing was "
                          f"changed – {advice} and run the command again")
    if isinstance(exc, duckdb.IOException) and any(p in text for p in _LOCK_PHRASES):
        return StoreError(
            f"{path} is locked by another process (is another 'clusteratlas' command "
            "writing to this data directory?); wait for it to finish or use another --data-dir"
        )
    if isinstance(exc, duckdb.SerializationException) or any(p in text for p in _CORRUPT_PHRASES):
        return StoreError(
            f"{path} is not a readable Clusteratlas statistics database: the file is corrupt "
            f"({first}); restore it from a backup, or move it away and import the statistics "
            "again (the registry of initiatives is a separate file and is not affected)"
        )
    if isinstance(exc, duckdb.IOException | duckdb.FatalException):
        return StoreError(f"{path} is not a readable Clusteratlas statistics database "
                          f"({first}); restore it from a backup or move it away and import the "
                          "statistics again")
    return StoreError(f"{path}: database operation failed ({first})")


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open: after a failed write DuckDB may have
    aborted it already, and the ``ROLLBACK`` error must not replace the real cause."""
    with suppress(duckdb.Error):
        con.execute("ROLLBACK")


class StatsStore:
    """Access to ``stats.duckdb``.  Each method opens and closes its own connection,
    so no lock is held between calls (a running server never blocks an import)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if read_only and not self.path.exists():
            raise StoreError(f"{self.path} does not exist; run 'clusteratlas demo' first")
        try:
            con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            raise _store_error(self.path, exc) from None
        try:
            yield con
        except ClusteratlasError:
            raise
        except (duckdb.Error, OSError) as exc:
            cause = _root_cause(exc)
            if isinstance(cause, ClusteratlasError):  # a failed ROLLBACK after our own error
                raise cause from None
            raise _store_error(self.path, cause) from None
        finally:
            con.close()

    # -- schema ---------------------------------------------------------------------
    def schema_version(self, con: duckdb.DuckDBPyConnection) -> int:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_info'"
        ).fetchone()
        if not exists or not exists[0]:
            return 0
        row = con.execute("SELECT max(version) FROM schema_info").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def migrate(self) -> int:
        """Bring the schema to :data:`STATS_SCHEMA_VERSION`; returns the version."""
        with self.connect() as con:
            version = self.schema_version(con)
            if version > STATS_SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this Clusteratlas "
                    f"({STATS_SCHEMA_VERSION}); upgrade the package"
                )
            for target in range(version + 1, STATS_SCHEMA_VERSION + 1):
                con.execute("BEGIN TRANSACTION")
                con.execute(_MIGRATIONS[target - 1])
                con.execute(
                    "INSERT INTO schema_info VALUES (?, ?)", [target, datetime.now(UTC)]
                )
                con.execute("COMMIT")
            return STATS_SCHEMA_VERSION

    # -- writing --------------------------------------------------------------------
    def replace_all(
        self,
        *,
        datasets: Sequence[DatasetInfo],
        regions: Sequence[Region],
        region_dataset: str,
        geometries: pd.DataFrame,
        observations: pd.DataFrame,
        settings: dict[str, str],
    ) -> None:
        """Replace the whole content in one transaction (all or nothing)."""
        self.migrate()
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for table in ("observations", "geometries", "regions", "settings", "datasets"):
                    con.execute(f"DELETE FROM {table}")
                self._insert_datasets(con, datasets)
                self._insert_regions(con, regions, region_dataset)
                self._insert_frame(con, "geometries", geometries)
                self._insert_frame(con, "observations", observations)
                for key, value in settings.items():
                    con.execute("INSERT INTO settings VALUES (?, ?)", [key, value])
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise

    def replace_geometries(self, dataset: DatasetInfo, geometries: pd.DataFrame) -> None:
        """Add or replace one geometry layer and make it the active one."""
        self.migrate()
        layer = str(geometries["layer"].iloc[0])
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                old = con.execute(
                    "SELECT DISTINCT dataset_id FROM geometries WHERE layer = ?", [layer]
                ).fetchall()
                con.execute("DELETE FROM geometries WHERE layer = ?", [layer])
                for (ds,) in old:
                    con.execute("DELETE FROM datasets WHERE id = ?", [ds])
                con.execute("DELETE FROM datasets WHERE id = ?", [dataset.id])
                self._insert_datasets(con, [dataset])
                self._insert_frame(con, "geometries", geometries)
                con.execute(
                    "INSERT OR REPLACE INTO settings VALUES ('active_layer', ?)", [layer]
                )
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise

    @staticmethod
    def _insert_datasets(con: duckdb.DuckDBPyConnection, datasets: Sequence[DatasetInfo]) -> None:
        for d in datasets:
            con.execute(
                f"INSERT INTO datasets ({_DATASET_COLUMNS}) VALUES ({', '.join('?' * 15)})",
                [d.id, d.kind, d.title, d.source, d.licence, d.attribution, d.is_synthetic,
                 d.classification, d.content_hash, d.imported_at or datetime.now(UTC), d.notes,
                 d.table_key, d.status, d.superseded_by, d.labels],
            )

    @staticmethod
    def _insert_regions(
        con: duckdb.DuckDBPyConnection, regions: Sequence[Region], dataset_id: str
    ) -> None:
        frame = pd.DataFrame(
            [
                {
                    "code": r.code, "name": r.name, "level": r.level, "parent": r.parent,
                    "vintage": r.vintage, "kind": r.kind, "population": r.population,
                    "alt_codes": json.dumps(dict(r.alt_codes)),
                    "groupings": json.dumps(dict(r.groupings), ensure_ascii=False),
                    "lon": r.lon, "lat": r.lat, "abbreviation": r.abbreviation,
                    "dataset_id": dataset_id,
                }
                for r in regions
            ]
        )
        StatsStore._insert_frame(con, "regions", frame)

    @staticmethod
    def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        con.register("_incoming", frame)
        try:
            cols = ", ".join(frame.columns)
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        finally:
            con.unregister("_incoming")

    # -- reading --------------------------------------------------------------------
    def is_empty(self) -> bool:
        if not self.path.exists():
            return True
        with self.connect(read_only=True) as con:
            if self.schema_version(con) == 0:
                return True
            row = con.execute("SELECT count(*) FROM regions").fetchone()
            return not row or row[0] == 0

    def is_current(self) -> bool:
        """Whether the store holds regions at the newest schema: nothing to build or
        migrate (one read-only look, where :meth:`is_empty` and :meth:`migrate` take
        two connections, one of them for writing)."""
        if not self.path.exists():
            return False
        with self.connect(read_only=True) as con:
            if self.schema_version(con) != STATS_SCHEMA_VERSION:
                return False
            row = con.execute("SELECT count(*) FROM regions").fetchone()
            return bool(row and row[0])

    def read_snapshot(self) -> dict[str, Any]:
        """Everything the atlas service needs, read in one short connection."""
        with self.connect(read_only=True) as con:
            version = self.schema_version(con)
            if version != STATS_SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, expected "
                    f"{STATS_SCHEMA_VERSION}; run 'clusteratlas demo' to migrate it"
                )
            datasets = [
                DatasetInfo(*row)
                for row in con.execute(
                    f"SELECT {_DATASET_COLUMNS} FROM datasets ORDER BY id"
                ).fetchall()
            ]
            regions = con.execute("SELECT * FROM regions ORDER BY code").df()
            geometries = con.execute("SELECT * FROM geometries").df()
            active = settings_panel(con)
            # through Arrow: the same frame as .df(), in a third of the time (DuckDB's
            # pandas conversion builds every string of the panel as a Python object); on
            # a cursor of its own, as the other queries leave their results open
            observations = con.cursor().sql(
                "SELECT o.dataset_id, region, industry, year, employment, establishments, wages, "
                "flag, measure, dims FROM observations o JOIN datasets d ON d.id = o.dataset_id "
                "WHERE d.status = 'active' AND (d.id = ? OR d.table_key = ?) "
                "AND o.measure = 'employment'",
                params=[active, active],
            ).to_arrow_table().to_pandas()
            settings = dict(con.execute("SELECT key, value FROM settings").fetchall())
        if regions.empty:
            raise NotFoundError(f"{self.path} holds no regions yet; run 'clusteratlas demo'")
        return {
            "datasets": datasets,
            "regions": regions,
            "geometries": geometries,
            "observations": observations,
            "settings": settings,
        }
