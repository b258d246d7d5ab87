"""Start-up stays light: help and version load none of the heavy libraries (issue 17.1;
the timings are in bench/cli.py and docs/benchmarks.md)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEAVY = ("duckdb", "pandas", "numba", "numpy", "pyarrow", "matplotlib", "reportlab", "fastapi",
         "starlette", "uvicorn", "sqlalchemy", "ibis", "scipy", "rich")

PROBE = textwrap.dedent("""
    import contextlib, io, json, sys
    import typer
    from clusteratlas.cli.main import app, main

    paths = []
    def walk(command, path):
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    heavy = HEAVY_NAMES
    loaded = {}
    with contextlib.redirect_stdout(io.StringIO()):
        codes = {"--version": main(["--version"])}
        loaded["--version"] = [m for m in heavy if m in sys.modules]
        walk(typer.main.get_command(app), [])
        for path in paths:
            key = " ".join([*path, "--help"])
            codes[key] = main([*path, "--help"])
            loaded[key] = [m for m in heavy if m in sys.modules]
    print(json.dumps({"codes": codes, "loaded": loaded}))
""")


def test_help_and_version_import_no_heavy_library():
    proc = subprocess.run([sys.executable, "-c", PROBE.replace("HEAVY_NAMES", repr(HEAVY))],
                          capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert len(result["codes"]) > 25  # every command was asked
    assert set(result["codes"].values()) == {0}
    assert {key: mods for key, mods in result["loaded"].items() if mods} == {}


def test_import_clusteratlas_is_light_and_re_exports_lazily():
    probe = ("import sys, clusteratlas; before = 'clusteratlas.model.panel' in sys.modules; "
             "panel = clusteratlas.Panel; print(before, 'clusteratlas.model.panel' in "
             "sys.modules, panel.__module__, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=True).stdout.split()
    # the panel model itself needs no pandas either (only Panel.frame and from_frame)
    assert out == ["False", "True", "clusteratlas.model.panel", "False"]


def test_brief_over_a_stored_indicator_table_loads_no_numba_scipy_or_alembic(demo_dir, tmp_path):
    """``brief`` needs matplotlib, ReportLab, DuckDB and pandas; the mapping kernels
    (numba), SciPy and the migration tool are only for what the stored table and an
    up-to-date registry make unnecessary (issue 17.1)."""
    import shutil

    from clusteratlas.service.atlas import open_atlas
    from clusteratlas.store.datadir import DataDir

    data = tmp_path / "data"
    shutil.copytree(demo_dir.path, data)
    open_atlas(DataDir(data))  # stores the indicator table, as any first command does
    probe = ("import json, sys\nfrom clusteratlas.cli.main import main\n"
             f"code = main(['brief', 'district', '08435', '--out', {str(tmp_path / 'b.pdf')!r}, "
             f"'--data-dir', {str(data)!r}])\n"
             "print(json.dumps([code, [m for m in ('numba', 'scipy', 'alembic') "
             "if m in sys.modules]]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=300, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [0, []]
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")


def test_map_as_a_console_script_ends_at_once_with_its_files_complete(tmp_path):
    """``map`` ends the process without tearing down the interpreter (cli/main.py:
    run, issue 17.2): its message is flushed, its exit code kept and every file it
    wrote is whole; a failing ``map`` exits as any command does."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    panel = tmp_path / "p.parquet"
    pq.write_table(pa.table({"region": ["A", "A", "B", "B"], "industry": ["x", "y", "x", "y"],
                             "year": [2020] * 4, "employment": [5.0, 6.0, 7.0, 9.0]}), panel)
    out = tmp_path / "o.parquet"
    done = subprocess.run([sys.executable, "-m", "clusteratlas", "map", str(panel), "--out",
                           str(out), "--min-employment", "0"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Mapped 2 regions × 2 categories (4 cells)")
    assert pq.read_table(out).num_rows == 4
    assert pq.read_table(tmp_path / "o.regions.parquet").num_rows == 2
    failed = subprocess.run([sys.executable, "-m", "clusteratlas", "map", str(tmp_path / "no.parquet"),
                             "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert failed.returncode == 2
    assert failed.stderr.count("\n") == 1


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or (os.cpu_count() or 1) < 2,
                    reason="counts threads in /proc/self/task, of a machine with 2+ cores")
def test_map_starts_no_openblas_thread_pools():
    """``map`` run as a console script keeps OpenBLAS (numpy's and SciPy's) from
    starting a spinning thread per core (cli/process.py: one_blas_thread); elsewhere the
    pools start as usual."""
    script = textwrap.dedent("""
        import os, sys
        from clusteratlas.cli.process import PROCESS, one_blas_thread
        PROCESS.one_command = sys.argv[1] == "map"
        one_blas_thread()
        import numpy, scipy.linalg
        print(len(os.listdir("/proc/self/task")))
    """)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}

    def threads(command: str) -> int:
        out = subprocess.run([sys.executable, "-c", script, command], capture_output=True,
                             text=True, env=env, check=True)
        return int(out.stdout.strip())

    assert threads("map") == 1
    assert threads("serve") > 1


def _huge_pages_on_request() -> bool:
    from clusteratlas.cli.process import _may_mark_huge_pages

    return _may_mark_huge_pages()


@pytest.mark.skipif(not _huge_pages_on_request(),
                    reason="needs Linux with transparent huge pages on request ([madvise]), "
                    "no address-space or data limit and no strict overcommit")
def test_maps_heap_is_marked_for_huge_pages_once():
    """A ``map`` process marks one range of its heap, as large as HUGE_HEAP, for
    transparent huge pages, once however often its settings are applied
    (cli/process.py: _heap_in_huge_pages), and an array numpy allocates afterwards
    lies in it; a process that is not the console script marks nothing of the kind."""
    script = textwrap.dedent("""
        import re, sys
        from clusteratlas.cli import process
        calls = []
        marking = process._heap_in_huge_pages
        process._heap_in_huge_pages = lambda libc: (calls.append(1), marking(libc))
        process.PROCESS.one_command = sys.argv[1] == "map"
        process.keep_freed_memory()
        process.keep_freed_memory()
        import numpy as np
        a = np.arange(50_000_000, dtype=np.float64)
        assert a[-1] == 49_999_999.0 and a.sum() == 49_999_999 * 50_000_000 / 2
        ranges, start = [], None
        for line in open("/proc/self/smaps"):
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", line)
            if m:
                start, end = int(m[1], 16), int(m[2], 16)
            elif line.startswith("VmFlags:") and " hg" in line \
                    and end - start >= process.HUGE_HEAP - (4 << 20):
                ranges.append((start, end))
        inside = any(s <= a.ctypes.data and a.ctypes.data + a.nbytes <= e for s, e in ranges)
        print(len(calls), len(ranges), inside)
    """)

    def marked(command: str) -> list[str]:
        out = subprocess.run([sys.executable, "-c", script, command], capture_output=True,
                             text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    assert marked("map") == ["1", "1", "True"]
    assert marked("serve") == ["0", "0", "False"]


def test_map_to_parquet_imports_neither_pandas_nor_scipys_linear_algebra(tmp_path):
    """``map`` as a console script (cli/launch.py) reads, computes and writes Parquet
    without pandas, and starts numba without SciPy's BLAS probe (cli/process.py:
    skip_numba_blas_probe): two thirds of a second of its start on the benchmark panel
    (issue 17.2).  SciPy's linear algebra still imports afterwards."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    panel = tmp_path / "p.parquet"
    pq.write_table(pa.table({"region": pa.array([1, 1, 2, 2], pa.int32()),
                             "industry": pa.array([7, 8, 7, 8], pa.int32()),
                             "year": pa.array([2020] * 4, pa.int16()),
                             "employment": pa.array([5, 6, 7, 9], pa.int32())}), panel)
    out = tmp_path / "o.parquet"
    # cli/launch.py's run, up to its last step, which ends the process at once
    probe = textwrap.dedent(f"""
        import json, sys
        from clusteratlas.cli.process import PROCESS, prepare_map
        from clusteratlas.service.panel_reading import prefetch
        argv = ["map", {str(panel)!r}, "--out", {str(out)!r}, "--min-employment", "0"]
        PROCESS.one_command = True
        prepare_map()
        prefetch(argv)
        from clusteratlas.cli.main import main
        code = main(argv)
        loaded = [m for m in ("pandas", "scipy.linalg") if m in sys.modules]
        import scipy.linalg
        print(json.dumps([code, loaded, PROCESS.done_at_once]))
    """)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, [], True]
    assert pq.read_table(out).num_rows == 4
    regions = pq.read_table(tmp_path / "o.regions.parquet")
    assert b"pandas" in regions.schema.metadata  # as pandas would have written it
    assert regions.to_pandas()["region"].tolist() == ["1", "2"]


def test_only_numbas_blas_probe_is_kept_from_scipy():
    """The probe's import fails (cli/process.py: skip_numba_blas_probe); the same
    import anywhere else, e.g. on a thread while numba starts, works."""
    script = textwrap.dedent("""
        import json, sys
        from clusteratlas.cli.process import PROCESS, skip_numba_blas_probe
        PROCESS.one_command = True
        skip_numba_blas_probe()
        probe = {"__name__": "numba.np.arraymath"}
        exec("def _check_blas():\\n"
             "    try:\\n"
             "        import scipy.linalg.cython_blas\\n"
             "    except ImportError:\\n"
             "        return False\\n"
             "    return True\\n", probe)
        blocked = probe["_check_blas"]()
        import scipy.linalg
        print(json.dumps([blocked, float(scipy.linalg.det([[2.0, 0.0], [0.0, 3.0]]))]))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [False, 6.0]
