"""Must show (issue 15): the real exports 13111-07-05-4 for 2015–2018 and the BKG VG5000
imported into an EMPTY data directory give an atlas of all 400 German districts whose
numbers equal the raw files, whose LQs against Germany equal the hand computation with
the published totals, whose shares over the partition sum to 1, and whose registry keeps
working (edit form, backup round trip).

The expected values are read from the raw text here, independently of the importer."""

import math
import re

import pytest
from fastapi.testclient import TestClient

from clusteratlas import reference
from clusteratlas.registry.auth import Actor
from clusteratlas.server import create_app
from clusteratlas.service.atlas import open_atlas
from clusteratlas.service.imports import import_files
from clusteratlas.service.mapping import MappingOptions
from clusteratlas.service.setup import import_boundaries
from clusteratlas.store import DataDir

TABLES = "data/de_genesis/tabellen_csv_regionalstatistik"
YEARS = (2015, 2016, 2017, 2018)
LABELS = {"Freiberufl,wissenschaftl. techn. Dienstl.,sonst.DL": "M-N",
          "Öff.Verw.,Verteidig.,Sozialvers.,Erz.-u.Unterricht": "O-Q",
          "Kunst, Unterhaltung, Erholung, Priv. Haush.,usw.": "R-U", "Insgesamt": "TOTAL"}
