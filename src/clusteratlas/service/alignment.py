"""Linking agglomerations and initiatives: coverage and gaps, initiative benchmarks,
contribution to regional development, diversification options and partners.

Every function reads an :class:`~clusteratlas.service.atlas.Atlas` snapshot (and, for
benchmarks, the registry service) and returns plain data for the CLI, the API and the
pages.  Methods and their caveats: ``docs/alignment.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas.core.complexity import Complexity, complexity
from clusteratlas.core.impact import matched_did
from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.registry.store import InitiativeRecord
from clusteratlas.service.atlas import Atlas
from clusteratlas.service.atlas import json_number as _num

__all__ = ["STATUSES", "CoverageRule", "benchmark", "complexity_by_year", "coverage",
           "impact", "opportunities", "partners", "portfolio"]

STATUSES = ("covered", "gap", "no_base", "emerging", "none")
CAVEAT = ("An association, not proof of cause: the comparison regions match the covered "
          "ones in size and pre-founding trend, not in everything else that changed.")


@dataclass(frozen=True)
class CoverageRule:
    """When a cell is an agglomeration, emerging, and covered.

    ``agglomeration``: ``strong`` (US Cluster Mapping rule), ``strong_p90`` (its 90th-
    percentile variant), ``stars`` (at least ``min_stars`` European Cluster Observatory
    stars) or ``lq`` (LQ ≥ ``min_lq``).  *Emerging*: not an agglomeration, LQ ≥
    ``emerging_min_lq`` and employment growing by at least ``emerging_cagr`` a year over
    the last five years.  A statewide network covers its categories in every region when
    ``statewide_covers``; an initiative covers a year from its founding year on.
    """

    agglomeration: str = "strong"
    min_stars: int = 2
    min_lq: float = 1.5
    emerging_cagr: float = 0.03
    emerging_min_lq: float = 1.0
    statewide_covers: bool = True

    def __post_init__(self) -> None:
        if self.agglomeration not in ("strong", "strong_p90", "stars", "lq"):
            raise InputError(f"agglomeration rule {self.agglomeration!r}: expected strong, "
                             "strong_p90, stars or lq")


def _active(atlas: Atlas) -> list[InitiativeRecord]:
    return [i for i in atlas.initiatives if i.kind == "initiative" and i.status == "active"]


def _initiative(atlas: Atlas, initiative_id: str) -> InitiativeRecord:
    for i in atlas.initiatives:
        if i.id == initiative_id:
            return i
    raise NotFoundError(f"initiative {initiative_id!r} is not in the registry")


# ------------------------------------------------------------------ coverage
def coverage(atlas: Atlas, *, year: int | None = None,
             rule: CoverageRule = CoverageRule()) -> pd.DataFrame:
    """One row per region × category of ``year`` (default: the latest) with the
    agglomeration test, the initiatives covering the cell and its status:

    - ``covered``: an agglomeration with an initiative;
    - ``gap``: an agglomeration without one;
    - ``no_base``: an initiative without an agglomeration (nor an emerging one) under it;
    - ``emerging``: growing fast from a specialised base, not yet an agglomeration;
    - ``none``: neither.
    """
    y = atlas.year_or_latest(year)
    result: pd.DataFrame = atlas.remember(("coverage", y, rule),
                                          lambda: _coverage(atlas, y, rule), registry=True)
    return result


def _coverage(atlas: Atlas, y: int, rule: CoverageRule) -> pd.DataFrame:
    cells = atlas.indicators[atlas.indicators["year"] == y]
    if rule.agglomeration in ("strong", "strong_p90"):
        agglo = cells[rule.agglomeration].astype(bool)
    elif rule.agglomeration == "stars":
        agglo = cells["stars"] >= rule.min_stars
    else:
        agglo = cells["lq"].fillna(0) >= rule.min_lq
    cagr = cells["cagr"] if "cagr" in cells else pd.Series(np.nan, index=cells.index)
    emerging = ~agglo & (cells["lq"].fillna(0) >= rule.emerging_min_lq) & (
        cagr.fillna(-1) >= rule.emerging_cagr)
    regional: dict[tuple[str, str], list[str]] = {}
    statewide: dict[str, list[str]] = {}
    for i in _active(atlas):
        if i.founded is not None and i.founded > y:
            continue
        for c in i.categories:
            if i.scope == "statewide":
                statewide.setdefault(c, []).append(i.id)
            for r in i.regions:
                regional.setdefault((r, c), []).append(i.id)
    keys = list(zip(cells["region"], cells["category"], strict=True))
    own = [regional.get(k, []) for k in keys]
    state = [statewide.get(c, []) if rule.statewide_covers else [] for _, c in keys]
    covering = [a + [s for s in b if s not in a] for a, b in zip(own, state, strict=True)]
    has = np.array([bool(c) for c in covering])
    status = np.select([agglo.to_numpy() & has, agglo.to_numpy() & ~has,
                        emerging.to_numpy(), has],
                       ["covered", "gap", "emerging", "no_base"], default="none")
    names = {c: atlas.regions[c].display_name for c in cells["region"].unique()}
    out = pd.DataFrame({
        "region": cells["region"].to_numpy(),
        "region_name": cells["region"].map(names).to_numpy(),
        "category": cells["category"].to_numpy(),
        "year": y,
        "employment": cells["employment"].to_numpy(),
        "establishments": cells["establishments"].to_numpy(),
        "lq": cells["lq"].to_numpy(),
        "stars": cells["stars"].to_numpy(),
        "strong": cells["strong"].to_numpy(),
        "cagr_5y": cagr.to_numpy(),
        "agglomeration": agglo.to_numpy(),
        "emerging": emerging.to_numpy(),
        "initiatives": [";".join(c) for c in covering],
        "n_initiatives": [len(c) for c in covering],
        "coverage": ["regional" if o else ("statewide" if s else "") for o, s in
                     zip(own, state, strict=True)],
        "status": status,
    })
    return out.sort_values(["region", "category"]).reset_index(drop=True)


def portfolio(atlas: Atlas, *, year: int | None = None, rule: CoverageRule = CoverageRule(),
              top: int = 20) -> dict[str, Any]:
    """The statewide view: employment by status, the covered share of agglomeration
    employment, gaps ranked by employment, initiatives per category, overlaps."""
    cov = coverage(atlas, year=year, rule=rule)
    emp = cov["employment"].fillna(0)
    by_status = {s: {"cells": int((cov["status"] == s).sum()),
                     "employment": float(emp[cov["status"] == s].sum())} for s in STATUSES}
    agglo_emp = float(emp[cov["agglomeration"]].sum())
    covered_emp = by_status["covered"]["employment"]
    gaps = cov[cov["status"] == "gap"].sort_values("employment", ascending=False).head(top)
    overlaps = cov[cov["agglomeration"] & (cov["n_initiatives"] >= 2)]
    per_category = []
    for cat in atlas.categories.categories:
        part = cov[cov["category"] == cat.code]
        ids = sorted({i for s in part["initiatives"] for i in s.split(";") if i})
        per_category.append({
            "category": cat.code, "name_de": cat.name_de, "name_en": cat.name_en,
            "employment": float(part["employment"].fillna(0).sum()),
            "agglomerations": int(part["agglomeration"].sum()),
            "covered": int((part["status"] == "covered").sum()),
            "gaps": int((part["status"] == "gap").sum()),
            "initiatives": ids})
    return {
        "year": int(cov["year"].iloc[0]), "rule": asdict(rule), "by_status": by_status,
        "total_employment": float(emp.sum()),
        "agglomeration_employment": agglo_emp,
        "covered_share": covered_emp / agglo_emp if agglo_emp > 0 else None,
        "gaps": gaps[["region", "region_name", "category", "employment", "lq", "stars",
                      "strong"]].to_dict("records"),
        "overlaps": overlaps[["region", "region_name", "category", "employment",
                              "initiatives"]].to_dict("records"),
        "categories": per_category,
        **atlas.meta(),
    }


# --------------------------------------------------------------- benchmarks
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
              min_peers: int = 3) -> dict[str, Any]:
    """An initiative's KPIs against its peers.

    ``reports``: the accepted KPI reports of all initiatives (dicts with
    ``initiative_id``, ``year``, ``categories`` and the KPI fields); ``labels``: each
    initiative's current labels.  Peer groups: all initiatives, those sharing a category,
    the same size class (members < 50, 50–149, ≥ 150) and the same ESCA label level, each
    with that year's accepted report.  Percentiles are mid-rank (a peer group of fewer than
    ``min_peers`` reports gives none); the trend is the change since the initiative's
    previous accepted report; the composite is the weighted mean of the available
    percentiles (all peers), the weights shown and the missing indicators listed —
    a missing report or figure is missing, never zero.
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
        "size_class": _size_class(me["members_total"]), "label_level": level(initiative.id),
    }


