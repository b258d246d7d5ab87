"""Firm and establishment locations: ``id, industry[, employment]`` and either
``lat, lon`` (WGS84 degrees) or ``x, y`` in projected units (a named CRS, or km)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas.errors import ConfigError, InputError, SchemaError, SourceError

__all__ = ["read_firms", "read_site_table"]


def read_site_table(path: Path) -> tuple[pd.DataFrame, bool]:
    """Read and validate a site file; returns the frame and whether it is geographic.

    Coordinates and employment become floats (employment may be missing), ids are
    unique text, latitudes and longitudes lie in range.

    Raises
    ------
    SchemaError
        Neither lat/lon nor x/y columns, or no id/industry.
    InputError
        A duplicate id, a coordinate out of range or not a number, negative
        employment; the message names the line.
    """
    if not path.exists():
        raise SourceError(f"{path}: file not found")
    try:
        frame = (pd.read_parquet(path) if path.suffix.lower() == ".parquet"
                 else pd.read_csv(path, dtype={"id": str, "industry": str}))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot be read ({str(exc).splitlines()[0]})") from None
    cols = set(frame.columns)
    if not {"id", "industry"} <= cols:
        raise SchemaError(f"{path}: needs columns id and industry (found {', '.join(frame.columns)})")
    geographic = {"lat", "lon"} <= cols
    if not (geographic or {"x", "y"} <= cols):
        raise SchemaError(f"{path}: needs lat, lon (WGS84 degrees) or x, y (projected)")
    line = np.arange(len(frame)) + 2
    frame = frame.copy()
    frame["id"] = frame["id"].astype(str).str.strip()
    frame["industry"] = frame["industry"].astype(str)
    dup = frame["id"].duplicated(keep=False).to_numpy()
    if dup.any():
        rows = line[dup][:3].tolist()
        raise InputError(f"{path}, lines {', '.join(map(str, rows))}: duplicate id "
                         f"{frame['id'][dup].iloc[0]!r}")
    names = ("lat", "lon") if geographic else ("x", "y")
    for name in (*names, "employment"):
        if name not in frame:
            continue
        values = pd.to_numeric(frame[name], errors="coerce")
        bad = values.isna() & frame[name].notna() if name == "employment" else values.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{path}, line {line[i]}: field {name!r} is {frame[name].iloc[i]!r}; "
                             "expected a number")
        frame[name] = values.astype(float)
    if geographic:
        for name, limit in (("lat", 90), ("lon", 180)):
            out = frame[name].abs() > limit
            if out.any():
                i = int(np.flatnonzero(out.to_numpy())[0])
                raise InputError(f"{path}, line {line[i]}: {name} {frame[name].iloc[i]} is outside "
                                 f"±{limit}; are the columns lat/lon swapped or projected?")
    if "employment" in frame and (frame["employment"] < 0).any():
        i = int(np.flatnonzero((frame["employment"] < 0).to_numpy())[0])
        raise InputError(f"{path}, line {line[i]}: employment {frame['employment'].iloc[i]} is negative")
    return frame, geographic


def read_firms(path: Path, *, crs: str | None = None) -> pd.DataFrame:
    """Validated sites with ``id, industry, employment, lon, lat, x, y, crs``; projected
    x/y need their ``crs`` and are converted to lon/lat when pyproj is installed."""
    frame, geographic = read_site_table(path)
    if geographic:
        frame["crs"] = "EPSG:4326"
    else:
        if not crs:
            raise ConfigError(f"{path}: x/y coordinates need their CRS, e.g. --crs EPSG:25832")
        frame["crs"] = crs
        try:
            from pyproj import Transformer

            lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(
                frame["x"].to_numpy(), frame["y"].to_numpy())
            frame["lon"], frame["lat"] = lon, lat
        except ImportError:
            frame["lon"] = frame["lat"] = np.nan
        except Exception as exc:
            raise ConfigError(f"--crs {crs!r} is not a CRS pyproj knows ({exc})") from None
    for name in ("employment", "x", "y"):
        if name not in frame:
            frame[name] = np.nan
    return frame[["id", "industry", "employment", "lon", "lat", "x", "y", "crs"]]
