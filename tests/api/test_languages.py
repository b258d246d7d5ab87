"""Two complete languages on the pages: registry texts in the page's language (the other
one marked with its ``lang``), error pages, impact notes and sources from the catalogue,
the glossary and the explanations beside the indicators, classification titles."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import Markup

from clusteratlas.i18n import STRINGS
from clusteratlas.web.i18n import dataset_text, error_detail, variant
from clusteratlas.web.views import GLOSSARY
from conftest import seeded_app


@pytest.fixture
def web(tmp_path, demo_dir, atlas):
    app = seeded_app(f"sqlite:///{tmp_path / 'registry.sqlite'}", demo_dir, atlas)
    with TestClient(app) as client:
        app.state.registry.add_user("agency", "admin", "agency password 1")
        yield client


def _main(page: str) -> str:
    return page[page.index("<main"):page.index("</main>")]


def test_variant_takes_the_page_language_and_marks_the_other():
    assert variant("über 1.200", "over 1,200", "de") == "über 1.200"
    assert variant("über 1.200", "over 1,200", "en") == "over 1,200"
    assert variant(None, "Aerospace", "de") == '<span lang="en">Aerospace</span>'
    assert variant("Luftfahrt", "", "en") == '<span lang="de">Luftfahrt</span>'
    assert variant(None, None, "en") == "–"
    # editors' texts are escaped, in either branch
    assert variant("<b>x</b>", None, "de") == "&lt;b&gt;x&lt;/b&gt;"
    assert "<script>" not in variant(None, "<script>", "de")
    assert isinstance(variant("a", "b", "de"), Markup)


@pytest.mark.parametrize(("lang", "members", "sector", "fact"), [
    ("de", "über 1.200 (2017 und 2022)", "IT / Hightech-Gründer",
     "Gegründet am 4. Juli 1997 von 10 Partnern"),
    ("en", "over 1,200 (2017 and 2022)", "IT / high-tech entrepreneurs",
     "Founded 4 Jul 1997 by 10 partners"),
])
def test_initiative_page_shows_its_language(web, lang, members, sector, fact):
    page = _main(web.get(f"/initiatives/cyberforum?lang={lang}").text)
    assert re.search(f"<dd[^>]*>{re.escape(members)}</dd>", page)
    assert re.search(f"<dd[^>]*>{re.escape(sector)}</dd>", page)
    assert f"<li>{fact}</li>" in page
    other = "over 1,200" if lang == "de" else "über 1.200"
    assert other not in page


def test_a_text_without_english_shows_the_german_marked(web):
    page = _main(web.get("/initiatives/cyberforum?lang=en").text)
    # the managing organisation is a name: no English variant
    assert re.search(r'<dd[^>]*><span lang="de">CyberForum e\.V\.</span></dd>', page)
    german = _main(web.get("/initiatives/cyberforum?lang=de").text)
    assert re.search(r"<dd[^>]*>CyberForum e\.V\.</dd>", german)
    # cooperations and projects are kept in German only: marked on the English page
    assert ': <span lang="de">Kooperation mit der Stadt Baden-Baden' in page
    assert ": Kooperation mit der Stadt Baden-Baden" in german


def test_list_region_and_search_pages_show_the_sector_in_their_language(web):
    listing = web.get("/initiatives?lang=de&q=bodensee").text
    assert "<td>Luft- und Raumfahrt</td>" in listing
    assert "<td>Aerospace</td>" in web.get("/initiatives?lang=en&q=bodensee").text
    region = web.get("/regions/08435?lang=de").text
    assert "— Luft- und Raumfahrt<br>" in region
    assert "27 finanziell und inhaltlich beteiligte Unternehmen" in region
    assert "27 companies financially" in web.get("/regions/08435?lang=en").text
    # the registry's text search looks in the English variants too
    assert "bodenseeairea" in web.get("/initiatives?lang=de&q=aerospace").text


def _login(client):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)[1]
    client.post("/login", data={"name": "agency", "password": "agency password 1",
                                "csrf": token}, follow_redirects=False)
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/initiatives").text)[1]


def test_edit_form_keeps_both_variants(web):
    csrf = _login(web)
    form = web.get("/initiatives/solarlago/edit?lang=de").text
    for field in ("sector", "sector_en", "goals", "goals_en", "members_text_en"):
        assert f'name="{field}"' in form
    assert STRINGS["bilingual_note"]["de"] in form
    version = re.search(r'name="version" value="(\d+)"', form)[1]
    fields = {k: v for k, v in re.findall(r'<input name="([a-z_]+)" value="([^"]*)"', form)}
    r = web.post("/initiatives/solarlago/edit?lang=de", data={
        **fields, "csrf": csrf, "version": version, "goals": "Solarbranche stärken",
        "goals_en": "Strengthen the solar industry", "status": "active"},
        follow_redirects=False)
    assert r.status_code == 303
    assert "<p>Solarbranche stärken</p>" in web.get("/initiatives/solarlago?lang=de").text
    english = web.get("/initiatives/solarlago?lang=en").text
    assert "<p>Strengthen the solar industry</p>" in english
    # an emptied English field is no English variant (NULL), and the page falls back
    form = web.get("/initiatives/solarlago/edit?lang=de").text
    version = re.search(r'name="version" value="(\d+)"', form)[1]
    fields = {k: v for k, v in re.findall(r'<input name="([a-z_]+)" value="([^"]*)"', form)}
    web.post("/initiatives/solarlago/edit?lang=de", data={
        **fields, "csrf": csrf, "version": version, "goals": "Solarbranche stärken",
        "goals_en": "", "status": "active"}, follow_redirects=False)
    api = web.get("/api/initiatives/solarlago").json()
    assert api["goals_en"] is None
    assert '<p><span lang="de">Solarbranche stärken</span></p>' in \
        web.get("/initiatives/solarlago?lang=en").text


@pytest.mark.parametrize(("path", "de", "en"), [
    ("/no/such/page", "Keine Seite unter /no/such/page.", "No page at /no/such/page."),
    ("/regions/99999", "Die Region „99999“ ist nicht im Verzeichnis.",
     "The region “99999” is not in the register."),
    ("/initiatives/nothing-here", "Die Initiative „nothing-here“ ist nicht im Register.",
     "The initiative “nothing-here” is not in the registry."),
    ("/review", "Die Prüfliste führt die Clusteragentur.", "The review queue is the agency's."),
])
def test_error_pages_speak_the_page_language(web, path, de, en):
    german = web.get(f"{path}?lang=de")
    assert german.status_code in (401, 403, 404)
    assert STRINGS[f"error_{german.status_code}"]["de"] in german.text
    assert de in german.text
    assert en in html.unescape(web.get(f"{path}?lang=en").text)


def test_the_api_keeps_its_english_message(web):
    assert web.get("/api/regions/99999?lang=de").json()["error"] == \
        "region '99999' is not in the register"


def test_an_unknown_error_message_is_marked_as_english():
    assert error_detail("disk on fire", "de") == '<span lang="en">disk on fire</span>'
    assert error_detail("disk on fire", "en") == "disk on fire"
    assert error_detail("search for at least 2 characters", "de") == \
        "Bitte suchen Sie nach mindestens 2 Zeichen."


def test_sources_footer_in_the_page_language(web):
    german = web.get("/regions/08435?lang=de").text
    footer = german[german.index("<footer"):]
    assert "Schematische Sechseck-Kachelkarte" in footer
    assert "Beschäftigte nach Kreis und WZ-2008-Branche" in footer
    assert "Schematic hexagon" not in footer
    registry = web.get("/initiatives?lang=de").text
    assert "Register der Clusterinitiativen" in registry[registry.index("<footer"):]
    # a dataset the atlas does not provide keeps its own wording
    assert dataset_text({"id": "x-import", "title": "Beschäftigte 2023"}, "title", "en") == \
        "Beschäftigte 2023"


def test_impact_note_in_the_page_language(web, atlas):
    german = web.get("/initiatives/cyberforum?lang=de").text
    assert "Die Daten beginnen 2015, die Initiative wurde 1997 gegründet" in german
    assert STRINGS["impact_caveat"]["de"] in german
    english = web.get("/initiatives/cyberforum?lang=en").text
    assert "The panel starts 2015; the initiative was founded 1997" in english


def test_glossary_in_both_languages_with_every_indicator(client):
    for lang in ("de", "en"):
        page = client.get(f"/glossary?lang={lang}")
        assert page.status_code == 200
        text = html.unescape(page.text)
        for anchor, stem in GLOSSARY:
            assert f'<dt id="{anchor}">{STRINGS[f"gl_{stem}_term"][lang]}</dt>' in text
            assert STRINGS[f"gl_{stem}_text"][lang] in text
        assert {"lq", "stars", "strong", "rca", "density", "complexity", "cog",
                "impact"} <= {a for a, _ in GLOSSARY}


@pytest.mark.parametrize("path", ["/", "/regions/08126", "/categories/aerospace",
                                  "/initiatives/bodenseeairea", "/compare?regions=08111"])
def test_every_page_links_the_glossary_and_explains_its_indicators(web, path):
    page = web.get(path + ("&" if "?" in path else "?") + "lang=de").text
    assert '<a href="/glossary?lang=de">Glossar</a>' in page  # the navigation
    glossary = web.get("/glossary?lang=de").text
    anchors = set(re.findall(r'href="/glossary\?lang=de#([a-z]+)"', page))
    assert anchors, "an explanation beside the indicators"
    for anchor in anchors:
        assert f'id="{anchor}"' in glossary
    # folded, with a summary a screen reader can tell apart
    assert re.search(r'<details class="explain small"><summary><span class="info" '
                     r'aria-hidden="true">i</span> Was heißt das\?<span class="visually-hidden"> '
                     r'\(', page)


def test_region_page_explains_the_options(client):
    page = client.get("/regions/08126?lang=de").text
    assert STRINGS["opt_title"]["de"] in page
    assert "der verwandten Branchen schon stark" in page
    assert 'href="/glossary?lang=de#density"' in page
    assert "Dichte</th>" not in page
