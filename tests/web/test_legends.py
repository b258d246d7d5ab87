"""Map legends on a phone (issue 16.9): every indicator's legend names its classes and
explains them, fits the 390 px screen and leaves the district labels readable."""

from __future__ import annotations

import pytest
from browsing import *  # noqa: F403 (the fixtures: base_url, browser, open_page, page, …)

EXPLAINED = {"lq": "ab 1,25 spezialisiert", "employment": "festen Größenklassen",
             "stars": "Stern bei einem LQ unter 1", "strong": "75. Perzentil",
             "growth": "CAGR", "coverage": "Landesweite Netzwerke zählen"}


@pytest.mark.parametrize("indicator", sorted(EXPLAINED))
def test_legend_explains_its_classes_at_390_px(open_page, base_url, indicator):
    pg = open_page(390, 844)
    pg.goto(f"{base_url}/?indicator={indicator}&category=photonics&lang=de")
    legend = pg.locator("aside.legend")
    assert EXPLAINED[indicator] in legend.inner_text()
    items = legend.locator("li").all_inner_texts()
    assert len(items) >= 3
    assert all(t.strip() and t.strip() != "–" for t in items), items
    box = legend.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert legend.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    # labels are drawn last: no seat marker lies on top of a label
    order = pg.evaluate("""() => [...document.querySelectorAll('svg.map > *')]
        .map(e => e.classList.contains('seat') ? 'm' : e.classList.contains('label') ? 'l' : '')
        .filter(Boolean).join('')""")
    assert "lm" not in order
