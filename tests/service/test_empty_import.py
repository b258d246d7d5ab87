"""Imports into an empty data directory: the store is set up on the fly, without the demo."""

import duckdb

from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.demo import build_demo
from clusteratlas.service.imports import import_files
from clusteratlas.service.setup import home_scope, import_boundaries
from clusteratlas.store import DataDir

TABLES = "data/de_genesis/tabellen_csv_regionalstatistik"
VG5000 = "data/de_boundaries/vg5000_2021_krs/VG5000_KRS.shp"


def _one(store, sql, *args):
    con = duckdb.connect(str(store.stats_file), read_only=True)
    try:
        return con.execute(sql, list(args)).fetchall()
    finally:
        con.close()


def test_table_into_an_empty_directory(shared, tmp_path):
    store = DataDir(tmp_path / "new")
    report = import_files(store, "genesis-table", [shared / TABLES / "13111-07-05-4_2018.csv"])
    assert len(report.imported) == 1
    assert "initialised" in report.setup[0]
    kinds = dict(_one(store, "SELECT id, kind FROM datasets"))
    assert sorted(kinds.values()) == ["panel", "regions"]  # no demo
    assert _one(store, "SELECT count(*) FROM regions WHERE level = 'district'") == [(400,)]
    assert _one(store, "SELECT count(*) FROM regions WHERE level = 'county'") == [(3143,)]
    assert home_scope(store) == "DG"
    registry = RegistryStore(store.registry_url)
    try:
        assert registry.list() == []  # migrated, empty
    finally:
        registry.close()
    text = "\n".join(report.regions)
    assert "15 units below the Kreis level" in text
    assert "16056 (Kreisfreie Stadt Eisenach, merged 2021 into 16063 Wartburgkreis)" in text
    # Berlin's Land row also stands for its one Kreis, with the same values
    berlin = _one(store, "SELECT region, employment FROM observations WHERE region IN "
                  "('11', '11000') AND industry = 'C' AND dims = '' ORDER BY region")
    assert [r[0] for r in berlin] == ["11", "11000"]
    assert berlin[0][1] == berlin[1][1]
    assert _one(store, "SELECT count(*) FROM observations WHERE length(region) >= 8") == [(0,)]


def test_boundaries_into_an_empty_directory(shared, tmp_path):
    store = DataDir(tmp_path / "new")
    report = import_boundaries(store, shared / VG5000)
    assert (report["features"], report["matched"], report["skipped"]) == (401, 400, 0)
    assert report["dissolved"] == [
        "16056 (Kreisfreie Stadt Eisenach, merged 2021 into 16063 Wartburgkreis)"]
    assert report["missing"] == []
    source, attribution = _one(store, "SELECT source, attribution FROM datasets "
                               "WHERE kind = 'boundaries'")[0]
    assert "/" not in source  # the file's name, never a path on the server
    assert attribution == ("© GeoBasis-DE / BKG 2021 (Daten verändert), dl-de/by-2.0, "
                           "www.bkg.bund.de")
    assert home_scope(store) == "DG"


def test_demo_gives_way_to_real_tables(shared, tmp_path):
    store = DataDir(tmp_path / "demo")
    build_demo(store)
    assert home_scope(store) == "08"
    initiatives = len(RegistryStore(store.registry_url).list())
    report = import_files(store, "genesis-table", [shared / TABLES / "13111-07-05-4_2018.csv"])
    assert any("synthetic demo statistics" in line for line in report.setup)
    assert _one(store, "SELECT count(*) FROM datasets WHERE is_synthetic") == [(0,)]
    assert _one(store, "SELECT count(*) FROM observations WHERE dataset_id = "
                "'demo-synthetic-panel'") == [(0,)]
    assert _one(store, "SELECT count(*) FROM regions WHERE code LIKE '09%' "
                "AND level = 'district'") == [(96,)]
    assert home_scope(store) == "08"  # a home scope once set stays
    assert len(RegistryStore(store.registry_url).list()) == initiatives  # registry untouched
