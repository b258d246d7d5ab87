"""Issue 14.6 and 14.10: rebuilding the statistics never touches the registry, and a
running server follows changes another process makes to the registry."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from clusteratlas.errors import StoreError
from clusteratlas.reference import bw_regions, default_categories
from clusteratlas.registry.auth import Actor
from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.demo import build_demo
from clusteratlas.service.registry import RegistryService
from clusteratlas.service.registry.transfer import (
    export_registry,
    import_registry,
    read_registry,
)
from clusteratlas.service.setup import build_demo_store, ensure_store
from clusteratlas.store.datadir import DataDir
from conftest import ADMIN, seeded_app


def _service(url: str) -> RegistryService:
    return RegistryService(RegistryStore(url), regions=bw_regions(),
                           categories=[c.code for c in default_categories().categories])


def _edits(data_dir: DataDir) -> dict[str, object]:
    """What people added to the registry: a manager's text, an accepted KPI report, a
    project (and the registry's state token, which every change moves)."""
    with _service(data_dir.registry_url) as service:
        item = service.get("metalldialog", ADMIN)
        return {"members_text": item["members_text"],
                "kpis": [(r["year"], r["status"], r["events"]) for r in item["kpi_reports"]],
                "projects": [p["name"] for p in item["projects"]],
                "token": service.store.state_token()}


def test_rebuilding_the_statistics_keeps_every_registry_edit(tmp_path):
    data_dir = DataDir(tmp_path / "atlas")
    assert build_demo(data_dir)["initiatives"] == 23  # an empty registry is seeded
    with _service(data_dir.registry_url) as service:
        version = service.get("metalldialog", ADMIN)["version"]
        service.update("metalldialog", {"members_text": "47 firms, as the manager wrote"},
                       ADMIN, version)
        report = service.put_kpi("metalldialog", 2024, {"members_sme": 30, "events": 11},
                                 ADMIN, None)
        report = service.submit_kpi("metalldialog", 2024, ADMIN, report["version"])
        service.review_kpi("metalldialog", 2024, {"decision": "accept"}, ADMIN,
                           report["version"])
        service.add_child("metalldialog", "projects", {"name": "Hydrogen pilot line"}, ADMIN)
    before = _edits(data_dir)
    assert before["members_text"] == "47 firms, as the manager wrote"
    assert before["kpis"] == [(2024, "accepted", 11)]
    assert before["projects"][-1] == "Hydrogen pilot line"

    # serve over a missing statistics store: the demo statistics are rebuilt …
    data_dir.stats_file.unlink()
    assert ensure_store(data_dir) is True
    assert _edits(data_dir) == before  # … and the registry is not written to at all
    # demo, and demo --force: the statistics again, the registry as it was
    assert build_demo_store(data_dir)["initiatives"] == 23
    assert _edits(data_dir) == before
    assert build_demo_store(data_dir, force=True)["initiatives"] == 23
    assert _edits(data_dir) == before
    assert ensure_store(data_dir) is False  # statistics present: nothing rebuilt


def test_an_archived_only_registry_is_not_empty(tmp_path):
    data_dir = DataDir(tmp_path / "atlas")
    build_demo(data_dir)
    with _service(data_dir.registry_url) as service:
        for item in service.find(ADMIN, per_page=100).items:
            service.archive(item["id"], ADMIN, item["version"])
        token = service.store.state_token()
    data_dir.stats_file.unlink()
    assert build_demo(data_dir)["initiatives"] == 0  # nothing re-seeded over the archive
    with _service(data_dir.registry_url) as service:
        assert service.store.state_token() == token


@pytest.fixture
def running(tmp_path, demo_dir, atlas):
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    app = seeded_app(url, demo_dir, atlas)
    with TestClient(app) as client:
        yield client, app, url


def test_the_district_page_follows_a_registry_import_by_another_process(running):
    client, app, url = running
    page = client.get("/regions/08125?lang=en").text
    assert "MetallDIALOG" in page
    assert "Hydrogen valley partners" not in page
    snapshot = app.state.atlas
    client.get("/regions/08125?lang=en")
    assert app.state.atlas is snapshot  # no change: the snapshot is kept, not re-read

    # what `clusteratlas registry import` does, on its own connection to the database
    cli = _service(url)
    data = json.loads(export_registry(cli, "json", ["metalldialog"]))
    data["initiatives"][0]["name"] = "Hydrogen valley partners"
    aggs = read_registry(json.dumps(data).encode(), "json", "metalldialog.json")
    assert import_registry(cli, aggs, Actor("cli", "admin"), "metalldialog.json") == {
        "created": 0, "replaced": 1}
    cli.store.close()

    page = client.get("/regions/08125?lang=en").text
    assert "Hydrogen valley partners" in page
    assert "Hydrogen valley partners" in client.get("/api/regions/08125").text
    assert app.state.atlas is not snapshot


def test_pages_keep_the_last_snapshot_when_the_registry_cannot_be_read(running, monkeypatch):
    client, app, _ = running
    snapshot = app.state.atlas

    def unreadable() -> tuple[object, ...]:
        raise StoreError("registry registry.sqlite is not a readable Clusteratlas registry")

    monkeypatch.setattr(app.state.registry.store, "state_token", unreadable)
    # as if something was committed: the server must ask for the state token
    monkeypatch.setattr(app.state.registry.store, "data_version", lambda: None)
    page = client.get("/regions/08125?lang=en")
    assert page.status_code == 200
    assert "MetallDIALOG" in page.text
    assert app.state.atlas is snapshot
