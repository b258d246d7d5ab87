"""Coverage and gaps: which agglomerations an initiative covers, which none does, and
the statewide portfolio.  Methods and caveats: ``docs/alignment.md``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas import reference
from clusteratlas.errors import InputError
from clusteratlas.service.atlas import Atlas

__all__ = ["AGGLOMERATION_STATUSES", "COVERED_STATUSES", "STATUSES", "CoverageRule",
           "coverage", "field_names", "fields_within", "portfolio", "statuses_for", "wz_within"]

#: every status of a cell, in the order of the legends
STATUSES = ("covered", "covered_statewide", "covered_within", "gap", "emerging", "no_base",
            "statewide_network", "within_section", "none")
#: the statuses of an agglomeration, and of a covered one
AGGLOMERATION_STATUSES = ("covered", "covered_statewide", "covered_within", "gap")
COVERED_STATUSES = ("covered", "covered_statewide", "covered_within")


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

    - ``covered``: an agglomeration with an initiative serving the region;
    - ``covered_statewide``: an agglomeration covered only by a statewide network;
    - ``covered_within``: an agglomeration of a category coarser than the initiative's
      field (a WZ section on section-level data) with an initiative whose field lies
      within it: covered as far as the data can tell;
    - ``gap``: an agglomeration without any;
    - ``emerging``: growing fast from a specialised base, not yet an agglomeration;
    - ``no_base``: an initiative serving the region without an agglomeration (nor an
      emerging one) under it;
    - ``statewide_network``: only a statewide network works on the category here, and
      there is no agglomeration — a network's reach, not a misplaced initiative;
    - ``within_section``: an initiative's field lies within the (coarser) category,
      which is no agglomeration here; the data cannot tell whether the field is one;
    - ``none``: none of these.

    The ``coverage`` column says how: ``regional``, ``statewide`` or ``within`` (the
    initiative's field is finer than the category, ``within_of`` lists its fields).
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
    codes = set(atlas.categories)
    active = [i for i in atlas.active_initiatives() if i.founded is None or i.founded <= y]
    # an initiative's field the atlas does not map (coarser data): the categories it is in
    inner = _coarse_fields(atlas, {f for i in active for f in i.categories if f not in codes})
    direct: dict[tuple[str, str], list[str]] = {}  # (region or "*" statewide, category)
    inside: dict[tuple[str, str], list[str]] = {}  # the same through a finer field
    fields: dict[tuple[str, str], list[str]] = {}
    for i in active:
        where = [*i.regions, *(["*"] if i.scope == "statewide" and rule.statewide_covers
                               else [])]
        for field in i.categories:
            for c in [field] if field in codes else inner.get(field, ()):
                for r in where:
                    _add(direct if field in codes else inside, (r, c), i.id)
                    if field not in codes:
                        _add(fields, (r, c), field)
    keys = list(zip(cells["region"], cells["category"], strict=True))

    def ids(table: dict[tuple[str, str], list[str]], key: tuple[str, str]) -> list[str]:
        return table.get(key, [])

    own = [_union(ids(direct, k), ids(inside, k)) for k in keys]
    state = [[s for s in _union(ids(direct, ("*", k[1])), ids(inside, ("*", k[1])))
              if s not in o] for o, k in zip(own, keys, strict=True)]
    via = [sorted(set(ids(fields, k) + ids(fields, ("*", k[1])))) for k in keys]
    covering = [o + st for o, st in zip(own, state, strict=True)]
    has_own = np.array([bool(o) for o in own], dtype=bool)
    has_state = np.array([bool(st) for st in state], dtype=bool)
    only_within = np.array([bool(c) and not (ids(direct, k) or ids(direct, ("*", k[1])))
                            for c, k in zip(covering, keys, strict=True)], dtype=bool)
    a = agglo.to_numpy()
    status = np.select(
        [a & only_within, a & has_own, a & has_state, a, emerging.to_numpy(),
         only_within, has_own, has_state],
        ["covered_within", "covered", "covered_statewide", "gap", "emerging",
         "within_section", "no_base", "statewide_network"], default="none")
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
        "coverage": ["within" if w else "regional" if o else "statewide" if st else ""
                     for o, st, w in zip(own, state, only_within, strict=True)],
        "within_of": [";".join(f) for f in via],
        "status": status,
    })
    return out.sort_values(["region", "category"]).reset_index(drop=True)


def portfolio(atlas: Atlas, *, year: int | None = None, rule: CoverageRule = CoverageRule(),
              top: int = 20) -> dict[str, Any]:
    """The statewide view: employment by status, the number of agglomerations and of
    covered ones (regionally, statewide or within a coarser category), the covered share
    of agglomeration employment, gaps ranked by employment, initiatives per category, overlaps."""
    cov = coverage(atlas, year=year, rule=rule)
    emp = cov["employment"].fillna(0)
    by_status = {s: {"cells": int((cov["status"] == s).sum()),
                     "employment": float(emp[cov["status"] == s].sum())} for s in STATUSES}
    agglo_emp = float(emp[cov["agglomeration"]].sum())
    covered = cov["status"].isin(COVERED_STATUSES)
    covered_emp = float(emp[covered].sum())
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
            "covered": int(part["status"].isin(COVERED_STATUSES).sum()),
            "gaps": int((part["status"] == "gap").sum()),
            "initiatives": ids})
    return {
        "year": int(cov["year"].iloc[0]), "rule": asdict(rule), "by_status": by_status,
        "agglomerations": int(cov["agglomeration"].sum()), "covered": int(covered.sum()),
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


def _add(table: dict[Any, list[str]], key: Any, value: str) -> None:
    entry = table.setdefault(key, [])
    if value not in entry:
        entry.append(value)


def _union(first: list[str], second: list[str]) -> list[str]:
    return first + [s for s in second if s not in first]


def fields_within(fields: Mapping[str, Iterable[str]], categories: Mapping[str, Iterable[str]],
                  is_within: Callable[[str, str], bool]) -> dict[str, tuple[str, ...]]:
    """The categories each field lies (partly) within.

    ``fields`` and ``categories`` map codes to industry codes (a category's
    ``include``); a field lies within a category when one of its industry codes lies
    within one of the category's, by ``is_within(code, container)`` — e.g. the field
    *photonics* (WZ 26.70, 27.31) within the section category *C*.  A field spanning
    two sections lies within both.  Fields within no category get an empty tuple.
    """
    cats = {c: tuple(inc) for c, inc in categories.items()}
    return {f: tuple(c for c, inc in cats.items()
                     if any(is_within(x, box) for x in codes for box in inc))
            for f, codes in ((f, tuple(v)) for f, v in fields.items())}


_RANGE = re.compile(r"^(?:WZ08-)?([A-U])-([A-U])$")


def wz_within(classification: Mapping[str, Any]) -> Callable[[str, str], bool]:
    """``is_within(code, container)`` over WZ 2008 (a :class:`Classification`), where a
    container may also be a range of sections as official tables publish them
    (``G-I``: sections G, H and I; ``WZ08-C``: section C)."""

    def section(code: str) -> str | None:
        if code not in classification:
            return None
        chain = [code, *classification.ancestors(code)]  # type: ignore[attr-defined]
        return str(chain[-1])

    def is_within(code: str, container: str) -> bool:
        box = container.removeprefix("WZ08-")
        if box in classification:
            return code in classification and bool(
                classification.is_within(code, box))  # type: ignore[attr-defined]
        m = _RANGE.match(container)
        sec = section(code)
        return bool(m and sec is not None and m.group(1) <= sec <= m.group(2))

    return is_within


def _coarse_fields(atlas: Atlas, fields: set[str]) -> dict[str, tuple[str, ...]]:
    """The atlas categories each initiative field (a category of the default set that
    the atlas does not map) lies within — on section-level data, its WZ sections."""
    if not fields:
        return {}
    default = reference.default_categories()
    known = {f: default[f].include for f in fields if f in default}
    return fields_within(known, {c.code: c.include for c in atlas.categories.categories},
                         wz_within(reference.wz2008()))


def field_names(codes: str, lang: str = "de") -> str:
    """The initiatives' fields of a ``within_of`` entry (``"photonics;microsystems"``) by
    their names in ``lang``, for a sentence."""
    default = reference.default_categories()
    return ", ".join(default[c].name(lang) if c in default else c
                     for c in codes.split(";") if c)
