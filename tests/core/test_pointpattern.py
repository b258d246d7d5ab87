"""K-density and M: binned vs exact, planted patterns, reproducibility."""

import numpy as np
import pytest

from clusteratlas.core._pairs import pair_histogram
from clusteratlas.core.pointpattern import k_density, kd_exact, m_function
from clusteratlas.errors import InputError


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(2)
    return rng.random((3000, 2)) * 200.0, rng.integers(1, 100, 3000).astype(float)


def test_histogram_equals_exact_pair_counts():
    from scipy.spatial.distance import pdist

    rng = np.random.default_rng(0)
    pts = rng.random((1500, 2)) * 100
    d = pdist(pts)
    ref, _ = np.histogram(d[d < 50], bins=200, range=(0, 50))
    got = pair_histogram(pts, None, cutoff=50, bin_width=0.25, spherical=False)
    # float32 distances may move a pair lying within ~1e-6 of a bin edge to the next bin
    assert np.abs(got - ref).sum() <= 2e-5 * ref.sum()
    assert got.sum() == pytest.approx(ref.sum(), abs=2)


@pytest.mark.parametrize("weighted", [False, True])
def test_binned_within_1e3_of_exact_kernel_sum(population, weighted):
    pts, w = population
    mask = np.zeros(len(pts), dtype=bool)
    mask[np.random.default_rng(4).choice(len(pts), 300, replace=False)] = True
    res = k_density(pts, mask, weights=w if weighted else None, dmax=100, simulations=3)
    exact = kd_exact(pts[mask], res.distance, res.bandwidth, w[mask] if weighted else None)
    assert np.max(np.abs(res.kd - exact) / exact) < 1e-3


def test_spherical_matches_haversine_reference():
    rng = np.random.default_rng(5)
    lonlat = np.column_stack([7.5 + rng.random(800) * 3, 47.5 + rng.random(800) * 2])
    mask = np.zeros(800, dtype=bool)
    mask[:200] = True
    res = k_density(lonlat, mask, dmax=80, simulations=2, spherical=True)
    lon, lat = np.radians(lonlat[:200, 0]), np.radians(lonlat[:200, 1])
    h = (np.sin((lat[None] - lat[:, None]) / 2) ** 2
         + np.cos(lat[:, None]) * np.cos(lat[None]) * np.sin((lon[None] - lon[:, None]) / 2) ** 2)
    d = 2 * 6371.0088 * np.arcsin(np.sqrt(h))[np.triu_indices(200, 1)]
    z1 = (res.distance[:, None] - d[None]) / res.bandwidth
    z2 = (res.distance[:, None] + d[None]) / res.bandwidth
    ref = (np.exp(-z1**2 / 2) + np.exp(-z2**2 / 2)).sum(axis=1) / (
        np.sqrt(2 * np.pi) * res.bandwidth * d.size)
    assert np.max(np.abs(res.kd - ref) / ref) < 1e-3


def test_tight_cluster_is_localised(population):
    pts, _ = population
    mask = np.zeros(len(pts), dtype=bool)
    mask[np.argsort(((pts - [60.0, 60.0]) ** 2).sum(axis=1))[:100]] = True
    res = k_density(pts, mask, dmax=100, simulations=99, seed=3)
    assert res.verdict == "localised"
    assert res.gamma > 0
    assert (res.kd[:10] > res.global_hi[:10]).all()


def test_lattice_is_dispersed(population):
    pts, _ = population
    rng = np.random.default_rng(1)
    lattice = np.array([[x, y] for x in np.linspace(10, 190, 10) for y in np.linspace(10, 190, 10)])
    lattice += rng.normal(0, 2, lattice.shape)
    sites = np.vstack([lattice, pts])
    mask = np.zeros(len(sites), dtype=bool)
    mask[:100] = True
    # a bandwidth of the lattice spacing smooths its peaks; what remains is the lack
    # of short distances
    res = k_density(sites, mask, dmax=100, simulations=99, seed=3, bandwidth=20.0)
    assert res.verdict == "dispersed"
    assert res.psi > 0
    assert res.gamma == 0


def test_random_draw_from_all_sites_is_neither(population):
    pts, _ = population
    verdicts = []
    for seed in range(5):
        mask = np.zeros(len(pts), dtype=bool)
        mask[np.random.default_rng(100 + seed).choice(len(pts), 150, replace=False)] = True
        verdicts.append(k_density(pts, mask, dmax=100, simulations=99, seed=seed).verdict)
    # the global bands let 5 % + 5 % of random patterns out; 5 draws mostly stay in
    assert verdicts.count("neither") >= 4


def test_reproducible_by_seed_and_bands_ordered(population):
    pts, w = population
    mask = np.zeros(len(pts), dtype=bool)
    mask[:200] = True
    a = k_density(pts, mask, weights=w, dmax=60, simulations=19, seed=9)
    b = k_density(pts, mask, weights=w, dmax=60, simulations=19, seed=9)
    np.testing.assert_array_equal(a.global_hi, b.global_hi)
    c = k_density(pts, mask, weights=w, dmax=60, simulations=19, seed=10)
    assert not np.array_equal(a.local_hi, c.local_hi)
    assert (a.global_hi >= a.local_hi - 1e-15).all()
    assert (a.global_lo <= a.local_lo + 1e-15).all()


def test_duplicates_and_small_n():
    pts = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [5.0, 5.0], [9.0, 2.0]])
    mask = np.array([True, True, False, False, False])
    res = k_density(pts, mask, dmax=10, simulations=5, bandwidth=1.0)
    # two sites at the same place: all mass at distance 0, reflected → peak at 0
    assert res.kd.argmax() == 0
    with pytest.raises(InputError, match="at least 2"):
        k_density(pts, np.array([True, False, False, False, False]), dmax=10)
    with pytest.raises(InputError, match="finite"):
        k_density(np.array([[0.0, np.nan], [1.0, 1.0]]), np.array([True, True]))


def test_m_function_reference_values():
    # 4 industry sites in a tight square, 4 other sites far away, unit weights
    pts = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [50, 50], [50, 51], [51, 50], [51, 51.0]])
    mask = np.array([True] * 4 + [False] * 4)
    m = m_function(pts, mask, [1.5, 100.0])
    # r = 1.5: each industry site sees only industry neighbours (ratio 1);
    # denominator: 4 × (4 - 1) / (8 - 1) → M = 4 / (12/7) = 7/3
    assert m[0] == pytest.approx(7 / 3)
    # r = 100: everything is a neighbour: ratio 3/7 for each → M = 1
    assert m[1] == pytest.approx(1.0)
