"""Spatial autocorrelation against esda (the reference implementation)."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from clusteratlas.core.autocorrelation import fdr_threshold, spatial_autocorrelation
from clusteratlas.errors import InputError

esda = pytest.importorskip("esda", reason="esda (the reference) is not installed")
libpysal = pytest.importorskip("libpysal", reason="libpysal is not installed")


@pytest.fixture(scope="module")
def lattice():
    w = libpysal.weights.lat2W(7, 7, rook=True)
    rng = np.random.default_rng(11)
    y = rng.random(49) + np.repeat(np.linspace(0, 2, 7), 7)
    return w, y


def esda_results(w, y, permutations=999):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wr = libpysal.weights.W(w.neighbors)
        wr.transform = "r"
        moran = esda.Moran(y, wr, permutations=permutations)
        local = esda.Moran_Local(y, wr, permutations=permutations, seed=3, n_jobs=1)
        wb = libpysal.weights.W(w.neighbors)
        gi = esda.G_Local(y, wb, transform="R", star=True, permutations=permutations, seed=3,
                          n_jobs=1)
    return moran, local, gi


def test_statistics_equal_esda(lattice):
    w, y = lattice
    ours = spatial_autocorrelation(y, w.sparse, permutations=999, seed=1)
    moran, local, gi = esda_results(w, y)
    assert ours.moran_i == pytest.approx(moran.I, rel=1e-12)
    assert ours.moran_ei == pytest.approx(moran.EI, rel=1e-12)
    assert ours.moran_z_norm == pytest.approx(moran.z_norm, rel=1e-10)
    np.testing.assert_allclose(ours.local_i, local.Is, rtol=1e-10)
    np.testing.assert_array_equal(ours.local_quadrant, local.q)
    np.testing.assert_allclose(ours.gi_star, gi.Gs, rtol=1e-10)
    np.testing.assert_allclose(ours.gi_z, gi.Zs, rtol=1e-8)


def test_permutation_p_values_agree_with_esda(lattice):
    w, y = lattice
    ours = spatial_autocorrelation(y, w.sparse, permutations=9999, seed=1)
    _, local, gi = esda_results(w, y, permutations=9999)
    # two Monte-Carlo estimates of the same p-values: close, and the same verdicts
    assert np.abs(ours.local_p_sim - local.p_sim).max() < 0.02
    assert np.abs(ours.gi_p_sim - gi.p_sim).max() < 0.02
    assert ((ours.local_p_sim < 0.01) == (local.p_sim < 0.01)).mean() > 0.95


def test_fdr_equals_esda():
    rng = np.random.default_rng(2)
    p = np.concatenate([rng.uniform(0, 0.01, 10), rng.uniform(0, 1, 90)])
    assert fdr_threshold(p, 0.05) == pytest.approx(esda.fdr(p, 0.05))


def test_islands_and_single_neighbours_are_reported():
    # a chain 0-1-2-3-4 and an island 5
    rows = [0, 1, 1, 2, 2, 3, 3, 4]
    cols = [1, 0, 2, 1, 3, 2, 4, 3]
    w = sp.csr_array((np.ones(8), (rows, cols)), shape=(6, 6))
    res = spatial_autocorrelation([1.0, 2.0, 3.0, 4.0, 5.0, 9.0], w, permutations=99)
    assert res.islands == [5]
    assert res.single_neighbour == [0, 4]
    assert np.isnan(res.local_i[5])
    assert res.local_quadrant[5] == 0
    assert res.moran_i > 0


def test_reproducible_by_seed(lattice):
    w, y = lattice
    a = spatial_autocorrelation(y, w.sparse, permutations=199, seed=5)
    b = spatial_autocorrelation(y, w.sparse, permutations=199, seed=5)
    np.testing.assert_array_equal(a.local_p_sim, b.local_p_sim)


def test_bad_input():
    w = sp.eye(3, format="csr")
    with pytest.raises(InputError, match="must be"):
        spatial_autocorrelation([1.0, 2.0], w)
    with pytest.raises(InputError, match="NaN"):
        spatial_autocorrelation([1.0, np.nan, 2.0], w)
    with pytest.raises(InputError, match="at least 3 connected"):
        spatial_autocorrelation([1.0, 2.0, 3.0], w)
