import numpy as np
import pytest

from clusteratlas.core.shiftshare import shift_share
from clusteratlas.errors import InputError


def test_components_add_up_and_hand_computed():
    e0 = np.array([[100.0, 50.0], [200.0, 0.0]])
    e1 = np.array([[130.0, 40.0], [220.0, 10.0]])
    ss = shift_share(e0, e1, reference_start=[1000.0, 500.0], reference_end=[1100.0, 600.0])
    np.testing.assert_allclose(ss.national + ss.industry_mix + ss.competitive, ss.change)
    g = 1700 / 1500 - 1
    assert ss.national[0, 0] == pytest.approx(100 * g)
    assert ss.industry_mix[0, 0] == pytest.approx(100 * (0.1 - g))
    assert ss.competitive[0, 0] == pytest.approx(100 * (0.3 - 0.1))
    # a cell starting at zero: its whole change is regional
    assert ss.competitive[1, 1] == 10
    assert ss.national[1, 1] == 0


def test_region_growing_like_its_industry_has_no_competitive_effect():
    e0 = np.array([[10.0, 20.0], [30.0, 40.0]])
    ss = shift_share(e0, e0 * np.array([1.5, 0.8]))
    np.testing.assert_allclose(ss.competitive, 0.0, atol=1e-12)


def test_shape_mismatch():
    with pytest.raises(InputError):
        shift_share([[1.0]], [[1.0, 2.0]])
