"""The embedded demo's content: the synthetic panel, the schematic tile map and the
transcribed initiatives, built in memory (writing them is
:func:`clusteratlas.service.demo.build_demo`'s job)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from clusteratlas import reference
from clusteratlas.core.tilemap import hex_tile_layout
from clusteratlas.demo.synthetic import synthetic_panel
from clusteratlas.errors import InputError, UnknownCodeError
from clusteratlas.model.panel import Panel

__all__ = ["DEMO_PANEL_ID", "SYNTHETIC_LABEL", "demo_aggregate", "demo_initiatives",
           "demo_panel", "schematic_geometries"]

DEMO_PANEL_ID = "demo-synthetic-panel"
SYNTHETIC_LABEL = "Synthetic demo data – invented numbers, not official statistics"
FACTS_SOURCE = "Public web pages named per initiative (see its sources); transcribed 2026"


def demo_initiatives() -> list[dict[str, Any]]:
    """The transcribed initiative facts, validated against regions and categories."""
    text = resources.files("clusteratlas").joinpath("data", "demo", "bw_initiatives.yaml")
    items: list[dict[str, Any]] = yaml.safe_load(text.read_text(encoding="utf-8"))["initiatives"]
    regions = reference.bw_regions()
    categories = reference.default_categories()
    for item in items:
        for code in [item.get("seat"), *(item.get("serves") or [])]:
            if code is not None and code not in regions:
                raise UnknownCodeError(f"initiative {item['id']!r}: region {code!r} is unknown")
        for cat in item.get("categories") or []:
            if cat not in categories:
                raise UnknownCodeError(f"initiative {item['id']!r}: category {cat!r} is unknown")
        if not item.get("sources"):
            raise InputError(f"initiative {item['id']!r} has no source")
    return items


def schematic_geometries(dataset_id: str) -> pd.DataFrame:
    """Hexagon tiles for the 44 districts as GeoJSON polygons in layout units."""
    districts = reference.bw_regions().at_level("district")
    lon = [float(r.lon) if r.lon is not None else float("nan") for r in districts]
    lat = [float(r.lat) if r.lat is not None else float("nan") for r in districts]
    _, polygons = hex_tile_layout(lon, lat)
    return pd.DataFrame(
        {
            "region": [r.code for r in districts],
            "layer": "schematic",
            "geojson": [
                json.dumps({"type": "Polygon", "coordinates": [[*poly, poly[0]]]})
                for poly in polygons
            ],
            "dataset_id": dataset_id,
        }
    )


def _fact(fact: str | dict[str, str]) -> dict[str, str | None]:
    """A fact of the file: ``{de: …, en: …}`` or one German text."""
    if isinstance(fact, dict):
        return {"text": str(fact.get("de") or fact["en"]), "text_en": fact.get("en")}
    return {"text": str(fact), "text_en": None}


def demo_aggregate(item: dict[str, Any]) -> dict[str, Any]:
    """One transcribed initiative in the registry's import form (German texts in the
    fields, English ones in their ``*_en`` variants)."""
    return {
        "id": item["id"], "name": item["name"], "kind": item.get("kind") or "initiative",
        "sector": item.get("sector") or "", "sector_en": item.get("sector_en"),
        "seat_town": item.get("seat_town") or "",
        "seat_region": item.get("seat"), "scope": item.get("scope") or "regional",
        "managing_organisation": item.get("managing_organisation") or "",
        "managing_organisation_en": item.get("managing_organisation_en"),
        "founded": item.get("founded"), "members_text": item.get("members"),
        "members_text_en": item.get("members_en"),
        "staff_text": item.get("staff"), "staff_text_en": item.get("staff_en"),
        "status": "active",
        "regions_served": list(item.get("serves") or []),
        "categories": list(item.get("categories") or []),
        "facts": [_fact(f) for f in item.get("facts") or []],
        "sources": [{"url": str(u)} for u in item.get("sources") or []],
        "labels": item.get("labels") or [], "projects": item.get("projects") or [],
        "cooperations": item.get("cooperations") or [],
        "visibility": {}, "archived": False,
    }


def demo_panel() -> Panel:
    """The synthetic employment panel of the 44 districts (seeded, reproducible)."""
    regions = reference.bw_regions()
    wz = reference.wz2008()
    frame = synthetic_panel(regions.at_level("district"), wz, reference.default_categories())
    return Panel.from_frame(frame, source="synthetic demo panel", classification=wz,
                            regions=regions)
