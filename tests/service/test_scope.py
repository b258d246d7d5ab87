"""Scope, reference and comparison set on a synthetic multi-Land panel: the districts of
Baden-Württemberg (08) and Bavaria (09) with published rows for both Länder and for
Germany (DG), four years, no establishment counts – the shape of the real regional
employment tables (13111-07-05-4).  Every number is checked against a hand
computation from the rows written here."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from clusteratlas.cli.main import main
from clusteratlas.demo.content import demo_initiatives
from clusteratlas.errors import InputError
from clusteratlas.reference import de_regions
from clusteratlas.registry.store import RegistryStore
from clusteratlas.server import create_app
from clusteratlas.service import maps
from clusteratlas.service.atlas import open_atlas
from clusteratlas.service.demo import seed_registry_if_empty
from clusteratlas.service.regions import list_regions, region_profile
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import DatasetInfo, StatsStore

SECTIONS = ("C", "F", "G-I")
YEARS = (2015, 2016, 2017, 2018)
PANEL = "synthetic-13111"


def _box(x: float, y: float) -> str:
    ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _rows() -> pd.DataFrame:
    """Districts of 08 and 09; the rows of 08, 09 and DG (Germany holds more than the
    two Länder: a rest of 1.5 million employees spread over the sections)."""
    register = de_regions()
    rng = np.random.default_rng(15)
    districts = [r.code for r in register.at_level("district") if r.code[:2] in ("08", "09")]
    rows = []
    for code in districts:
        for year in YEARS:
            values = rng.integers(500, 30_000, size=len(SECTIONS)).astype(float)
            for section, value in zip(SECTIONS, values, strict=True):
                rows.append((code, section, year, value))
            rows.append((code, "TOTAL", year, float(values.sum()) + 5_000.0))
    frame = pd.DataFrame(rows, columns=["region", "industry", "year", "employment"])
    lands = frame.assign(region=frame["region"].str[:2]).groupby(
        ["region", "industry", "year"], as_index=False)["employment"].sum()
    germany = lands.groupby(["industry", "year"], as_index=False)["employment"].sum()
    rest = {"C": 600_000.0, "F": 100_000.0, "G-I": 500_000.0, "TOTAL": 1_500_000.0}
    germany["employment"] += germany["industry"].map(rest)
    germany["region"] = "DG"
    out = pd.concat([frame, lands, germany], ignore_index=True)
    return out.assign(establishments=np.nan, wages=np.nan, flag="reported",
                      measure="employment", dims="", dataset_id=PANEL)


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return _rows()


@pytest.fixture(scope="module")
def lands_dir(tmp_path_factory, raw) -> DataDir:
    data_dir = DataDir(tmp_path_factory.mktemp("lands"))
    data_dir.ensure()
    register = de_regions()
    geoms = [{"region": r.code, "layer": "boundaries", "dataset_id": "boxes",
              "geojson": _box(7.0 + 3 * (r.code[:2] == "09") + (k % 10) * 0.1,
                              47.5 + (k // 10) * 0.1)}
             for k, r in enumerate(r for r in register.at_level("district")
                                   if r.code[:2] in ("08", "09"))]
    datasets = [
        DatasetInfo(id=PANEL, kind="panel", title="Synthetic 13111-07-05-4", source="test",
                    licence="CC0-1.0", attribution="test", is_synthetic=True,
                    labels=json.dumps({"C": "Verarbeitendes Gewerbe", "F": "Baugewerbe",
                                       "G-I": "Handel, Verkehr, Gastgewerbe"})),
        DatasetInfo(id="de-regions", kind="regions", title="Kreise", source="test",
                    licence="dl-de/by-2.0", attribution="test", is_synthetic=False),
        DatasetInfo(id="boxes", kind="boundaries", title="boxes", source="test",
                    licence="CC0-1.0", attribution="test", is_synthetic=False),
    ]
    StatsStore(data_dir.stats_file).replace_all(
        datasets=datasets, regions=list(register.values()), region_dataset="de-regions",
        geometries=pd.DataFrame(geoms), observations=raw,
        settings={"active_panel": PANEL, "active_layer": "boundaries", "home_scope": "DG"})
    registry = RegistryStore(data_dir.registry_url)
    try:  # initiatives whose categories this section-level atlas does not have
        seed_registry_if_empty(registry, demo_initiatives())
    finally:
        registry.close()
    return data_dir


@pytest.fixture(scope="module")
def atlas(lands_dir):
    return open_atlas(lands_dir)


@pytest.fixture(scope="module")
def client(lands_dir, atlas):
    with TestClient(create_app(lands_dir, atlas=atlas)) as c:
        yield c


def _value(raw, region, industry, year):
    row = raw[(raw["region"] == region) & (raw["industry"] == industry) & (raw["year"] == year)]
    return float(row["employment"].iloc[0])


def hand_lq(raw, region, section, year, reference="DG"):
    """(E_rc / E_r) / (E_Rc / E_R) from the rows, R's published row."""
    return ((_value(raw, region, section, year) / _value(raw, region, "TOTAL", year))
            / (_value(raw, reference, section, year) / _value(raw, reference, "TOTAL", year)))


