"""Every real file in ../shared/data through ``clusteratlas import <source> <file>`` into an
empty data directory: imported, or one line naming the file (and line and field where
the file has them) – never a traceback, never a half-written store."""

import duckdb
import pytest

from clusteratlas.cli.main import main
from conftest import SHARED

#: the source that fits a file, by folder; files for which no source exists (classifications,
#: catalogues, licences, workbooks) go to 'genesis-table' and must be refused in one line
_BY_FOLDER = {"de_genesis/tabellen_csv_regionalstatistik": "genesis-table",
              "de_genesis/ffcsv_api": "genesis-ffcsv", "eurostat": "eurostat-tsv",
              "de_boundaries": "boundaries", "us/us-atlas": "boundaries"}
#: what must come in (the rest may be refused, in one line)
IMPORTED = {"de_genesis/tabellen_csv_regionalstatistik/13111-07-05-4_2018.csv",
            "de_genesis/tabellen_csv_regionalstatistik/12411-0018.csv",
            "de_genesis/tabellen_csv_regionalstatistik/13211-02-05-4.csv",
            "de_genesis/ffcsv_api/13111-01-03-4_1773175029986_de_flat.csv",
            "eurostat/nama_10r_3empers_excerpt_datacommons_sample.tsv",
            "de_boundaries/vg5000_2021_krs/VG5000_KRS.shp",
            "de_boundaries/geoGermany/Ebene_Kreise.geojson"}


def _files():
    if SHARED is None:
        return []
    root = SHARED / "data"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _source(rel):
    folder = next((f for f in _BY_FOLDER if rel.startswith(f + "/")), None)
    if folder is not None:
        return _BY_FOLDER[folder]
    return "eurostat-tsv" if rel.endswith(".tsv") else "genesis-table"


@pytest.mark.parametrize("rel", _files() or ["(../shared absent)"])
def test_every_real_file_imports_or_says_why_in_one_line(shared, rel, tmp_path, capsys):
    path = shared / "data" / rel
    data_dir = tmp_path / "data"
    code = main(["import", _source(rel), str(path), "--data-dir", str(data_dir)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code == 0:
        assert "Imported" in out
        return
    assert rel not in IMPORTED, err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: ")
    assert path.name in lines[0]
    stats = data_dir / "stats.duckdb"
    if stats.exists():  # nothing half-written: a refused first import leaves no data
        con = duckdb.connect(str(stats), read_only=True)
        try:
            assert con.execute("SELECT count(*) FROM observations").fetchone() == (0,)
        finally:
            con.close()


@pytest.mark.parametrize(("name", "measure"), [("12411-0018.csv", "population"),
                                               ("13211-02-05-4.csv", "unemployment")])
def test_other_measures_never_become_the_employment_panel(shared, tmp_path, capsys, name,
                                                          measure):
    path = shared / "data/de_genesis/tabellen_csv_regionalstatistik" / name
    data_dir = tmp_path / "data"
    assert main(["import", "genesis-table", str(path), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert f"{measure} values, kept in the store; not an employment table" in out
    con = duckdb.connect(str(data_dir / "stats.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT value FROM settings WHERE key = 'active_panel'"
                           ).fetchall() == []
        assert con.execute("SELECT DISTINCT measure FROM observations").fetchall() == [
            (measure,)]
    finally:
        con.close()
