"""Public answers kept per data state (http/cache.py, issue 17.3): replayed exactly,
never across a change of the data, never for a signed-in caller."""

from __future__ import annotations

import shutil

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from clusteratlas.http.cache import ResponseCache
from clusteratlas.http.deps import SESSION_COOKIE
from clusteratlas.registry.store import RegistryStore
from clusteratlas.server import create_app
from clusteratlas.store.datadir import DataDir


def counting_app(max_bytes: int = 64 << 20, **cache):
    """A small app whose routes count their calls; the data state is ``app.state.atlas``."""
    app = FastAPI()
    app.state.atlas = object()
    calls: dict[str, int] = {}

    def count(name: str) -> int:
        calls[name] = calls.get(name, 0) + 1
        return calls[name]

    @app.get("/regions/{code}")
    def region(code: str, request: Request) -> dict[str, object]:
        return {"code": code, "call": count(code), "lang": request.headers.get("accept-language")}

    @app.get("/api/map")
    def big(size: int = 10) -> Response:
        count("map")
        return Response(b"x" * size)

    @app.get("/initiatives/{code}/edit")
    def edit(code: str) -> dict[str, int]:
        return {"call": count("edit")}

    @app.get("/categories/{code}")
    def category(code: str, response: Response) -> dict[str, int]:
        if code == "cookie":
            response.set_cookie("x", "1")
        if code == "missing":
            response.status_code = 404
        return {"call": count(code)}

    cache.setdefault("state", lambda a: a.state.atlas)
    app.add_middleware(ResponseCache, max_bytes=max_bytes, **cache)
    return app, calls


def test_an_anonymous_public_answer_is_computed_once_per_data_state():
    app, calls = counting_app()
    with TestClient(app) as c:
        first = c.get("/regions/08435")
        again = c.get("/regions/08435")
        assert again.content == first.content
        assert again.headers == first.headers
        assert calls["08435"] == 1
        app.state.atlas = object()  # a new snapshot (e.g. the registry changed)
        assert c.get("/regions/08435").json()["call"] == 2


def test_a_state_known_on_the_event_loop_needs_no_thread():
    """``known`` tells the state where it can (nothing committed since); ``state`` (a
    query, off the event loop) is asked only where it cannot."""
    asked: list[int] = []

    def state(app):
        asked.append(1)
        return app.state.atlas

    app, calls = counting_app(state=state,
                              known=lambda a: a.state.atlas if a.state.known else None)
    app.state.known = True
    with TestClient(app) as c:
        first = c.get("/regions/08435").json()
        assert c.get("/regions/08435").json() == first
        assert (calls["08435"], asked) == (1, [])
        app.state.known = False  # something was committed: ask
        app.state.atlas = object()
        assert c.get("/regions/08435").json()["call"] == 2
        assert asked == [1]


def test_what_is_never_kept():
    app, calls = counting_app()
    with TestClient(app) as c:
        for _ in range(2):
            c.get("/regions/a", headers={"Authorization": "Bearer t"})
            c.get("/regions/b", headers={"Cookie": f"{SESSION_COOKIE}=s"})
            c.get("/initiatives/c/edit")
            c.get("/categories/cookie")
            c.get("/categories/missing")
            c.get("/regions/d", headers={"If-None-Match": '"1"'})
    assert calls == {"a": 2, "b": 2, "edit": 2, "cookie": 2, "missing": 2, "d": 2}


def test_the_key_holds_the_query_and_the_headers_that_matter():
    app, calls = counting_app()
    with TestClient(app) as c:
        de = c.get("/regions/x", headers={"Accept-Language": "de"}).json()
        en = c.get("/regions/x", headers={"Accept-Language": "en"}).json()
        c.get("/regions/x?lang=en")
        c.get("/regions/x", headers={"Accept-Language": "de", "User-Agent": "other"})
    assert (de["lang"], en["lang"]) == ("de", "en")
    assert calls["x"] == 3  # the user agent is no part of the key


def test_the_cache_is_bounded_in_bytes():
    app, calls = counting_app(max_bytes=16_000)
    cache = app.build_middleware_stack()
    while not isinstance(cache, ResponseCache):
        cache = cache.app
    with TestClient(app) as c:
        for size in range(900, 1000):  # 100 different answers of about 1 KB
            assert len(c.get(f"/api/map?size={size}").content) == size
        assert cache._bytes <= 16_000
        c.get("/api/map?size=999")
    assert calls["map"] == 100  # the newest were kept


@pytest.fixture
def data_dir(demo_dir, tmp_path) -> DataDir:
    shutil.copytree(demo_dir.path, tmp_path / "data")
    return DataDir(tmp_path / "data")


def test_a_registry_change_by_another_process_is_seen_at_once(data_dir):
    """The kept page of an initiative is not replayed after the registry changed."""
    with TestClient(create_app(data_dir)) as client:
        before = client.get("/initiatives?lang=en").text
        assert client.get("/initiatives?lang=en").text == before
        other = RegistryStore(data_dir.registry_url)  # as a CLI import would
        try:
            with other.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE initiatives SET name = 'Renamed Initiative', "
                                     "version = version + 1 WHERE id = 'cyberforum'")
        finally:
            other.close()
        after = client.get("/initiatives?lang=en").text
    assert "Renamed Initiative" not in before
    assert "Renamed Initiative" in after


def test_static_files_are_kept_and_conditional_requests_still_get_304(data_dir):
    app = create_app(data_dir)
    with TestClient(app) as client:
        first = client.get("/static/atlas.css")
        again = client.get("/static/atlas.css")
        assert (again.content, again.headers) == (first.content, first.headers)
        cache = app.middleware_stack
        while not isinstance(cache, ResponseCache):
            cache = cache.app
        assert any(key[0] == "/static/atlas.css" for key in cache._kept)
        etag = first.headers["etag"]
        assert client.get("/static/atlas.css",
                          headers={"If-None-Match": etag}).status_code == 304
