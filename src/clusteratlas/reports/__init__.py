"""The briefings printed: charts drawn with matplotlib (:mod:`.charts`), and the PDF
(:mod:`.pdf`) and HTML (:mod:`.html`) renderers of a
:class:`~clusteratlas.service.briefings.Briefing` (what it says is built in the service
layer, :mod:`clusteratlas.service.briefings`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clusteratlas.service.briefings import Briefing

__all__ = ["render_briefing"]


def render_briefing(b: Briefing, fmt: str) -> bytes:
    """``b`` as ``pdf`` or ``html`` bytes."""
    if fmt == "pdf":
        from clusteratlas.reports.pdf import to_pdf

        return to_pdf(b)
    if fmt == "html":
        from clusteratlas.reports.html import to_html

        return to_html(b)
    from clusteratlas.errors import InputError

    raise InputError(f"briefing format {fmt!r}: expected pdf or html")