# ------------------------------------------------------------------- impact
def impact(atlas: Atlas, initiative_id: str, *, k: int = 5) -> dict[str, Any]:
    """What happened in the cells an initiative covers, before and after its founding:
    levels and growth, the shift-share competitive effect against the category's trend
    in all regions, and a matched difference in differences against comparable regions
    that no initiative covers (with its interval and the comparison group)."""
    result: dict[str, Any] = atlas.remember(("impact", initiative_id, k),
                                            lambda: _impact(atlas, initiative_id, k),
                                            registry=True)
    return result


def _impact(atlas: Atlas, initiative_id: str, k: int) -> dict[str, Any]:
    ini = _initiative(atlas, initiative_id)
    years = atlas.years
    ind = atlas.indicators
    out: dict[str, Any] = {"initiative": ini.id, "name": ini.name, "founded": ini.founded,
                           "years": [years[0], years[-1]], "caveat": CAVEAT, **atlas.meta()}
    treated = [(r, c) for r in ini.regions for c in ini.categories]
    if ini.scope == "statewide" or not treated:
        return out | {"status": "no comparison possible: a statewide network covers every "
                                "region, so none is left to compare with",
                      "cells": [], "did": None}
    if ini.founded is None:
        return out | {"status": "founding year unknown", "cells": [], "did": None}
    series = {key: part.sort_values("year") for key, part in
              ind.groupby(["region", "category"], sort=False)}
    cells = []
    for r, c in treated:
        part = series.get((r, c))
        if part is None:
            continue
        emp = part.set_index("year")["employment"].astype(float)
        est = part.set_index("year")["establishments"].astype(float)
        first, last = years[0], years[-1]
        start = max(ini.founded, first)
        ref = ind[(ind["category"] == c)].groupby("year")["employment"].sum()
        g_ref = ref[last] / ref[start] - 1 if ref[start] > 0 else np.nan
        g_own = emp[last] / emp[start] - 1 if emp[start] > 0 else np.nan
        pre = [y for y in years if y < ini.founded]
        post = [y for y in years if y >= ini.founded]
        cells.append({
            "region": r, "region_name": atlas.regions[r].display_name, "category": c,
            "employment_start": float(emp[start]), "employment_latest": float(emp[last]),
            "establishments_start": float(est[start]), "establishments_latest": float(est[last]),
            "start_year": start,
            "growth_pre": _cagr(emp, pre), "growth_post": _cagr(emp, post),
            "competitive_effect": float(emp[start] * (g_own - g_ref))
            if np.isfinite(g_own) and np.isfinite(g_ref) else None,
            "wages": _wages(atlas, r, c, start, last),
        })
    out["cells"] = cells
    first_post = sum(1 for y in years if y < ini.founded)
    if first_post < 2:
        return out | {"status": f"the panel starts {years[0]}; the initiative was founded "
                                f"{ini.founded}: the before/after comparison needs at least "
                                "2 years before the founding", "did": None}
    if first_post >= len(years):
        return out | {"status": f"no year after the founding ({ini.founded}) in the panel",
                      "did": None}
    ever_covered = {(r, c) for i in _active(atlas) for r in i.regions for c in i.categories}
    statewide = {c for i in _active(atlas) if i.scope == "statewide" for c in i.categories}
    wide = ind.pivot_table(index=["region", "category"], columns="year",
                           values="employment", aggfunc="sum").reindex(columns=years)
    wide = wide.fillna(0.0)
    t_keys = [key for key in treated if key in wide.index]
    p_keys = [key for key in wide.index if key not in ever_covered and key[1] not in
              statewide and key[1] in {c for _, c in t_keys}]
    if not t_keys or not p_keys:
        return out | {"status": "no comparable uncovered region", "did": None}
    res = matched_did(wide.loc[t_keys].to_numpy(), wide.loc[p_keys].to_numpy(), first_post,
                      treated_groups=[c for _, c in t_keys],
                      pool_groups=[c for _, c in p_keys], k=k)
    effect, low, high = res.effect
    out["did"] = {
        "estimate_log": res.estimate, "se": res.se, "ci_low_log": res.ci_low,
        "ci_high_log": res.ci_high, "effect": effect, "ci_low": low, "ci_high": high,
        "level": res.level, "n_treated": res.n_treated, "n_controls": res.n_controls,
        "pre_years": years[:first_post], "post_years": years[first_post:],
        "comparison": [{"treated_region": t[0], "category": t[1],
                        "controls": [{"region": p_keys[j][0],
                                      "name": atlas.regions[p_keys[j][0]].display_name}
                                     for j in m]}
                       for t, m in zip(t_keys, res.matches, strict=True)],
    }
    return out | {"status": "ok"}


