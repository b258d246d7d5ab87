"""The finest non-overlapping partition of hierarchical industry aggregates."""

import math

import pandas as pd
import pytest

from clusteratlas.core.partition import UNASSIGNED, apply_partition, finest_partition, sections_of

SECTIONS = list("ABCDEFGHIJKLMNOPQRSTU")
#: the industry rows of 13111-07-05-4 (TOTAL = "Insgesamt")
TABLE = ["A", "B-F", "B-E", "C", "F", "G-U", "G-I", "J", "K", "L", "M-N", "O-Q", "R-U", "TOTAL"]


def test_sections_of_codes_and_ranges():
    assert sections_of("C", SECTIONS) == {"C"}
    assert sections_of("B-E", SECTIONS) == {"B", "C", "D", "E"}
    assert sections_of("TOTAL", SECTIONS) == set(SECTIONS)
    assert sections_of("29.10", SECTIONS) is None  # a WZ class: nothing to partition
    assert sections_of("E-B", SECTIONS) is None


def test_partition_of_the_regional_table():
    parts = finest_partition(TABLE, SECTIONS)
    # an aggregate larger than its published parts leaves a residual without sections,
    # kept only where it is non-zero (see test_residuals_and_suppressed_terms)
    assert [p.code for p in parts] == ["A", "C", "B_D_E", "F", "B-F_unassigned", "G-I", "J",
                                       "K", "L", "M-N", "O-Q", "R-U", "G-U_unassigned",
                                       UNASSIGNED]
    derived = {p.code: (p.parent, p.minus) for p in parts if p.derived}
    assert derived == {"B_D_E": ("B-E", ("C",)), "B-F_unassigned": ("B-F", ("B-E", "F")),
                       "G-U_unassigned": ("G-U", ("G-I", "J", "K", "L", "M-N", "O-Q", "R-U")),
                       UNASSIGNED: ("TOTAL", ("A", "B-F", "G-U"))}
    covered = [s for p in parts for s in p.sections]
    assert sorted(covered) == SECTIONS  # every section once: no overlap, nothing missing


def test_divisions_are_not_partitioned():
    assert finest_partition(["29", "TOTAL"], SECTIONS) is None


def _frame(values):
    return pd.DataFrame([{"region": r, "industry": i, "year": 2018, "employment": v,
                          "flag": "suppressed" if v is None or v != v else "reported"}
                         for (r, i), v in values.items()])


def test_residuals_and_suppressed_terms():
    parts = finest_partition(TABLE, SECTIONS)
    row = {"A": 5, "B-F": 100, "B-E": 80, "C": 70, "F": 20, "G-U": 200, "G-I": 50, "J": 10,
           "K": 10, "L": 10, "M-N": 40, "O-Q": 60, "R-U": 20, "TOTAL": 307}
    values = {("r1", k): float(v) for k, v in row.items()}
    values.update({("r2", k): float(v) for k, v in row.items()})
    values[("r2", "C")] = math.nan  # suppressed: the residual B-E − C is unknown too
    values[("r2", "TOTAL")] = 305.0  # no unassigned persons
    out = apply_partition(_frame(values), parts)
    got = {(r.region, r.industry): (r.employment, r.flag) for r in out.itertuples()}
    assert got[("r1", "B_D_E")] == (10.0, "derived")
    assert got[("r1", UNASSIGNED)] == (2.0, "derived")
    assert math.isnan(got[("r2", "B_D_E")][0])
    assert got[("r2", "B_D_E")][1] == "suppressed"
    assert ("r2", UNASSIGNED) not in got  # zero: no part
    assert ("r1", "B-E") not in got  # aggregates are never mapped beside their parts
    r1 = out[(out["region"] == "r1") & (out["industry"] != "TOTAL")]
    assert r1["employment"].sum() == pytest.approx(307.0)  # shares sum to 1
