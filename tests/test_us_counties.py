"""US counties end to end: us-atlas TopoJSON + a CBP-layout county file into an empty
data directory → the map of a state, a county page, a county briefing.

The CBP file is the seeded fixture ``tests/fixtures/cbp/cbp18co.txt`` (Colorado and
Rhode Island, ``tools/make_cbp_fixture.py``); every expected number is computed here
from its raw lines with the ``csv`` module, not with the atlas's reader.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from clusteratlas import reference
from clusteratlas.server import create_app
from clusteratlas.service.imports import import_files
from clusteratlas.service.setup import import_boundaries
from clusteratlas.store.datadir import DataDir

ROOT = Path(__file__).resolve().parents[1]
CBP = ROOT / "tests" / "fixtures" / "cbp" / "cbp18co.txt"
CATEGORIES = ROOT / "src" / "clusteratlas" / "data" / "categories" / "us_cluster_mapping.yaml"
CLUSTER = "23"  # Information Technology and Analytical Instruments (traded)


@pytest.fixture(scope="module")
def us_import(tmp_path_factory: pytest.TempPathFactory,
              shared: Path) -> tuple[DataDir, dict[str, Any]]:
    """An empty data directory after ``import cbp`` and ``import boundaries``."""
    data_dir = DataDir(tmp_path_factory.mktemp("us"))
    import_files(data_dir, "cbp", [CBP])
    result = import_boundaries(data_dir, shared / "data" / "us" / "us-atlas" / "counties-10m.json")
    return data_dir, result


@pytest.fixture(scope="module")
def us_dir(us_import: tuple[DataDir, dict[str, Any]]) -> DataDir:
    return us_import[0]


@pytest.fixture(scope="module")
def us_client(us_dir: DataDir) -> TestClient:
    with TestClient(create_app(us_dir)) as c:
        yield c


def _raw() -> tuple[dict[str, float], dict[str, float]]:
    """(county → published total, county → known employment of the cluster) for
    Colorado, from the file's lines: 6-digit rows not withheld (D, S, N)."""
    include = next(c["include"] for c in yaml.safe_load(CATEGORIES.read_text("utf-8"))[
        "categories"] if c["code"] == CLUSTER)
    totals: dict[str, float] = {}
    cluster: dict[str, float] = {}
    with CBP.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["fipstate"] != "08" or row["fipscty"] == "999":
                continue  # Colorado's counties; 999 is the statewide remainder
            county = "US-08" + row["fipscty"]
            if row["naics"] == "------":
                totals[county] = float(row["emp"])
            elif (row["naics"].isdigit() and row["emp_nf"] not in {"D", "S", "N"}
                  and row["naics"].startswith(tuple(include))):
                cluster[county] = cluster.get(county, 0.0) + float(row["emp"])
    return totals, cluster


def test_state_map_has_every_county_with_its_hand_computed_lq(us_client: TestClient) -> None:
    data = us_client.get(f"/api/map?scope=US-08&category={CLUSTER}&year=2018").json()
    totals, cluster = _raw()
    assert len(totals) == 64  # Colorado's counties, each with its total line
    entries = {r["code"]: r for r in data["regions"]}
    assert set(entries) == set(totals)
    # LQ against Colorado (the scope's total: the file holds no US row)
    ref_share = sum(cluster.values()) / sum(totals.values())
    checked = 0
    for county, total in totals.items():
        if county in cluster:
            expected = cluster[county] / total / ref_share
            assert entries[county]["lq"] == pytest.approx(expected, rel=1e-9), county
            checked += 1
    assert checked >= 20
    denver = entries["US-08031"]
    assert denver["employment"] == cluster["US-08031"]


def test_boundaries_report_counties_outside_the_register(
        us_import: tuple[DataDir, dict[str, Any]]) -> None:
    result = us_import[1]
    # us-atlas 2017: 3,231 shapes; 89 of territories (PR, GU, VI, MP, AS) and the
    # retired Valdez-Cordova (02261) are not counties of the 2020 register
    assert result["matched"] == 3140
    assert result["skipped"] == 90
    # only counties are missed (Chugach and Copper River, created in 2019; Falls Church,
    # a line without area at 1:10m), never the German districts of the register
    assert result["missing"] == ["US-02063", "US-02066", "US-51610"]


def test_county_shapes_are_stored_in_one_piece(us_dir: DataDir) -> None:
    from clusteratlas.store.stats import StatsStore

    geoms = StatsStore(us_dir.stats_file).read_snapshot()["geometries"]
    shapes = dict(zip(geoms["region"], geoms["geojson"], strict=True))
    # FIPS 01001 is Autauga County, Alabama, not the Kreis Flensburg (AGS 01001)
    assert "US-01001" in shapes
    assert "01001" not in shapes
    denver = json.loads(shapes["US-08031"])
    ring = denver["coordinates"][0] if denver["type"] == "Polygon" else \
        denver["coordinates"][0][0]
    lons = [p[0] for p in ring]
    assert -105.2 < min(lons) < max(lons) < -104.5


@pytest.mark.parametrize(("lang", "word"), [("en", "Denver County"), ("de", "Denver County")])
def test_county_page_renders(us_client: TestClient, lang: str, word: str) -> None:
    page = us_client.get(f"/regions/US-08031?lang={lang}")
    assert page.status_code == 200
    assert word in page.text
    assert f'lang="{lang}"' in page.text
    # a county has a FIPS code, no AGS or NUTS code
    assert "<dt>FIPS</dt><dd>08031</dd>" in page.text
    assert "<dt>AGS</dt>" not in page.text


def test_county_briefing_is_a_pdf(us_dir: DataDir, tmp_path: Path) -> None:
    from clusteratlas.cli.main import main

    out = tmp_path / "denver.pdf"
    code = main(["brief", "district", "US-08031", "--out", str(out), "--lang", "en",
                 "--data-dir", str(us_dir.path)])
    assert code == 0
    assert out.read_bytes()[:5] == b"%PDF-"


def test_us_category_names_are_marked_english_on_german_pages(us_client: TestClient) -> None:
    """The US Cluster Mapping's names are official English names (no German ones are
    invented): German pages mark them lang="en", English pages leave them plain."""
    name = reference.us_categories()[CLUSTER].name("de")
    marked = f'<span lang="en">{html.escape(name, quote=False)}</span>'
    for url in (f"/?category={CLUSTER}&scope=US-08", f"/categories/{CLUSTER}",
                "/regions/US-08031"):
        german = us_client.get(f"{url}{'&' if '?' in url else '?'}lang=de").text
        assert marked in german, url
        english = us_client.get(f"{url}{'&' if '?' in url else '?'}lang=en").text
        assert marked not in english, url
    option = us_client.get(f"/?category={CLUSTER}&scope=US-08&lang=de").text
    assert re.search(rf'<option value="{CLUSTER}" selected lang="en">', option)