def _cagr(emp: pd.Series, years: list[int]) -> float | None:
    if len(years) < 2 or emp[years[0]] <= 0:
        return None
    return float((emp[years[-1]] / emp[years[0]]) ** (1 / (years[-1] - years[0])) - 1)


def _wages(atlas: Atlas, region: str, category: str, start: int, last: int) -> dict[str, Any]:
    obs = atlas.observations
    if obs is None or "wages" not in obs or obs["wages"].isna().all():
        return {"start": None, "latest": None, "note": "no wages in the panel"}
    inds = [i for i, cats in atlas.membership.items() if category in cats]
    part = obs[(obs["region"] == region) & obs["industry"].isin(inds)]
    by_year = part.groupby("year")["wages"].sum(min_count=1)
    return {"start": _num(by_year.get(start)), "latest": _num(by_year.get(last)),
            "note": None}


# ---------------------------------------------------------- diversification
def complexity_by_year(frame: pd.DataFrame, *, threshold: float = 1.0,
                       include_diagonal: bool = False,
                       ) -> dict[int, tuple[list[Any], list[Any], Complexity]]:
    """Relatedness and complexity per year of a long panel (region, industry, year,
    employment): the matrix of each year, its row and column labels, its results."""
    missing = {"region", "industry", "year", "employment"} - set(frame.columns)
    if missing:
        raise InputError(f"panel without column(s) {', '.join(sorted(missing))}")
    regions = pd.Categorical(frame["region"])
    industries = pd.Categorical(frame["industry"])
    r_codes, i_codes = regions.codes, industries.codes
    years = frame["year"].to_numpy()
    values = np.nan_to_num(frame["employment"].to_numpy(dtype=float))
    out = {}
    for y in np.unique(years):
        sel = years == y
        matrix = np.zeros((len(regions.categories), len(industries.categories)))
        np.add.at(matrix, (r_codes[sel], i_codes[sel]), values[sel])
        out[int(y)] = (list(regions.categories), list(industries.categories),
                       complexity(matrix, threshold=threshold,
                                  include_diagonal=include_diagonal))
    return out


