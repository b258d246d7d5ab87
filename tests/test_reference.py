"""Packaged code lists against the verified official files in ../shared."""

import csv
import io

import pytest

from clusteratlas import reference
from clusteratlas.errors import InputError, SchemaError, SourceError, UnknownCodeError


def test_wz2008_levels_and_counts():
    wz = reference.wz2008()
    counts = {lvl: len(wz.at_level(lvl)) for lvl in wz.levels}
    assert counts == {"section": 21, "division": 88, "group": 272, "class": 615, "subclass": 839}
    assert wz["25.94"].title("de") == "Herstellung von Schrauben und Nieten"
    assert wz["25.94"].title("en") == "Manufacture of fasteners and screw machine products"
    assert wz.ancestors("25.94.0") == ["25.94", "25.9", "25", "C"]
    assert "Destatis" in wz.source


def test_nace_equals_wz_on_levels_1_to_4():
    wz, nace = reference.wz2008(), reference.nace_rev2()
    assert len(nace) == 996
    assert set(nace) == {c for c in wz if wz[c].level != "subclass"}


def test_wz2008_matches_verified_shared_list(shared):
    path = shared / "data/classifications/wz2008/wz2008.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    wz = reference.wz2008()
    assert len(rows) == len(wz) == 1835
    for row in rows:
        ind = wz[row["code"]]
        assert (ind.level, ind.parent or "", ind.title_en, ind.title_de) == (
            row["level"], row["parent"], row["title_en"], row["title_de"])


def test_bw_districts_match_official_district_table(shared):
    path = shared / "data/de_districts/landkreise-deutschland_districts.csv"
    official = {r["AGS"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=";")}
    districts = reference.bw_regions().at_level("district")
    assert len(districts) == 44
    for d in districts:
        row = official[d.code]
        assert d.alt_codes["nuts"] == row["NUTS3"]
        # the official table is of 31.12.2018: the demo's seed; the register shows 2020
        assert reference.bw_population_2018()[d.code] == int(row["population"])
        assert d.population == reference.de_regions()[d.code].population
        assert d.code.startswith("08")
    assert {d.alt_codes["nuts"] for d in districts} == {
        r["NUTS3"] for a, r in official.items() if a.startswith("08")}


def test_bw_register_structure():
    regs = reference.bw_regions()
    assert len(regs.at_level("regierungsbezirk")) == 4
    planning = {r.groupings["planning_region"] for r in regs.at_level("district")}
    assert len(planning) == 12
    assert regs.resolve("DE147").name == "Bodenseekreis"
    # Baden-Württemberg at 31.12.2020 (Destatis: 11,103,043); 31.12.2018 seeded the demo
    assert sum(r.population or 0 for r in regs.at_level("district")) == 11_103_043
    assert sum(reference.bw_population_2018().values()) == 11_069_533


def test_default_categories_cover_initiative_fields():
    cats = reference.default_categories()
    wanted = {"aerospace", "automotive", "plastics", "metal_working", "medical_technology",
              "it_software", "photonics", "microsystems", "biotech_life_sciences",
              "packaging_machinery", "textiles_fibres", "electromobility", "solar_energy",
              "virtual_engineering", "fastening_technology"}
    assert wanted <= set(cats)


def test_default_categories_are_mutually_exclusive():
    wz = reference.wz2008()
    cats = reference.default_categories()
    leaves = [c for c in wz if wz[c].level == "subclass"]
    membership = cats.membership(wz, leaves)
    assert all(len(v) <= 1 for v in membership.values())
    assert membership["25.94.0"] == ["fastening_technology"]
    assert membership["30.30.0"] == ["aerospace"]


def test_read_categories_yaml_and_errors(tmp_path):
    good = tmp_path / "cats.yaml"
    good.write_text(
        "name: mine\nversion: '2'\nclassification: wz2008\ncategories:\n"
        "  - code: screws\n    name_de: Schrauben\n    name_en: Screws\n    include: ['25.94']\n",
        encoding="utf-8",
    )
    cats = reference.read_categories(good, classification=reference.wz2008())
    assert cats.name == "mine"
    assert cats["screws"].include == ("25.94",)
    bad = tmp_path / "bad.yaml"
    bad.write_text("categories:\n  - code: x\n    include: ['99.99']\n", encoding="utf-8")
    with pytest.raises(UnknownCodeError, match=r"bad.yaml: category 'x': industry code '99.99'"):
        reference.read_categories(bad, classification=reference.wz2008())
    broken = tmp_path / "broken.yaml"
    broken.write_text("categories: [\n  - x: {", encoding="utf-8")
    with pytest.raises(SourceError, match=r"broken.yaml, line \d+: not valid YAML"):
        reference.read_categories(broken)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("category,industry\nMöbel,31\n".encode("latin-1"))
    with pytest.raises(SourceError, match=r"latin.csv, line 2: not valid UTF-8"):
        reference.read_categories(latin)
    nocols = tmp_path / "nocols.csv"
    nocols.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="expected columns 'category' and 'industry'"):
        reference.read_categories(nocols)


def test_us_cluster_mapping_crosswalk_loads(shared):
    path = shared / "data/us/cluster_mapping/NAICS_crosswalks_to_Cluster_system.sheet1.csv"
    naics = reference.read_classification(
        shared / "data/classifications/naics2017/naics2017.csv", name="naics2017")
    assert len(naics.at_level("national_industry")) == 1057
    cats = reference.read_categories(path, columns={"category": "Cluster", "industry": "NAICS"})
    aero = cats["aerospace_vehicles_and_defense"]
    assert "336411" in aero.include
    traded = {r["Cluster"] for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
              if r["TradedLocal"] == "Traded"}
    assert len(traded) == 51
    assert len(cats) >= 51 + 16


def test_read_concordance(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("from,to\n517110,517311\n517110,517312\n", encoding="utf-8")
    conc = reference.read_concordance(path, source="naics2012", target="naics2017")
    assert conc.targets("517110") == (("517311", 0.5), ("517312", 0.5))
    path.write_text("from,to,weight\na,b,0.5\na,c,x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c.csv, line 3: field 'weight' is 'x'"):
        reference.read_concordance(path, source="a", target="b")


def test_read_classification_bad_file(tmp_path):
    path = tmp_path / "cls.csv"
    path.write_text("code,level\nA,section\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="expected columns code, level, parent, title_en"):
        reference.read_classification(path)
