"""The GPU back end of the K-density gives the CPU's results.

Imports nothing beyond numpy, pandas and CuPy, so that it also runs on a GPU machine
with only those installed (``pytest --noconftest tests/engines/test_gpu.py``).
"""

import numpy as np
import pytest


def _gpu_available() -> bool:
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


pytestmark = pytest.mark.skipif(
    not _gpu_available(),
    reason="no CUDA GPU with CuPy on this machine (CI has none; run on a GPU machine)")


def _points(n, seed=3, spherical=False):
    rng = np.random.default_rng(seed)
    if spherical:  # around Baden-Württemberg, lon/lat
        xy = np.column_stack([rng.uniform(7.5, 10.5, n), rng.uniform(47.5, 49.8, n)])
    else:
        xy = rng.random((n, 2)) * 200
        xy[: n // 5] = 50 + rng.normal(0, 4, (n // 5, 2))  # a tight cluster
    return xy, rng.integers(1, 200, n).astype(float)


def _assert_close(cpu, gpu, cutoff, bin_width):
    """Both back ends compute float32 distances, rounded along different paths (fused
    multiply-adds, another arcsin), so a pair within a few float32 steps of a bin edge
    may land in the next bin.  The pairs must all be there, none may move farther than
    a neighbouring bin, and the share that moves is bounded by the share of pairs that
    lie within a few float32 steps (eps * distance) of an edge."""
    assert gpu.shape == cpu.shape
    np.testing.assert_allclose(gpu.sum(), cpu.sum(), rtol=1e-6)
    if cpu.sum() == 0:  # e.g. two sites farther apart than the cut-off
        assert not gpu.any()
        return
    moved = 0.5 * np.abs(cpu - gpu).sum() / cpu.sum()
    assert moved <= 4 * np.finfo(np.float32).eps * cutoff / bin_width + 1e-6
    # a move to a neighbouring bin changes one prefix sum; a systematic error many
    drift = np.abs(np.cumsum(cpu) - np.cumsum(gpu)).max() / cpu.sum()
    assert drift <= 1e-3


@pytest.mark.parametrize("spherical", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("bin_width", [0.05, 0.001])  # bins in shared memory; too many for it
def test_histogram_equals_cpu(spherical, weighted, bin_width):
    from clusteratlas.core._pairs import pair_histogram
    from clusteratlas.engines.gpu import gpu_pair_histogram

    xy, w = _points(3000, spherical=spherical)
    weights = w if weighted else None
    cpu = pair_histogram(xy, weights, cutoff=80, bin_width=bin_width, spherical=spherical)
    gpu = gpu_pair_histogram(xy, weights, cutoff=80, bin_width=bin_width, spherical=spherical)
    assert cpu.sum() > 0
    _assert_close(cpu, gpu, 80, bin_width)


def test_histogram_of_tiny_and_duplicate_sets():
    from clusteratlas.engines.gpu import gpu_pair_histogram

    same = np.ones((5, 2))  # ten pairs at distance 0
    hist = gpu_pair_histogram(same, None, cutoff=1, bin_width=0.5, spherical=False)
    np.testing.assert_array_equal(hist, [10.0, 0.0])
    two = np.array([[0.0, 0.0], [3.0, 4.0]])
    hist = gpu_pair_histogram(two, np.array([2.0, 3.0]), cutoff=10, bin_width=1, spherical=False)
    assert hist[5] == 6.0
    assert hist.sum() == 6.0


def test_submitted_jobs_come_back_in_any_order():
    from clusteratlas.core._pairs import pair_histogram
    from clusteratlas.engines.gpu import GpuPairHistogram

    gpu = GpuPairHistogram(threads=256)
    sets = [_points(2000, seed=s)[0] for s in range(4)]
    jobs = [gpu.submit(xy, None, cutoff=50, bin_width=0.1, spherical=False) for xy in sets]
    for xy, job in reversed(list(zip(sets, jobs, strict=True))):
        cpu = pair_histogram(xy, None, cutoff=50, bin_width=0.1, spherical=False)
        _assert_close(cpu, job(), 50, 0.1)


@pytest.mark.parametrize("spherical", [False, True])
def test_subsets_picked_on_the_device(spherical):
    from clusteratlas.core._pairs import pair_histogram
    from clusteratlas.engines.gpu import GpuPairHistogram

    gpu = GpuPairHistogram()
    xy, w = _points(5000, spherical=spherical)
    rng = np.random.default_rng(1)
    draws = [np.sort(rng.choice(5000, size=n, replace=False)) for n in (700, 700, 2, 4999)]
    jobs = [gpu.submit_subset(xy, w, idx, cutoff=60, bin_width=0.05, spherical=spherical)
            for idx in draws]
    for idx, job in zip(draws, jobs, strict=True):
        cpu = pair_histogram(xy[idx], w[idx], cutoff=60, bin_width=0.05, spherical=spherical)
        _assert_close(cpu, job(), 60, 0.05)
    # other sites: the cached copy on the device is replaced, not reused
    other = xy[::-1].copy()
    idx = draws[0]
    cpu = pair_histogram(other[idx], None, cutoff=60, bin_width=0.05, spherical=spherical)
    got = gpu.submit_subset(other, None, idx, cutoff=60, bin_width=0.05, spherical=spherical)()
    _assert_close(cpu, got, 60, 0.05)


@pytest.mark.parametrize("weighted", [False, True])
def test_k_density_on_the_gpu_equals_cpu(weighted):
    from clusteratlas.core.pointpattern import k_density
    from clusteratlas.engines.gpu import gpu_pair_histogram

    xy, w = _points(4000)
    industry = np.zeros(4000, dtype=bool)
    industry[:300] = True  # 300 of the 800 clustered sites
    kw = {"weights": w if weighted else None, "simulations": 49, "seed": 4, "dmax": 60}
    cpu = k_density(xy, industry, **kw)
    gpu = k_density(xy, industry, histogram=gpu_pair_histogram, **kw)
    assert gpu.bandwidth == pytest.approx(cpu.bandwidth, rel=1e-6)
    for name in ("kd", "local_lo", "local_hi", "global_lo", "global_hi"):
        np.testing.assert_allclose(getattr(gpu, name), getattr(cpu, name), rtol=1e-4,
                                   atol=1e-7, err_msg=name)
    assert gpu.verdict == cpu.verdict == "localised"


def test_run_kd_device_gpu(tmp_path):
    import pandas as pd

    from clusteratlas.service.kdensity import read_sites, run_kd

    xy, w = _points(2000, spherical=True)
    rng = np.random.default_rng(9)
    frame = pd.DataFrame({"id": np.arange(2000).astype(str),
                          "industry": rng.choice(["25.94", "62.01"], 2000),
                          "employment": w, "lon": xy[:, 0], "lat": xy[:, 1]})
    path = tmp_path / "sites.csv"
    frame.to_csv(path, index=False)
    sites = read_sites(path)
    cpu = run_kd(sites, simulations=19, seed=2)
    gpu = run_kd(sites, simulations=19, seed=2, device="gpu")
    for ind in cpu:
        np.testing.assert_allclose(gpu[ind].kd, cpu[ind].kd, rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(gpu[ind].global_hi, cpu[ind].global_hi, rtol=1e-4,
                                   atol=1e-7)
        assert gpu[ind].verdict == cpu[ind].verdict
