"""Briefings: every demo district in both languages as PDF, checked through pdftotext
(name and headline numbers equal to the API's) and pdftoppm (pages are not blank)."""

import shutil
import subprocess

import numpy as np
import pytest

from clusteratlas.cli.main import main
from clusteratlas.errors import InputError
from clusteratlas.registry.store import RegistryStore
from clusteratlas.reports import render_briefing
from clusteratlas.service.briefings import build, fmt_number
from clusteratlas.service.registry import RegistryService

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) "
                                   "are not installed; .ci/run installs them")


@pytest.fixture(scope="module")
def registry(demo_dir):
    service = RegistryService(RegistryStore(demo_dir.registry_url))
    yield service
    service.store.close()


def test_number_formats():
    assert fmt_number(45018, "de") == "45.018"
    assert fmt_number(45018, "en") == "45,018"
    assert fmt_number(1.7654, "de", 2) == "1,77"
    assert fmt_number(None, "de") == "–"
    assert fmt_number(float("nan"), "en") == "–"


def _pages_not_blank(pdf_path, tmp_path):
    out = tmp_path / "page"
    subprocess.run(["pdftoppm", "-gray", "-r", "12", str(pdf_path), str(out)], check=True)
    pages = sorted(tmp_path.glob("page*.pgm"))
    assert pages
    for page in pages:
        raw = page.read_bytes()
        # PGM: a header of three lines, then one byte per pixel
        pixels = np.frombuffer(raw.split(b"\n", 3)[3], dtype=np.uint8)
        assert pixels.std() > 2, f"{page.name} is blank"
        page.unlink()
    return len(pages)


@needs_poppler
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_district_briefing(atlas, registry, client, tmp_path, lang):
    districts = [r.code for r in atlas.mapped_regions]
    assert len(districts) == 44
    for code in districts:
        api = client.get(f"/api/regions/{code}?lang={lang}").json()
        pdf = tmp_path / f"{code}.pdf"
        pdf.write_bytes(render_briefing(build(atlas, registry, "district", code, lang=lang),
                                        "pdf"))
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert api["region"]["display_name"] in text, code
        assert fmt_number(api["total_employment"], lang) in text, code
        strongest = max((c for c in api["categories"] if c["lq"] is not None),
                        key=lambda c: c["lq"])
        assert strongest["name"] in text, code
        assert fmt_number(strongest["employment"], lang) in text, code
        assert fmt_number(strongest["lq"], lang, 2) in text, code
        assert ("SYNTHETISCHE DEMODATEN" if lang == "de" else "SYNTHETIC DEMO DATA") in text
        if code in ("08126", "08435"):  # a sample of the images, all pages
            assert 2 <= _pages_not_blank(pdf, tmp_path) <= 6
        pdf.unlink()


@needs_poppler
def test_initiative_and_state_briefings(atlas, registry, tmp_path):
    for kind, target in (("initiative", "bodenseeairea"), ("state", None)):
        pdf = tmp_path / f"{kind}.pdf"
        pdf.write_bytes(render_briefing(build(atlas, registry, kind, target, lang="en"), "pdf"))
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert _pages_not_blank(pdf, tmp_path) >= 1
        if kind == "initiative":
            assert "BodenseeAIRea" in text
            assert "not proof of cause" in text  # the impact caveat
            assert "bodensee4you" in text  # its sources
        else:
            assert "Baden-Württemberg" in text
            assert "Covered share of cluster employment" in text


def test_html_briefing_and_errors(atlas, registry):
    html = render_briefing(build(atlas, registry, "district", "08435", lang="de"),
                           "html").decode()
    assert "<svg" in html
    assert "Bodenseekreis" in html
    assert "SYNTHETISCHE DEMODATEN" in html
    assert "http://" not in html.split("</style>")[0]  # nothing fetched from elsewhere
    with pytest.raises(InputError, match="expected district, initiative or state"):
        build(atlas, registry, "county", "x")
    with pytest.raises(InputError, match="--lang"):
        build(atlas, registry, "state", None, lang="fr")
    with pytest.raises(InputError, match="pdf or html"):
        render_briefing(build(atlas, registry, "state", None), "docx")


