"""Importing official tables: exact values, all-or-nothing, re-import, replace, restore."""

import contextlib
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clusteratlas.errors import ClusteratlasError, InputError, SourceError
from clusteratlas.service.atlas import open_atlas
from clusteratlas.service.demo import build_demo
from clusteratlas.service.imports import convert_file, import_files, restore_dataset
from clusteratlas.service.regions import region_profile
from clusteratlas.sources.genesis import read_table_csv
from clusteratlas.store import DataDir

FILES = "data/de_genesis/tabellen_csv_regionalstatistik"


@pytest.fixture
def store(tmp_path):
    d = DataDir(tmp_path / "store")
    build_demo(d)
    return d


def raw_total(path):
    """Sum of every numeric cell the store keeps, computed from the raw text: rows below
    the Kreis (8-digit codes) are skipped, the city states' Land rows (Berlin 11,
    Hamburg 02) stand a second time for their Kreis (11000, 02000)."""
    lines = path.read_bytes().decode("latin-1").split("\n")
    footer = lines.index("__________")
    total = 0.0
    for line in lines[11:footer]:
        code = line.split(";")[0]
        if len(code) >= 8:
            continue
        times = 2 if code in ("11", "02") else 1
        for cell in line.split(";")[3:]:
            if cell not in ("-", ".", "x", "/", "..."):
                total += times * float(cell)
    return total


def test_values_arrive_exactly_in_the_store(shared, store):
    paths = [shared / FILES / f"13111-07-05-4_{y}.csv" for y in range(2015, 2019)]
    report = import_files(store, "genesis-table", paths)
    assert len(report.imported) == 4
    con = duckdb.connect(str(store.stats_file), read_only=True)
    try:
        for path, ds in zip(paths, report.imported, strict=True):
            stored = con.execute("SELECT sum(employment), count(*) FILTER (flag = 'suppressed') "
                                 "FROM observations WHERE dataset_id = ?", [ds]).fetchone()
            assert stored[0] == raw_total(path)
            text = path.read_bytes().decode("latin-1")
            data = text.split("__________")[0].split("\n")[11:]
            secret = sum(line.split(";")[3:].count(".") * (2 if line[:3] in ("11;", "02;") else 1)
                         for line in data if len(line.split(";")[0]) < 8)
            assert stored[1] == secret  # suppressed stay missing, none became zero
        prov = con.execute("SELECT licence, attribution FROM datasets WHERE id = ?",
                           [report.imported[0]]).fetchone()
        assert prov[0] == "dl-de/by-2.0"
        assert "Statistische Ämter" in prov[1]
    finally:
        con.close()
    atlas = open_atlas(store)
    assert not atlas.is_synthetic
    assert len(atlas.panel_districts) == 400  # the demo's 44 gave way to all of Germany
    assert len(atlas.mapped_regions) == 44  # shown: the home scope 08 the demo set stays
    profile = region_profile(atlas, "08435", year=2018)
    c = next(x for x in profile["categories"] if x["category"] == "C")  # WZ codes as category codes
    assert c["employment"] == 36726


def test_reimport_is_a_noop_and_replace_is_recoverable(shared, store, tmp_path):
    path = shared / FILES / "13111-07-05-4_2018.csv"
    first = import_files(store, "genesis-table", [path])
    again = import_files(store, "genesis-table", [path])
    assert again.imported == []
    assert "already imported" in again.skipped[0]
    changed = tmp_path / "13111-07-05-4_2018_revised.csv"
    changed.write_bytes(path.read_bytes().replace(b"Stand: 17.08.2021", b"Stand: 18.08.2021"))
    with pytest.raises(InputError, match="use --replace"):
        import_files(store, "genesis-table", [changed])
    second = import_files(store, "genesis-table", [changed], replace=True)
    assert second.replaced == first.imported
    assert "active again" in restore_dataset(store, first.imported[0])
    con = duckdb.connect(str(store.stats_file), read_only=True)
    try:
        status = dict(con.execute("SELECT id, status FROM datasets WHERE table_key IS NOT NULL"
                                  ).fetchall())
    finally:
        con.close()
    assert status[first.imported[0]] == "active"
    assert status[second.imported[0]] == "superseded"


def test_broken_file_in_a_batch_writes_nothing(shared, store, tmp_path):
    good = shared / FILES / "13111-07-05-4_2017.csv"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(good.read_bytes()[:20000])
    before = duckdb.connect(str(store.stats_file), read_only=True)
    n_before = before.execute("SELECT count(*) FROM observations").fetchone()[0]
    before.close()
    with pytest.raises(SourceError, match="truncated"):
        import_files(store, "genesis-table", [good, bad])
    after = duckdb.connect(str(store.stats_file), read_only=True)
    assert after.execute("SELECT count(*) FROM observations").fetchone()[0] == n_before
    after.close()


