"""The registry store: schema migrations (from every earlier revision, with data, on
SQLite and PostgreSQL), SQLite settings, corrupt and locked files."""

import sqlite3

import pytest
from sqlalchemy import inspect, text

from clusteratlas.demo.content import demo_initiatives
from clusteratlas.errors import StoreError
from clusteratlas.registry import RegistryStore
from clusteratlas.service.demo import seed_registry
from clusteratlas.service.registry import RegistryService
from conftest import migrate_store

REVISIONS = ["0001", "0002", "0003", "0004"]


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
    migrate_store(store, "0001")
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
    assert store.migrate() == REVISIONS[-1]
    item = RegistryService(store).get("bodenseeairea")
    assert (item["name"], item["founded"], item["regions_served"]) == (
        "BodenseeAIRea", 2012, ["08435"])
    assert item["facts"] == [{"text": "Founded 2012 (launch at AERO)", "text_en": None,
                              "source_url": None, "as_of": None}]
    # 0004: the texts stay where they were; no English variant is invented
    assert (item["sector"], item["sector_en"], item["members_text_en"]) == (
        "Aerospace", None, None)
    assert item["sources"] == [{"url": "https://example.org/a", "accessed": None}]
    assert item["visibility"]["facts"] is True
    assert item["archived"] is False


def test_downgrade_and_upgrade_again(store):
    seed_registry(store, demo_initiatives())
    migrate_store(store, "0001", down=True)
    assert store.revision() == "0001"
    assert "kpi_reports" not in inspect(store.engine).get_table_names()
    assert store.migrate() == REVISIONS[-1]
    assert RegistryService(store).find(per_page=100).total == 23


def test_upgrade_from_0002_keeps_tokens_valid(store):
    """Tokens made before expiry existed (revision 0002) keep working after 0003 and
    can be listed and revoked."""
    migrate_store(store, "0002")
    service = RegistryService(store)
    service.add_user("ministry", "analyst", "a long enough password")
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at, revoked) "
            "SELECT id, 'old', :h, '2026-01-01T00:00:00+00:00', false FROM users"),
            {"h": __import__("hashlib").sha256(b"cat_old").hexdigest()})
    assert store.migrate() == REVISIONS[-1]
    assert service.actor_for_token("cat_old").name == "ministry"
    [token] = service.tokens("ministry")
    assert (token["name"], token["expires_at"], token["valid"]) == ("old", None, True)
    service.revoke_token(token["id"])
    assert service.tokens("ministry")[0]["revoked_at"] is not None


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


@pytest.mark.parametrize("how", ["deleted", "replaced"])
def test_a_registry_file_deleted_or_replaced_refuses_writes(tmp_path, how, caplog):
    """Issue 14.7: the open connections would write into the unlinked file and every
    change would vanish; the write fails with a StoreError (HTTP 503) and a log line."""
    import shutil

    path = tmp_path / "r.sqlite"
    store = RegistryStore(f"sqlite:///{path}")
    seed_registry(store, demo_initiatives())
    service = RegistryService(store)
    admin = __import__("conftest").ADMIN
    version = service.get("cyberforum")["version"]
    service.update("cyberforum", {"goals": "before"}, admin, version)
    if how == "deleted":
        for p in tmp_path.glob("r.sqlite*"):
            p.unlink()
    else:
        shutil.copy(path, tmp_path / "copy.sqlite")
        (tmp_path / "copy.sqlite").replace(path)
    with pytest.raises(StoreError, match=f"was {how} while the server ran; nothing was "
                                         "written"):
        service.update("cyberforum", {"goals": "lost?"}, admin, version + 1)
    assert f"was {how} while open" in caplog.text
    store.close()
    if how == "replaced":
        assert RegistryService(RegistryStore(f"sqlite:///{path}")).get(
            "cyberforum")["goals"] == "before"


def test_the_data_version_moves_with_every_commit_of_another_connection(tmp_path):
    """What lets the server tell on its event loop that nothing changed (issue 17.3)."""
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    store = RegistryStore(url)
    try:
        assert store.data_version() is None  # no file yet
        store.migrate()
        first = store.data_version()
        assert first is not None
        assert store.data_version() == first  # reading changes nothing
        other = sqlite3.connect(tmp_path / "registry.sqlite")  # as another process would
        other.execute("CREATE TABLE scratch (x)")
        other.commit()
        other.close()
        moved = store.data_version()
        assert moved not in (None, first)
        with store.writing() as s:  # this store's own writes move it too
            s.execute(text("INSERT INTO scratch VALUES (1)"))
        assert store.data_version() not in (None, moved)
    finally:
        store.close()
    assert RegistryStore("sqlite://").data_version() is None  # in memory: no file to ask
