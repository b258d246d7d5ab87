"""The atlas service against an independent computation from the raw demo panel."""

import numpy as np
import pytest

from clusteratlas import reference
from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.model import TOTAL_CODE
from clusteratlas.presentation.colours import classify, paint_map, text_colour
from clusteratlas.presentation.svgmap import svg_paths
from clusteratlas.service.maps import state_map
from clusteratlas.service.regions import region_profile
from clusteratlas.store import StatsStore


@pytest.fixture(scope="module")
def raw(demo_dir):
    return StatsStore(demo_dir.stats_file).read_snapshot()["observations"]


def independent_lq(raw, region, category, year):
    """LQ written out longhand: (E_rc / E_r) / (sum_r E_rc / sum_r E_r)."""
    cat = reference.default_categories()[category]
    wz = reference.wz2008()
    rows = raw[raw["year"] == year]
    cells = rows[rows["industry"] != TOTAL_CODE]

    def in_category(code):
        inside = any(wz.is_within(code, inc) for inc in cat.include)
        outside = any(wz.is_within(code, exc) or wz.is_within(exc, code) for exc in cat.exclude)
        return inside and not outside

    mask = cells["industry"].map(in_category)
    e_rc = cells[mask & (cells["region"] == region)]["employment"].sum()
    e_c = cells[mask]["employment"].sum()
    totals = rows[rows["industry"] == TOTAL_CODE].set_index("region")["employment"]
    return (e_rc / totals[region]) / (e_c / totals.sum()), e_rc


@pytest.mark.parametrize(("region", "category", "year"), [
    ("08435", "aerospace", 2024), ("08327", "medical_technology", 2015),
    ("08126", "fastening_technology", 2020), ("08111", "machinery", 2018),
    ("08212", "it_software", 2024),
])
def test_lq_matches_longhand(atlas, raw, region, category, year):
    expected_lq, expected_emp = independent_lq(raw, region, category, year)
    profile = region_profile(atlas, region, year=year)
    row = next(c for c in profile["categories"] if c["category"] == category)
    assert row["lq"] == pytest.approx(expected_lq, rel=1e-12)
    assert row["employment"] == expected_emp


def test_category_shares_add_up(atlas):
    ind = atlas.indicators
    sums = ind.groupby(["category", "year"])["share_of_category"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)
    # categories are exclusive, so their employment never exceeds a district's total
    per_region = ind.groupby(["region", "year"]).agg(e=("employment", "sum"),
                                                     t=("region_total", "first"))
    assert (per_region["e"] <= per_region["t"]).all()


def test_region_profile_contents(atlas):
    p = region_profile(atlas, "DE147")  # NUTS code resolves to the Bodenseekreis
    assert p["region"]["code"] == "08435"
    assert p["year"] == 2024
    assert p["top_by_lq"][0] == "aerospace"
    assert [i["id"] for i in p["initiatives"]] == ["bodenseeairea"]
    assert p["synthetic"] is True
    assert any(d["synthetic"] for d in p["provenance"])
    assert all(d["licence"] for d in p["provenance"])
    statewide = {i["id"] for i in p["statewide_networks"]}
    assert "automotive-bw" in statewide
    assert p["total_employment"] > 50_000


def test_gap_district_has_no_initiative(atlas):
    p = region_profile(atlas, "08126")
    fastening = next(c for c in p["categories"] if c["category"] == "fastening_technology")
    assert fastening["lq"] > 10
    assert fastening["initiatives"] == []
    assert p["top_by_lq"][0] == "fastening_technology"


def test_state_map(atlas):
    m = paint_map(state_map(atlas, category="aerospace", year=2024, lang="en"))
    assert len(m["regions"]) == 44
    assert m["category"]["name"] == "Aerospace"
    bodensee = next(f for f in m["regions"] if f["code"] == "08435")
    assert bodensee["class"] == 5
    assert bodensee["initiatives"] == [{"id": "bodenseeairea", "name": "BodenseeAIRea"}]
    ind = atlas.indicators
    totals = ind[(ind["year"] == 2024) & (ind["category"] == "aerospace")].set_index("region")
    weights = np.array([totals.loc[f["code"], "region_total"] for f in m["regions"]])
    lqs = np.array([np.nan if f["lq"] is None else f["lq"] for f in m["regions"]])
    # sum_r E_r LQ_r = E over the regions with a known value (suppressed ones are unknown)
    assert np.nansum(lqs * weights) / weights.sum() == pytest.approx(1.0, rel=1e-12)
    unknown = [f for f in m["regions"] if f["lq"] is None]
    assert all(f["suppressed_cells"] > 0 and f["colour"] == "#d0d0d0" for f in unknown)


def test_bad_requests(atlas):
    with pytest.raises(NotFoundError):
        region_profile(atlas, "99999")
    with pytest.raises(NotFoundError):
        region_profile(atlas, "08")  # exists, but is not a mapped district
    with pytest.raises(InputError, match="year 1990 is not in the data; available: 2015–2024"):
        state_map(atlas, year=1990)
    with pytest.raises(NotFoundError, match="category 'x'"):
        state_map(atlas, category="x")


def test_classes_and_colours():
    assert classify(None) is None
    assert classify(float("nan")) is None
    assert classify(0.1) == 0
    assert classify(1.0) == 2
    assert classify(1.25) == 3
    assert classify(100.0) == 5
    assert text_colour("#542788") == "#ffffff"
    assert text_colour("#f7f7f7") == "#000000"


def test_svg_projection_keeps_aspect():
    square = '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}'
    paths, (w, h), labels = svg_paths({"a": square}, width=100, margin=0, geographic=False)
    assert paths["a"] == "M0,100l100,0 0-100-100,0z"  # relative moves, as few digits as drawn
    assert (w, h) == (100, 100)
    assert labels["a"] == (50, 50)
