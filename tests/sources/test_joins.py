import pytest

from clusteratlas.errors import SchemaError
from clusteratlas.service.joins import join_report, normalise_code


def test_us_counties_join_unemployment_except_old_codes(shared):
    report = join_report(shared / "data/us/us-atlas/counties-10m.json",
                         shared / "data/us/vega-datasets/unemployment.tsv",
                         boundary_key="id", table_key="id", layer="counties")
    assert report.matched == 3212
    # the five old Alaska/South Dakota codes FORMATS.md names, plus Bedford city, VA
    # (51515, merged into Bedford County in 2013): 3,218 - 3,212 = 6
    assert report.only_in_table == ["02201", "02232", "02270", "02280", "46113", "51515"]
    assert "6 table codes have no shape" in report.lines()[1]


def test_vg5000_joins_all_bw_districts(shared):
    import geopandas as gpd

    from clusteratlas.reference import bw_regions

    shapes = gpd.read_file(shared / "data/de_boundaries/vg5000_2021_krs/VG5000_KRS.shp")
    codes = set(shapes["AGS"])
    assert {r.code for r in bw_regions().at_level("district")} <= codes


def test_codes_and_errors(shared):
    assert normalise_code(1001, 5) == "01001"
    assert normalise_code("1001.0", 5) == "01001"
    with pytest.raises(SchemaError, match="no field 'fips'"):
        join_report(shared / "data/us/us-atlas/counties-10m.json",
                    shared / "data/us/vega-datasets/unemployment.tsv", boundary_key="fips",
                    table_key="id", layer="counties")
