"""Issue 16 in the browser (Playwright + Debian's Chromium, fixtures in browsing.py):
the synthetic notice on every page that shows demo numbers, found by crawling the
demo site's links; numbers in the page's language on German and English pages; the
XLSX download opens with openpyxl, numbers as numbers and marked; the JSON is marked."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browsing import *  # noqa: F403 (the fixtures: base_url, browser, open_page, page, …)

# the atlas' pages (their numbers are the panel's) and the initiative profiles (their
# impact table is the panel's employment)
_DEMO_NUMBERS = re.compile(r"^/(\?|$)|^/regions/\d+|^/categories/\w+|^/compare\?.*regions=\w"
                           r"|^/initiatives/[\w-]+(\?|$)")
_SKIP = re.compile(r"^/(api|briefing|static|login|logout|admin|review)\b|/(edit|history|kpis)\b")

# what is not a number to the reader, removed before the check: WZ codes, the
# registry's transcribed texts (their wording is the registry's), the footer's sources
_HIDE = """() => {
  const skip = ".code, .facts-list, ul.small, [data-registry-text], footer, script, style";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.parentElement.closest(skip)) out.push(n.textContent);
  }
  return out.join(" ");  // the SVG maps' and charts' tooltips (title) included
}"""
_WZ = r"(?:WZ )?\d{2}\.\d{1,2}(?:\.\d)?"
_CODES = re.compile(rf"\({_WZ}(?:[,;] ?{_WZ})*\)|WZ \d{{2}}\.\d{{1,2}}|\b\d{{1,2}}\.\d{{1,2}}\.\d{{4}}\b")
_WRONG = {"de": re.compile(r"\b[1-9]\d{0,2},\d{3}\b|\b\d+\.\d{1,2}\b"),
          "en": re.compile(r"\b[1-9]\d{0,2}\.\d{3}\b|\b\d+,\d{1,2}\b")}


def _links(pg, base_url: str) -> set[str]:
    # SVG links too (their href is not a string property)
    hrefs = pg.eval_on_selector_all(
        "a[href]", "els => els.map((a) => new URL(a.getAttribute('href'), location.href).href)")
    out = set()
    for href in hrefs:
        parts = urlsplit(href)
        if not href.startswith(base_url):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not _SKIP.search(parts.path):
            out.add(path)
    return out


@pytest.mark.parametrize("lang", ["de", "en"])
def test_synthetic_notice_on_every_page_with_demo_numbers(page, base_url, lang):
    seen: set[str] = set()
    todo = [f"/?lang={lang}", f"/initiatives?lang={lang}", f"/regions/08435?lang={lang}",
            f"/compare?regions=08111,08435&lang={lang}"]
    shown = 0
    # two hops from the map, the initiatives, a district and compare: every district,
    # category and initiative the demo links to
    for _ in range(2):
        found: set[str] = set()
        for path in todo:
            if path in seen:
                continue
            seen.add(path)
            response = page.goto(f"{base_url}{path}", wait_until="domcontentloaded")
            assert response.status == 200, path
            if _DEMO_NUMBERS.search(path):
                notice = page.locator("[data-synthetic='true']")
                assert notice.count() == 1, f"{path}: no synthetic notice"
                assert notice.is_visible(), path
                shown += 1
            found |= {p for p in _links(page, base_url) if f"lang={lang}" in p}
        todo = sorted(found - seen)
    initiatives = {p for p in seen if re.match(r"^/initiatives/[\w-]+\?", p)}
    assert len(initiatives) == 23  # every initiative profile of the demo
    assert len({p for p in seen if p.startswith("/regions/")}) >= 44
    assert len({p.split("?")[0] for p in seen if p.startswith("/categories/")}) == 16
    assert shown > 80


PAGES = ["/?category=aerospace", "/?category=aerospace&indicator=employment",
         "/?category=fastening_technology&indicator=growth", "/regions/08435",
         "/categories/aerospace", "/initiatives/bodenseeairea",
         "/compare?regions=08126,08435,08111"]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_numbers_in_the_page_language(page, base_url, lang):
    for path in PAGES:
        page.goto(f"{base_url}{path}&lang={lang}" if "?" in path
                  else f"{base_url}{path}?lang={lang}")
        text = _CODES.sub(" ", page.evaluate(_HIDE))
        wrong = [text[max(0, m.start() - 30):m.end() + 5] for m in _WRONG[lang].finditer(text)]
        assert wrong == [], (path, wrong)
    # and the numbers are there, grouped as the language groups them
    page.goto(f"{base_url}/regions/08435?lang={lang}")
    total = page.locator('[data-field="total_employment"]').inner_text()
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+" if lang == "de" else r"\d{1,3}(,\d{3})+", total)
    ticks = page.locator("#trend-chart svg text[text-anchor='end']").all_text_contents()
    assert ticks[0] == "0"
    sep = "." if lang == "de" else ","
    assert all(t == "0" or re.fullmatch(rf"\d{{1,3}}(\{sep}\d{{3}})*", t) for t in ticks), ticks


def test_xlsx_download_numbers_and_marker(page, base_url):
    from openpyxl import load_workbook

    page.goto(f"{base_url}/?category=aerospace&lang=de")
    with page.expect_download() as info:
        page.click("text=Tabelle als Excel-Datei (XLSX)")
    assert info.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    data, source = book.worksheets
    header = [c.value for c in data[1]]
    rows = list(data.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 44
    lq = [r[header.index("lq")] for r in rows if r[header.index("lq")] is not None]
    assert lq
    assert all(isinstance(v, float) for v in lq)
    assert {r[header.index("synthetic")] for r in rows} == {True}
    assert source.title == "Quelle"
    assert source.cell(row=2, column=1).value.startswith("Synthetische Demodaten")
    # the CSV beside it: the same marker, machine-readable numbers
    with page.expect_download() as info:
        page.click("text=Tabelle als CSV herunterladen")
    lines = Path(info.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith(",synthetic,data_source")
    assert ",true," in lines[1]


def test_json_has_the_marker(page, base_url):
    page.goto(f"{base_url}/regions/08435?lang=en")
    with page.expect_navigation():
        page.click("footer a[href^='/api/']")
    body = json.loads(page.locator("body").inner_text())
    assert body["synthetic"] is True
    assert body["synthetic_notice"]
    assert any(d["synthetic"] for d in body["provenance"])
