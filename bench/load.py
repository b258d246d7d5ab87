"""Benchmark: many users at once (issue 17.3).

Starts ``clusteratlas serve --workers N`` on a data directory (a fresh demo unless
``--data-dir`` names one, e.g. the all-Germany import), on the loopback interface only,
warms every URL once, then lets ``--clients`` concurrent clients run for ``--duration``
seconds: each one keep-alive HTTP/1.1 connection (a small asyncio client over raw
streams, :class:`Connection`, so that the cores go to the server rather than to the load
generator), one request after the other with no think time (a closed loop), over the
main pages and APIs in turn; every answer is read completely and its status checked.
The resident memory of the server (the supervisor and its workers together, from
``/proc``) is sampled every second.  Reports requests per
second, p50/p95/p99 overall and per URL, errors (anything but 200, and transport errors),
the memory at the start and the end, and the CPU time of the server and of the load
generator during the run; writes its section of ``docs/benchmarks.md``
(``--section`` names it, so that the demo and the all-Germany runs sit side by side).

Bounded: at most 600 s and 200 clients, 127.0.0.1 only.

    python bench/load.py [--clients 50] [--duration 60] [--workers N] [--data-dir DIR]
                         [--region 08435] [--section load-demo] [--no-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from _docs import machine_line, update_section

HOST = "127.0.0.1"


def urls(region: str, category: str, regions: list[str]) -> dict[str, str]:
    """The main pages and APIs, with codes that exist in the data directory."""
    compare = ",".join(regions[:5])
    return {
        "map": f"/?category={category}",
        "map, coverage layer": f"/?category={category}&indicator=coverage",
        "district page": f"/regions/{region}",
        "category page": f"/categories/{category}",
        "compare": f"/compare?regions={compare}",
        "initiatives": "/initiatives",
        "search": "/search?q=a",
        "API: map": f"/api/map?category={category}",
        "API: district": f"/api/regions/{region}",
        "API: regions": "/api/regions",
        "API: alignment": f"/api/alignment?category={category}",
        "API: portfolio": "/api/alignment/portfolio",
        "API: opportunities": f"/api/regions/{region}/opportunities",
        "static file": "/static/atlas.css",
    }


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants (MB)."""
    total = 0
    for p in family(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


def serving(pid: int, port: int) -> int:
    """Processes of the server (``pid`` and its children) holding its listening socket."""
    inode = next((f.split()[9] for f in Path("/proc/net/tcp").read_text().splitlines()[1:]
                  if f.split()[1].endswith(f":{port:04X}") and f.split()[3] == "0A"), None)
    n = 0
    for p in family(pid):
        with contextlib.suppress(OSError):
            n += any(str(fd.readlink()) == f"socket:[{inode}]"
                     for fd in Path(f"/proc/{p}/fd").iterdir())
    return n


class Connection:
    """One keep-alive HTTP/1.1 connection over asyncio streams: the lean client of the
    benchmark (a few lines per request, so that the two cores go to the server, not to
    the load generator).  Reads every answer completely (``Content-Length`` or chunked)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def get(self, path: str) -> tuple[int, int]:
        """``GET path``: the status and the number of body bytes read."""
        if self.writer is None:
            # a buffer that holds the largest answer: without it, a 1.4 MB answer pauses
            # and resumes the socket every 128 kB
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, limit=16 << 20)
        reader, writer = self.reader, self.writer
        assert reader is not None
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n"
                     .encode())
        status = int((await reader.readuntil(b"\r\n")).split(None, 2)[1])
        length, chunked, keep = -1, False, True
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                keep = b"close" not in value.lower()
        if chunked:
            length = 0
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                length += len(await reader.readexactly(size + 2)) - 2
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
        elif length >= 0:
            await reader.readexactly(length)
        else:  # the body ends with the connection
            length, keep = len(await reader.read()), False
        if not keep:
            await self.close()
        return status, length


def cpu_s(pid: int) -> float:
    """CPU time (user + system, s) of ``pid`` and all its descendants so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            continue
    return total


def family(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


async def load(port: int, paths: dict[str, str], clients: int, duration: float,
               pid: int) -> dict[str, object]:
    """``clients`` connections, each one request after the other (closed loop, no
    think time) over ``paths`` in turn, for ``duration`` seconds."""
    times: dict[str, list[float]] = {name: [] for name in paths}
    errors: dict[str, int] = {}
    memory: list[tuple[float, float]] = []
    names = list(paths)
    stop = time.monotonic() + duration

    async def one(i: int) -> None:
        conn = Connection(HOST, port)
        k = i  # each client starts at another URL and goes round them all
        while time.monotonic() < stop:
            name = names[k % len(names)]
            k += 1
            t0 = time.perf_counter()
            try:
                async with asyncio.timeout(30):
                    status, _ = await conn.get(paths[name])
                ok, why = status == 200, str(status)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    TimeoutError, ValueError, IndexError) as exc:
                ok, why = False, type(exc).__name__
                await conn.close()
            times[name].append(time.perf_counter() - t0)
            if not ok:
                errors[f"{name}: {why}"] = errors.get(f"{name}: {why}", 0) + 1
        await conn.close()

    async def sample() -> None:
        start = time.monotonic()
        while time.monotonic() < stop:
            memory.append((time.monotonic() - start, rss_mb(pid)))
            await asyncio.sleep(1.0)

    server_cpu, own = cpu_s(pid), resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    await asyncio.gather(sample(), *(one(i) for i in range(clients)))
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF)
    return {"times": times, "errors": errors, "memory": memory, "wall": wall,
            "server_cpu": cpu_s(pid) - server_cpu,
            "client_cpu": (after.ru_utime - own.ru_utime) + (after.ru_stime - own.ru_stime)}


