"""TopoJSON topologies (e.g. the us-atlas counties) → polygons in a metric projection.

A TopoJSON file stores each border once, as an *arc*; a polygon's rings are lists of
arc indices (``~i`` = arc ``i`` reversed); a quantized topology stores its arcs as
delta-encoded integers with a ``transform`` (Bostock, *TopoJSON Format Specification*
1.0, https://github.com/topojson/topojson-specification).

GDAL's TopoJSON driver reads these files as well, but names no coordinate reference
system and leaves the Aleutians on both sides of the antimeridian, hence this decoder.
Simplification is left to the boundary reader (a coverage simplification: shared
borders stay shared).  Coordinates are longitude/latitude (WGS84, as the
specification assumes for an unprojected topology).  A topology that straddles the
antimeridian has its eastern longitudes moved by −360° before it is projected, so
that a county of the Aleutians stays one piece.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from clusteratlas.errors import SourceError

__all__ = ["Topology", "is_topojson", "read_topojson_frame", "read_topology"]


def is_topojson(path: Path) -> bool:
    """Whether ``path`` is a JSON file whose top-level ``type`` is ``Topology``."""
    if path.suffix.lower() not in {".json", ".topojson"}:
        return False
    with path.open("rb") as fh:
        head = fh.read(4096)
    return b'"Topology"' in head and head.lstrip()[:1] == b"{"


@dataclass(frozen=True)
class Topology:
    """The decoded arcs (absolute lon/lat, one ``(n, 2)`` array each) and the objects."""

    arcs: list[np.ndarray]
    objects: dict[str, Any]
    path: Path

    def features(self, name: str) -> list[tuple[str | None, dict[str, Any], dict[str, Any]]]:
        """``(id, properties, GeoJSON geometry)`` of each polygon geometry of object
        ``name``; a geometry with no ring left (or none to begin with) has type ``None``."""
        obj = self.objects.get(name)
        if obj is None:
            raise SourceError(f"{self.path}: no object {name!r}; objects are "
                              f"{', '.join(self.objects)}")
        geoms = obj.get("geometries", [obj]) if obj.get("type") == "GeometryCollection" \
            else [obj]
        out = []
        for k, g in enumerate(geoms):
            gid = g.get("id")
            props = dict(g.get("properties") or {})
            out.append((None if gid is None else str(gid), props,
                        self._geometry(g, f"{name} #{k + 1}")))
        return out

    def _ring(self, indices: Sequence[int], where: str) -> np.ndarray:
        parts: list[np.ndarray] = []
        for i in indices:
            if not isinstance(i, int) or not -len(self.arcs) <= i < len(self.arcs):
                raise SourceError(f"{self.path}: {where} refers to arc {i!r}, which the "
                                  f"topology does not have ({len(self.arcs)} arcs)")
            arc = self.arcs[i] if i >= 0 else self.arcs[~i][::-1]
            parts.append(arc if not parts else arc[1:])
        return np.concatenate(parts) if parts else np.empty((0, 2))

    def _polygon(self, rings: Sequence[Sequence[int]], where: str) -> list[list[list[float]]]:
        out = []
        for r, indices in enumerate(rings):
            ring = self._ring(indices, where)
            # a ring of fewer than three distinct corners has no area
            if len(ring) < 4 or len(np.unique(ring, axis=0)) < 3:
                if r == 0:
                    return []
                continue
            out.append(np.round(ring, 6).tolist())
        return out

    def _geometry(self, g: dict[str, Any], where: str) -> dict[str, Any]:
        kind, arcs = g.get("type"), g.get("arcs")
        if kind is None:
            return {"type": None}
        if kind == "Polygon":
            polys = [self._polygon(arcs or [], where)]
        elif kind == "MultiPolygon":
            polys = [self._polygon(p, where) for p in arcs or []]
        else:
            raise SourceError(f"{self.path}: {where} is a {kind}; boundaries need polygons")
        polys = [p for p in polys if p]
        if not polys:
            return {"type": None}
        if len(polys) == 1:
            return {"type": "Polygon", "coordinates": polys[0]}
        return {"type": "MultiPolygon", "coordinates": polys}


def _decode_arcs(raw: Any, transform: Any, path: Path) -> list[np.ndarray]:
    """Absolute positions: quantized arcs are delta-encoded integers,
    :math:`x = (\\sum_{j \\le i} \\Delta x_j)\\,s_x + t_x` (spec §2.1.2)."""
    if not isinstance(raw, list):
        raise SourceError(f"{path}: field 'arcs' is not a list")
    scale = translate = None
    if transform is not None:
        try:
            scale = np.array(transform["scale"], dtype=float)[:2]
            translate = np.array(transform["translate"], dtype=float)[:2]
        except (KeyError, TypeError, ValueError):
            raise SourceError(f"{path}: field 'transform' needs 'scale' and 'translate' "
                              "pairs of numbers") from None
    arcs = []
    for k, arc in enumerate(raw):
        try:
            pts = np.array([p[:2] for p in arc], dtype=float)
        except (TypeError, ValueError, IndexError):
            raise SourceError(f"{path}: arc {k} is not a list of positions") from None
        if pts.ndim != 2 or len(pts) < 2:
            raise SourceError(f"{path}: arc {k} has fewer than two positions")
        if scale is not None and translate is not None:
            pts = np.cumsum(pts, axis=0) * scale + translate
        arcs.append(pts)
    return arcs


def _unwrap_antimeridian(arcs: list[np.ndarray]) -> list[np.ndarray]:
    """Move eastern longitudes by −360° when that brings the topology within 180°."""
    if not arcs:
        return arcs
    xs = np.concatenate([a[:, 0] for a in arcs])
    east = xs > 0
    if not east.any() or xs.max() - xs.min() <= 180:
        return arcs
    shifted = np.where(east, xs - 360, xs)
    if shifted.max() - shifted.min() >= xs.max() - xs.min():
        return arcs
    return [np.column_stack([np.where(a[:, 0] > 0, a[:, 0] - 360, a[:, 0]), a[:, 1]])
            for a in arcs]


def read_topology(path: Path) -> Topology:
    """Read and decode a TopoJSON file.

    Raises
    ------
    SourceError
        The file is not JSON, not a ``Topology``, or its arcs or transform are malformed
        (the message names the file and the field).
    """
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(data, dict) or data.get("type") != "Topology":
        raise SourceError(f"{path}: field 'type' is not 'Topology'; not a TopoJSON file")
    objects = data.get("objects")
    if not isinstance(objects, dict) or not objects:
        raise SourceError(f"{path}: field 'objects' names no object")
    arcs = _unwrap_antimeridian(_decode_arcs(data.get("arcs"), data.get("transform"), path))
    return Topology(arcs, objects, path)


def read_topojson_frame(path: Path, *, layer: str | None = None) -> Any:
    """One object of a topology as a GeoDataFrame with ``id``, the properties and the
    geometry, in a Lambert azimuthal equal-area projection centred on the object.

    ``layer`` names the object; by default the one with the most geometries (the
    counties of us-atlas, not its states or nation).  The projection is metric and
    holds the whole object (a UTM zone does not hold the US), so the boundary reader
    simplifies the coverage with its tolerance in metres.
    """
    from clusteratlas._optional import import_optional

    gpd = import_optional("geopandas", extra="geo", purpose="Importing boundaries")
    shapely = import_optional("shapely", extra="geo", purpose="Importing boundaries")
    topo = read_topology(path)
    if layer is None:
        layer = max(topo.objects, key=lambda n: len(topo.objects[n].get("geometries") or [0]))
    features = [f for f in topo.features(layer) if f[2]["type"] is not None]
    if not features:
        raise SourceError(f"{path}: object {layer!r} has no polygons")
    rows = [{"id": gid, **props} for gid, props, _ in features]
    frame = gpd.GeoDataFrame(rows, geometry=[shapely.geometry.shape(g) for *_, g in features],
                             crs="EPSG:4326")
    x0, y0, x1, y1 = frame.total_bounds
    laea = f"+proj=laea +lat_0={(y0 + y1) / 2:.4f} +lon_0={(x0 + x1) / 2:.4f} +datum=WGS84"
    frame = frame.to_crs(laea)
    frame["geometry"] = [_polygonal(shapely, g) for g in frame.geometry.values]
    return frame


def _polygonal(shapely: Any, geom: Any) -> Any:
    """A valid (multi)polygon: rings that touch themselves (22 of us-atlas's counties)
    are repaired, and the repair's stray lines and points dropped."""
    if geom.is_valid:
        return geom
    parts = shapely.get_parts(shapely.make_valid(geom))
    polygons = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polygons)
