"""The registry's web pages: public profiles with their sources, sign-in, the edit and
KPI forms (CSRF, versions), the review queue, history with restore, user admin."""

import re

import pytest
from fastapi.testclient import TestClient

from conftest import seeded_app


@pytest.fixture
def web(tmp_path, demo_dir, atlas):
    app = seeded_app(f"sqlite:///{tmp_path / 'registry.sqlite'}", demo_dir, atlas)
    with TestClient(app) as client:
        app.state.registry.add_user("agency", "admin", "agency password 1")
        app.state.registry.add_user("hn", "manager", "manager password 1", ["metalldialog"])
        yield client


def _login(client, name, password):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    r = client.post("/login", data={"name": name, "password": password, "csrf": token},
                    follow_redirects=False)
    assert r.status_code == 303
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/initiatives").text)[1]


def _version(html):
    return re.search(r'name="version" value="(\d+)"', html)[1]


def test_public_profile_shows_facts_with_sources(web):
    page = web.get("/initiatives/cyberforum?lang=en")
    assert page.status_code == 200
    assert "CyberForum e.V." in page.text
    assert "over 1,200" in page.text
    assert 'href="https://bnn.de/karlsruhe/' in page.text
    assert "Stadt Baden-Baden" in page.text
    assert "Not public" in page.text  # KPIs, budget, member list
    # the facts are real; the impact table's employment comes from the demo panel, so
    # the page carries the notice (issue 16) and names both sources
    assert 'data-synthetic="true"' in page.text
    assert "Cluster initiative registry" in page.text
    listing = web.get("/initiatives?lang=en&q=lago")
    assert "Synthetic demo data" not in listing.text  # names and seats only
    assert listing.text.count('data-initiative="') == 3
    assert web.get("/initiatives?label=go-cluster").status_code == 200


def test_forms_need_a_signed_in_keeper(web):
    page = web.get("/initiatives/metalldialog/edit")
    assert page.status_code == 401
    assert "/login" in page.text
    csrf = _login(web, "hn", "manager password 1")
    assert web.get("/initiatives/cyberforum/edit").status_code == 403
    r = web.post("/initiatives/cyberforum/edit", data={"csrf": csrf, "version": "1",
                                                        "name": "x"})
    assert r.status_code == 403


def test_manager_edits_profile_with_csrf_and_version(web):
    csrf = _login(web, "hn", "manager password 1")
    form = web.get("/initiatives/metalldialog/edit")
    version = _version(form.text)
    data = {"csrf": csrf, "version": version, "name": "MetallDIALOG Heilbronn",
            "sector": "Metal processing", "status": "active", "regions_served": "08121 08125",
            "categories": "metal_working", "goals": "Value chain", "public_facts": "on"}
    no_csrf = web.post("/initiatives/metalldialog/edit", data=data | {"csrf": "forged"})
    assert no_csrf.status_code == 403
    ok = web.post("/initiatives/metalldialog/edit", data=data, follow_redirects=False)
    assert ok.status_code == 303
    assert "MetallDIALOG Heilbronn" in web.get("/initiatives/metalldialog").text
    stale = web.post("/initiatives/metalldialog/edit", data=data | {"goals": "again"})
    assert stale.status_code == 412
    assert "changed meanwhile" in stale.text
    bad = web.post("/initiatives/metalldialog/edit",
                   data=data | {"version": str(int(version) + 1), "website": "not a url"})
    assert bad.status_code == 400
    assert 'data-field="website"' in bad.text


def test_kpi_report_submit_review_accept(web):
    csrf = _login(web, "hn", "manager password 1")
    fields = {"csrf": csrf, "members_sme": "40", "members_large": "5",
              "members_research": "3", "events": "8", "participants": "350",
              "staff_headcount": "2", "staff_fte": "1,5", "budget_eur": "300000",
              "active_definition": "paying"}
    bad = web.post("/initiatives/metalldialog/kpis/2024", data=fields | {"staff_fte": "4"})
    assert bad.status_code == 400
    assert 'data-field="staff_fte"' in bad.text
    saved = web.post("/initiatives/metalldialog/kpis/2024", data=fields | {"action": "save"},
                     follow_redirects=False)
    assert saved.status_code == 303
    page = web.get("/initiatives/metalldialog/kpis/2024")
    assert 'data-status="draft"' in page.text
    # the saved 1.5 is shown for editing as a German page writes it, and reads back
    assert 'name="staff_fte" value="1,5"' in page.text
    assert 'name="staff_fte" value="1.5"' in web.get(
        "/initiatives/metalldialog/kpis/2024?lang=en").text
    submitted = web.post("/initiatives/metalldialog/kpis/2024",
                         data=fields | {"version": _version(page.text), "action": "submit"},
                         follow_redirects=False)
    assert submitted.status_code == 303
    assert 'data-status="submitted"' in web.get("/initiatives/metalldialog/kpis/2024").text
    assert web.get("/review").status_code == 403
    web.cookies.clear()
    admin_csrf = _login(web, "agency", "agency password 1")
    queue = web.get("/review")
    assert 'data-initiative="metalldialog" data-year="2024"' in queue.text
    accepted = web.post("/review/metalldialog/2024", data={
        "csrf": admin_csrf, "version": _version(queue.text), "decision": "accept",
        "comment": "Thank you"}, follow_redirects=False)
    assert accepted.status_code == 303
    assert "data-year" not in web.get("/review").text


def test_history_restore_and_users_page(web):
    csrf = _login(web, "agency", "agency password 1")
    history = web.get("/initiatives/biolago/history")
    assert history.status_code == 200
    entry = re.search(r'/initiatives/biolago/history/(\d+)/restore', history.text)[1]
    restored = web.post(f"/initiatives/biolago/history/{entry}/restore",
                        data={"csrf": csrf}, follow_redirects=False)
    assert restored.status_code == 303
    users = web.post("/admin/users", data={"csrf": csrf, "action": "add", "name": "ministry",
                                           "role": "analyst", "password": "analyst pass 12"})
    assert users.status_code == 200
    assert "ministry" in users.text
    token = web.post("/admin/users", data={"csrf": csrf, "action": "token",
                                           "name": "ministry", "token_name": "laptop"})
    assert re.search(r"<code>cat_[\w-]+</code>", token.text)
    web.cookies.clear()
    assert web.get("/admin/users").status_code == 401


def test_a_deleted_registry_file_answers_503(tmp_path, demo_dir, atlas):
    """Issue 14.7: before, the PATCH answered 200 into the unlinked file and vanished."""
    app = seeded_app(f"sqlite:///{tmp_path / 'registry.sqlite'}", demo_dir, atlas)
    with TestClient(app) as client:
        service = app.state.registry
        service.add_user("agency", "admin", "agency password 1")
        h = {"Authorization": f"Bearer {service.create_token('agency', 'tests')}"}
        path = "/api/initiatives/cyberforum"
        etag = client.get(path).headers["etag"]
        for p in tmp_path.glob("registry.sqlite*"):
            p.unlink()
        r = client.patch(path, json={"goals": "vanishing"}, headers=h | {"If-Match": etag})
        assert r.status_code == 503
        assert "was deleted while the server ran; nothing was written" in r.json()["error"]
        assert str(tmp_path) not in r.json()["error"]  # no server path to a client
        assert not (tmp_path / "registry.sqlite").exists()
