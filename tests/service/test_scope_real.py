"""Scope and reference on the real regional employment exports (13111-07-05-4,
2015–2018) and the VG5000 district boundaries, imported into an empty data directory:
Bavaria is its 96 districts, the LQ against Germany is the one computed by hand from
the file.  Skips where ../shared (the real files) is absent."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clusteratlas.cli.main import main
from clusteratlas.server import create_app
from clusteratlas.store.datadir import DataDir

YEARS = (2015, 2016, 2017, 2018)


def _table(shared: Path, year: int) -> Path:
    return shared / "data" / "de_genesis" / "tabellen_csv_regionalstatistik" / \
        f"13111-07-05-4_{year}.csv"


@pytest.fixture(scope="module")
def real_dir(shared, tmp_path_factory) -> DataDir:
    path = tmp_path_factory.mktemp("real")
    tables = [str(_table(shared, y)) for y in YEARS]
    assert main(["import", "genesis-table", *tables, "--data-dir", str(path)]) == 0
    shp = shared / "data" / "de_boundaries" / "vg5000_2021_krs" / "VG5000_KRS.shp"
    assert main(["import", "boundaries", str(shp), "--data-dir", str(path)]) == 0
    return DataDir(path)


@pytest.fixture(scope="module")
def client(real_dir):
    with TestClient(create_app(real_dir)) as c:
        yield c


def raw_value(shared: Path, year: int, region: str, label: str) -> float:
    """The 'Insgesamt/Insgesamt' column of one row of the export, read by hand."""
    with _table(shared, year).open(encoding="latin-1", newline="") as f:
        for row in csv.reader(f, delimiter=";"):
            if len(row) > 3 and row[0] == region and row[2] == label:
                return float(row[3])
    raise AssertionError(f"{region} {label} not in the {year} export")


def test_scope_09_is_bavarias_96_districts_and_nothing_else(client):
    body = client.get("/api/regions?scope=09").json()
    codes = [r["code"] for r in body["regions"]]
    assert len(codes) == 96
    assert all(c.startswith("09") for c in codes)
    assert body["scope"]["name"] == "Bayern"
    assert body["reference"]["code"] == "DG"
    assert client.get("/api/regions?scope=DG").json()["count"] == 400
    # the map page of Bavaria draws Bavaria only
    page = client.get("/?scope=09").text
    drawn = re.findall(r'class="region[^"]*" data-region="(\d{5})"', page)
    assert sorted(drawn) == sorted(codes)


@pytest.mark.parametrize(("region", "year"), [("09162", 2018), ("08111", 2015),
                                              ("03241", 2016)])
def test_lq_against_germany_equals_the_file(client, shared, region, year):
    categories = client.get("/api/categories").json()["categories"]
    code = next(c["code"] for c in categories if c["code"].lower() == "c")
    label = "Verarbeitendes Gewerbe (C)"
    expected = ((raw_value(shared, year, region, label)
                 / raw_value(shared, year, region, "Insgesamt"))
                / (raw_value(shared, year, "DG", label) / raw_value(shared, year, "DG", "Insgesamt")))
    body = client.get(f"/api/map?scope={region[:2]}&category={code}&year={year}").json()
    assert body["reference"]["label"] == "LQ relative to Deutschland"
    got = next(f for f in body["regions"] if f["code"] == region)
    assert got["lq"] == pytest.approx(expected, rel=1e-12)
    assert got["employment"] == raw_value(shared, year, region, label)
    profile = client.get(f"/api/regions/{region}?year={year}").json()
    row = next(c for c in profile["categories"] if c["category"] == code)
    assert row["lq"] == pytest.approx(expected, rel=1e-12)


def test_every_district_of_the_register_has_a_profile(client):
    codes = [r["code"] for r in client.get("/api/regions?scope=DG").json()["regions"]]
    for code in codes[::40]:
        assert client.get(f"/api/regions/{code}?year=2017").status_code == 200


def test_rules_on_coarse_data_say_what_they_left_out(client):
    categories = client.get("/api/categories").json()["categories"]
    code = next(c["code"] for c in categories if c["code"].lower() == "c")
    body = client.get(f"/api/map?category={code}&indicator=growth").json()
    assert body["growth_span"] == [2015, 2018]
    assert sum(f["value"] is not None for f in body["regions"]) > 300
    strong = client.get(f"/api/map?category={code}&indicator=strong").json()
    assert strong["mapping_rules"]["strong_without_establishments"] is True
    assert any(f["strong"] for f in strong["regions"])
