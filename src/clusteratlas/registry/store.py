"""Registry store: engine set-up, Alembic migrations, seeding and queries."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from clusteratlas.errors import NotFoundError, StoreError
from clusteratlas.registry.records import InitiativeRecord, head_revision
from clusteratlas.registry.schemas import DEFAULT_VISIBILITY
from clusteratlas.registry.tables import AuditEntry, Initiative

__all__ = ["InitiativeRecord", "RegistryStore"]

_log = logging.getLogger("clusteratlas.registry")


_STATE_QUERY = select(select(func.max(AuditEntry.id)).scalar_subquery(),
                      func.count(Initiative.id), func.coalesce(func.sum(Initiative.version), 0))


#: the name the tests and older callers know
_head_revision = head_revision


def _record(i: Initiative) -> InitiativeRecord:
    visibility = DEFAULT_VISIBILITY | json.loads(i.visibility or "{}")
    return InitiativeRecord(
        id=i.id, name=i.name, kind=i.kind, sector=i.sector, seat_town=i.seat_town,
        seat_region=i.seat_region, scope=i.scope,
        managing_organisation=i.managing_organisation, founded=i.founded,
        members=i.members_text, staff=i.staff_text, status=i.status,
        regions=tuple(r.region_code for r in i.regions),
        categories=tuple(c.category_code for c in i.categories),
        facts=tuple(f.text for f in i.facts),
        sources=tuple(s.url for s in i.sources),
        visibility=tuple((g, bool(v)) for g, v in visibility.items()),
        sector_en=i.sector_en, managing_organisation_en=i.managing_organisation_en,
        members_en=i.members_text_en, staff_en=i.staff_text_en,
        facts_en=tuple(f.text_en for f in i.facts),
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_manual_begin(dbapi_connection: Any, _record: Any) -> None:
    _sqlite_pragmas(dbapi_connection, _record)
    # let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE instead of pysqlite's BEGIN
    dbapi_connection.isolation_level = None


def _begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class RegistryStore:
    """The initiative registry behind a SQLAlchemy URL (SQLite file by default).

    Writes go through :meth:`writing`: on SQLite its transactions begin IMMEDIATE, so
    that two writers queue for the lock instead of both reading a version and one
    failing to upgrade its stale snapshot; on PostgreSQL the service reads the rows it
    changes FOR UPDATE.  Either way the second writer sees the first one's version.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine: Engine = create_engine(url)
            self.write_engine: Engine = create_engine(url)
        except ImportError as exc:
            hint = " (pip install 'clusteratlas[postgres]')" if "postgres" in url else ""
            raise StoreError(f"registry database {url!r} needs a database driver that is not "
                             f"installed: {exc}{hint}") from None
        except SQLAlchemyError as exc:
            raise StoreError(f"registry database {url!r} cannot be opened ({exc})") from None
        #: the SQLite file, if any, and its identity (device, inode) when first seen
        self.path: str | None = None
        self._identity: tuple[int, int] | None = None
        # the read-only connection of :meth:`data_version`, opened when first asked
        self._probe: sqlite3.Connection | None = None
        self._probe_lock = threading.Lock()
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.write_engine, "connect", _sqlite_manual_begin)
            event.listen(self.write_engine, "begin", _begin_immediate)
            database = self.engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                self.path = os.path.abspath(database)
                self._check_identity()

    def _check_identity(self) -> None:
        """Refuse to write when the SQLite file was deleted or replaced since the store
        first saw it: the open connections would write into the old, unlinked file,
        and every change would vanish when the process ends."""
        if self.path is None:
            return
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            if self._identity is None:
                return  # not created yet: the first connection creates it
            st = None
        if st is not None and self._identity is None:
            self._identity = (st.st_dev, st.st_ino)
            return
        if st is None or (st.st_dev, st.st_ino) != self._identity:
            what = "deleted" if st is None else "replaced"
            _log.error("registry %s was %s while open; writes refused until restart",
                       self.path, what)
            # the log names the path for the operator; the answer, which any client
            # may see, does not
            raise StoreError(f"the registry database was {what} while the server ran; "
                             "nothing was written (restart the server to use the file "
                             "now at that path)")

    def close(self) -> None:
        """Close the pooled connections (the store can still be used afterwards)."""
        self.engine.dispose()
        self.write_engine.dispose()
        with self._probe_lock:
            if self._probe is not None:
                self._probe.close()
                self._probe = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session for one write transaction (committed on success), refused with
        a :class:`StoreError` (HTTP 503) when the SQLite file is gone or replaced."""
        self._check_identity()
        try:
            with Session(self.write_engine, expire_on_commit=False) as session, \
                    session.begin():
                yield session
        except SQLAlchemyError as exc:
            from sqlalchemy.orm.exc import StaleDataError

            from clusteratlas.errors import ConflictError

            if isinstance(exc, StaleDataError):
                raise ConflictError("someone else changed this record meanwhile; "
                                    "reload it and apply your change again") from None
            raise self._fail(exc) from None
        if self._identity is None:
            self._check_identity()  # the first write created the file: remember it

    def _fail(self, exc: Exception) -> StoreError:
        text = str(getattr(exc, "orig", exc)) or type(exc).__name__
        if "locked" in text:
            return StoreError(f"registry {self.engine.url.database} is locked by another process")
        if "connect" in text.lower() and self.dialect != "sqlite":
            return StoreError(f"cannot connect to the registry database at "
                              f"{self.engine.url.render_as_string(hide_password=True)} "
                              f"({text.splitlines()[0]})")
        return StoreError(
            f"registry {self.engine.url.database or self.url} is not a readable Clusteratlas "
            f"registry ({text.splitlines()[0]})"
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with Session(self.engine) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def migrate(self) -> str:
        """Upgrade the schema to the newest Alembic revision; returns it."""
        head = head_revision()
        if head is not None and self._current_revision() == head:
            # already there: no need to import Alembic (about 0.3 s for every process)
            self._check_identity()
            return head
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext

        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("clusteratlas.registry") / "migrations")
        )
        sqlite = self.dialect == "sqlite"
        try:
            with self.engine.connect() as conn:
                if sqlite:
                    # SQLite alters a table by copying it and dropping the old one; with
                    # foreign keys enforced that drop would cascade into the child tables
                    conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                        "PRAGMA foreign_keys=OFF")
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                    revision = MigrationContext.configure(conn).get_current_revision()
                    if sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise StoreError(f"registry {self.engine.url.database}: the "
                                             f"migration left {len(broken)} dangling rows")
                if sqlite:
                    conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                        "PRAGMA foreign_keys=ON")
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        self._check_identity()
        return str(revision)

    def _current_revision(self) -> str | None:
        """The stored revision read with plain SQL (None if there is none yet)."""
        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        except SQLAlchemyError:
            return None  # the full migration reports what is wrong
        return str(rows[0][0]) if len(rows) == 1 else None

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return MigrationContext.configure(conn).get_current_revision()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def list(self, *, kind: str | None = None) -> list[InitiativeRecord]:
        with self.session() as s:
            stmt = select(Initiative).options(
                selectinload(Initiative.regions), selectinload(Initiative.categories),
                selectinload(Initiative.facts), selectinload(Initiative.sources),
            ).where(Initiative.archived.is_(False)).order_by(Initiative.name)
            if kind is not None:
                stmt = stmt.where(Initiative.kind == kind)
            return [_record(i) for i in s.scalars(stmt)]

    def is_empty(self) -> bool:
        """Whether the registry holds no initiative at all (archived ones count): the
        only registry the demo may seed."""
        with self.session() as s:
            return not s.scalar(select(func.count()).select_from(Initiative))

    def data_version(self) -> int | None:
        """A number that changes with every commit to the registry's SQLite file, by any
        connection of any process (this one's included).

        SQLite's ``PRAGMA data_version`` on a read-only connection kept for this alone
        (it never writes, so every commit is another connection's): a few microseconds,
        no pool, no query plan, cheap enough to ask on the event loop before every
        request.  None where it cannot tell (no SQLite file, or the file busy): then
        only :meth:`state_token` tells."""
        if self.path is None:
            return None
        with self._probe_lock:
            try:
                if self._probe is None:
                    if not os.path.exists(self.path):
                        return None  # not created yet (connecting read-only cannot)
                    # timeout 0: busy answers at once (None), it never waits on the loop
                    self._probe = sqlite3.connect(
                        f"{Path(self.path).as_uri()}?mode=ro", uri=True, timeout=0,
                        isolation_level=None, check_same_thread=False)
                rows = self._probe.execute("PRAGMA data_version").fetchall()
            except sqlite3.Error:
                return None
        return int(rows[0][0])

    def state_token(self) -> tuple[Any, ...]:
        """A cheap token that changes whenever the initiatives change, whoever changes
        them (this process, a CLI import, another server): the newest audit entry (every
        change of an initiative is audited), the number of initiatives and the sum of
        their versions (each write bumps one).  One small query."""
        try:
            # a plain connection, not an ORM session: this runs before every request
            # of the server, and a session's set-up costs ten times the query
            with self.engine.connect() as conn:
                row = conn.execute(_STATE_QUERY).one()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        return tuple(row)

    def get(self, initiative_id: str) -> InitiativeRecord:
        with self.session() as s:
            found = s.get(Initiative, initiative_id)
            if found is None:
                raise NotFoundError(f"initiative {initiative_id!r} is not in the registry")
            return _record(found)