def test_home_scope_is_the_country_and_reference_germany(atlas, client):
    assert atlas.home_scope == "DG"
    assert len(atlas.mapped_regions) == 44 + 96
    body = client.get("/api/regions").json()
    assert body["count"] == 140
    assert body["reference"]["code"] == "DG"
    assert body["reference"]["basis"] == "row"
    assert body["reference"]["label"] == "LQ relative to Deutschland"
    assert body["comparison"] == {"set": "all", "regions": 140,
                                  "label": "percentiles over all 140 districts in the data"}


def test_scope_09_is_bavarias_96_districts_and_nothing_else(client):
    body = client.get("/api/regions?scope=09").json()
    codes = [r["code"] for r in body["regions"]]
    assert len(codes) == 96
    assert all(c.startswith("09") for c in codes)
    assert body["scope"] == {"code": "09", "name": "Bayern", "level": "state",
                             "districts": 96}
    mapped = client.get("/api/map?scope=09&category=C&year=2018").json()
    assert sorted(f["code"] for f in mapped["regions"]) == sorted(codes)
    assert all(f["lq"] is not None for f in mapped["regions"])
    # "9" as a spreadsheet keeps it names the same Land
    assert client.get("/api/regions?scope=9").json()["count"] == 96


@pytest.mark.parametrize(("region", "section", "year"), [
    ("09162", "C", 2018), ("08111", "F", 2015), ("09780", "G-I", 2017)])
def test_lq_against_germany_equals_the_hand_computation(client, raw, region, section, year):
    category = section
    for scope in ("DG", region[:2]):  # the default reference does not depend on the scope
        body = client.get(f"/api/map?scope={scope}&category={category}&year={year}").json()
        got = next(f["lq"] for f in body["regions"] if f["code"] == region)
        assert got == pytest.approx(hand_lq(raw, region, section, year), rel=1e-12)
    profile = client.get(f"/api/regions/{region}?year={year}").json()
    row = next(c for c in profile["categories"] if c["category"] == category)
    assert row["lq"] == pytest.approx(hand_lq(raw, region, section, year), rel=1e-12)


