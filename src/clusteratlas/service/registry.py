"""The registry service: every read and write of initiatives, reports, projects,
cooperations, labels, users and tokens, for the CLI, the API and the web pages alike.

Each write is checked (pydantic schemas, plausibility, the actor's role), refused when
it names a stale version, and recorded in the audit log with the whole initiative
before and after, so that any earlier state can be shown and restored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload

from clusteratlas.errors import (
    AccessError,
    ConflictError,
    FindingsError,
    InputError,
    NotFoundError,
    RateLimitError,
    UnknownCodeError,
)
from clusteratlas.registry import models as m
from clusteratlas.registry.auth import (
    ANONYMOUS,
    Actor,
    LoginLimiter,
    hash_password,
    hash_secret,
    new_secret,
    verify_password,
)
from clusteratlas.registry.checks import check_report
from clusteratlas.registry.schemas import (
    DEFAULT_VISIBILITY,
    KPI_FIELDS,
    ROLES,
    CooperationIn,
    InitiativeIn,
    InitiativePatch,
    KpiReportIn,
    LabelIn,
    ProjectIn,
    ReviewIn,
)
from clusteratlas.registry.store import RegistryStore

__all__ = ["CHILDREN", "Page", "RegistryService", "open_registry", "parse"]

M = TypeVar("M", bound=BaseModel)

_PROFILE = ("id", "name", "short_name", "kind", "sector", "seat_town", "seat_region", "scope",
            "managing_organisation", "legal_form", "website", "founded", "founded_on",
            "founding_occasion", "goals", "services", "status", "status_since",
            "successor_id")
_FACT_TEXT = ("members_text", "staff_text")
_BUDGET = ("budget_eur", "public_cofunding_share")
_NULLABLE_TEXT = ("seat_region", "founded_on", "status_since", "successor_id",
                  "members_text", "staff_text")


@dataclass(frozen=True)
class _Child:
    """A kind of record that belongs to an initiative and has its own address."""

    name: str          # URL segment and audit entity: projects, cooperations, labels
    model: type[Any]
    schema: type[BaseModel]
    group: str         # the visibility group
    admin_only: bool   # labels are awarded from outside: only the agency records them


CHILDREN = {
    "projects": _Child("projects", m.Project, ProjectIn, "projects", False),
    "cooperations": _Child("cooperations", m.Cooperation, CooperationIn, "cooperations", False),
    "labels": _Child("labels", m.InitiativeLabel, LabelIn, "labels", True),
}


_EVERYTHING = tuple(selectinload(getattr(m.Initiative, rel)) for rel in (
    "regions", "categories", "facts", "sources", "members", "kpi_reports", "projects",
    "cooperations", "labels"))


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse(schema: type[M], data: Any, where: str = "request body") -> M:
    """Validate ``data`` against ``schema``; an :class:`InputError` names every field."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        findings = [{"level": "error",
                     "field": ".".join(str(p) for p in e["loc"]) or "(body)",
                     "message": e["msg"]} for e in exc.errors()]
        lines = "; ".join(f"{f['field']}: {f['message']}" for f in findings)
        raise FindingsError(f"{where}: {lines}", findings) from None


def _columns(row: Any, skip: Iterable[str] = ()) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns
            if c.key not in ("initiative_id", *skip)}


def aggregate(i: m.Initiative) -> dict[str, Any]:
    """The whole initiative as plain data: what the audit log keeps and restores."""
    out = _columns(i, skip=("visibility", "members_text", "staff_text"))
    out["members_text"] = i.members_text
    out["staff_text"] = i.staff_text
    out["visibility"] = DEFAULT_VISIBILITY | json.loads(i.visibility or "{}")
    out["regions_served"] = [r.region_code for r in i.regions]
    out["categories"] = [c.category_code for c in i.categories]
    out["facts"] = [{"text": f.text, "source_url": f.source_url, "as_of": f.as_of}
                    for f in i.facts]
    out["sources"] = [{"url": s.url, "accessed": s.accessed} for s in i.sources]
    out["members"] = [{"name": x.name, "member_type": x.member_type, "since": x.since}
                      for x in i.members]
    out["kpi_reports"] = [_columns(k) for k in i.kpi_reports]
    for name in CHILDREN:
        out[name] = [_columns(c) for c in getattr(i, name)]
    return out


