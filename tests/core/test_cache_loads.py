"""This package's kernels load from numba's cache without numba's full context refresh
(core/_jit.py: light_cache_loads; issue 17.2, half a second of a warm ``map``)."""

import os
import subprocess
import sys
import textwrap

import numba
import numba.core.caching
import pytest

from clusteratlas.core._jit import LIGHT_LOADS_VERIFIED, _verified, light_cache_loads

pytestmark = pytest.mark.skipif(
    not _verified(numba.__version__),
    reason=f"light cache loads are verified for numba {LIGHT_LOADS_VERIFIED[0]} up to "
    f"{LIGHT_LOADS_VERIFIED[1]}, not {numba.__version__}: kernels load as numba loads them")

# process 1 compiles into an empty cache, process 2 loads from it: a kernel that
# allocates (numba's runtime); a parallel one (its threads start through its reload
# hook); and one of another package, which loads the way numba loads it
_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import foreign
    from clusteratlas.core._columns import _by_column, start_numba
    from clusteratlas.core._pairs import _histogram_planar, pair_histogram
    from clusteratlas.core.pointpattern import _apply_kernel

    rng = np.random.default_rng(3)
    start_numba()
    smooth = _apply_kernel(rng.random((30, 7)), rng.random(30))
    coords = rng.random((400, 2)) * 50.0
    hist = pair_histogram(coords, rng.random(400), cutoff=20.0, bin_width=1.0,
                          spherical=False)
    # imported by numba's context refresh alone (not by a parallel kernel's
    # environment, which imports numba's array functions)
    refreshed = "numba.np.polynomial.polynomial_functions" in sys.modules
    own_hits = sum(sum(k.stats.cache_hits.values())
                   for k in (_by_column, _apply_kernel, _histogram_planar))
    norm = foreign.norm(np.arange(5.0))
    print(repr(hist.tolist() + smooth.tolist()).replace(" ", ""), own_hits, refreshed,
          norm, sum(foreign.norm.stats.cache_hits.values()))
""")

_FOREIGN = textwrap.dedent("""
    import numpy as np
    from numba import njit

    @njit(cache=True)
    def norm(x):
        return np.linalg.norm(x)
""")


def test_verified_versions():
    assert _verified("0.68.1")
    assert _verified("0.60.0")
    assert not _verified("0.59.1")
    assert not _verified("0.69.0")
    assert not _verified("0.68rc1")  # a version it cannot read: as numba loads


def test_the_light_loader_is_in_effect():
    assert light_cache_loads() is True
    assert numba.core.caching.Cache.load_overload._clusteratlas_light
    assert light_cache_loads() is True  # installed once


def test_cached_kernels_load_and_run_without_the_full_refresh(tmp_path):
    (tmp_path / "foreign.py").write_text(_FOREIGN)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", _SCRIPT], env=env, capture_output=True,
                              text=True, timeout=600, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        hist, own_hits, refreshed, norm, foreign_hits = done.stdout.rsplit(" ", 4)
        runs.append((hist, int(own_hits), refreshed, float(norm), int(foreign_hits)))
    compiled, loaded = runs
    assert (compiled[1], loaded[1]) == (0, 3)  # every kernel came from the cache
    assert loaded[0] == compiled[0]  # the same numbers, bit for bit
    assert sum(float(v) for v in loaded[0].strip("[]").split(",")) > 0
    # compiling refreshed numba's context (its linear algebra imported); loading this
    # package's kernels did not; the other package's cached function loads, and runs
    assert (compiled[2], loaded[2]) == ("True", "False")
    assert (compiled[4], loaded[4]) == (0, 1)
    assert loaded[3] == compiled[3] == 30.0 ** 0.5
