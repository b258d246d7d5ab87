"""Benchmark: from ``pip install .`` finished to the first page of a new data directory
(issue 17.4).

A fresh virtual environment is created once (``python -m venv`` and ``pip install`` of
this checkout, not timed; kept under ``--venv`` for the next run, ``--reinstall`` puts
the current code into it).  Each round then starts the installed ``clusteratlas serve``
on an empty data directory, with an empty numba cache (``NUMBA_CACHE_DIR``, as right
after the install: the kernels compile in that round) and polls ``GET /`` on the
loopback interface until it answers 200.  The time from the start of the command to
that answer includes the interpreter's start, the imports, building the demo
(statistics and registry), mapping it, starting the worker processes and rendering
the page.  The median of ``--runs`` rounds goes to ``docs/benchmarks.md``.

    python bench/first_page.py [--venv /tmp/ca-firstpage-venv] [--reinstall] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from _docs import update_section

ROOT = Path(__file__).resolve().parents[1]


def ensure_venv(venv: Path, reinstall: bool) -> Path:
    """The venv's ``clusteratlas`` command (created and installed when missing)."""
    exe = venv / "bin" / "clusteratlas"
    if not exe.exists():
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(ROOT)], check=True)
    elif reinstall:
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps",
                        "--force-reinstall", str(ROOT)], check=True)
    return exe


def one_round(exe: Path, work: Path) -> dict[str, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data, cache = work / "data", work / "numba-cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLUSTERATLAS_", "PYTHON"))}
    env["NUMBA_CACHE_DIR"] = str(cache)
    start = time.perf_counter()
    server = subprocess.Popen([str(exe), "serve", "--data-dir", str(data), "--port", str(port)],
                              env=env, cwd=work, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    marks: dict[str, float] = {}
    try:
        assert server.stdout is not None
        for line in server.stdout:  # the command's own lines, as they come
            if "Built the demo" in line:
                marks["demo built"] = time.perf_counter() - start
            if "running at" in line:
                marks["listening"] = time.perf_counter() - start
                break
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as r:
                    if r.status == 200 and b'data-region="' in r.read():
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not answer")
            time.sleep(0.05)
        marks["first page"] = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    return marks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venv", default="/tmp/ca-firstpage-venv")
    ap.add_argument("--reinstall", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args()
    exe = ensure_venv(Path(args.venv), args.reinstall)
    load = os.getloadavg()
    rounds = []
    for _ in range(args.runs):
        work = Path(tempfile.mkdtemp(prefix="clusteratlas-first-"))
        try:
            rounds.append(one_round(exe, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        print(rounds[-1])
    after = os.getloadavg()
    med = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    each = ", ".join(f"{r['first page']:.1f}" for r in rounds)
    if args.no_docs:
        return
    update_section("first-page", f"""
## First page of a new data directory (`bench/first_page.py`)

{time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores (load average
{load[0]:.1f} before, {after[0]:.1f} after; a shared machine), Python
{platform.python_version()}, a fresh virtual environment with `pip install .` of this
checkout.  From starting `clusteratlas serve --data-dir EMPTY` (default workers) with an
empty numba cache, as right after the install, to `GET /` answering 200 with the map;
median of {len(rounds)} rounds (each: {each} s):

| step (from the start of the command) | median |
|---|---:|
| demo built (statistics and registry) | {med.get('demo built', float('nan')):.1f} s |
| listening (the atlas mapped and stored) | {med['listening']:.1f} s |
| **first page answered** | **{med['first page']:.1f} s** |

Target: under 15 s — **{"met" if med['first page'] < 15 else "not met"}**.
""")


if __name__ == "__main__":
    main()