def uvicorn_kind() -> str:
    """The event loop and HTTP parser uvicorn picks in the server (the same interpreter
    and environment as this script): uvloop and httptools where installed."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    parser = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn with {loop} and {parser}"


def ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q)) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=None, help="default: serve's (the cores)")
    ap.add_argument("--data-dir", help="an existing data directory (default: a fresh demo)")
    ap.add_argument("--region", default="08435")
    ap.add_argument("--section", default="load-demo")
    ap.add_argument("--title", default="the demo (44 districts of Baden-Württemberg)")
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args()
    if not (1 <= args.clients <= 200 and 1 <= args.duration <= 600):
        raise SystemExit("--clients 1–200 and --duration 1–600 s")
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    data = args.data_dir or tempfile.mkdtemp(prefix="clusteratlas-load-")
    cmd = [sys.executable, "-m", "clusteratlas", "serve", "--data-dir", data, "--host", HOST,
           "--port", str(port)]
    if args.workers:
        cmd += ["--workers", str(args.workers)]
    started = time.perf_counter()
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://{HOST}:{port}"
    try:
        with httpx.Client(base_url=base, timeout=60) as warm:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if warm.get("/static/atlas.css").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start:\n"
                                     + (server.stderr.read().decode() if server.stderr else ""))
                time.sleep(0.2)
            start_s = time.perf_counter() - started
            # every worker up (each holds the listening socket once its app started)
            wanted = args.workers or min(os.cpu_count() or 1, 8)
            while serving(server.pid, port) < wanted and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(2.0)  # the last one's start-up finished
            workers_s = time.perf_counter() - started
            listing = warm.get("/api/regions").json()
            codes = [r["code"] for r in listing.get("regions", listing.get("items", []))]
            cats = warm.get("/api/categories").json()
            category = next(iter(c["code"] for c in cats.get("categories", cats.get("items", []))))
            paths = urls(args.region if args.region in codes else codes[0], category, codes)
            for name, path in paths.items():  # each worker reads and caches on its own:
                for _ in range(8):             # several rounds reach every worker
                    r = warm.get(path)
                    if r.status_code != 200:
                        raise SystemExit(f"{name} ({path}): HTTP {r.status_code}")
        load_avg = os.getloadavg()
        result = asyncio.run(load(port, paths, args.clients, args.duration, server.pid))
        load_after = os.getloadavg()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    times: dict[str, list[float]] = result["times"]  # type: ignore[assignment]
    every = [t for v in times.values() for t in v]
    memory: list[tuple[float, float]] = result["memory"]  # type: ignore[assignment]
    errors: dict[str, int] = result["errors"]  # type: ignore[assignment]
    n_errors = sum(errors.values())
    summary = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine_line(), "cores": os.cpu_count() or 1,
        "load_before": load_avg, "load_after": load_after,
        "clients": args.clients, "duration": result["wall"],
        "workers": args.workers or f"default ({min(os.cpu_count() or 1, 8)})",
        "uvicorn": uvicorn_kind(),
        "start_s": start_s, "workers_s": workers_s,
        "requests": len(every), "rps": len(every) / float(result["wall"]),  # type: ignore[arg-type]
        "p50": ms(every, 50), "p95": ms(every, 95), "p99": ms(every, 99),
        "errors": n_errors, "error_kinds": errors,
        "server_cpu_s": result["server_cpu"], "client_cpu_s": result["client_cpu"],
        "rss_start": memory[0][1] if memory else float("nan"),
        "rss_max": max(m for _, m in memory) if memory else float("nan"),
        "rss_end": memory[-1][1] if memory else float("nan"),
        "rss_15s": next((m for t, m in memory if t >= 15), float("nan")),
        "rss_series": [round(m) for _, m in memory],
        "per_url": {name: {"n": len(v), "p50": ms(v, 50), "p95": ms(v, 95), "p99": ms(v, 99)}
                    for name, v in times.items()},
    }
    print(json.dumps(summary, indent=1))
    if not args.no_docs:
        write_docs(summary, args.section, args.title, paths)


def write_docs(s: dict, section: str, title: str, paths: dict[str, str]) -> None:  # type: ignore[type-arg]
    rows = "\n".join(
        f"| {name} (`{paths[name]}`) | {v['n']:,} | {v['p50']:.0f} ms | {v['p95']:.0f} ms | "
        f"{v['p99']:.0f} ms |" for name, v in s["per_url"].items())
    met = s["p95"] < 250 and s["errors"] == 0
    growth = s["rss_end"] - s["rss_start"]
    table_row = (f"| {s['requests']:,} | {s['rps']:.1f} | {s['p50']:.0f} ms | **{s['p95']:.0f} ms** | "
                 f"{s['p99']:.0f} ms | {s['errors']} | {s['rss_start']:,.0f} → {s['rss_max']:,.0f} → "
                 f"{s['rss_end']:,.0f} MB ({growth:+,.0f} MB); at 15 s {s['rss_15s']:,.0f} MB |")
    update_section(section, f"""