def test_cli_and_download(demo_dir, client, tmp_path, capsys):
    out = tmp_path / "hohenlohe.pdf"
    assert main(["brief", "district", "08126", "--lang", "en", "--out", str(out),
                 "-d", str(demo_dir.path)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "synthetic demo data" in capsys.readouterr().out
    assert main(["brief", "state", "--out", str(tmp_path / "x.docx"),
                 "-d", str(demo_dir.path)]) == 2
    r = client.get("/briefing/district/08126.pdf?lang=en")
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert client.get("/briefing/state.html").text.startswith("<!doctype html>")
    assert client.get("/briefing/district/99999.pdf").status_code == 404


def test_district_briefing_shows_public_kpis(tmp_path, demo_dir, atlas):
    from fastapi.testclient import TestClient

    from conftest import seeded_app

    app = seeded_app(f"sqlite:///{tmp_path / 'r.sqlite'}", demo_dir, atlas)
    with TestClient(app):
        service = app.state.registry
        from clusteratlas.registry.auth import Actor

        admin = Actor("agency", "admin")
        made = service.put_kpi("bodenseeairea", 2024, {"members_sme": 25, "members_large": 6,
                                                       "events": 11}, admin, None)
        sub = service.submit_kpi("bodenseeairea", 2024, admin, made["version"])
        service.review_kpi("bodenseeairea", 2024, {"decision": "accept"}, admin, sub["version"])
        hidden = build(app.state.atlas, service, "district", "08435", lang="en").text()
        assert "Events 11" not in hidden  # KPIs are private by default
        v = service.get("bodenseeairea", admin)["version"]
        service.update("bodenseeairea", {"visibility": {"kpis": True}}, admin, v)
        shown = build(app.state.atlas, service, "district", "08435", lang="en").text()
        assert "Members 31, Events 11 (2024)" in shown


def test_state_briefing_ranks_only_public_kpis(tmp_path, demo_dir, atlas):
    """The state briefing is handed out: its ranking shows no initiative whose KPIs are
    private (it used to rank every initiative with an accepted report)."""
    from fastapi.testclient import TestClient

    from clusteratlas.registry.auth import Actor
    from conftest import seeded_app

    app = seeded_app(f"sqlite:///{tmp_path / 'r.sqlite'}", demo_dir, atlas)
    with TestClient(app):
        service = app.state.registry
        admin = Actor("agency", "admin")
        for ident, events in (("kunststoffdialog", 12), ("metalldialog", 6),
                              ("transformotivedialog", 9), ("innonet-kunststoff", 3)):
            made = service.put_kpi(ident, 2024, {"members_sme": 40, "members_large": 8,
                                                 "events": events}, admin, None)
            sub = service.submit_kpi(ident, 2024, admin, made["version"])
            service.review_kpi(ident, 2024, {"decision": "accept"}, admin, sub["version"])

        def ranking():
            blocks = build(app.state.atlas, service, "state", None, lang="en").blocks
            at = next(n for n, b in enumerate(blocks)
                      if b.kind == "heading" and b.text == "Top performers by KPIs")
            return blocks[at + 1]

        hidden = ranking()
        assert hidden.kind == "text"  # KPIs are private by default: nobody is ranked
        assert hidden.rows == []
        v = service.get("metalldialog", admin)["version"]
        service.update("metalldialog", {"visibility": {"kpis": True}}, admin, v)
        shown = ranking()
        assert shown.kind == "table"
        assert [row[0] for row in shown.rows] == [app.state.atlas.initiative("metalldialog").name]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_registry_texts_in_the_briefings_language(atlas, registry, lang):
    """Registry texts in a briefing follow the pages' rule: the language's field (German
    the field, English its ``_en`` twin), else the other; the impact caveat from the
    catalogue (it was printed in English in German briefings)."""
    from clusteratlas.i18n import text

    item = registry.get("bodenseeairea")
    own = "" if lang == "de" else "_en"
    brief = build(atlas, registry, "initiative", "bodenseeairea", lang=lang).text()
    assert item[f"members_text{own}"] in brief
    assert item[f"sector{own}"] in brief
    for fact in item["facts"]:
        assert fact["text" if lang == "de" else "text_en"] in brief
    other = "_en" if lang == "de" else ""
    assert item[f"members_text{other}"] not in brief
    assert text("impact_caveat", lang) in brief
    district = build(atlas, registry, "district", "08435", lang=lang).text()
    assert item[f"members_text{own}"] in district
    assert item[f"members_text{other}"] not in district
    if lang == "en":
        assert item["sector"] not in brief  # the subtitle too
