"""The synthetic demo panel: deterministic, calibrated, planted, and labelled."""

import numpy as np
import pandas as pd
import pytest

from clusteratlas import reference
from clusteratlas.demo.content import SYNTHETIC_LABEL, demo_initiatives
from clusteratlas.demo.synthetic import PLANTED_SHARES, STATE_TOTAL_2018, synthetic_panel
from clusteratlas.model import TOTAL_CODE, Panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    regions = reference.bw_regions()
    return synthetic_panel(regions.at_level("district"), reference.wz2008(),
                           reference.default_categories())


def test_is_deterministic(panel):
    again = synthetic_panel(reference.bw_regions().at_level("district"), reference.wz2008(),
                            reference.default_categories())
    pd.testing.assert_frame_equal(panel, again)


def test_is_a_valid_panel_over_2015_2024(panel):
    p = Panel.from_frame(panel, classification=reference.wz2008(), regions=reference.bw_regions())
    assert p.years == list(range(2015, 2025))
    assert len(p.regions) == 44


def test_calibrated_to_state_total(panel):
    totals = panel[panel["industry"] == TOTAL_CODE].groupby("year")["employment"].sum()
    assert totals[2018] == pytest.approx(STATE_TOTAL_2018, rel=0.01)
    # the economy grows, with a dip in 2020
    assert totals[2024] > totals[2015]
    assert totals[2020] < totals[2019]


def test_totals_equal_sum_of_cells(panel):
    cells = panel[panel["industry"] != TOTAL_CODE]
    known = cells.groupby(["region", "year"])["employment"].sum()
    total = panel[panel["industry"] == TOTAL_CODE].set_index(["region", "year"])["employment"]
    suppressed = cells[cells["flag"] == "suppressed"].groupby(["region", "year"]).size()
    gap = (total - known).reindex(total.index)
    assert (gap >= 0).all()
    # only suppressed cells open a gap, and suppressed cells are small (one establishment)
    assert (gap[suppressed.reindex(gap.index).fillna(0) == 0] == 0).all()
    share = gap / total
    assert share.max() < 0.1
    assert share.median() < 0.02


def test_suppressed_cells_are_missing_not_zero(panel):
    sup = panel[panel["flag"] == "suppressed"]
    assert len(sup) > 0
    assert sup["employment"].isna().all()
    assert (panel.loc[panel["flag"] == "reported", "employment"] > 0).all()


def test_planted_agglomerations_hit_their_targets(panel):
    wz, cats = reference.wz2008(), reference.default_categories()
    membership = cats.membership(wz, [i for i in panel["industry"].unique() if i != TOTAL_CODE])
    year = panel[panel["year"] == 2018]
    totals = year[year["industry"] == TOTAL_CODE].set_index("region")["employment"]
    for cat, targets in PLANTED_SHARES.items():
        codes = [i for i, c in membership.items() if cat in c]
        emp = year[year["industry"].isin(codes)].groupby("region")["employment"].sum()
        for ags, share in targets.items():
            assert emp[ags] / totals[ags] == pytest.approx(share, rel=0.08), (cat, ags)
    # Bodenseekreis aerospace of the order of the >5,000 jobs BodenseeAIRea names
    aero = [i for i, c in membership.items() if "aerospace" in c]
    bodensee = year[(year["region"] == "08435") & year["industry"].isin(aero)]["employment"].sum()
    assert 4000 < bodensee < 7000


def test_demo_initiatives_carry_sources_and_valid_codes():
    items = demo_initiatives()
    assert len(items) == 23
    by_id = {i["id"]: i for i in items}
    assert by_id["bodenseeairea"]["serves"] == ["08435"]
    assert "aerospace" in by_id["bodenseeairea"]["categories"]
    assert all(i["sources"] and all(s.startswith("http") for s in i["sources"]) for i in items)
    # the fastening agglomeration of the Hohenlohekreis has no initiative: a visible gap
    assert not any("fastening_technology" in i["categories"] for i in items)
    assert by_id["clusteragentur-bw"]["kind"] == "agency"


def test_synthetic_label_says_so():
    assert "synthetic" in SYNTHETIC_LABEL.lower()
    assert "not official" in SYNTHETIC_LABEL


def test_no_negative_or_fractional_employment(panel):
    emp = panel["employment"].dropna().to_numpy()
    assert (emp >= 0).all()
    assert np.array_equal(emp, np.round(emp))
