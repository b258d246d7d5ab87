"""Benchmark: start-up of the command line against the imports it is measured by (issue 17.1).

Every case runs in a fresh interpreter, the cases interleaved round by round (so that a
busy machine slows all of them alike), and the median of the rounds is reported:

- ``python -c "import pandas"``, the anchor of ``--help``, ``--version`` and every
  command's ``--help`` (target: no slower);
- ``python -c "import matplotlib, reportlab, duckdb, pandas"``, the anchor of
  ``brief district 08435 --out X.pdf`` on a demo data directory built once (target: within
  2×).

The command line runs as ``python -m clusteratlas`` (what the console script runs).

    python bench/cli.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _docs import update_section

CLI = [sys.executable, "-m", "clusteratlas"]
PANDAS = [sys.executable, "-c", "import pandas"]
LIBS = [sys.executable, "-c", "import matplotlib, reportlab, duckdb, pandas"]


def help_paths() -> list[list[str]]:
    """Every command path of the app: ``[], ["serve"], ["import"], ["import", "cbp"], …``."""
    import typer

    from clusteratlas.cli.main import app

    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        found.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


# Where the time of ``brief`` goes: the command's steps one by one in a fresh interpreter.
STAGES = """
import json, sys, time
times, last = {}, time.perf_counter()
def lap(name):
    global last
    now = time.perf_counter(); times[name] = now - last; last = now
import matplotlib, reportlab, duckdb, pandas; lap("import matplotlib, reportlab, duckdb, pandas")
from clusteratlas.cli.main import app; lap("import the command line")
from clusteratlas._config import load_settings
from clusteratlas.reports import render_briefing
from clusteratlas.service.briefings import build
from clusteratlas.service.registry_reads import reading_registry
from clusteratlas.service.setup import ready_atlas
import gc; gc.freeze()  # as the command does (clusteratlas.cli.app.settle)
lap("import setup, atlas, briefings, reports")
directory = load_settings(data_dir=sys.argv[1]).directory()
atlas = ready_atlas(directory); lap("open the atlas (ready_atlas)")
def service():
    from clusteratlas.service.registry import open_registry
    return open_registry(directory, atlas=atlas)
with reading_registry(directory.registry_url, service) as registry:
    lap("open the registry (plain reads)")
    briefing = build(atlas, registry, "district", "08435", lang="de"); lap("build")
    render_briefing(briefing, "pdf"); lap("render the PDF")
