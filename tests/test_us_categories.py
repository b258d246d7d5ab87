"""The shipped US Cluster Mapping category set over NAICS 2017, against its crosswalk."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from clusteratlas import reference

CROSSWALK = (Path(__file__).parents[1] / ".." / "shared" / "data" / "us" / "cluster_mapping"
             / "NAICS_crosswalks_to_Cluster_system.sheet1.csv")


def test_naics2017_levels() -> None:
    naics = reference.naics2017()
    counts = {lv: len(naics.at_level(lv)) for lv in
              ("sector", "subsector", "industry_group", "naics_industry", "national_industry")}
    assert counts == {"sector": 20, "subsector": 99, "industry_group": 311,
                      "naics_industry": 709, "national_industry": 1057}
    assert naics.is_within("336411", "31-33")


def test_us_categories_partition_naics() -> None:
    cats, naics = reference.us_categories(), reference.naics2017()
    assert [c for c in cats if cats[c].group == "traded"] == [str(k) for k in range(1, 52)]
    assert [c for c in cats if cats[c].group == "local"] == [str(k) for k in range(101, 117)]
    assert cats["1"].name_en == "Aerospace Vehicles and Defense"
    assert cats["51"].name_en == "Wood Products"
    six = [i.code for i in naics.at_level("national_industry")]
    member = cats.membership(naics, six)
    # the categories do not overlap: an industry's employment is counted once
    assert max(len(v) for v in member.values()) == 1
    assert member["336411"] == ["1"]
    assert member["111150"] == ["2"]  # corn farming, via the crosswalk's 111000
    assert member["482111"] == member["482112"] != []  # via 482110 rail transportation
    unassigned = sorted(c for c, v in member.items() if not v)
    # public administration (sector 92), offices of notaries, private households
    assert unassigned == sorted([c for c in six if c.startswith("92")] + ["541120", "814110"])


@pytest.mark.skipif(not CROSSWALK.exists(), reason="../shared/data/us/cluster_mapping is not here")
def test_every_standard_crosswalk_row_is_in_its_cluster() -> None:
    cats, naics = reference.us_categories(), reference.naics2017()
    by_name = {cats[c].name_en: c for c in cats}
    rows = list(csv.DictReader(CROSSWALK.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 992
    checked = 0
    for row in rows:
        if row["NAICS"] in naics and row["Cluster"] in by_name:
            assert cats.membership(naics, [row["NAICS"]])[row["NAICS"]] == [by_name[row["Cluster"]]]
            checked += 1
    assert checked == 975  # 992 less 13 government (90xxxx), 3 Emsi aggregates, 1 blank
