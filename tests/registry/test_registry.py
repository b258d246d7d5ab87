import sqlite3

import pytest
from sqlalchemy import inspect

from clusteratlas.demo.build import demo_initiatives
from clusteratlas.errors import InputError, NotFoundError, StoreError
from clusteratlas.registry import RegistryStore


def test_migrations_create_schema_from_empty(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    assert store.revision() is None
    assert store.migrate() == "0001"
    assert store.migrate() == "0001"
    tables = set(inspect(store.engine).get_table_names())
    assert {"initiatives", "initiative_regions", "initiative_categories", "initiative_facts",
            "initiative_sources", "alembic_version"} <= tables


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    store.migrate()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_seed_with_facts_round_trips(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    items = demo_initiatives()
    assert store.replace_all(items) == 23
    rec = store.get("bodenseeairea")
    assert rec.name == "BodenseeAIRea"
    assert rec.regions == ("08435",)
    assert rec.categories == ("aerospace",)
    assert rec.founded == 2012
    assert rec.sources[0].startswith("https://www.bodensee4you.ch/")
    cyber = store.get("cyberforum")
    assert "1,200" in (cyber.members or "")
    assert any("Baden-Baden" in f for f in cyber.facts)
    # replacing again does not duplicate
    store.replace_all(items)
    assert len(store.list()) == 23
    assert len(store.list(kind="agency")) == 1
    with pytest.raises(NotFoundError):
        store.get("nope")


def test_bad_initiative_is_refused_and_nothing_written(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    store.replace_all(demo_initiatives())
    with pytest.raises(InputError, match="founded 3000"):
        store.replace_all([{"id": "x", "name": "X", "founded": 3000}])
    assert len(store.list()) == 23


def test_corrupt_registry_file(tmp_path):
    path = tmp_path / "r.sqlite"
    path.write_bytes(b"garbage" * 1000)
    with pytest.raises(StoreError, match="not a readable Clusteratlas registry"):
        RegistryStore(f"sqlite:///{path}").migrate()


def test_locked_registry(tmp_path):
    path = tmp_path / "r.sqlite"
    store = RegistryStore(f"sqlite:///{path}")
    store.migrate()
    store.engine.dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            RegistryStore(f"sqlite:///{path}").replace_all(demo_initiatives())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
