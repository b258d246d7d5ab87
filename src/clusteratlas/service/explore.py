"""The atlas's browsing questions: the categories, one category across regions, regions
side by side, trends and search.  Plain data for the pages and their JSON twins."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from clusteratlas.core.collation import collation_key
from clusteratlas.core.concentration import hoover_localisation, locational_gini
from clusteratlas.errors import ClusteratlasError, InputError
from clusteratlas.service._json import json_number as _num
from clusteratlas.service.atlas import Atlas

__all__ = [
    "MAX_COMPARE", "MIN_QUERY", "by_name", "canonical_region_code", "category_profile", "compare",
    "district_seats", "list_categories", "search", "trends",
]

MAX_COMPARE = 5


def list_categories(atlas: Atlas, lang: str = "de") -> list[dict[str, Any]]:
    """The cluster categories with their names and industry codes."""
    return [
        {"code": c.code, "name": c.name(lang), "name_de": c.name_de, "name_en": c.name_en,
         "group": c.group, "include": list(c.include), "exclude": list(c.exclude),
         "description": c.describe(lang)}
        for c in atlas.categories.categories
    ]


def category_profile(atlas: Atlas, code: str, *, year: int | None = None,
                     lang: str = "de") -> dict[str, Any]:
    """One cluster category: every region ranked by LQ, the category's concentration
    (Hoover, locational Gini, herfindahl of regional shares), its statewide trend and the
    initiatives working on it."""
    cat = atlas.categories[atlas.category(code)]
    y = atlas.year_or_latest(year)
    ind = atlas.indicators
    part = ind[(ind["category"] == cat.code) & (ind["year"] == y)]
    regions_y = ind[ind["year"] == y].groupby("region")["region_total"].first()
    emp = part.set_index("region")["employment"].reindex(regions_y.index).fillna(0.0)
    totals = regions_y.to_numpy(dtype=float)
    column = emp.to_numpy(dtype=float)[:, None]
    hoover = float(hoover_localisation(column, region_totals=totals)[0])
    gini = float(locational_gini(column, region_totals=totals)[0])
    shares = column[:, 0] / column.sum() if column.sum() > 0 else column[:, 0]
    ranking = []
    for rec in part.sort_values("lq", ascending=False).to_dict("records"):
        region = atlas.regions[rec["region"]]
        ranking.append({"region": rec["region"], "name": region.display_name,
                        "lq": _num(rec["lq"]), "employment": _num(rec["employment"]),
                        "establishments": _num(rec["establishments"]),
                        "share_of_category": _num(rec["share_of_category"]),
                        "stars": int(rec["stars"]), "strong": bool(rec["strong"]),
                        "cagr_5y": _num(rec["cagr"])})
    trend = ind[ind["category"] == cat.code].groupby("year")["employment"].sum()
    initiatives = [{"id": i.id, "name": i.name, "scope": i.scope,
                    "seat_region": i.seat_region, "regions_served": list(i.regions)}
                   for i in atlas.shown() if i.kind == "initiative"
                   and cat.code in i.categories]
    return {
        "category": {"code": cat.code, "name": cat.name(lang), "group": cat.group,
                     "description": cat.describe(lang), "include": list(cat.include)},
        "year": y, "years": atlas.years,
        "employment": float(column.sum()),
        "concentration": {"hoover": hoover, "gini": gini,
                          "herfindahl": float((shares ** 2).sum())},
        "trend": [{"year": int(str(k)), "employment": float(v)} for k, v in trend.items()],
        "ranking": ranking, "initiatives": initiatives, **atlas.meta()}


def compare(atlas: Atlas, codes: Sequence[str], *, year: int | None = None,
            lang: str = "de") -> dict[str, Any]:
    """Up to five regions side by side: each category's employment, LQ and stars."""
    wanted = [c for c in dict.fromkeys(x.strip() for x in codes) if c]
    if not wanted:
        raise InputError("name at least one region to compare (regions=08111,08212)")
    if len(wanted) > MAX_COMPARE:
        raise InputError(f"compare at most {MAX_COMPARE} regions at once "
                         f"({len(wanted)} given)")
    regions = [atlas.region(c) for c in wanted]
    y = atlas.year_or_latest(year)
    part = atlas.indicators[atlas.indicators["year"] == y]
    cells: dict[tuple[str, str], dict[str, Any]] = {
        (str(rec["region"]), str(rec["category"])): {str(k): v for k, v in rec.items()}
        for rec in part.to_dict("records")}
    rows = []
    for cat in atlas.categories.categories:
        row: dict[str, Any] = {"category": cat.code, "name": cat.name(lang)}
        for r in regions:
            rec = cells.get((r.code, cat.code))
            row[f"{r.code} employment"] = _num(rec["employment"]) if rec else None
            row[f"{r.code} lq"] = _num(rec["lq"]) if rec else None
            row[f"{r.code} stars"] = int(rec["stars"]) if rec else None
        rows.append(row)
    totals = {r.code: next((_num(rec["region_total"]) for (code, _), rec in cells.items()
                            if code == r.code), None) for r in regions}
    return {"year": y, "regions": [{"code": r.code, "name": r.display_name,
                                    "total_employment": totals[r.code]} for r in regions],
            "rows": rows, **atlas.meta()}