@dataclass
class _Space:
    regions: list[str]
    industries: list[str]
    result: Complexity
    employment: np.ndarray
    year: int
    names: dict[str, str] = field(default_factory=dict)


def _space(atlas: Atlas, year: int | None, lang: str) -> _Space:
    y = atlas.year_or_latest(year)
    space: _Space = atlas.remember(("space", y, lang), lambda: _build_space(atlas, y, lang))
    return space


def _build_space(atlas: Atlas, y: int, lang: str) -> _Space:
    from clusteratlas.model.panel import TOTAL_CODE
    from clusteratlas.reference import wz2008

    obs = atlas.observations
    if obs is None:
        raise NotFoundError("this atlas holds no industry-level panel")
    part = obs[(obs["year"] == y) & (obs["industry"] != TOTAL_CODE)]
    wide = part.pivot_table(index="region", columns="industry", values="employment",
                            aggfunc="sum").fillna(0.0)
    res = complexity(wide.to_numpy())
    wz = wz2008()
    names: dict[str, str] = {}
    for code in wide.columns:
        try:
            title = wz[code].title_en if lang == "en" else wz[code].title_de
        except (KeyError, LookupError, AttributeError):
            title = None
        names[code] = str(title or code)
    return _Space(list(wide.index), list(wide.columns), res, wide.to_numpy(), y, names)


