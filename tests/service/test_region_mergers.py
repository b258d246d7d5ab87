"""Former Kreise merged wholly into one successor count for it on the map
(:func:`~clusteratlas.service.region_codes.find_mergers`, ``apply_mergers``)."""

import math

import pandas as pd

from clusteratlas import reference
from clusteratlas.service.region_codes import apply_mergers, find_mergers


def _frame(rows):
    return pd.DataFrame(rows, columns=["region", "industry", "year", "employment", "flag"])


def test_a_secret_part_makes_the_sum_secret_and_the_rest_is_derived():
    register = reference.de_regions()
    frame = _frame([
        ("16063", "C", 2018, 100.0, "reported"), ("16056", "C", 2018, 40.0, "reported"),
        ("16063", "J", 2018, 7.0, "reported"), ("16056", "J", 2018, math.nan, "suppressed"),
        ("16063", "K", 2018, 3.0, "reported"),  # Eisenach has no K row: unknown, not 3
        ("08111", "C", 2018, 5.0, "reported"),
    ])
    mergers = find_mergers(frame, register, value="employment")
    assert [(m.successor, m.predecessors, m.year, m.how) for m in mergers] == [
        ("16063", ("16056",), 2018, "added")]
    out = apply_mergers(frame, mergers).set_index(["region", "industry"])
    assert out.loc[("16063", "C"), "employment"] == 140
    assert out.loc[("16063", "C"), "flag"] == "derived"
    assert math.isnan(out.loc[("16063", "J"), "employment"])
    assert out.loc[("16063", "J"), "flag"] == "suppressed"
    assert math.isnan(out.loc[("16063", "K"), "employment"])
    assert out.loc[("16056", "C"), "employment"] == 40  # the part stays as published
    assert out.loc[("08111", "C"), "employment"] == 5


def test_an_empty_successor_is_made_of_its_parts_and_a_later_one_kept_apart():
    register = reference.de_regions()
    frame = _frame([
        ("03159", "C", 2015, 0.0, "reported"), ("03152", "C", 2015, 10.0, "reported"),
        ("03156", "C", 2015, 5.0, "reported"),
        # a table with the new Kreis and a former one in a later year: not added
        ("03159", "C", 2017, 30.0, "reported"), ("03152", "C", 2017, 9.0, "reported"),
    ])
    mergers = find_mergers(frame, register, value="employment")
    assert [(m.year, m.how) for m in mergers] == [(2015, "made_of"), (2017, "apart")]
    assert "kept apart" in mergers[1].describe(register)
    out = apply_mergers(frame, mergers).set_index(["region", "industry", "year"])
    assert out.loc[("03159", "C", 2015), "employment"] == 15
    assert out.loc[("03159", "C", 2017), "employment"] == 30
