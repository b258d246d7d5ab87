"""The web atlas in a real browser: Playwright driving Debian's Chromium against the
running server (uvicorn) on the demo data.  Screenshots go to test-artifacts/."""

from __future__ import annotations

import copy
import os
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"


def _chromium() -> str | None:
    return os.environ.get("CLUSTERATLAS_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")


pytestmark = pytest.mark.skipif(
    _chromium() is None, reason="no Chromium on this machine (Debian: apt-get install "
    "chromium; .ci/run installs it)")


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
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[test]')")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(),
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url, request):
    """A page that records console errors and every request, and lets none leave
    localhost (they are aborted and recorded)."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.foreign = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))

    def guard(route):
        if route.request.url.startswith(base_url) or route.request.url.startswith("data:") \
                or route.request.url.startswith("blob:"):
            route.continue_()
        else:
            pg.foreign.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    yield pg
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{request.node.name}.png"), full_page=False)
    assert pg.errors == [], pg.errors
    assert pg.foreign == [], pg.foreign
    context.close()


def _de(n: float) -> str:
    return f"{n:,.0f}".replace(",", ".")


def test_map_pick_category_click_district(page, base_url):
    page.goto(f"{base_url}/?lang=de")
    assert page.locator("h1").inner_text().startswith("Luft- und Raumfahrt")
    with page.expect_navigation():
        page.select_option("#category", "fastening_technology")  # submits on change
    assert "category=fastening_technology" in page.url
    assert page.locator("h1").inner_text().startswith("Befestigungstechnik")
    with page.expect_navigation():
        page.click('svg.map a[data-region="08126"]')
    assert re.search(r"/regions/08126\b", page.url)
    api = httpx.get(f"{base_url}/api/regions/08126").json()
    shown = page.locator('[data-field="total_employment"]').inner_text()
    assert shown == _de(api["total_employment"])
    row = page.locator('tr[data-category="fastening_technology"] td').first.inner_text()
    fastening = next(c for c in api["categories"] if c["category"] == "fastening_technology")
    assert row == _de(fastening["employment"])
    assert "Befestigungstechnik" in page.locator(".gapnote").inner_text()  # the planted gap


def test_switch_language(page, base_url):
    page.goto(f"{base_url}/regions/08435?lang=de")
    assert page.locator("html").get_attribute("lang") == "de"
    with page.expect_navigation():
        page.click("a[hreflang='en']")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Employees" in page.content()


def test_download_csv_and_chart(page, base_url):
    page.goto(f"{base_url}/?category=aerospace&lang=en")
    with page.expect_download() as info:
        page.click("text=Download the table as CSV")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("code,name,abbreviation,value,lq")
    assert len(text.splitlines()) == 45  # header + 44 districts
    page.goto(f"{base_url}/regions/08435?lang=en")
    with page.expect_download() as info:
        page.locator("#trend-chart button", has_text="Chart as SVG").click()
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "polyline" in svg


def test_zoom_and_keyboard(page, base_url):
    page.goto(f"{base_url}/?lang=en")
    before = page.locator("svg.map").get_attribute("viewBox")
    page.click("button[data-zoom='in']")
    assert page.locator("svg.map").get_attribute("viewBox") != before
    page.click("button[data-zoom='reset']")
    after = page.locator("svg.map").get_attribute("viewBox")
    assert [float(v) for v in after.split()] == [float(v) for v in before.split()]
    page.goto(f"{base_url}/?lang=en")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the skip link leads to the content
    assert page.url.endswith("#main")


@pytest.mark.parametrize("path", ["/", "/?indicator=coverage&category=fastening_technology",
                                  "/regions/08126", "/categories/aerospace", "/initiatives",
                                  "/initiatives/cyberforum", "/compare?regions=08111,08212",
                                  "/search?q=lago", "/login"])
def test_pages_load_cleanly(page, base_url, path):
    response = page.goto(f"{base_url}{path}")
    assert response.status == 200
    assert page.locator("main h1").count() == 1
    # every chart has its table or caption as a text alternative
    for fig in page.locator("figure.chart").all():
        assert fig.locator("figcaption").count() == 1
