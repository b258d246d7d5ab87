"""Scale of the pages: every German district and every US county on one map, each
map page (HTML with its inline SVG) under 1 MB."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi.testclient import TestClient

from clusteratlas.server import create_app
from clusteratlas.service.imports import import_files
from clusteratlas.service.setup import import_boundaries
from clusteratlas.store.datadir import DataDir

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 1_000_000


def _cbp_writer():  # tools/make_cbp_fixture.py, the seeded CBP-layout generator
    spec = importlib.util.spec_from_file_location("make_cbp_fixture",
                                                  ROOT / "tools" / "make_cbp_fixture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_all_us_counties_on_one_map_under_1_mb(tmp_path: Path, shared: Path) -> None:
    gen = _cbp_writer()
    states = sorted({s for s, _ in gen.counties([f"{k:02d}" for k in range(1, 57)])})
    cbp = tmp_path / "cbp18co.txt"
    gen.write(cbp, states, seed=2018)
    data_dir = DataDir(tmp_path / "data")
    import_files(data_dir, "cbp", [cbp])
    import_boundaries(data_dir, shared / "data" / "us" / "us-atlas" / "counties-10m.json")
    with TestClient(create_app(data_dir)) as client:
        page = client.get("/?scope=US&category=23&lang=en")
    assert page.status_code == 200
    # 3,143 counties in the register, 3,140 with a shape in us-atlas 2017 (10m)
    assert page.text.count('data-region="US-') >= 3140 + 100  # map + first 100 ranked
    assert len(page.content) < LIMIT, len(page.content)


def test_all_german_districts_on_one_map_under_1_mb(tmp_path: Path, shared: Path) -> None:
    tables = shared / "data" / "de_genesis" / "tabellen_csv_regionalstatistik"
    data_dir = DataDir(tmp_path / "data")
    import_files(data_dir, "genesis-table",
                 [tables / f"13111-07-05-4_{y}.csv" for y in range(2015, 2019)])
    import_boundaries(data_dir, shared / "data" / "de_boundaries" / "vg5000_2021_krs" /
                      "VG5000_KRS.shp")
    with TestClient(create_app(data_dir)) as client:
        page = client.get("/?scope=DG&lang=de")
    assert page.status_code == 200
    shapes = page.text.count('class="region')
    assert shapes == 400  # every Kreis valid since 01.07.2021
    assert len(page.content) < LIMIT, len(page.content)
