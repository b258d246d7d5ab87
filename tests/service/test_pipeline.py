"""One pipeline: the CLI's ``map`` and the API's ``/api/map`` give the same numbers for
the same panel and options, and the web atlas maps with :class:`MappingOptions`."""

from pathlib import Path

import pandas as pd
import pytest

import clusteratlas
from clusteratlas import reference
from clusteratlas.cli.main import main
from clusteratlas.model import TOTAL_CODE, Panel
from clusteratlas.service import maps
from clusteratlas.service.atlas import category_indicators, open_atlas
from clusteratlas.service.mapping import MappingOptions
from clusteratlas.store import StatsStore

CATEGORIES = Path(clusteratlas.__file__).parent / "data" / "categories" / "clusteratlas_wz2008.yaml"


@pytest.fixture(scope="module")
def raw(demo_dir):
    return StatsStore(demo_dir.stats_file).read_snapshot()["observations"]


def test_cli_map_equals_api_map(demo_dir, client, raw, tmp_path, capsys):
    panel = tmp_path / "panel.csv"
    raw[["region", "industry", "year", "employment", "establishments", "flag"]].to_csv(
        panel, index=False)
    out = tmp_path / "cells.csv"
    assert main(["map", str(panel), "--categories", str(CATEGORIES), "--out", str(out)]) == 0
    capsys.readouterr()
    cli = pd.read_csv(out, dtype={"region": str, "category": str}).set_index(
        ["region", "category", "year"])
    years = sorted(cli.index.get_level_values("year").unique())
    compared = 0
    for cat in reference.default_categories().categories:
        for year in years:
            body = client.get(f"/api/map?category={cat.code}&year={year}").json()
            assert body["year"] == year
            for feature in body["regions"]:
                row = cli.loc[(feature["code"], cat.code, year)]
                for api_name, cli_name in (("lq", "lq"), ("employment", "employment"),
                                           ("share_of_region", "share_of_region"),
                                           ("growth", "cagr"), ("stars", "stars"),
                                           ("strong", "strong")):
                    expected = row[cli_name]
                    got = feature[api_name]
                    if pd.isna(expected):
                        assert got is None, (feature["code"], cat.code, year, api_name)
                    else:  # identical numbers, not merely close ones
                        assert got == expected, (feature["code"], cat.code, year, api_name)
                compared += 1
    assert compared == len(cli) == 44 * 16 * len(years)


def in_category(code, category):
    """Membership written out longhand (as in tests/service/test_atlas.py)."""
    wz = reference.wz2008()
    cat = reference.default_categories()[category]
    inside = any(wz.is_within(code, inc) for inc in cat.include)
    outside = any(wz.is_within(code, exc) or wz.is_within(exc, code) for exc in cat.exclude)
    return inside and not outside


def test_web_atlas_maps_against_a_reference_region(demo_dir, raw):
    atlas = open_atlas(demo_dir, MappingOptions(reference="08111"))
    assert "08111" not in set(atlas.indicators["region"])
    assert maps.state_map(atlas, category="aerospace")["reference"] == "region 08111"
    # LQ written out longhand against Stuttgart's own employment
    rows = raw[raw["year"] == 2024]
    cells = rows[rows["industry"] != TOTAL_CODE]
    inside = cells["industry"].map(lambda code: in_category(code, "aerospace"))
    totals = rows[rows["industry"] == TOTAL_CODE].set_index("region")["employment"]
    e_rc = cells[inside & (cells["region"] == "08435")]["employment"].sum()
    e_ref_c = cells[inside & (cells["region"] == "08111")]["employment"].sum()
    expected = (e_rc / totals["08435"]) / (e_ref_c / totals["08111"])
    ind = atlas.indicators
    got = ind[(ind["region"] == "08435") & (ind["category"] == "aerospace")
              & (ind["year"] == 2024)]["lq"].iloc[0]
    assert got == pytest.approx(expected, rel=1e-12)


def test_absent_cells_have_no_row_not_lq_zero():
    # 08435 has no row in industry 62 (software): its LQ is unknown, not 0
    frame = pd.DataFrame({
        "region": ["08111", "08111", "08435", "08111", "08435"],
        "industry": ["28.1", "62", "28.1", TOTAL_CODE, TOTAL_CODE],
        "year": [2020] * 5, "employment": [30.0, 70.0, 40.0, 100.0, 50.0]})
    ind = category_indicators(Panel.from_frame(frame), reference.default_categories())
    assert ind[(ind["region"] == "08435") & (ind["category"] == "it_software")].empty
    assert len(ind) == 3
    assert not (ind["lq"] == 0).any()
    # what is there: LQ against the two regions' published totals
    row = ind[(ind["region"] == "08435") & (ind["category"] == "machinery")].iloc[0]
    assert row["lq"] == pytest.approx((40 / 50) / (70 / 150))
    assert row["share_of_region"] == pytest.approx(0.8)


def test_options_are_one_checked_value(tmp_path):
    from clusteratlas.errors import ConfigError, InputError
    from clusteratlas.service.mapping import map_panel

    frame = pd.DataFrame({
        "region": ["DG", "DG", "08111", "08111", "08435", "08435"],
        "industry": ["C", TOTAL_CODE, "C", TOTAL_CODE, "C", TOTAL_CODE],
        "year": [2020] * 6, "employment": [200.0, 1000.0, 40.0, 100.0, 5.0, 50.0]})
    panel = Panel.from_frame(frame)
    by_pattern = map_panel(panel, None, MappingOptions(reference="DG", regions=r"08\d{3}"))
    by_codes = map_panel(panel, None, MappingOptions(reference="DG", regions=("08111", "08435")))
    pd.testing.assert_frame_equal(by_pattern.cells, by_codes.cells)
    lq = by_codes.cells.assign(region=lambda c: c["region"].astype(str)).set_index("region")["lq"]
    assert lq["08111"] == pytest.approx((40 / 100) / (200 / 1000))
    with pytest.raises(ConfigError, match="is not one of total, traded, local"):
        MappingOptions(denominator="export")
    with pytest.raises(ConfigError, match="not a regular expression"):
        MappingOptions(regions="08[")
    with pytest.raises(InputError, match="span=0"):
        MappingOptions(span=0)
    options = MappingOptions(reference="DG")
    assert options == MappingOptions(reference="DG")
    assert {options: 1}[MappingOptions(reference="DG")] == 1  # frozen: usable as a cache key
