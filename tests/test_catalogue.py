"""The one catalogue of interface strings (clusteratlas.i18n): complete in both
languages, and a German page shows no English catalogue string."""

from __future__ import annotations

import html
import re
import string
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from clusteratlas.i18n import LANGUAGES, STRINGS, text, translator
from clusteratlas.web.i18n import translator as page_translator

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "clusteratlas" / "web" / "templates"

# What the briefings ask for: the keys of their former table (service/briefings.py `T`)
# and the words they wrote inline ("Jahr" if lang == "de" …).
BRIEFING_KEYS = [
    "district_title", "district_sub", "headline", "employment", "population", "strongest",
    "category", "stars", "strong", "yes", "map", "map_caption", "trends", "coverage",
    "status", "district_initiatives", "none_here", "options", "options_note", "industry",
    "density", "state_compare", "share_here", "share_state", "methods", "methods_text",
    "sources", "generated", "synthetic", "initiative_title", "profile", "kpis", "no_kpis",
    "benchmark", "impact", "cooperations", "labels", "state_title", "state_sub", "portfolio",
    "covered_share", "gaps", "matrix", "all_initiatives", "top", "no_top", "district", "seat",
    "members", "events", "agglomerations", "covered", "gap", "emerging", "no_base", "none",
    "composite",
    # inline words
    "year", "initiatives", "sector", "f_managing_organisation", "founded", "value",
    "percentile", "from", "until",
]


def _fields(wording: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(wording) if name}


def test_every_key_in_both_languages():
    assert LANGUAGES == ("de", "en")
    for key, entry in STRINGS.items():
        assert set(entry) == set(LANGUAGES), key
        for lang in LANGUAGES:
            assert entry[lang].strip(), f"{key} is empty in {lang}"
        # the same {fields} in both wordings, or one language fails to format
        assert _fields(entry["de"]) == _fields(entry["en"]), key


def test_briefings_find_all_their_keys():
    missing = [k for k in BRIEFING_KEYS if k not in STRINGS]
    assert missing == []
    assert text("district_title", "de", name="Ulm") == "Clusterprofil Ulm"
    assert text("district_title", "en", name="Ulm") == "Cluster profile: Ulm"
    assert translator("en")("year") == "Year"
    assert translator("xx")("year") == "Jahr"  # anything else is German
    with pytest.raises(KeyError):
        text("no_such_key", "de")


def test_every_key_a_template_names_exists():
    named: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        source = path.read_text(encoding="utf-8")
        named |= set(re.findall(r"\bt\('([a-z0-9_]+)'\)", source))
        for a, b in re.findall(r"\bt\('([a-z0-9_]+)' if .+? else '([a-z0-9_]+)'\)", source):
            named |= {a, b}
    assert len(named) > 100
    assert sorted(named - set(STRINGS)) == []


def test_page_translator_shows_unknown_keys_as_themselves():
    t = page_translator("en")
    assert t("legend") == "Legend"
    assert t("status_unheard_of") == "status_unheard_of"


def _text_nodes(page: str) -> set[str]:
    """The page's visible text pieces between tags, and its attribute texts (titles,
    labels, placeholders), as a catalogue string would appear: whole.  Text marked as
    being in another language (``<span lang="en">`` on a German page: a registry text
    that has no German variant) is left out: it says which language it is in."""
    page = re.sub(r"<(script|style|textarea)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r'<(?!html\b)(\w+)[^>]*\slang="[a-z]{2}"[^>]*>.*?</\1>', " ", page,
                  flags=re.S)
    pieces = re.findall(r'(?:title|aria-label|placeholder|alt)="([^"]*)"', page)
    pieces += re.split(r"<[^>]+>", page)
    out = set()
    for piece in pieces:
        piece = " ".join(html.unescape(piece).split()).strip(" :·–(),.")
        if piece:
            out.add(piece)
    return out


# wordings that are the same words in both languages, or names
_SAME_IN_BOTH = {"Label", "Status", "Cluster", "Clusteratlas", "Start", "Management", "Web",
                 "Name", "Cluster Atlas", "Deutsch", "English", "Rang", "Code", "PDF", "CSV",
                 "XLSX", "JSON", "SVG", "Login"}


