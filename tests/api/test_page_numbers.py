"""Numbers on the pages in the page's language (issue 16): German pages write
``5.233`` and ``1,96``, English ones ``5,233`` and ``1.96`` – in tables, facts,
tooltips, legends and chart axes; never a decimal point beside a thousands point."""

from __future__ import annotations

import html
import re

import pytest

from clusteratlas.presentation.charts import line_chart
from clusteratlas.presentation.colours import legend

PAGES = ["/?category=aerospace", "/?category=aerospace&indicator=employment",
         "/?category=aerospace&indicator=growth", "/regions/08435", "/regions/08126",
         "/categories/aerospace", "/categories/fastening_technology",
         "/compare?regions=08126,08435,08111", "/initiatives/bodenseeairea",
         "/initiatives/cyberforum"]

# German: an English thousands comma (5,233) or a decimal point (1.96, 6.1 %)
_WRONG = {"de": [re.compile(r"\b[1-9]\d{0,2},\d{3}\b"), re.compile(r"\b\d+\.\d{1,2}\b")],
          # English: a German thousands point (5.233) or a decimal comma (1,96)
          "en": [re.compile(r"\b[1-9]\d{0,2}\.\d{3}\b"), re.compile(r"\b\d+,\d{1,2}\b")]}
# what is not a number to the reader: dates (31.12.2020), WZ codes (32.9, 29.32),
# the registry's transcribed texts (facts, sources) and link targets
_WZ = r"(?:WZ )?\d{2}\.\d{1,2}(?:\.\d)?"
_NOT_NUMBERS = [re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b"),
                re.compile(r'<span class="code">[^<]*</span>'),
                re.compile(rf"\({_WZ}(?:[,;] ?{_WZ})*\)|WZ \d{{2}}\.\d{{1,2}}"),
                # transcribed registry texts: their wording is the registry's ("lang")
                re.compile(r'<ul class="(?:facts-list|small)">.*?</ul>', re.S),
                re.compile(r'<dd data-registry-text>.*?</dd>', re.S),
                re.compile(r"<(script|style)\b.*?</\1>", re.S),
                re.compile(r"<footer>.*?</footer>", re.S)]


def shown_text(page: str) -> str:
    """What a reader sees of a page (text, tooltips), without markup and non-numbers."""
    for pattern in _NOT_NUMBERS:
        page = pattern.sub(" ", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def wrong_numbers(page: str, lang: str) -> list[str]:
    text = shown_text(page)
    found = []
    for pattern in _WRONG[lang]:
        for m in pattern.finditer(text):
            found.append(text[max(0, m.start() - 30):m.end() + 10].replace("\n", " "))
    return found


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_numbers_in_the_page_language(client, path, lang):
    sep = "&" if "?" in path else "?"
    page = client.get(f"{path}{sep}lang={lang}")
    assert page.status_code == 200
    assert wrong_numbers(page.text, lang) == []


def test_the_check_finds_wrong_numbers():
    assert wrong_numbers("<td>5,233</td><td>LQ 1.96</td>", "de") != []
    assert wrong_numbers("<td>5.233</td><td>LQ 1,96</td>", "en") != []
    assert wrong_numbers("<td>5.233</td><td>LQ 1,96</td><td>31.12.2020</td>", "de") == []


def test_region_page_numbers_match_the_api(client):
    api = client.get("/api/regions/08435").json()
    de = client.get("/regions/08435?lang=de").text
    en = client.get("/regions/08435?lang=en").text
    total = api["total_employment"]
    assert f">{total:,.0f}<".replace(",", ".") in de
    assert f">{total:,.0f}<" in en
    aero = next(c for c in api["categories"] if c["category"] == "aerospace")
    assert f"LQ {aero['lq']:.2f}".replace(".", ",") in de
    assert f"LQ {aero['lq']:.2f}" in en
    share = f"{100 * aero['share_of_region']:.1f}"
    assert f"{share.replace('.', ',')}\u00a0%" in de  # no-break space before % (DIN 5008)
    assert f"{share}%" in en


def test_initiative_page_employment_grouped(client):
    impact = client.get("/api/initiatives/bodenseeairea/impact").json()
    cell = impact["cells"][0]
    de = client.get("/initiatives/bodenseeairea?lang=de").text
    start = f"{cell['employment_start']:,.0f}"
    assert f">{start.replace(',', '.')}<" in de
    assert f">{start.replace(',', ' ')}<" not in de or "," not in start


def test_chart_axis_on_round_ticks_in_the_language():
    series = [{"category": "a", "points": [{"year": 2015, "employment": 1832.0},
                                           {"year": 2024, "employment": 5233.0}]}]
    de = [t["label"] for t in line_chart(series, lang="de")["y_ticks"]]
    en = [t["label"] for t in line_chart(series, lang="en")["y_ticks"]]
    assert de == ["0", "2.000", "4.000", "6.000"]
    assert en == ["0", "2,000", "4,000", "6,000"]
    small = [{"category": "a", "points": [{"year": 2015, "employment": 9.0}]}]
    assert [t["label"] for t in line_chart(small, lang="de")["y_ticks"]] == \
        ["0,0", "2,5", "5,0", "7,5", "10,0"]


def test_legend_classes_in_the_language():
    de = [e["label"] for e in legend("employment", "de")]
    en = [e["label"] for e in legend("employment", "en")]
    assert "1.000–2.500" in de
    assert "1,000–2,500" in en
    assert "≥ 5.000" in de
    assert "0,8–1,25" in [e["label"] for e in legend("lq", "de")]
    growth = [e["label"] for e in legend("growth", "de")]
    assert "\u22123\u00a0% bis \u22121\u00a0%" in growth
    # without a language: the classes' own labels (the briefings' renderer until it passes one)
    assert legend("lq")[0]["label"] == "< 0.5"


def test_map_page_legend_and_tooltips_in_german(client):
    page = client.get("/?category=aerospace&indicator=employment&lang=de").text
    assert "1.000–2.500" in page
    api = client.get("/api/map?category=aerospace&indicator=employment").json()
    r = next(r for r in api["regions"] if r["value"] and r["value"] >= 1000)
    assert f"{r['name']}: {r['value']:,.0f}".replace(",", ".") in html.unescape(page)


@pytest.mark.parametrize("path", ["/", "/regions/08435", "/categories/aerospace",
                                  "/compare?regions=08126,08435"])
def test_xlsx_link_beside_every_csv_link(client, path):
    page = client.get(path).text
    csv_links = re.findall(r'href="([^"]*format=csv[^"]*)"', page)
    xlsx_links = re.findall(r'href="([^"]*format=xlsx[^"]*)"', page)
    assert csv_links
    assert [u.replace("format=csv", "format=xlsx") for u in csv_links] == xlsx_links
    for url in xlsx_links:
        got = client.get(html.unescape(url))
        assert got.status_code == 200
        assert got.content[:2] == b"PK"  # a ZIP container: the workbook


def test_menus_in_collation_order(client):
    page = client.get("/compare?lang=de").text
    names = [html.unescape(n) for n in re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)]
    assert len(names) == 44
    # "Böblingen" beside "Bodenseekreis" (ö with its o), not after "Zollernalbkreis"
    assert names.index("Böblingen") < names.index("Bodenseekreis")
    assert names == sorted(names, key=lambda n: n.casefold().replace("ö", "o")
                           .replace("ä", "a").replace("ü", "u"))


