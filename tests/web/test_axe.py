"""Accessibility checked by a tool: axe-core (npm, installed by the ``axe_source``
fixture) finds no serious or critical violation on any page type in either language.

axe is served to the page at a same-origin URL that Playwright answers itself
(``page.route``), so the page's Content-Security-Policy (``script-src 'self'``) admits
it unchanged: the check runs against the very policy the app sends, and the app never
serves axe.
"""

from __future__ import annotations

import pytest
from browsing import *  # noqa: F403 (the fixtures: base_url, browser, open_page, page, …)

# every page type: map, district, category, compare, search, the registry's list and an
# initiative, login, and an error page (404)
PAGES = ["/", "/?indicator=coverage&category=fastening_technology", "/regions/08435",
         "/categories/aerospace", "/compare?regions=08111,08212", "/search?q=lago",
         "/initiatives", "/initiatives/cyberforum", "/login", "/regions/09999", "/glossary"]
# the registry's pages behind the sign-in (an administrator sees them all)
SIGNED_IN = ["/initiatives/cyberforum", "/initiatives/cyberforum/edit",
             "/initiatives/cyberforum/kpis/2025", "/initiatives/cyberforum/history",
             "/review", "/admin/users"]
BLOCKING = ("serious", "critical")


def _axe(pg, base_url: str, source: str) -> list[dict]:
    pg.route(f"{base_url}/__axe.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=source))
    pg.add_script_tag(url=f"{base_url}/__axe.js")
    result = pg.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " +
                                           n.failureSummary.replace(/\\s+/g, " "))}));
    }""")
    return result


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_violations(open_page, base_url, axe_source, path, lang):
    pg = open_page()
    sep = "&" if "?" in path else "?"
    response = pg.goto(f"{base_url}{path}{sep}lang={lang}")
    if path == "/regions/09999":
        assert response.status == 404
        pg.errors.remove("Failed to load resource: the server responded with a status of "
                         "404 (Not Found)")  # the page itself, which is the point here
    else:
        assert response.status == 200
    assert pg.locator("html").get_attribute("lang") == lang
    _clean(pg, base_url, axe_source)


def _clean(pg, base_url: str, source: str) -> None:
    found = [v for v in _axe(pg, base_url, source) if v["impact"] in BLOCKING]
    assert found == [], "\n".join(f"{v['impact']} {v['id']}: {v['help']}\n  " +
                                  "\n  ".join(v["nodes"]) for v in found)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_registry_forms_no_serious_violations(open_page, sign_in, base_url, axe_source, lang):
    pg = open_page()
    sign_in(pg)
    for path in SIGNED_IN:
        response = pg.goto(f"{base_url}{path}?lang={lang}")
        assert response.status == 200, path
        assert pg.locator("main h1").count() == 1, path
        _clean(pg, base_url, axe_source)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_phone_layout_no_serious_violations(open_page, base_url, axe_source, lang):
    # on a phone the menu button shows and wide tables and charts become focusable
    # scrolling regions: checked with the menu closed and open
    pg = open_page(390, 844)
    for path in ["/regions/08435", "/compare?regions=08111,08212,08435",
                 "/initiatives/cyberforum", "/"]:
        assert pg.goto(f"{base_url}{path}{'&' if '?' in path else '?'}lang={lang}").ok
        assert pg.locator(".table-scroll[role=region], .chart-scroll[role=region]").count(), path
        _clean(pg, base_url, axe_source)
    pg.click(".menu-toggle")
    _clean(pg, base_url, axe_source)
