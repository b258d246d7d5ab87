"""On a fresh install ``map`` of a large panel compiles its kernels in two processes,
each kernel in whichever claims it first (issue 17.2: the first run within 2× a warm
one; service/compile_ahead.py, core/_jit.py: Claims)."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from clusteratlas.core import _jit
from clusteratlas.core.mapping import PIPELINE_KERNELS, pipeline_kernels
from clusteratlas.service import compile_ahead
from clusteratlas.service.compile_ahead import _CODE, CompileAhead, cache_is_empty

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="claims need POSIX flock")


def _indexed(cache):
    return {p.name.split("-")[0] for p in cache.rglob("*.nbi")}


def _names():
    return {f"{module}.{name}" for module, name in PIPELINE_KERNELS}


@pytest.fixture
def no_claims():
    yield
    _jit.use_claims(None)


def test_the_second_process_alone_compiles_every_kernel_with_the_core_only(tmp_path, monkeypatch,
                                                                           no_claims):
    """Nobody else claiming: it compiles them all, needing numpy, numba and the core
    only (no Arrow, no pandas, no SciPy BLAS probe), and removes the claims' folder."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    ahead = CompileAhead(_CODE + "; assert not {'pyarrow', 'pandas', 'scipy.linalg'} "
                         "& set(sys.modules)")
    assert ahead.start(cold=True)
    folder = ahead._folder
    _jit.use_claims(None)  # this process takes no part
    ahead.wait(timeout=600)
    assert ahead._process.returncode == 0
    assert _names() <= _indexed(tmp_path / "cache")
    assert not os.path.exists(folder)


