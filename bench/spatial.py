"""Benchmark: the first LISA / Gi* in a fresh process on the demo (target < 3 s).

Builds the demo once, then starts new Python processes that open the atlas and time
only the first `maps.autocorrelation` call (999 conditional permutations), and the
whole process as well.  Results go to ``docs/benchmarks.md``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _docs import update_section

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from clusteratlas.service.atlas import open_atlas
from clusteratlas.service.maps import autocorrelation
from clusteratlas.store.datadir import DataDir
atlas = open_atlas(DataDir(Path(sys.argv[1])))
t1 = time.perf_counter()
res = autocorrelation(atlas, category="automotive", permutations=999)
t2 = time.perf_counter()
print(json.dumps({"open": t1 - t0, "first_lisa": t2 - t1, "moran": res["moran"]["i"]}))
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "clusteratlas", "demo", "--data-dir", tmp],
                       check=True, capture_output=True)
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", PROBE, tmp], check=True,
                                 capture_output=True, text=True)
            total = time.perf_counter() - t
            runs.append(json.loads(out.stdout) | {"process": total})
    first = statistics.median(r["first_lisa"] for r in runs)
    proc = statistics.median(r["process"] for r in runs)
    print(json.dumps({"first_lisa_s": first, "process_s": proc, "runs": runs}, indent=2))
    start, end = "<!-- spatial:start -->", "<!-- spatial:end -->"
    block = f"""{start}
## First spatial statistic in a fresh process (`bench/spatial.py`)

Demo atlas (44 districts), Moran's I + local Moran + Getis-Ord Gi* with 999 conditional
permutations and FDR, in a new Python process each time (median of 5,
{time.strftime('%Y-%m-%d')}): **first call {first:.2f} s** (target < 3 s; no numba
compilation involved), whole process including imports and reading the store
{proc:.2f} s.
{end}"""
    update_section("spatial", block[len(start):-len(end)])


if __name__ == "__main__":
    main()
