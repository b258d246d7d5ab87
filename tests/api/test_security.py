"""Security headers on pages, API and static files; request body limits (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clusteratlas.http.limits import IMPORT_LIMIT, LIMIT

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "clusteratlas" / "web" / "templates"


def _directives(policy: str) -> dict[str, str]:
    return {part.split()[0]: part.partition(" ")[2]
            for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("path", [
    "/", "/regions/08111?lang=en", "/initiatives", "/login", "/no/such/page",
    "/api/regions", "/api/map?category=medical_technology", "/api/initiatives",
    "/api/no/such/thing", "/static/atlas.js", "/static/atlas.css", "/openapi.json",
])
def test_every_response_carries_the_security_headers(client, path):
    r = client.get(path)
    assert r.status_code in (200, 404)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "same-origin"
    csp = _directives(r.headers["content-security-policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no other origin
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"


def test_briefing_document_may_style_itself_but_run_nothing(client):
    r = client.get("/briefing/district/08111.html")
    assert r.status_code == 200
    csp = _directives(r.headers["content-security-policy"])
    assert csp["default-src"] == "'none'"  # so no script at all
    assert "script-src" not in csp
    assert csp["style-src"] == "'unsafe-inline'"
    assert csp["frame-ancestors"] == "'none'"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_swagger_ui_from_a_cdn_is_not_served(client):
    assert client.get("/docs").status_code == 404
    assert client.get("/openapi.json").status_code == 200


def test_templates_hold_no_inline_script_or_style():
    # what the policy forbids must not be in the pages, or the browser blocks it
    for path in TEMPLATES.glob("*.html"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), path.name
        assert not re.search(r"\son[a-z]+\s*=", source), path.name
        assert not re.search(r"\sstyle\s*=", source), path.name
        assert "<style" not in source, path.name
        assert "javascript:" not in source, path.name


def test_pages_render_without_inline_style(client):
    for path in ("/", "/?indicator=coverage", "/regions/08111", "/categories/medical_technology"):
        text = client.get(path).text
        assert not re.search(r"\sstyle\s*=", text), path
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path


# --- request body limits -------------------------------------------------------------

def _is_413(r) -> None:
    assert r.status_code == 413
    body = r.json()
    assert set(body) >= {"ok", "error", "errors", "status"}
    assert body["ok"] is False
    assert body["status"] == 413
    assert "larger than" in body["error"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_declared_body_over_the_limit_is_refused_unread(client):
    r = client.post("/api/initiatives", content=b"{" + b" " * LIMIT + b"}",
                             headers={"Content-Type": "application/json"})
    _is_413(r)


def test_chunked_body_over_the_limit_is_refused_while_read(client):
    def chunks():
        for _ in range(LIMIT // 65536 + 2):
            yield b" " * 65536

    # a generator body goes out with Transfer-Encoding: chunked, no Content-Length
    r = client.post("/api/initiatives", content=chunks(),
                             headers={"Content-Type": "application/json"})
    _is_413(r)


def test_form_post_over_the_limit_is_refused(client):
    r = client.post("/login", data={"name": "x", "password": "y" * (LIMIT + 10)})
    assert r.status_code == 413


def test_small_bodies_pass(client):
    r = client.post("/api/initiatives", json={"name": "x", "notes": "ü" * 1000})
    assert r.status_code == 400  # read and validated by the route
    assert "body.id: Field required" in r.json()["errors"]


def test_import_has_a_larger_limit_and_checks_the_caller_first(client):
    body = b"[" + b" " * (2 * LIMIT) + b"]"  # over the general limit, under the import's
    r = client.post("/api/registry/import", content=body,
                             headers={"Content-Type": "application/json"})
    assert r.status_code == 401  # not 413: the import allows more, and wants an admin
    r = client.post("/api/registry/import", content=b" " * (IMPORT_LIMIT + 1),
                             headers={"Content-Type": "application/json"})
    _is_413(r)


def test_an_internal_error_gets_the_headers_too(demo_dir, atlas):
    # Starlette answers an unexpected exception outside the middleware stack
    import copy

    from fastapi.testclient import TestClient

    from clusteratlas.server import create_app

    app = create_app(demo_dir, atlas=copy.copy(atlas))

    def boom() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/api/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/boom")
    assert r.status_code == 500
    assert r.json()["error"] == "internal error (RuntimeError); see the server log"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
