"""The registry store: schema migrations (from every earlier revision, with data, on
SQLite and PostgreSQL), SQLite settings, corrupt and locked files."""

import sqlite3

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from clusteratlas.demo.content import demo_initiatives
from clusteratlas.errors import StoreError
from clusteratlas.registry import RegistryStore
from clusteratlas.service.demo import seed_registry
from clusteratlas.service.registry import RegistryService

REVISIONS = ["0001", "0002"]


def _alembic(store, target):
    from importlib import resources

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("clusteratlas.registry") / "migrations"))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if target.startswith("-"):
            command.downgrade(cfg, target[1:])
        else:
            command.upgrade(cfg, target)


def test_migrations_create_schema_from_empty(store):
    assert store.revision() is None
    assert store.migrate() == REVISIONS[-1]
    assert store.migrate() == REVISIONS[-1]
    tables = set(inspect(store.engine).get_table_names())
    assert {"initiatives", "initiative_regions", "initiative_categories", "initiative_facts",
            "initiative_sources", "kpi_reports", "projects", "cooperations",
            "initiative_labels", "users", "api_tokens", "audit_log",
            "alembic_version"} <= tables


def test_upgrade_from_0001_keeps_the_data(store):
    """A registry written by the first release (revision 0001) upgrades in place."""
    _alembic(store, "0001")
    assert store.revision() == "0001"
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO initiatives (id, name, kind, sector, seat_town, seat_region, scope, "
            "managing_organisation, founded, members_text, staff_text, status, version) "
            "VALUES ('bodenseeairea', 'BodenseeAIRea', 'initiative', 'Aerospace', "
            "'Friedrichshafen', '08435', 'regional', 'WFB', 2012, '27 companies', NULL, "
            "'active', 1)"))
        conn.execute(text("INSERT INTO initiative_regions VALUES ('bodenseeairea', '08435')"))
        conn.execute(text("INSERT INTO initiative_facts (initiative_id, position, text) "
                          "VALUES ('bodenseeairea', 0, 'Founded 2012 (launch at AERO)')"))
        conn.execute(text("INSERT INTO initiative_sources (initiative_id, position, url) "
                          "VALUES ('bodenseeairea', 0, 'https://example.org/a')"))
    assert store.migrate() == "0002"
    item = RegistryService(store).get("bodenseeairea")
    assert (item["name"], item["founded"], item["regions_served"]) == (
        "BodenseeAIRea", 2012, ["08435"])
    assert item["facts"] == [{"text": "Founded 2012 (launch at AERO)", "source_url": None,
                              "as_of": None}]
    assert item["sources"] == [{"url": "https://example.org/a", "accessed": None}]
    assert item["visibility"]["facts"] is True
    assert item["archived"] is False


def test_downgrade_and_upgrade_again(store):
    seed_registry(store, demo_initiatives())
    _alembic(store, "-0001")
    assert store.revision() == "0001"
    assert "kpi_reports" not in inspect(store.engine).get_table_names()
    assert store.migrate() == "0002"
    assert RegistryService(store).find(per_page=100).total == 23


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    store.migrate()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_seeding_twice_does_not_duplicate(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'r.sqlite'}")
    assert seed_registry(store, demo_initiatives()) == 23
    assert seed_registry(store, demo_initiatives()) == 23
    assert len(store.list()) == 23
    assert len(store.list(kind="agency")) == 1


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
            seed_registry(RegistryStore(f"sqlite:///{path}"), demo_initiatives())
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_unreachable_or_driverless_databases_say_so():
    down = RegistryStore("postgresql+psycopg://me:secret@127.0.0.1:1/nothing")
    with pytest.raises(StoreError, match="cannot connect to the registry database") as exc:
        down.migrate()
    assert "secret" not in str(exc.value)  # the password is not shown
    with pytest.raises(StoreError, match="needs a database driver"):
        RegistryStore("postgresql+pg8000://me@localhost/db")  # a driver we never install
