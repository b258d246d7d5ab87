"""Region geometries (GeoJSON) as SVG path data for the pages' maps.

A map of a few dozen districts and one of all 3,143 US counties are drawn the same
way, with the detail the drawing can show: the shapes are projected to the drawing's
pixels and simplified *as a coverage* (shared borders stay shared: no gaps, no
slivers) with a tolerance that grows with the number of regions, and the path data
are written with relative moves and as few digits as the drawing needs.  That keeps
a page with every German district or every US county well under 1 MB.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from markupsafe import Markup, escape

__all__ = ["marker_point", "simplify_tolerance", "svg_map", "svg_paths", "svg_regions"]


def _rings(geometry: Mapping[str, Any]) -> list[list[np.ndarray]]:
    """Polygons → rings → (n, 2) arrays of points (a Polygon is one polygon)."""
    coords = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        coords = [coords]
    elif geometry["type"] != "MultiPolygon":
        raise ValueError(f"geometry type {geometry['type']!r} is not a polygon")
    # one array per ring, not a tuple per point: all US counties are 0.2 s faster
    return [[_ring(ring) for ring in poly] for poly in coords]


def _ring(ring: list[list[float]]) -> np.ndarray:
    try:
        return np.asarray(ring, dtype=float).reshape(len(ring), -1)[:, :2].copy()
    except ValueError:  # points of mixed dimension (x, y beside x, y, z)
        return np.array([(float(p[0]), float(p[1])) for p in ring], dtype=float).reshape(-1, 2)


def simplify_tolerance(n_regions: int) -> float:
    """Tolerance in pixels of the 640-pixel drawing: a quarter pixel for a state's
    districts, growing with the square root of the number of regions to 1.5 pixels
    for all US counties (a county is then still some ten pixels across)."""
    return float(min(1.5, max(0.25, 0.25 * math.sqrt(n_regions / 50))))


def _unwrap(polys: dict[str, list[list[np.ndarray]]]) -> None:
    """Longitudes east of 0 move by −360° when the layer spans more than half the
    globe (the Aleutians beside the rest of the US), in place."""
    rings = [ring for rs in polys.values() for poly in rs for ring in poly if len(ring)]
    if not rings:
        return
    if max(float(r[:, 0].max()) for r in rings) - min(float(r[:, 0].min()) for r in rings) <= 180:
        return
    for ring in rings:
        ring[:, 0] = np.where(ring[:, 0] > 0, ring[:, 0] - 360, ring[:, 0])


def _path(rings: list[np.ndarray], decimals: int) -> str:
    """``M x,y l dx,dy … z`` per ring, relative moves rounded to ``decimals``.

    Rounding is done on the absolute positions, so the error does not accumulate
    along the ring."""
    parts = []
    for ring in rings:
        pts = np.round(ring[:-1] if len(ring) > 1 and (ring[0] == ring[-1]).all() else ring,
                       decimals)
        if len(pts) < 3:
            continue
        steps = np.round(np.diff(pts, axis=0), decimals)
        steps = steps[(steps != 0).any(axis=1)]
        fmt = (lambda v: f"{v:.{decimals}f}".rstrip("0").rstrip(".")) if decimals else (
            lambda v: str(int(v)))

        def pair(x: float, y: float, fmt: Any = fmt) -> str:
            sy = fmt(y)
            return f"{fmt(x)}{'' if sy.startswith('-') else ','}{sy}"

        body = "".join(s if s.startswith("-") or k == 0 else " " + s
                       for k, s in enumerate(pair(x, y) for x, y in steps))
        parts.append(f"M{pair(*pts[0])}l{body}z")
    return "".join(parts)


def svg_paths(
    geojson_by_region: Mapping[str, str], *, width: float = 640.0, margin: float = 8.0,
    geographic: bool = True, tolerance: float | None = None,
) -> tuple[dict[str, str], tuple[float, float], dict[str, tuple[float, float]]]:
    """Project polygons to SVG path data.

    Geographic layers (WGS84) use an equirectangular projection with
    :math:`x = \\lambda \\cos\\bar\\varphi` – at the scale of a German state the
    distortion is below a few per cent.  Schematic layers are already planar.  The
    projected shapes are simplified as one coverage with ``tolerance`` pixels
    (default :func:`simplify_tolerance`; 0 keeps every point).

    Returns
    -------
    paths
        Region code → SVG ``d`` attribute.
    size
        (width, height) of the drawing.
    label_points
        Region code → centre of its bounding box, for labels.
    """
    polys = {code: _rings(json.loads(text)) for code, text in geojson_by_region.items()}
    if geographic:
        _unwrap(polys)
    all_pts = np.concatenate([np.empty((0, 2)), *(ring for rs in polys.values()
                                                   for poly in rs for ring in poly)])
    if not len(all_pts):
        return {}, (width, width), {}
    mean_lat = float(all_pts[:, 1].mean())
    kx = math.cos(math.radians(mean_lat)) if geographic else 1.0
    x0, x1 = float(all_pts[:, 0].min()) * kx, float(all_pts[:, 0].max()) * kx
    y0, y1 = float(all_pts[:, 1].min()), float(all_pts[:, 1].max())
    scale = (width - 2 * margin) / max(x1 - x0, 1e-12)
    height = (y1 - y0) * scale + 2 * margin

    def project(a: np.ndarray) -> np.ndarray:
        return np.column_stack([margin + (a[:, 0] * kx - x0) * scale,
                                margin + (y1 - a[:, 1]) * scale])

    projected = {code: [[project(r) for r in poly] for poly in rs] for code, rs in polys.items()}
    tol = simplify_tolerance(len(polys)) if tolerance is None else tolerance
    if tol > 0:
        projected = _coverage_simplified(projected, tol)
    decimals = 1 if len(polys) <= 500 else 0
    paths: dict[str, str] = {}
    labels: dict[str, tuple[float, float]] = {}
    for code, rs in projected.items():
        rings = [ring for poly in rs for ring in poly]
        paths[code] = _path(rings, decimals)
        pts = np.concatenate(rings)
        labels[code] = (float(pts[:, 0].min() + pts[:, 0].max()) / 2,
                        float(pts[:, 1].min() + pts[:, 1].max()) / 2)
    return paths, (width, height), labels


def _coverage_simplified(projected: dict[str, list[list[np.ndarray]]],
                         tolerance: float) -> dict[str, list[list[np.ndarray]]]:
    """The shapes simplified together (GEOS coverage simplification: every shared edge
    simplified once, so neighbours keep one border).  Without shapely ≥ 2.1 the shapes
    stay as they are."""
    try:
        import shapely
    except ImportError:  # pragma: no cover - shapely is a dependency of the geo extra
        return projected
    if not hasattr(shapely, "coverage_simplify"):  # pragma: no cover - shapely < 2.1
        return projected
    codes = list(projected)
    geoms = [shapely.MultiPolygon([shapely.Polygon(poly[0], poly[1:]) for poly in projected[c]])
             for c in codes]
    valid = shapely.is_valid(np.array(geoms, dtype=object))
    if not valid.all():  # a coverage of invalid shapes cannot be simplified safely
        return projected
    out = {}
    for code, geom in zip(codes, shapely.coverage_simplify(geoms, tolerance), strict=True):
        polys = [[np.asarray(p.exterior.coords), *(np.asarray(i.coords) for i in p.interiors)]
                 for p in shapely.get_parts(geom) if not p.is_empty]
        out[code] = polys or projected[code]
    return out


def svg_regions(paths: Mapping[str, str], fills: Mapping[str, str], links: Mapping[str, str],
                titles: Mapping[str, str], highlight: str | None = None) -> Markup:
    """The regions of a map as SVG markup: one link with its path and title each.

    Written here rather than in a template loop: a map of all US counties has 3,143
    of them, which a Jinja loop renders in about half a second, this in a few
    milliseconds.  Every text is escaped."""
    out = []
    for code, d in paths.items():
        cls = "region highlight" if code == highlight else "region"
        out.append(f'<a href="{escape(links[code])}" class="{cls}" data-region="{escape(code)}">'
                   f'<path d="{d}" fill="{escape(fills.get(code, "#d0d0d0"))}">'
                   f"<title>{escape(titles.get(code, code))}</title></path></a>")
    return Markup("\n".join(out))


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
