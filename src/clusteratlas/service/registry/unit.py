"""The registry's unit of work: one transaction, the initiative loaded (locked for a
write), the version checked, the change audited with the whole initiative before and
after.  Every use case (initiatives, KPI reports, children, accounts, transfer) writes
through it, and so does nothing else."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from clusteratlas.errors import ConflictError, FindingsError, NotFoundError
from clusteratlas.registry import tables as m
from clusteratlas.registry.access import require
from clusteratlas.registry.auth import Actor
from clusteratlas.registry.fields import (
    CHILDREN,
    FACT_TEXT_FIELDS,
    PROFILE_FIELDS,
    TRANSLATED_FIELDS,
)
from clusteratlas.registry.schemas import DEFAULT_VISIBILITY
from clusteratlas.registry.store import RegistryStore

__all__ = ["EVERYTHING", "UnitOfWork", "aggregate", "apply_state", "check_version",
           "columns", "now", "parse", "same_content"]

M = TypeVar("M", bound=BaseModel)

#: load options that fetch a whole initiative aggregate in a few queries
EVERYTHING = tuple(selectinload(getattr(m.Initiative, rel)) for rel in (
    "regions", "categories", "facts", "sources", "members", "kpi_reports", *CHILDREN))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse(schema: type[M], data: Any, where: str = "request body") -> M:
    """Validate ``data`` against ``schema``; an :class:`FindingsError` names every field."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        findings = [{"level": "error",
                     "field": ".".join(str(p) for p in e["loc"]) or "(body)",
                     "message": e["msg"]} for e in exc.errors()]
        lines = "; ".join(f"{f['field']}: {f['message']}" for f in findings)
        raise FindingsError(f"{where}: {lines}", findings) from None


