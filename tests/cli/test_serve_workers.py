"""``serve --workers N`` (issue 17.3): N processes answer on one port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from clusteratlas.cli.serve import default_workers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def serving_children(pid: int, port: int) -> list[int]:
    """Children of ``pid`` holding the listening socket of ``port``."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(f":{port:04X}") and fields[3] == "0A":  # LISTEN
            inode = fields[9]
    assert inode is not None
    found = []
    for child in children(pid):
        fds = Path(f"/proc/{child}/fd")
        try:
            if any(f"socket:[{inode}]" == str(fd.readlink()) for fd in fds.iterdir()):
                found.append(child)
        except OSError:
            continue
    return found


def test_workers_share_the_port_and_stop_with_the_server(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir.path, data)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "clusteratlas", "serve", "--data-dir",
                             str(data), "--port", str(port), "--workers", "3"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 240
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/regions") as r:
                    assert r.status == 200
                if len(serving_children(proc.pid, port)) == 2:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        workers = serving_children(proc.pid, port)
        assert len(workers) == 2  # and this process itself
        for _ in range(10):  # whichever process takes them, the answers are the same
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/regions/08435") as r:
                assert r.status == 200
                assert b"08435" in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        proc.stderr.close()

    def running() -> list[int]:
        alive = []
        for w in workers:
            try:
                if "zombie" not in Path(f"/proc/{w}/status").read_text():
                    alive.append(w)
            except OSError:
                continue
        return alive

    deadline = time.time() + 60  # they finish what they answer, then end
    while running() and time.time() < deadline:
        time.sleep(0.5)
    assert running() == []


def test_workers_option_is_checked(tmp_path):
    out = subprocess.run([sys.executable, "-m", "clusteratlas", "serve", "--workers", "0",
                          "--data-dir", str(tmp_path)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2
    assert "'0' is not a number of workers (1 to 64)" in out.stderr
    assert 1 <= default_workers() <= 8
