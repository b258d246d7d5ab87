"""Small SVG charts of the pages, drawn by the templates from plain coordinates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from clusteratlas.errors import NotFoundError

__all__ = ["line_chart"]


def line_chart(series: Sequence[dict[str, Any]], *, width: int = 560, height: int = 220,
               pad: int = 40) -> dict[str, Any]:
    """Polylines (SVG coordinates) for a small multi-series line chart, with axis ticks."""
    all_x = [p["year"] for s in series for p in s["points"]]
    all_y = [p["employment"] for s in series for p in s["points"]
             if p["employment"] is not None]
    if not all_x or not all_y:
        raise NotFoundError("no data to draw")
    x0, x1 = min(all_x), max(all_x)
    y1 = max(all_y) * 1.05 or 1.0
    sx = (width - 2 * pad) / max(1, x1 - x0)
    sy = (height - 2 * pad) / y1
    lines = []
    for s in series:
        pts = " ".join(f"{pad + (p['year'] - x0) * sx:.1f},"
                       f"{height - pad - p['employment'] * sy:.1f}"
                       for p in s["points"] if p["employment"] is not None)
        lines.append({"category": s["category"], "points": pts})
    ticks = [float(v) for v in np.linspace(0, y1, 4)]
    return {"width": width, "height": height, "pad": pad, "lines": lines,
            "x_ticks": [{"x": pad + (x - x0) * sx, "label": str(x)} for x in range(x0, x1 + 1)],
            "y_ticks": [{"y": height - pad - v * sy, "label": f"{v:,.0f}"} for v in ticks]}
