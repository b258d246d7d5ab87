"""Initiative benchmarks: an initiative's KPIs against its peers', shown only where the
initiative's KPIs are visible to the one asking.  Methods: ``docs/alignment.md``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from clusteratlas.errors import InputError
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.records import InitiativeRecord
from clusteratlas.service.atlas import Atlas

__all__ = ["DEFAULT_WEIGHTS", "INDICATORS", "BenchmarkInputs", "benchmark",
           "derived_indicators", "initiative_benchmark", "parse_weights"]

#: indicators compared between initiatives; higher is better for all of them
INDICATORS = ("members_total", "members_active", "sme_share", "events", "participants",
              "participants_per_event", "collaboration_projects", "funded_projects",
              "funded_volume_eur", "startups_supported", "services_used", "satisfaction",
              "staff_fte", "members_per_fte")
DEFAULT_WEIGHTS = {"members_active": 1.0, "events": 1.0, "participants": 1.0,
                   "collaboration_projects": 2.0, "funded_volume_eur": 1.0,
                   "startups_supported": 1.0, "services_used": 1.0, "satisfaction": 1.0}
_TYPES = ("members_sme", "members_large", "members_research", "members_education",
          "members_public", "members_other")
_ESCA = {"ESCA Gold": 3, "ESCA Silver": 2, "ESCA Bronze": 1}


def derived_indicators(report: Mapping[str, Any]) -> dict[str, float | None]:
    """The compared indicators of one KPI report (None where not reported)."""
    counts = [report.get(k) for k in _TYPES]
    total = float(sum(c for c in counts if c is not None)) if any(
        c is not None for c in counts) else None
    firms = [report.get("members_sme"), report.get("members_large")]
    out: dict[str, float | None] = {
        "members_total": total,
        "sme_share": (100.0 * (report.get("members_sme") or 0) / total
                      if total and firms[0] is not None else None),
        "participants_per_event": (report["participants"] / report["events"]
                                   if report.get("events") and report.get("participants")
                                   is not None else None),
        "members_per_fte": (total / report["staff_fte"]
                            if total is not None and report.get("staff_fte") else None),
    }
    for key in ("members_active", "events", "participants", "collaboration_projects",
                "funded_projects", "funded_volume_eur", "startups_supported",
                "services_used", "satisfaction", "staff_fte"):
        value = report.get(key)
        out[key] = float(value) if value is not None else None
    return out


def _size_class(total: float | None) -> str | None:
    if total is None:
        return None
    return "small (< 50)" if total < 50 else ("medium (50–149)" if total < 150
                                              else "large (≥ 150)")


def _percentile(value: float, values: Sequence[float]) -> float:
    """Mid-rank percentile of ``value`` among ``values`` (which include it)."""
    arr = np.asarray(values, dtype=float)
    return float(100.0 * ((arr < value).sum() + 0.5 * (arr == value).sum()) / len(arr))


def benchmark(reports: Sequence[Mapping[str, Any]], initiative: InitiativeRecord,
              labels: Mapping[str, Sequence[str]], *, year: int | None = None,
              weights: Mapping[str, float] | None = None,
              min_peers: int = 3, labels_shown: bool = True) -> dict[str, Any]:
    """An initiative's KPIs against its peers.

    ``reports``: the accepted KPI reports of all initiatives (dicts with
    ``initiative_id``, ``year``, ``categories`` and the KPI fields); ``labels``: each
    initiative's current labels.  Peer groups: all initiatives, those sharing a category,
    the same size class (members < 50, 50–149, ≥ 150) and the same ESCA label level, each
    with that year's accepted report.  Percentiles are mid-rank (a peer group of fewer than
    ``min_peers`` reports gives none); the trend is the change since the initiative's
    previous accepted report; the composite is the weighted mean of the available
    percentiles (all peers), the weights shown and the missing indicators listed —
    a missing report or figure is missing, never zero.  Without ``labels_shown`` (the
    initiative's labels are hidden from the one asking) there is no label peer group
    and no label level: either would tell its labels.
    """
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = [k for k in w if k not in INDICATORS]
    if unknown:
        raise InputError(f"weight for {unknown[0]!r}: indicators are {', '.join(INDICATORS)}")
    if any(v < 0 for v in w.values()):
        raise InputError("weights must not be negative")
    own_reports = sorted((r for r in reports if r["initiative_id"] == initiative.id),
                         key=lambda r: r["year"])
    years = [r["year"] for r in own_reports]
    base = {"initiative": initiative.id, "name": initiative.name, "weights": w,
            "years_reported": years}
    if not own_reports:
        return base | {"year": year, "status": "no accepted KPI report yet",
                       "indicators": [], "composite": None}
    y = year if year is not None else years[-1]
    mine = next((r for r in own_reports if r["year"] == y), None)
    if mine is None:
        return base | {"year": y, "status": f"no accepted KPI report for {y}",
                       "indicators": [], "composite": None}
    previous = next((r for r in reversed(own_reports) if r["year"] < y), None)
    same_year = [r for r in reports if r["year"] == y]
    values = {r["initiative_id"]: derived_indicators(r) for r in same_year}
    me = values[initiative.id]

    def level(ident: str) -> int:
        return max((_ESCA.get(x, 0) for x in labels.get(ident, ())), default=0)

    groups = {
        "all": [r["initiative_id"] for r in same_year],
        "same category": [r["initiative_id"] for r in same_year
                          if set(r.get("categories") or ()) & set(initiative.categories)],
        "same size": [r["initiative_id"] for r in same_year
                      if _size_class(values[r["initiative_id"]]["members_total"])
                      == _size_class(me["members_total"])],
        "same label level": [r["initiative_id"] for r in same_year
                             if level(r["initiative_id"]) == level(initiative.id)],
    }
    if not labels_shown:
        del groups["same label level"]
    prev = derived_indicators(previous) if previous is not None else {}
    rows = []
    for name in INDICATORS:
        value = me[name]
        row: dict[str, Any] = {"indicator": name, "value": value, "weight": w.get(name, 0.0)}
        for group, members in groups.items():
            peer_values = [v for p in members if (v := values[p][name]) is not None]
            row[f"peers {group}"] = len(peer_values)
            row[f"percentile {group}"] = (
                _percentile(value, peer_values)
                if value is not None and len(peer_values) >= min_peers else None)
        before = prev.get(name)
        row["previous"] = before
        row["change"] = value - before if value is not None and before is not None else None
        rows.append(row)
    scored = [(r["weight"], r["percentile all"]) for r in rows
              if r["weight"] > 0 and r["percentile all"] is not None]
    total_w = sum(wt for wt, _ in scored)
    composite = sum(wt * p for wt, p in scored) / total_w if total_w > 0 else None
    return base | {
        "year": y, "status": "ok", "indicators": rows, "composite": composite,
        "composite_missing": [r["indicator"] for r in rows
                              if r["weight"] > 0 and r["percentile all"] is None],
        "peer_groups": {g: len(m) for g, m in groups.items()},
        "size_class": _size_class(me["members_total"]),
        "label_level": level(initiative.id) if labels_shown else None,
    }


class BenchmarkInputs(Protocol):
    """What a benchmark reads of the registry (:class:`~clusteratlas.service.registry.RegistryService`)."""

    def require_benchmarkable(self, initiative_id: str, actor: Actor = ...) -> None: ...

    def benchmark_inputs(self) -> tuple[list[dict[str, Any]], dict[str, list[str]]]: ...


def initiative_benchmark(atlas: Atlas, registry: BenchmarkInputs, initiative_id: str,
                         actor: Actor = ANONYMOUS, *, year: int | None = None,
                         weights: Mapping[str, float] | None = None,
                         peers: tuple[list[dict[str, Any]], dict[str, list[str]]] | None = None,
                         ) -> dict[str, Any]:
    """:func:`benchmark` of one initiative, for ``actor``: the one place that decides
    whether its KPIs may be compared at all.

    Raises :class:`~clusteratlas.errors.NotFoundError` where ``actor`` may not see the
    initiative's KPIs (the API answers 404, as for a private field) or the initiative is
    not in the atlas.  ``peers``: the registry's :meth:`benchmark_inputs`, when the
    caller benchmarks several initiatives against the same peers.
    """
    registry.require_benchmarkable(initiative_id, actor)
    record = atlas.initiative(initiative_id, actor)
    reports, labels = peers if peers is not None else registry.benchmark_inputs()
    return benchmark(reports, record, labels, year=year, weights=weights,
                     labels_shown="labels" not in record.hidden_groups)


def parse_weights(items: Sequence[str] | None) -> dict[str, float] | None:
    """``indicator:weight`` texts (the API's ``weight`` and the CLI's ``--weight``)."""
    if not items:
        return None
    out = {}
    for item in items:
        name, sep, value = item.partition(":")
        try:
            out[name] = float(value)
        except ValueError:
            raise InputError(f"weight {item!r}: expected indicator:number") from None
        if not sep:
            raise InputError(f"weight {item!r}: expected indicator:number")
    return out
