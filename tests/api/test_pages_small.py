"""The smaller page faults of issue 16: the initiatives list's order, the seat named
once, one full stop after "e.V.", how to get an account, and compare's limit."""

import re

import pytest
from fastapi.testclient import TestClient

from clusteratlas.core.collation import collation_key
from clusteratlas.service.briefings import initiative_briefing, seat_text
from conftest import ADMIN, seeded_app


@pytest.fixture
def web(tmp_path, demo_dir, atlas):
    app = seeded_app(f"sqlite:///{tmp_path / 'registry.sqlite'}", demo_dir, atlas)
    with TestClient(app) as client:
        yield client


def test_collation_key_is_case_insensitive_and_puts_umlauts_with_their_letter():
    names = ["zeta", "Ärzte", "Beta", "alpha", "Arzt", "Straße", "Strasse", "Stuttgart"]
    assert sorted(names, key=collation_key) == [
        "alpha", "Arzt", "Ärzte", "Beta", "Strasse", "Straße", "Stuttgart", "zeta"]


def test_initiatives_list_sorts_case_insensitively(web):
    registry = web.app.state.registry
    for i, name in enumerate(["aaa kleingeschrieben", "Ääa mit Umlaut", "zzz klein"]):
        registry.create({"id": f"sort-{i}", "name": name, "regions_served": ["08111"]},
                        ADMIN)
    page = web.get("/initiatives?lang=en&region=08111").text
    shown = re.findall(r'data-initiative="([^"]+)"', page)
    assert shown.index("sort-0") < shown.index("sort-1")
    names = [registry.get(i)["name"] for i in shown]
    assert names == sorted(names, key=collation_key)
    # the page boundary follows the same order (sorted before the page is cut)
    first = registry.find(region="08111", per_page=1, page=1)
    assert first.items[0]["name"] == names[0]
    assert first.total == len(names)


def test_seat_names_the_town_once(web):
    karlsruhe = web.get("/initiatives/cyberforum?lang=de").text
    assert "Karlsruhe (Karlsruhe" not in karlsruhe
    assert ">Karlsruhe (Stadtkreis)</a>" in karlsruhe
    friedrichshafen = web.get("/initiatives/bodenseeairea?lang=de").text
    assert re.search(r"Friedrichshafen \(<a [^>]+>Bodenseekreis</a>\)", friedrichshafen)
    assert seat_text("Karlsruhe", "Karlsruhe (Stadtkreis)") == "Karlsruhe (Stadtkreis)"
    assert seat_text("Friedrichshafen", "Bodenseekreis") == "Friedrichshafen (Bodenseekreis)"
    assert seat_text("Ulm", None) == "Ulm"


def test_briefing_seat_names_the_town_once(web):
    app = web.app
    briefing = initiative_briefing(app.state.atlas, app.state.registry, "cyberforum",
                                   lang="de")
    text = briefing.text()
    assert "Karlsruhe (Karlsruhe" not in text
    assert "Karlsruhe (Stadtkreis)" in text


def test_no_double_full_stop_after_an_abbreviation(web):
    page = web.get("/regions/08212?lang=de").text
    assert "CyberForum e.V." in page
    assert "e.V.." not in page


@pytest.mark.parametrize(("lang", "wording"), [("de", "Selbstregistrierung"),
                                               ("en", "self-registration")])
def test_login_page_says_how_to_get_an_account(web, lang, wording):
    page = web.get(f"/login?lang={lang}").text
    assert wording in page
    assert ("Admin" if lang == "de" else "admin role") in page


@pytest.mark.parametrize(("lang", "how", "notice"), [
    ("de", "Strg", "gezeigt werden die ersten 5"),
    ("en", "hold Ctrl", "the first 5 are shown")])
def test_compare_states_its_limit_and_keeps_the_first_five(client, atlas, lang, how, notice):
    codes = [r.code for r in atlas.mapped_regions][:6]
    empty = client.get(f"/compare?lang={lang}").text
    assert how in empty
    assert "5" in empty
    page = client.get(f"/compare?lang={lang}&" + "&".join(f"pick={c}" for c in codes))
    assert page.status_code == 200
    assert notice in page.text
    table = page.text.split('id="compare-table"')[1]
    assert all(f"/regions/{c}?" in table for c in codes[:5])
    assert f"/regions/{codes[5]}?" not in table
    assert client.get("/api/compare?regions=" + ",".join(codes)).status_code == 400