def test_reference_land_row_and_regierungsbezirk_sum(atlas, raw):
    view = atlas.view("09", reference="09")
    assert view.meta()["reference"]["basis"] == "row"
    ind = view.indicators
    got = ind[(ind["region"] == "09162") & (ind["category"] == "C")
              & (ind["year"] == 2018)]["lq"].iloc[0]
    assert got == pytest.approx(hand_lq(raw, "09162", "C", 2018, reference="09"), rel=1e-12)
    # Regierungsbezirk Oberbayern (091) has no row: its districts' sum is the reference
    view = atlas.view("091", reference="091")
    stated = view.meta()["reference"]
    assert (stated["code"], stated["basis"]) == ("091", "sum")
    part = raw[raw["region"].str.startswith("091") & (raw["year"] == 2018)]
    e_c = part[part["industry"] == "C"]["employment"].sum()
    e_all = part[part["industry"] == "TOTAL"]["employment"].sum()
    here = (_value(raw, "09162", "C", 2018) / _value(raw, "09162", "TOTAL", 2018))
    ind = view.indicators
    got = ind[(ind["region"] == "09162") & (ind["category"] == "C")
              & (ind["year"] == 2018)]["lq"].iloc[0]
    assert got == pytest.approx(here / (e_c / e_all), rel=1e-12)
    assert set(ind["region"]) == {r.code for r in view.mapped_regions}
    assert all(c.startswith("091") for c in ind["region"])


def test_comparison_scope_takes_percentiles_over_the_scope(atlas):
    everywhere = atlas.view("09")
    within = atlas.view("09", comparison="scope")
    assert within.meta()["comparison"]["regions"] == 96
    a = everywhere.indicators.set_index(["region", "category", "year"])
    b = within.indicators.set_index(["region", "category", "year"]).reindex(a.index)
    np.testing.assert_allclose(a["lq"], b["lq"], rtol=1e-12)  # same reference
    # the 90th percentile of employment over Bavaria only, written out
    part = b.xs(("C", 2018), level=("category", "year"))
    threshold = np.quantile(part["employment"].to_numpy(), 0.9, method="linear")
    assert ((part["employment"] >= threshold) == part["star_size"].astype(bool)).all()


@pytest.mark.parametrize(("query", "word"), [
    ("scope=XX", "scope"), ("scope=US-06", "scope"), ("reference=nowhere", "reference"),
    ("comparison=county", "comparison")])
