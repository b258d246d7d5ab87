"""This package's kernels load from numba's cache without numba's full context refresh
(core/_jit.py: light_cache_loads; issue 17.2, half a second of a warm ``map``)."""

import os
import subprocess
import sys
import textwrap

import numba.core.caching

from clusteratlas.core._jit import light_cache_loads

# process 1 compiles into an empty cache, process 2 loads from it: a kernel that
# allocates (numba's runtime); a parallel one (its threads start through its reload
# hook; its environment imports numba's array functions, whatever the refresh); and
# one of another package, which loads the way numba loads it
_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import foreign
    from clusteratlas.core._columns import _grand_totals, start_numba
    from clusteratlas.core._pairs import _histogram_planar, pair_histogram
    from clusteratlas.core.pointpattern import _apply_kernel

    rng = np.random.default_rng(3)
    start_numba()
    smooth = _apply_kernel(rng.random((30, 7)), rng.random(30))
    refreshed = "numba.np.linalg" in sys.modules
    coords = rng.random((400, 2)) * 50.0
    hist = pair_histogram(coords, rng.random(400), cutoff=20.0, bin_width=1.0,
                          spherical=False)
    own_hits = sum(sum(k.stats.cache_hits.values())
                   for k in (_grand_totals, _apply_kernel, _histogram_planar))
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
