"""Behind a TLS proxy (docs/security.md): with the proxy trusted, as uvicorn trusts
127.0.0.1 by default, the cookies are Secure and the sign-in limiter counts the real
client; from an untrusted proxy the request is plain http from the proxy's address."""

import re

import pytest
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from conftest import seeded_app

PASSWORD = "a password of twelve"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture(scope="module")
def app(tmp_path_factory, demo_dir, atlas):
    app = seeded_app(f"sqlite:///{tmp_path_factory.mktemp('tls') / 'registry.sqlite'}",
                     demo_dir, atlas)
    with TestClient(app):
        app.state.registry.add_user("hn", "manager", PASSWORD, ["metalldialog"])
        yield app


def _sign_in(client, password=PASSWORD, headers=None):
    """The sign-in form, posted with its token cookie sent by hand: the test client
    speaks plain http and would keep a Secure cookie to itself."""
    page = client.get("/login", headers=headers)
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
    client.cookies.clear()
    response = client.post("/login", data={"name": "hn", "password": password, "csrf": token},
                           headers=(headers or {}) | {"Cookie": f"clusteratlas_login={token}"},
                           follow_redirects=False)
    return page, response


def _cookie(response, name):
    return next(c for c in response.headers.get_list("set-cookie") if c.startswith(name + "="))


def test_over_https_both_cookies_are_secure(app):
    with TestClient(app, base_url="https://atlas.example") as client:
        page, signed_in = _sign_in(client)
    assert signed_in.status_code == 303
    assert "; Secure" in _cookie(page, "clusteratlas_login")
    session = _cookie(signed_in, "clusteratlas_session")
    assert all(flag in session for flag in ("HttpOnly", "SameSite=strict", "Secure",
                                            "Path=/", "Max-Age=43200"))


@pytest.mark.parametrize(("trusted", "secure"), [("127.0.0.1,testclient", True),
                                                 ("10.0.0.5", False)])
def test_behind_a_proxy_secure_only_when_the_proxy_is_trusted(app, trusted, secure):
    proxied = ProxyHeadersMiddleware(app, trusted_hosts=trusted)
    with TestClient(proxied) as client:
        _, signed_in = _sign_in(client, headers=FORWARDED)
    assert signed_in.status_code == 303
    assert ("; Secure" in _cookie(signed_in, "clusteratlas_session")) is secure


def test_the_limiter_counts_the_forwarded_client(app):
    """Failures from one client behind the trusted proxy block that client only."""
    proxied = ProxyHeadersMiddleware(app, trusted_hosts="testclient")
    guesser = FORWARDED | {"X-Forwarded-For": "198.51.100.66"}
    with TestClient(proxied) as client:
        for _ in range(5):
            assert _sign_in(client, "a wrong password", guesser)[1].status_code == 401
        assert _sign_in(client, headers=guesser)[1].status_code == 429
        assert _sign_in(client, headers=FORWARDED)[1].status_code == 303
