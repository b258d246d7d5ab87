"""On a fresh install ``map`` of a large panel compiles the kernels of the cells and the
summaries in a second process while it compiles the others itself (issue 17.2: the
first run within 2× a warm one; service/compile_ahead.py)."""

import os
import subprocess
import sys

import pytest

from clusteratlas.service.compile_ahead import CompileAhead


def _indexed(cache):
    return {p.name.split("-")[0] for p in cache.rglob("*.nbi")}


def test_the_second_process_compiles_the_cells_kernels_and_no_other(tmp_path):
    """It needs numpy, numba and the core only (no Arrow, no pandas, no SciPy BLAS probe)."""
    from clusteratlas.service.mapping import _COMPILE_CELLS

    cache = tmp_path / "numba-cache"
    done = subprocess.run(
        [sys.executable, "-c", _COMPILE_CELLS + "; import sys; "
         "assert not {'pyarrow', 'pandas', 'scipy.linalg'} & set(sys.modules)"],
        env={**os.environ, "NUMBA_CACHE_DIR": str(cache)},
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    compiled = _indexed(cache)
    assert {"_cells._cells", "_cells._year_sums", "_cells._summaries"} <= compiled
    assert not {"_columns._columns", "_aggregate._aggregate_rows"} & compiled


def test_a_cold_map_of_a_large_panel_writes_what_a_warm_one_writes(tmp_path):
    """The very first run (empty cache: two processes compile) and a warm run give the
    same bytes; afterwards every kernel of the pipeline is in the cache."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    # 300 regions × 400 industries × 3 years, about 60 % of the cells: a panel above
    # the size a kernel runs as Python for on a fresh install (core/_jit.py: SMALL)
    rng = np.random.default_rng(5)
    r, i, t = np.meshgrid(np.arange(300), np.arange(400), np.arange(3), indexing="ij")
    keep = rng.random(r.size) < 0.6
    big = tmp_path / "big.parquet"
    pq.write_table(pa.table({
        "region": pa.array(r.ravel()[keep], pa.int32()),
        "industry": pa.array(i.ravel()[keep], pa.int32()),
        "year": pa.array(2018 + t.ravel()[keep], pa.int16()),
        "employment": pa.array(rng.integers(1, 500, int(keep.sum())), pa.int32())}), big)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    outputs = []
    for run in ("cold", "warm"):
        out = tmp_path / f"{run}.parquet"
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "clusteratlas", "map",
                               str(big), "--out", str(out)],
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
        # compiling readies numba's whole context (its refresh imports the polynomial
        # functions); loading from the cache does not (core/_jit.py: light_cache_loads)
        assert ("numba.np.polynomial.polynomial_functions" in done.stderr) == (run == "cold")
        outputs.append([p.read_bytes() for p in sorted(tmp_path.glob(f"{run}*.parquet"))])
    assert len(outputs[0]) == 3
    assert outputs[0] == outputs[1]
    cache = tmp_path / "numba-cache"
    assert {"_cells._cells", "_columns._columns", "_aggregate._aggregate_rows",
            "_cells._summaries"} <= _indexed(cache)
    # the second process compiled the very signatures the pipeline needed: the pipeline
    # compiled no second version of its kernels
    for kernel in ("_cells._cells", "_cells._summaries", "_cells._year_sums"):
        assert len(list(cache.rglob(f"{kernel}-*.nbc"))) == 1, kernel


def test_no_second_process_where_the_kernels_are_cached(monkeypatch):
    from clusteratlas.core import _jit

    monkeypatch.setattr(_jit, "cold", lambda kernels: False)
    ahead = CompileAhead("clusteratlas.core._cells.KERNELS", "raise SystemExit(3)")
    assert ahead.start() == ()
    ahead.wait(timeout=5)  # returns at once: nothing to wait for
    assert ahead._process is None


def test_a_failing_second_process_only_costs_the_wait(monkeypatch):
    """Whatever happens to it, the pipeline goes on (and compiles the kernels itself)."""
    from clusteratlas.core import _cells, _jit

    monkeypatch.setattr(_jit, "cold", lambda kernels: True)
    ahead = CompileAhead("clusteratlas.core._cells.KERNELS", "raise SystemExit(3)")
    assert ahead.start() == _cells.KERNELS
    ahead.wait(timeout=60)
    assert ahead._process is not None
    assert ahead._process.returncode == 3
    broken = CompileAhead("clusteratlas.core._cells.NO_SUCH_NAME", "pass")
    assert broken.start() == ()
    broken.wait(timeout=5)


@pytest.mark.parametrize("rule", ["only", "skip"])
def test_a_compiling_block_compiles_only_its_kernels(monkeypatch, rule):
    import numpy as np

    from clusteratlas.core import _jit
    from clusteratlas.core._cells import _year_sums
    from clusteratlas.core._columns import _grand_totals

    monkeypatch.setattr(_jit, "_warm", lambda kernel: False)  # as with an empty cache
    tiny = np.zeros((1, 1))
    block = (_jit.compiling(only=[_grand_totals]) if rule == "only"
             else _jit.compiling(skip=[_year_sums]))
    with block:
        assert _jit.pick(_grand_totals, tiny) is _grand_totals
        assert _jit.pick(_year_sums, tiny) is not _year_sums


def test_the_second_process_as_map_starts_it(tmp_path, monkeypatch):
    """With the environment ``CompileAhead`` gives it: the package found, numba's cache
    the one the command uses, nothing taken from the working directory (a stray
    ``numba.py`` there)."""
    from clusteratlas.core import _cells, _jit
    from clusteratlas.service.mapping import _COMPILE_CELLS

    monkeypatch.setattr(_jit, "cold", lambda kernels: True)
    cache = tmp_path / "numba-cache"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(cache))
    (tmp_path / "numba.py").write_text("raise SystemExit(7)\n")
    monkeypatch.chdir(tmp_path)
    ahead = CompileAhead("clusteratlas.core._cells.KERNELS", _COMPILE_CELLS)
    assert ahead.start() == _cells.KERNELS
    ahead.wait(timeout=600)
    assert ahead._process.returncode == 0
    assert {"_cells._cells", "_cells._year_sums", "_cells._summaries"} <= _indexed(cache)


def test_a_second_process_that_hangs_is_ended_in_time(monkeypatch):
    import time

    from clusteratlas.core import _jit

    monkeypatch.setattr(_jit, "cold", lambda kernels: True)
    ahead = CompileAhead("clusteratlas.core._cells.KERNELS", "import time; time.sleep(120)")
    ahead.start()
    began = time.monotonic()
    ahead.wait(timeout=1.0)
    assert time.monotonic() - began < 30
    assert ahead._process.returncode is not None  # ended, not left running


def test_a_command_that_fails_first_starts_no_second_process(monkeypatch):
    from clusteratlas.core import _jit

    monkeypatch.setattr(_jit, "cold", lambda kernels: True)
    ahead = CompileAhead("clusteratlas.core._cells.KERNELS", "import time; time.sleep(120)")
    ahead.stop()
    assert ahead.start() == ()
    assert ahead._process is None
