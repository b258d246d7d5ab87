"""A briefing as PDF (ReportLab; DejaVu Sans from matplotlib's package data, so every
German character and symbol prints without a system font or a browser)."""

from __future__ import annotations

import io
import os
from typing import Any

from clusteratlas.reports.charts import render
from clusteratlas.service.briefings import Briefing

__all__ = ["to_pdf"]

_FONTS: list[str] = []


def _fonts() -> None:
    if _FONTS:
        return
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    pdfmetrics.registerFont(TTFont("DejaVu", os.path.join(folder, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", os.path.join(folder, "DejaVuSans-Bold.ttf")))
    addMapping("DejaVu", 0, 0, "DejaVu")
    addMapping("DejaVu", 1, 0, "DejaVu-Bold")
    _FONTS.append("DejaVu")


def _escape(text: Any) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def to_pdf(b: Briefing) -> bytes:
    """Render ``b`` (A4, numbered pages, watermark on synthetic data)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _fonts()
    base = ParagraphStyle("base", fontName="DejaVu", fontSize=9, leading=12)
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
    }
    width = A4[0] - 36 * mm
    story: list[Any] = [Paragraph(_escape(b.title), styles["title"]),
                        Paragraph(_escape(b.subtitle), styles["subtitle"]), Spacer(1, 4)]
    if b.synthetic:
        story.append(Paragraph(f"<b>{_escape(b.synthetic_notice)}</b>", ParagraphStyle(
            "warn", parent=base, backColor=colors.HexColor("#fff3cd"), borderPadding=4)))
        story.append(Spacer(1, 6))
    pending: list[Any] = []  # a heading stays with what follows it

    def add(flowable: Any) -> None:
        if pending:
            story.append(KeepTogether([*pending, flowable]))
            pending.clear()
        else:
            story.append(flowable)

    grid = TableStyle([("FONTNAME", (0, 0), (-1, -1), "DejaVu"),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#888888")),
                       ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                       ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])
    for block in b.blocks:
        if block.kind == "heading":
            pending.append(Paragraph(_escape(block.text), styles["heading"]))
        elif block.kind in ("text", "note"):
            add(Paragraph(_escape(block.text), styles[block.kind]))
        elif block.kind == "figures":
            rows = [[Paragraph(_escape(k), styles["cell"]),
                     Paragraph(f"<b>{_escape(v)}</b>", styles["cell"])] for k, v in block.figures]
            add(Table(rows, colWidths=[width * 0.4, width * 0.6], style=TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "TOP")]), hAlign="LEFT"))
        elif block.kind == "table":
            if block.text:
                pending.append(Paragraph(f"<b>{_escape(block.text)}</b>", styles["text"]))
            head = [Paragraph(_escape(c), styles["cellhead"]) for c in block.columns]
            body = [[Paragraph(_escape(c), styles["cell"]) for c in row] for row in block.rows]
            if not body:
                add(Paragraph("–", styles["text"]))
                continue
            n = len(block.columns)
            first = 0.34 if 2 < n <= 5 else (0.5 if n <= 2 else 0.16)
            widths = [width * first] + [width * (1 - first) / (n - 1)] * (n - 1)
            add(Table([head, *body], colWidths=widths, style=grid, repeatRows=1,
                      hAlign="LEFT"))
            story.append(Spacer(1, 4))
        elif block.kind == "chart" and block.chart is not None:
            png = render(block.chart, "png")
            img = Image(io.BytesIO(png))
            scale = width / img.drawWidth
            img.drawWidth, img.drawHeight = width, img.drawHeight * scale
            add(img)

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

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, title=b.title,
                            author="Clusteratlas", subject=b.subtitle, lang=b.lang)
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
