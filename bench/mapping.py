"""Benchmark: the full `clusteratlas map` against a pandas baseline, as whole processes.

A seeded synthetic panel of 3,000 regions × 1,000 industries × 10 years with 30 %
non-zero cells (≈ 9 million rows) goes from Parquet to Parquet: LQ, both shares,
5-year change, ECO stars, the strong-cluster rule, Hoover and locational Gini per
category-year.  Timed in the same run: the pandas baseline (``_pandas_mapping.py``),
``clusteratlas map`` on DuckDB (first run, which may compile the numba kernels, then
three warm runs) and on Spark local mode.  Results go to ``docs/benchmarks.md``.

    python bench/mapping.py [--quick] [--no-spark]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from _docs import update_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def make_panel(path: Path, n_regions: int, n_industries: int, n_years: int, seed: int = 42) -> int:
    rng = np.random.default_rng(seed)
    cells = np.flatnonzero(rng.random(n_regions * n_industries) < 0.3)
    r, i = np.divmod(cells, n_industries)
    size = rng.lognormal(3, 1.5, len(cells))
    years = np.arange(2015, 2015 + n_years)
    rr, ii = np.repeat(r, n_years), np.repeat(i, n_years)
    emp = np.round(np.repeat(size, n_years) * np.exp(rng.normal(0, 0.05, len(rr)))) + 1
    regions = np.array([f"R{k:04d}" for k in range(n_regions)])
    industries = np.array([f"I{k:04d}" for k in range(n_industries)])
    table = pa.table({
        "region": pa.array(regions[rr]).dictionary_encode(),
        "industry": pa.array(industries[ii]).dictionary_encode(),
        "year": pa.array(np.tile(years, len(cells)).astype(np.int32)),
        "employment": emp,
        "establishments": np.maximum(1, np.round(emp / 15)),
    })
    pq.write_table(table, path)
    return table.num_rows


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MB) of one process."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M", *cmd], capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
    seconds, kb = out.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kb) / 1024


def agree(a: Path, b: Path, columns: list[str]) -> float:
    """Largest relative difference between two outputs over ``columns``."""
    key = ["region", "category", "year"]
    fa = pd.read_parquet(a).astype({"region": str, "category": str})
    fb = pd.read_parquet(b).astype({"region": str, "category": str})
    if "industry" in fb.columns:
        fb = fb.rename(columns={"industry": "category"})
    m = fa.merge(fb, on=key, suffixes=("_a", "_b"))
    if len(m) != len(fa):
        raise SystemExit(f"{a} and {b} hold different cells ({len(fa)} vs {len(m)} matched)")
    worst = 0.0
    for col in columns:
        x, y = m[f"{col}_a"].to_numpy(float), m[f"{col}_b"].to_numpy(float)
        both = ~(np.isnan(x) & np.isnan(y))
        diff = np.abs(x[both] - y[both]) / np.maximum(np.abs(y[both]), 1e-300)
        worst = max(worst, float(np.nanmax(diff)) if diff.size else 0.0)
    return worst


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="300 × 100 × 10 instead")
    ap.add_argument("--no-spark", action="store_true")
    args = ap.parse_args()
    shape = (300, 100, 10) if args.quick else (3000, 1000, 10)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        # a fresh numba cache, so that the first run really compiles the kernels
        env = {"NUMBA_CACHE_DIR": str(d / "numba-cache")}
        panel = d / "panel.parquet"
        rows = make_panel(panel, *shape)
        cli = [sys.executable, "-m", "clusteratlas", "map", str(panel)]
        first = timed([*cli, "--out", str(d / "first.parquet")], env)
        warm = [timed([*cli, "--out", str(d / "ours.parquet")], env) for _ in range(3)]
        base = timed([sys.executable, str(HERE / "_pandas_mapping.py"), str(panel),
                      str(d / "pandas.parquet")], env)
        cols = ["lq", "share_of_region", "share_of_category", "employment_change", "cagr",
                "lq_change", "stars", "strong"]
        vs_pandas = agree(d / "ours.parquet", d / "pandas.parquet", cols)
        spark = None
        if not args.no_spark:
            spark_time = timed([*cli, "--engine", "spark", "--out", str(d / "spark.parquet")], env)
            spark = (spark_time, agree(d / "ours.parquet", d / "spark.parquet", cols))
    ours = statistics.median(t for t, _ in warm)
    mem = max(m for _, m in warm)
    result = {
        "shape": shape, "rows": rows, "pandas_s": base[0], "pandas_mb": base[1],
        "ours_first_s": first[0], "ours_s": ours, "ours_mb": mem,
        "speedup": base[0] / ours, "max_rel_diff_vs_pandas": vs_pandas,
        "spark_s": spark[0][0] if spark else None, "spark_mb": spark[0][1] if spark else None,
        "max_rel_diff_spark": spark[1] if spark else None,
    }
    print(json.dumps(result, indent=2))
    if not args.quick:
        write_docs(result)


def write_docs(r: dict[str, object]) -> None:
    start, end = "<!-- mapping:start -->", "<!-- mapping:end -->"
    spark = (f"| `clusteratlas map --engine spark` (local mode) | {r['spark_s']:.1f} s | "
             f"{r['spark_mb']:,.0f} MB | agrees to {r['max_rel_diff_spark']:.1e} |"
             if r["spark_s"] is not None else "| Spark | not run | | |")
    block = f"""{start}
## Cluster mapping (`bench/mapping.py`)

{r['rows']:,} rows ({r['shape'][0]:,} regions × {r['shape'][1]:,} industries × {r['shape'][2]} years,
30 % non-zero), Parquet to Parquet, each a whole process on this 2-core machine
(`{time.strftime('%Y-%m-%d')}`), in the same run:

| what | wall time | peak memory | result |
|---|---:|---:|---|
| pandas baseline (`bench/_pandas_mapping.py`) | {r['pandas_s']:.1f} s | {r['pandas_mb']:,.0f} MB | reference |
| `clusteratlas map` (DuckDB engine), median of 3 | {r['ours_s']:.1f} s | {r['ours_mb']:,.0f} MB \
| agrees to {r['max_rel_diff_vs_pandas']:.1e} |
| `clusteratlas map`, first run on a fresh install (numba compiles and caches) | {r['ours_first_s']:.1f} s | | |
{spark}

**Speed-up over pandas: {r['speedup']:.1f}×** (target ≥ 4×), peak memory
{r['ours_mb']:,.0f} MB (target < 4 GB).
{end}"""
    update_section("mapping", block[len(start):-len(end)])


if __name__ == "__main__":
    main()
