"""The browser tests' fixtures: the running server (uvicorn on the demo data), Debian's
Chromium driven by Playwright, pages that let no request leave localhost, a sign-in as
the registry's administrator, and axe-core (from npm, cached; served to the page only
here, never by the app).

Each test module takes them with ``from browsing import *``: a tests/web/conftest.py
would be imported as the module ``conftest`` too and shadow tests/conftest.py, whose
helpers other test modules import by that name."""

from __future__ import annotations

import copy
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ADMIN", "axe_source", "base_url", "browser", "open_page", "page", "sign_in"]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_VERSION = "4"
# an administrator of the registry (added when the server starts), to reach its forms
ADMIN = ("agency", "agency password 1")
# ``.ci/run`` sets this: there the accessibility check must run, never skip
REQUIRE_AXE = os.environ.get("CLUSTERATLAS_REQUIRE_AXE") == "1"


def _chromium() -> str | None:
    return os.environ.get("CLUSTERATLAS_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, demo_dir, atlas):
    import uvicorn

    from clusteratlas.demo.content import demo_initiatives
    from clusteratlas.registry.store import RegistryStore
    from clusteratlas.server import create_app
    from clusteratlas.service.demo import seed_registry

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'registry.sqlite'}"
    store = RegistryStore(url)
    seed_registry(store, demo_initiatives())
    store.close()
    app = create_app(demo_dir, atlas=copy.copy(atlas), registry_url=url)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    app.state.registry.add_user(ADMIN[0], "admin", ADMIN[1])
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if _chromium() is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium; "
                    ".ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(),
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def open_page(browser, base_url, request) -> Iterator[Callable[..., Any]]:
    """``open_page(width, height, **context_options)``: a page of that viewport (and
    Playwright's context options, e.g. ``java_script_enabled``) that records console errors
    and every request, and lets none leave localhost (they are aborted and recorded).
    When the test ends, each page is screenshot and must have had neither."""
    opened: list[Any] = []

    def open_(width: int = 1280, height: int = 900, **options: Any) -> Any:
        context = browser.new_context(accept_downloads=True,
                                      viewport={"width": width, "height": height}, **options)
        pg = context.new_page()
        pg.errors = []
        pg.foreign = []
        pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: pg.errors.append(str(e)))

        def guard(route):
            url = route.request.url
            if url.startswith((base_url, "data:", "blob:")):
                route.continue_()
            else:
                pg.foreign.append(url)
                route.abort()

        pg.route("**/*", guard)
        opened.append(pg)
        return pg

    yield open_
    SHOTS.mkdir(parents=True, exist_ok=True)
    for n, pg in enumerate(opened):
        suffix = f"-{n}" if n else ""
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        pg.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=False)
        assert pg.errors == [], pg.errors
        assert pg.foreign == [], pg.foreign
        pg.context.close()


@pytest.fixture
def sign_in(base_url) -> Callable[[Any], None]:
    """``sign_in(page)``: sign the page in as the registry's administrator, by the form."""
    def sign_in_(pg: Any) -> None:
        pg.goto(f"{base_url}/login?lang=de")
        pg.fill("input[name=name]", ADMIN[0])
        pg.fill("input[name=password]", ADMIN[1])
        with pg.expect_navigation():
            pg.click("main button[type=submit]")
        assert pg.locator("form[action^='/logout']").count() == 1
    return sign_in_


@pytest.fixture
def page(open_page):
    """A desktop page (1280 × 900), see ``open_page``."""
    return open_page()


@pytest.fixture(scope="session")
def axe_source(tmp_path_factory) -> str:
    """axe-core's ``axe.min.js``, installed from npm once into a cache directory
    (``CLUSTERATLAS_AXE_CACHE``, default ``~/.cache/clusteratlas-axe``)."""
    cache = Path(os.environ.get("CLUSTERATLAS_AXE_CACHE")
                 or Path.home() / ".cache" / "clusteratlas-axe")
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        why = None
        if npm is None:
            why = "npm is not installed (Debian: apt-get install nodejs npm; .ci/run does)"
        else:
            done = subprocess.run(
                [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund",
                 f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=300)
            if done.returncode != 0 or not script.exists():
                why = f"npm install axe-core@{AXE_VERSION} failed: " + \
                      (done.stderr.strip().splitlines() or ["no output"])[-1]
        if why:
            if REQUIRE_AXE:
                pytest.fail(f"CLUSTERATLAS_REQUIRE_AXE=1 but {why}")
            pytest.skip(why)
    return script.read_text(encoding="utf-8")
