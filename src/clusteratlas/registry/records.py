"""The atlas's initiative records, and the registry read with plain SQL where it can be.

:class:`InitiativeRecord` is what the atlas snapshot keeps of an initiative.  The
registry itself lives behind SQLAlchemy (:mod:`.store`), whose import and ORM cost a
command that only reads more than its work (a quarter of a second of a ``brief``).
So where the registry is an SQLite file whose schema is at the newest revision, its
reading commands read it here with the ``sqlite3`` module, the same rows in the same
order as the store's queries (``tests/registry/test_records.py`` compares the two);
anything else (PostgreSQL, a schema to migrate, any write) goes through the store.
Nothing here imports SQLAlchemy, Alembic or pydantic.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["InitiativeRecord", "SqliteReader", "head_revision", "reading", "sqlite_reader"]


@dataclass(frozen=True)
class InitiativeRecord:
    """One initiative as the atlas snapshot keeps it: the profile, the texts of the
    "facts" group and the initiative's visibility choices.

    A record from :meth:`RegistryStore.list` is *full*: it holds fields the public may
    not see.  Whatever shows a record projects it first, through
    :func:`clusteratlas.registry.access.visible_record` (built on the registry's one
    visibility function): the projection empties the hidden fields and names the
    hidden groups in :attr:`hidden_groups`.
    """

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
    #: English variants of sector, managing organisation, members and staff texts
    #: (the fields above are German); None where the registry has none
    sector_en: str | None = None
    managing_organisation_en: str | None = None
    members_en: str | None = None
    staff_en: str | None = None
    #: the English wording of each fact (None where a fact has none), beside ``facts``
    facts_en: tuple[str | None, ...] = field(default=())
    #: (field group, public?) for every group, in the order of the schema
    visibility: tuple[tuple[str, bool], ...] = field(default=())
    #: the groups a projection left out (empty for a full record)
    hidden_groups: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "sector": self.sector,
            "seat_town": self.seat_town, "seat_region": self.seat_region, "scope": self.scope,
            "managing_organisation": self.managing_organisation, "founded": self.founded,
            "members": self.members, "staff": self.staff, "status": self.status,
            "regions_served": list(self.regions), "categories": list(self.categories),
            "facts": list(self.facts), "sources": list(self.sources),
            "hidden_groups": list(self.hidden_groups),
            "sector_en": self.sector_en,
            "managing_organisation_en": self.managing_organisation_en,
            "members_en": self.members_en, "staff_en": self.staff_en,
            "facts_en": list(self.facts_en),
        }


@functools.cache
def head_revision() -> str | None:
    """The newest revision of ``migrations/versions`` (the one no other revision
    follows), read from the scripts' ``revision``/``down_revision`` lines; None when
    that is not a single revision (then Alembic decides)."""
    revisions: set[str] = set()
    follows: set[str] = set()
    for script in (resources.files("clusteratlas.registry") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        text = script.read_text(encoding="utf-8")
        rev = re.search(r"^revision\b[^=]*=\s*[\"']([^\"']+)[\"']", text, re.M)
        down = re.search(r"^down_revision\b[^=]*=\s*(.+)$", text, re.M)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        follows.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    heads = revisions - follows
    return heads.pop() if len(heads) == 1 else None


def _sqlite_file(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL (``None`` for any other URL, or one
    with options, which the store reads as SQLAlchemy says)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or any(c in url for c in "?%#"):
        return None
    path = url[len(prefix):]
    return Path(path) if path and path != ":memory:" and not path.startswith("file:") else None


def sqlite_reader(url: str) -> SqliteReader | None:
    """A plain-SQL reader of the registry at ``url`` where it is an SQLite file at the
    newest schema revision (:func:`head_revision`); ``None`` otherwise (then the store
    reads it, migrating it first where needed)."""
    path = _sqlite_file(url)
    head = head_revision()
    if path is None or head is None or not path.is_file():
        return None
    reader = SqliteReader(path)
    try:
        rows = reader.rows("SELECT version_num FROM alembic_version")
    except sqlite3.Error:  # no such table, not a database, locked: the store decides
        reader.close()
        return None
    if [tuple(r) for r in rows] != [(head,)]:
        reader.close()
        return None
    return reader


class SqliteReader:
    """Read-only plain-SQL access to a registry's SQLite file (see the module)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                    check_same_thread=False)
        self._con.row_factory = sqlite3.Row
        self._con.execute("PRAGMA busy_timeout=5000")  # as the store's connections

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> SqliteReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        return self._con.execute(sql, params).fetchall()

    def _children(self, table: str, column: str, order: str) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        for row in self.rows(f"SELECT initiative_id, {column} FROM {table} ORDER BY {order}"):
            found.setdefault(row[0], []).append(tuple(row[1:]) if len(row) > 2 else row[1])
        return found

    def initiatives(self) -> list[InitiativeRecord]:
        """What ``RegistryStore.list()`` gives: every initiative not archived, by name,
        as full records (fields the public may not see included)."""
        from clusteratlas.registry.schemas import DEFAULT_VISIBILITY

        regions = self._children("initiative_regions", "region_code", "region_code")
        categories = self._children("initiative_categories", "category_code",
                                    "category_code")
        facts = self._children("initiative_facts", "text, text_en", "position")
        sources = self._children("initiative_sources", "url", "position")
        out = []
        for i in self.rows("SELECT * FROM initiatives WHERE archived IS 0 ORDER BY name"):
            visibility = DEFAULT_VISIBILITY | json.loads(i["visibility"] or "{}")
            own_facts = facts.get(i["id"], [])
            out.append(InitiativeRecord(
                id=i["id"], name=i["name"], kind=i["kind"], sector=i["sector"],
                seat_town=i["seat_town"], seat_region=i["seat_region"], scope=i["scope"],
                managing_organisation=i["managing_organisation"], founded=i["founded"],
                members=i["members_text"], staff=i["staff_text"], status=i["status"],
                regions=tuple(regions.get(i["id"], ())),
                categories=tuple(categories.get(i["id"], ())),
                facts=tuple(f[0] for f in own_facts),
                sources=tuple(sources.get(i["id"], ())),
                visibility=tuple((g, bool(v)) for g, v in visibility.items()),
                sector_en=i["sector_en"],
                managing_organisation_en=i["managing_organisation_en"],
                members_en=i["members_text_en"], staff_en=i["staff_text_en"],
                facts_en=tuple(f[1] for f in own_facts)))
        return out

    def reports_of(self, initiative_id: str) -> tuple[Mapping[str, Any], list[dict[str, Any]]]:
        """An initiative's visibility and archived flag (``{"visibility": {…},
        "archived": bool}``) and its KPI reports by year, each as the aggregate holds
        it (every column but the owner's); a :class:`KeyError` when there is no such
        initiative."""
        from clusteratlas.registry.schemas import DEFAULT_VISIBILITY

        found = self.rows("SELECT visibility, archived FROM initiatives WHERE id = ?",
                          (initiative_id,))
        if not found:
            raise KeyError(initiative_id)
        head = {"visibility": DEFAULT_VISIBILITY | json.loads(found[0][0] or "{}"),
                "archived": bool(found[0][1])}
        reports = [{k: v for k, v in zip(r.keys(), r, strict=True) if k != "initiative_id"}
                   for r in self.rows("SELECT * FROM kpi_reports WHERE initiative_id = ? "
                                      "ORDER BY year", (initiative_id,))]
        return head, reports


@contextlib.contextmanager
def reading(url: str) -> Iterator[SqliteReader | None]:
    """:func:`sqlite_reader`, closed after the block."""
    reader = sqlite_reader(url)
    try:
        yield reader
    finally:
        if reader is not None:
            reader.close()
