"""A briefing as PDF (ReportLab; DejaVu Sans from matplotlib's package data, so every
German character and symbol prints without a system font or a browser)."""

from __future__ import annotations

import importlib.util
import io
import os
import re
from dataclasses import dataclass, field
from typing import Any

from clusteratlas.reports.charts import render
from clusteratlas.reports.hyphens import Hyphenator
from clusteratlas.service.briefings import Briefing

__all__ = ["MIN_FILL", "RESERVE_PT", "Layout", "layout_pdf", "to_pdf"]

_FONTS: list[str] = []


def _fonts() -> None:
    if _FONTS:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(_matplotlib_data(), "fonts", "ttf")
    pdfmetrics.registerFont(TTFont("DejaVu", os.path.join(folder, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", os.path.join(folder, "DejaVuSans-Bold.ttf")))
    addMapping("DejaVu", 0, 0, "DejaVu")
    addMapping("DejaVu", 1, 0, "DejaVu-Bold")
    _FONTS.append("DejaVu")


def _matplotlib_data() -> str:
    """matplotlib's package data folder (``matplotlib.get_data_path()``), found without
    importing matplotlib, which a briefing whose charts are all kept never needs."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        import matplotlib  # not a plain package on disk: let it say where

        return str(matplotlib.get_data_path())
    return os.path.join(os.path.dirname(spec.origin), "mpl-data")


def _escape(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


#: the smallest share of a page's frame a page before the last must fill
MIN_FILL = 0.6
#: every paragraph keeps this much (points) free on its right: ReportLab's line fitting
#: sets lines up to ~2 pt wider than asked with DejaVu Sans (measured, even without
#: hyphenation); with this reserve no line reaches past its box
RESERVE_PT = 2.5


@dataclass
class Layout:
    """How the briefing was laid out: each page's filled share of its frame (from
    ReportLab's own frame positions after each flowable) and every paragraph line wider
    than the box it was set in (``(text, overshoot in points)``)."""

    fill: dict[int, float] = field(default_factory=dict)
    overflows: list[tuple[str, float]] = field(default_factory=list)


def to_pdf(b: Briefing) -> bytes:
    """Render ``b`` (A4, numbered pages, watermark on synthetic data)."""
    return layout_pdf(b)[0]


#: a cell never broken: a number (any locale), a percentage, stars, a dash, a short code
_SHORT = re.compile(r"[\d\s.,%+\-−–★]*|\S{1,6}")


#: a cell of a number column: digits with separators, a sign or a per cent (or a dash)
_NUMBER = re.compile(r"[+\-−]?[\d.,\u00a0 ]*\d[\d.,\u00a0 ]*(\s?%)?|–")


def _column_widths(rows: list[list[str]], width: float, font: str, size: float) -> list[float]:
    """Widths for a table's columns: numbers and single words as wide as they need,
    the rest of ``width`` shared by the text columns in proportion to their longest
    cell (at least their longest word at two thirds, which hyphenation can break)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pad = 2 * 3.0 + RESERVE_PT + 1.0  # cell padding, the paragraph's reserve, air

    def measure(i: int, cell: str) -> float:  # the header row is set in bold
        return float(stringWidth(cell, f"{font}-Bold" if i == 0 else font, size))

    n = len(rows[0])
    natural = [max(measure(i, str(r[j])) for i, r in enumerate(rows)) + pad for j in range(n)]
    word = [max((measure(i, w) for i, r in enumerate(rows) for w in str(r[j]).split()),
                default=0.0) + pad for j in range(n)]
    if sum(natural) <= width:  # everything fits on one line: share the rest evenly
        extra = (width - sum(natural)) / n
        return [w + extra for w in natural]
    # columns of numbers, stars and short codes are never broken
    narrow = [j for j in range(n) if all(_SHORT.fullmatch(str(r[j])) for r in rows[1:])
              and natural[j] < width / 3]
    fixed = sum(natural[j] for j in narrow)
    wide = [j for j in range(n) if j not in narrow]
    room = width - fixed
    if room < 0.1 * width or not wide:  # too many columns: every one in proportion
        return [width * w / sum(natural) for w in natural]
    weights = {j: natural[j] ** 0.5 for j in wide}
    total = sum(weights.values()) or 1.0
    widths = [natural[j] if j in narrow else room * weights[j] / total for j in range(n)]
    for j in wide:  # give a column its longest word (2/3 of it) where the others can spare
        floor = min(word[j] * 2 / 3, room / max(len(wide), 1))
        if widths[j] < floor:
            short = floor - widths[j]
            donors = [k for k in wide if k != j and widths[k] > floor]
            for k in donors:
                widths[k] -= short / len(donors)
            widths[j] = floor if donors else widths[j]
    return widths


def layout_pdf(b: Briefing) -> tuple[bytes, Layout]:
    """Render ``b`` and report how it was laid out (:class:`Layout`)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _fonts()
    found = Layout()

    class Checked(Paragraph):  # type: ignore[misc]
        """A paragraph that records any line wider than the box it is set in."""

        def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
            w, h = super().wrap(avail_width, avail_height)
            for line in getattr(self.blPara, "lines", []):
                extra = line[0] if isinstance(line, tuple) else getattr(line, "extraSpace", 0)
                if -extra > RESERVE_PT:  # past the reserve, i.e. past the box itself
                    found.overflows.append((self.getPlainText()[:60], -extra - RESERVE_PT))
            return float(w), float(h)

    # long German compounds break at syllables, with a hyphen (pyphen's dictionaries)
    hyphens = {"hyphenationLang": Hyphenator("de_DE" if b.lang == "de" else "en_GB"),
               "embeddedHyphenation": 1, "uriWasteReduce": 0.3}
    base = ParagraphStyle("base", fontName="DejaVu", fontSize=9, leading=12,
                          rightIndent=RESERVE_PT, **hyphens)
    styles = {
        "title": ParagraphStyle("title", parent=base, fontName="DejaVu-Bold", fontSize=17,
                                leading=21, textColor=colors.HexColor("#8a3b00")),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10, leading=13,
                                   textColor=colors.HexColor("#444444")),
        "heading": ParagraphStyle("heading", parent=base, fontName="DejaVu-Bold",
                                  fontSize=12, leading=15, spaceBefore=8, spaceAfter=3),
        "text": base,
        "note": ParagraphStyle("note", parent=base, fontSize=7.5, leading=9.5,
                               textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "cellhead": ParagraphStyle("cellhead", parent=base, fontName="DejaVu-Bold",
                                   fontSize=7.5, leading=9.5),
        "cell_r": ParagraphStyle("cell_r", parent=base, fontSize=7.5, leading=9.5,
                                 alignment=TA_RIGHT),
        "cellhead_r": ParagraphStyle("cellhead_r", parent=base, fontName="DejaVu-Bold",
                                     fontSize=7.5, leading=9.5, alignment=TA_RIGHT),
    }
    width = A4[0] - 36 * mm
    story: list[Any] = [Checked(_escape(b.title), styles["title"]),
                        Checked(_escape(b.subtitle), styles["subtitle"]), Spacer(1, 4)]
    if b.synthetic:
        story.append(Checked(f"<b>{_escape(b.synthetic_notice)}</b>", ParagraphStyle(
            "warn", parent=base, backColor=colors.HexColor("#fff3cd"), borderPadding=4)))
        story.append(Spacer(1, 6))
    pending: list[Any] = []  # headings wait for what follows them

    def add(flowable: Any, *, keep: float | None = None) -> None:
        """A heading stays with what follows: a figure or short text moves with it to
        the next page (KeepTogether); a long table only needs room for its first rows
        there (CondPageBreak ``keep``), the rest flows on, so no page is left half
        empty for a table that would not have fitted anyway."""
        if pending and keep is not None:
            story.append(CondPageBreak(sum(p.wrap(width, 1e6)[1] for p in pending) + keep))
            story.extend([*pending, flowable])
        elif pending:
            story.append(KeepTogether([*pending, flowable]))
        else:
            story.append(flowable)
        pending.clear()

    grid = TableStyle([("FONTNAME", (0, 0), (-1, -1), "DejaVu"),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#888888")),
                       ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                       ("LEFTPADDING", (0, 0), (-1, -1), 3),
                       ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                       ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])
    for block in b.blocks:
        if block.kind == "heading":
            pending.append(Checked(_escape(block.text), styles["heading"]))
        elif block.kind == "note" and story and isinstance(story[-1], KeepTogether) \
                and isinstance(story[-1]._content[-1], Image):
            # a figure's caption stays with it
            story[-1]._content.append(Checked(_escape(block.text), styles["note"]))
        elif block.kind in ("text", "note"):
            add(Checked(_escape(block.text), styles[block.kind]))
        elif block.kind == "figures":
            rows = [[Checked(_escape(k), styles["cell"]),
                     Checked(f"<b>{_escape(v)}</b>", styles["cell"])] for k, v in block.figures]
            add(Table(rows, colWidths=[width * 0.4, width * 0.6], style=TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "TOP")]), hAlign="LEFT"))
        elif block.kind == "table":
            if block.text:
                pending.append(Checked(f"<b>{_escape(block.text)}</b>", styles["text"]))
            if not block.rows:
                add(Checked("–", styles["text"]))
                continue
            texts = [[str(c) for c in block.columns], *[[str(c) for c in r] for r in block.rows]]
            widths = _column_widths(texts, width, "DejaVu", 7.5)
            # columns of numbers right-aligned, so digits stand under digits
            numeric = [all(_NUMBER.fullmatch(r[j]) for r in texts[1:])
                       for j in range(len(texts[0]))]
            head = [Checked(_escape(c), styles["cellhead_r" if numeric[j] else "cellhead"])
                    for j, c in enumerate(texts[0])]
            body = [[Checked(_escape(c), styles["cell_r" if numeric[j] else "cell"])
                     for j, c in enumerate(row)] for row in texts[1:]]
            table = Table([head, *body], colWidths=widths, style=grid, repeatRows=1,
                          hAlign="LEFT")
            if len(body) <= 8:
                add(table)
            else:
                table.wrap(width, 1e6)  # row heights, for the room its first rows need
                add(table, keep=sum(table._rowHeights[:4]))
            story.append(Spacer(1, 4))
        elif block.kind == "chart" and block.chart is not None:
            png = render(block.chart, "png")
            img = Image(io.BytesIO(png))
            scale = width / img.drawWidth
            img.drawWidth, img.drawHeight = width, img.drawHeight * scale
            if pending:
                add(img)
            else:
                story.append(KeepTogether([img]))

    def page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("DejaVu", 7)
        canvas.setFillColor(colors.HexColor("#666666"))
        canvas.drawString(18 * mm, 10 * mm, f"Clusteratlas – {b.title}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        if b.synthetic:
            canvas.setFont("DejaVu-Bold", 34)
            canvas.setFillColor(colors.Color(0.85, 0.5, 0.1, alpha=0.12))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, b.synthetic_notice.split(" – ")[0])
        canvas.restoreState()

    class Measured(SimpleDocTemplate):  # type: ignore[misc]
        def afterFlowable(self, flowable: Any) -> None:
            # the frame's cursor after each flowable: how far down the page is filled
            frame = self.frame
            if frame is None:  # between pages (a page break)
                return
            top = frame._y2 - frame._topPadding
            used = (top - frame._y) / (top - frame._y1p)
            found.fill[self.page] = max(found.fill.get(self.page, 0.0), used)

    buffer = io.BytesIO()
    doc = Measured(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                   topMargin=16 * mm, bottomMargin=16 * mm, title=b.title,
                   author="Clusteratlas", subject=b.subtitle, lang=b.lang)
    from reportlab import rl_config

    # binary streams, not ASCII85 text: the same pages, some 15 % smaller, and written
    # without ReportLab's pure-Python encoder (a tenth of a second per briefing)
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        doc.build(story, onFirstPage=page, onLaterPages=page)
    finally:
        rl_config.useA85 = a85
    return buffer.getvalue(), found