def trends(atlas: Atlas, code: str, categories: Sequence[str]) -> list[dict[str, Any]]:
    """Employment of a region in some categories, year by year."""
    region = atlas.region(code)
    ind = atlas.indicators
    part = ind[(ind["region"] == region.code) & ind["category"].isin(list(categories))]
    out = []
    for cat in categories:
        series = part[part["category"] == cat].sort_values("year")
        out.append({"category": cat,
                    "points": [{"year": int(y), "employment": _num(e)} for y, e in
                               zip(series["year"], series["employment"], strict=True)]})
    return out


#: the shortest search text: one letter would match nearly everything
MIN_QUERY = 2


def _fold(text: str) -> str:
    """``text`` for matching: lower case, accents dropped ("Müller" ~ "muller"), ß as ss."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _synonyms() -> dict[str, tuple[str, ...]]:
    """Search words of the default categories by code (data/categories/synonyms.yaml)."""
    raw = yaml.safe_load(files("clusteratlas.data.categories").joinpath(
        "synonyms.yaml").read_text(encoding="utf-8"))
    return {str(code): tuple(str(w) for w in words) for code, words in raw.items()}


@cache
def district_seats() -> dict[str, str]:
    """The seat town (Kreisstadt) of each district by register code, from the package's
    code list ``data/regions/de_district_seats.csv`` (Baden-Württemberg's 44 Kreise;
    sources in ``data/README.md``).  Other registers' districts are found by name."""
    text = files("clusteratlas.data.regions").joinpath("de_district_seats.csv").read_text(
        encoding="utf-8")
    return {row["ags"]: row["seat"] for row in csv.DictReader(io.StringIO(text))}


def canonical_region_code(atlas: Atlas, code: str) -> str:
    """The register code of the region ``code`` names in any written form (AGS without
    its leading zero as spreadsheets keep it, NUTS, ...); ``code`` itself if none does,
    so that the caller's lookup reports it."""
    try:
        return atlas.regions.lookup(code).code
    except ClusteratlasError:
        return code


def search(atlas: Atlas, q: str, *, lang: str = "de", registry: Any = None) -> dict[str, Any]:
    """Regions, categories and initiatives matching ``q``, case- and accent-insensitively.

    Regions by name, code (also without its leading zero), NUTS code, their seat town
    (:func:`district_seats`: "Friedrichshafen" finds the Bodenseekreis) or the town of an
    initiative seated there; categories by German or English name, synonym, code or an
    industry code; initiatives by name or seat town (and, with ``registry``, the
    registry's own text search).
    """
    text = _fold(q.strip())
    if len(text) < MIN_QUERY:
        raise InputError(f"search for at least {MIN_QUERY} characters")
    # "8435" is how a spreadsheet writes AGS 08435
    padded = text.zfill(5) if text.isdigit() and len(text) == 4 else text
    found = registry.find(text=q.strip(), per_page=20).items if registry is not None else []
    initiatives = [{"id": i["id"], "name": i["name"], "sector": i["sector"],
                    "sector_en": i.get("sector_en")} for i in found]
    seen = {i["id"] for i in initiatives}
    seat_regions: set[str] = set()
    for rec in atlas.shown():
        by_town = text in _fold(rec.seat_town or "")
        if by_town and rec.seat_region:
            seat_regions.add(rec.seat_region)
        if (by_town or text in _fold(rec.name)) and rec.id not in seen:
            seen.add(rec.id)
            initiatives.append({"id": rec.id, "name": rec.name, "sector": rec.sector,
                                "sector_en": rec.sector_en})
    seats = district_seats()
    regions = [{"code": r.code, "name": r.display_name} for r in atlas.mapped_regions
               if text in _fold(r.display_name) or text in _fold(r.name)
               or text in _fold(seats.get(r.code, ""))
               or text in r.code.lower() or padded == r.code
               or text in _fold(r.alt_codes.get("nuts") or "") or r.code in seat_regions]
    synonyms = _synonyms()
    cats = [{"code": c.code, "name": c.name(lang)} for c in atlas.categories.categories
            if any(text in _fold(word) for word in
                   (c.name_de, c.name_en, c.code, *synonyms.get(c.code, ())))
            or any(text == i.lower() for i in c.include)]
    return {"q": q, "regions": regions, "categories": cats, "initiatives": initiatives,
            "count": len(regions) + len(cats) + len(initiatives)}


def by_name(items: Sequence[dict[str, Any]], field: str = "name") -> list[dict[str, Any]]:
    """``items`` in the reader's alphabetical order of ``field`` (case-insensitive,
    umlauts beside their base letter: :func:`clusteratlas.core.collation.collation_key`),
    for the lists and menus of names the pages show."""
    return sorted(items, key=lambda item: collation_key(str(item[field])))
