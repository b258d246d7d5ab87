"""Join checks between a boundary file and a statistics table: which codes match,
which are missing on either side (typically a different territorial vintage)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from clusteratlas._optional import import_optional
from clusteratlas.errors import SchemaError, SourceError

__all__ = ["JoinReport", "join_report", "normalise_code"]


def normalise_code(value: object, width: int) -> str:
    """Codes read as numbers lose their leading zeros (FIPS 1001 → 01001)."""
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text.zfill(width) if text.isdigit() else text


@dataclass(frozen=True)
class JoinReport:
    matched: int
    only_in_table: list[str]
    only_in_boundaries: list[str]

    def lines(self) -> list[str]:
        out = [f"{self.matched} codes join"]
        if self.only_in_table:
            out.append(f"{len(self.only_in_table)} table codes have no shape: "
                       f"{', '.join(self.only_in_table[:20])}")
        if self.only_in_boundaries:
            out.append(f"{len(self.only_in_boundaries)} shapes have no table row")
        return out


def join_report(boundaries: Path, table: Path, *, boundary_key: str, table_key: str,
                layer: str | None = None, width: int = 5) -> JoinReport:
    """Compare the codes of a boundary file (Shapefile, GeoPackage, GeoJSON, TopoJSON)
    with those of a CSV/TSV table."""
    gpd = import_optional("geopandas", extra="geo", purpose="Reading boundaries")
    try:
        shapes = gpd.read_file(boundaries, layer=layer) if layer else gpd.read_file(boundaries)
    except Exception as exc:
        raise SourceError(f"{boundaries}: cannot be read ({exc})") from None
    if boundary_key not in shapes.columns:
        raise SchemaError(f"{boundaries}: no field {boundary_key!r} (fields: "
                          f"{', '.join(map(str, shapes.columns))})")
    sep = "\t" if table.suffix.lower() in (".tsv", ".tab") else ","
    try:
        frame = pd.read_csv(table, sep=sep, dtype=str)
    except (OSError, ValueError) as exc:
        raise SourceError(f"{table}: cannot be read ({exc})") from None
    if table_key not in frame.columns:
        raise SchemaError(f"{table}: no column {table_key!r}")
    left = {normalise_code(v, width) for v in shapes[boundary_key]}
    right = {normalise_code(v, width) for v in frame[table_key]}
    return JoinReport(matched=len(left & right), only_in_table=sorted(right - left),
                      only_in_boundaries=sorted(left - right))
