"""The region registers shipped as package data: Germany, the US, retired codes."""

import csv
import importlib.util
import io
from collections import Counter
from pathlib import Path

import pytest

from clusteratlas import reference
from clusteratlas.errors import InputError, NotFoundError, SchemaError
from clusteratlas.model.regions import namespace_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def de():
    return reference.de_regions()


@pytest.fixture(scope="module")
def us():
    return reference.us_regions()


def test_germany_counts_and_hierarchy(de):
    assert len(de.at_level("district")) == 400
    assert len(de.at_level("state")) == 16
    mids = Counter(r.kind for r in de.at_level("regierungsbezirk"))
    assert mids == {"Regierungsbezirk": 19, "Statistische Region": 10}
    assert de["DG"].alt_codes["nuts"] == "DE"
    assert de["DG"].parent is None
    assert all(r.parent == "DG" for r in de.at_level("state"))
    kinds = Counter(r.kind for r in de.at_level("district"))
    # 294 Landkreise (NRW and SH call theirs "Kreis") and 106 kreisfreie Städte
    assert kinds["Landkreis"] + kinds["Kreis"] == 294
    assert kinds["Kreisfreie Stadt"] + kinds["Stadtkreis"] == 106
    for kreis in de.at_level("district"):
        chain = de.ancestors(kreis.code)
        assert chain[-1].code == "DG"
        land = next(r for r in chain if r.level == "state")
        assert kreis.code[:2] == land.code
        assert kreis.alt_codes["ags"] == kreis.code
        assert kreis.alt_codes["nuts"].startswith(land.alt_codes["nuts"])
        assert kreis.population
        assert kreis.population > 30_000


def test_every_land_has_its_kreise(de):
    def kreise(land):
        return [r for r in de.at_level("district") if r.code[:2] == land]

    assert len(kreise("09")) == 96
    assert len(kreise("08")) == 44
    assert len(kreise("11")) == 1
    assert de["11000"].name == "Berlin"
    assert {r.parent for r in kreise("09")} == {f"09{i}" for i in range(1, 8)}
    assert {r.parent for r in kreise("12")} == {"12"}  # Brandenburg: no Regierungsbezirke


def test_population_is_31_12_2020_and_adds_up(de):
    assert reference.DE_POPULATION_DATE == "2020-12-31"
    assert de["DG"].population == 83_155_031  # Destatis, Bevölkerungsstand 31.12.2020
    for region in (*de.at_level("state"), *de.at_level("regierungsbezirk")):
        below = [r for r in de.at_level("district") if r.code.startswith(region.code)]
        assert region.population == sum(r.population or 0 for r in below)
    assert sum(r.population or 0 for r in de.at_level("state")) == de["DG"].population


def test_eisenach_is_in_the_wartburgkreis(de):
    assert "16056" not in de
    assert de["16063"].population == 159_937  # 16063 + 16056 at 31.12.2020
    with pytest.raises(NotFoundError, match=r"16056 \(Kreisfreie Stadt Eisenach, merged 2021 "
                                            r"into 16063 Wartburgkreis\)"):
        de.lookup("16056")


def test_nuts_codes_unique_and_round_trip(de):
    kreise = de.at_level("district")
    assert len({r.alt_codes["nuts"] for r in kreise}) == 400
    for r in kreise:
        assert de.by_alt_code("nuts", r.alt_codes["nuts"]).code == r.code
        assert de.lookup(r.alt_codes["nuts"]).alt_codes["ags"] == r.code
    assert de.lookup("DE212").name == "München"
    assert de.lookup("DE21").name == "Oberbayern"


def test_bw_regions_unchanged_and_a_subset_of_germany(de):
    bw = reference.bw_regions()
    assert len(bw) == 50
    assert bw["DE"].level == "country"
    for code in [c for c in bw if c != "DE"]:
        old, new = bw[code], de[code]
        assert (old.name, old.level, old.alt_codes["nuts"]) == (
            new.name, new.level, new.alt_codes["nuts"])
        if old.level == "district":
            assert (old.kind, old.parent, old.alt_codes) == (new.kind, new.parent, new.alt_codes)
    assert bw["08"].parent == "DE"
    assert de["08"].parent == "DG"
    assert {r.code for r in de.at_level("district") if r.code[:2] == "08"} == {
        r.code for r in bw.at_level("district")}
    assert de["08435"].groupings == bw["08435"].groupings
    assert de["08435"].abbreviation == "FN"


