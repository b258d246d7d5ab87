"""The registry service: every read and write of initiatives, reports, projects,
cooperations, labels, users and tokens, for the CLI, the API and the web pages alike.

Each write is checked (pydantic schemas, plausibility, the actor's role), refused when
it names a stale version, and recorded in the audit log with the whole initiative
before and after, so that any earlier state can be shown and restored.

The use cases live in modules named for them, over one public unit of work
(:mod:`.unit`): :mod:`.initiatives`, :mod:`.kpi_reports`, :mod:`.children`,
:mod:`.accounts` and :mod:`.transfer` (export and import).  Rights and visibility are
pure functions in :mod:`clusteratlas.registry.access`.  The fronts use the one façade
here, :class:`RegistryService`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from clusteratlas.registry.access import visible_view
from clusteratlas.registry.auth import ANONYMOUS, Actor, LoginLimiter
from clusteratlas.registry.fields import CHILDREN
from clusteratlas.registry.schemas import InitiativeIn, InitiativePatch, KpiReportIn, ReviewIn
from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.registry.accounts import Accounts
from clusteratlas.service.registry.children import Children
from clusteratlas.service.registry.initiatives import Initiatives, Page
from clusteratlas.service.registry.kpi_reports import BenchmarkInputs, KpiReports
from clusteratlas.service.registry.unit import (
    UnitOfWork,
    aggregate,
    now,
    parse,
    same_content,
)

__all__ = ["CHILDREN", "Page", "RegistryService", "UnitOfWork", "aggregate",
           "open_registry", "parse", "same_content", "visible_view"]

class RegistryService:
    """All registry operations; ``actor`` says who asks (see :mod:`registry.auth`).

    ``regions`` and ``categories``, when given, are the codes an initiative may name
    (the atlas's regions and cluster categories); unknown ones are refused.
    """

    def __init__(self, store: RegistryStore, *, regions: Iterable[str] | None = None,
                 categories: Iterable[str] | None = None,
                 clock: Callable[[], str] = now,
                 limiter: LoginLimiter | None = None) -> None:
        self.store = store
        self.uow = UnitOfWork(store, clock)
        self.initiatives = Initiatives(self.uow, regions=regions, categories=categories)
        self.reports = KpiReports(self.uow, self.initiatives)
        self.child_records = Children(self.uow, self.initiatives)
        self.accounts = Accounts(self.uow, limiter)

    def __enter__(self) -> RegistryService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.store.close()

    @property
    def clock(self) -> Callable[[], str]:
        return self.uow.clock

    # ----------------------------------------------------------- initiatives
    def view(self, agg: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
        """What ``actor`` may see of an initiative (:func:`registry.access.visible_view`)."""
        return visible_view(agg, actor)

    def get(self, initiative_id: str, actor: Actor = ANONYMOUS) -> dict[str, Any]:
        """One initiative as ``actor`` may see it (404 for an archived one, unless the
        actor reads everything)."""
        return self.initiatives.get(initiative_id, actor)

    def find(self, actor: Actor = ANONYMOUS, **filters: Any) -> Page:
        """Initiatives matching every filter given (see :meth:`Initiatives.find`)."""
        return self.initiatives.find(actor, **filters)

    def create(self, data: Mapping[str, Any] | InitiativeIn, actor: Actor) -> dict[str, Any]:
        """Register a new initiative (admin); returns its view."""
        return self.initiatives.create(data, actor)

    def update(self, initiative_id: str, data: Mapping[str, Any] | InitiativePatch,
               actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        """Change profile fields (``if_match``: the version changed); returns the new view."""
        return self.initiatives.update(initiative_id, data, actor, if_match)

    def archive(self, initiative_id: str, actor: Actor, if_match: int | str | None) -> None:
        """Archive an initiative (admin); restorable from its history."""
        self.initiatives.archive(initiative_id, actor, if_match)

    def history(self, initiative_id: str, actor: Actor) -> list[dict[str, Any]]:
        """Every change of an initiative: who, when, what, the version after."""
        return self.initiatives.history(initiative_id, actor)

    def state(self, initiative_id: str, entry_id: int, actor: Actor,
              *, before: bool = False) -> dict[str, Any]:
        """The initiative as it was right after (or before) history entry ``entry_id``."""
        return self.initiatives.state(initiative_id, entry_id, actor, before=before)

    def restore(self, initiative_id: str, entry_id: int, actor: Actor, *,
                before: bool = False) -> dict[str, Any]:
        """Make the initiative the state of a history entry again (admin); itself audited."""
        return self.initiatives.restore(initiative_id, entry_id, actor, before=before)

    # ----------------------------------------------------------- KPI reports
    def kpis(self, initiative_id: str, actor: Actor = ANONYMOUS) -> list[dict[str, Any]]:
        """The KPI reports ``actor`` may see."""
        return self.reports.kpis(initiative_id, actor)

    def kpi(self, initiative_id: str, year: int, actor: Actor = ANONYMOUS) -> dict[str, Any]:
        """One year's KPI report, if ``actor`` may see it."""
        return self.reports.kpi(initiative_id, year, actor)

    def put_kpi(self, initiative_id: str, year: int, data: Mapping[str, Any] | KpiReportIn,
                actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        """Enter a year's figures as a draft (no If-Match to create, the version to
        change)."""
        return self.reports.put(initiative_id, year, data, actor, if_match)

    def submit_kpi(self, initiative_id: str, year: int, actor: Actor,
                   if_match: int | str | None) -> dict[str, Any]:
        """Submit a draft report to the agency."""
        return self.reports.submit(initiative_id, year, actor, if_match)

    def review_kpi(self, initiative_id: str, year: int, data: Mapping[str, Any] | ReviewIn,
                   actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        """Accept a submitted report or return it with a comment (admin)."""
        return self.reports.review(initiative_id, year, data, actor, if_match)

    def review_queue(self, actor: Actor) -> list[dict[str, Any]]:
        """Submitted reports waiting for the agency (admin), with their findings."""
        return self.reports.queue(actor)

    def benchmark_inputs(self) -> BenchmarkInputs:
        """Every accepted report and every initiative's labels: the benchmarks' peers."""
        return self.reports.benchmark_inputs()

    def benchmark_inputs_for(self, initiative_id: str,
                             actor: Actor = ANONYMOUS) -> BenchmarkInputs:
        """The peers for benchmarking ``initiative_id``, if ``actor`` may see its KPIs."""
        return self.reports.benchmark_inputs_for(initiative_id, actor)

    def require_benchmarkable(self, initiative_id: str, actor: Actor = ANONYMOUS) -> None:
        """The benchmarks' one visibility guard (see :mod:`.kpi_reports`)."""
        self.reports.require_benchmarkable(initiative_id, actor)

    # -------------------------------------- projects, cooperations, labels
    def children(self, initiative_id: str, kind: str,
                 actor: Actor = ANONYMOUS) -> list[dict[str, Any]]:
        """The projects, cooperations or labels (``kind``) ``actor`` may see."""
        return self.child_records.items(initiative_id, kind, actor)

    def child(self, initiative_id: str, kind: str, child_id: int,
              actor: Actor = ANONYMOUS) -> dict[str, Any]:
        """One project, cooperation or label."""
        return self.child_records.get(initiative_id, kind, child_id, actor)

    def add_child(self, initiative_id: str, kind: str, data: Mapping[str, Any],
                  actor: Actor) -> dict[str, Any]:
        """Add a project, cooperation or label (labels: admin only)."""
        return self.child_records.add(initiative_id, kind, data, actor)

    def update_child(self, initiative_id: str, kind: str, child_id: int,
                     data: Mapping[str, Any], actor: Actor,
                     if_match: int | str | None) -> dict[str, Any]:
        """Change a project, cooperation or label (If-Match its version)."""
        return self.child_records.update(initiative_id, kind, child_id, data, actor,
                                         if_match)

    def delete_child(self, initiative_id: str, kind: str, child_id: int, actor: Actor,
                     if_match: int | str | None) -> None:
        """Remove a project, cooperation or label (If-Match its version)."""
        self.child_records.delete(initiative_id, kind, child_id, actor, if_match)

    # ------------------------------------------------------------- accounts
    def add_user(self, name: str, role: str, password: str | None = None,
                 initiatives: Iterable[str] = (), actor: Actor | None = None) -> dict[str, Any]:
        """Create a user (CLI: no actor, the machine's owner; API: an admin)."""
        return self.accounts.add_user(name, role, password, initiatives, actor)

    def users(self, actor: Actor) -> list[dict[str, Any]]:
        """Every user (admin)."""
        return self.accounts.users(actor)

    def set_user(self, name: str, actor: Actor, *, active: bool | None = None,
                 password: str | None = None, role: str | None = None) -> None:
        """Deactivate, reactivate, set a password or a role (admin); a new password or role
        ends the user's sessions and tokens."""
        self.accounts.set_user(name, actor, active=active, password=password, role=role)

    def create_token(self, user_name: str, token_name: str, actor: Actor | None = None,
                     *, expires_days: int | None = None) -> str:
        """A new API token (shown once), optionally expiring after ``expires_days``."""
        return self.accounts.create_token(user_name, token_name, actor,
                                          expires_days=expires_days)

    def tokens(self, user_name: str, actor: Actor | None = None) -> list[dict[str, Any]]:
        """A user's tokens, without their secrets (the user or an admin)."""
        return self.accounts.tokens(user_name, actor)

    def revoke_token(self, token_id: int, actor: Actor | None = None) -> dict[str, Any]:
        """Revoke one token (its user or an admin)."""
        return self.accounts.revoke_token(token_id, actor)

    def actor_for_token(self, secret: str) -> Actor:
        """The user of a valid API token, else an AccessError (401)."""
        return self.accounts.actor_for_token(secret)

    def login(self, name: str, password: str, client: str) -> tuple[str, Actor]:
        """A new session secret and the actor, for a correct name and password."""
        return self.accounts.login(name, password, client)

    def actor_for_session(self, secret: str) -> Actor:
        """The user of a live session, else the anonymous actor."""
        return self.accounts.actor_for_session(secret)

    def logout(self, secret: str) -> None:
        """End a session."""
        self.accounts.logout(secret)


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
    from clusteratlas.service.sections import initiative_categories

    return RegistryService(store, regions=list(atlas.regions),
                           categories=initiative_categories(atlas.categories))
