"""The glossary and the explanations beside the indicators in a real browser, in both
languages, at desktop and phone width: an explanation unfolds from the keyboard and its
link lands on the glossary's entry; no page scrolls sideways.  Full-page screenshots of
the glossary and an initiative go to test-artifacts/languages/ to be looked at."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import *  # noqa: F403 (the fixtures: base_url, browser, open_page, page, …)

from clusteratlas.i18n import STRINGS

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "languages"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def _fits(pg) -> None:
    assert pg.evaluate("document.documentElement.scrollWidth") <= \
        pg.evaluate("document.documentElement.clientWidth")


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_glossary_and_initiative_in_both_languages(open_page, base_url, lang, width):
    pg = open_page(*WIDTHS[width])
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.goto(f"{base_url}/glossary?lang={lang}")
    assert pg.locator("h1").inner_text() == STRINGS["glossary"][lang]
    assert pg.locator("dl.glossary dt").count() == 9
    _fits(pg)
    pg.screenshot(path=str(SHOTS / f"glossary-{lang}-{width}.png"), full_page=True)
    pg.goto(f"{base_url}/initiatives/bodenseeairea?lang={lang}")
    members = "27 finanziell und inhaltlich" if lang == "de" else "27 companies financially"
    assert members in pg.locator("main").inner_text()
    _fits(pg)
    pg.screenshot(path=str(SHOTS / f"initiative-{lang}-{width}.png"), full_page=True)


def test_an_explanation_unfolds_from_the_keyboard_and_leads_to_the_glossary(page, base_url):
    page.goto(f"{base_url}/regions/08126?lang=de")
    summary = page.locator("details.explain summary").first
    text = page.locator("details.explain p").first
    assert not text.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert text.is_visible()
    assert STRINGS["ex_lq"]["de"] in text.inner_text()
    text.locator("a").click()
    page.wait_for_url("**/glossary?lang=de#lq")
    target = page.locator("#lq")
    assert target.inner_text() == STRINGS["gl_lq_term"]["de"]
    assert target.bounding_box()["y"] < 300  # scrolled to the entry
