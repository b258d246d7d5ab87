"""Labels that survive an analyst (issue 16.9/16.10, issue 15.4): the size floor of stars
and the strong label, statewide and coarse-data coverage statuses, legends that explain
their classes, the map table ordered by its indicator, markers beside readable labels."""

import csv
import dataclasses
import io
import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from clusteratlas import reference
from clusteratlas.model.categories import CategorySet, ClusterCategory
from clusteratlas.presentation.colours import STATUS_COLOURS, legend, ranked
from clusteratlas.presentation.svgmap import MARKER_RADIUS, marker_point
from clusteratlas.service import coverage
from clusteratlas.service.mapping import MIN_EMPLOYMENT, MappingOptions

# ---- the size floor -------------------------------------------------------------------


def test_the_atlas_applies_the_documented_floor(atlas):
    assert atlas.options.min_employment == MIN_EMPLOYMENT == 1000
    cells = atlas.indicators
    small = cells[cells["employment"].fillna(0) < 1000]
    assert len(small) > 1000
    assert (small["stars"] == 0).all()
    assert not small["strong"].astype(bool).any()
    # and it matters: the relative rules alone label cells of a few hundred employees
    assert cells["strong"].astype(bool).any()


def test_negative_floor_is_refused():
    with pytest.raises(Exception, match="min_employment"):
        MappingOptions(min_employment=-5)


def test_a_star_below_lq_1_is_a_size_or_focus_star(atlas):
    """The ECO rule gives a size or a focus star whatever the LQ: ★ at LQ 0.79 is the
    documented rule (the legend says so), never a specialisation star."""
    cells = atlas.indicators
    low = cells[(cells["stars"] >= 1) & (cells["lq"] < 1)]
    assert not low["star_specialisation"].astype(bool).any()
    assert (low["star_size"].astype(bool) | low["star_focus"].astype(bool)).all()


# ---- coverage statuses ----------------------------------------------------------------


def _photonics(atlas):
    cov = coverage.coverage(atlas)
    return cov[cov["category"] == "photonics"]


def test_statewide_network_is_not_an_initiative_without_base(atlas):
    part = _photonics(atlas)
    state_only = part[part["coverage"] == "statewide"]
    # Photonics BW serves the whole state; districts where it is the only initiative
    assert len(state_only) >= 38
    quiet = state_only[~state_only["agglomeration"] & ~state_only["emerging"]]
    assert (quiet["status"] == "statewide_network").all()
    assert len(quiet) >= 38
    # "initiative without base" is left for initiatives serving the district itself
    no_base = coverage.coverage(atlas)
    no_base = no_base[no_base["status"] == "no_base"]
    assert (no_base["coverage"] == "regional").all()


def _record(atlas, **changes):
    base = next(i for i in atlas.initiatives if i.id == "bodenseeairea")
    return dataclasses.replace(base, **changes)


def test_an_agglomeration_covered_only_statewide(atlas):
    # the planted gap (Hohenlohekreis, fastening technology) and a statewide network on it
    net = _record(atlas, id="fastening-bw", name="Befestigung BW", scope="statewide",
                  regions=(), categories=("fastening_technology",), founded=2000)
    with_net = dataclasses.replace(atlas, initiatives=[*atlas.initiatives, net])
    cov = coverage.coverage(with_net)
    cell = cov[(cov["region"] == "08126") & (cov["category"] == "fastening_technology")]
    assert cell["status"].item() == "covered_statewide"
    assert cell["coverage"].item() == "statewide"
    p = coverage.portfolio(with_net)
    assert p["by_status"]["covered_statewide"]["cells"] >= 1
    off = coverage.coverage(with_net, rule=coverage.CoverageRule(statewide_covers=False))
    cell = off[(off["region"] == "08126") & (off["category"] == "fastening_technology")]
    assert cell["status"].item() == "gap"


