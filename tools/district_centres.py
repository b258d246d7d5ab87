"""Derive the centre points of Baden-Württemberg's 44 Kreise for the packaged region list.

Reads the BKG VG5000 district layer (``../shared/data/de_boundaries/vg5000_2021_krs``),
takes each district's representative point (always inside the polygon, unlike the
centroid of a ring-shaped Landkreis around its Stadtkreis), converts it to WGS84 and
rounds it to 0.01 degrees.  The rounded points are printed as CSV columns ``ags,lon,lat``
so they can be merged into ``src/clusteratlas/data/regions/de_bw_districts.csv``.

Source: © GeoBasis-DE / BKG 2021, dl-de/by-2.0 (Daten verändert: representative
points only, rounded).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd


def main(shared: Path) -> None:
    gdf = gpd.read_file(shared / "data/de_boundaries/vg5000_2021_krs/VG5000_KRS.shp")
    gdf = gdf[gdf["AGS"].str.startswith("08")].copy()
    points = gdf.geometry.representative_point().to_crs(4326)
    print("ags,lon,lat")
    for ags, pt in sorted(zip(gdf["AGS"], points, strict=True)):
        print(f"{ags},{pt.x:.2f},{pt.y:.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared")
