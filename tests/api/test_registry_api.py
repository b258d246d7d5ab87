"""The registry's REST API on SQLite and PostgreSQL: an authorisation matrix (every
endpoint × every role), ETag/If-Match, hidden KPIs, CSRF, cookies and sign-in."""

import re

import pytest
from fastapi.testclient import TestClient

from conftest import seeded_app

ROLES = ("public", "analyst", "other_manager", "manager", "admin")
PASSWORDS = {"admin": "admin password 123", "analyst": "analyst password 1",
             "manager": "manager password 1", "other_manager": "other manager pass"}


@pytest.fixture
def api(registry_url, demo_dir, atlas):
    app = seeded_app(registry_url, demo_dir, atlas)
    with TestClient(app) as client:
        service = app.state.registry
        service.add_user("admin", "admin", PASSWORDS["admin"])
        service.add_user("analyst", "analyst", PASSWORDS["analyst"])
        service.add_user("manager", "manager", PASSWORDS["manager"], ["metalldialog"])
        service.add_user("other_manager", "manager", PASSWORDS["other_manager"],
                         ["cyberforum"])
        client.headers_for = {"public": {}} | {  # type: ignore[attr-defined]
            role: {"Authorization": f"Bearer {service.create_token(role, 'tests')}"}
            for role in PASSWORDS}
        yield client


def _sign_in(client, name, password, client_csrf=None):
    """Post the sign-in form as a browser does: with the form's CSRF token."""
    token = client_csrf or re.search(r'name="csrf" value="([^"]+)"',
                                     client.get("/login").text)[1]
    return client.post("/login", data={"name": name, "password": password, "csrf": token},
                       follow_redirects=False)


def _etag(client, path, headers):
    r = client.get(path, headers=headers)
    assert r.status_code == 200, r.text
    return r.headers["etag"]


DENIED = {"public": 401, "analyst": 403, "other_manager": 403, "manager": 403}
KEEPERS = {"public": 401, "analyst": 403, "other_manager": 403}  # manager + admin allowed
READERS = {"public": 401, "other_manager": 403}                  # manager, analyst, admin


def _expect(role, denied):
    return denied.get(role, "ok")


def _check(response, expected, what):
    if expected == "ok":
        assert response.status_code < 400 or response.status_code == 409, (
            what, response.status_code, response.text)
    else:
        assert response.status_code == expected, (what, response.status_code, response.text)
        body = response.json()
        assert body["ok"] is False
        assert body["status"] == expected


def test_authorisation_matrix(api):
    base = "/api/initiatives/metalldialog"
    admin = api.headers_for["admin"]
    api.put(f"{base}/kpis/2020", json={"members_sme": 20, "events": 4}, headers=admin)
    entry = api.get(f"{base}/history", headers=admin).json()[-1]["id"]
    project = api.post(f"{base}/projects", json={"name": "Shared project"},
                       headers=admin).json()["id"]
    doomed = {role: api.post(f"{base}/projects", json={"name": f"To delete ({role})"},
                             headers=admin).json()["id"] for role in ROLES}
    export = api.get("/api/registry/export?initiative=afbw", headers=admin).content
    for role in ROLES:
        h = api.headers_for[role]

        def call(method, path, what, expected, json=None, etag_of=None, h=h, role=role):
            headers = dict(h)
            if etag_of:
                headers["If-Match"] = _etag(api, etag_of, admin)
            r = api.request(method, path, json=json, headers=headers)
            _check(r, expected, f"{role}: {what}")
            return r

        call("GET", "/api/initiatives", "list", "ok")
        call("GET", "/api/initiatives?archived=true", "list archived",
             _expect(role, {"public": 401, "other_manager": 403, "manager": 403}))
        call("POST", "/api/initiatives", "create", _expect(role, DENIED),
             json={"id": f"new-{role.replace('_', '-')}", "name": "New"})
        call("GET", base, "get", "ok")
        call("PATCH", base, "patch", _expect(role, KEEPERS), json={"goals": role},
             etag_of=base)
        call("GET", f"{base}/history", "history", _expect(role, READERS))
        call("GET", f"{base}/history/{entry}", "history state", _expect(role, READERS))
        call("GET", f"{base}/kpis", "kpi list", "ok")
        call("GET", f"{base}/kpis/2020", "draft kpi",
             _expect(role, {"public": 404, "other_manager": 404}))
        call("PUT", f"{base}/kpis/{2021 + ROLES.index(role)}", "put kpi", _expect(role, KEEPERS),
             json={"members_sme": 20, "events": 5})
        call("POST", f"{base}/kpis/2020/submit", "submit", _expect(role, KEEPERS),
             etag_of=f"{base}/kpis/2020")
        call("POST", f"{base}/kpis/2020/review", "review", _expect(role, DENIED),
             json={"decision": "return"}, etag_of=f"{base}/kpis/2020")
        call("GET", "/api/review-queue", "review queue", _expect(role, DENIED))
        call("GET", f"{base}/projects", "projects", "ok")
        call("POST", f"{base}/projects", "add project", _expect(role, KEEPERS),
             json={"name": f"Project of {role}"})
        call("PATCH", f"{base}/projects/{project}", "patch project", _expect(role, KEEPERS),
             json={"topics": role}, etag_of=f"{base}/projects/{project}")
        call("GET", f"{base}/projects/{project}", "one project", "ok")
        call("DELETE", f"{base}/projects/{doomed[role]}", "delete project",
             _expect(role, KEEPERS), etag_of=f"{base}/projects/{doomed[role]}")
        call("GET", f"{base}/cooperations", "cooperations", "ok")
        call("GET", f"{base}/labels", "labels", "ok")
        call("GET", "/api/registry/export?format=xlsx", "export",
             _expect(role, {"public": 401, "other_manager": 403, "manager": 403}))
        r = api.post("/api/registry/import", content=export, headers=h)
        _check(r, _expect(role, DENIED), f"{role}: import")
        call("POST", f"{base}/cooperations", "add cooperation", _expect(role, KEEPERS),
             json={"partner_name": "Somebody"})
        call("POST", f"{base}/labels", "add label", _expect(role, DENIED),
             json={"label": "go-cluster"})
        call("GET", "/api/users", "users", _expect(role, DENIED))
        call("POST", "/api/users", "add user", _expect(role, DENIED),
             json={"name": f"u-{role}", "role": "analyst"})
        call("POST", "/api/tokens", "own token", _expect(role, {"public": 401}),
             json={"name": "extra"})
        call("POST", f"{base}/history/{entry}/restore", "restore", _expect(role, DENIED))
        call("DELETE", "/api/initiatives/solarlago", "archive", _expect(role, DENIED),
             etag_of="/api/initiatives/solarlago")


