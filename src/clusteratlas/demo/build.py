"""Build the embedded demo into a data directory."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from clusteratlas import reference
from clusteratlas.core.tilemap import hex_tile_layout
from clusteratlas.demo.synthetic import SEED, synthetic_panel
from clusteratlas.errors import InputError, UnknownCodeError
from clusteratlas.model.panel import Panel
from clusteratlas.registry.store import RegistryStore
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import DatasetInfo, StatsStore

__all__ = ["DEMO_PANEL_ID", "SYNTHETIC_LABEL", "build_demo", "demo_initiatives", "schematic_geometries"]

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


def demo_aggregate(item: dict[str, Any]) -> dict[str, Any]:
    """One transcribed initiative in the registry's import form."""
    return {
        "id": item["id"], "name": item["name"], "kind": item.get("kind") or "initiative",
        "sector": item.get("sector") or "", "seat_town": item.get("seat_town") or "",
        "seat_region": item.get("seat"), "scope": item.get("scope") or "regional",
        "managing_organisation": item.get("managing_organisation") or "",
        "founded": item.get("founded"), "members_text": item.get("members"),
        "staff_text": item.get("staff"), "status": "active",
        "regions_served": list(item.get("serves") or []),
        "categories": list(item.get("categories") or []),
        "facts": [{"text": str(f)} for f in item.get("facts") or []],
        "sources": [{"url": str(u)} for u in item.get("sources") or []],
        "labels": item.get("labels") or [], "projects": item.get("projects") or [],
        "cooperations": item.get("cooperations") or [],
        "visibility": {}, "archived": False,
    }


def seed_registry(store: RegistryStore, items: list[dict[str, Any]]) -> int:
    """Import the transcribed initiatives through the registry service (audited as
    ``demo``); an existing registry keeps its users and history."""
    from clusteratlas.registry.auth import Actor
    from clusteratlas.service.registry import RegistryService
    from clusteratlas.service.registry.transfer import import_registry

    store.migrate()
    service = RegistryService(store, regions=reference.bw_regions(),
                              categories=[c.code for c in reference.default_categories().categories])
    counts = import_registry(service, [demo_aggregate(i) for i in items],
                             Actor("demo", "admin"), source="bw_initiatives.yaml")
    return counts["created"] + counts["replaced"]


def build_demo(data_dir: DataDir) -> dict[str, int]:
    """Write the demo (regions, tile map, synthetic panel, registry) into ``data_dir``.

    Everything is built and validated in memory first; each database is then
    replaced in a single transaction.
    """
    data_dir.ensure()
    regions = reference.bw_regions()
    districts = regions.at_level("district")
    wz = reference.wz2008()
    categories = reference.default_categories()
    frame = synthetic_panel(districts, wz, categories)
    panel = Panel.from_frame(frame, source="synthetic demo panel", classification=wz,
                             regions=regions)
    initiatives = demo_initiatives()
    now = datetime.now(UTC)
    hashed = pd.util.hash_pandas_object(panel.frame).to_numpy()
    content_hash = hashlib.sha256(hashed.tobytes()).hexdigest()
    datasets = [
        DatasetInfo(
            id=DEMO_PANEL_ID, kind="panel",
            title="Employment by district and WZ 2008 industry, 2015–2024 (synthetic)",
            source=f"Generated by Clusteratlas (seed {SEED}); calibrated to about 4.7 million "
            "employees in Baden-Württemberg 2018, with planted agglomerations",
            licence="CC0-1.0", attribution=SYNTHETIC_LABEL, is_synthetic=True,
            classification="wz2008", content_hash=content_hash, imported_at=now,
            notes="WZ divisions, refined where a cluster category needs finer codes; "
            "cells with a single establishment are suppressed",
        ),
        DatasetInfo(
            id="de-bw-districts", kind="regions",
            title="Baden-Württemberg: 44 Stadt- und Landkreise (codes, names, population)",
            source=reference.BW_REGIONS_SOURCE, licence="dl-de/by-2.0",
            attribution="© GeoBasis-DE / BKG 2021 (Daten verändert); "
            "© Statistisches Bundesamt (Destatis), 2019",
            is_synthetic=False, imported_at=now,
        ),
        DatasetInfo(
            id="schematic-tiles", kind="boundaries",
            title="Schematic hexagon tile map (one equal tile per district)",
            source="Built by Clusteratlas from district centre points "
            "(© GeoBasis-DE / BKG 2021, Daten verändert)",
            licence="dl-de/by-2.0", attribution="Schematic map, not official boundaries; "
            "positions © GeoBasis-DE / BKG 2021 (Daten verändert)",
            is_synthetic=False, imported_at=now,
        ),
    ]
    observations = panel.frame.assign(dataset_id=DEMO_PANEL_ID)
    if "wages" not in observations:
        observations["wages"] = float("nan")
    StatsStore(data_dir.stats_file).replace_all(
        datasets=datasets,
        regions=list(regions.values()),
        region_dataset="de-bw-districts",
        geometries=schematic_geometries("schematic-tiles"),
        observations=observations,
        settings={"active_panel": DEMO_PANEL_ID, "active_layer": "schematic",
                  "category_set": categories.name},
    )
    registry = RegistryStore(data_dir.registry_url)
    try:
        n_init = seed_registry(registry, initiatives)
    finally:
        registry.close()
    return {"regions": len(districts), "observations": len(observations), "initiatives": n_init}
