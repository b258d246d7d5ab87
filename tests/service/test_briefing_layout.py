"""Briefings a ministry would print (issue 16): every page of a district, an initiative
and the state briefing rendered to PNG in both languages, no line past its box, no
half-empty page; names not ids; the state's real total; the portfolio chart's points
against a hand computation; maps that cut no region; everything in the briefing's
language."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from clusteratlas.i18n import STRINGS, text
from clusteratlas.i18n.formats import format_number
from clusteratlas.model.panel import TOTAL_CODE
from clusteratlas.presentation.colours import legend
from clusteratlas.registry.auth import ANONYMOUS
from clusteratlas.registry.store import RegistryStore
from clusteratlas.reports.pdf import MIN_FILL, layout_pdf
from clusteratlas.service.briefings import Block, Briefing, build
from clusteratlas.service.registry import RegistryService

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdftoppm) "
                                   "are not installed; .ci/run installs them")
CASES = [("district", "08435"), ("initiative", "bodenseeairea"), ("state", None)]


@pytest.fixture(scope="module")
def registry(demo_dir):
    service = RegistryService(RegistryStore(demo_dir.registry_url))
    yield service
    service.store.close()


def _pages(pdf, tmp_path, dpi=40):
    """Every page as a grey image (PGM from pdftoppm): a list of 2-D arrays."""
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(tmp_path / "p")],
                   check=True)
    pages = []
    for page in sorted(tmp_path.glob("p*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
        raw = page.read_bytes()
        header = raw.split(b"\n", 3)  # P5, width height, maxval, pixels
        width, height = map(int, header[1].split())
        pages.append(np.frombuffer(header[3], dtype=np.uint8).reshape(height, width))
        page.unlink()
    return pages


def _pdf_text(pdf):
    # -raw: in content order, and without joining words hyphenated at a line's end
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


@needs_poppler
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize(("kind", "target"), CASES)
def test_every_page_rendered_nothing_overflows_no_half_empty_page(atlas, registry, tmp_path,
                                                                  kind, target, lang):
    pdf, layout = layout_pdf(build(atlas, registry, kind, target, lang=lang))
    assert layout.overflows == []  # no line of any paragraph or table cell past its box
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    pages = _pages(path, tmp_path)
    assert len(pages) == len(layout.fill) >= 1
    for n, image in enumerate(pages, start=1):
        assert image.std() > 2, f"page {n} is blank"
        if n == len(pages):
            continue
        # ReportLab's own account: how far down the frame the content reaches …
        assert layout.fill[n] >= MIN_FILL, (n, layout.fill)
        # … and an independent one from the pixels: the lowest dark pixel above the
        # footer (16 mm margins; the pale watermark is lighter than 200)
        height = image.shape[0]
        top, bottom = round(height * 16 / 297), round(height * (297 - 16) / 297)
        dark = np.flatnonzero((image[top:bottom] < 200).any(axis=1))
        assert (dark.max() + 1) / (bottom - top) >= MIN_FILL, f"page {n} is half empty"


@needs_poppler
def test_long_german_words_break_with_a_hyphen(tmp_path):
    words = ["Befestigungstechnik", "Mikrosystemtechnik", "Verpackungsmaschinen",
             "Elektrizitätsübertragung"]
    b = Briefing(kind="district", title="T", subtitle="S", lang="de", synthetic=False,
                 synthetic_notice="", generated="", vintage="", sources=[],
                 blocks=[Block("table", columns=[f"K{i}" for i in range(7)],
                               rows=[[w, *["12.345.678.901"] * 6] for w in words])])
    pdf, layout = layout_pdf(b)
    assert layout.overflows == []
    path = tmp_path / "h.pdf"
    path.write_bytes(pdf)
    lines = _pdf_text(path).split("\n")
    broken = 0
    for word in words:
        if word in lines:
            continue
        # the word split over lines: every piece but the last ends in a hyphen
        at = next(i for i, line in enumerate(lines) if line and word.startswith(line.rstrip("-")))
        pieces = []
        while "".join(p.rstrip("-") for p in pieces) != word:
            pieces.append(lines[at + len(pieces)])
        assert all(p.endswith("-") for p in pieces[:-1]), pieces
        broken += 1
    assert broken >= 2  # the column is narrow: the test sees real breaks


def test_initiatives_named_not_by_id(atlas, registry):
    b = build(atlas, registry, "district", "08435", lang="de")
    names = {i.id: i.name for i in atlas.shown(ANONYMOUS)}
    table = next(x for x in b.blocks if x.kind == "table"
                 and text("initiatives", "de") in x.columns and "LQ" in x.columns)
    shown = [n for row in table.rows for n in str(row[4]).split(", ") if n]
    assert shown
    assert set(shown) <= set(names.values())
    ids = {i for i, name in names.items() if i != name}  # "automotive-bw" is both
    assert "bodenseeairea" in ids
    assert not set(shown) & ids


def test_state_total_is_the_published_total(atlas, registry):
    y = atlas.years[-1]
    obs = atlas.observations
    # the raw panel's TOTAL rows of the districts, summed by hand
    published = obs[(obs["industry"] == TOTAL_CODE) & (obs["year"] == y)]["employment"].sum()
    cells = atlas.indicators[atlas.indicators["year"] == y]["employment"].sum()
    assert published > 4 * cells  # 5.1 million against the categories' 0.93 million
    for lang in ("de", "en"):
        b = build(atlas, registry, "state", None, lang=lang)
        figures = dict(next(x for x in b.blocks if x.kind == "figures").figures)
        assert figures[text("brief_total_employment", lang)] == format_number(published, lang)
        assert figures[text("brief_cluster_employment", lang)] == format_number(cells, lang)


def test_portfolio_points_match_the_trend_table(atlas, registry):
    b = build(atlas, registry, "district", "08435", lang="en")
    chart = next(x.chart for x in b.blocks if x.chart and x.chart.kind == "portfolio")
    trend = next(x for x in b.blocks if x.kind == "table" and x.columns[:1] == ["Year"])
    lead = trend.columns[1]  # the strongest category (Aerospace)
    first, last = (float(trend.rows[i][1].replace(",", "")) for i in (0, -1))
    point = next(p for p in chart.data["points"] if p["label"] == lead)
    assert point["change"] == pytest.approx(last / first - 1)
    assert point["employment"] == last
    strongest = next(x for x in b.blocks if x.kind == "table" and x.text)
    assert point["lq"] == pytest.approx(float(strongest.rows[0][1]), abs=0.005)
    state = build(atlas, registry, "state", None, lang="en")
    assert any(x.chart and x.chart.kind == "portfolio" for x in state.blocks)


def test_compare_table_reads_as_the_web_and_adds_up(atlas, registry, client):
    b = build(atlas, registry, "district", "08435", lang="de")
    table = next(x for x in b.blocks if x.kind == "table"
                 and text("share_of_category", "de") in x.columns)
    # the web's labels for the web's measures
    assert table.columns[1] == text("share_of_region", "de") == "Anteil am Kreis"
    assert table.columns[4] == text("share_of_category", "de") == "Anteil am Land"
    api = {c["name"]: c for c in client.get("/api/regions/08435?lang=de").json()["categories"]}
    for name, here, state, lq, of_category in table.rows:
        def pct(s):
            return float(s.replace(" %", "").replace("\u00a0%", "").replace(",", "."))
        assert pct(here) == pytest.approx(100 * api[name]["share_of_region"], abs=0.051)
        assert pct(of_category) == pytest.approx(100 * api[name]["share_of_category"],
                                                 abs=0.051)
        # LQ = share in the district / share in the state, off the printed table (within
        # the rounding of the printed shares: half a unit of their last digit)
        def bounds(s):
            half = 0.5 * 10 ** -len(s.split(",")[1].split()[0]) if "," in s else 0.5
            return pct(s) - half, pct(s) + half
        (h0, h1), (s0, s1) = bounds(here), bounds(state)
        assert h0 / s1 <= float(lq.replace(",", ".")) <= h1 / s0


# wordings the same in both languages, or names ("BioRegio STERN Management GmbH")
_SAME_IN_BOTH = {"Label", "Status", "Cluster", "Clusteratlas", "Start", "Management",
                 "Region"}


def _english_only():
    german = {e["de"] for e in STRINGS.values()}
    return {e["en"] for e in STRINGS.values()
            if "{" not in e["en"] and e["en"] not in german | _SAME_IN_BOTH}


def _german_only():
    english = {e["en"] for e in STRINGS.values()}
    return {e["de"] for e in STRINGS.values()
            if "{" not in e["de"] and e["de"] not in english | _SAME_IN_BOTH}


def _has(words, wording):
    """``wording`` in ``words`` as whole words ("Map" is not in "Mapping")."""
    return re.search(rf"(?<![\w-]){re.escape(wording)}(?![\w-])", words) is not None


@pytest.mark.parametrize(("kind", "target"), CASES)
def test_methods_inside_and_one_language(atlas, registry, kind, target):
    from clusteratlas.reports.charts import _figure

    for lang, other in (("de", _english_only()), ("en", _german_only())):
        b = build(atlas, registry, kind, target, lang=lang)
        words = b.text() + "\n".join(b.sources)
        assert "docs/" not in words
        if kind == "initiative":  # the registry's own facts: bilingual where the source is
            for fact in registry.get(target, ANONYMOUS).get("facts", []):
                words = words.replace(fact["text"], "")
        glossary = next(x for x in b.blocks if x.kind == "table"
                        and x.columns == [text("brief_term", lang), text("brief_meaning", lang)])
        assert [r[0] for r in glossary.rows][:3] == ["LQ", text("stars", lang),
                                                     text("strong", lang)]
        assert {s for s in other if _has(words, s)} == set()
        for chart in (x.chart for x in b.blocks if x.chart):
            fig = _figure(chart)
            shown = " ".join(t.get_text() for ax in fig.axes for t in ax.texts + (
                ax.get_legend().get_texts() if ax.get_legend() else [])
                + ax.get_yticklabels() + ax.get_xticklabels())
            assert {s for s in other if _has(shown, s)} == set(), chart.kind
            if chart.kind == "map":
                assert text("no_data", lang) in shown
                assert ("0,5" if lang == "de" else "0.5") in legend("lq", lang)[1]["label"]
                assert legend("lq", lang)[1]["label"] in shown
            if chart.kind == "lines" and lang == "de":  # German thousands: 4.000
                assert re.search(r"\d\.000", shown)
                assert not re.search(r"\d,000", shown)


def _drawn_map(chart):
    from clusteratlas.reports.charts import _figure

    fig = _figure(chart)
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    polygons = [p.vertices for p in ax.collections[0].get_paths()]
    return (x0, x1, y0, y1), polygons, {t.get_text() for t in ax.texts}


def _check_map(atlas, registry, code):
    b = build(atlas, registry, "district", code, lang="de")
    chart = next(x.chart for x in b.blocks if x.chart and x.chart.kind == "map")
    (x0, x1, y0, y1), polygons, labels = _drawn_map(chart)
    assert polygons
    for ring in polygons:  # nothing drawn reaches past the map's edge
        assert x0 <= ring[:, 0].min()
        assert ring[:, 0].max() <= x1
        assert y0 <= ring[:, 1].min()
        assert ring[:, 1].max() <= y1
    # the district and every neighbour are on the map, labelled
    for focus in chart.data["focus"]:
        assert chart.data["labels"][focus] in labels, focus


def test_map_fits_the_district_and_its_neighbours(atlas, registry):
    assert atlas.layer == "schematic"
    for code in ("08435", "08111", "08336"):  # the Bodensee, the capital, the Swiss border
        _check_map(atlas, registry, code)


def test_map_fits_on_real_boundaries(shared, tmp_path, registry):
    from clusteratlas.service.atlas import open_atlas
    from clusteratlas.service.demo import build_demo
    from clusteratlas.service.setup import import_boundaries
    from clusteratlas.store.datadir import DataDir

    data_dir = DataDir(tmp_path / "d")
    build_demo(data_dir)
    import_boundaries(data_dir, shared / "data/de_boundaries/vg5000_2021_krs/VG5000_KRS.shp")
    atlas = open_atlas(data_dir)
    assert atlas.layer != "schematic"
    for code in ("08435", "08111"):
        _check_map(atlas, registry, code)


def test_seat_named_once_even_with_a_note():
    from clusteratlas.service.briefings import seat_text

    # was "Stuttgart (+ Tübingen office) (Stuttgart (Stadtkreis))"
    assert seat_text("Stuttgart (+ Tübingen office)", "Stuttgart (Stadtkreis)") == \
        "Stuttgart (+ Tübingen office)"
    assert seat_text("Tuttlingen", "Tuttlingen") == "Tuttlingen"
    assert seat_text("Fellbach", "Rems-Murr-Kreis") == "Fellbach (Rems-Murr-Kreis)"
