"""`clusteratlas user`, `token` and `registry` commands, on SQLite and (through
CLUSTERATLAS_REGISTRY_URL) on PostgreSQL."""

import io
import json
import sys

import pytest

from clusteratlas.cli.main import main
from clusteratlas.demo.content import demo_initiatives
from clusteratlas.errors import AccessError
from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.demo import seed_registry
from clusteratlas.service.registry import RegistryService


@pytest.fixture
def registry_dir(tmp_path, registry_url, monkeypatch):
    """A data directory whose registry is ``registry_url`` (seeded with the demo)."""
    monkeypatch.setenv("CLUSTERATLAS_REGISTRY_URL", registry_url)
    store = RegistryStore(registry_url)
    seed_registry(store, demo_initiatives())
    store.close()
    return tmp_path


def test_user_add_from_stdin_and_env(registry_dir, registry_url, monkeypatch, capsys):
    d = str(registry_dir)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long admin password\n"))
    assert main(["user", "add", "agency", "--role", "admin", "-d", d]) == 0
    monkeypatch.setenv("CLUSTERATLAS_PASSWORD", "a long manager password")
    assert main(["user", "add", "hn", "--role", "manager", "--initiative", "metalldialog",
                 "-d", d]) == 0
    assert "Added manager hn for metalldialog." in capsys.readouterr().out
    assert main(["user", "list", "-d", d]) == 0
    assert "hn\tmanager\tmetalldialog" in capsys.readouterr().out
    service = RegistryService(RegistryStore(registry_url))
    _, actor = service.login("hn", "a long manager password", "cli-test")
    assert actor.initiatives == frozenset({"metalldialog"})
    service.store.close()


def test_user_errors_are_one_line(registry_dir, monkeypatch, capsys):
    d = str(registry_dir)
    monkeypatch.setenv("CLUSTERATLAS_PASSWORD", "a long enough password")
    assert main(["user", "add", "x", "--role", "boss", "-d", d]) == 2
    assert capsys.readouterr().err.strip() == (
        "Error: role 'boss': expected admin, analyst or manager")
    assert main(["user", "add", "m", "--role", "manager", "--initiative", "nope",
                 "-d", d]) == 1
    assert "initiative 'nope' is not in the registry" in capsys.readouterr().err
    monkeypatch.setenv("CLUSTERATLAS_PASSWORD", "short")
    assert main(["user", "add", "y", "--role", "analyst", "-d", d]) == 2
    assert "at least 12 characters" in capsys.readouterr().err


def test_token_create_prints_a_working_token(registry_dir, registry_url, monkeypatch,
                                             capsys):
    d = str(registry_dir)
    monkeypatch.setenv("CLUSTERATLAS_PASSWORD", "a long analyst password")
    main(["user", "add", "ministry", "--role", "analyst", "-d", d])
    capsys.readouterr()
    assert main(["token", "create", "ministry", "--name", "laptop", "-d", d]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("cat_")
    service = RegistryService(RegistryStore(registry_url))
    assert service.actor_for_token(token).role == "analyst"
    service.store.close()
    assert main(["token", "create", "nobody", "-d", d]) == 1


@pytest.mark.parametrize("suffix", [".json", ".zip", ".xlsx"])
def test_export_and_import(registry_dir, tmp_path, suffix, capsys, monkeypatch):
    d = str(registry_dir)
    out = tmp_path / f"registry{suffix}"
    assert main(["registry", "export", str(out), "-d", d]) == 0
    assert out.stat().st_size > 1000
    single = tmp_path / "one.json"
    assert main(["registry", "export", str(single), "--initiative", "cyberforum",
                 "-d", d]) == 0
    assert [i["id"] for i in json.loads(single.read_text())["initiatives"]] == ["cyberforum"]
    other = tmp_path / "other"
    monkeypatch.delenv("CLUSTERATLAS_REGISTRY_URL")
    assert main(["registry", "import", str(out), "-d", str(other)]) == 0
    assert "23 new, 0 replaced" in capsys.readouterr().out


def test_import_refuses_a_bad_file(registry_dir, tmp_path, capsys):
    d = str(registry_dir)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "clusteratlas-registry", "initiatives": [
        {"id": "ok-one", "name": "OK"}, {"id": "bad", "name": "Bad", "founded": 3000}]}))
    assert main(["registry", "import", str(bad), "-d", d]) == 2
    err = capsys.readouterr().err
    assert "bad.json, initiative 2 (bad): founded" in err
    assert main(["registry", "export", str(tmp_path / "x.pdf"), "-d", d]) == 2
    assert "--format" in capsys.readouterr().err
    assert main(["registry", "import", str(tmp_path / "missing.json"), "-d", d]) == 2


def test_tokens_listed_revoked_and_expiring(registry_dir, registry_url, monkeypatch, capsys):
    d = str(registry_dir)
    monkeypatch.setenv("CLUSTERATLAS_PASSWORD", "a long analyst password")
    main(["user", "add", "ministry", "--role", "analyst", "-d", d])
    assert main(["token", "create", "ministry", "--name", "week", "--expires", "7",
                 "-d", d]) == 0
    week = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["token", "create", "ministry", "--name", "laptop", "-d", d]) == 0
    capsys.readouterr()
    assert main(["token", "list", "ministry", "-d", d]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [(r[1], r[4]) for r in rows] == [("laptop", "valid"), ("week", "valid")]
    assert rows[0][3] == "-"
    assert rows[1][3] > rows[1][2]
    assert main(["token", "revoke", rows[1][0], "-d", d]) == 0
    assert "Revoked token" in capsys.readouterr().out
    service = RegistryService(RegistryStore(registry_url))
    with pytest.raises(AccessError):
        service.actor_for_token(week)
    service.store.close()
    main(["token", "list", "ministry", "-d", d])
    assert capsys.readouterr().out.splitlines()[1].endswith("\trevoked")
    assert main(["token", "revoke", "999", "-d", d]) == 1
    assert main(["token", "create", "ministry", "--expires", "0", "-d", d]) == 2
