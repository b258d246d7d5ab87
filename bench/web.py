"""Benchmark: response times of the web atlas's pages under a few concurrent clients.

Starts `clusteratlas serve` on a fresh data directory (the demo is built first, not
timed), warms every page once, then sends 500 requests spread over the main pages from
4 concurrent clients and reports p50/p95 per page, with a static file as the baseline
measured in the same run.

    python bench/web.py [--requests 500] [--clients 4]
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

import httpx
import numpy as np
from _docs import update_section

PAGES = {
    "static file (baseline)": "/static/atlas.css",
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
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="clusteratlas-web-")
    env = {**os.environ, "CLUSTERATLAS_DATA_DIR": data}
    subprocess.run([sys.executable, "-m", "clusteratlas", "demo"], env=env, check=True,
                   capture_output=True)
    server = subprocess.Popen([sys.executable, "-m", "clusteratlas", "serve", "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/static/atlas.css", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        results = run(base, args.requests, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(json.dumps(results, indent=2))
    write_docs(results, args)


def run(base: str, n: int, clients: int) -> dict[str, dict[str, float]]:
    paths = list(PAGES.values())
    with httpx.Client(base_url=base, timeout=30) as warm:
        for p in paths:
            r = warm.get(p)
            assert r.status_code == 200, (p, r.status_code)
    jobs = [paths[i % len(paths)] for i in range(n)]
    times: dict[str, list[float]] = {p: [] for p in paths}

    def worker(chunk: list[str]) -> list[tuple[str, float]]:
        out = []
        with httpx.Client(base_url=base, timeout=30) as c:
            for p in chunk:
                t = time.perf_counter()
                r = c.get(p)
                out.append((p, time.perf_counter() - t))
                assert r.status_code == 200
        return out

    chunks = [jobs[i::clients] for i in range(clients)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for done in pool.map(worker, chunks):
            for p, s in done:
                times[p].append(s)
    total = time.perf_counter() - t0
    base_p50 = float(np.percentile(times[PAGES["static file (baseline)"]], 50))
    out = {}
    for name, p in PAGES.items():
        arr = np.array(times[p]) * 1000
        out[name] = {"n": len(arr), "p50_ms": float(np.percentile(arr, 50)),
                     "p95_ms": float(np.percentile(arr, 95)),
                     "p50_vs_static": float(np.percentile(arr, 50)) / (base_p50 * 1000)}
    out["_all"] = {"requests": n, "clients": clients, "seconds": total,
                   "per_second": n / total}
    return out


def write_docs(r: dict[str, dict[str, float]], args: argparse.Namespace) -> None:
    rows = [f"| {name} | {v['n']:.0f} | {v['p50_ms']:.0f} ms | {v['p95_ms']:.0f} ms | "
            f"{v['p50_vs_static']:.1f}× |" for name, v in r.items() if name != "_all"]
    worst = max(v["p95_ms"] for k, v in r.items() if k != "_all")
    a = r["_all"]
    update_section("web", f"""
## Web atlas (`bench/web.py`)

`clusteratlas serve` (uvicorn, one process) on the demo, {a['requests']:.0f} requests from
{a['clients']:.0f} concurrent clients after one warm-up request per page,
{time.strftime('%Y-%m-%d')}, 2 cores; {a['per_second']:.0f} requests/s overall:

| page | requests | p50 | p95 | p50 against the static file |
|---|---:|---:|---:|---:|
{chr(10).join(rows)}

Slowest p95: **{worst:.0f} ms** (target: under 250 ms for every page).
""")


if __name__ == "__main__":
    main()
