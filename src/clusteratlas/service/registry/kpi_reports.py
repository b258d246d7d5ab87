"""Yearly KPI reports: a manager enters a draft and submits it, the agency accepts it
or returns it; only accepted reports are public (where the initiative publishes its
KPIs), and only accepted reports are the peers of the benchmarks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from clusteratlas.errors import ConflictError, FindingsError, InputError, NotFoundError
from clusteratlas.registry import tables as m
from clusteratlas.registry.access import require
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.checks import check_report
from clusteratlas.registry.fields import KPI_FIELDS
from clusteratlas.registry.schemas import KpiReportIn, ReviewIn
from clusteratlas.service.registry.initiatives import Initiatives
from clusteratlas.service.registry.unit import UnitOfWork, check_version, columns, parse

__all__ = ["BenchmarkInputs", "KpiReports"]

#: every accepted report (with the initiative's categories), and every initiative's labels
BenchmarkInputs = tuple[list[dict[str, Any]], dict[str, list[str]]]


def _report(i: m.Initiative, year: int) -> m.KpiReport:
    for row in i.kpi_reports:
        if row.year == year:
            return row
    raise NotFoundError(f"initiative {i.id!r} has no KPI report for {year}")


def _refuse_errors(findings: list[dict[str, str]], what: str) -> None:
    errors = [f for f in findings if f["level"] == "error"]
    if errors:
        raise FindingsError(f"{what}: " + "; ".join(
            f"{e['field']}: {e['message']}" for e in errors), errors)


class KpiReports:
    """The KPI report use cases over the initiatives' unit of work."""

    def __init__(self, uow: UnitOfWork, initiatives: Initiatives) -> None:
        self.uow = uow
        self.initiatives = initiatives

    def kpis(self, initiative_id: str, actor: Actor = ANONYMOUS) -> list[dict[str, Any]]:
        view = self.initiatives.get(initiative_id, actor)
        out: list[dict[str, Any]] = view.get("kpi_reports", [])
        return out

    def kpi(self, initiative_id: str, year: int, actor: Actor = ANONYMOUS) -> dict[str, Any]:
        for report in self.kpis(initiative_id, actor):
            if report["year"] == year:
                return report
        # the same answer whether the report is missing or hidden from this actor
        raise NotFoundError(f"initiative {initiative_id!r} has no KPI report for {year} "
                            "that you may see")

    def put(self, initiative_id: str, year: int, data: Mapping[str, Any] | KpiReportIn,
            actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        """Create (no If-Match) or change (If-Match the report's version) a draft."""
        if not 1800 <= year <= 2100:
            raise InputError(f"year {year} is not a plausible report year")
        report = data if isinstance(data, KpiReportIn) else parse(KpiReportIn, data)
        _refuse_errors([f.to_dict() for f in check_report(report.model_dump())],
                       "the report is not plausible")

        def change(s: Session, i: m.Initiative) -> None:
            row = next((r for r in i.kpi_reports if r.year == year), None)
            if row is None:
                if if_match is not None:
                    raise ConflictError(f"the KPI report {year} does not exist yet; create "
                                        "it without If-Match", 412)
                row = m.KpiReport(year=year, status="draft")
                i.kpi_reports.append(row)
            else:
                check_version(f"KPI report {year}", row.version, if_match)
                if row.status != "draft" and actor.role != "admin":
                    raise ConflictError(f"the KPI report {year} is {row.status}; the agency "
                                        "can return it for changes", 409)
            for key, value in report.model_dump().items():
                setattr(row, key, value)

        self.uow.change(initiative_id, actor, "kpi", "kpi_report", str(year), change,
                        require_match=False)
        return self.kpi(initiative_id, year, actor)

    def submit(self, initiative_id: str, year: int, actor: Actor,
               if_match: int | str | None) -> dict[str, Any]:
        def change(s: Session, i: m.Initiative) -> None:
            row = _report(i, year)
            check_version(f"KPI report {year}", row.version, if_match)
            if row.status != "draft":
                raise ConflictError(f"the KPI report {year} is {row.status} already", 409)
            _refuse_errors([f.to_dict() for f in check_report(
                {k: getattr(row, k) for k in KPI_FIELDS})], "the report cannot be submitted")
            row.status, row.submitted_at, row.submitted_by = "submitted", self.uow.clock(), \
                actor.name

        self.uow.change(initiative_id, actor, "submit", "kpi_report", str(year), change,
                        require_match=False)
        return self.kpi(initiative_id, year, actor)

    def review(self, initiative_id: str, year: int, data: Mapping[str, Any] | ReviewIn,
               actor: Actor, if_match: int | str | None) -> dict[str, Any]:
        review = data if isinstance(data, ReviewIn) else parse(ReviewIn, data)

        def change(s: Session, i: m.Initiative) -> None:
            row = _report(i, year)
            check_version(f"KPI report {year}", row.version, if_match)
            if row.status != "submitted":
                raise ConflictError(f"the KPI report {year} is {row.status}, not submitted",
                                    409)
            row.status = "accepted" if review.decision == "accept" else "draft"
            row.reviewer_comment = review.comment
            row.reviewed_at, row.reviewed_by = self.uow.clock(), actor.name

        self.uow.change(initiative_id, actor, "review", "kpi_report", str(year), change,
                        require_match=False, right="review")
        return self.kpi(initiative_id, year, actor)

    def queue(self, actor: Actor) -> list[dict[str, Any]]:
        """Submitted reports waiting for the agency, oldest first, with their findings."""
        require(actor, "review_queue")
        with self.uow.reading() as s:
            rows = s.execute(select(m.KpiReport, m.Initiative.name).join(
                m.Initiative, m.Initiative.id == m.KpiReport.initiative_id).where(
                m.KpiReport.status == "submitted", m.Initiative.archived.is_(False)).order_by(
                m.KpiReport.submitted_at, m.KpiReport.id)).all()
            return [columns(r) | {"initiative_id": r.initiative_id, "initiative_name": name,
                                  "findings": [f.to_dict() for f in check_report(
                                      {k: getattr(r, k) for k in KPI_FIELDS})]}
                    for r, name in rows]

    def benchmark_inputs(self) -> BenchmarkInputs:
        """Every accepted KPI report (with the initiative's categories) and every
        initiative's labels: the peer data of the benchmarks, which show percentiles,
        never another initiative's figures."""
        with self.uow.reading() as s:
            inits = s.scalars(select(m.Initiative).where(m.Initiative.archived.is_(False))
                              .options(selectinload(m.Initiative.categories),
                                       selectinload(m.Initiative.labels),
                                       selectinload(m.Initiative.kpi_reports))).all()
            reports = [columns(r) | {"initiative_id": i.id,
                                     "categories": [c.category_code for c in i.categories]}
                       for i in inits for r in i.kpi_reports if r.status == "accepted"]
            labels = {i.id: [x.label for x in i.labels] for i in inits}
        return reports, labels

    def benchmark_inputs_for(self, initiative_id: str,
                             actor: Actor = ANONYMOUS) -> BenchmarkInputs:
        """:meth:`benchmark_inputs` for benchmarking ``initiative_id`` as ``actor``:
        the one guard of every benchmark (API, pages, CLI, briefings).  An actor who may
        not see the initiative's KPIs gets a :class:`NotFoundError`, since the benchmark
        would show its figures."""
        self.require_benchmarkable(initiative_id, actor)
        return self.benchmark_inputs()

    def require_benchmarkable(self, initiative_id: str, actor: Actor = ANONYMOUS) -> None:
        """Raise :class:`NotFoundError` unless ``actor`` may see the KPIs of
        ``initiative_id`` (and so compare them with the peers')."""
        if "kpi_reports" not in self.initiatives.get(initiative_id, actor):
            raise NotFoundError(f"the KPIs of {initiative_id!r} are not public")