def test_fields_within_sections():
    within = coverage.wz_within(reference.wz2008())
    default = reference.default_categories()
    fields = {c: default[c].include for c in ("photonics", "aerospace", "it_software")}
    sections = {"c": ("C",), "g_i": ("G-I",), "j": ("WZ08-J",), "f": ("F",)}
    got = coverage.fields_within(fields, sections, within)
    assert got["photonics"] == ("c",)  # 26.70, 27.31: manufacturing
    assert got["aerospace"] == ("c",)  # 30.30, 33.16
    assert "j" in got["it_software"]  # 62: information and communication
    assert "f" not in sum(got.values(), ())
    assert within("47.11", "G-I")
    assert within("55.10", "G-I")
    assert not within("62.01", "G-I")
    assert not within("not-a-code", "C")


def _section_atlas(atlas):
    """The demo as if its table had one category C (manufacturing): the cells of
    machinery relabelled, an agglomeration only in the Bodenseekreis."""
    y = atlas.years[-1]
    rows = atlas.indicators[(atlas.indicators["year"] == y)
                            & (atlas.indicators["category"] == "machinery")].copy()
    rows["category"] = "c"
    rows["strong"] = rows["region"] == "08435"
    rows["cagr"] = np.nan
    cats = CategorySet(name="wz-sections", version="1", classification="wz2008",
                       categories=[ClusterCategory("c", "Verarbeitendes Gewerbe",
                                                   "Manufacturing", ("C",))])
    return dataclasses.replace(atlas, indicators=rows.reset_index(drop=True), categories=cats)


def test_coverage_on_section_data_is_shown_as_within(atlas):
    cov = coverage.coverage(_section_atlas(atlas))
    here = cov[cov["region"] == "08435"].iloc[0]
    # BodenseeAIRea (aerospace, serving the Bodenseekreis) lies within section C
    assert here["status"] == "covered_within"
    assert "aerospace" in here["within_of"].split(";")
    assert "bodenseeairea" in here["initiatives"].split(";")
    others = cov[(cov["region"] != "08435") & ~cov["agglomeration"]]
    # statewide networks of manufacturing fields lie within C in every other district
    assert (others["status"] == "within_section").all()
    assert (others["coverage"] == "within").all()
    assert "photonics" in others.iloc[0]["within_of"].split(";")
    assert coverage.field_names("photonics;aerospace", "de") == (
        "Optische Technologien und Photonik, Luft- und Raumfahrt")


# ---- legends, table order, markers -----------------------------------------------------


def test_coverage_legend_lists_present_statuses_in_one_order():
    entries = [e["label"] for e in legend("coverage", present=["statewide_network", "gap"])]
    assert entries == ["covered", "gap", "statewide_network", "none", "no data / suppressed"]
    assert [e["label"] for e in legend("coverage")][:-1] == list(STATUS_COLOURS)
    assert list(STATUS_COLOURS) == list(coverage.STATUSES)
    assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)


def test_table_order_follows_the_indicator():
    regions = [{"code": "a", "value": 5.0, "lq": 0.5}, {"code": "b", "value": None, "lq": 9.0},
               {"code": "c", "value": 50.0, "lq": 1.0}, {"code": "d", "value": 5.0, "lq": 2.0}]
    assert [f["code"] for f in ranked(regions, "employment")] == ["c", "d", "a", "b"]
    statuses = [{"code": "a", "value": "none", "lq": 3.0}, {"code": "b", "value": "gap", "lq": 1.0},
                {"code": "c", "value": "covered", "lq": 2.0},
                {"code": "d", "value": "statewide_network", "lq": 0.2}]
    assert [f["code"] for f in ranked(statuses, "coverage")] == ["c", "b", "d", "a"]