def _same_content(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Equal but for bookkeeping (versions, who and when)."""
    skip = {"version", "updated_at", "updated_by"}

    def clean(x: Any) -> Any:
        if isinstance(x, Mapping):
            return {k: clean(v) for k, v in x.items() if k not in skip}
        if isinstance(x, list):
            return [clean(v) for v in x]
        return x

    return bool(clean(a) == clean(b))


class RegistryService:
    """All registry operations; ``actor`` says who asks (see :mod:`registry.auth`).

    ``regions`` and ``categories``, when given, are the codes an initiative may name
    (the atlas's regions and cluster categories); unknown ones are refused.
    """

    def __init__(self, store: RegistryStore, *, regions: Iterable[str] | None = None,
                 categories: Iterable[str] | None = None,
                 clock: Callable[[], str] = _now,
                 limiter: LoginLimiter | None = None) -> None:
        self.store = store
        self.regions = frozenset(regions) if regions is not None else None
        self.categories = frozenset(categories) if categories is not None else None
        self.clock = clock
        self.limiter = limiter or LoginLimiter()

    def __enter__(self) -> RegistryService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.close()

    # ----------------------------------------------------------------- loading
    def _load(self, s: Session, initiative_id: str, *, lock: bool = False) -> m.Initiative:
        stmt = select(m.Initiative).where(m.Initiative.id == initiative_id).options(
            *_EVERYTHING)
        if lock:
            stmt = stmt.with_for_update(of=m.Initiative)
        found = s.scalars(stmt).one_or_none()
        if found is None:
            raise NotFoundError(f"initiative {initiative_id!r} is not in the registry")
        return found

    def _visible(self, i: m.Initiative, actor: Actor) -> m.Initiative:
        if i.archived and not actor.reads_all:
            raise NotFoundError(f"initiative {i.id!r} is not in the registry")
        return i

    # ------------------------------------------------------------------- views
    def view(self, agg: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
        """What ``actor`` may see of an initiative (public groups only, unless the
        actor reads everything or keeps it)."""
        full = actor.sees_all_of(str(agg["id"]))
        vis = agg["visibility"]
        out = {k: agg[k] for k in _PROFILE}
        out["regions_served"] = agg["regions_served"]
        out["categories"] = agg["categories"]
        out["version"] = agg["version"]
        out["archived"] = agg["archived"]
        out["visibility"] = vis

        def shown(group: str) -> bool:
            return full or bool(vis.get(group))

        if shown("facts"):
            out["facts"] = agg["facts"]
            out["sources"] = agg["sources"]
            for k in _FACT_TEXT:
                out[k] = agg[k]
        if shown("members"):
            out["members"] = agg["members"]
        if shown("kpis"):
            out["kpi_reports"] = [self._kpi_view(r, agg, actor) for r in agg["kpi_reports"]
                                  if full or r["status"] == "accepted"]
        for name, child in CHILDREN.items():
            if shown(child.group):
                out[name] = agg[name]
        if full:
            out["updated_at"] = agg["updated_at"]
            out["updated_by"] = agg["updated_by"]
        out["hidden_groups"] = sorted(g for g in vis if not shown(g))
        return out

    def _kpi_view(self, r: Mapping[str, Any], agg: Mapping[str, Any],
                  actor: Actor) -> dict[str, Any]:
        out = dict(r)
        out["initiative_id"] = agg["id"]
        if not actor.sees_all_of(str(agg["id"])):
            if not agg["visibility"].get("budget"):
                for k in _BUDGET:
                    out[k] = None
            for k in ("reviewer_comment", "submitted_by", "reviewed_by"):
                out[k] = None
        else:
            out["findings"] = [f.to_dict() for f in check_report(
                {k: r.get(k) for k in KPI_FIELDS})]
        return out

    def get(self, initiative_id: str, actor: Actor = ANONYMOUS) -> dict[str, Any]:
        with self.store.session() as s:
            return self.view(aggregate(self._visible(self._load(s, initiative_id), actor)),
                             actor)

    def find(self, actor: Actor = ANONYMOUS, *, text: str | None = None,
             sector: str | None = None, category: str | None = None,
             region: str | None = None, label: str | None = None,
             status: str | None = None, kind: str | None = None,
             archived: bool = False, page: int = 1, per_page: int = 50) -> Page:
        """Initiatives matching every filter given, by name, one page at a time."""
        if archived and not actor.reads_all:
            raise AccessError("only the agency and analysts see archived initiatives",
                              401 if actor.anonymous else 403)
        with self.store.session() as s:
            stmt = select(m.Initiative).where(m.Initiative.archived.is_(archived))
            if text:
                like = f"%{text.lower()}%"
                stmt = stmt.where(or_(*(func.lower(getattr(m.Initiative, c)).like(like)
                                        for c in ("name", "short_name", "sector",
                                                  "managing_organisation", "goals",
                                                  "services", "seat_town"))))
            if sector:
                stmt = stmt.where(func.lower(m.Initiative.sector).like(f"%{sector.lower()}%"))
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
                vis_ok = actor.reads_all
                stmt = stmt.where(m.Initiative.labels.any(m.InitiativeLabel.label == label))
                if not vis_ok:
                    # a hidden label group must not be found through the filter either
                    stmt = stmt.where(~m.Initiative.visibility.like('%"labels": false%'))
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = s.scalars(stmt.order_by(m.Initiative.name, m.Initiative.id)
                             .offset((page - 1) * per_page).limit(per_page)
                             .options(*_EVERYTHING)).all()
            items = [self.view(aggregate(r), actor) for r in rows]
        return Page(items, int(total), page, per_page)

    # ------------------------------------------------------------------ audit
    def _audit(self, s: Session, actor: Actor, action: str, entity: str, entity_id: str,
               initiative_id: str | None, before: Any, after: Any) -> None:
        s.add(m.AuditEntry(at=self.clock(), actor=actor.name, action=action, entity=entity,
                           entity_id=str(entity_id), initiative_id=initiative_id,
                           before=None if before is None else json.dumps(before),
                           after=None if after is None else json.dumps(after)))

    def _write(self, initiative_id: str, actor: Actor, action: str, entity: str,
               entity_id: str, change: Callable[[Session, m.Initiative], Any], *,
               if_match: int | str | None = None, require_match: bool = True,
               allowed: Callable[[m.Initiative], bool] | None = None) -> Any:
        """Load the initiative locked, check rights and version, change, audit."""
        with self.store.writing() as s:
            i = self._load(s, initiative_id, lock=True)
            if i.archived and action != "restore":
                raise NotFoundError(f"initiative {initiative_id!r} is archived")
            permitted = allowed(i) if allowed is not None else actor.keeps(initiative_id)
            if not permitted:
                raise AccessError(
                    "sign in to change the registry" if actor.anonymous else
                    f"{actor.name} ({actor.role}) may not change initiative {initiative_id!r}",
                    401 if actor.anonymous else 403)
            if require_match:
                _check_version(f"initiative {initiative_id}", i.version, if_match)
            before = aggregate(i)
            result = change(s, i)
            i.updated_at, i.updated_by = self.clock(), actor.name
            s.flush()
            after = aggregate(i)
            self._audit(s, actor, action, entity, entity_id, initiative_id, before, after)
            return result if result is not None else after

    # ------------------------------------------------------------- initiatives
    def _check_codes(self, data: InitiativePatch) -> None:
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

    def _assign(self, i: m.Initiative, data: InitiativePatch) -> None:
        fields = data.model_dump(exclude_unset=True)
        for key in ("regions_served", "categories", "visibility", "facts", "sources",
                    "members"):
            fields.pop(key, None)
        for key, value in fields.items():
            if key in _NULLABLE_TEXT and value == "":
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
        if actor.role != "admin":
            raise AccessError("only the agency (admin) registers new initiatives",
                              401 if actor.anonymous else 403)
        item = data if isinstance(data, InitiativeIn) else parse(InitiativeIn, data)
        self._check_codes(item)
        with self.store.writing() as s:
            if s.get(m.Initiative, item.id) is not None:
                raise ConflictError(f"initiative {item.id!r} exists already", 409)
            i = m.Initiative(id=item.id, name=item.name, kind=item.kind,
                             visibility=json.dumps(DEFAULT_VISIBILITY, sort_keys=True),
                             updated_at=self.clock(), updated_by=actor.name)
            self._assign(i, item)
            s.add(i)
            s.flush()
            after = aggregate(self._load(s, item.id))
            self._audit(s, actor, "create", "initiative", item.id, item.id, None, after)
        return self.view(after, actor)

    def update(self, initiative_id: str, data: Mapping[str, Any] | InitiativePatch,
               actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        patch = data if isinstance(data, InitiativePatch) else parse(InitiativePatch, data)
        self._check_codes(patch)
        if patch.successor_id == initiative_id:
            raise InputError("successor_id: an initiative cannot succeed itself")
        after = self._write(initiative_id, actor, "update", "initiative", initiative_id,
                            lambda s, i: self._assign(i, patch), if_match=if_match)
        return self.view(after, actor)

    def archive(self, initiative_id: str, actor: Actor, if_match: int | str | None) -> None:
        def change(s: Session, i: m.Initiative) -> None:
            i.archived = True

        self._write(initiative_id, actor, "archive", "initiative", initiative_id, change,
                    if_match=if_match, allowed=lambda i: actor.role == "admin")

    # ------------------------------------------------------------ history
    def history(self, initiative_id: str, actor: Actor) -> list[dict[str, Any]]:
        if not actor.sees_all_of(initiative_id):
            raise AccessError("the history is open to the agency, analysts and the "
                              "initiative's managers", 401 if actor.anonymous else 403)
        with self.store.session() as s:
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
        if not actor.sees_all_of(initiative_id):
            raise AccessError("the history is open to the agency, analysts and the "
                              "initiative's managers", 401 if actor.anonymous else 403)
        with self.store.session() as s:
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
        if actor.role != "admin":
            raise AccessError("only the agency (admin) restores earlier states",
                              401 if actor.anonymous else 403)
        state = self.state(initiative_id, entry_id, actor, before=before)

        def change(s: Session, i: m.Initiative) -> None:
            _apply_state(s, i, state)

        after = self._write(initiative_id, actor, "restore", "initiative", str(entry_id),
                            change, require_match=False, allowed=lambda i: True)
        return self.view(after, actor)

    # -------------------------------------------------------------- KPI reports
    def kpis(self, initiative_id: str, actor: Actor = ANONYMOUS) -> list[dict[str, Any]]:
        view = self.get(initiative_id, actor)
        if "kpi_reports" not in view:
            return []
        out: list[dict[str, Any]] = view["kpi_reports"]
        return out

    def kpi(self, initiative_id: str, year: int, actor: Actor = ANONYMOUS) -> dict[str, Any]:
        for report in self.kpis(initiative_id, actor):
            if report["year"] == year:
                return report
        # the same answer whether the report is missing or hidden from this actor
        raise NotFoundError(f"initiative {initiative_id!r} has no KPI report for {year} "
                            "that you may see")

    def put_kpi(self, initiative_id: str, year: int, data: Mapping[str, Any] | KpiReportIn,
                actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        """Create (no If-Match) or change (If-Match the report's version) a draft."""
        if not 1800 <= year <= 2100:
            raise InputError(f"year {year} is not a plausible report year")
        report = data if isinstance(data, KpiReportIn) else parse(KpiReportIn, data)
        errors = [f.to_dict() for f in check_report(report.model_dump())
                  if f.level == "error"]
        if errors:
            raise FindingsError("the report is not plausible: " + "; ".join(
                f"{e['field']}: {e['message']}" for e in errors), errors)

        def change(s: Session, i: m.Initiative) -> None:
            row = next((r for r in i.kpi_reports if r.year == year), None)
            if row is None:
                if if_match not in (None, "*"):
                    raise ConflictError(f"the KPI report {year} does not exist yet; create "
                                        "it without If-Match", 412)
                row = m.KpiReport(year=year, status="draft")
                i.kpi_reports.append(row)
            else:
                _check_version(f"KPI report {year}", row.version, if_match)
                if row.status != "draft" and actor.role != "admin":
                    raise ConflictError(f"the KPI report {year} is {row.status}; the agency "
                                        "can return it for changes", 409)
            for key, value in report.model_dump().items():
                setattr(row, key, value)

        self._write(initiative_id, actor, "kpi", "kpi_report", str(year), change,
                    require_match=False)
        return self.kpi(initiative_id, year, actor)

    def submit_kpi(self, initiative_id: str, year: int, actor: Actor,
                   if_match: int | str | None) -> dict[str, Any]:
        def change(s: Session, i: m.Initiative) -> None:
            row = _report(i, year)
            _check_version(f"KPI report {year}", row.version, if_match)
            if row.status != "draft":
                raise ConflictError(f"the KPI report {year} is {row.status} already", 409)
            errors = [f.to_dict() for f in check_report(
                {k: getattr(row, k) for k in KPI_FIELDS}) if f.level == "error"]
            if errors:
                raise FindingsError("the report cannot be submitted: " + "; ".join(
                    f"{e['field']}: {e['message']}" for e in errors), errors)
            row.status, row.submitted_at, row.submitted_by = "submitted", self.clock(), \
                actor.name

        self._write(initiative_id, actor, "submit", "kpi_report", str(year), change,
                    require_match=False)
        return self.kpi(initiative_id, year, actor)

    def review_kpi(self, initiative_id: str, year: int, data: Mapping[str, Any] | ReviewIn,
                   actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        review = data if isinstance(data, ReviewIn) else parse(ReviewIn, data)

        def change(s: Session, i: m.Initiative) -> None:
            row = _report(i, year)
            _check_version(f"KPI report {year}", row.version, if_match)
            if row.status != "submitted":
                raise ConflictError(f"the KPI report {year} is {row.status}, not submitted",
                                    409)
            row.status = "accepted" if review.decision == "accept" else "draft"
            row.reviewer_comment = review.comment
            row.reviewed_at, row.reviewed_by = self.clock(), actor.name

        self._write(initiative_id, actor, "review", "kpi_report", str(year), change,
                    require_match=False, allowed=lambda i: actor.role == "admin")
        return self.kpi(initiative_id, year, actor)

    def review_queue(self, actor: Actor) -> list[dict[str, Any]]:
        if actor.role != "admin":
            raise AccessError("the review queue is the agency's",
                              401 if actor.anonymous else 403)
        with self.store.session() as s:
            rows = s.execute(select(m.KpiReport, m.Initiative.name).join(
                m.Initiative, m.Initiative.id == m.KpiReport.initiative_id).where(
                m.KpiReport.status == "submitted", m.Initiative.archived.is_(False)).order_by(
                m.KpiReport.submitted_at, m.KpiReport.id)).all()
            return [_columns(r) | {"initiative_id": r.initiative_id, "initiative_name": name,
                                   "findings": [f.to_dict() for f in check_report(
                                       {k: getattr(r, k) for k in KPI_FIELDS})]}
                    for r, name in rows]

    def benchmark_inputs(self) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
        """Every accepted KPI report (with the initiative's categories) and every
        initiative's labels: the peer data of the benchmarks, which show percentiles,
        never another initiative's figures."""
        with self.store.session() as s:
            inits = s.scalars(select(m.Initiative).where(m.Initiative.archived.is_(False))
                              .options(selectinload(m.Initiative.categories),
                                       selectinload(m.Initiative.labels),
                                       selectinload(m.Initiative.kpi_reports))).all()
            reports = [_columns(r) | {"initiative_id": i.id,
                                      "categories": [c.category_code for c in i.categories]}
                       for i in inits for r in i.kpi_reports if r.status == "accepted"]
            labels = {i.id: [x.label for x in i.labels] for i in inits}
        return reports, labels

    # ------------------------------------------ projects, cooperations, labels
    def _child_allowed(self, child: _Child, actor: Actor) -> Callable[[m.Initiative], bool]:
        if child.admin_only:
            return lambda i: actor.role == "admin"
        return lambda i: actor.keeps(i.id)

    def children(self, initiative_id: str, kind: str,
                 actor: Actor = ANONYMOUS) -> list[dict[str, Any]]:
        view = self.get(initiative_id, actor)
        if kind not in view:
            raise NotFoundError(f"the {kind} of {initiative_id!r} are not public")
        out: list[dict[str, Any]] = view[kind]
        return out

    def child(self, initiative_id: str, kind: str, child_id: int,
              actor: Actor = ANONYMOUS) -> dict[str, Any]:
        for item in self.children(initiative_id, kind, actor):
            if item["id"] == child_id:
                return item
        raise NotFoundError(f"initiative {initiative_id!r} has no {kind[:-1]} {child_id}")

    def add_child(self, initiative_id: str, kind: str, data: Mapping[str, Any],
                  actor: Actor) -> dict[str, Any]:
        child = CHILDREN[kind]
        item = parse(child.schema, data)
        made: list[Any] = []

        def change(s: Session, i: m.Initiative) -> None:
            row = child.model(**item.model_dump())
            getattr(i, kind).append(row)
            made.append(row)

        self._write(initiative_id, actor, "add", kind, "new", change, require_match=False,
                    allowed=self._child_allowed(child, actor))
        return self.child(initiative_id, kind, made[0].id, actor)

    def update_child(self, initiative_id: str, kind: str, child_id: int,
                     data: Mapping[str, Any], actor: Actor,
                     if_match: int | str | None) -> dict[str, Any]:
        child = CHILDREN[kind]
        current = self.child(initiative_id, kind, child_id, actor)
        merged = {k: v for k, v in current.items() if k in child.schema.model_fields}
        item = parse(child.schema, merged | dict(data))

        def change(s: Session, i: m.Initiative) -> None:
            row = _find_child(i, kind, child_id)
            _check_version(f"{kind[:-1]} {child_id}", row.version, if_match)
            for key, value in item.model_dump().items():
                setattr(row, key, value)

        self._write(initiative_id, actor, "update", kind, str(child_id), change,
                    require_match=False, allowed=self._child_allowed(child, actor))
        return self.child(initiative_id, kind, child_id, actor)

    def delete_child(self, initiative_id: str, kind: str, child_id: int, actor: Actor,
                     if_match: int | str | None) -> None:
        child = CHILDREN[kind]

        def change(s: Session, i: m.Initiative) -> None:
            row = _find_child(i, kind, child_id)
            _check_version(f"{kind[:-1]} {child_id}", row.version, if_match)
            getattr(i, kind).remove(row)

        self._write(initiative_id, actor, "delete", kind, str(child_id), change,
                    require_match=False, allowed=self._child_allowed(child, actor))

    # ------------------------------------------------------------ users, tokens
    def add_user(self, name: str, role: str, password: str | None = None,
                 initiatives: Iterable[str] = (), actor: Actor | None = None) -> dict[str, Any]:
        """Create a user (CLI: no actor, the machine's owner; API: an admin)."""
        if actor is not None and actor.role != "admin":
            raise AccessError("only admins manage users", 401 if actor.anonymous else 403)
        if role not in ROLES or role == "public":
            raise InputError(f"role {role!r}: expected admin, analyst or manager")
        if not name or len(name) > 80 or not name.replace("-", "").replace("_", "")\
                .replace(".", "").replace("@", "").isalnum():
            raise InputError(f"user name {name!r}: letters, digits and - _ . @ only, "
                             "at most 80")
        if password is not None and len(password) < 12:
            raise InputError("the password needs at least 12 characters")
        ids = list(dict.fromkeys(initiatives))
        if role == "manager" and not ids:
            raise InputError("a manager needs at least one initiative (--initiative ID)")
        with self.store.writing() as s:
            for ident in ids:
                if s.get(m.Initiative, ident) is None:
                    raise NotFoundError(f"initiative {ident!r} is not in the registry")
            if s.scalar(select(m.User).where(m.User.name == name)) is not None:
                raise ConflictError(f"user {name!r} exists already", 409)
            user = m.User(name=name, role=role, active=True, created_at=self.clock(),
                          password_hash=hash_password(password) if password else None,
                          initiatives=[m.UserInitiative(initiative_id=x) for x in ids])
            s.add(user)
            self._audit(s, actor or Actor("cli", "admin"), "add", "user", name, None, None,
                        {"name": name, "role": role, "initiatives": ids})
        return {"name": name, "role": role, "initiatives": ids, "active": True}

    def users(self, actor: Actor) -> list[dict[str, Any]]:
        if actor.role != "admin":
            raise AccessError("only admins manage users", 401 if actor.anonymous else 403)
        with self.store.session() as s:
            return [{"name": u.name, "role": u.role, "active": u.active,
                     "initiatives": [x.initiative_id for x in u.initiatives],
                     "created_at": u.created_at}
                    for u in s.scalars(select(m.User).order_by(m.User.name))]

    def set_user(self, name: str, actor: Actor, *, active: bool | None = None,
                 password: str | None = None) -> None:
        if actor.role != "admin":
            raise AccessError("only admins manage users", 401 if actor.anonymous else 403)
        if password is not None and len(password) < 12:
            raise InputError("the password needs at least 12 characters")
        with self.store.writing() as s:
            user = s.scalar(select(m.User).where(m.User.name == name))
            if user is None:
                raise NotFoundError(f"no user {name!r}")
            if active is not None:
                user.active = active
                if not active:
                    s.execute(delete(m.LoginSession).where(m.LoginSession.user_id == user.id))
            if password is not None:
                user.password_hash = hash_password(password)
            self._audit(s, actor, "update", "user", name, None, None,
                        {"active": user.active, "password_changed": password is not None})

    def create_token(self, user_name: str, token_name: str,
                     actor: Actor | None = None) -> str:
        """A new API token for ``user_name``; the secret is shown once, only its hash kept."""
        if actor is not None and actor.role != "admin" and actor.name != user_name:
            raise AccessError("tokens are created by their user or an admin",
                              401 if actor.anonymous else 403)
        secret = "cat_" + new_secret()
        with self.store.writing() as s:
            user = s.scalar(select(m.User).where(m.User.name == user_name))
            if user is None:
                raise NotFoundError(f"no user {user_name!r}")
            s.add(m.ApiToken(user_id=user.id, name=token_name, token_hash=hash_secret(secret),
                             created_at=self.clock()))
            self._audit(s, actor or Actor("cli", "admin"), "add", "token",
                        f"{user_name}/{token_name}", None, None, None)
        return secret

    def _actor(self, user: m.User, csrf: str | None = None) -> Actor:
        return Actor(user.name, user.role, frozenset(x.initiative_id for x in user.initiatives),
                     csrf)

    def actor_for_token(self, secret: str) -> Actor:
        with self.store.session() as s:
            token = s.scalar(select(m.ApiToken).where(
                m.ApiToken.token_hash == hash_secret(secret), m.ApiToken.revoked.is_(False)))
            user = s.get(m.User, token.user_id) if token is not None else None
            if user is None or not user.active:
                raise AccessError("the API token is not valid", 401)
            return self._actor(user)

    def login(self, name: str, password: str, client: str) -> tuple[str, Actor]:
        """A new session secret for a correct name and password, else one answer for
        every failure (no hint whether the name exists)."""
        keys = (f"ip:{client}", f"user:{name.lower()}")
        if self.limiter.blocked(*keys):
            raise RateLimitError("too many failed sign-ins; try again in a few minutes")
        with self.store.writing() as s:
            user = s.scalar(select(m.User).where(m.User.name == name))
            ok = verify_password(user.password_hash if user is not None else None, password)
            if not ok or user is None or not user.active:
                self.limiter.failed(*keys)
                raise AccessError("wrong name or password", 401)
            secret, csrf = new_secret(), new_secret()
            expires = (datetime.now(UTC) + timedelta(hours=12)).isoformat(timespec="seconds")
            s.add(m.LoginSession(id_hash=hash_secret(secret), user_id=user.id, csrf=csrf,
                                 expires_at=expires))
            actor = self._actor(user, csrf)
        self.limiter.succeeded(*keys)
        return secret, actor

    def actor_for_session(self, secret: str) -> Actor:
        with self.store.session() as s:
            row = s.get(m.LoginSession, hash_secret(secret))
            if row is None or row.expires_at < datetime.now(UTC).isoformat(timespec="seconds"):
                return ANONYMOUS
            user = s.get(m.User, row.user_id)
            if user is None or not user.active:
                return ANONYMOUS
            return self._actor(user, row.csrf)

    def logout(self, secret: str) -> None:
        with self.store.writing() as s:
            s.execute(delete(m.LoginSession).where(
                m.LoginSession.id_hash == hash_secret(secret)))


def _check_version(what: str, current: int, if_match: int | str | None) -> None:
    if if_match is None:
        raise ConflictError(f"{what}: send If-Match with the version you changed "
                            f"(current: {current})", 428, current)
    if if_match == "*":
        return
    try:
        expected = int(str(if_match).strip().strip('W/').strip('"'))
    except ValueError:
        raise ConflictError(f"{what}: If-Match {if_match!r} is not a version", 412,
                            current) from None
    if expected != current:
        raise ConflictError(f"{what} was changed meanwhile: you sent version {expected}, the "
                            f"current one is {current}; nothing was overwritten", 412, current)


def _report(i: m.Initiative, year: int) -> m.KpiReport:
    for row in i.kpi_reports:
        if row.year == year:
            return row
    raise NotFoundError(f"initiative {i.id!r} has no KPI report for {year}")


def _find_child(i: m.Initiative, kind: str, child_id: int) -> Any:
    for row in getattr(i, kind):
        if row.id == child_id:
            return row
    raise NotFoundError(f"initiative {i.id!r} has no {kind[:-1]} {child_id}")


def _apply_state(s: Session, i: m.Initiative, state: Mapping[str, Any]) -> None:
    """Write a saved aggregate back onto the initiative (children with their ids)."""
    for key in _PROFILE + _FACT_TEXT + ("archived",):
        if key != "id":
            setattr(i, key, state[key])
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


def open_registry(data_dir: Any, *, atlas: Any = None,
                  check_codes: bool = True) -> RegistryService:
    """The registry of a data directory, migrated.  With ``check_codes`` region and
    category codes are checked against the atlas (``atlas``, or the one the directory
    holds, if any); users and tokens need no atlas, so their commands skip reading it."""
    from clusteratlas.errors import ClusteratlasError

    if data_dir.registry_db is None:
        data_dir.ensure()
    store = RegistryStore(data_dir.registry_url)
    store.migrate()
    if not check_codes:
        return RegistryService(store)
    if atlas is None:
        try:
            from clusteratlas.service.atlas import open_atlas

            atlas = open_atlas(data_dir)
        except ClusteratlasError:
            return RegistryService(store)
    return RegistryService(store, regions=list(atlas.regions),
                           categories=[c.code for c in atlas.categories.categories])
