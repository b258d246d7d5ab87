"""Briefings for decision makers: content (:mod:`.model`), charts drawn with matplotlib
(:mod:`.charts`), and the PDF (:mod:`.pdf`) and HTML (:mod:`.html`) renderers."""

from __future__ import annotations

from clusteratlas.briefing.model import Block, Briefing

__all__ = ["Block", "Briefing", "render_briefing"]


def render_briefing(b: Briefing, fmt: str) -> bytes:
    """``b`` as ``pdf`` or ``html`` bytes."""
    if fmt == "pdf":
        from clusteratlas.briefing.pdf import to_pdf

        return to_pdf(b)
    if fmt == "html":
        from clusteratlas.briefing.html import to_html

        return to_html(b)
    from clusteratlas.errors import InputError

    raise InputError(f"briefing format {fmt!r}: expected pdf or html")