def test_markers_sit_below_the_label():
    label = (100.0, 50.0)
    points = [marker_point(label, i, 3) for i in range(3)]
    baseline = label[1] + 4
    assert all(y - MARKER_RADIUS > baseline for _, y in points)
    xs = [x for x, _ in points]
    assert xs[1] == pytest.approx(label[0])  # centred under the label
    assert min(b - a for a, b in itertools.pairwise(xs)) > 2 * MARKER_RADIUS


# ---- pages --------------------------------------------------------------------------------


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_map_legends_explain_their_classes(client):
    strong = _text(client.get("/?indicator=strong&category=photonics&lang=de").text)
    assert "kein starkes Cluster" in strong
    assert "75. Perzentil" in strong
    assert "erst ab 1.000 Beschäftigten" in strong
    stars = _text(client.get("/?indicator=stars&lang=en").text)
    assert "LQ below 1" in stars
    assert "only from 1,000 employees" in stars
    for ind, words in (("lq", "from 1.25 specialised"), ("growth", "CAGR"),
                       ("employment", "fixed size classes")):
        assert words in _text(client.get(f"/?indicator={ind}&lang=en").text), ind


def test_photonics_coverage_map_shows_statewide_coverage(client, atlas):
    page = client.get("/?indicator=coverage&category=photonics&lang=de").text
    titles = re.findall(r"<title>([^<]*)</title>", page)
    assert sum("landesweites Netzwerk, hier kein Cluster" in t for t in titles) >= 38
    assert sum("Initiative ohne Clusterbasis" in t for t in titles) <= 3
    assert "Landesweite Netzwerke zählen als landesweite Abdeckung" in _text(page)


def test_map_table_is_headed_and_sorted_by_the_indicator(client):
    page = client.get("/?indicator=employment&category=machinery&lang=en").text
    assert "districts by Employees" in _text(page)
    table = page[page.index('id="ranking"'):]
    values = [float(v.replace(",", "")) for v in
              re.findall(r'<td class="num">([\d,]+)</td>\s*<td class="num">[^<]*%', table)]
    assert len(values) >= 40
    assert values == sorted(values, reverse=True)


def test_region_page_has_no_empty_or_contradictory_sentences(client):
    for code in ("08435", "08136", "08111", "08126"):
        text = _text(client.get(f"/regions/{code}?lang=de").text)
        assert ": ." not in text
        assert "()" not in text
        assert "arbeitet an: . " not in text
        gaps = "Starke Cluster ohne Initiative" in text
        assert not (gaps and "Jedes starke Cluster hier hat eine Initiative" in text)


def test_population_is_the_newest_with_its_date(client):
    # independent of the code under test: the register file itself
    path = Path(reference.__file__).parent / "data" / "regions" / "de_regions.csv"
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    expected = next(int(r["population"]) for r in rows if r["code"] == "08435")
    text = _text(client.get("/regions/08435?lang=de").text)
    assert "Einwohner (31.12.2020)" in text
    assert f"{expected:,}".replace(",", ".") in text
    assert "2018" not in text.split("Einwohner")[1][:30]


# ---- search knows the district capitals -----------------------------------------------


def test_search_finds_districts_by_their_seat_town(atlas):
    from clusteratlas.service.explore import district_seats, search

    # towns no initiative is seated in: only the seat list can find them
    for town, district in (("Künzelsau", "Hohenlohekreis"), ("Tauberbischofsheim",
                                                             "Main-Tauber-Kreis"),
                           ("villingen", "Schwarzwald-Baar-Kreis"), ("Balingen",
                                                                     "Zollernalbkreis")):
        assert district in [r["name"] for r in search(atlas, town)["regions"]], town
    assert [r["name"] for r in search(atlas, "Friedrichshafen")["regions"]] == ["Bodenseekreis"]
    seats = district_seats()
    districts = reference.bw_regions().at_level("district")
    assert {r.code for r in districts} == set(seats)
    for r in districts:  # a Stadtkreis is its own seat
        if r.kind == "Stadtkreis":
            assert seats[r.code].startswith(r.name.split(" (")[0]), r.code
