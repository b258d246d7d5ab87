"""The regions of the atlas: the list, one district's profile and its nearest
neighbours.  Plain data for the pages, the API and the briefings."""

from __future__ import annotations

from typing import Any

from clusteratlas import reference
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.store import InitiativeRecord
from clusteratlas.service._json import json_number as _num
from clusteratlas.service.atlas import Atlas

__all__ = ["initiative_summary", "list_regions", "neighbours", "region_profile"]


def list_regions(atlas: Atlas) -> list[dict[str, Any]]:
    """Every mapped region with its codes (AGS and NUTS-3 beside the atlas's own)."""
    out = []
    for r in atlas.mapped_regions:
        d = r.to_dict()
        d["ags"] = r.alt_codes.get("ags")
        d["nuts3"] = r.alt_codes.get("nuts")
        out.append(d)
    return out


def region_profile(atlas: Atlas, code: str, *, year: int | None = None,
                   lang: str = "de", actor: Actor = ANONYMOUS) -> dict[str, Any]:
    """A district's categories (employment, LQ, shares) and the initiatives serving it,
    as ``actor`` may see them (the public by default)."""
    region = atlas.region(code)
    y = atlas.year_or_latest(year)
    ind = atlas.indicators
    part = ind[(ind["region"] == region.code) & (ind["year"] == y)]
    first = ind[(ind["region"] == region.code)
                & (ind["year"] == atlas.years[0])].set_index("category")
    serving = atlas.serving(region.code, actor)
    rows: list[dict[str, Any]] = []
    for rec in part.sort_values("employment", ascending=False).to_dict("records"):
        cat = atlas.categories[rec["category"]]
        start = first["employment"].get(rec["category"])
        initiatives = [i.id for i in serving if cat.code in i.categories]
        rows.append({
            "category": cat.code, "name": cat.name(lang),
            "employment": _num(rec["employment"]),
            "establishments": _num(rec["establishments"]),
            "lq": _num(rec["lq"]),
            "share_of_region": _num(rec["share_of_region"]),
            "share_of_category": _num(rec["share_of_category"]),
            "suppressed_cells": int(rec["suppressed_cells"]),
            "stars": int(rec["stars"]),
            "star_size": bool(rec["star_size"]),
            "star_specialisation": bool(rec["star_specialisation"]),
            "star_focus": bool(rec["star_focus"]),
            "strong": bool(rec["strong"]),
            "cagr_5y": _num(rec["cagr"]),
            "change_since_first_year": _num(rec["employment"] - start)
            if start is not None else None,
            "initiatives": initiatives,
        })
    by_lq = sorted((r for r in rows if r["lq"] is not None), key=lambda r: -float(r["lq"]))
    statewide = [i for i in atlas.shown(actor) if i.kind == "initiative"
                 and i.scope == "statewide" and i not in serving]
    total = float(part["region_total"].iloc[0]) if len(part) else None
    return {
        "region": {**region.to_dict(), "ags": region.alt_codes.get("ags"),
                   "nuts3": region.alt_codes.get("nuts")},
        "year": y,
        "years": atlas.years,
        "total_employment": _num(total),
        "categories": rows,
        "top_by_lq": [r["category"] for r in by_lq[:5]],
        "initiatives": [initiative_summary(atlas, i, lang) for i in serving],
        "statewide_networks": [initiative_summary(atlas, i, lang) for i in statewide],
        **atlas.meta(),
    }


def initiative_summary(atlas: Atlas, i: InitiativeRecord, lang: str) -> dict[str, Any]:
    """What a region's profile shows of an initiative serving it: ``i`` as the atlas
    shows it to the caller (:meth:`Atlas.shown`), its hidden groups named."""
    return {
        "id": i.id, "name": i.name, "sector": i.sector, "scope": i.scope,
        "seat_region": i.seat_region, "seat_town": i.seat_town,
        "managing_organisation": i.managing_organisation, "founded": i.founded,
        "members": i.members, "staff": i.staff,
        "categories": [{"code": c, "name": _category_name(atlas, c, lang)}
                       for c in i.categories],
        "regions_served": list(i.regions), "facts": list(i.facts), "sources": list(i.sources),
        "hidden_groups": list(i.hidden_groups),
    }


def _category_name(atlas: Atlas, code: str, lang: str) -> str:
    """A category's name: the atlas' own, else the default set's (an initiative keeps its
    field when the atlas maps coarser categories, e.g. WZ sections), else its code."""
    if code in atlas.categories:
        return atlas.categories[code].name(lang)
    default = reference.default_categories()
    return default[code].name(lang) if code in default else code


def neighbours(atlas: Atlas, code: str, *, n: int = 5) -> list[str]:
    """The ``n`` mapped regions whose representative points are nearest."""
    here = atlas.region(code)
    out = [(d, r.code) for r in atlas.mapped_regions
           if r.code != here.code and (d := here.distance_km(r)) is not None]
    return [c for _, c in sorted(out)[:n]]
