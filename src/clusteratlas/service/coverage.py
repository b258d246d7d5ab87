"""Coverage and gaps: which agglomerations an initiative covers, which none does, and
the statewide portfolio.  Methods and caveats: ``docs/alignment.md``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas.errors import InputError
from clusteratlas.service.atlas import Atlas

__all__ = ["STATUSES", "CoverageRule", "coverage", "portfolio", "statuses_for"]

STATUSES = ("covered", "gap", "no_base", "emerging", "none")


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
    for i in atlas.active_initiatives():
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


def statuses_for(atlas: Atlas, category: str | None, year: int | None) -> dict[str, str]:
    """Coverage status of every region for one category (the map's coverage layer)."""
    cov = coverage(atlas, year=year)
    code = atlas.category(category)
    part = cov[cov["category"] == code]
    return dict(zip(part["region"], part["status"], strict=True))