def test_population_table_sums_to_district_table(shared):
    table = read_table_csv(shared / FILES / "12411-0018.csv")
    f = table.frame[table.frame["year"] == 2018]
    sums = f.groupby("region", observed=True)["value"].sum()
    sums.index = sums.index.astype(str)  # region is a categorical column
    districts = pd.read_csv(shared / "data/de_districts/landkreise-deutschland_districts.csv",
                            sep=";", dtype={"AGS": str}).set_index("AGS")["population"]
    assert len(sums) == len(districts) == 401
    pd.testing.assert_series_equal(sums.sort_index().astype(int),
                                   districts.sort_index().astype(int), check_names=False)


def test_convert_writes_canonical_panel(shared, tmp_path):
    out = tmp_path / "panel.csv"
    rows = convert_file("genesis-table", shared / FILES / "13111-07-05-4_2018.csv", out)
    panel = pd.read_csv(out, dtype={"region": str})
    assert rows == len(panel) == 45192
    assert {"region", "industry", "year", "employment", "flag", "nationalitaet",
            "geschlecht"} <= set(panel.columns)
    assert (panel.loc[panel["flag"] == "suppressed", "employment"].isna()).all()


def test_kill_during_import_leaves_store_as_before(shared, store):
    before = duckdb.connect(str(store.stats_file), read_only=True)
    snapshot = before.execute("SELECT count(*), sum(employment) FROM observations").fetchone()
    before.close()
    paths = [str(shared / FILES / f"13111-07-05-4_{y}.csv") for y in range(2015, 2019)] * 1
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        import clusteratlas.store.stats as stats
        from clusteratlas.service.imports import import_files
        from clusteratlas.store import DataDir
        original = stats.StatsStore._insert_frame
        def slow(con, table, frame):
            original(con, table, frame)
            if table == "observations":
                print("inserted", flush=True)
                import time; time.sleep(60)
        stats.StatsStore._insert_frame = staticmethod(slow)
        import_files(DataDir(Path({str(store.path)!r})), "genesis-table", {paths!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "inserted"  # mid-transaction
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.stdout.close()
    time.sleep(0.2)
    after = duckdb.connect(str(store.stats_file), read_only=True)
    try:
        assert after.execute("SELECT count(*), sum(employment) FROM observations"
                             ).fetchone() == snapshot
        assert after.execute("SELECT count(*) FROM datasets WHERE table_key IS NOT NULL"
                             ).fetchone()[0] == 0
    finally:
        after.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzzed_genesis_files_raise_only_our_errors(shared, tmp_path, data):
    raw = (shared / FILES / "13111-07-05-4_2018.csv").read_bytes()[:6000] + (
        shared / FILES / "13111-07-05-4_2018.csv").read_bytes()[-1200:]
    pos = data.draw(st.integers(0, len(raw) - 1))
    junk = data.draw(st.binary(min_size=0, max_size=8))
    cut = data.draw(st.integers(0, 20))
    mutated = raw[:pos] + junk + raw[pos + cut:]
    path = tmp_path / "fuzz.csv"
    path.write_bytes(mutated)
    with contextlib.suppress(ClusteratlasError):
        read_table_csv(path)


def test_ffcsv_files_parse(shared, store):
    from clusteratlas.sources.genesis_ffcsv import read_ffcsv

    folder = shared / "data/de_genesis/ffcsv_api"
    parsed = read_ffcsv(next(folder.glob("13111-01-03-4_*_de_flat.csv")))
    assert parsed.table_code == "13111-01-03-4"
    kreise = parsed.frame[parsed.frame["region"].str.len() == 5]
    assert (kreise["status"] == "zero").all()  # this snapshot has '-' for every Kreis
    urs = read_ffcsv(next(folder.glob("52111-0001_*")))
    assert (urs.frame["status"] == "estimated").all()
    report = import_files(store, "genesis-ffcsv", sorted(folder.glob("13111-0005_*_de_flat.csv")))
    assert len(report.imported) == 1


def test_eurostat_tsv_and_sdmx(shared, tmp_path):
    from clusteratlas.sources.eurostat import read_sdmx_csv, read_tsv

    tsv = read_tsv(shared / "data/eurostat/nama_10r_3empers_excerpt_datacommons_sample.tsv")
    f = tsv.frame
    ka = f[(f["region"] == "DE123") & (f["industry"] == "K-N")]
    assert not ka.empty
    assert (f["value"].dropna() >= 0).all()
    assert set(f["status"]) <= {"reported", "estimated", "secret"}
    sdmx = tmp_path / "x.csv"
    sdmx.write_text("DATAFLOW,LAST UPDATE,freq,unit,wstatus,nace_r2,geo,TIME_PERIOD,OBS_VALUE,"
                    "OBS_FLAG\nESTAT:NAMA_10R_3EMPERS(1.0),22/05/26 11:00:00,A,THS,EMP,C,DE123,"
                    "2021,41.28,p\nESTAT:NAMA_10R_3EMPERS(1.0),22/05/26 11:00:00,A,THS,EMP,C,"
                    "DE124,2021,,c\n", encoding="utf-8")
    parsed = read_sdmx_csv(sdmx)
    assert parsed.table_code == "nama_10r_3empers"
    rows = parsed.frame.set_index("region")
    assert rows.loc["DE123", "value"] == pytest.approx(41280)
    assert rows.loc["DE123", "status"] == "estimated"
    assert np.isnan(rows.loc["DE124", "value"])


def test_cbp_layout(tmp_path):
    from clusteratlas.sources.cbp import read_cbp

    path = tmp_path / "cbp18co.txt"
    path.write_text('fipstate,fipscty,naics,emp_nf,emp,qp1_nf,qp1,ap_nf,ap,est\n'
                    '"01","001","------","G",10453,"G",1,"G",1,817\n'
                    '"01","001","31----","D",0,"D",0,"D",0,12\n'
                    '"01","001","3361//","H",250,"H",1,"H",1,3\n'
                    '"01","001","336111","D",0,"D",0,"D",0,2\n'
                    '"01","001","336112","H",250,"H",1,"H",1,1\n', encoding="utf-8")
    parsed = read_cbp(path)
    f = parsed.frame.set_index("industry")
    assert parsed.frame["region"].iloc[0] == "US-01001"
    # the 6-digit industries and the total; the sector and 4-digit rows would count twice
    assert sorted(f.index) == ["336111", "336112", "TOTAL"]
    assert f.loc["TOTAL", "value"] == 10453
    assert np.isnan(f.loc["336111", "value"])
    assert f.loc["336111", "status"] == "secret"
    assert f.loc["336112", "establishments"] == 1
    bad = tmp_path / "cbp18co_bad.txt"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SourceError, match="needs columns"):
        read_cbp(bad)


def test_firm_locations(store, tmp_path):
    from clusteratlas.service.imports import import_firms

    good = tmp_path / "firms.csv"
    good.write_text("id,industry,employment,lat,lon\n1,25.94,120,49.28,9.69\n2,25.94,,49.3,9.7\n",
                    encoding="utf-8")
    report = import_firms(store, good)
    assert report.rows == 2
    assert import_firms(store, good).skipped
    projected = tmp_path / "proj.csv"
    projected.write_text("id,industry,x,y\na,28.29,3572000,5450000\n", encoding="utf-8")
    with pytest.raises(ClusteratlasError, match="need their CRS"):
        import_firms(store, projected)
    import_firms(store, projected, crs="EPSG:31467")
    con = duckdb.connect(str(store.stats_file), read_only=True)
    lon, lat = con.execute("SELECT lon, lat FROM firms WHERE id = 'a'").fetchone()
    con.close()
    assert 9.0 < lon < 10.5
    assert 49.0 < lat < 49.5
    swapped = tmp_path / "swapped.csv"
    swapped.write_text("id,industry,lat,lon\n1,25,9.7,149.3\n2,25,95,9\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"swapped.csv, line 3: lat 95"):
        import_firms(store, swapped)
    dup = tmp_path / "dup.csv"
    dup.write_text("id,industry,lat,lon\n1,25,49,9\n1,26,48,9\n", encoding="utf-8")
    with pytest.raises(InputError, match="lines 2, 3: duplicate id '1'"):
        import_firms(store, dup)


def test_validation_report_finds_inconsistencies():
    from clusteratlas.service.imports import Parsed
    from clusteratlas.service.validation import validate_parsed

    rows = []
    for region, total, c in (("08", 1000.0, 300.0), ("08111", 600.0, 100.0),
                             ("08435", 300.0, 150.0), ("99999", 10.0, 1.0)):
        for year, factor in ((2017, 1.0), (2018, 1.0)):
            rows += [{"region": region, "industry": "TOTAL", "year": year, "value": total,
                      "status": "reported", "measure": "employment"},
                     {"region": region, "industry": "C", "year": year,
                      "value": c * (1.5 if (region == "08435" and year == 2018) else factor),
                      "status": "reported", "measure": "employment"}]
    parsed = Parsed("test", "t", "t", pd.DataFrame(rows), "a", "l")
    lines = validate_parsed(parsed)
    text = "\n".join(lines)
    assert "state 08 2017: total 1,000 differs from the sum of its districts 900 by +100" in text
    from clusteratlas import reference
    from clusteratlas.service.region_codes import harmonise_regions

    # not in the register: said by the import's region lines
    assert "e.g. 99999" in "\n".join(harmonise_regions(parsed.frame, reference.de_regions()).notes)
    # manufacturing jumps while the district total stands still: a reclassification hint
    assert "08435 2018: manufacturing changed by +50% while total employment changed by +0%" in text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzzed_other_sources_raise_only_our_errors(shared, tmp_path, data):
    from clusteratlas.service.imports import parse_file

    samples = {
        "genesis-ffcsv": next((shared / "data/de_genesis/ffcsv_api").glob("13111-0005_*_de*")),
        "eurostat-tsv": shared / "data/eurostat/nama_10r_3empers_excerpt_datacommons_sample.tsv",
    }
    cbp = tmp_path / "cbp18co.txt"
    cbp.write_text('fipstate,fipscty,naics,emp_nf,emp,est\n"01","001","------","G",10453,817\n'
                   '"01","001","31----","D",0,12\n"01","003","3361//","H",250,3\n',
                   encoding="utf-8")
    samples["cbp"] = cbp
    source = data.draw(st.sampled_from(sorted(samples)))
    raw = samples[source].read_bytes()[:5000]
    pos = data.draw(st.integers(0, len(raw) - 1))
    mutated = raw[:pos] + data.draw(st.binary(max_size=6)) + raw[pos + data.draw(st.integers(0, 9)):]
    path = tmp_path / {"eurostat-tsv": "fuzz.tsv", "cbp": "cbp18co_fuzz.txt"}.get(source, "fuzz.csv")
    path.write_bytes(mutated)
    with contextlib.suppress(ClusteratlasError):
        parse_file(source, path)


def test_real_files_replace_the_demo_in_the_pages(shared, store):
    from fastapi.testclient import TestClient

    from clusteratlas.server import create_app
    from clusteratlas.service.setup import import_boundaries

    import_boundaries(store, shared / "data/de_boundaries/vg5000_2021_krs/VG5000_KRS.shp")
    import_files(store, "genesis-table", [shared / FILES / "13111-07-05-4_2018.csv"])
    with TestClient(create_app(store)) as client:
        page = client.get("/regions/08435").text
        body = client.get("/api/regions/08435").json()
        home = client.get("/?category=C").text
    assert body["synthetic"] is False
    assert 'data-synthetic="true"' not in page
    assert "Statistische Ämter des Bundes und der Länder" in page
    assert "GeoBasis-DE / BKG 2021" in page
    c = next(x for x in body["categories"] if x["category"] == "C")
    assert c["employment"] == 36726
    assert "Verarbeitendes Gewerbe" in home


def test_geopackage_boundaries(shared, store, tmp_path):
    import geopandas as gpd

    from clusteratlas.service.setup import import_boundaries

    shapes = gpd.read_file(shared / "data/de_boundaries/vg5000_2021_krs/VG5000_KRS.shp")
    gpkg = tmp_path / "kreise.gpkg"
    shapes[shapes["AGS"].str.startswith("08")][["AGS", "GEN", "geometry"]].to_file(
        gpkg, layer="kreise", driver="GPKG")
    report = import_boundaries(store, gpkg, layer="kreise", attribution="test", licence="x")
    assert report["matched"] == 44
    assert report["key"] == "AGS"


@pytest.mark.parametrize("name", ["12411-0018.csv", "13211-02-05-4.csv",
                                  "13111-07-05-4_2015.csv", "13111-07-05-4_2016.csv",
                                  "13111-07-05-4_2017.csv", "13111-07-05-4_2018.csv"])
def test_every_genesis_table_file_parses(shared, name):
    table = read_table_csv(shared / FILES / name)
    assert table.code == name.split("_")[0].removesuffix(".csv")
    assert len(table.frame) > 1000
    assert table.frame["year"].between(2015, 2020).all()


def test_every_ffcsv_file_parses(shared):
    from clusteratlas.service.imports import canonical_panel
    from clusteratlas.sources.genesis_ffcsv import read_ffcsv

    for path in sorted((shared / "data/de_genesis/ffcsv_api").glob("*.csv")):
        parsed = read_ffcsv(path)
        panel = canonical_panel(parsed, origin=str(path))
        assert len(panel) > 10, path.name


def test_duplicate_keys_name_the_file(tmp_path, store):
    path = tmp_path / "dup.tsv"
    path.write_text("freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD\t2020\n"
                    "A,THS,EMP,C,DE123\t1 \nA,THS,EMP,C,DE123\t2 \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"dup.tsv: duplicate value for region 'DE123'"):
        import_files(store, "eurostat-tsv", [path])
