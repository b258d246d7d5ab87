"""Setting a data directory up: demo, status, boundary import."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from clusteratlas._optional import import_optional
from clusteratlas.demo.build import build_demo
from clusteratlas.errors import InputError, SchemaError, SourceError, StoreError
from clusteratlas.registry.store import RegistryStore
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import DatasetInfo, StatsStore

__all__ = ["build_demo_store", "describe_store", "ensure_store", "import_boundaries"]

_KEY_FIELDS = ("AGS", "ARS", "NUTS", "NUTS_ID", "FIPS", "GEOID", "id", "code")


def _imported(data_dir: DataDir) -> list[DatasetInfo]:
    if not data_dir.stats_file.exists():
        return []
    stats = StatsStore(data_dir.stats_file)
    if stats.is_empty():
        return []
    snap = stats.read_snapshot()
    return [d for d in snap["datasets"] if d.kind in ("panel", "boundaries")
            and not d.is_synthetic and d.id != "schematic-tiles"]


def build_demo_store(data_dir: DataDir, *, force: bool = False) -> dict[str, int]:
    """Build the demo; refuse to overwrite imported data unless ``force``."""
    data_dir.ensure()
    if not force:
        kept = _imported(data_dir)
        if kept:
            raise StoreError(
                f"{data_dir.path} holds imported data ({', '.join(d.id for d in kept)}); "
                "use --force to replace it with the demo"
            )
    return build_demo(data_dir)


def ensure_store(data_dir: DataDir) -> bool:
    """Build the demo if the store is empty; True when it did."""
    data_dir.ensure()
    stats = StatsStore(data_dir.stats_file)
    if stats.is_empty():
        build_demo(data_dir)
        return True
    stats.migrate()
    registry = RegistryStore(data_dir.registry_url)
    try:
        registry.migrate()
    finally:
        registry.close()
    return False


def describe_store(data_dir: DataDir) -> list[str]:
    stats = StatsStore(data_dir.stats_file)
    if stats.is_empty():
        return [f"{data_dir.path}: empty (run 'clusteratlas demo' or 'clusteratlas serve')"]
    snap = stats.read_snapshot()
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
    for d in snap["datasets"]:
        mark = "  [SYNTHETIC] " if d.is_synthetic else "  "
        lines.append(f"{mark}{d.id}: {d.title}")
        lines.append(f"      source: {d.source}")
        lines.append(f"      licence: {d.licence}; attribution: {d.attribution}")
    return lines


def _bkg_attribution(frame: pd.DataFrame, path: Path) -> tuple[str, str] | None:
    """Recognise a BKG VG250/VG5000 layer by its fields and name its attribution."""
    if not {"ARS", "AGS", "GEN", "BEZ"} <= set(frame.columns):
        return None
    year = ""
    if "BEGINN" in frame.columns:
        beginn = pd.to_datetime(frame["BEGINN"], errors="coerce").max()
        year = f" {beginn.year}" if pd.notna(beginn) else ""
    return f"© GeoBasis-DE / BKG{year} (Daten verändert)", "dl-de/by-2.0"


def _detect_key(frame: pd.DataFrame, known: set[str], key: str | None, path: Path) -> str:
    if key is not None:
        if key not in frame.columns:
            raise SchemaError(
                f"{path}: field {key!r} not found; fields are {', '.join(map(str, frame.columns))}"
            )
        return key
    best, hits = None, 0
    for name in [c for c in _KEY_FIELDS if c in frame.columns]:
        n = int(frame[name].astype(str).isin(known).sum())
        if n > hits:
            best, hits = name, n
    if best is None:
        raise SchemaError(
            f"{path}: no field matches the region codes of the store; name it with --key "
            f"(fields: {', '.join(map(str, frame.columns))})"
        )
    return best


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
    gpd = import_optional("geopandas", extra="geo", purpose="Importing boundaries")
    shapely = import_optional("shapely", extra="geo", purpose="Importing boundaries")
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    stats = StatsStore(data_dir.stats_file)
    if stats.is_empty():
        raise StoreError(f"{data_dir.path} is empty; run 'clusteratlas demo' first")
    regions = stats.read_snapshot()["regions"]
    known = set(regions["code"])
    alt: dict[str, str] = {}
    for code, text in zip(regions["code"], regions["alt_codes"], strict=True):
        for value in json.loads(text).values():
            alt.setdefault(value, code)
    try:
        frame = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise SourceError(f"{path}: cannot be read as a boundary file ({exc})") from None
    if frame.crs is None:
        raise SourceError(f"{path}: the file names no coordinate reference system")
    field = _detect_key(frame, known | set(alt), key, path)
    codes = frame[field].astype(str).map(lambda v: v if v in known else alt.get(v))
    matched = frame[codes.notna()].copy()
    matched["region"] = codes[codes.notna()]
    if matched["region"].duplicated().any():
        dup = matched.loc[matched["region"].duplicated(), "region"].iloc[0]
        raise InputError(f"{path}: region {dup!r} has more than one feature in field {field!r}")
    if matched.empty:
        raise InputError(f"{path}: no feature's {field!r} matches a region of the store")
    projected = matched.to_crs(matched.estimate_utm_crs()) if matched.crs.is_geographic else matched
    geoms = projected.geometry.make_valid()
    if hasattr(shapely, "coverage_simplify"):
        geoms = gpd.GeoSeries(shapely.coverage_simplify(geoms.values, tolerance_m),
                              crs=projected.crs, index=projected.index)
    else:  # pragma: no cover - shapely < 2.1
        geoms = geoms.simplify(tolerance_m)
    wgs = geoms.to_crs(4326)
    out = pd.DataFrame({
        "region": matched["region"].to_numpy(),
        "layer": "boundaries",
        "geojson": [json.dumps(shapely.geometry.mapping(g), separators=(",", ":"))
                    for g in shapely.set_precision(wgs.values, 1e-4)],
    })
    detected = _bkg_attribution(frame, path)
    attribution = attribution or (detected[0] if detected else
                                  f"Boundaries from {path.name}; licence not stated – check before publishing")
    licence = licence or (detected[1] if detected else "not stated")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    dataset = DatasetInfo(
        id=f"boundaries-{digest[:12]}", kind="boundaries",
        title=f"Boundaries from {path.name}", source=str(path.resolve()), licence=licence,
        attribution=attribution, is_synthetic=False, content_hash=digest,
        imported_at=datetime.now(UTC), notes=f"joined on field {field}; simplified {tolerance_m:g} m",
    )
    out["dataset_id"] = dataset.id
    district_codes = set(regions.loc[regions["level"] == "district", "code"])
    stats.replace_geometries(dataset, out)
    return {
        "matched": len(out),
        "skipped": int(codes.isna().sum()),
        "missing": sorted(district_codes - set(out["region"])),
        "key": field,
        "dataset": dataset.id,
    }