def _foreign(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """The other language's catalogue wordings a ``lang`` page must not show: those
    to match as a whole text piece, and the sentences (four words or more, the longest
    literal part of a wording with fields) to look for anywhere in the page's text."""
    other = "en" if lang == "de" else "de"
    own = {e[lang] for e in STRINGS.values()}
    whole: dict[str, str] = {}
    anywhere: dict[str, str] = {}
    for key, entry in STRINGS.items():
        wording = entry[other]
        if entry["de"] == entry["en"] or wording in own or wording in _SAME_IN_BOTH:
            continue
        parts = [p.strip(" :·–(),.") for p, *_ in string.Formatter().parse(wording)]
        longest = max(parts, key=len)
        if len(longest.split()) >= 4 and all(longest not in w for w in own):
            anywhere[key] = longest
        if "{" not in wording and len(wording) >= 3:
            whole[key] = wording.strip(" :·–(),.")
    return whole, anywhere


def _shown_foreign(page: str, lang: str) -> dict[str, str]:
    shown = _text_nodes(page)
    text_only = " ".join(sorted(shown))
    whole, anywhere = _foreign(lang)
    found = {k: w for k, w in whole.items() if w in shown}
    found |= {k: w for k, w in anywhere.items() if w in text_only}
    return found


_NOT_CRAWLED = re.compile(r"^/(api|static|briefing|logout)|\.(csv|xlsx|pdf|svg|json|zip)$")
# query parameters whose values only change numbers or selections, not the wording
_SAME_WORDING = {"next", "regions", "year", "page", "version", "q", "region", "since"}


def _crawl(client, lang: str, seeds: list[str], within: tuple[str, ...] = ("/",),
           ) -> dict[str, str]:
    """Every page reachable from ``seeds`` by the links of the site (under the paths
    ``within``), in ``lang``: one page per path and distinct wording parameters
    (``{url: html}``)."""
    def norm(href: str) -> tuple[str, str] | None:
        parts = urlsplit(href.replace("&amp;", "&"))
        if parts.scheme or parts.netloc or not parts.path.startswith(within) \
                or _NOT_CRAWLED.search(parts.path):
            return None
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"]
        shape = parts.path + "?" + urlencode(sorted(
            (k, v if k not in _SAME_WORDING else "") for k, v in query))
        return shape, parts.path + "?" + urlencode([*query, ("lang", lang)])

    todo = [n for n in map(norm, seeds) if n]
    seen = {shape for shape, _ in todo}
    pages: dict[str, str] = {}
    while todo:
        _, url = todo.pop()
        page = client.get(url).text
        pages[url] = page
        for href in re.findall(r'href="([^"#]+)"', page):
            found = norm(href)
            if found and found[0] not in seen:
                seen.add(found[0])
                todo.append(found)
    return pages


_SEEDS = ["/", "/initiatives", "/login", "/glossary", "/search?q=Ulm", "/search?q=U",
          "/no/such/page", "/regions/99999", "/initiatives/no-such-initiative",
          "/compare?regions=08111&regions=08212&regions=08221&regions=08222&regions=08231"
          "&regions=08235", "/review", "/admin/users", "/initiatives/metalldialog/edit"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, demo_dir, atlas):
    """The demo site crawled in both languages, once signed out and once as the agency's
    administrator (edit, KPI, history, review and user pages)."""
    from fastapi.testclient import TestClient

    from conftest import seeded_app

    url = f"sqlite:///{tmp_path_factory.mktemp('crawl') / 'registry.sqlite'}"
    app = seeded_app(url, demo_dir, atlas)
    pages: dict[str, dict[str, str]] = {"de": {}, "en": {}}
    with TestClient(app) as client:
        app.state.registry.add_user("crawler", "admin", "crawler password 1")
        for lang in LANGUAGES:
            pages[lang] |= _crawl(client, lang, _SEEDS)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
        client.post("/login", data={"name": "crawler", "password": "crawler password 1",
                                    "csrf": token}, follow_redirects=False)
        for lang in LANGUAGES:
            # the pages only a signed-in keeper sees (the rest looks the same)
            signed_in = _crawl(client, lang, [*_SEEDS, "/initiatives/metalldialog/history",
                                              "/initiatives/metalldialog/kpis/2024"],
                               within=("/initiatives", "/review", "/admin"))
            pages[lang] |= {f"{u} (signed in)": p for u, p in signed_in.items()}
    return pages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_shows_a_catalogue_string_of_the_other_language(site, lang):
    pages = site[lang]
    paths = {urlsplit(u).path for u in pages}
    # the crawl reached every kind of page
    assert {"/", "/initiatives", "/login", "/glossary", "/search", "/no/such/page",
            "/initiatives/cyberforum", "/regions/08435", "/compare", "/review",
            "/admin/users", "/initiatives/metalldialog/edit"} <= paths
    assert sum(p.startswith("/categories/") for p in paths) >= 10
    whole, anywhere = _foreign(lang)
    assert len(whole) > 200
    assert len(anywhere) > 20
    found = {url: _shown_foreign(page, lang) for url, page in pages.items()}
    assert {url: f for url, f in found.items() if f} == {}


def test_the_check_sees_an_english_label():
    page = ('<p>Legende</p><th scope="col">Employees</th><a title="Chart as SVG">x</a>'
            '<p>Text <span lang="en">Employees</span></p>')
    assert set(_shown_foreign(page, "de")) >= {"employment", "download_svg"}
    assert _shown_foreign('<p>Text <span lang="en">Employees</span></p>', "de") == {}
    assert "employment" in _shown_foreign('<html lang="de"><p>Employees</p></html>', "de")
    sentence = "<p>Note: " + STRINGS["none_here"]["en"] + " More.</p>"
    assert "none_here" in _shown_foreign(sentence, "de")
