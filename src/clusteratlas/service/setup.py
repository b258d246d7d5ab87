"""Setting a data directory up: demo, status, boundary import."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clusteratlas.errors import StoreError
from clusteratlas.registry.store import RegistryStore
from clusteratlas.sources.boundaries import read_boundaries
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import DatasetInfo, StatsStore

__all__ = ["build_demo_store", "describe_store", "ensure_store", "import_boundaries"]

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
    if stats.is_empty():
        from clusteratlas.service.demo import build_demo

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
    if stats.is_empty():
        raise StoreError(f"{data_dir.path} is empty; run 'clusteratlas demo' first")
    regions = stats.read_snapshot()["regions"]
    alternatives: dict[str, str] = {}
    for code, text in zip(regions["code"], regions["alt_codes"], strict=True):
        for value in json.loads(text).values():
            alternatives.setdefault(value, code)
    shapes = read_boundaries(path, set(regions["code"]), alternatives, key=key,
                             tolerance_m=tolerance_m, layer=layer)
    out = shapes.frame
    attribution = attribution or shapes.attribution or (
        f"Boundaries from {path.name}; licence not stated – check before publishing")
    licence = licence or shapes.licence or "not stated"
    digest = shapes.content_hash
    dataset = DatasetInfo(
        id=f"boundaries-{digest[:12]}", kind="boundaries",
        title=f"Boundaries from {path.name}", source=str(path.resolve()), licence=licence,
        attribution=attribution, is_synthetic=False, content_hash=digest,
        imported_at=datetime.now(UTC),
        notes=f"joined on field {shapes.key}; simplified {tolerance_m:g} m",
    )
    out["dataset_id"] = dataset.id
    district_codes = set(regions.loc[regions["level"] == "district", "code"])
    stats.replace_geometries(dataset, out)
    return {
        "matched": len(out),
        "skipped": shapes.skipped,
        "missing": sorted(district_codes - set(out["region"])),
        "key": shapes.key,
        "dataset": dataset.id,
    }