def test_filters_sign_and_dates():
    from jinja2 import Environment

    from clusteratlas.web.formatting import install_filters, signed_number

    assert signed_number(1234, "de") == "+1.234"
    assert signed_number(-56.4, "en") == "\u221256"
    assert signed_number(0.2, "de") == "0"
    assert signed_number(None, "de") == "–"
    env = Environment(autoescape=True)
    install_filters(env)
    page = env.from_string("{{ d|date }} {{ y|date }} {{ s|pct }} {{ g|signed_pct }} {{ q|lq }}")
    values = {"d": "2020-12-31", "y": "2014-02", "s": 0.061, "g": -0.042, "q": 1.9634}
    assert page.render(lang="de", **values) == "31.12.2020 2014-02 6,1\u00a0% \u22124,2\u00a0% 1,96"
    assert page.render(lang="en", **values) == "31 Dec 2020 2014-02 6.1% \u22124.2% 1.96"
    from clusteratlas.web.formatting import field_value

    assert [field_value(v, "de") for v in (2.5, 1234, 0.125, None, "x")] == \
        ["2,5", "1234", "0,125", "", "x"]
    assert field_value(2.5, "en") == "2.5"
    with pytest.raises(RuntimeError, match="with context"):
        env.from_string("{{ 5|num }}").render()


_NOT_CRAWLED = re.compile(r"^/(api|briefing|static|login|logout|admin|review)\b"
                          r"|/(edit|history|kpis)\b")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_linked_page_writes_numbers_in_its_language(client, lang):
    """The whole demo site, followed by its links (without the year and indicator
    variants of the same page): no number in the other language's format anywhere."""
    seen: set[str] = set()
    todo = [f"/?lang={lang}", f"/initiatives?lang={lang}", f"/regions/08435?lang={lang}"]
    wrong: dict[str, list[str]] = {}
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        page = client.get(url)
        assert page.status_code == 200, url
        if found := wrong_numbers(page.text, lang):
            wrong[url] = found
        for href in re.findall(r'href="(/[^"#]*)"', page.text):
            href = html.unescape(href)
            if (not _NOT_CRAWLED.search(href.split("?")[0]) and f"lang={lang}" in href
                    and "year=" not in href and "indicator=" not in href):
                todo.append(href)
    assert len(seen) > 100
    assert wrong == {}
