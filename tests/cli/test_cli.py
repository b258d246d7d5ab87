"""The command line: help, version, clean errors, and the end-to-end demo."""

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

import clusteratlas
from clusteratlas.cli.main import main

COMMANDS = [[], ["demo"], ["serve"], ["info"], ["get"], ["settings"], ["import"],
            ["import", "boundaries"]]


def run_cli(*args, env=None, timeout=120):
    return subprocess.run(
        [sys.executable, "-m", "clusteratlas", *args], capture_output=True, text=True,
        timeout=timeout, env={**os.environ, **(env or {})},
    )


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"clusteratlas {clusteratlas.__version__}"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "root")
def test_help_on_every_command(command, capsys):
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage:" in out
    assert "--help" in out


def test_demo_info_and_get(tmp_path, capsys):
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    assert "44 districts" in capsys.readouterr().out
    assert main(["info", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "[SYNTHETIC] demo-synthetic-panel" in out
    assert "dl-de/by-2.0" in out
    assert main(["get", "/api/regions/08435", "--data-dir", str(tmp_path)]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["region"]["nuts3"] == "DE147"
    assert main(["get", "/api/regions/00000", "--data-dir", str(tmp_path)]) == 2
    assert json.loads(capsys.readouterr().out)["status"] == 404


def assert_clean_error(proc, fragment):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("Error: ")
    assert fragment in lines[0]


def test_corrupt_data_dir_is_one_line(tmp_path):
    (tmp_path / "stats.duckdb").write_bytes(b"\x00garbage" * 500)
    for args in (["info"], ["serve", "--port", str(free_port())], ["demo"]):
        proc = run_cli(*args, "--data-dir", str(tmp_path))
        assert_clean_error(proc, "stats.duckdb")


def test_data_dir_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    assert_clean_error(run_cli("demo", "--data-dir", str(target)), "is a file, not a directory")


def test_locked_data_dir_is_one_line(tmp_path):
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, time
            con = duckdb.connect({str(tmp_path / 'stats.duckdb')!r})
            print("locked", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert_clean_error(run_cli("demo", "--data-dir", str(tmp_path)), "locked by another process")
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_bad_setting_is_one_line(tmp_path):
    proc = run_cli("serve", "--data-dir", str(tmp_path), env={"CLUSTERATLAS_LANG": "fr"})
    assert_clean_error(proc, "setting 'lang' is 'fr'")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_builds_demo_and_answers(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "clusteratlas", "serve", "--data-dir", str(tmp_path / "d"),
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.time() + 60
        lines = []
        while time.time() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "running at" in line:
                break
        assert any("Built the demo" in line for line in lines)
        assert f"http://127.0.0.1:{port}/" in lines[-1]
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as resp:
                    html = resp.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert len(re.findall(r'class="region[^"]*" data-region="\d{5}"', html)) == 44
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/regions") as resp:
            assert json.loads(resp.read())["count"] == 44
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
        proc.stderr.close()


def test_import_real_boundaries_replaces_schematic_map(tmp_path, shared, capsys):
    from fastapi.testclient import TestClient

    from clusteratlas.server import create_app
    from clusteratlas.store import DataDir

    shp = shared / "data/de_boundaries/vg5000_2021_krs/VG5000_KRS.shp"
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    assert main(["import", "boundaries", str(shp), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Imported 44 region shapes" in out
    assert "357 features outside the register" in out
    with TestClient(create_app(DataDir(tmp_path))) as client:
        page = client.get("/").text
        body = client.get("/api/map").json()
    assert body["layer"] == "boundaries"
    assert any("GeoBasis-DE / BKG 2021" in d["attribution"] for d in body["provenance"])
    assert "GeoBasis-DE / BKG 2021" in page
    assert "Amtliche Grenzen" in page
    assert len(re.findall(r'class="region[^"]*" data-region="\d{5}"', page)) == 44
    # imported data are protected against an accidental demo rebuild
    assert main(["demo", "--data-dir", str(tmp_path)]) == 1
    assert "use --force" in capsys.readouterr().err
    assert main(["demo", "--data-dir", str(tmp_path), "--force"]) == 0


def test_import_geojson_boundaries_by_ars(tmp_path, shared, capsys):
    geojson = shared / "data/de_boundaries/geoGermany/Ebene_Kreise.geojson"
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    assert main(["import", "boundaries", str(geojson), "--data-dir", str(tmp_path),
                 "--attribution", "© GeoBasis-DE / BKG (Daten verändert)",
                 "--licence", "dl-de/by-2.0"]) == 0
    assert "Imported 44 region shapes" in capsys.readouterr().out


def test_import_boundaries_bad_file(tmp_path, capsys):
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    bad = tmp_path / "broken.geojson"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["import", "boundaries", str(bad), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ")
    assert "broken.geojson" in err
    assert main(["import", "boundaries", str(tmp_path / "missing.shp"),
                 "--data-dir", str(tmp_path)]) == 2


def test_map_command_success_and_bad_input(tmp_path, capsys):
    panel = tmp_path / "p.csv"
    panel.write_text("region,industry,year,employment,establishments\n"
                     "08111,25,2020,100,5\n08111,62,2020,50,4\n08435,25,2020,30,2\n"
                     "08435,62,2020,5,1\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    assert main(["map", str(panel), "--out", str(out)]) == 0
    assert "Mapped 2 regions × 2 categories (4 cells)" in capsys.readouterr().out
    import pandas as pd

    cells = pd.read_parquet(out)
    assert set(cells["region"].astype(str)) == {"08111", "08435"}
    assert (tmp_path / "out.regions.parquet").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("region,industry,year,employment\n08111,25,2020,10\n08111,25,2020,-1\n",
                   encoding="utf-8")
    target = tmp_path / "never.csv"
    proc = run_cli("map", str(bad), "--out", str(target))
    assert proc.returncode == 2
    assert_clean_error(proc, "bad.csv, line 3")
    assert not target.exists()
    assert not list(tmp_path.glob("never*"))


def test_import_convert_restore_commands(tmp_path, shared, capsys):
    table = shared / "data/de_genesis/tabellen_csv_regionalstatistik/13111-07-05-4_2018.csv"
    assert main(["demo", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["import", "genesis-table", str(table), "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    # 45,192 cells less 15 sub-Kreis units, plus Berlin and Hamburg as their Kreis (14 × 6 each)
    assert "44,100 values written in one transaction" in out
    assert "02 → 02000 Hamburg; 11 → 11000 Berlin" in out
    assert "synthetic demo statistics (demo-synthetic-panel) were removed" in out
    assert "Validation report" in out
    assert main(["import", "genesis-table", str(table), "--data-dir", str(tmp_path)]) == 0
    assert "already imported" in capsys.readouterr().out
    assert main(["convert", "genesis-table", str(table), "--out", str(tmp_path / "p.parquet")]) == 0
    assert "45,192 rows" in capsys.readouterr().out
    assert main(["restore", "nope", "--data-dir", str(tmp_path)]) == 1
    broken = tmp_path / "broken.csv"
    broken.write_bytes(table.read_bytes()[:3000])
    proc = run_cli("import", "genesis-table", str(broken), "--data-dir", str(tmp_path))
    assert proc.returncode == 2
    assert_clean_error(proc, "truncated")
    proc = run_cli("fetch", "genesis:13111-01-03-4", "--data-dir", str(tmp_path),
                   env={"CLUSTERATLAS_GENESIS_USER": "", "CLUSTERATLAS_GENESIS_PASSWORD": ""})
    assert_clean_error(proc, "CLUSTERATLAS_GENESIS_USER")
