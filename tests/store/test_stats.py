import errno
import os
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


def _corrupt_every_block(path):
    """Overwrite 100 bytes in the middle of every 256 KiB DuckDB block after the headers."""
    data = bytearray(path.read_bytes())
    for offset in range(3 * 4096, len(data), 256 * 1024):
        middle = offset + 128 * 1024
        if middle + 100 <= len(data):
            data[middle:middle + 100] = b"\xff" * 100
        data[offset + 100:offset + 200] = b"\xff" * 100
    path.write_bytes(bytes(data))


def test_checksum_error_is_reported_as_corrupt_not_locked(tmp_path):
    data_dir = DataDir(tmp_path)
    build_demo(data_dir)
    _corrupt_every_block(data_dir.stats_file)
    with pytest.raises(StoreError) as info:
        StatsStore(data_dir.stats_file).read_snapshot()
    message = str(info.value)
    assert "corrupt" in message
    assert "checksum" in message
    assert "locked" not in message
    assert "demo" not in message  # 'demo' would re-seed the registry over its edits
    assert "backup" in message
    assert "\n" not in message


def test_not_a_database_advises_backup_not_demo(tmp_path):
    path = tmp_path / "stats.duckdb"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as info:
        StatsStore(path).migrate()
    assert "demo" not in str(info.value)
    assert "backup" in str(info.value)


def _raise_on_write(exc):
    def insert(con, table, frame):
        raise exc
    return insert


@pytest.mark.parametrize("exc", [
    OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
    duckdb.IOException(f'Could not write file "stats.duckdb.wal": {os.strerror(errno.ENOSPC)}'),
])
def test_full_disk_is_reported_as_full_disk(tmp_path, monkeypatch, exc):
    data_dir = DataDir(tmp_path)
    build_demo(data_dir)
    store = StatsStore(data_dir.stats_file)
    before = store.read_snapshot()
    monkeypatch.setattr(StatsStore, "_insert_frame", staticmethod(_raise_on_write(exc)))
    with pytest.raises(StoreError) as info:
        store.replace_all(datasets=before["datasets"], regions=[], region_dataset="d",
                          geometries=before["geometries"], observations=before["observations"],
                          settings={})
    message = str(info.value)
    assert "disk is full" in message
    assert "rollback" not in message
    assert "no transaction" not in message
    monkeypatch.undo()
    assert len(store.read_snapshot()["observations"]) == len(before["observations"])


def test_failed_rollback_does_not_hide_the_write_error(tmp_path):
    """DuckDB aborts a transaction on a failed write; the ROLLBACK that follows fails
    with 'no transaction is active' and must not become the reported cause."""
    store = StatsStore(tmp_path / "stats.duckdb")
    store.migrate()
    full = duckdb.IOException(f'Could not write file: {os.strerror(errno.ENOSPC)}')

    def failed_write():
        with store.connect() as con:
            try:
                raise full
            except duckdb.Error:
                con.execute("ROLLBACK")  # no transaction: raises TransactionException
                raise

    with pytest.raises(StoreError, match="disk is full"):
        failed_write()


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_read_only_directory_is_reported_as_read_only(tmp_path, monkeypatch, code):
    store = StatsStore(tmp_path / "stats.duckdb")
    store.migrate()
    real_connect = duckdb.connect

    def connect(database, read_only=False, **kw):
        if not read_only:
            raise duckdb.IOException(f'Cannot open file "{database}": {os.strerror(code)}')
        return real_connect(database, read_only=read_only, **kw)

    monkeypatch.setattr(duckdb, "connect", connect)
    with pytest.raises(StoreError) as info:
        store.migrate()
    message = str(info.value)
    assert ("read-only" in message)
    assert "cannot be written" in message
    assert "demo" not in message
    assert "move it away" not in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into read-only directories")
def test_real_read_only_directory(tmp_path):
    store = StatsStore(tmp_path / "stats.duckdb")
    store.migrate()
    store.path.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="cannot be written: permission denied"):
            store.migrate()
    finally:
        tmp_path.chmod(0o755)
        store.path.chmod(0o644)
