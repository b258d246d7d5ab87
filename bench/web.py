"""Benchmark: response times and sizes of the web atlas's pages, from the demo's 44
districts to all 400 German districts and all US counties on one map.

For each data set it builds a fresh data directory (not timed), starts
`clusteratlas serve`, warms every page once, then sends the requests spread over the
pages from 4 concurrent clients and reports p50/p95 per page and the time of each
page's first (uncached) request, with a static file as
the baseline measured in the same run, and the bytes of each page:

* ``demo``: the synthetic Baden-Württemberg demo (``clusteratlas demo``);
* ``DG``: the real regionalstatistik.de exports 13111-07-05-4 (2015–2018) and the BKG
  VG5000 districts from ``../shared/data``, imported into an empty data directory;
* ``US``: the us-atlas counties (TopoJSON) and a County Business Patterns file in the
  Census layout for every state, written by ``tools/make_cbp_fixture.py`` (seeded).

    python bench/web.py [--scopes demo,DG,US] [--requests 500] [--clients 4]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
from _docs import machine_line, update_section

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CLUSTERATLAS_SHARED", ROOT.parent / "shared")) / "data"
BASELINE = "static file (baseline)"

PAGES = {
    "demo": {
        BASELINE: "/static/atlas.css",
        "map": "/?category=automotive",
        "map, coverage layer": "/?category=fastening_technology&indicator=coverage",
        "district page": "/regions/08126",
        "category page": "/categories/aerospace",
        "compare": "/compare?regions=08111,08212,08126,08435,08221",
        "initiatives": "/initiatives",
        "initiative page": "/initiatives/cyberforum",
        "search": "/search?q=lago",
        "API: map": "/api/map?category=aerospace",
        "API: district": "/api/regions/08435",
    },
    "DG": {
        BASELINE: "/static/atlas.css",
        "map, all of Germany": "/?scope=DG",
        "map, Bavaria": "/?scope=09",
        "district page (München)": "/regions/09162?scope=DG",
        "compare": "/compare?regions=09162,08111,05315,06412,02000",
        "search": "/search?q=m%C3%BCnchen",
        "API: map, all of Germany": "/api/map?scope=DG",
        "API: regions, all of Germany": "/api/regions?scope=DG",
        "API: district": "/api/regions/09162",
    },
    "US": {
        BASELINE: "/static/atlas.css",
        "map, all US counties": "/?scope=US&category=23",
        "map, Colorado": "/?scope=US-08&category=23",
        "county page (Denver)": "/regions/US-08031",
        "category page": "/categories/23",
        "search": "/search?q=denver",
        "API: map, all US counties": "/api/map?scope=US&category=23",
        "API: county": "/api/regions/US-08031",
    },
}
#: the pages whose bytes (HTML with the inline SVG map) must stay under 1 MB
SIZED = {"demo": "map", "DG": "map, all of Germany", "US": "map, all US counties"}


def _cli(env: dict[str, str], *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "clusteratlas", *args], env=env,
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"clusteratlas {' '.join(args)}: {proc.stderr.strip()}")


def build(scope: str, data: str, env: dict[str, str]) -> str:
    """Fill the data directory for one scope; returns what it holds, in words."""
    if scope == "demo":
        _cli(env, "demo")
        return "the synthetic demo (44 districts)"
    if scope == "DG":
        tables = SHARED / "de_genesis" / "tabellen_csv_regionalstatistik"
        files = [str(tables / f"13111-07-05-4_{y}.csv") for y in range(2015, 2019)]
        _cli(env, "import", "genesis-table", *files)
        _cli(env, "import", "boundaries",
             str(SHARED / "de_boundaries" / "vg5000_2021_krs" / "VG5000_KRS.shp"))
        return "13111-07-05-4 (2015–2018) and VG5000, all 400 German districts"
    sys.path.insert(0, str(ROOT / "tools"))
    from make_cbp_fixture import write  # the seeded CBP-layout generator

    states = sorted({f[:2] for f in _us_counties()})
    cbp = Path(data) / "cbp18co.txt"
    rows = write(cbp, states, seed=2018)
    _cli(env, "import", "cbp", str(cbp))
    _cli(env, "import", "boundaries", str(SHARED / "us" / "us-atlas" / "counties-10m.json"))
    return (f"us-atlas counties and a CBP-layout file of {rows:,} rows for all "
            f"{len(states) - 1} states and DC")


def _us_counties() -> list[str]:
    import csv

    with (ROOT / "src" / "clusteratlas" / "data" / "regions" / "us_regions.csv").open() as fh:
        return [r["fips"] for r in csv.DictReader(fh) if len(r["fips"]) == 5]


def serve(scope: str, n: int, clients: int) -> dict[str, object]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix=f"clusteratlas-web-{scope}-")
    env = {**os.environ, "CLUSTERATLAS_DATA_DIR": data}
    what = build(scope, data, env)
    load = os.getloadavg()[0]  # a busy machine slows every page alike: see the ratios
    server = subprocess.Popen([sys.executable, "-m", "clusteratlas", "serve", "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base + "/static/atlas.css", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        pages = run(base, PAGES[scope], n, clients)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {"data": what, "pages": pages, "load": load}


def run(base: str, pages: dict[str, str], n: int, clients: int) -> dict[str, dict[str, float]]:
    paths = list(pages.values())
    size: dict[str, int] = {}
    cold: dict[str, list[float]] = {p: [] for p in paths}
    with httpx.Client(base_url=base, timeout=60) as warm:
        # the first request of each distinct URL (nothing kept for it yet), in German
        # and in English (a second URL with the same work), before the warm requests
        for variant in ("", "lang=en"):
            for p in paths:
                url = p + ("&" if "?" in p else "?") + variant if variant else p
                t = time.perf_counter()
                r = warm.get(url)
                cold[p].append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    raise SystemExit(f"{url}: status {r.status_code}")
                size.setdefault(p, len(r.content))
    jobs = [paths[i % len(paths)] for i in range(n)]
    times: dict[str, list[float]] = {p: [] for p in paths}

    def worker(chunk: list[str]) -> list[tuple[str, float]]:
        out = []
        with httpx.Client(base_url=base, timeout=60) as c:
            for p in chunk:
                t = time.perf_counter()
                r = c.get(p)
                out.append((p, time.perf_counter() - t))
                if r.status_code != 200:
                    raise SystemExit(f"{p}: status {r.status_code}")
        return out

    chunks = [jobs[i::clients] for i in range(clients)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for done in pool.map(worker, chunks):
            for p, s in done:
                times[p].append(s)
    total = time.perf_counter() - t0
    base_p50 = float(np.percentile(times[pages[BASELINE]], 50))
    out: dict[str, dict[str, float]] = {}
    for name, p in pages.items():
        arr = np.array(times[p]) * 1000
        out[name] = {"n": len(arr), "p50_ms": float(np.percentile(arr, 50)),
                     "p95_ms": float(np.percentile(arr, 95)),
                     "p50_vs_static": float(np.percentile(arr, 50)) / (base_p50 * 1000),
                     "first_ms": max(cold[p]), "first_de_ms": cold[p][0],
                     "first_en_ms": cold[p][1], "bytes": size[p]}
    out["_all"] = {"requests": n, "clients": clients, "seconds": total,
                   "per_second": n / total}
    return out




def write_docs(results: dict[str, dict[str, object]]) -> None:
    parts = []
    worst = worst_cold = 0.0
    for scope, res in results.items():
        pages: dict[str, dict[str, float]] = res["pages"]  # type: ignore[assignment]
        a = pages["_all"]
        rows = [f"| {name} | {v['first_de_ms']:.0f} ms / {v['first_en_ms']:.0f} ms | "
                f"{v['n']:.0f} | {v['p50_ms']:.0f} ms | {v['p95_ms']:.0f} ms | "
                f"{v['p50_vs_static']:.1f}× | {v['bytes'] / 1000:,.0f} kB |"
                for name, v in pages.items() if name != "_all"]
        worst = max(worst, *(v["p95_ms"] for k, v in pages.items() if k != "_all"))
        worst_cold = max(worst_cold, *(v["first_ms"] for k, v in pages.items() if k != "_all"))
        sized = pages[SIZED[scope]]["bytes"]
        parts.append(f"""
