"""Who may do what, and who may see what, in the registry (pure functions).

Two questions, each answered here once for every front (API, web pages, CLI,
exports, briefings, atlas):

- **rights**: :func:`require` (raises :class:`~clusteratlas.errors.AccessError`: HTTP
  401 for an anonymous caller, who should sign in, 403 for a signed-in one, who may
  not) and :func:`allowed` (the same rule as a bool);
- **visibility**: :func:`visible_view` reduces an initiative's aggregate (the plain
  data the audit log keeps) to what an actor may see of it.  Each initiative chooses
  per field group (:data:`~clusteratlas.registry.schemas.FIELD_GROUPS`) whether it is
  public:

  ========  ===========================================================
  group     what it hides from the public when ``false``
  ========  ===========================================================
  facts     dated facts, sources, the members and staff texts
  members   the member list
  kpis      the yearly KPI reports (only *accepted* ones are ever public)
  budget    budget and public co-funding share inside public reports
  projects, cooperations, labels   those child records
  ========  ===========================================================

  The profile (name, seat, sector, categories, regions, goals, services, status)
  is always public.  Admins and analysts see everything; a manager sees everything
  of the initiatives they keep.  Review bookkeeping (comment, who submitted, who
  reviewed) is never public.  Every path that shows registry data must call
  :func:`visible_view` rather than read the aggregate; the atlas snapshot's records
  (:class:`~clusteratlas.registry.records.InitiativeRecord`) are projected by
  :func:`visible_record`, which is built on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from clusteratlas.errors import AccessError, NotFoundError
from clusteratlas.registry.auth import Actor
from clusteratlas.registry.checks import check_report
from clusteratlas.registry.fields import (
    BUDGET_FIELDS,
    CHILDREN,
    FACT_TEXT_FIELDS,
    KPI_FIELDS,
    KPI_PRIVATE_FIELDS,
    PROFILE_FIELDS,
)
from clusteratlas.registry.records import InitiativeRecord

__all__ = ["ACTIONS", "allowed", "require", "require_visible", "shown_groups",
           "visible_record", "visible_reports", "visible_view"]


@dataclass(frozen=True)
class _Rule:
    test: Callable[[Actor, str | None, str | None], bool]
    message: str  # {actor} {role} {initiative} are filled in
    anonymous_message: str | None = None


def _admin(a: Actor, i: str | None, u: str | None) -> bool:
    return a.role == "admin"


def _reads_all(a: Actor, i: str | None, u: str | None) -> bool:
    return a.reads_all


def _keeps(a: Actor, i: str | None, u: str | None) -> bool:
    return i is not None and a.keeps(i)


def _sees_all(a: Actor, i: str | None, u: str | None) -> bool:
    return i is not None and a.sees_all_of(i)


def _self_or_admin(a: Actor, i: str | None, u: str | None) -> bool:
    return not a.anonymous and (a.role == "admin" or a.name == u)


_HISTORY = "the history is open to the agency, analysts and the initiative's managers"
#: every action a caller may be refused, with its rule and the refusal's wording
ACTIONS: dict[str, _Rule] = {
    "read_archived": _Rule(_reads_all, "only the agency and analysts see archived "
                                       "initiatives"),
    "export": _Rule(_reads_all, "exports hold non-public fields: the agency and analysts "
                                "only"),
    "create": _Rule(_admin, "only the agency (admin) registers new initiatives"),
    "edit": _Rule(_keeps, "{actor} ({role}) may not change initiative {initiative!r}",
                  "sign in to change the registry"),
    "archive": _Rule(_admin, "{actor} ({role}) may not archive initiative {initiative!r}",
                     "sign in to change the registry"),
    "history": _Rule(_sees_all, _HISTORY),
    "restore": _Rule(_admin, "only the agency (admin) restores earlier states"),
    "review": _Rule(_admin, "{actor} ({role}) may not review the reports of "
                            "{initiative!r}", "sign in to change the registry"),
    "review_queue": _Rule(_admin, "the review queue is the agency's"),
    "award_label": _Rule(_admin, "{actor} ({role}) may not change the labels of "
                                 "{initiative!r}", "sign in to change the registry"),
    "manage_users": _Rule(_admin, "only admins manage users"),
    "import": _Rule(_admin, "only the agency (admin) imports into the registry"),
    "manage_tokens": _Rule(_self_or_admin, "tokens are managed by their user or an admin",
                           "sign in to manage tokens"),
}


def allowed(actor: Actor, action: str, initiative: str | None = None, *,
            user: str | None = None) -> bool:
    """Whether ``actor`` may do ``action`` (a key of :data:`ACTIONS`) on ``initiative``
    (or, for tokens, on the account ``user``)."""
    return ACTIONS[action].test(actor, initiative, user)


def require(actor: Actor, action: str, initiative: str | None = None, *,
            user: str | None = None) -> None:
    """Raise :class:`AccessError` unless :func:`allowed`: 401 when the actor is
    anonymous (signing in may help), 403 otherwise."""
    rule = ACTIONS[action]
    if rule.test(actor, initiative, user):
        return
    if actor.anonymous:
        text = rule.anonymous_message or rule.message
        raise AccessError(text.format(actor=actor.name, role=actor.role,
                                      initiative=initiative), 401)
    raise AccessError(rule.message.format(actor=actor.name, role=actor.role,
                                          initiative=initiative), 403)


def shown_groups(visibility: Mapping[str, bool], actor: Actor,
                 initiative_id: str) -> frozenset[str]:
    """The field groups of an initiative that ``actor`` may see."""
    full = actor.sees_all_of(initiative_id)
    return frozenset(g for g in visibility if full or visibility.get(g))


def require_visible(aggregate: Mapping[str, Any], actor: Actor) -> None:
    """A :class:`NotFoundError` for an archived initiative the actor may not read (the
    same answer as for one that does not exist)."""
    if aggregate.get("archived") and not actor.reads_all:
        raise NotFoundError(f"initiative {aggregate['id']!r} is not in the registry")


def _kpi_view(report: Mapping[str, Any], initiative_id: str, budget_public: bool,
              full: bool) -> dict[str, Any]:
    out = dict(report)
    out["initiative_id"] = initiative_id
    if not full:
        if not budget_public:
            for k in BUDGET_FIELDS:
                out[k] = None
        for k in KPI_PRIVATE_FIELDS:
            out[k] = None
    else:
        out["findings"] = [f.to_dict() for f in check_report(
            {k: report.get(k) for k in KPI_FIELDS})]
    return out


def _reports_view(reports: Sequence[Mapping[str, Any]], ident: str, shown: frozenset[str],
                  full: bool) -> list[dict[str, Any]]:
    return [_kpi_view(r, ident, "budget" in shown, full) for r in reports
            if full or r["status"] == "accepted"]


def visible_reports(head: Mapping[str, Any], reports: Sequence[Mapping[str, Any]],
                    initiative_id: str, actor: Actor) -> list[dict[str, Any]]:
    """The KPI reports ``actor`` may see of an initiative, given its ``visibility``
    and ``archived`` flag (``head``) and its reports: the ``kpi_reports`` of
    :func:`visible_view` without the rest of the aggregate (a
    :class:`~clusteratlas.errors.NotFoundError` for an archived initiative the actor
    may not read, as :func:`require_visible`)."""
    require_visible({"id": initiative_id, "archived": head["archived"]}, actor)
    shown = shown_groups(head["visibility"], actor, initiative_id)
    if "kpis" not in shown:
        return []
    return _reports_view(reports, initiative_id, shown, actor.sees_all_of(initiative_id))


def visible_view(aggregate: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
    """What ``actor`` may see of an initiative given as its aggregate.

    Parameters
    ----------
    aggregate
        The whole initiative as plain data (``service.registry.aggregate``, an entry
        of a registry export, or an audit state).
    actor
        Who looks (``registry.auth.ANONYMOUS`` for the public).

    Returns
    -------
    dict
        The profile, ``version``, ``archived``, ``visibility`` and ``hidden_groups``
        always; each field group's keys only where the actor may see the group (see
        the module's table); for KPI reports only accepted ones unless the actor sees
        everything, with the budget and review fields blanked as the rules say; and
        ``updated_at``/``updated_by`` and the reports' ``findings`` for those who see
        everything.
    """
    ident = str(aggregate["id"])
    full = actor.sees_all_of(ident)
    vis = aggregate["visibility"]
    shown = shown_groups(vis, actor, ident)
    out = {k: aggregate[k] for k in PROFILE_FIELDS}
    for k in ("regions_served", "categories", "version", "archived"):
        out[k] = aggregate[k]
    out["visibility"] = vis
    if "facts" in shown:
        out["facts"] = aggregate["facts"]
        out["sources"] = aggregate["sources"]
        for k in FACT_TEXT_FIELDS:
            out[k] = aggregate[k]
    if "members" in shown:
        out["members"] = aggregate["members"]
    if "kpis" in shown:
        out["kpi_reports"] = _reports_view(aggregate["kpi_reports"], ident, shown, full)
    for name, child in CHILDREN.items():
        if child.group in shown:
            out[name] = aggregate[name]
    if full:
        out["updated_at"] = aggregate["updated_at"]
        out["updated_by"] = aggregate["updated_by"]
    out["hidden_groups"] = sorted(g for g in vis if g not in shown)
    return out


def visible_record(record: InitiativeRecord, actor: Actor) -> InitiativeRecord:
    """What ``actor`` may see of an atlas record: the record passed through
    :func:`visible_view` (as the aggregate it is a part of) and read back, so that the
    pages, the API, the downloads and the briefings that show the atlas's initiatives
    follow the very rules of the registry's own views.

    Returns
    -------
    InitiativeRecord
        The record with the fields of every hidden group emptied (``None`` or ``()``)
        and those groups named in ``hidden_groups``.
    """
    texts = dict.fromkeys(FACT_TEXT_FIELDS)
    texts.update(members_text=record.members, staff_text=record.staff,
                 members_text_en=record.members_en, staff_text_en=record.staff_en)
    part: dict[str, Any] = {
        **dict.fromkeys(PROFILE_FIELDS), **texts,
        "id": record.id, "regions_served": list(record.regions),
        "categories": list(record.categories), "version": 0, "archived": False,
        "updated_at": None, "updated_by": None, "visibility": dict(record.visibility),
        "facts": [{"text": t, "text_en": e} for t, e in
                  zip(record.facts, record.facts_en or [None] * len(record.facts),
                      strict=True)],
        "sources": [{"url": u} for u in record.sources],
        # the record holds none of these: nothing to hide, nothing to show
        "members": [], "kpi_reports": [], **{name: [] for name in CHILDREN},
    }
    view = visible_view(part, actor)
    return replace(record, members=view.get("members_text"), staff=view.get("staff_text"),
                   members_en=view.get("members_text_en"), staff_en=view.get("staff_text_en"),
                   facts=tuple(f["text"] for f in view.get("facts", ())),
                   facts_en=tuple(f["text_en"] for f in view.get("facts", ())),
                   sources=tuple(s["url"] for s in view.get("sources", ())),
                   hidden_groups=tuple(view["hidden_groups"]))
