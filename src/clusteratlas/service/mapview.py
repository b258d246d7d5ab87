"""Turning region geometries into SVG paths, and indicator values into map classes."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["EMPLOYMENT_CLASSES", "GROWTH_CLASSES", "INDICATORS", "INDICATOR_CLASSES",
           "LQ_CLASSES", "NO_DATA_COLOUR", "STATUS_COLOURS", "MapClass", "classify",
           "svg_paths", "text_colour"]


@dataclass(frozen=True)
class MapClass:
    lower: float
    upper: float
    colour: str
    label: str


# Diverging around LQ = 1 (ColorBrewer PuOr, colour-blind safe); the breaks are
# symmetric on a log scale: 1/2, 1/1.25, 1.25, 2, 4.
LQ_CLASSES: tuple[MapClass, ...] = (
    MapClass(0.0, 0.5, "#542788", "< 0.5"),
    MapClass(0.5, 0.8, "#998ec3", "0.5 – 0.8"),
    MapClass(0.8, 1.25, "#f7f7f7", "0.8 – 1.25"),
    MapClass(1.25, 2.0, "#fee0b6", "1.25 – 2"),
    MapClass(2.0, 4.0, "#f1a340", "2 – 4"),
    MapClass(4.0, math.inf, "#b35806", "≥ 4"),
)
NO_DATA_COLOUR = "#d0d0d0"

# Sequential (ColorBrewer YlGnBu) for employment
EMPLOYMENT_CLASSES: tuple[MapClass, ...] = (
    MapClass(0.0, 100.0, "#ffffcc", "< 100"),
    MapClass(100.0, 500.0, "#c7e9b4", "100 – 500"),
    MapClass(500.0, 1000.0, "#7fcdbb", "500 – 1,000"),
    MapClass(1000.0, 2500.0, "#41b6c4", "1,000 – 2,500"),
    MapClass(2500.0, 5000.0, "#2c7fb8", "2,500 – 5,000"),
    MapClass(5000.0, math.inf, "#253494", "≥ 5,000"),
)
STAR_CLASSES: tuple[MapClass, ...] = (
    MapClass(0.0, 1.0, "#f7f7f7", "0 ★"),
    MapClass(1.0, 2.0, "#fee0b6", "1 ★"),
    MapClass(2.0, 3.0, "#f1a340", "2 ★"),
    MapClass(3.0, math.inf, "#b35806", "3 ★"),
)
STRONG_CLASSES: tuple[MapClass, ...] = (
    MapClass(0.0, 0.5, "#f7f7f7", "no"),
    MapClass(0.5, math.inf, "#b35806", "strong cluster"),
)
# Diverging (ColorBrewer BrBG) for the annual growth rate over five years
GROWTH_CLASSES: tuple[MapClass, ...] = (
    MapClass(-math.inf, -0.03, "#a6611a", "< −3 %"),
    MapClass(-0.03, -0.01, "#dfc27d", "−3 – −1 %"),
    MapClass(-0.01, 0.01, "#f5f5f5", "−1 – +1 %"),
    MapClass(0.01, 0.03, "#80cdc1", "+1 – +3 %"),
    MapClass(0.03, math.inf, "#018571", "≥ +3 %"),
)
#: coverage status (ColorBrewer Dark2, colour-blind safe) in the order of the legend
STATUS_COLOURS = {"covered": "#1b9e77", "gap": "#d95f02", "emerging": "#7570b3",
                  "no_base": "#e7298a", "none": "#f7f7f7"}
INDICATOR_CLASSES = {"lq": LQ_CLASSES, "employment": EMPLOYMENT_CLASSES,
                     "stars": STAR_CLASSES, "strong": STRONG_CLASSES,
                     "growth": GROWTH_CLASSES}
INDICATORS = ("lq", "employment", "stars", "strong", "growth", "coverage")


def classify(value: float | None, classes: Sequence[MapClass] = LQ_CLASSES) -> int | None:
    """Index of the class holding ``value``; ``None`` for missing values."""
    if value is None or not math.isfinite(value):
        return None
    for i, cls in enumerate(classes):
        if cls.lower <= value < cls.upper:
            return i
    return len(classes) - 1 if value >= classes[-1].lower else 0  # pragma: no cover


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (WCAG relative luminance)."""
    rgb = [int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


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