def test_unknown_scope_reference_comparison_is_a_400_naming_it(client, query, word):
    for path in ("/api/map", "/api/regions", "/api/regions/09162", "/api/alignment"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        message = json.dumps(response.json(), ensure_ascii=False)
        assert f"{word}=" in message
        assert "expected" in message
    assert client.get(f"/?{query}").status_code == 400


def test_district_outside_a_given_scope_is_refused(client):
    response = client.get("/api/regions/08111?scope=09")
    assert response.status_code == 400
    assert "scope='09'" in response.text


def test_strong_rule_without_establishments_says_so(client, atlas):
    body = client.get("/api/map?scope=09&category=C&indicator=strong").json()
    assert body["mapping_rules"]["strong_without_establishments"] is True
    # the rule still finds strong clusters on LQ and employment alone: never silently none
    assert any(f["strong"] for f in body["regions"])
    ind = atlas.indicators
    strong = ind[ind["strong"]]
    assert (strong["lq"] >= 1).all()
    page = client.get("/?scope=09&category=C&indicator=strong").text
    assert "keine Betriebszahlen" in page
    assert "not the number of establishments" in client.get(
        "/?scope=09&category=C&indicator=strong&lang=en").text


def test_growth_spans_the_years_the_data_have(client, raw):
    body = client.get("/api/map?scope=09&category=F&year=2018&indicator=growth").json()
    assert body["growth_span"] == [2015, 2018]
    assert body["mapping_rules"]["growth_span"] == [2015, 2018]
    f = next(r for r in body["regions"] if r["code"] == "09162")
    expected = (_value(raw, "09162", "F", 2018) / _value(raw, "09162", "F", 2015)) ** (1 / 3) - 1
    assert f["value"] == pytest.approx(expected, rel=1e-12)
    assert all(r["value"] is not None for r in body["regions"])  # not an all-grey map
    earlier = client.get("/api/map?category=F&year=2016&indicator=growth").json()
    assert earlier["growth_span"] == [2015, 2016]
    assert client.get("/api/map?category=F&year=2015&indicator=growth").json()[
        "growth_span"] is None
    page = client.get("/?scope=09&category=F&year=2018&indicator=growth").text
    assert "Wachstum pro Jahr 2015–2018" in page


def test_map_page_shows_the_scope_only_and_keeps_it(client):
    page = client.get("/?scope=09&category=C").text
    drawn = re.findall(r'class="region[^"]*" data-region="(\d{5})"', page)
    assert len(drawn) == 96
    assert all(c.startswith("09") for c in drawn)
    # the drawing is fitted to Bavaria's boxes: 10 wide, 10 high (of 0.1 degrees)
    width, height = (float(v) for v in re.search(
        r'viewBox="0 0 ([\d.]+) ([\d.]+)"', page).groups())
    assert 0.5 < width / height < 2
    whole = client.get("/?scope=DG&category=C").text  # both Länder, 3 degrees apart
    w, h = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', whole).groups())
    assert w / h > 2 * (width / height)
    assert "/regions/09162?year=2018&amp;lang=de&amp;scope=09" in page
    assert "LQ relativ zu Deutschland" in page
    assert 'value="09" selected' in page


def test_region_page_offers_its_scope_and_no_empty_sentences(client):
    page = client.get("/regions/08111?scope=08").text
    assert '<a href="/?scope=08&lang=de">Baden-Württemberg</a>' in page
    assert "LQ relativ zu Deutschland" in page
    for code in ("08111", "08221", "08435", "09162"):
        text = client.get(f"/regions/{code}").text
        assert "arbeitet an: ." not in text
        assert "arbeitet an: <" not in text
        assert "Management: ." not in text
        assert "()" not in text
        # the claim that every strong cluster has an initiative never stands beside a
        # gap, and without any covered cell the page says there is no strong cluster
        claims = "Jedes starke Cluster hier hat eine Initiative" in text
        gap = "status-gap" in text or 'class="badge gap"' in text
        # covered by an initiative of the district or a statewide network; a field
        # covered only within a coarser section says so in its own sentence
        covered = re.search(r'status-(covered|covered_statewide)"', text) is not None
        assert not (claims and gap)
        assert claims == (covered and not gap)


def test_list_and_profile_follow_the_view(atlas):
    assert len(list_regions(atlas.view("08"))) == 44
    assert region_profile(atlas.view("091"), "09162")["reference"]["code"] == "DG"
    with pytest.raises(InputError, match="scope="):
        atlas.view("US-06")
    panel_map = maps.state_map(atlas.view("08"), category="C")
    assert panel_map["scope"]["districts"] == 44


def test_cli_align_and_brief_take_scope_and_reference(lands_dir, tmp_path, capsys):
    out = tmp_path / "align.json"
    assert main(["align", "--out", str(out), "--format", "json", "--scope", "09",
                 "--data-dir", str(lands_dir.path)]) == 0
    written = json.loads(out.read_text())
    assert {c["region"] for c in written["cells"]} <= {
        r.code for r in de_regions().values() if r.code.startswith("09")}
    assert written["reference"]["code"] == "DG"
    assert written["scope"]["code"] == "09"
    assert "LQ relative to Deutschland" in capsys.readouterr().out
    brief = tmp_path / "b.html"
    assert main(["brief", "state", "--scope", "09", "--reference", "09", "--out", str(brief),
                 "--data-dir", str(lands_dir.path)]) == 0
    html = brief.read_text(encoding="utf-8")
    assert "LQ relativ zu Bayern" in html
    assert "Bayern" in html
    capsys.readouterr()
    assert main(["align", "--out", str(out), "--scope", "Atlantis",
                 "--data-dir", str(lands_dir.path)]) == 2
    err = capsys.readouterr().err
    assert "scope='Atlantis'" in err
    assert len(err.strip().splitlines()) == 1
    assert main(["brief", "district", "09162", "--reference", "nowhere", "--out", str(brief),
                 "--data-dir", str(lands_dir.path)]) == 2