def test_us_counts(us):
    assert len(us.at_level("state")) == 51  # 50 states and DC; territories are not in it
    assert len(us.at_level("county")) == 3143  # Census 2020 counties and equivalents
    assert Counter(r.parent for r in us.at_level("county"))["US-48"] == 254
    assert us["US-11001"].name == "District of Columbia"
    assert us["US-46102"].name == "Oglala Lakota County"
    assert all(r.code.startswith("US-") for r in us.values() if r.code != "US")


def test_fips_and_ags_never_collide():
    both = reference.all_regions()
    assert both["08"].name == "Baden-Württemberg"
    assert both["US-08"].name == "Colorado"
    assert both.lookup("08").name == "Baden-Württemberg"
    assert both.lookup("08", namespace="DE").name == "Baden-Württemberg"
    assert both.lookup("08", namespace="US").name == "Colorado"
    assert both.lookup("8", namespace="US").name == "Colorado"
    assert both.lookup("CO", namespace="US").name == "Colorado"
    assert both.lookup("08013", namespace="US").name == "Boulder County"
    assert both.lookup("01001").name == "Flensburg"
    assert both.lookup("01001", namespace="US").name == "Autauga County"
    assert namespace_of("US-08013") == "US"
    assert namespace_of("08013") == "DE"
    with pytest.raises(NotFoundError, match="namespace 'US'"):
        both.lookup("06037")  # a FIPS code is never taken for an unknown AGS
    with pytest.raises(InputError, match="namespace 'FR'"):
        both.lookup("75", namespace="FR")


def test_spreadsheet_and_padded_forms(de):
    assert de.lookup("8435").code == "08435"
    assert de.lookup(" 8435 ").code == "08435"
    assert de.lookup("8").code == "08"
    assert de.lookup("084350000000").code == "08435"  # ARS padded to 12 digits
    assert de.lookup("08435000").code == "08435"  # AGS padded to 8 digits
    assert de.lookup("081000000000").code == "081"
    assert de.lookup("DE").code == "DG"
    with pytest.raises(NotFoundError, match="'9999'"):
        de.lookup("9999")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("03152", "03152 (Landkreis Göttingen, merged 2016 into 03159 Göttingen)"),
        ("3156", "03156 (Landkreis Osterode am Harz, merged 2016 into 03159 Göttingen)"),
        ("05354", "05354 (Kreis Aachen, merged 2009 into 05334 Städteregion Aachen)"),
        ("13052", "13052 (Landkreis Demmin, split 2011 into 13071 Mecklenburgische "
                  "Seenplatte and 13075 Vorpommern-Greifswald)"),
        ("14161", "14161 (Kreisfreie Stadt Chemnitz, recoded 2008 as 14511 Chemnitz)"),
        ("15303", "15303 (Kreisfreie Stadt Magdeburg, recoded 2007 as 15003 Magdeburg)"),
    ],
)
def test_old_vintage_codes_are_reported_by_name(de, code, message):
    with pytest.raises(NotFoundError) as info:
        de.lookup(code)
    assert message in str(info.value)
    assert de.former(message[:5]) is not None


def test_retired_us_codes_are_reported(us):
    with pytest.raises(NotFoundError, match=r"Valdez-Cordova Census Area, split 2019 into "
                                            r"US-02063 Chugach Census Area and US-02066"):
        us.lookup("02261", namespace="US")
    with pytest.raises(NotFoundError, match="Bedford city, merged 2013 into US-51019"):
        us.lookup("US-51515")


