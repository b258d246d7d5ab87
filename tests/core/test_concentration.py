import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from clusteratlas.core import location_quotient, share_of_category, share_of_region
from clusteratlas.errors import DegenerateDataWarning, InputError

RTOL = 1e-12


def test_hand_computed_lq():
    # Region 0: 30 of 100 jobs in industry 0; the state: 40 of 200.  LQ = 0.3 / 0.2 = 1.5
    e = np.array([[30.0, 70.0], [10.0, 90.0]])
    np.testing.assert_allclose(location_quotient(e), [[1.5, 0.875], [0.5, 1.125]], rtol=RTOL)


def test_lq_with_published_totals_and_external_reference():
    # Category employment only (20 of 1,000 jobs in region 0, 5 of 500 in region 1);
    # reference: a nation with 100 category jobs of 50,000: LQ_0 = 0.02 / 0.002 = 10
    e = np.array([[20.0], [5.0]])
    lq = location_quotient(e, region_totals=[1000, 500], industry_totals=[100], total=50_000)
    np.testing.assert_allclose(lq, [[10.0], [5.0]], rtol=RTOL)


def test_zero_employment_region_gives_nan_with_warning():
    e = np.array([[0.0, 0.0], [10.0, 90.0]])
    with pytest.warns(DegenerateDataWarning, match="zero denominator"):
        lq = location_quotient(e)
    assert np.isnan(lq[0]).all()
    np.testing.assert_allclose(lq[1], [1.0, 1.0])


def test_industry_in_one_region_only():
    e = np.array([[10.0, 0.0], [10.0, 20.0]])
    lq = location_quotient(e)
    # industry 1 exists only in region 1: LQ = (20/30)/(20/40) = 4/3, region 0 has 0
    np.testing.assert_allclose(lq[:, 1], [0.0, 4 / 3], rtol=RTOL)


def test_single_region_panel_has_lq_one():
    np.testing.assert_allclose(location_quotient([[5.0, 7.0, 1.0]]), [[1.0, 1.0, 1.0]])


def test_suppressed_cell_stays_missing():
    e = np.array([[np.nan, 70.0], [10.0, 90.0]])
    lq = location_quotient(e, region_totals=[100, 100])
    assert np.isnan(lq[0, 0])
    assert np.isfinite(lq[1]).all()


def test_shares():
    e = np.array([[30.0, 70.0], [10.0, 30.0]])
    np.testing.assert_allclose(share_of_region(e), [[0.3, 0.7], [0.25, 0.75]])
    np.testing.assert_allclose(share_of_category(e), [[0.75, 0.7], [0.25, 0.3]])


def test_bad_input():
    with pytest.raises(InputError, match="must not be negative"):
        location_quotient([[1.0, -1.0]])
    with pytest.raises(InputError, match="matrix"):
        location_quotient([1.0, 2.0])
    with pytest.raises(InputError, match="totals do not fit"):
        location_quotient([[1.0, 2.0]], region_totals=[1.0, 2.0])


matrices = arrays(
    np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
    elements=st.floats(1, 1e6, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=60, deadline=None)
@given(matrices, st.randoms(use_true_random=False))
def test_relabelling_regions_and_industries_permutes_lq(e, rnd):
    rows = list(range(e.shape[0]))
    cols = list(range(e.shape[1]))
    rnd.shuffle(rows)
    rnd.shuffle(cols)
    np.testing.assert_allclose(
        location_quotient(e[np.ix_(rows, cols)]), location_quotient(e)[np.ix_(rows, cols)],
        rtol=1e-10,
    )


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_reference_area_as_one_region_has_lq_one(e):
    whole = e.sum(axis=0, keepdims=True)
    lq = location_quotient(whole, industry_totals=e.sum(axis=0), total=e.sum())
    np.testing.assert_allclose(lq, 1.0, rtol=1e-10)
    # and the employment-weighted mean LQ of every industry over regions is 1
    lq_all = location_quotient(e)
    weights = e.sum(axis=1, keepdims=True) / e.sum()
    np.testing.assert_allclose((lq_all * weights).sum(axis=0), 1.0, rtol=1e-9)