## Many users: {title} (`bench/load.py`)

{s['date']}, {s['machine']} (load average {s['load_before'][0]:.1f} before,
{s['load_after'][0]:.1f} after; the machine is shared with other sessions).
`clusteratlas serve` ({s['uvicorn']}), workers: {s['workers']}, answering {s['start_s']:.1f} s after its start, every
worker up after {s['workers_s']:.1f} s;
{s['clients']} concurrent clients on 127.0.0.1 (each one keep-alive HTTP/1.1 connection of
the script's own small asyncio client, one request after the other with no think time,
over the URLs below in turn, every answer read completely) for {s['duration']:.0f} s,
after warming every URL.  CPU time during the run: server {s['server_cpu_s']:.0f} s, load
generator {s['client_cpu_s']:.0f} s (of {s['cores'] * s['duration']:.0f} core-seconds).

| requests | req/s | p50 | p95 | p99 | errors | server memory (RSS, all processes) start → max → end |
|---:|---:|---:|---:|---:|---:|---|
{table_row}

Target: p95 under 250 ms, no errors, flat memory — **{"met" if met else "not met"}**
{("(errors: " + ", ".join(f"{k} ×{v}" for k, v in s["error_kinds"].items()) + ")") if s["errors"] else ""}

| URL | requests | p50 | p95 | p99 |
|---|---:|---:|---:|---:|
{rows}
""")


if __name__ == "__main__":
    main()