def test_export_import_over_http(api):
    h = api.headers_for["admin"]
    data = api.get("/api/registry/export?format=csv", headers=h)
    assert data.headers["content-type"] == "application/zip"
    assert "clusteratlas-registry.zip" in data.headers["content-disposition"]
    r = api.post("/api/registry/import?format=csv", content=data.content, headers=h)
    assert r.json() == {"ok": True, "created": 0, "replaced": 23}
    bad = api.post("/api/registry/import", content=b"{}", headers=h)
    assert bad.status_code == 400
    assert "not a Clusteratlas registry export" in bad.json()["error"]


def test_manager_cannot_touch_another_initiative(api):
    h = api.headers_for["manager"]
    path = "/api/initiatives/cyberforum"
    etag = _etag(api, path, h)
    r = api.patch(path, json={"goals": "hijack"}, headers=h | {"If-Match": etag})
    assert r.status_code == 403
    assert api.get(path).json()["goals"] == ""
    assert api.post(f"{path}/projects", json={"name": "x"}, headers=h).status_code == 403
    assert api.put(f"{path}/kpis/2024", json={"events": 3}, headers=h).status_code == 403


def test_stale_if_match_is_refused_and_nothing_overwritten(api):
    h = api.headers_for["admin"]
    path = "/api/initiatives/cyberforum"
    old = _etag(api, path, h)
    first = api.patch(path, json={"goals": "first"}, headers=h | {"If-Match": old})
    assert first.status_code == 200
    assert first.headers["etag"] != old
    stale = api.patch(path, json={"goals": "second"}, headers=h | {"If-Match": old})
    assert stale.status_code == 412
    assert stale.json()["current_version"] == int(first.headers["etag"].strip('"'))
    assert api.get(path).json()["goals"] == "first"
    missing = api.patch(path, json={"goals": "third"}, headers=h)
    assert missing.status_code == 428
    assert api.get(path).json()["goals"] == "first"


def test_anonymous_never_sees_non_public_kpis(api):
    h = api.headers_for["manager"]
    base = "/api/initiatives/metalldialog"
    made = api.put(f"{base}/kpis/2024", json={"members_sme": 40, "members_large": 5,
                                              "events": 6, "budget_eur": 350000.0},
                   headers=h)
    assert made.status_code == 200
    assert api.get(f"{base}/kpis").json() == []
    assert api.get(f"{base}/kpis/2024").status_code == 404
    assert "kpi_reports" not in api.get(base).json()
    assert "kpis" in api.get(base).json()["hidden_groups"]
    assert api.get(f"{base}/kpis/2024", headers=api.headers_for["analyst"]).json()[
        "budget_eur"] == 350000.0