def opportunities(atlas: Atlas, region: str, *, year: int | None = None, top: int = 10,
                  lang: str = "de") -> dict[str, Any]:
    """Related industries a region does not yet specialise in (RCA < 1), ranked by
    relatedness density, with their complexity (PCI), the outlook gain (COG) and, as
    evidence, the region's own specialisations closest to each."""
    if top < 1:
        raise InputError("--top must be at least 1")
    code = atlas.region(region).code
    space = _space(atlas, year, lang)
    r = space.regions.index(code)
    res = space.result
    absent = np.flatnonzero(~res.mcp[r] & np.isfinite(res.density[r]))
    order = absent[np.lexsort((-np.nan_to_num(res.cog[r, absent]),
                               -res.density[r, absent]))][:top]
    present = np.flatnonzero(res.mcp[r])
    rows = []
    for i in order:
        close = present[np.argsort(-res.proximity[i, present])][:3]
        rows.append({
            "industry": space.industries[i], "name": space.names[space.industries[i]],
            "density": float(res.density[r, i]), "rca": float(res.rca[r, i]),
            "employment": float(space.employment[r, i]), "pci": _num(float(res.pci[i])),
            "cog": _num(float(res.cog[r, i])),
            "evidence": [{"industry": space.industries[j],
                          "name": space.names[space.industries[j]],
                          "proximity": float(res.proximity[i, j]),
                          "rca": float(res.rca[r, j])} for j in close]})
    return {"region": code, "region_name": atlas.regions[code].display_name,
            "year": space.year, "eci": _num(float(res.eci[r])), "coi": _num(float(res.coi[r])),
            "diversity": int(res.diversity[r]), "industries": len(space.industries),
            "regions_compared": len(space.regions),
            "note": "relatedness from co-location across the atlas's regions; proximity "
                    "diagonal 0 (docs/alignment.md)",
            "opportunities": rows, **atlas.meta()}


def partners(atlas: Atlas, initiative_id: str, *, max_km: float = 100.0,
             year: int | None = None, min_proximity: float = 0.3) -> dict[str, Any]:
    """Initiatives to talk to: the same categories, or categories related by
    co-location (proximity of the categories' presence across regions ≥
    ``min_proximity``), seated within ``max_km`` (statewide networks at any distance)."""
    y = atlas.year_or_latest(year)
    result: dict[str, Any] = atlas.remember(
        ("partners", initiative_id, max_km, y, min_proximity),
        lambda: _partners(atlas, initiative_id, max_km, y, min_proximity), registry=True)
    return result


def _partners(atlas: Atlas, initiative_id: str, max_km: float, y: int,
              min_proximity: float) -> dict[str, Any]:
    ini = _initiative(atlas, initiative_id)
    cells = atlas.indicators[atlas.indicators["year"] == y]
    wide = cells.pivot_table(index="region", columns="category", values="lq",
                             aggfunc="first").fillna(0.0)
    from clusteratlas.core.complexity import proximity as category_proximity

    cats = [str(c) for c in wide.columns]
    matrix = category_proximity(wide.to_numpy() >= 1.0)
    phi = {(a, b): float(matrix[x, y]) for x, a in enumerate(cats) for y, b in enumerate(cats)}
    seat = atlas.regions.get(ini.seat_region or "")
    rows: list[dict[str, Any]] = []
    for other in _active(atlas):
        if other.id == ini.id:
            continue
        shared = sorted(set(ini.categories) & set(other.categories))
        related = sorted({(a, b, phi[a, b]) for a in ini.categories
                          for b in other.categories
                          if a != b and phi.get((a, b), 0.0) >= min_proximity},
                         key=lambda t: -t[2])
        if not shared and not related:
            continue
        there = atlas.regions.get(other.seat_region or "")
        km = seat.distance_km(there) if seat is not None and there is not None else None
        if other.scope != "statewide" and (km is None or km > max_km):
            continue
        rows.append({"initiative": other.id, "name": other.name, "scope": other.scope,
                     "seat_region": other.seat_region, "distance_km": km,
                     "shared_categories": shared,
                     "related_categories": [{"own": a, "theirs": b, "proximity": p}
                                            for a, b, p in related[:3]],
                     "score": 1.0 if shared else related[0][2]})
    rows.sort(key=lambda r: (-float(r["score"]), r["distance_km"] or 0.0))
    return {"initiative": ini.id, "name": ini.name, "max_km": max_km, "year": y,
            "partners": rows}
