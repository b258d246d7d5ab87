"""Registry store: engine set-up, Alembic migrations, seeding and queries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from clusteratlas.errors import InputError, NotFoundError, StoreError
from clusteratlas.registry.models import (
    Initiative,
    InitiativeCategory,
    InitiativeFact,
    InitiativeRegion,
    InitiativeSource,
)

__all__ = ["InitiativeRecord", "RegistryStore"]


@dataclass(frozen=True)
class InitiativeRecord:
    """A read-only view of one initiative, as the service layer passes it on."""

    id: str
    name: str
    kind: str
    sector: str
    seat_town: str
    seat_region: str | None
    scope: str
    managing_organisation: str
    founded: int | None
    members: str | None
    staff: str | None
    status: str
    regions: tuple[str, ...]
    categories: tuple[str, ...]
    facts: tuple[str, ...] = field(default=())
    sources: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "sector": self.sector,
            "seat_town": self.seat_town, "seat_region": self.seat_region, "scope": self.scope,
            "managing_organisation": self.managing_organisation, "founded": self.founded,
            "members": self.members, "staff": self.staff, "status": self.status,
            "regions_served": list(self.regions), "categories": list(self.categories),
            "facts": list(self.facts), "sources": list(self.sources),
        }


def _record(i: Initiative) -> InitiativeRecord:
    return InitiativeRecord(
        id=i.id, name=i.name, kind=i.kind, sector=i.sector, seat_town=i.seat_town,
        seat_region=i.seat_region, scope=i.scope,
        managing_organisation=i.managing_organisation, founded=i.founded,
        members=i.members_text, staff=i.staff_text, status=i.status,
        regions=tuple(r.region_code for r in i.regions),
        categories=tuple(c.category_code for c in i.categories),
        facts=tuple(f.text for f in i.facts),
        sources=tuple(s.url for s in i.sources),
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class RegistryStore:
    """The initiative registry behind a SQLAlchemy URL (SQLite file by default)."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self.engine: Engine = create_engine(url)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"registry database {url!r} cannot be opened ({exc})") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def _fail(self, exc: Exception) -> StoreError:
        text = str(getattr(exc, "orig", exc)) or type(exc).__name__
        if "locked" in text:
            return StoreError(f"registry {self.engine.url.database} is locked by another process")
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
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext

        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("clusteratlas.registry") / "migrations")
        )
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                revision = MigrationContext.configure(conn).get_current_revision()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None
        return str(revision)

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    return None
                return MigrationContext.configure(conn).get_current_revision()
        except SQLAlchemyError as exc:
            raise self._fail(exc) from None

    def replace_all(self, initiatives: Sequence[Mapping[str, Any]]) -> int:
        """Replace the registry's content with ``initiatives`` in one transaction."""
        self.migrate()
        rows = [_from_mapping(item) for item in initiatives]
        with self.session() as s:
            for model in (InitiativeSource, InitiativeFact, InitiativeCategory,
                          InitiativeRegion, Initiative):
                s.query(model).delete()
            s.add_all(rows)
        return len(rows)

    def list(self, *, kind: str | None = None) -> list[InitiativeRecord]:
        with self.session() as s:
            stmt = select(Initiative).options(
                selectinload(Initiative.regions), selectinload(Initiative.categories),
                selectinload(Initiative.facts), selectinload(Initiative.sources),
            ).order_by(Initiative.name)
            if kind is not None:
                stmt = stmt.where(Initiative.kind == kind)
            return [_record(i) for i in s.scalars(stmt)]

    def get(self, initiative_id: str) -> InitiativeRecord:
        with self.session() as s:
            found = s.get(Initiative, initiative_id)
            if found is None:
                raise NotFoundError(f"initiative {initiative_id!r} is not in the registry")
            return _record(found)


def _from_mapping(item: Mapping[str, Any]) -> Initiative:
    try:
        ident = str(item["id"])
        name = str(item["name"])
    except KeyError as exc:
        raise InputError(f"initiative without field {exc.args[0]!r}: {dict(item)}") from None
    founded = item.get("founded")
    if founded is not None and not (1800 <= int(founded) <= 2100):
        raise InputError(f"initiative {ident!r}: founded {founded!r} is not a plausible year")
    return Initiative(
        id=ident, name=name, kind=str(item.get("kind") or "initiative"),
        sector=str(item.get("sector") or ""), seat_town=str(item.get("seat_town") or ""),
        seat_region=item.get("seat"), scope=str(item.get("scope") or "regional"),
        managing_organisation=str(item.get("managing_organisation") or ""),
        founded=int(founded) if founded is not None else None,
        members_text=item.get("members"), staff_text=item.get("staff"),
        status=str(item.get("status") or "active"), version=1,
        regions=[InitiativeRegion(region_code=str(c)) for c in dict.fromkeys(item.get("serves") or [])],
        categories=[InitiativeCategory(category_code=str(c))
                    for c in dict.fromkeys(item.get("categories") or [])],
        facts=[InitiativeFact(position=i, text=str(t)) for i, t in enumerate(item.get("facts") or [])],
        sources=[InitiativeSource(position=i, url=str(u))
                 for i, u in enumerate(item.get("sources") or [])],
    )
