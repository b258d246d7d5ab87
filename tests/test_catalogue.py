"""The one catalogue of interface strings (clusteratlas.i18n): complete in both
languages, and a German page shows no English catalogue string."""

from __future__ import annotations

import html
import re
import string
from pathlib import Path

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
    labels, placeholders), as a catalogue string would appear: whole."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    pieces = re.findall(r'(?:title|aria-label|placeholder|alt)="([^"]*)"', page)
    pieces += re.split(r"<[^>]+>", page)
    out = set()
    for piece in pieces:
        piece = " ".join(html.unescape(piece).split()).strip(" :·–(),")
        if piece:
            out.add(piece)
    return out


# English wordings that are also German words or names
_SAME_IN_BOTH = {"Label", "Status", "Cluster", "Clusteratlas", "Start"}


def _english_only() -> dict[str, str]:
    german = {e["de"] for e in STRINGS.values()}
    return {key: entry["en"] for key, entry in STRINGS.items()
            if "{" not in entry["en"] and entry["en"] not in german | _SAME_IN_BOTH}


@pytest.mark.parametrize("path", [
    "/", "/?indicator=coverage", "/regions/08111", "/categories/medical_technology",
    "/compare?regions=08111&regions=08212", "/search?q=Ulm", "/initiatives",
    "/initiatives/bioregio-stern", "/login", "/no/such/page",
])
def test_german_pages_show_no_english_catalogue_string(client, path):
    r = client.get(path)
    assert r.status_code in (200, 404)
    shown = _text_nodes(r.text)
    assert "Legende" in shown or "Anmelden" in shown or r.status_code == 404
    english = _english_only()
    assert len(english) > 200
    assert {key: en for key, en in english.items() if en.strip(" :·–(),") in shown} == {}


def test_the_check_sees_an_english_label():
    page = '<p>Legende</p><th scope="col">Employees</th><a title="Chart as SVG">x</a>'
    shown = _text_nodes(page)
    english = _english_only()
    assert {k for k, en in english.items() if en in shown} >= {"employment", "download_svg"}