def test_every_retired_german_code_in_the_statistics_is_known(shared, de):
    table = shared / "data/de_genesis/tabellen_csv_regionalstatistik/13111-07-05-4_2015.csv"
    codes = {row[0] for row in csv.reader(io.StringIO(table.read_text(encoding="latin-1")),
                                          delimiter=";") if row and row[0].isdigit()}
    unknown = [c for c in codes if c not in de and de.former(c) is None and len(c) <= 5]
    assert unknown == []
    # 8-digit codes are municipalities inside a Kreis (Hannover, Aachen, Saarbrücken, the
    # Berlin Bezirke): never to be taken for the Kreis itself
    towns = sorted(c for c in codes if len(c) == 8)
    assert towns[:3] == ["03241001", "05334002", "10041100"]
    assert len(towns) == 15
    for town in towns:
        with pytest.raises(NotFoundError):
            de.lookup(town)
    assert len([c for c in codes if de.former(c)]) >= 70


def test_regions_for_a_scope(de, us):
    assert reference.regions_for("09") is de
    assert reference.regions_for("DG") is de
    assert reference.regions_for("US-06") is us
    assert reference.regions_for("US") is us
    with pytest.raises(NotFoundError):
        reference.regions_for("US-99")


def test_package_data_regenerates_identically(shared, tmp_path):
    spec = importlib.util.spec_from_file_location("make_registers",
                                                  ROOT / "tools/make_registers.py")
    assert spec
    assert spec.loader
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.main(shared, tmp_path)
    shipped = ROOT / "src/clusteratlas/data/regions"
    for name in ("de_regions.csv", "us_regions.csv", "former_codes.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (
            shipped / name).read_text(encoding="utf-8"), name


def test_registers_match_the_official_tables(shared, de):
    path = shared / "data/de_districts/landkreise-deutschland_districts.csv"
    rows = {r["AGS"]: r for r in csv.DictReader(
        io.StringIO(path.read_text(encoding="utf-8")), delimiter=";")}
    for kreis in de.at_level("district"):
        assert kreis.alt_codes["nuts"] == rows[kreis.code]["NUTS3"]
    counties = shared / "data/us/addfips/counties_2020.csv"
    listed = {r["statefp"] + r["countyfp"] for r in csv.DictReader(
        io.StringIO(counties.read_text(encoding="utf-8")))}
    ours = {r.code[3:] for r in reference.us_regions().at_level("county")}
    assert ours - listed == {"02063"}
    assert {c for c in listed - ours if int(c[:2]) <= 56} == {"02261", "51515"}


def test_read_regions_from_a_gisco_style_file(tmp_path):
    path = tmp_path / "nuts.csv"
    path.write_text("NUTS_ID,NAME_LATN,LEVL_CODE\nFR,France,0\nFR1,Ile-de-France,1\n"
                    "FR10,Ile-de-France,2\nFR101,Paris,3\n", encoding="utf-8")
    regs = reference.read_regions(
        path, columns={"code": "NUTS_ID", "name": "NAME_LATN", "level": "LEVL_CODE"})
    assert regs["FR101"].level == "nuts3"
    assert [r.code for r in regs.ancestors("FR101")] == ["FR10", "FR1", "FR"]
    assert regs.lookup("FR101").alt_codes["nuts"] == "FR101"


def test_read_regions_semicolon_file_with_parents(tmp_path):
    path = tmp_path / "at.csv"
    path.write_text("code;name;level;parent;population\nAT;Österreich;country;;\n"
                    "AT-9;Wien;state;AT;1920949\n", encoding="utf-8")
    regs = reference.read_regions(path, vintage=2023)
    assert regs["AT-9"].population == 1_920_949
    assert regs["AT-9"].vintage == 2023


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ("code,name\nX,Y\n", SchemaError, "column 'level' is missing"),
        ("code,name,level\nX,Y,kreis\n", InputError, r"line 2: field 'level' is 'kreis'"),
        ("code,name,level,population\nX,Y,district,many\n", InputError,
         r"line 2: field 'population' is 'many'"),
        ("code,name,level\nX,,district\n", InputError, r"line 2: region 'X': name is empty"),
        ("code,name,level,parent\nX,Y,district,Z\n", InputError, "parent 'Z'"),
    ],
)
def test_read_regions_bad_rows_name_file_line_and_field(tmp_path, content, error, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=message) as info:
        reference.read_regions(path)
    assert str(path) in str(info.value)