def test_validation_errors_name_fields(api):
    h = api.headers_for["admin"]
    r = api.put("/api/initiatives/metalldialog/kpis/2024",
                json={"staff_fte": 3.0, "staff_headcount": 1}, headers=h)
    assert r.status_code == 400
    assert r.json()["findings"][0]["field"] == "staff_fte"
    r = api.put("/api/initiatives/metalldialog/kpis/2024", json={"events": "many"}, headers=h)
    assert r.status_code == 400
    assert any("events" in e for e in r.json()["errors"])


def test_session_cookie_and_csrf(api):
    r = _sign_in(api, "manager", PASSWORDS["manager"])
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    path = "/api/initiatives/metalldialog"
    etag = api.get(path).headers["etag"]
    no_token = api.patch(path, json={"goals": "csrf?"}, headers={"If-Match": etag})
    assert no_token.status_code == 403
    assert api.get(path).json()["goals"] == ""
    csrf = api.app.state.registry.actor_for_session(
        api.cookies.get("clusteratlas_session")).csrf
    ok = api.patch(path, json={"goals": "via browser"},
                   headers={"If-Match": etag, "X-CSRF-Token": csrf})
    assert ok.status_code == 200
    api.cookies.clear()


def test_sign_in_says_nothing_about_accounts_and_is_rate_limited(api):
    answers = set()
    for name in ("admin", "nobody-here", "admin", "nobody-here", "admin"):
        r = _sign_in(api, name, "wrong password")
        answers.add((r.status_code, "wrong name or password" in r.text))
    assert answers == {(401, True)}
    blocked = _sign_in(api, "admin", PASSWORDS["admin"])
    assert blocked.status_code == 429


