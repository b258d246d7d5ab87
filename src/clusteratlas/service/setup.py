"""Setting a data directory up: demo, status, boundary import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas import reference
from clusteratlas.errors import StoreError
from clusteratlas.service.provenance import provenance_entries
from clusteratlas.service.registry_reads import ensure_registry
from clusteratlas.sources.boundaries import read_boundaries
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import HOME_SCOPE, DatasetInfo, StatsStore

__all__ = ["HOME_SCOPE", "REGISTER_DATASET_ID", "build_demo_store", "describe_store",
           "ensure_store", "home_scope", "import_boundaries", "initialise_store",
           "ready_atlas"]

#: the dataset id of the shipped region registers in an initialised store
REGISTER_DATASET_ID = "register-de-us"


def _imported(data_dir: DataDir) -> list[DatasetInfo]:
    if not data_dir.stats_file.exists():
        return []
    stats = StatsStore(data_dir.stats_file)
    if stats.is_empty():
        return []
    snap = stats.read_snapshot()
    return [d for d in snap["datasets"] if d.kind in ("panel", "boundaries")
            and not d.is_synthetic and d.id != "schematic-tiles"]


def _register_dataset() -> DatasetInfo:
    return DatasetInfo(
        id=REGISTER_DATASET_ID, kind="regions",
        title="Region registers: Germany (Kreise as of 01.07.2021, Regierungsbezirke, Länder) "
        "and the United States (states, counties of the Census 2020 set)",
        source=f"{reference.DE_REGIONS_SOURCE}; {reference.US_REGIONS_SOURCE}",
        licence="dl-de/by-2.0; public domain",
        attribution="© GeoBasis-DE / BKG 2021 (Daten verändert), dl-de/by-2.0, www.bkg.bund.de; "
        "© Statistisches Bundesamt (Destatis), 2021, dl-de/by-2.0, "
        "www.govdata.de/dl-de/by-2-0; US Census Bureau (FIPS codes), public domain",
        is_synthetic=False, imported_at=datetime.now(UTC),
    )


def initialise_store(data_dir: DataDir, home: str) -> bool:
    """Initialise an empty data directory for imports: the shipped registers of Germany
    and the US as its regions (one dataset of kind ``regions``), no panel, the home
    scope ``home``, and an empty (migrated) registry – no demo.  True when it did;
    a store that holds regions is left as it is."""
    data_dir.ensure()
    stats = StatsStore(data_dir.stats_file)
    if not stats.is_empty():
        return False
    stats.replace_all(datasets=[_register_dataset()], regions=list(reference.all_regions().values()),
                      region_dataset=REGISTER_DATASET_ID, geometries=pd.DataFrame(),
                      observations=pd.DataFrame(), settings={HOME_SCOPE: home})
    from clusteratlas.registry.store import RegistryStore

    registry = RegistryStore(data_dir.registry_url)
    try:
        registry.migrate()
    finally:
        registry.close()
    return True


def home_scope(data_dir: DataDir) -> str | None:
    """The stored home scope of ``data_dir`` (``None`` when not set)."""
    stats = StatsStore(data_dir.stats_file)
    if stats.is_empty():
        return None
    with stats.connect(read_only=True) as con:
        row = con.execute("SELECT value FROM settings WHERE key = ?", [HOME_SCOPE]).fetchone()
    return str(row[0]) if row else None


def build_demo_store(data_dir: DataDir, *, force: bool = False) -> dict[str, int]:
    """Build the demo statistics; refuse to overwrite imported statistics unless
    ``force``.  The registry is seeded only when it holds no initiative (see
    :func:`~clusteratlas.service.demo.build_demo`): neither ``demo`` nor
    ``demo --force`` touches a registry in use."""
    data_dir.ensure()
    if not force:
        kept = _imported(data_dir)
        if kept:
            raise StoreError(
                f"{data_dir.path} holds imported data ({', '.join(d.id for d in kept)}); "
                "use --force to replace it with the demo"
            )
    from clusteratlas.service.demo import build_demo  # loaded only to build (scipy, tile map)

    return build_demo(data_dir)


def ensure_store(data_dir: DataDir) -> bool:
    """Build the demo if the statistics store is empty or missing; True when it did.
    A registry that holds initiatives is kept as it is."""
    data_dir.ensure()
    stats = StatsStore(data_dir.stats_file)
    if not stats.is_current():
        if stats.is_empty():
            from clusteratlas.service.demo import build_demo

            build_demo(data_dir)
            return True
        stats.migrate()
    ensure_registry(data_dir.registry_url)
    return False


def ready_atlas(data_dir: DataDir, options: Any = None, *, scope: str | None = None) -> Any:
    """The atlas of ``data_dir`` (:func:`~clusteratlas.service.atlas.open_atlas`), the
    store set up first where it needs it (:func:`ensure_store`: the demo built into an
    empty one, an older schema migrated).

    A store that is ready – the usual case – is opened once, not checked first and
    then opened (a DuckDB connection less for every command that reads it); one that is
    not fails to open, is set up, and is opened again."""
    from clusteratlas.errors import NotFoundError
    from clusteratlas.service.atlas import open_atlas

    if data_dir.stats_file.exists():
        try:
            return open_atlas(data_dir, options, scope=scope)
        except (StoreError, NotFoundError):
            pass  # empty, older or unreadable: set up (or told why not) and opened again
    ensure_store(data_dir)
    return open_atlas(data_dir, options, scope=scope)


def describe_store(data_dir: DataDir) -> list[str]:
    stats = StatsStore(data_dir.stats_file)
    if stats.is_empty():
        return [f"{data_dir.path}: empty (run 'clusteratlas demo' or 'clusteratlas serve')"]
    snap = stats.read_snapshot()
    from clusteratlas.registry.store import RegistryStore

    registry = RegistryStore(data_dir.registry_url)
    try:
        revision, entries = registry.migrate(), len(registry.list())
    finally:
        registry.close()
    lines = [
        f"Data directory: {data_dir.path}",
        f"Statistics: {data_dir.stats_file} (schema {stats.migrate()})",
        f"Registry:   {data_dir.registry_file} (revision {revision}), {entries} entries",
        f"Regions: {len(snap['regions'])}; active map layer: {snap['settings'].get('active_layer')}",
        f"Panel cells: {len(snap['observations']):,}",
        "Datasets:",
    ]
    with stats.connect(read_only=True) as con:
        years: dict[str, list[int]] = {}
        for ds, year in con.execute("SELECT DISTINCT dataset_id, year FROM observations"
                                    ).fetchall():
            years.setdefault(ds, []).append(int(year))
    shown = [d for d in snap["datasets"] if d.status == "active"]
    for entry in provenance_entries(shown, years):
        mark = "[SYNTHETIC] " if entry["synthetic"] else ""
        # one line per table (the file-level ids are in the store, for 'restore')
        key = entry["code"] or entry["table"] or entry["id"]
        lines.append(f"  {mark}{key}: {entry['short_line']}")
    superseded = [d.id for d in snap["datasets"] if d.status != "active"]
    if superseded:
        lines.append(f"Superseded (restore with 'clusteratlas restore ID'): {', '.join(superseded)}")
    return lines


def import_boundaries(
    data_dir: DataDir,
    path: Path,
    *,
    key: str | None = None,
    attribution: str | None = None,
    licence: str | None = None,
    tolerance_m: float = 100.0,
    layer: str | None = None,
) -> dict[str, Any]:
    """Read a boundary file, join it to the register and make it the active map layer.

    Shapes are reprojected to WGS84 and simplified as a coverage (shared borders
    stay shared) with ``tolerance_m`` metres in the file's projected CRS.
    """
    stats = StatsStore(data_dir.stats_file)
    fresh = stats.is_empty()
    # an empty data directory: the shipped registers (initialised below)
    regions = _register_frame() if fresh else stats.read_snapshot()["regions"]
    alternatives: dict[str, list[str]] = {}  # FIPS 01001 and AGS 01001: both kept
    for code, text in zip(regions["code"], regions["alt_codes"], strict=True):
        for value in json.loads(text).values():
            alternatives.setdefault(value, []).append(code)
    known = set(regions["code"])
    former = reference.all_regions().former_codes
    merged = {code: f.successors[0] for code, f in former.items()
              if f.change == "merged" and len(f.successors) == 1 and f.successors[0] in known}
    shapes = read_boundaries(path, known, alternatives, key=key, tolerance_m=tolerance_m,
                             layer=layer, merged=merged)
    out = shapes.frame
    attribution = attribution or shapes.attribution or (
        f"Boundaries from {path.name}; licence not stated – check before publishing")
    licence = licence or shapes.licence or "not stated"
    digest = shapes.content_hash
    dissolved = [former[c].describe(reference.all_regions()) for c in sorted(shapes.dissolved)]
    dataset = DatasetInfo(
        id=f"boundaries-{digest[:12]}", kind="boundaries",
        title=shapes.title or f"Boundaries from {path.name}", source=path.name, licence=licence,
        attribution=attribution, is_synthetic=False, content_hash=digest,
        imported_at=datetime.now(UTC),
        notes=f"joined on field {shapes.key}; simplified {tolerance_m:g} m"
        + "".join(f"; dissolved {d}" for d in dissolved),
    )
    out["dataset_id"] = dataset.id
    if fresh:
        us = out["region"].str.startswith("US-").mean() > 0.5
        initialise_store(data_dir, "US" if us else "DG")
    # regions without a shape: the smallest units (Kreise, counties) of the country the
    # file draws, not those of the other country of the register
    us_file = bool(len(out)) and out["region"].str.startswith("US-").mean() > 0.5
    smallest = regions[regions["level"].isin(("district", "county"))
                       & (regions["code"].str.startswith("US-") == us_file)]
    district_codes = set(smallest["code"])
    stats.replace_geometries(dataset, out)
    return {
        "matched": len(out),
        "features": len(out) + len(shapes.dissolved) + shapes.skipped,
        "skipped": shapes.skipped,
        "dissolved": dissolved,
        "missing": sorted(district_codes - set(out["region"])),
        "key": shapes.key,
        "dataset": dataset.id,
    }


def _register_frame() -> pd.DataFrame:
    """The shipped registers as the store's ``regions`` rows (code, level, alt_codes)."""
    regions = list(reference.all_regions().values())
    return pd.DataFrame({"code": [r.code for r in regions], "level": [r.level for r in regions],
                         "alt_codes": [json.dumps(dict(r.alt_codes)) for r in regions]})
