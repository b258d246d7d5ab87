"""Phone and tablet: no page scrolls sideways at 390 or 768 px, the navigation collapses
behind a keyboard-operable menu button, the language switch stays on screen, tables
scroll inside their box, maps and charts fit the width; and the keyboard path from the
map to a district to an initiative.  Full-page screenshots at 1280, 768 and 390 px go
to test-artifacts/responsive/ to be looked at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browsing import *  # noqa: F403 (the fixtures: base_url, browser, open_page, page, …)

RESPONSIVE = Path(__file__).resolve().parents[2] / "test-artifacts" / "responsive"
PAGES = {
    "map": "/", "coverage": "/?indicator=coverage&category=fastening_technology",
    "district": "/regions/08435", "category": "/categories/aerospace",
    "compare": "/compare?regions=08111,08212,08435", "search": "/search?q=lago",
    "initiatives": "/initiatives", "initiative": "/initiatives/cyberforum",
    "login": "/login", "error": "/regions/09999", "glossary": "/glossary",
}
WIDTHS = {"phone": (390, 844), "tablet": (768, 1024)}

# the widest element that sticks out of the viewport, to name it when the page scrolls
_OVERFLOW = """() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && !el.closest(".table-scroll")) out.push(
      `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className.baseVal ??
        el.className} right=${Math.round(r.right)}`);
  }
  return out.slice(0, 8);
}"""


# chart and map lettering drawn under 9.5 px on screen (font size × the SVG's scale)
_SMALL_TEXT = """() => {
  const out = [];
  for (const t of document.querySelectorAll("figure.chart svg text, svg.map text.label")) {
    const svg = t.ownerSVGElement;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (px < 9.5) out.push(`${t.textContent} ${px.toFixed(1)} px`);
  }
  return out.slice(0, 5);
}"""


def _open(open_page, base_url, name, size, lang="de", **kwargs):
    pg = open_page(*size, **kwargs)
    path = PAGES[name]
    response = pg.goto(f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}")
    if name == "error":
        assert response.status == 404
        pg.errors.remove("Failed to load resource: the server responded with a status of "
                         "404 (Not Found)")
    else:
        assert response.status == 200
    return pg


def _no_sideways_scroll(pg) -> None:
    sizes = pg.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], (sizes, pg.evaluate(_OVERFLOW))


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_horizontal_scroll(open_page, base_url, name, width):
    pg = _open(open_page, base_url, name, WIDTHS[width])
    _no_sideways_scroll(pg)
    # the language switch is on screen without opening the menu
    switch = pg.locator("a.lang-switch")
    assert switch.is_visible()
    box = switch.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= WIDTHS[width][0]
    # maps are no wider than the page; a chart keeps a legible size and scrolls in its box
    for svg in pg.locator("svg.map, .chart-scroll").all():
        assert svg.bounding_box()["width"] <= WIDTHS[width][0]
    small = pg.evaluate(_SMALL_TEXT)
    assert small == [], small
    # a table or chart wider than the screen scrolls inside its own box, which keyboard
    # users reach
    for box in pg.locator(".table-scroll, .chart-scroll").all():
        wide = box.evaluate("b => b.scrollWidth > b.clientWidth + 1")
        assert box.get_attribute("tabindex") == ("0" if wide else None)
    RESPONSIVE.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(RESPONSIVE / f"{width}-{name}.png"), full_page=True)


@pytest.mark.parametrize("name", ["map", "district", "initiative"])
def test_desktop_screenshots(open_page, base_url, name):
    pg = _open(open_page, base_url, name, (1280, 900))
    _no_sideways_scroll(pg)
    assert pg.evaluate(_SMALL_TEXT) == []
    assert not pg.locator(".menu-toggle").is_visible()  # the navigation is open on a desktop
    assert pg.locator("nav.main-nav a").first.is_visible()
    RESPONSIVE.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(RESPONSIVE / f"desktop-{name}.png"), full_page=True)


def test_english_phone_page(open_page, base_url):
    # English words are longer in places (the switch says "Deutsch")
    pg = _open(open_page, base_url, "district", WIDTHS["phone"], lang="en")
    _no_sideways_scroll(pg)
    assert pg.locator("a.lang-switch").inner_text() == "Deutsch"
    assert pg.get_by_role("button", name="Zoom in").count() == 1
    assert pg.get_by_role("button", name="Menu").is_visible()


def test_without_javascript_phone(open_page, base_url):
    # progressive enhancement: no menu button, the navigation wraps, tables still scroll
    pg = _open(open_page, base_url, "district", WIDTHS["phone"], java_script_enabled=False)
    _no_sideways_scroll(pg)
    assert not pg.locator(".menu-toggle").is_visible()
    assert pg.locator("nav.main-nav a").first.is_visible()
    assert not pg.locator(".zoom").first.is_visible()  # zooming needs the script


def test_menu_button_by_keyboard(open_page, base_url):
    pg = _open(open_page, base_url, "map", WIDTHS["phone"])
    nav = pg.locator("nav.main-nav")
    button = pg.locator(".menu-toggle")
    assert button.is_visible()
    assert not nav.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "main-nav"
    assert pg.get_by_role("button", name="Hineinzoomen").count() == 1  # named in German
    button.focus()
    pg.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    _no_sideways_scroll(pg)
    RESPONSIVE.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(RESPONSIVE / "phone-menu-open.png"))
    pg.keyboard.press("Tab")  # into the opened navigation
    assert pg.evaluate("document.activeElement.closest('nav') !== null")
    pg.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    assert pg.evaluate("document.activeElement.classList.contains('menu-toggle')")
    pg.keyboard.press("Space")
    assert nav.is_visible()
    with pg.expect_navigation():
        nav.get_by_role("link", name="Clusterinitiativen").click()
    assert "/initiatives" in pg.url


def _tab_to(pg, selector: str, limit: int = 400) -> str:
    """Press Tab until the focused element matches ``selector``; its href."""
    for _ in range(limit):
        pg.keyboard.press("Tab")
        if pg.evaluate("s => document.activeElement.matches(s)", selector):
            return pg.evaluate("document.activeElement.getAttribute('href')")
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("width", [1280, 390])
def test_keyboard_path_map_district_initiative(open_page, base_url, width):
    pg = open_page(width, 900)
    pg.goto(f"{base_url}/?category=aerospace&lang=de")
    # the map's districts are links in the tab order
    href = _tab_to(pg, 'svg.map a[data-region="08435"]')
    assert href.startswith("/regions/08435")
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    assert re.search(r"/regions/08435\?", pg.url)
    assert pg.locator("h1").inner_text().startswith("Bodenseekreis")
    href = _tab_to(pg, "main a[href^='/initiatives/']")
    with pg.expect_navigation():
        pg.keyboard.press("Enter")
    assert re.search(r"/initiatives/[\w-]+\?lang=de$", pg.url)
    assert pg.url.endswith(href)
    assert pg.locator("main h1").count() == 1


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_registry_forms_fit(open_page, sign_in, base_url, width):
    pg = open_page(*WIDTHS[width])
    sign_in(pg)
    for path in ["/initiatives/cyberforum/edit", "/initiatives/cyberforum/kpis/2025",
                 "/initiatives/cyberforum/history", "/review", "/admin/users"]:
        assert pg.goto(f"{base_url}{path}?lang=de").status == 200, path
        _no_sideways_scroll(pg)
        RESPONSIVE.mkdir(parents=True, exist_ok=True)
        name = path.strip("/").replace("/", "-")
        pg.screenshot(path=str(RESPONSIVE / f"{width}-{name}.png"), full_page=True)