def test_a_cold_map_of_a_large_panel_writes_what_a_warm_one_writes(tmp_path):
    """The very first run (empty cache: two processes compile) and a warm run give the
    same bytes; afterwards every kernel of the pipeline is in the cache, each compiled
    once, for the very signature the pipeline needs."""
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
    cache = tmp_path / "numba-cache"
    scratch = tmp_path / "tmp"  # where the claims' folder is made
    scratch.mkdir()
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "TMPDIR": str(scratch)}
    assert cache_is_empty(PIPELINE_KERNELS, env)
    outputs = []
    for run in ("cold", "warm"):
        out = tmp_path / f"{run}.parquet"
        done = subprocess.run([sys.executable, "-X", "importtime", "-m", "clusteratlas", "map",
                               str(big), "--out", str(out)],
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
        # compiling registers numba's ufuncs; loading from the cache does not
        # (core/_jit.py: light_cache_loads), and neither readies numba's whole context,
        # its array functions among it (light_compiles)
        assert ("numba.np.npyimpl" in done.stderr) == (run == "cold")
        assert "numba.np.arraymath" not in done.stderr
        outputs.append([p.read_bytes() for p in sorted(tmp_path.glob(f"{run}*.parquet"))])
        assert not cache_is_empty(PIPELINE_KERNELS, env)
    assert len(outputs[0]) == 3
    assert outputs[0] == outputs[1]
    assert {*_names(), "_aggregate._sum_by_region_year"} <= _indexed(cache)
    for kernel in _names():
        assert len(list(cache.rglob(f"{kernel}-*.nbc"))) == 1, kernel
    # both processes ended, and left no claims behind (the second process may end a
    # moment after the command: it watches for that)
    deadline = time.monotonic() + 30
    while list(scratch.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(scratch.iterdir())


def _claims_in(folder):
    claims = _jit.Claims(str(folder))
    claims.PATIENCE = 0.5
    return claims


def test_a_kernel_is_compiled_by_whoever_claims_it_first(tmp_path, monkeypatch):
    """Two holders of claims (as two processes): the second runs the twin while the
    first compiles; one that needs the kernel waits until the claim is given back."""
    from clusteratlas.core._columns import _by_column as kernel

    monkeypatch.setattr(_jit, "_warm", lambda k: False)
    # as in a process that has not compiled it (another test may have)
    monkeypatch.setattr(type(kernel), "signatures", property(lambda self: []))
    first, second = _claims_in(tmp_path), _claims_in(tmp_path)
    mine = first.compile_or_twin(kernel)
    assert isinstance(mine, _jit._Claimed)  # the kernel, holding the claim
    assert second.compile_or_twin(kernel) is _jit.python_twin(kernel)
    began = time.monotonic()
    second.wait_for(kernel)  # held: gives up after its patience
    assert time.monotonic() - began >= 0.5
    assert not second._kept
    # the first call compiles the kernel and gives the claim back
    flat, emp, none = np.zeros(1, np.int64), np.ones(1), np.zeros(0)
    counts = np.zeros((1, 1), np.int64)
    mine(0, 1, flat, emp, emp, 1, np.array([0, 1]), counts, none, np.zeros(0, np.int64), none,
         True)
    assert counts[0, 0] == 1
    second.wait_for(kernel)  # free now, and still not in the cache: kept, compiled here
    assert len(second._kept) == 1
    assert first.compile_or_twin(kernel) is _jit.python_twin(kernel)


def test_a_claim_dropped_uncalled_or_of_a_dead_process_is_given_back(tmp_path, monkeypatch):
    import gc

    from clusteratlas.core._columns import _by_column as kernel

    monkeypatch.setattr(_jit, "_warm", lambda k: False)
    # as in a process that has not compiled it (another test may have)
    monkeypatch.setattr(type(kernel), "signatures", property(lambda self: []))
    first, second = _claims_in(tmp_path), _claims_in(tmp_path)
    mine = first.compile_or_twin(kernel)
    assert second.compile_or_twin(kernel) is not kernel
    del mine
    gc.collect()
    assert isinstance(second.compile_or_twin(kernel), _jit._Claimed)
    # a process that dies holding a claim gives it back (the system drops its flock)
    code = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)")
    name = tmp_path / "clusteratlas.core._columns._columns"
    holder = subprocess.Popen([sys.executable, "-c", code, str(name)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        from clusteratlas.core._columns import _columns

        assert first.compile_or_twin(_columns) is not _columns
        holder.kill()
        holder.wait()
        assert isinstance(first.compile_or_twin(_columns), _jit._Claimed)
    finally:
        holder.kill()
        holder.stdout.close()


def test_once_the_other_process_is_gone_this_one_compiles_alone(tmp_path, monkeypatch):
    """Its folder removed (it ended, or failed): no twin for a kernel nobody compiles,
    and the pipeline waits for nothing."""
    from clusteratlas.core._columns import _by_column as kernel

    monkeypatch.setattr(_jit, "_warm", lambda k: False)
    claims = _claims_in(tmp_path / "gone")
    assert claims.compile_or_twin(kernel) is kernel
    assert claims.alone
    began = time.monotonic()
    claims.wait_for(kernel)
    assert time.monotonic() - began < 0.5


def test_a_thread_waiting_for_its_own_process_stops_once_the_kernel_is_compiled(
        tmp_path, monkeypatch):
    from clusteratlas.core._columns import _by_column as kernel

    monkeypatch.setattr(_jit, "_warm", lambda k: False)
    first, second = _claims_in(tmp_path), _claims_in(tmp_path)
    second.PATIENCE = 60.0
    held = first.compile_or_twin(kernel)
    assert isinstance(held, _jit._Claimed)
    monkeypatch.setattr(type(kernel), "signatures", property(lambda self: [("compiled",)]))
    began = time.monotonic()
    second.wait_for(kernel)  # held by "another thread", but compiled in this process
    assert time.monotonic() - began < 5
    assert not second._kept


def test_a_kernel_in_the_cache_is_loaded_not_claimed(tmp_path, monkeypatch):
    from clusteratlas.core._columns import _by_column as kernel

    monkeypatch.setattr(_jit, "_warm", lambda k: True)
    claims = _claims_in(tmp_path)
    monkeypatch.setattr(_jit, "_CLAIMS", claims)
    with _jit.compiling():
        assert _jit.pick(kernel, np.zeros(1)) is kernel
    assert _jit.pick(kernel, np.zeros(_jit.SMALL + 1)) is kernel
    assert not list(tmp_path.iterdir())  # nothing claimed


@pytest.mark.parametrize("where", ["configured", "in_tree"])
def test_the_cache_is_looked_for_where_numba_keeps_it(tmp_path, monkeypatch, where):
    """Without importing numba: the folder numba's own locator gives the kernels."""
    if where == "configured":
        monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    else:
        monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr("numba.config.CACHE_DIR", os.environ.get("NUMBA_CACHE_DIR", ""))
    from numba.core.caching import FunctionCache

    kernel = pipeline_kernels()[0]
    expected = FunctionCache(kernel.py_func)._cache_path
    source = os.path.dirname(os.path.abspath(kernel.py_func.__code__.co_filename))
    assert compile_ahead._cache_folder(source, dict(os.environ)) == expected


def test_an_unknown_cache_counts_as_filled(tmp_path, monkeypatch):
    """Where the folder cannot be told, the command asks numba later instead of
    starting a second process that may have nothing to do."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    assert cache_is_empty(PIPELINE_KERNELS, dict(os.environ))
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".numba_config.yaml").write_text("cache_dir: elsewhere\n")
    assert not cache_is_empty(PIPELINE_KERNELS, dict(os.environ))
    (tmp_path / ".numba_config.yaml").unlink()
    assert not cache_is_empty(PIPELINE_KERNELS, {**os.environ, "NUMBA_DISABLE_JIT": "1"})


def test_the_second_process_ends_with_the_command(tmp_path):
    """A command that ends (or is killed) first takes the second process with it, and
    its claims' folder goes too."""
    code = ("import os, sys; from clusteratlas.service.compile_ahead import CompileAhead; "
            "a = CompileAhead(); a.start(cold=True); "
            "print(a._process.pid, a._folder, flush=True); os._exit(0)")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    pid, folder = done.stdout.split()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.05)
    if sys.platform.startswith("linux"):
        assert not os.path.exists(f"/proc/{pid}")
    assert not os.path.exists(folder)


@pytest.mark.parametrize("ending", ["at_once", "interpreter"])
def test_the_claims_folder_goes_when_the_command_ends(tmp_path, ending):
    """The folder goes with the command itself, not only with whichever process outlives
    the other: a second process that ends just as the command does (here: one that
    never removes it) would otherwise leave it behind, for the reaper thread dies with
    a command that ends at once (cli/main.py: run) or with the interpreter."""
    fake = ("import os, sys, time; parent = int(sys.argv[2])\n"
            "while os.getppid() == parent: time.sleep(0.01)")
    code = ("import sys\n"
            "from clusteratlas.cli import main\n"
            "from clusteratlas.cli.process import PROCESS\n"
            "from clusteratlas.service.compile_ahead import CompileAhead\n"
            "def command():\n"
            f"    a = CompileAhead({fake!r}); assert a.start(cold=True)\n"
            "    print(a._folder, flush=True)\n"
            f"    PROCESS.done_at_once = {ending == 'at_once'}\n"
            "    return 0\n"
            "main.main = command\n"
            "main.run()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    folder = done.stdout.strip()
    assert folder.startswith(str(tmp_path))
    assert not os.path.exists(folder)  # at once: nobody else is left to remove it


def test_no_second_process_where_the_kernels_are_cached(no_claims):
    ahead = CompileAhead("raise SystemExit(3)")
    assert ahead.start(cold=False) is False
    ahead.wait(timeout=5)  # returns at once: nothing to wait for
    assert ahead._process is None
    assert _jit.claims() is None


def test_a_failing_second_process_only_costs_its_claims(no_claims):
    """Whatever happens to it, the pipeline goes on and compiles what it needs."""
    ahead = CompileAhead("raise SystemExit(3)")
    assert ahead.start(cold=True) is True
    assert _jit.claims() is not None
    ahead.wait(timeout=60)
    assert ahead._process.returncode == 3
    # its claims' folder goes with it, without this process stopping anything
    deadline = time.monotonic() + 30
    while os.path.exists(ahead._folder) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(ahead._folder)
    ahead.stop()
    assert _jit.claims() is None
    assert not os.path.exists(ahead._folder)


def test_a_second_process_that_hangs_is_ended_in_time(no_claims):
    ahead = CompileAhead("import time; time.sleep(120)")
    ahead.start(cold=True)
    began = time.monotonic()
    ahead.wait(timeout=1.0)
    assert time.monotonic() - began < 30
    assert ahead._process.returncode is not None  # ended, not left running


def test_a_command_that_fails_first_starts_no_second_process(no_claims):
    ahead = CompileAhead("import time; time.sleep(120)")
    ahead.stop()
    assert ahead.start(cold=True) is False
    assert ahead._process is None


def test_the_early_start_is_handed_to_the_command(tmp_path, monkeypatch, no_claims):
    """The console script starts it before the command line is parsed; ``map_file``
    takes that one instead of starting another."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "cache"))
    small, big = tmp_path / "small.parquet", tmp_path / "big.parquet"
    pq.write_table(pa.table({"x": np.zeros(10)}), small)
    pq.write_table(pa.table({"x": np.zeros(_jit.SMALL + 1)}), big)
    monkeypatch.setattr(compile_ahead, "_CODE", "import time; time.sleep(60)")
    assert compile_ahead.start_early(small) is False  # small: its kernels run as Python
    assert compile_ahead.start_early(big) is True
    early = compile_ahead.compiling_ahead()
    assert early.started
    assert not compile_ahead.compiling_ahead().started  # handed over once
    early.stop()


def test_the_second_process_is_reaped_as_it_ends(no_claims):
    """No zombie, and its CPU time counts as the command's children's."""
    ahead = CompileAhead("pass")
    assert ahead.start(cold=True)
    deadline = time.monotonic() + 60
    while ahead._process.returncode is None and time.monotonic() < deadline:
        time.sleep(0.05)  # nobody here waits for it: the reaper thread does
    assert ahead._process.returncode == 0
    ahead.stop()