PUBLISHED = ("A", "C", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U", "TOTAL")


def raw_values(path):
    """{(region, industry): employees (Nationalität and Geschlecht 'Insgesamt')}; None for
    a secret cell, 0 for '-'."""
    text = path.read_bytes().decode("latin-1")
    out = {}
    for line in text.split("__________")[0].split("\n")[10:]:
        cells = line.rstrip("\r").split(";")
        if len(cells) < 4 or not cells[0]:
            continue
        m = re.search(r"\(([A-Z](?:-[A-Z])?)\)$", cells[2])
        industry = m[1] if m else LABELS[cells[2]]
        cell = cells[3]
        out[(cells[0], industry)] = 0.0 if cell == "-" else (
            None if cell in (".", "x", "/", "...") else float(cell))
    return out


@pytest.fixture(scope="module")
def germany(shared, tmp_path_factory):
    store = DataDir(tmp_path_factory.mktemp("germany") / "data")
    files = [shared / TABLES / f"13111-07-05-4_{y}.csv" for y in YEARS]
    report = import_files(store, "genesis-table", files)
    shapes = import_boundaries(store, shared / "data/de_boundaries/vg5000_2021_krs/VG5000_KRS.shp")
    raw = {y: raw_values(f) for y, f in zip(YEARS, files, strict=True)}
    # Berlin and Hamburg are published as Land rows only: they stand for their Kreis
    for values in raw.values():
        for (code, industry), v in list(values.items()):
            if code in ("11", "02"):
                values[(code + "000", industry)] = v
    # merged Kreise count for their successor (hand sums of the raw cells): Eisenach
    # (16056) joined the Wartburgkreis (16063) in 2021, after every year here; the
    # Landkreise Göttingen (03152) and Osterode (03156) made up 03159 in November 2016
    # (the table's 03159 is all '-' in 2015 and 2016)
    for year, values in raw.items():
        merged = [("16063", ("16063", "16056"))]
        if year < 2017:
            merged.append(("03159", ("03152", "03156")))
        for successor, parts in merged:
            for industry in {i for (_, i) in values}:
                cells = [values[(p, industry)] for p in parts]
                values[(successor, industry)] = (None if None in cells else sum(cells))
    return store, report, shapes, raw


def test_all_districts_with_their_shapes(germany):
    store, report, shapes, _ = germany
    assert len(report.imported) == 4
    assert (shapes["features"], shapes["matched"], shapes["skipped"]) == (401, 400, 0)
    atlas = open_atlas(store)
    districts = {r.code for r in reference.de_regions().at_level("district")}
    assert {r.code for r in atlas.mapped_regions} == districts  # all 400, with data
    assert set(atlas.geometries) >= districts
    counts = atlas.observations.groupby("year")["region"].nunique().to_dict()
    assert counts == dict.fromkeys(YEARS, 400)


def test_atlas_values_equal_the_raw_files(germany):
    store, _, _, raw = germany
    atlas = open_atlas(store)
    obs = atlas.observations
    checked = 0
    for row in obs.itertuples():
        values = raw[row.year]
        if row.industry in PUBLISHED:
            want = values[(row.region, row.industry)]
        elif row.industry == "B_D_E":  # derived: B-E minus C
            be, c = values[(row.region, "B-E")], values[(row.region, "C")]
            want = None if be is None or c is None else be - c
        else:
            continue
        if want is None:
            assert math.isnan(row.employment), (row.region, row.industry, row.year)
        else:
            assert row.employment == want, (row.region, row.industry, row.year)
        checked += 1
    assert checked >= 400 * 4 * 12 - 200  # every district, year and part (few derived gaps)


def test_api_region_values_equal_the_raw_file(germany):
    store, _, _, raw = germany
    one_per_land = {}
    for r in reference.de_regions().at_level("district"):
        one_per_land.setdefault(r.code[:2], r.code)
    with TestClient(create_app(store)) as client:
        for year in YEARS:
            for code in one_per_land.values():
                body = client.get(f"/api/regions/{code}?year={year}").json()
                got = {c["category"]: c["employment"] for c in body["categories"]}
                for industry in ("C", "F", "J", "G-I"):
                    want = raw[year][(code, industry)]
                    assert got[industry] == want, (code, year, industry)


def test_lq_against_germany_is_the_hand_computation(germany):
    store, _, _, raw = germany
    atlas = open_atlas(store, MappingOptions(reference="DG"))
    ind = atlas.indicators[atlas.indicators["category"] == "C"]
    assert len(ind) == 400 * 4
    compared = 0
    for row in ind.itertuples():
        v = raw[row.year]
        e_rc, e_r = v[(row.region, "C")], v[(row.region, "TOTAL")]
        if e_rc is None or e_r is None:
            continue
        if e_r == 0:  # a Kreis that did not exist yet (all cells '-'): no LQ, never 0
            assert math.isnan(row.lq), (row.region, row.year)
            continue
        # published totals: Insgesamt of the district, Deutschland (DG) as reference
        want = (e_rc / e_r) / (v[("DG", "C")] / v[("DG", "TOTAL")])
        assert row.lq == pytest.approx(want, rel=1e-12), (row.region, row.year)
        compared += 1
    assert compared > 1500
    tuttlingen = ind[(ind["region"] == "08327") & (ind["year"] == 2018)].iloc[0]
    assert tuttlingen.lq == pytest.approx(
        (raw[2018][("08327", "C")] / raw[2018][("08327", "TOTAL")])
        / (raw[2018][("DG", "C")] / raw[2018][("DG", "TOTAL")]))


def test_shares_over_the_partition_sum_to_one(germany):
    store, _, _, raw = germany
    atlas = open_atlas(store, MappingOptions(reference="DG"))
    obs = atlas.observations
    parts = obs[obs["industry"] != "TOTAL"]
    assert not {"B-E", "B-F", "G-U"} & set(parts["industry"])  # no overlapping codes
    totals = obs[obs["industry"] == "TOTAL"].set_index(["region", "year"])["employment"]
    complete = parts.groupby(["region", "year"])["employment"].agg(
        lambda s: s.sum() if s.notna().all() else math.nan).dropna()
    total = totals.loc[complete.index]
    shares = (complete / total)[total > 0]
    districts = [r.code for r in reference.de_regions().at_level("district")]
    needed = ("A", "B-E", "C", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U", "TOTAL")
    without_secret = {(d, y) for y in YEARS for d in districts
                      if all(raw[y][(d, i)] is not None for i in needed)
                      and raw[y][(d, "TOTAL")] > 0}
    assert set(shares.index) == without_secret  # every district-year without a secret cell
    assert shares.to_numpy() == pytest.approx(1.0, abs=1e-12)
    assert atlas.unsupported_categories["automotive"].startswith("not computable: needs WZ")
    assert [c.code for c in atlas.categories.categories] == [
        "A", "C", "B_D_E", "F", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U"]


def test_registry_keeps_working_after_the_import(germany):
    store, _, _, _ = germany
    app = create_app(store)
    with TestClient(app) as client:
        service = app.state.registry
        service.add_user("admin", "admin", "admin password 1")
        service.create({"id": "it-nord", "name": "IT-Netzwerk Nord", "regions_served": ["08212"],
                        "categories": ["it_software"]}, Actor("admin", "admin"))
        service.add_user("hn", "manager", "manager password 1", ["it-nord"])
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
        client.post("/login", data={"name": "hn", "password": "manager password 1",
                                    "csrf": token}, follow_redirects=False)
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/initiatives").text)[1]
        form = client.get("/initiatives/it-nord/edit")
        assert form.status_code == 200
        version = re.search(r'name="version" value="(\d+)"', form.text)[1]
        ok = client.post("/initiatives/it-nord/edit", follow_redirects=False, data={
            "csrf": csrf, "version": version, "name": "IT-Netzwerk Nord e.V.",
            "status": "active", "regions_served": "08212 08215",
            "categories": "it_software", "public_facts": "on"})
        assert ok.status_code == 303, ok.text[:500]
        admin = {"Authorization": f"Bearer {service.create_token('admin', 'tests')}"}
        backup = client.get("/api/registry/export?format=json", headers=admin)
        assert backup.status_code == 200
        back = client.post("/api/registry/import?format=json", content=backup.content,
                           headers=admin)
        assert back.json() == {"ok": True, "created": 0, "replaced": 1}


def test_provenance_one_line_per_table_without_paths(germany):
    from clusteratlas.service.setup import describe_store

    store, _, _, _ = germany
    entries = open_atlas(store).meta()["provenance"]
    tables = [e for e in entries if e["kind"] == "panel"]
    assert len(tables) == 1  # four yearly files, one table
    assert len(tables[0]["ids"]) == 4
    assert tables[0]["line"].startswith("13111-07-05-4 (")
    assert tables[0]["line"].endswith(
        ", 2015–2018, © Statistische Ämter des Bundes und der Länder, Deutschland, 2021, "
        "dl-de/by-2.0, www.govdata.de/dl-de/by-2-0")
    shapes = next(e for e in entries if e["kind"] == "boundaries")
    assert shapes["line"] == ("BKG Verwaltungsgebiete VG5000 2021: Kreise, © GeoBasis-DE / "
                              "BKG 2021 (Daten verändert), dl-de/by-2.0, www.bkg.bund.de")
    info = describe_store(store)
    text = "\n".join(str(v) for e in entries for v in e.values()) + "\n".join(info[5:])
    assert str(store.path) not in text
    assert "/work/" not in text
    # 'clusteratlas info': one readable line per table (code, short title, years,
    # files, attribution with licence), not the table's whole title
    line, = (x for x in info if "13111-07-05-4" in x)
    assert line == ("  13111-07-05-4: Sozialversicherungspflichtig Beschäftigte am Arbeitsort "
                    "nach …, 2015–2018 (4 files), © Statistische Ämter des Bundes und der "
                    "Länder, Deutschland, 2021, dl-de/by-2.0, www.govdata.de/dl-de/by-2-0")
    with TestClient(create_app(store)) as client:
        page = client.get("/regions/08327").text
    assert page.count("13111-07-05-4 (") == 1
    assert "www.bkg.bund.de" in page


def test_cluster_categories_say_what_data_they_need(germany):
    """Issue 15.3: on section data the 16 cluster categories say "needs WZ … data" with
    their level – in the API, on the map page, and as a 4xx (never an empty map) when
    one is asked for."""
    store = germany[0]
    with TestClient(create_app(store)) as client:
        listed = client.get("/api/categories?lang=en").json()["unsupported_categories"]
        assert len(listed) == 16
        auto = next(c for c in listed if c["code"] == "automotive")
        assert auto == {"code": "automotive", "name": "Automotive", "needs": "class",
                        "reason": "needs WZ class (4-digit) data"}
        mapped = client.get("/api/map?category=C&lang=de").json()
        assert {c["code"] for c in mapped["unsupported_categories"]} == {
            c.code for c in reference.default_categories().categories}
        for lang, words in (("en", ("16 cluster categories are not computable with this "
                                    "table", "Automotive", "needs WZ class (4-digit) data")),
                            ("de", ("16 Clusterkategorien sind mit dieser Tabelle nicht "
                                    "berechenbar", "Automobil",
                                    "braucht Daten der WZ-Klassen (4-Steller)"))):
            page = client.get(f"/?lang={lang}").text
            for word in words:
                assert word in page, (lang, word)
        for url in ("/api/map?category=automotive", "/api/categories/automotive",
                    "/categories/automotive?lang=en", "/?category=automotive&lang=en"):
            r = client.get(url)
            assert r.status_code == 400, url
            assert "not computable with this table" in r.text, url
            assert "WZ class (4-digit)" in r.text, url
        for url in ("/categories/automotive", "/?category=automotive&lang=de"):
            r = client.get(url)  # the page in its language
            assert r.status_code == 400, url
            assert ("„Automobil und Zulieferer“ ist mit dieser Tabelle nicht berechenbar: "
                    "sie braucht Daten der WZ-Klassen (4-Steller)") in r.text, url
        assert client.get("/api/categories/nonsense").status_code == 404


def test_merged_districts_count_for_their_successor(germany):
    """The Wartburgkreis is drawn with Eisenach's area (VG5000 2021), so it is counted
    with Eisenach's employees; Göttingen has 2015 and 2016 values (its parts'); each sum
    is flagged 'derived' and said by name in the import summary."""
    store, report, _, raw = germany
    atlas = open_atlas(store)
    obs = atlas.observations.set_index(["region", "industry", "year"])
    assert obs.loc[("16063", "TOTAL", 2015), "employment"] == 40770 + 23938
    assert obs.loc[("03159", "TOTAL", 2015), "employment"] == 99252 + 25192
    assert obs.loc[("16063", "C", 2018), "employment"] == 15619 + 6649
    for key in (("16063", "TOTAL", 2018), ("03159", "C", 2016)):
        assert obs.loc[key, "flag"] == "derived"
    assert obs.loc[("03159", "TOTAL", 2017), "flag"] == "reported"  # its own row
    lines = "\n".join(report.regions)
    assert ("16056 (Kreisfreie Stadt Eisenach, merged 2021 into 16063 Wartburgkreis) "
            "added to 16063 Wartburgkreis on the map") in lines
    assert ("03156 (Landkreis Osterode am Harz, merged 2016 into 03159 Göttingen) make "
            "up 03159 Göttingen on the map") in lines
    assert "kept under their own code, not mapped: 16056" not in lines
    with TestClient(create_app(store)) as client:
        body = client.get("/api/regions/16063?year=2016").json()
        got = {c["category"]: c["employment"] for c in body["categories"]}
        assert got["C"] == raw[2016][("16063", "C")] == 15281 + 6949
