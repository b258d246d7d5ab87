import subprocess
import sys
import textwrap
import time

import duckdb
import pandas as pd
import pytest

from clusteratlas.errors import StoreError
from clusteratlas.service.demo import build_demo
from clusteratlas.store import STATS_SCHEMA_VERSION, DataDir, DatasetInfo, StatsStore


def test_migrate_creates_versioned_schema(tmp_path):
    store = StatsStore(tmp_path / "stats.duckdb")
    assert store.is_empty()
    assert store.migrate() == STATS_SCHEMA_VERSION
    assert store.migrate() == STATS_SCHEMA_VERSION  # idempotent
    with duckdb.connect(str(store.path), read_only=True) as con:
        rows = con.execute("SELECT version FROM schema_info").fetchall()
    assert rows == [(v,) for v in range(1, STATS_SCHEMA_VERSION + 1)]
    assert store.is_empty()


def test_newer_schema_is_refused(tmp_path):
    store = StatsStore(tmp_path / "stats.duckdb")
    store.migrate()
    with duckdb.connect(str(store.path)) as con:
        con.execute("INSERT INTO schema_info VALUES (99, now())")
    with pytest.raises(StoreError, match="schema version 99, newer than this Clusteratlas"):
        store.migrate()


def test_corrupt_file_gives_store_error(tmp_path):
    path = tmp_path / "stats.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"stats.duckdb is not a readable Clusteratlas statistics"):
        StatsStore(path).migrate()


def test_locked_file_gives_store_error(tmp_path):
    path = tmp_path / "stats.duckdb"
    StatsStore(path).migrate()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("locked", flush=True)
            time.sleep(30)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="locked by another process"):
            StatsStore(path).migrate()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_failed_replace_leaves_store_unchanged(tmp_path):
    data_dir = DataDir(tmp_path)
    build_demo(data_dir)
    store = StatsStore(data_dir.stats_file)
    before = store.read_snapshot()
    bad_geoms = pd.DataFrame({"region": ["08111", "08111"], "layer": ["x", "x"],
                              "geojson": ["{}", "{}"], "dataset_id": ["d", "d"]})
    with pytest.raises(StoreError, match="database operation failed"):
        store.replace_all(
            datasets=[DatasetInfo("d", "panel", "t", "s", "l", "a", False)],
            regions=[], region_dataset="d", geometries=bad_geoms,  # duplicate primary key
            observations=before["observations"].iloc[:0], settings={},
        )
    after = store.read_snapshot()
    assert len(after["observations"]) == len(before["observations"])
    assert [d.id for d in after["datasets"]] == [d.id for d in before["datasets"]]


def test_data_dir_that_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(StoreError, match="is a file, not a directory"):
        DataDir(target).ensure()


def test_read_only_connection_does_not_block_writer(tmp_path):
    data_dir = DataDir(tmp_path)
    build_demo(data_dir)
    store = StatsStore(data_dir.stats_file)
    t0 = time.perf_counter()
    snap = store.read_snapshot()
    store.migrate()  # a writer right after a read: no lingering lock
    assert time.perf_counter() - t0 < 30
    assert len(snap["regions"]) == 50