def columns(row: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    """A row's columns as a dict, without the owner key."""
    return {c.key: getattr(row, c.key) for c in row.__table__.columns
            if c.key not in ("initiative_id", *skip)}


def aggregate(i: m.Initiative) -> dict[str, Any]:
    """The whole initiative as plain data: what the audit log keeps and restores."""
    out = columns(i, skip=("visibility", *FACT_TEXT_FIELDS))
    for key in FACT_TEXT_FIELDS:
        out[key] = getattr(i, key)
    out["visibility"] = DEFAULT_VISIBILITY | json.loads(i.visibility or "{}")
    out["regions_served"] = [r.region_code for r in i.regions]
    out["categories"] = [c.category_code for c in i.categories]
    out["facts"] = [{"text": f.text, "text_en": f.text_en, "source_url": f.source_url,
                     "as_of": f.as_of} for f in i.facts]
    out["sources"] = [{"url": s.url, "accessed": s.accessed} for s in i.sources]
    out["members"] = [{"name": x.name, "member_type": x.member_type, "since": x.since}
                      for x in i.members]
    out["kpi_reports"] = [columns(k) for k in i.kpi_reports]
    for name in CHILDREN:
        out[name] = [columns(c) for c in getattr(i, name)]
    return out


def same_content(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Equal but for bookkeeping (versions, who and when)."""
    skip = {"version", "updated_at", "updated_by"}

    def clean(x: Any) -> Any:
        if isinstance(x, Mapping):
            return {k: clean(v) for k, v in x.items() if k not in skip}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x

    return bool(clean(a) == clean(b))


def apply_state(s: Session, i: m.Initiative, state: Mapping[str, Any]) -> None:
    """Write a saved aggregate back onto the initiative (children with their ids)."""
    english = set(TRANSLATED_FIELDS.values())
    for key in (*PROFILE_FIELDS, *FACT_TEXT_FIELDS, "archived"):
        if key != "id":
            # a state saved before the English variants existed has none of them
            setattr(i, key, state.get(key) if key in english else state[key])
    i.visibility = json.dumps(state["visibility"], sort_keys=True)
    i.regions = [m.InitiativeRegion(region_code=c) for c in state["regions_served"]]
    i.categories = [m.InitiativeCategory(category_code=c) for c in state["categories"]]
    i.facts = [m.InitiativeFact(position=n, **f) for n, f in enumerate(state["facts"])]
    i.sources = [m.InitiativeSource(position=n, **x) for n, x in enumerate(state["sources"])]
    i.members = [m.InitiativeMember(**x) for x in state["members"]]
    # children keep their ids, so links to them stay valid; flush the removals first
    i.kpi_reports = []
    for name in CHILDREN:
        setattr(i, name, [])
    s.flush()
    i.kpi_reports = [m.KpiReport(**{k: v for k, v in r.items() if k != "version"})
                     for r in state["kpi_reports"]]
    for name, child in CHILDREN.items():
        setattr(i, name, [child.model(**{k: v for k, v in r.items() if k != "version"})
                          for r in state[name]])


def check_version(what: str, current: int, if_match: int | str | None) -> None:
    """Refuse a write that names no version (428), a stale one (412) or no number.

    ``If-Match: *`` ("whatever is there") is refused like a missing header (428): it
    would overwrite changes the writer has not seen, which is what the version is
    there to prevent."""
    if if_match is None or str(if_match).strip() == "*":
        raise ConflictError(f"{what}: send If-Match with the version you changed "
                            f"(current: {current}; '*' is not accepted)", 428, current)
    try:
        expected = int(str(if_match).strip().strip('W/').strip('"'))
    except ValueError:
        raise ConflictError(f"{what}: If-Match {if_match!r} is not a version", 412,
                            current) from None
    if expected != current:
        raise ConflictError(f"{what} was changed meanwhile: you sent version {expected}, the "
                            f"current one is {current}; nothing was overwritten", 412, current)


class UnitOfWork:
    """Transactions over the registry store, with the audit trail and version checks.

    Parameters
    ----------
    store
        The registry database.
    clock
        The time stamps of changes (ISO 8601; injectable for tests).
    """

    def __init__(self, store: RegistryStore, clock: Callable[[], str] = now) -> None:
        self.store = store
        self.clock = clock

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session."""
        with self.store.session() as s:
            yield s

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction: committed on success, rolled back on any error."""
        with self.store.writing() as s:
            yield s

    def load(self, s: Session, initiative_id: str, *, lock: bool = False) -> m.Initiative:
        """The initiative with all its parts (locked FOR UPDATE where the database can)."""
        stmt = select(m.Initiative).where(m.Initiative.id == initiative_id).options(
            *EVERYTHING)
        if lock:
            stmt = stmt.with_for_update(of=m.Initiative)
        found = s.scalars(stmt).one_or_none()
        if found is None:
            raise NotFoundError(f"initiative {initiative_id!r} is not in the registry")
        return found

    def audit(self, s: Session, actor: Actor, action: str, entity: str, entity_id: str,
              initiative_id: str | None, before: Any, after: Any) -> None:
        """Record a change in the audit log (``before``/``after``: JSON-able states)."""
        s.add(m.AuditEntry(at=self.clock(), actor=actor.name, action=action, entity=entity,
                           entity_id=str(entity_id), initiative_id=initiative_id,
                           before=None if before is None else json.dumps(before),
                           after=None if after is None else json.dumps(after)))

    def change(self, initiative_id: str, actor: Actor, action: str, entity: str,
               entity_id: str, change: Callable[[Session, m.Initiative], Any], *,
               right: str = "edit", if_match: int | str | None = None,
               require_match: bool = True) -> Any:
        """Load the initiative locked, check the actor's ``right`` (an action of
        :mod:`registry.access`) and the version, apply ``change``, audit it.

        Returns what ``change`` returns, or the aggregate after the change."""
        with self.writing() as s:
            i = self.load(s, initiative_id, lock=True)
            if i.archived and action != "restore":
                raise NotFoundError(f"initiative {initiative_id!r} is archived")
            require(actor, right, initiative_id)
            if require_match:
                check_version(f"initiative {initiative_id}", i.version, if_match)
            before = aggregate(i)
            result = change(s, i)
            i.updated_at, i.updated_by = self.clock(), actor.name
            s.flush()
            after = aggregate(i)
            self.audit(s, actor, action, entity, entity_id, initiative_id, before, after)
            return result if result is not None else after