print(json.dumps(times))
"""


# Every call runs as an installed package does: with its modules' bytecode, which pip
# compiles at install (a checkout run with PYTHONDONTWRITEBYTECODE would compile the
# package's source in every call, a fifth of a second of ``brief``).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=ENV)
    return time.perf_counter() - start


def compile_package() -> None:
    """The package's bytecode, as ``pip install`` leaves it (``compileall``)."""
    import compileall

    import clusteratlas

    compileall.compile_dir(Path(clusteratlas.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds (at least 5 for the doc)")
    runs = parser.parse_args().runs
    work = Path(tempfile.mkdtemp(prefix="clusteratlas-cli-bench-"))
    # an empty cache folder (drawn charts, hyphenation patterns): the first round's
    # ``brief`` is a first call on this machine, the later ones find what it kept
    ENV["XDG_CACHE_HOME"] = str(work / "cache")
    compile_package()
    subprocess.run([*CLI, "demo", "--data-dir", str(work / "data")], check=True,
                   stdout=subprocess.DEVNULL, env=ENV)
    cases: dict[str, list[str]] = {
        "python -c 'import pandas'": PANDAS,
        "clusteratlas --version": [*CLI, "--version"],
    }
    for path in help_paths():
        cases[" ".join(["clusteratlas", *path, "--help"])] = [*CLI, *path, "--help"]
    cases["python -c 'import matplotlib, reportlab, duckdb, pandas'"] = LIBS
    brief = "clusteratlas brief district 08435 --out X.pdf"
    cases[brief] = [*CLI, "brief", "district", "08435", "--out", str(work / "x.pdf"),
                    "--data-dir", str(work / "data")]
    load = os.getloadavg()[0]
    times: dict[str, list[float]] = {name: [] for name in cases}
    stages: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, command in cases.items():
            times[name].append(seconds(command))
        out = subprocess.run([sys.executable, "-c", STAGES, str(work / "data")], check=True,
                             capture_output=True, text=True, env=ENV).stdout
        for name, value in json.loads(out.splitlines()[-1]).items():
            stages.setdefault(name, []).append(value)
    median = {name: statistics.median(values) for name, values in times.items()}
    stage_rows = "\n".join(f"| {name} | {statistics.median(values):.2f} s |"
                            for name, values in stages.items())
    print(json.dumps(median, indent=1))

    pandas_s = median["python -c 'import pandas'"]
    libs_s = median["python -c 'import matplotlib, reportlab, duckdb, pandas'"]
    starts = {k: v for k, v in median.items() if k.endswith(("--help", "--version"))}
    slowest = max(starts, key=lambda k: starts[k])
    slow_s = starts[slowest]
    rows = [f"| `{name}` | {value:.2f} s | {value / pandas_s:.2f}× |"
            for name, value in starts.items() if name.count(" ") <= 2]
    helps_ok = max(starts.values()) <= pandas_s
    update_section("cli", f"""
## Command-line start-up (`bench/cli.py`)

Fresh interpreter per call, median of {runs} interleaved rounds, {time.strftime('%Y-%m-%d')},
{platform.machine()}, {os.cpu_count()} cores (load average {load:.1f} at the start),
Python {platform.python_version()}.

| command | median | against `import pandas` |
|---|---:|---:|
| `python -c "import pandas"` | {pandas_s:.2f} s | 1.00× |
{chr(10).join(rows)}
| slowest of all {len(starts)} help and version calls (`{slowest}`) | {slow_s:.2f} s | **{slow_s / pandas_s:.2f}×** |

Target: every `--help` and `--version` no slower than `import pandas` — **{"met" if helps_ok else "not met"}**.
None of them imports pandas, numpy, DuckDB, numba, matplotlib, ReportLab or FastAPI
(`tests/cli/test_startup.py`): help is plain Click formatting over Typer, every command
imports its service modules inside its body, and `clusteratlas` re-exports its model
classes lazily.

| command | median | against the libraries it needs |
|---|---:|---:|
| `python -c "import matplotlib, reportlab, duckdb, pandas"` | {libs_s:.2f} s | 1.00× |
| `{brief}` (demo data) | {median[brief]:.2f} s | **{median[brief] / libs_s:.2f}×** |
| the same, first call (round 1: empty cache folder) | {times[brief][0]:.2f} s | {times[brief][0] / libs_s:.2f}× |

Target: `brief` within 2× of those imports — **{"met" if median[brief] <= 2 * libs_s else "not met"}**.
A first call draws the charts with matplotlib and parses the hyphenation dictionary;
both are kept in the user's cache folder (`$XDG_CACHE_HOME/clusteratlas`, here an
empty one made for the run), under hashes of everything that decides them, so that
later calls read the pictures and only the patterns of the words they break.  The
indicators and the product space come from the data directory's stored tables, the
initiatives and KPI reports from the SQLite registry through plain SQL (no SQLAlchemy)
when it is at the newest schema, and the command keeps what it imported out of the
garbage collector's way (`gc.freeze`); the PDF shows the same pages (its text and its
charts' pixels unchanged).
Where its time goes (its steps one by one in a fresh interpreter, once in each round,
median of {runs}; the steps leave out the interpreter's own start and the writing of the file):

| step | median |
|---|---:|
{stage_rows}
""")


if __name__ == "__main__":
    main()
