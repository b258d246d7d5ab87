"""Small SVG charts of the pages, drawn by the templates from plain coordinates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from clusteratlas.errors import NotFoundError
from clusteratlas.i18n.formats import format_number, nice_ticks

__all__ = ["line_chart", "tick_digits"]


def tick_digits(ticks: Sequence[float]) -> int:
    """Decimals the labels of ``ticks`` need (0 for 0, 500, 1000; 1 for 0, 2.5, 5)."""
    step = min((b - a for a, b in pairwise(ticks)), default=1.0)
    for digits in range(4):
        if abs(step * 10 ** digits - round(step * 10 ** digits)) < 1e-9:
            return digits
    return 3  # pragma: no cover (nice_ticks' steps are 1, 2, 2.5 or 5 × 10ⁿ)


def line_chart(series: Sequence[dict[str, Any]], *, lang: str | None = "de",
               width: int = 560, height: int = 220, pad: int = 40) -> dict[str, Any]:
    """Polylines (SVG coordinates) for a small multi-series line chart, with axis ticks.

    The employment axis starts at 0 and ends at a round value above the largest point;
    its ticks fall on round values (:func:`clusteratlas.i18n.formats.nice_ticks`:
    0 – 2.000 – 4.000 – 6.000, not 1.832 – 3.663 – 5.495) and are labelled in the
    page's language (``lang``).
    """
    all_x = [p["year"] for s in series for p in s["points"]]
    all_y = [p["employment"] for s in series for p in s["points"]
             if p["employment"] is not None and math.isfinite(p["employment"])]
    if not all_x or not all_y:
        raise NotFoundError("no data to draw")
    x0, x1 = min(all_x), max(all_x)
    ticks = nice_ticks(0.0, max(max(all_y), 0.0) or 1.0, 5)
    y1 = ticks[-1]
    sx = (width - 2 * pad) / max(1, x1 - x0)
    sy = (height - 2 * pad) / y1
    lines = []
    for s in series:
        pts = " ".join(f"{pad + (p['year'] - x0) * sx:.1f},"
                       f"{height - pad - p['employment'] * sy:.1f}"
                       for p in s["points"] if p["employment"] is not None)
        lines.append({"category": s["category"], "points": pts})
    digits = tick_digits(ticks)
    return {"width": width, "height": height, "pad": pad, "lines": lines,
            "x_ticks": [{"x": pad + (x - x0) * sx, "label": str(x)} for x in range(x0, x1 + 1)],
            "y_ticks": [{"y": height - pad - v * sy, "label": format_number(v, lang, digits)}
                        for v in ticks]}