### {scope}: {res['data']}

{a['requests']:.0f} requests, {a['clients']:.0f} concurrent clients, {a['per_second']:.0f}
requests/s overall, load average {res['load']:.1f} at the start; the map page is
**{sized / 1e6:.2f} MB** (HTML with the inline SVG map; target: under 1 MB).

| page | first request (de / en) | warm requests | p50 | p95 | p50 against the static file | bytes |
|---|---:|---:|---:|---:|---:|---:|
{chr(10).join(rows)}
""")
    update_section("web", f"""
## Web atlas (`bench/web.py`)

`clusteratlas serve` (uvicorn, one process) on a fresh data directory per data set.
*First request*: the first request of each page's URL after start-up, nothing kept
for it yet (cold: computed, not replayed), and of the same URL with ``lang=en`` (a
second URL, the same work); *warm*: then the requests spread over the pages from
concurrent clients (public answers are kept per data state, `http/cache.py`);
{time.strftime('%Y-%m-%d')}, {machine_line()}.
{''.join(parts)}
Slowest p95 of the warm requests over all data sets: **{worst:.0f} ms**; slowest first
request: **{worst_cold:.0f} ms** (target: under 250 ms for every page).
""")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scopes", default="demo,DG,US")
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    results = {scope: serve(scope, args.requests, args.clients)
               for scope in args.scopes.split(",")}
    print(json.dumps(results, indent=2))
    write_docs(results)


if __name__ == "__main__":
    main()
