"""Region geometries (GeoJSON) as SVG path data for the pages' maps."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["marker_point", "svg_map", "svg_paths"]


def _rings(geometry: Mapping[str, Any]) -> list[list[tuple[float, float]]]:
    coords = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for ring in coords]
    if geometry["type"] == "MultiPolygon":
        return [[(float(x), float(y)) for x, y, *_ in ring] for poly in coords for ring in poly]
    raise ValueError(f"geometry type {geometry['type']!r} is not a polygon")


def svg_paths(
    geojson_by_region: Mapping[str, str], *, width: float = 640.0, margin: float = 8.0,
    geographic: bool = True,
) -> tuple[dict[str, str], tuple[float, float], dict[str, tuple[float, float]]]:
    """Project polygons to SVG path data.

    Geographic layers (WGS84) use an equirectangular projection with
    :math:`x = \\lambda \\cos\\bar\\varphi` – at the scale of a German state the
    distortion is below a few per cent.  Schematic layers are already planar.

    Returns
    -------
    paths
        Region code → SVG ``d`` attribute.
    size
        (width, height) of the drawing.
    label_points
        Region code → centre of its bounding box, for labels.
    """
    rings = {code: _rings(json.loads(text)) for code, text in geojson_by_region.items()}
    all_pts = [p for rs in rings.values() for ring in rs for p in ring]
    if not all_pts:
        return {}, (width, width), {}
    mean_lat = sum(p[1] for p in all_pts) / len(all_pts)
    kx = math.cos(math.radians(mean_lat)) if geographic else 1.0
    xs = [p[0] * kx for p in all_pts]
    ys = [p[1] for p in all_pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    scale = (width - 2 * margin) / max(x1 - x0, 1e-12)
    height = (y1 - y0) * scale + 2 * margin

    def pt(x: float, y: float) -> tuple[float, float]:
        return (margin + (x * kx - x0) * scale, margin + (y1 - y) * scale)

    paths: dict[str, str] = {}
    labels: dict[str, tuple[float, float]] = {}
    for code, rs in rings.items():
        parts = []
        px: list[float] = []
        py: list[float] = []
        for ring in rs:
            projected = [pt(x, y) for x, y in ring]
            px.extend(p[0] for p in projected)
            py.extend(p[1] for p in projected)
            parts.append(
                "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in projected) + "Z"
            )
        paths[code] = "".join(parts)
        labels[code] = ((min(px) + max(px)) / 2, (min(py) + max(py)) / 2)
    return paths, (width, height), labels


def svg_map(geojson_by_region: Mapping[str, str], *, geographic: bool = True) -> dict[str, Any]:
    """What the pages' map template draws: ``paths`` and label points (``labels``) by
    region code, ``width`` and ``height`` (:func:`svg_paths`)."""
    paths, size, labels = svg_paths(geojson_by_region, geographic=geographic)
    return {"paths": paths, "width": size[0], "height": size[1], "labels": labels}


#: the map's label font size (atlas.css ``svg.map text.label``) and marker radius
LABEL_SIZE = 11.0
MARKER_RADIUS = 5.0


def marker_point(label: tuple[float, float], index: int, count: int) -> tuple[float, float]:
    """Where the ``index``-th of ``count`` seat markers of a region goes: in a row
    centred below the region's label, so that no marker covers the label's letters.

    The label's text stands on its baseline at ``label[1] + 4`` and is ``LABEL_SIZE``
    high; the markers' row starts a gap of 5 (the halo and the stroke) and one marker
    radius below that baseline.
    """
    step = 2 * MARKER_RADIUS + 1.0
    x = label[0] + (index - (count - 1) / 2) * step
    y = label[1] + 4 + 5 + MARKER_RADIUS
    return (x, y)
