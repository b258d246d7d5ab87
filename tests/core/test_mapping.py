"""The mapping pipeline against hand-computed numbers and the reference formulas."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusteratlas.core.concentration import (
    ellison_glaeser,
    hoover_localisation,
    krugman_specialisation,
    location_quotient,
    locational_gini,
)
from clusteratlas.core.mapping import aggregate_to_cube, map_indicators
from clusteratlas.core.stars import StarRules, StrongRule
from clusteratlas.errors import ConfigError, InputError


def cube_from(frame, *, span_years=None, totals=None, est=True):
    """A cube from a long frame (region, category, year, employment[, establishments])."""
    regions = sorted(frame["region"].unique())
    cats = sorted(frame["category"].unique())
    years = list(range(frame["year"].min(), frame["year"].max() + 1))
    r = frame["region"].map({c: i for i, c in enumerate(regions)}).to_numpy()
    c = frame["category"].map({c: i for i, c in enumerate(cats)}).to_numpy()
    t = (frame["year"] - years[0]).to_numpy()
    emp = frame["employment"].to_numpy(float)
    return aggregate_to_cube(
        regions=regions, categories=cats, years=years, region_idx=r, year_idx=t,
        industry_idx=c, category_pairs=(np.arange(len(cats)), np.arange(len(cats))),
        employment=emp, suppressed=np.isnan(emp),
        establishments=frame["establishments"].to_numpy(float) if est else None,
        region_totals=totals,
    )


def long(matrix, *, year=2020, est=None):
    rows = []
    for i, row in enumerate(matrix):
        for j, v in enumerate(row):
            if v is not None:
                rows.append((f"{i:05d}", f"c{j}", year, v, (est[i][j] if est else 1.0)))
    return pd.DataFrame(rows, columns=["region", "category", "year", "employment", "establishments"])


def cell(res, region, category, year=2020):
    c = res.cells
    row = c[(c["region"] == region) & (c["category"] == category) & (c["year"] == year)]
    assert len(row) == 1
    return row.iloc[0]


def test_lq_and_shares_hand_computed():
    res = map_indicators(cube_from(long([[30, 70], [10, 90]])))
    r0 = cell(res, "00000", "c0")
    assert r0["lq"] == pytest.approx(1.5)
    assert r0["share_of_region"] == pytest.approx(0.3)
    assert r0["share_of_category"] == pytest.approx(0.75)
    assert cell(res, "00001", "c1")["lq"] == pytest.approx(1.125)


def test_matches_reference_formulas_on_random_panel():
    rng = np.random.default_rng(3)
    e = rng.integers(0, 500, size=(40, 7)).astype(float)
    e[e < 100] = 0  # zeros in many cells
    frame = long([[v if v > 0 else None for v in row] for row in e],
                 est=rng.integers(1, 30, size=(40, 7)).tolist())
    totals = e.sum(axis=1)[None, :]
    res = map_indicators(cube_from(frame, totals=totals))
    lq = location_quotient(e)
    for k in range(len(res.cells)):
        row = res.cells.iloc[k]
        i, j = int(row["region"]), int(row["category"][1:])
        assert row["lq"] == pytest.approx(lq[i, j], rel=1e-12)
    cats = res.categories.set_index("category")
    np.testing.assert_allclose(cats["hoover_localisation"].to_numpy(), hoover_localisation(e),
                               rtol=1e-12)
    np.testing.assert_allclose(cats["locational_gini"].to_numpy(), locational_gini(e), rtol=1e-12)
    plants = frame.groupby("category")["establishments"].sum().to_numpy()
    np.testing.assert_allclose(cats["eg_gamma"].to_numpy(), ellison_glaeser(e, 1.0 / plants),
                               rtol=1e-10)
    assert cats["eg_gamma_approximate"].all()
    regs = res.regions.set_index("region")
    np.testing.assert_allclose(regs["krugman"].to_numpy(), krugman_specialisation(e), rtol=1e-12)
    np.testing.assert_allclose(regs["herfindahl"].to_numpy(),
                               ((e / e.sum(axis=1, keepdims=True)) ** 2).sum(axis=1), rtol=1e-12)


def test_stars_and_strong_rule_hand_computed():
    # 10 regions with employment in c0; region 9 is the biggest, most focused and LQ >= 2
    emp = [[10 * (i + 1), 1000 - 10 * (i + 1)] for i in range(9)] + [[600, 400]]
    est = [[i + 1, 50] for i in range(9)] + [[30, 50]]
    res = map_indicators(cube_from(long(emp, est=est)))
    top = cell(res, "00009", "c0")
    assert top["star_size"]
    assert top["star_focus"]
    assert top["star_specialisation"]
    assert top["stars"] == 3
    # employment P90 of 10,20,...,90,600 (type 7) = 90 + 0.1*(600-90) = 141
    assert bool(top["strong"])
    low = cell(res, "00000", "c0")
    assert low["stars"] == 0
    assert not low["strong"]
    # the 90th-percentile variant is stricter or equal
    assert (res.cells["strong_p90"] <= res.cells["strong"]).all()
    # strong needs LQ >= 1: c1 (LQ < 1 for region 9) is not strong there
    assert not cell(res, "00009", "c1")["strong"]


def test_strong_rule_details():
    emp = [[100, 100], [300, 100], [500, 100], [700, 100], [900, 100]]
    res = map_indicators(cube_from(long(emp, est=[[5, 1], [5, 1], [5, 1], [6, 1], [1, 1]])),
                         strong=StrongRule())
    # establishments P25 of 1,5,5,5,6 is 5: the largest region (1 plant) fails, region 3 (6) passes
    assert not cell(res, "00004", "c0")["strong"]
    assert cell(res, "00003", "c0")["strong"]


def test_change_over_span_and_cagr():
    rows = []
    for year, v in zip(range(2015, 2021), [100, 110, 120, 130, 140, 200], strict=True):
        rows += [("00000", "c0", year, v, 1.0), ("00001", "c0", year, 100.0, 1.0),
                 ("00000", "c1", year, 100.0, 1.0), ("00001", "c1", year, 100.0, 1.0)]
    frame = pd.DataFrame(rows, columns=["region", "category", "year", "employment", "establishments"])
    res = map_indicators(cube_from(frame), span=5)
    r = cell(res, "00000", "c0", 2020)
    assert r["employment_change"] == 100
    assert r["cagr"] == pytest.approx(2 ** 0.2 - 1)
    lq_2020 = (200 / 300) / (300 / 500)
    lq_2015 = (100 / 200) / (200 / 400)
    assert r["lq_change"] == pytest.approx(lq_2020 - lq_2015)
    assert np.isnan(cell(res, "00000", "c0", 2019)["employment_change"])


def test_awkward_cases():
    # a region with zero employment, a category in one region only, leading-zero codes
    frame = long([[0, 5], [10, 0], [10, 5]])
    frame = frame[frame["employment"] > 0].copy()
    frame.loc[:, "region"] = frame["region"].map({"00000": "08111", "00001": "08435",
                                                  "00002": "08436"})
    res = map_indicators(cube_from(frame))
    assert set(res.cells["region"].astype(str)) == {"08111", "08435", "08436"}
    only = res.cells[res.cells["category"] == "c1"]
    assert len(only) == 2
    single = map_indicators(cube_from(long([[5, 7]])))
    np.testing.assert_allclose(single.cells["lq"], 1.0)
    # zero-employment region (published total 0) gives NaN LQ, not an error
    zero = map_indicators(cube_from(long([[0, 0], [10, 20]]), totals=np.array([[0.0, 30.0]])))
    z = zero.cells[zero.cells["region"] == "00000"]
    assert z["lq"].isna().all()


def test_suppressed_cells_stay_missing():
    frame = long([[np.nan, 70], [10, 90]])
    res = map_indicators(cube_from(frame, totals=np.array([[100.0, 100.0]])))
    r = cell(res, "00000", "c0")
    assert np.isnan(r["employment"])
    assert np.isnan(r["lq"])
    assert r["suppressed_cells"] == 1
    assert not r["strong"]
    assert r["stars"] == 0


def test_rules_validate():
    with pytest.raises(ConfigError):
        StarRules(size_quantile=1.5)
    with pytest.raises(ConfigError):
        StrongRule(lq_quantile=-0.1)


panels = st.lists(st.lists(st.integers(1, 10_000), min_size=3, max_size=3), min_size=2,
                  max_size=8)


@settings(max_examples=40, deadline=None)
@given(panels, st.randoms(use_true_random=False))
def test_relabelling_and_reordering_invariance(matrix, rnd):
    frame = long(matrix)
    res = map_indicators(cube_from(frame))
    shuffled = frame.sample(frac=1.0, random_state=rnd.randint(0, 10_000)).copy()
    mapping = {f"{i:05d}": f"{(len(matrix) - i):05d}" for i in range(len(matrix))}
    shuffled["region"] = shuffled["region"].map(mapping)
    res2 = map_indicators(cube_from(shuffled))
    a = res.cells.assign(region=res.cells["region"].astype(str).map(mapping))
    key = ["region", "category", "year"]
    a = a.assign(category=a["category"].astype(str)).sort_values(key).reset_index(drop=True)
    b = res2.cells.assign(region=res2.cells["region"].astype(str),
                          category=res2.cells["category"].astype(str)).sort_values(key)
    b = b.reset_index(drop=True)
    for col in ("lq", "share_of_region", "share_of_category", "stars", "strong"):
        np.testing.assert_allclose(a[col].astype(float), b[col].astype(float), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(panels)
def test_whole_reference_area_has_lq_one(matrix):
    e = np.array(matrix, dtype=float)
    frame = long([list(e.sum(axis=0))])
    res = map_indicators(cube_from(frame))
    np.testing.assert_allclose(res.cells["lq"], 1.0, rtol=1e-12)


def test_dartboard_eg_gamma_is_near_zero():
    # plants of equal size dropped at random on regions in proportion to their size
    rng = np.random.default_rng(7)
    sizes = rng.integers(1_000, 100_000, size=200).astype(float)
    x = sizes / sizes.sum()
    gammas = []
    for _ in range(200):
        plants = rng.choice(200, size=400, p=x)
        e = np.bincount(plants, minlength=200).astype(float) * 10
        gammas.append(ellison_glaeser(e[:, None], [1 / 400], region_totals=sizes)[0])
    assert abs(np.mean(gammas)) < 0.002


def region_row(res, region, year=2020):
    r = res.regions
    row = r[(r["region"] == region) & (r["year"] == year)]
    assert len(row) == 1
    return row.iloc[0]


def test_region_without_employment_has_no_specialisation():
    # region 0 publishes a total of 0: no shares, so no Krugman, Hoover or Herfindahl
    # (they were 1, 0.5 and 0)
    res = map_indicators(cube_from(long([[0, 0], [10, 20]]), totals=np.array([[0.0, 30.0]])))
    zero = region_row(res, "00000")
    assert np.isnan(zero["krugman"])
    assert np.isnan(zero["hoover_specialisation"])
    assert np.isnan(zero["herfindahl"])
    # region 1 is the whole reference area: Krugman 0, Herfindahl (1/3)² + (2/3)²
    one = region_row(res, "00001")
    assert one["krugman"] == pytest.approx(0.0, abs=1e-15)
    assert one["herfindahl"] == pytest.approx(5 / 9)


def test_a_year_missing_from_the_panel_is_unknown_not_zero():
    # 2014 and 2016 observed, 2015 missing from the panel altogether
    rows = [("00000", "c0", 2014, 40.0, 1.0), ("00000", "c1", 2014, 60.0, 1.0),
            ("00001", "c0", 2014, 10.0, 1.0), ("00001", "c1", 2014, 90.0, 1.0),
            ("00000", "c0", 2016, 50.0, 1.0), ("00000", "c1", 2016, 50.0, 1.0),
            ("00001", "c0", 2016, 20.0, 1.0), ("00001", "c1", 2016, 80.0, 1.0)]
    frame = pd.DataFrame(rows, columns=["region", "category", "year", "employment",
                                        "establishments"])
    one = map_indicators(cube_from(frame), span=1)
    r = cell(one, "00000", "c0", 2016)
    assert np.isnan(r["employment_1y_before"])
    assert np.isnan(r["employment_change"])  # was 50: the current value
    assert np.isnan(r["lq_change"])
    assert set(one.regions["year"]) == {2014, 2016}  # no summaries for 2015
    assert set(one.categories["year"]) == {2014, 2016}
    two = map_indicators(cube_from(frame), span=2)
    r = cell(two, "00000", "c0", 2016)
    assert r["employment_change"] == 10
    assert r["lq_change"] == pytest.approx((50 / 100) / (70 / 200) - (40 / 100) / (50 / 200))


def test_suppressed_cells_are_left_out_of_region_summaries():
    # region 0: c0 suppressed, c1 70 of a published 100; region 1: 10 and 90 of 100.
    # Reference shares over the known cells: c0 10/200, c1 160/200.
    frame = long([[np.nan, 70], [10, 90]])
    res = map_indicators(cube_from(frame, totals=np.array([[100.0, 100.0]])))
    r0 = region_row(res, "00000")
    # only the known term |0.7 - 0.8|; counting the suppressed cell as 0 added
    # |0 - 0.05| (0.15)
    assert r0["krugman"] == pytest.approx(0.1)
    assert r0["hoover_specialisation"] == pytest.approx(0.05)
    assert r0["herfindahl"] == pytest.approx(0.49)
    assert r0["suppressed_cells"] == 1
    r1 = region_row(res, "00001")
    assert r1["krugman"] == pytest.approx(0.05 + 0.1)
    assert r1["herfindahl"] == pytest.approx(0.01 + 0.81)
    assert r1["suppressed_cells"] == 0


# --- the minimum employment of stars and the strong label (issue 16.9): an absolute
# floor on top of the relative ECO and US Cluster Mapping rules
# as in test_stars_and_strong_rule_hand_computed: region 9 holds 600 employees in c0
# (3 stars, strong); region 0 holds 990 in c1 and 10 in c0
FLOOR_EMP = [[10 * (i + 1), 1000 - 10 * (i + 1)] for i in range(9)] + [[600, 400]]
FLOOR_EST = [[i + 1, 50] for i in range(9)] + [[30, 50]]


def test_no_floor_is_the_published_rule():
    res = map_indicators(cube_from(long(FLOOR_EMP, est=FLOOR_EST)))
    assert cell(res, "00009", "c0")["stars"] == 3
    assert bool(cell(res, "00009", "c0")["strong"])
    assert res.regions.set_index("region").loc["00009", "strong_clusters"] == 1


def test_a_cell_below_the_floor_earns_no_star_and_is_not_strong():
    res = map_indicators(cube_from(long(FLOOR_EMP, est=FLOOR_EST)), min_employment=601)
    top = cell(res, "00009", "c0")
    assert top["employment"] == 600
    assert top["stars"] == 0
    assert not top["star_size"]
    assert not top["star_focus"]
    assert not top["star_specialisation"]
    assert not top["strong"]
    assert not top["strong_p90"]
    # the region summaries read the floored flags: no strong cluster, no strong share
    regs = res.regions.set_index("region")
    assert regs.loc["00009", "strong_clusters"] == 0
    assert regs.loc["00009", "strong_employment_share"] == 0
    # the LQ and the thresholds themselves do not move
    assert top["lq"] == pytest.approx(cell(map_indicators(cube_from(long(FLOOR_EMP, est=FLOOR_EST))),
                                           "00009", "c0")["lq"])


def test_the_floor_is_inclusive():
    res = map_indicators(cube_from(long(FLOOR_EMP, est=FLOOR_EST)), min_employment=600)
    assert cell(res, "00009", "c0")["stars"] == 3
    assert bool(cell(res, "00009", "c0")["strong"])


def test_no_cell_below_the_floor_keeps_a_flag():
    res = map_indicators(cube_from(long(FLOOR_EMP, est=FLOOR_EST)), min_employment=500)
    small = res.cells[res.cells["employment"] < 500]
    assert len(small)
    assert (small["stars"] == 0).all()
    assert not small["strong"].any()
    assert not small["strong_p90"].any()


def test_a_negative_floor_is_refused():
    with pytest.raises(InputError, match="min_employment=-1"):
        map_indicators(cube_from(long(FLOOR_EMP, est=FLOOR_EST)), min_employment=-1)
