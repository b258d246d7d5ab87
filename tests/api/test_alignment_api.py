"""The alignment endpoints and commands: the same answers as the service, in JSON, CSV
and tables."""

import json

import pytest
from fastapi.testclient import TestClient

from clusteratlas.cli.main import main
from conftest import seeded_app


def test_alignment_endpoints(client):
    body = client.get("/api/alignment?status=gap").json()
    assert body["synthetic"] is True
    assert {"region": "08126", "category": "fastening_technology"}.items() <= next(
        c for c in body["cells"] if c["region"] == "08126"
        and c["category"] == "fastening_technology").items()
    assert all(c["status"] == "gap" for c in body["cells"])
    p = client.get("/api/alignment/portfolio?rule=stars&min_stars=3").json()
    assert p["rule"]["agglomeration"] == "stars"
    assert client.get("/api/alignment?rule=nonsense").status_code == 400
    assert client.get("/api/alignment?year=1990").status_code == 400
    opp = client.get("/api/regions/08126/opportunities?top=3&lang=en").json()
    assert len(opp["opportunities"]) == 3
    assert client.get("/api/regions/99999/opportunities").status_code == 404
    imp = client.get("/api/initiatives/bodenseeairea/impact").json()
    assert "not proof of cause" in imp["caveat"]
    part = client.get("/api/initiatives/medicalmountains/partners?max_km=400").json()
    assert "mannheim-medical-technology" in {p["initiative"] for p in part["partners"]}


def test_benchmark_follows_kpi_visibility(tmp_path, demo_dir, atlas):
    app = seeded_app(f"sqlite:///{tmp_path / 'r.sqlite'}", demo_dir, atlas)
    with TestClient(app) as c:
        service = app.state.registry
        service.add_user("agency", "admin", "agency password 1")
        admin = {"Authorization": "Bearer " + service.create_token("agency", "t")}
        for ident, events in (("kunststoffdialog", 12), ("metalldialog", 6),
                              ("transformotivedialog", 9), ("innonet-kunststoff", 3)):
            made = c.put(f"/api/initiatives/{ident}/kpis/2024",
                         json={"members_sme": 40, "members_large": 8, "events": events},
                         headers=admin).json()
            c.post(f"/api/initiatives/{ident}/kpis/2024/submit", headers=admin
                   | {"If-Match": str(made["version"])})
            sub = c.get(f"/api/initiatives/{ident}/kpis/2024", headers=admin).json()
            c.post(f"/api/initiatives/{ident}/kpis/2024/review", json={"decision": "accept"},
                   headers=admin | {"If-Match": str(sub["version"])})
        assert c.get("/api/initiatives/kunststoffdialog/benchmark").status_code == 404
        out = c.get("/api/initiatives/kunststoffdialog/benchmark?weight=events:1",
                    headers=admin).json()
        events = next(r for r in out["indicators"] if r["indicator"] == "events")
        assert events["percentile all"] == pytest.approx(87.5)  # 12 among 3, 6, 9, 12
        assert out["composite"] == pytest.approx(87.5)
        bad = c.get("/api/initiatives/kunststoffdialog/benchmark?weight=events",
                    headers=admin)
        assert bad.status_code == 400


def test_cli_commands(demo_dir, tmp_path, capsys):
    d = str(demo_dir.path)
    out = tmp_path / "align.json"
    assert main(["align", "--out", str(out), "--format", "json", "-d", d]) == 0
    doc = json.loads(out.read_text())
    assert doc["portfolio"]["by_status"]["gap"]["cells"] == sum(
        1 for c in doc["cells"] if c["status"] == "gap")
    capsys.readouterr()
    assert main(["opportunities", "08126", "--top", "2", "--format", "csv", "-d", d]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("industry,name,density")
    assert len(lines) == 3
    assert main(["impact", "bodenseeairea", "-d", d]) == 0
    assert "not proof of cause" in capsys.readouterr().out
    assert main(["benchmark", "cyberforum", "-d", d]) == 0
    assert "no accepted KPI report yet" in capsys.readouterr().out
    assert main(["opportunities", "08126", "--format", "xml", "-d", d]) == 2
    assert "'--format': 'xml': expected csv, json or table" in capsys.readouterr().err


def test_coverage_follows_registry_edits(tmp_path, demo_dir, atlas):
    """Derived answers are cached per snapshot; an edit to the registry must show."""
    app = seeded_app(f"sqlite:///{tmp_path / 'r.sqlite'}", demo_dir, atlas)
    with TestClient(app) as c:
        service = app.state.registry
        service.add_user("agency", "admin", "agency password 1")
        admin = {"Authorization": "Bearer " + service.create_token("agency", "t")}

        def status():
            cells = c.get("/api/alignment").json()["cells"]
            return next(x["status"] for x in cells if x["region"] == "08126"
                        and x["category"] == "fastening_technology")

        assert status() == "gap"
        etag = c.get("/api/initiatives/metalldialog").headers["etag"]
        r = c.patch("/api/initiatives/metalldialog",
                    json={"regions_served": ["08121", "08125", "08126"],
                          "categories": ["metal_working", "fastening_technology"]},
                    headers=admin | {"If-Match": etag})
        assert r.status_code == 200
        assert status() == "covered"