def test_bad_bearer_token(api):
    r = api.get("/api/users", headers={"Authorization": "Bearer cat_nope"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert api.get("/api/users", headers={"Authorization": "Basic x"}).status_code == 401


def test_edits_show_on_the_district_page(api):
    h = api.headers_for["admin"]
    path = "/api/initiatives/cyberforum"
    api.patch(path, json={"name": "CyberForum Karlsruhe"},
              headers=h | {"If-Match": _etag(api, path, h)})
    names = [i["name"] for i in api.get("/api/regions/08212").json()["initiatives"]]
    assert names == ["CyberForum Karlsruhe"]


SCRIPT_LINKS = ["javascript:fetch('/api/users')", " JavaScript:alert(1)",
                "data:text/html,<script>x</script>", "vbscript:x", "//evil.example/x",
                "/relative", "java\tscript:x", "https:evil.example"]


@pytest.mark.parametrize("field", ["sources", "facts", "website"])
def test_a_manager_cannot_store_a_script_link(api, field):
    """Every URL field refuses anything but http(s) (issue 14.1: a javascript: source
    rendered as a link ran in an admin's browser)."""
    h = api.headers_for["manager"]
    path = "/api/initiatives/metalldialog"
    for url in SCRIPT_LINKS:
        body = {"sources": {"sources": [{"url": url}]},
                "facts": {"facts": [{"text": "A fact", "source_url": url}]},
                "website": {"website": url}}[field]
        r = api.patch(path, json=body, headers=h | {"If-Match": _etag(api, path, h)})
        assert r.status_code == 400, (url, r.text)
    page = api.get("/initiatives/metalldialog").text
    assert "script:" not in page.lower()
    assert "data:text" not in page
    assert 'href="//evil' not in page
    assert 'href="/relative' not in page


def test_if_match_star_is_refused(api):
    """`If-Match: *` would overwrite changes the writer has not seen: 428, nothing
    written (the version must be named)."""
    h = api.headers_for["admin"]
    path = "/api/initiatives/metalldialog"
    r = api.patch(path, json={"goals": "blind"}, headers=h | {"If-Match": "*"})
    assert r.status_code == 428
    assert "'*' is not accepted" in r.json()["error"]
    assert api.get(path).json()["goals"] == ""
    r = api.put(f"{path}/kpis/2021", json={"events": 4}, headers=h | {"If-Match": "*"})
    assert r.status_code == 412
    assert api.get(f"{path}/kpis", headers=h).json() == []


def test_tokens_listed_revoked_and_expiring_through_the_api(api):
    h = api.headers_for["manager"]
    made = api.post("/api/tokens", json={"name": "ci", "expires_days": 7}, headers=h)
    assert made.status_code == 201
    new = {"Authorization": f"Bearer {made.json()['token']}"}
    listed = api.get("/api/tokens", headers=new).json()
    assert [(t["name"], t["valid"]) for t in listed] == [("ci", True), ("tests", True)]
    assert listed[0]["expires_at"] is not None
    assert "token" not in listed[0]
    assert api.get("/api/tokens?user=admin", headers=new).status_code == 403
    assert api.delete(f"/api/tokens/{listed[0]['id']}",
                      headers=api.headers_for["analyst"]).status_code == 404
    assert api.delete(f"/api/tokens/{listed[0]['id']}", headers=h).status_code == 204
    assert api.get("/api/tokens", headers=new).status_code == 401
    assert api.post("/api/tokens", json={"name": "x", "expires_days": 0},
                    headers=h).status_code == 400


def test_a_new_password_through_the_api_ends_the_users_tokens(api):
    h = api.headers_for["manager"]
    assert api.get("/api/tokens", headers=h).status_code == 200
    r = api.patch("/api/users/manager", json={"password": "a brand new password"},
                  headers=api.headers_for["admin"])
    assert r.status_code == 204
    assert api.get("/api/tokens", headers=h).status_code == 401
    assert api.patch("/api/users/manager", json={"role": "admin"},
                     headers=h).status_code == 401
    assert api.patch("/api/users/analyst", json={"role": "admin"},
                     headers=api.headers_for["analyst"]).status_code == 403


def test_the_sign_in_form_needs_its_csrf_token(api):
    """A page on another site cannot sign a browser in (login CSRF): the form carries
    a token that must match its cookie."""
    r = api.post("/login", data={"name": "manager", "password": PASSWORDS["manager"]},
                 follow_redirects=False)
    assert r.status_code == 403
    assert "clusteratlas_session" not in r.headers.get("set-cookie", "")
    r = _sign_in(api, "manager", PASSWORDS["manager"], client_csrf="forged")
    assert r.status_code == 403
    assert _sign_in(api, "manager", PASSWORDS["manager"]).status_code == 303
    api.cookies.clear()


def test_a_manager_cannot_make_a_token_on_the_users_page(api):
    """Before: the users page created the token and only then refused to show the
    list (403 with a token made)."""
    assert _sign_in(api, "manager", PASSWORDS["manager"]).status_code == 303
    csrf = api.app.state.registry.actor_for_session(
        api.cookies.get("clusteratlas_session")).csrf
    r = api.post("/admin/users", data={"csrf": csrf, "action": "token", "name": "manager",
                                       "token_name": "sneaky"})
    assert r.status_code == 403
    names = [t["name"] for t in api.app.state.registry.tokens("manager")]
    assert names == ["tests"]
    api.cookies.clear()


def test_a_zip_bomb_upload_is_a_one_line_400(api):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("initiatives.csv", bytes(64 * 1024 * 1024))
    h = api.headers_for["admin"] | {"Content-Type": "application/zip"}
    r = api.post("/api/registry/import?format=csv", content=buffer.getvalue(), headers=h)
    assert r.status_code == 400
    assert r.json()["error"].startswith("request body, initiatives.csv: declares 64 MB")
    bad = api.post("/api/registry/import?format=csv", content=b"PK\x03\x04 broken",
                   headers=h)
    assert bad.status_code == 400
    assert api.post("/api/registry/import?format=csv", content=buffer.getvalue(),
                    headers=api.headers_for["manager"]).status_code == 403


def test_an_import_runs_off_the_event_loop(api, monkeypatch):
    """A long import must not hold up other requests (issue 14.5): the reading and
    writing run in a worker thread, not on the server's event loop."""
    import threading
    import time

    from clusteratlas.service.registry import transfer

    exported = api.get("/api/registry/export?format=json",
                       headers=api.headers_for["admin"]).content
    started = threading.Event()
    real = transfer.import_registry

    def slow_import(*args, **kwargs):
        started.set()
        time.sleep(2.0)  # blocking, as a large import's parsing and writing are
        return real(*args, **kwargs)

    monkeypatch.setattr(transfer, "import_registry", slow_import)
    answers = {}

    def run_import():
        answers["import"] = api.post("/api/registry/import?format=json", content=exported,
                                     headers=api.headers_for["admin"]
                                     | {"Content-Type": "application/json"})

    worker = threading.Thread(target=run_import)
    worker.start()
    assert started.wait(10)
    t0 = time.perf_counter()
    other = api.get("/api/initiatives/cyberforum")
    waited = time.perf_counter() - t0
    worker.join(30)
    assert other.status_code == 200
    assert answers["import"].status_code == 200, answers["import"].text
    assert waited < 1.0, f"a read waited {waited:.2f} s behind the import"
