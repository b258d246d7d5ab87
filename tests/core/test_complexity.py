"""Relatedness and complexity: hand-computed cases, the defining properties, and the
`ecomplexity` package (Growth Lab) on a seeded 400 × 200 panel."""

import warnings

import numpy as np
import pandas as pd
import pytest

from clusteratlas.core.complexity import complexity, proximity
from clusteratlas.errors import InputError


def seeded_panel(n_regions, n_industries, seed=3):
    """Regions with a capability level, industries with a complexity; an industry is
    big in a region with a probability rising with capability minus complexity."""
    rng = np.random.default_rng(seed)
    cap = rng.normal(0, 1, n_regions)
    cx = rng.normal(0, 1, n_industries)
    p = 1 / (1 + np.exp(-2 * (cap[:, None] - cx[None, :])))
    present = rng.random((n_regions, n_industries)) < p
    size = rng.lognormal(3, 1, (n_regions, 1)) * rng.lognormal(0, 1, (1, n_industries))
    noise = rng.lognormal(0, 0.5, (n_regions, n_industries))
    return np.where(present, size * noise, size * 0.05 * rng.random(present.shape))


def test_proximity_by_hand():
    m = np.array([[1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 0, 1]], dtype=bool)
    # ubiquities 3, 2, 3; co-presence (0,1)=2, (0,2)=2, (1,2)=1
    phi = proximity(m)
    expected = np.array([[0, 2 / 3, 2 / 3], [2 / 3, 0, 1 / 3], [2 / 3, 1 / 3, 0]])
    np.testing.assert_allclose(phi, expected)
    np.testing.assert_allclose(np.diag(proximity(m, include_diagonal=True)), 1.0)


def test_density_and_defining_properties():
    e = seeded_panel(60, 40)
    c = complexity(e)
    m = c.mcp.astype(float)
    # density by its definition, with the zero diagonal
    r, i = 7, 11
    phi = c.proximity
    assert phi[i, i] == 0
    assert c.density[r, i] == pytest.approx((m[r] * phi[i]).sum() / phi[i].sum())
    # ECI correlates positively with diversity, and is the mean PCI of its industries
    assert np.corrcoef(c.eci, c.diversity)[0, 1] > 0
    for region in range(60):
        present = c.mcp[region]
        assert c.eci[region] == pytest.approx(c.pci[present].mean(), abs=1e-9)
    assert np.nanmean(c.eci) == pytest.approx(0, abs=1e-12)
    assert np.nanstd(c.eci) == pytest.approx(1)
    # COG is zero where the industry is present already
    assert (c.cog[c.mcp] == 0).all()


def test_zero_rows_and_columns_take_no_part():
    e = seeded_panel(30, 20)
    e[4] = 0.0
    e[:, 9] = 0.0
    c = complexity(e)
    assert np.isnan(c.eci[4])
    assert np.isnan(c.coi[4])
    assert np.isnan(c.pci[9])
    assert np.isnan(c.density[:, 9]).all()
    assert np.isfinite(np.delete(c.eci, 4)).all()
    # the others are what they are without the empty row and column
    kept = complexity(np.delete(np.delete(e, 4, axis=0), 9, axis=1))
    np.testing.assert_allclose(np.delete(c.eci, 4), kept.eci, atol=1e-10)


def test_bad_input():
    with pytest.raises(InputError, match="at least 2 rows"):
        complexity(np.ones((1, 5)))
    with pytest.raises(InputError, match="negative"):
        complexity(-np.ones((3, 3)))
    with pytest.raises(InputError, match="does not vary"):
        complexity(np.ones((4, 4)))


def _ecomplexity(e):
    ecomplexity = pytest.importorskip("ecomplexity", reason="ecomplexity is not installed "
                                      "(pip install -e '.[test]')").ecomplexity
    n_r, n_i = e.shape
    frame = pd.DataFrame({"year": 2020, "loc": np.repeat([f"r{r:04d}" for r in range(n_r)], n_i),
                          "prod": np.tile([f"i{i:04d}" for i in range(n_i)], n_r),
                          "val": e.ravel()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ecomplexity(frame, {"time": "year", "loc": "loc", "prod": "prod", "val": "val"},
                          verbose=False, check_logsupermodularity=False)
    return out.sort_values(["loc", "prod"])


def test_equals_ecomplexity_with_its_diagonal_convention():
    e = seeded_panel(400, 200)
    ref = _ecomplexity(e)
    ours = complexity(e, include_diagonal=True)
    grid = (400, 200)
    np.testing.assert_array_equal(ref["mcp"].to_numpy().reshape(grid), ours.mcp)
    np.testing.assert_allclose(ref["rca"].to_numpy().reshape(grid), ours.rca, rtol=1e-12)
    np.testing.assert_allclose(ref.groupby("loc")["eci"].first(), ours.eci, atol=1e-10)
    np.testing.assert_allclose(ref.groupby("prod")["pci"].first(), ours.pci, atol=1e-10)
    np.testing.assert_allclose(ref["density"].to_numpy().reshape(grid), ours.density,
                               atol=1e-12)
    np.testing.assert_allclose(ref.groupby("loc")["coi"].first(), ours.coi, atol=1e-10)
    np.testing.assert_allclose(ref["cog"].to_numpy().reshape(grid), ours.cog, atol=1e-10)


def test_default_differs_from_ecomplexity_only_through_the_diagonal():
    """ECI and PCI do not involve φ; density, COI and COG do.  With φ_ii = 0 a region's
    own presence in an industry no longer raises its density there."""
    e = seeded_panel(400, 200)
    ref = _ecomplexity(e)
    ours = complexity(e)
    np.testing.assert_allclose(ref.groupby("loc")["eci"].first(), ours.eci, atol=1e-10)
    np.testing.assert_allclose(ref.groupby("prod")["pci"].first(), ours.pci, atol=1e-10)
    with_diag = ref["density"].to_numpy().reshape(400, 200)
    row = ours.proximity.sum(axis=1)
    # ω(with φ_ii=1) = (ω₀·Σφ₀ + M) / (Σφ₀ + 1): the relation between the two conventions
    rebuilt = (ours.density * row[None, :] + ours.mcp) / (row[None, :] + 1)
    np.testing.assert_allclose(with_diag, rebuilt, atol=1e-12)
    assert np.corrcoef(ref.groupby("loc")["coi"].first(), ours.coi)[0, 1] > 0.99


def test_cog_is_missing_for_an_industry_without_employment():
    # industry 3 employs nobody anywhere: there is no outlook gain to speak of (was 0)
    e = np.array([[10.0, 1.0, 1.0, 0.0], [1.0, 10.0, 1.0, 0.0], [1.0, 1.0, 10.0, 0.0],
                  [10.0, 10.0, 1.0, 0.0]])
    c = complexity(e)
    assert np.isnan(c.cog[:, 3]).all()
    assert np.isnan(c.pci[3])
    assert np.isfinite(c.cog[:, :3]).all()
    # the others are what they are without the empty column
    kept = complexity(e[:, :3])
    np.testing.assert_allclose(c.cog[:, :3], kept.cog, atol=1e-12)
