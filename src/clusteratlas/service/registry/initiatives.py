"""Initiatives: read (one, or found by filters), register, change, archive, and their
history (every state, restorable)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from clusteratlas.core.collation import collation_key
from clusteratlas.errors import ConflictError, InputError, NotFoundError, UnknownCodeError
from clusteratlas.registry import tables as m
from clusteratlas.registry.access import require, require_visible, visible_view
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.fields import NULLABLE_TEXT_FIELDS, PARTS
from clusteratlas.registry.schemas import DEFAULT_VISIBILITY, InitiativeIn, InitiativePatch
from clusteratlas.service.registry.unit import (
    EVERYTHING,
    UnitOfWork,
    aggregate,
    apply_state,
    parse,
)

__all__ = ["Initiatives", "Page"]

#: the columns a free-text search looks in
_SEARCHED = ("name", "short_name", "sector", "managing_organisation", "goals", "services",
             "seat_town", "sector_en", "managing_organisation_en", "goals_en", "services_en")


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int


class Initiatives:
    """The initiative use cases.  ``regions`` and ``categories``, when given, are the
    codes an initiative may name (the atlas's); unknown ones are refused."""

    def __init__(self, uow: UnitOfWork, *, regions: Iterable[str] | None = None,
                 categories: Iterable[str] | None = None) -> None:
        self.uow = uow
        self.regions = frozenset(regions) if regions is not None else None
        self.categories = frozenset(categories) if categories is not None else None

    # ------------------------------------------------------------------- reads
    def get(self, initiative_id: str, actor: Actor = ANONYMOUS) -> dict[str, Any]:
        with self.uow.reading() as s:
            agg = aggregate(self.uow.load(s, initiative_id))
        require_visible(agg, actor)
        return visible_view(agg, actor)

    def find(self, actor: Actor = ANONYMOUS, *, text: str | None = None,
             sector: str | None = None, category: str | None = None,
             region: str | None = None, label: str | None = None,
             status: str | None = None, kind: str | None = None,
             archived: bool = False, page: int = 1, per_page: int = 50) -> Page:
        """Initiatives matching every filter given, by name, one page at a time."""
        if archived:
            require(actor, "read_archived")
        with self.uow.reading() as s:
            stmt = select(m.Initiative).where(m.Initiative.archived.is_(archived))
            if text:
                like = f"%{text.lower()}%"
                stmt = stmt.where(or_(*(func.lower(getattr(m.Initiative, c)).like(like)
                                        for c in _SEARCHED)))
            if sector:
                like = f"%{sector.lower()}%"
                stmt = stmt.where(or_(func.lower(m.Initiative.sector).like(like),
                                      func.lower(m.Initiative.sector_en).like(like)))
            if status:
                stmt = stmt.where(m.Initiative.status == status)
            if kind:
                stmt = stmt.where(m.Initiative.kind == kind)
            if category:
                stmt = stmt.where(m.Initiative.categories.any(
                    m.InitiativeCategory.category_code == category))
            if region:
                stmt = stmt.where(m.Initiative.regions.any(
                    m.InitiativeRegion.region_code == region))
            if label:
                stmt = stmt.where(m.Initiative.labels.any(m.InitiativeLabel.label == label))
                if not actor.reads_all:
                    # a hidden label group must not be found through the filter either
                    stmt = stmt.where(~m.Initiative.visibility.like('%"labels": false%'))
            # the database's collation is case-sensitive (and differs between SQLite
            # and PostgreSQL): order the matching names here, then load one page
            found = sorted(s.execute(stmt.with_only_columns(m.Initiative.id,
                                                            m.Initiative.name)).all(),
                           key=lambda r: (collation_key(r.name), r.id))
            wanted = [r.id for r in found[(page - 1) * per_page:page * per_page]]
            rows = {r.id: r for r in s.scalars(
                select(m.Initiative).where(m.Initiative.id.in_(wanted))
                .options(*EVERYTHING)).all()}
            items = [visible_view(aggregate(rows[i]), actor) for i in wanted]
        return Page(items, len(found), page, per_page)

    # ------------------------------------------------------------------ writes
    def check_codes(self, data: InitiativePatch) -> None:
        """Refuse region and category codes the atlas does not know."""
        if self.regions is not None:
            codes = list(data.regions_served or []) + ([data.seat_region]
                                                       if data.seat_region else [])
            unknown = [c for c in codes if c not in self.regions]
            if unknown:
                raise UnknownCodeError(f"regions_served: {unknown[0]!r} is not a region of "
                                       "the atlas")
        if self.categories is not None and data.categories:
            unknown = [c for c in data.categories if c not in self.categories]
            if unknown:
                raise UnknownCodeError(f"categories: {unknown[0]!r} is not a cluster category "
                                       "of the atlas")

    @staticmethod
    def _assign(i: m.Initiative, data: InitiativePatch) -> None:
        fields = data.model_dump(exclude_unset=True)
        for key in PARTS:
            fields.pop(key, None)
        for key, value in fields.items():
            if key in NULLABLE_TEXT_FIELDS and value == "":
                value = None
            setattr(i, key, value)
        if data.regions_served is not None:
            i.regions = [m.InitiativeRegion(region_code=c)
                         for c in dict.fromkeys(data.regions_served)]
        if data.categories is not None:
            i.categories = [m.InitiativeCategory(category_code=c)
                            for c in dict.fromkeys(data.categories)]
        if data.visibility is not None:
            current = DEFAULT_VISIBILITY | json.loads(i.visibility or "{}")
            i.visibility = json.dumps(current | dict(data.visibility), sort_keys=True)
        if data.facts is not None:
            i.facts = [m.InitiativeFact(position=n, **f.model_dump())
                       for n, f in enumerate(data.facts)]
        if data.sources is not None:
            i.sources = [m.InitiativeSource(position=n, **x.model_dump())
                         for n, x in enumerate(data.sources)]
        if data.members is not None:
            i.members = [m.InitiativeMember(**x.model_dump()) for x in data.members]

    def create(self, data: Mapping[str, Any] | InitiativeIn, actor: Actor) -> dict[str, Any]:
        require(actor, "create")
        item = data if isinstance(data, InitiativeIn) else parse(InitiativeIn, data)
        self.check_codes(item)
        with self.uow.writing() as s:
            if s.get(m.Initiative, item.id) is not None:
                raise ConflictError(f"initiative {item.id!r} exists already", 409)
            i = m.Initiative(id=item.id, name=item.name, kind=item.kind,
                             visibility=json.dumps(DEFAULT_VISIBILITY, sort_keys=True),
                             updated_at=self.uow.clock(), updated_by=actor.name)
            self._assign(i, item)
            s.add(i)
            s.flush()
            after = aggregate(self.uow.load(s, item.id))
            self.uow.audit(s, actor, "create", "initiative", item.id, item.id, None, after)
        return visible_view(after, actor)

    def update(self, initiative_id: str, data: Mapping[str, Any] | InitiativePatch,
               actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        patch = data if isinstance(data, InitiativePatch) else parse(InitiativePatch, data)
        self.check_codes(patch)
        if patch.successor_id == initiative_id:
            raise InputError("successor_id: an initiative cannot succeed itself")
        after = self.uow.change(initiative_id, actor, "update", "initiative", initiative_id,
                                lambda s, i: self._assign(i, patch), if_match=if_match)
        return visible_view(after, actor)

    def archive(self, initiative_id: str, actor: Actor, if_match: int | str | None) -> None:
        def change(s: Session, i: m.Initiative) -> None:
            i.archived = True

        self.uow.change(initiative_id, actor, "archive", "initiative", initiative_id, change,
                        if_match=if_match, right="archive")

    # ----------------------------------------------------------------- history
    def history(self, initiative_id: str, actor: Actor) -> list[dict[str, Any]]:
        require(actor, "history", initiative_id)
        with self.uow.reading() as s:
            rows = s.scalars(select(m.AuditEntry).where(
                m.AuditEntry.initiative_id == initiative_id).order_by(m.AuditEntry.id)).all()
            if not rows and s.get(m.Initiative, initiative_id) is None:
                raise NotFoundError(f"initiative {initiative_id!r} is not in the registry")
            return [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action,
                     "entity": r.entity, "entity_id": r.entity_id,
                     "version_after": (json.loads(r.after)["version"] if r.after else None)}
                    for r in rows]

    def state(self, initiative_id: str, entry_id: int, actor: Actor,
              *, before: bool = False) -> dict[str, Any]:
        """The initiative as it was right after (or before) audit entry ``entry_id``."""
        require(actor, "history", initiative_id)
        with self.uow.reading() as s:
            row = s.get(m.AuditEntry, entry_id)
            if row is None or row.initiative_id != initiative_id:
                raise NotFoundError(f"initiative {initiative_id!r} has no history entry "
                                    f"{entry_id}")
            blob = row.before if before else row.after
            if blob is None:
                raise NotFoundError(f"history entry {entry_id} has no state "
                                    f"{'before' if before else 'after'} it")
            state: dict[str, Any] = json.loads(blob)
            return state

    def restore(self, initiative_id: str, entry_id: int, actor: Actor, *,
                before: bool = False) -> dict[str, Any]:
        """Make the initiative what it was after (or before) a history entry; itself a
        change with its own history entry, so a restore can be undone too."""
        require(actor, "restore", initiative_id)
        state = self.state(initiative_id, entry_id, actor, before=before)
        # a state written before a rule was tightened (e.g. a script link in a source,
        # stored before URLs were checked) must not come back through a restore
        profile = {k: state[k] for k in InitiativeIn.model_fields if k in state}
        for key in ("facts", "sources", "members"):
            profile[key] = state.get(key) or []
        parse(InitiativeIn, profile, f"history entry {entry_id}")

        def change(s: Session, i: m.Initiative) -> None:
            apply_state(s, i, state)

        after = self.uow.change(initiative_id, actor, "restore", "initiative", str(entry_id),
                                change, require_match=False, right="restore")
        return visible_view(after, actor)
