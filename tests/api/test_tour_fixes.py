"""Faults seen in the tour's screenshots (docs/tour.md): chart labels cut mid-word, an
English count word capitalised inside a sentence, and an LQ legend naming "the state"
when the reference is Germany or a chosen area."""

import re

from clusteratlas.i18n.catalogue import STRINGS

LONG = "Öffentliche Verwaltung, Erziehung, Gesundheit"


def test_bar_chart_cuts_a_long_label_at_a_word_and_keeps_the_full_name(client):
    env = client.app.state.templates.env
    chart = env.from_string(
        "{% from '_charts.html' import bar_chart with context %}"
        "{{ bar_chart(rows, 'name', 'lq', 'T', 'c', 2) }}"
    ).render(rows=[{"name": LONG, "lq": 0.55}, {"name": "Baugewerbe", "lq": 0.83}],
             lang="de")
    labels = re.findall(r'text-anchor="end"[^>]*><title>([^<]+)</title>([^<]+)</text>', chart)
    assert labels[0] == (LONG, "Öffentliche Verwaltung,…")
    assert labels[1] == ("Baugewerbe", "Baugewerbe")


def test_english_region_page_writes_employees_in_lower_case_in_running_text(client):
    page = client.get("/regions/08126?lang=en").text
    assert re.search(r"LQ [\d.]+, [\d,]+ employees", page)
    assert not re.search(r"LQ [\d.]+, [\d,]+ Employees", page)
    german = client.get("/regions/08126").text
    assert re.search(r"LQ [\d,]+, [\d.]+ Beschäftigte", german)


def test_lq_legend_names_no_fixed_reference():
    for key in ("lq_explain", "legend_lq"):
        assert "im Land" not in STRINGS[key]["de"]
        assert "in the state" not in STRINGS[key]["en"]
        assert "Bezugsgebiet" in STRINGS[key]["de"]
        assert "reference area" in STRINGS[key]["en"]


def test_initiative_profile_labels_start_with_a_capital(client):
    for lang, label in (("de", "Arbeitet an"), ("en", "Works on")):
        page = client.get(f"/initiatives/metalldialog?lang={lang}").text
        assert f"<dt>{label}</dt>" in page


def test_compare_label_puts_the_limit_in_its_sentence(client):
    assert "Kreise wählen (bis zu 5)" in client.get("/compare").text
    assert "Pick districts (up to 5)" in client.get("/compare?lang=en").text


def _ranking_head(page):
    table = page[page.index('id="ranking"'):]
    return re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table[:table.index("</thead>")])


def test_map_ranking_shows_lq_and_employees_once(client):
    assert _ranking_head(client.get("/?category=aerospace&lang=en").text) == [
        "District", "LQ", "Employees", "Share of district", "Initiative"]
    assert "Employees" not in _ranking_head(
        client.get("/?category=aerospace&indicator=employment&lang=en").text)[3:]
    stars = _ranking_head(client.get("/?category=aerospace&indicator=stars&lang=en").text)
    assert stars[4].startswith("Stars")


def test_region_page_says_when_the_registry_is_empty(tmp_path, demo_dir, atlas, client):
    import copy

    from fastapi.testclient import TestClient

    from clusteratlas.server import create_app

    empty = create_app(demo_dir, atlas=copy.copy(atlas),
                       registry_url=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with TestClient(empty) as bare:
        page = bare.get("/regions/08126").text
    assert 'data-field="registry-empty"' in page
    assert "keine erfasst" in page
    # with the demo's initiatives the note is not there
    assert 'data-field="registry-empty"' not in client.get("/regions/08126").text


def test_region_registers_are_credited_in_the_page_language():
    from clusteratlas.service.setup import REGISTER_DATASET_ID, _register_dataset
    from clusteratlas.web.i18n import dataset_text

    meta = {"id": REGISTER_DATASET_ID, **{p: getattr(_register_dataset(), p) for p in
                                          ("title", "source", "attribution", "licence")}}
    german = " ".join(dataset_text(meta, p, "de")
                      for p in ("title", "source", "attribution", "licence"))
    assert german.startswith("Gebietsregister: Deutschland")
    assert "public domain" not in german
    assert "merged into" not in german
    assert "gemeinfrei" in german
    # the English wording is the dataset's own metadata
    assert dataset_text(meta, "title", "en") == meta["title"]
    assert dataset_text(meta, "source", "en").endswith(meta["source"][-40:])
