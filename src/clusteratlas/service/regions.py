"""The regions of the atlas: the list, one district's profile and its nearest
neighbours.  Plain data for the pages, the API and the briefings."""

from __future__ import annotations

from typing import Any

from clusteratlas import reference
from clusteratlas.errors import InputError
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.records import InitiativeRecord
from clusteratlas.service._json import json_number as _num
from clusteratlas.service.atlas import Atlas

__all__ = ["initiative_summary", "list_regions", "neighbours", "region_profile",
           "region_view", "scopes"]


def region_view(atlas: Atlas, code: str, *, scope: str | None = None,
                reference: str | None = None, comparison: str | None = None) -> Atlas:
    """The view (:meth:`Atlas.view`) a district's profile is read from: the one of
    ``scope``; without a scope the default one, or, for a district of the panel outside
    it, the whole panel's (the country's), so that every district of the data has its
    page.

    Raises
    ------
    InputError
        ``scope`` is given and does not hold the district.
    """
    view = atlas.view(scope, reference, comparison)
    root = atlas.root or atlas
    region = root.regions.resolve(code)
    if region.code not in root.panel_districts or region in view.mapped_regions:
        return view
    if scope is not None:
        assert view.choice is not None
        raise InputError(f"scope={scope!r}: region {region.code} ({region.display_name}) is "
                         f"not in {view.choice.scope.display_name}; expected a scope holding "
                         "it, or none")
    top = [region, *root.regions.ancestors(region.code)][-1]
    return atlas.view(top.code, reference, comparison)


def list_regions(atlas: Atlas) -> list[dict[str, Any]]:
    """Every mapped region of the atlas's scope with its codes (AGS and NUTS-3 beside
    the atlas's own)."""
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
    # the years the mapped growth spans (five, or all the panel has when it has fewer)
    growth_span = ([y - atlas.options.span, y] if y - atlas.options.span >= atlas.years[0]
                   else None)
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
            "growth_span": growth_span,
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
        "id": i.id, "name": i.name, "sector": i.sector, "sector_en": i.sector_en,
        "scope": i.scope, "seat_region": i.seat_region, "seat_town": i.seat_town,
        "managing_organisation": i.managing_organisation,
        "managing_organisation_en": i.managing_organisation_en, "founded": i.founded,
        "members": i.members, "members_en": i.members_en, "staff": i.staff,
        "staff_en": i.staff_en,
        "categories": [{"code": c, "name": _category_name(atlas, c, lang)}
                       for c in i.categories],
        "regions_served": list(i.regions), "facts": list(i.facts),
        "facts_en": list(i.facts_en), "sources": list(i.sources),
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


def scopes(atlas: Atlas, *, region: str | None = None) -> list[dict[str, Any]]:
    """The scopes a page offers: the regions above ``region`` (from the smallest), or,
    without one, every region of the register holding districts of the data (the
    country first, then the Länder or states, then the Regierungsbezirke); each with
    ``current`` set for the view's scope."""
    root = atlas.root or atlas
    current = atlas.choice.scope.code if atlas.choice is not None else None
    held = set(root.panel_districts)
    if region is not None:
        chosen = root.regions.ancestors(region)
    else:
        above: dict[str, int] = {}
        for code in held:
            for depth, r in enumerate(reversed(root.regions.ancestors(code))):
                above.setdefault(r.code, depth)
        chosen = sorted((root.regions[c] for c in above),
                        key=lambda r: (above[r.code], r.code))
    return [{"code": r.code, "name": r.display_name, "level": r.level,
             "current": r.code == current} for r in chosen]
