"""Benchmark: all 44 district briefings of the demo as PDF (and, in the same run, as
HTML for comparison), one process, after one warm-up briefing.

    python bench/briefings.py
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from _docs import update_section

from clusteratlas.registry.store import RegistryStore
from clusteratlas.reports import render_briefing
from clusteratlas.service.atlas import open_atlas
from clusteratlas.service.briefings import build
from clusteratlas.service.demo import build_demo
from clusteratlas.service.registry import RegistryService
from clusteratlas.store.datadir import DataDir


def main() -> None:
    # an empty cache folder: every briefing's charts are drawn, none read back from an
    # earlier run (clusteratlas.reports.charts keeps drawn charts there)
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="clusteratlas-brief-cache-")
    data = DataDir(Path(tempfile.mkdtemp(prefix="clusteratlas-brief-")))
    build_demo(data)
    atlas = open_atlas(data)
    registry = RegistryService(RegistryStore(data.registry_url))
    codes = [r.code for r in atlas.mapped_regions]
    render_briefing(build(atlas, registry, "district", codes[0]), "pdf")  # warm-up
    out = {}
    for fmt in ("pdf", "html"):
        times, sizes = [], []
        for code in codes:
            t = time.perf_counter()
            blob = render_briefing(build(atlas, registry, "district", code), fmt)
            times.append(time.perf_counter() - t)
            sizes.append(len(blob))
        out[fmt] = {"n": len(codes), "total_s": sum(times), "mean_s": sum(times) / len(codes),
                    "max_s": max(times), "mean_kb": sum(sizes) / len(sizes) / 1024}
    registry.store.close()
    print(json.dumps(out, indent=2))
    p, h = out["pdf"], out["html"]
    update_section("briefings", f"""
## District briefings (`bench/briefings.py`)

All {p['n']:.0f} district briefings of the demo (German), one after the other in one process
after one warm-up, {time.strftime('%Y-%m-%d')}, 2 cores, every chart drawn (an empty cache
folder; a briefing printed again reads its charts back):

| format | all 44 | per briefing (mean) | slowest | mean size |
|---|---:|---:|---:|---:|
| PDF | {p['total_s']:.1f} s | **{p['mean_s']:.2f} s** | {p['max_s']:.2f} s | {p['mean_kb']:.0f} KB |
| HTML (same content) | {h['total_s']:.1f} s | {h['mean_s']:.2f} s | {h['max_s']:.2f} s | {h['mean_kb']:.0f} KB |

Target: under 2 seconds per briefing.
""")


if __name__ == "__main__":
    main()
