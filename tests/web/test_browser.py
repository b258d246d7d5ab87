"""The web atlas in a real browser: Playwright driving Debian's Chromium against the
running server (uvicorn) on the demo data (fixtures in conftest.py).  Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from browsing import *  # noqa: F403 (the fixtures: base_url, browser, open_page, page, …)


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
