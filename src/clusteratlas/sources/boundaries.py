"""Boundary files (Shapefile, GeoPackage, GeoJSON, …) → one simplified WGS84 shape per region.

The reader joins the file's features to the region codes it is given (directly or via
alternative codes such as ARS or NUTS), reprojects, simplifies the layer as a coverage
(shared borders stay shared) and names the attribution of a recognised BKG layer.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from clusteratlas._optional import import_optional
from clusteratlas.errors import InputError, SchemaError, SourceError
from clusteratlas.model.regions import namespace_of
from clusteratlas.sources.topojson import is_topojson, read_topojson_frame

__all__ = ["BoundaryFile", "read_boundaries"]

_KEY_FIELDS = ("AGS", "ARS", "NUTS", "NUTS_ID", "FIPS", "GEOID", "id", "code")


@dataclass(frozen=True)
class BoundaryFile:
    """The shapes of one boundary file, joined to region codes.

    ``frame`` has ``region, layer, geojson``; ``skipped`` counts features whose code
    matched no region; ``dissolved`` maps a former code whose feature was dissolved
    into its successor's shape to that successor; ``attribution``/``licence`` are
    ``None`` unless recognised; ``title`` names a recognised layer.
    """

    frame: pd.DataFrame
    key: str
    skipped: int
    attribution: str | None
    licence: str | None
    content_hash: str
    dissolved: dict[str, str]
    title: str | None = None


def _bkg_attribution(frame: pd.DataFrame, path: Path) -> tuple[str, str, str] | None:
    """Recognise a BKG VG250/VG5000 layer by its fields: (attribution with the link the
    licence asks for, licence, title).  The shapes are simplified, hence "Daten verändert"."""
    if not {"ARS", "AGS", "GEN", "BEZ"} <= set(frame.columns):
        return None
    year = ""
    if "BEGINN" in frame.columns:
        beginn = pd.to_datetime(frame["BEGINN"], errors="coerce").max()
        year = f" {beginn.year}" if pd.notna(beginn) else ""
    scale = next((s for s in ("VG5000", "VG1000", "VG250") if s in path.name.upper()), "VG")
    level = {"KRS": "Kreise", "LAN": "Länder", "RBZ": "Regierungsbezirke",
             "GEM": "Gemeinden"}.get(path.stem.upper().rsplit("_", 1)[-1], path.stem)
    title = f"BKG Verwaltungsgebiete {scale}{year}: {level}"
    return (f"© GeoBasis-DE / BKG{year} (Daten verändert), dl-de/by-2.0, www.bkg.bund.de",
            "dl-de/by-2.0", title)


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


def _codes_in_one_namespace(raw: pd.Series, known: set[str],
                            alternatives: Mapping[str, str | Sequence[str]],
                            merged: Mapping[str, str]) -> pd.Series:
    """Each feature's region code, read in the namespace most of the file's codes are
    in: us-atlas's ``01001`` is Autauga County (``US-01001``), not the Kreis Flensburg
    (AGS ``01001``), because the file's other codes are FIPS codes."""
    def candidates(v: str) -> list[str]:
        alt = alternatives.get(v, ())
        found = [v] if v in known else []
        found += [alt] if isinstance(alt, str) else list(alt)
        return found or ([merged[v]] if v in merged else [])

    found = {v: candidates(v) for v in raw.unique()}
    votes = Counter(namespace_of(c[0]) for v, c in found.items() if len(
        {namespace_of(x) for x in c}) == 1 and c)
    home = votes.most_common(1)[0][0] if votes else None
    picked = {v: next((x for x in c if namespace_of(x) == home), c[0] if c else None)
              for v, c in found.items()}
    return raw.map(picked)


def read_boundaries(path: Path, known: set[str],
                    alternatives: Mapping[str, str | Sequence[str]], *,
                    key: str | None = None, tolerance_m: float = 100.0,
                    layer: str | None = None,
                    merged: Mapping[str, str] | None = None) -> BoundaryFile:
    """Read a boundary file and join its features to the region codes ``known``.

    ``alternatives`` maps other codes (ARS, NUTS, …) to known ones; ``merged`` maps
    codes of an older vintage to the region they were merged into (VG5000 of
    01.01.2021 still has Eisenach 16056, merged into the Wartburgkreis 16063 on
    01.07.2021): such a feature is dissolved into its successor's shape.  Shapes are
    reprojected to WGS84 and simplified as a coverage with ``tolerance_m`` metres in
    the file's projected CRS.
    """
    merged = merged or {}
    gpd = import_optional("geopandas", extra="geo", purpose="Importing boundaries")
    shapely = import_optional("shapely", extra="geo", purpose="Importing boundaries")
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    try:
        with warnings.catch_warnings():  # several layers: the first is read
            warnings.filterwarnings("ignore", message="More than one layer found")
            frame = (read_topojson_frame(path, layer=layer) if is_topojson(path)
                     else gpd.read_file(path, layer=layer) if layer else gpd.read_file(path))
    except Exception as exc:  # pyogrio raises its own DataSourceError family
        raise SourceError(f"{path}: cannot be read as a boundary file ({exc})") from None
    if frame.crs is None:
        raise SourceError(f"{path}: the file names no coordinate reference system")
    field = _detect_key(frame, known | set(alternatives), key, path)
    raw = frame[field].astype(str)
    codes = _codes_in_one_namespace(raw, known, alternatives, merged)
    matched = frame[codes.notna()].copy()
    matched["region"] = codes[codes.notna()]
    via_merge = raw[codes.notna()].isin(set(merged) - known - set(alternatives))
    direct = matched.loc[~via_merge.to_numpy(), "region"]
    if direct.duplicated().any():
        dup = direct[direct.duplicated()].iloc[0]
        raise InputError(f"{path}: region {dup!r} has more than one feature in field {field!r}")
    if matched.empty:
        raise InputError(f"{path}: no feature's {field!r} matches a region of the store")
    dissolved = dict(zip(raw[codes.notna()][via_merge.to_numpy()],
                         matched.loc[via_merge.to_numpy(), "region"], strict=True))
    if dissolved:  # a former district's shape becomes part of its successor's
        matched = matched[["region", "geometry"]].dissolve(by="region", as_index=False)
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
    return BoundaryFile(
        frame=out, key=field, skipped=int(codes.isna().sum()),
        attribution=detected[0] if detected else None,
        licence=detected[1] if detected else None,
        content_hash=hashlib.sha256(path.read_bytes()).hexdigest(),
        dissolved=dissolved, title=detected[2] if detected else None,
    )
