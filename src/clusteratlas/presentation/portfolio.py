"""The cluster portfolio chart laid out: LQ (log axis) against the change in
employment, one bubble per cluster with its area proportional to employment.

This is the chart cluster observatories print for a region (European Cluster
Observatory, US Cluster Mapping "cluster portfolio"): to the right of LQ = 1 the region
is specialised, above 0 the cluster grew.  The layout here is plain numbers (axis
limits, ticks, bubble areas, which bubbles carry a label); the briefings draw it with
matplotlib, the pages could draw it as SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from clusteratlas.i18n.formats import nice_ticks

__all__ = ["LQ_TICKS", "label_positions", "portfolio_layout"]

#: ticks of the log LQ axis (the LQ map's class breaks and their neighbours)
LQ_TICKS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 25.0, 50.0, 100.0)


def portfolio_layout(points: Sequence[dict[str, Any]], *, max_area: float = 900.0,
                     min_area: float = 12.0) -> dict[str, Any]:
    """Axis limits and ticks, and each point's bubble area (points², for
    ``scatter(s=…)``).

    Parameters
    ----------
    points : sequence of dict
        Each with ``lq`` (> 0), ``change`` (relative, 0.1 = +10 %) and ``employment``.
    max_area, min_area : float
        The largest bubble's area and the floor for tiny ones (still visible).

    Returns
    -------
    dict
        ``x_limits`` (LQ, log axis, always enclosing 1), ``x_ticks``, ``y_limits`` and
        ``y_ticks`` (relative change, enclosing 0), ``areas`` (one per point: area
        :math:`\\propto` employment, so the eye reads sizes right).
    """
    if not points:
        raise ValueError("a portfolio chart needs at least one point")
    lqs = [float(p["lq"]) for p in points]
    changes = [float(p["change"]) for p in points]
    lo, hi = math.log10(min(min(lqs), 1.0)), math.log10(max(max(lqs), 1.0))
    pad = max(0.12, 0.08 * (hi - lo))  # room for the bubbles at the edges
    x_limits = (10 ** (lo - pad), 10 ** (hi + pad))
    x_ticks = [t for t in LQ_TICKS if x_limits[0] <= t <= x_limits[1]]
    y_ticks = nice_ticks(min(min(changes), 0.0), max(max(changes), 0.0), 8)
    span = (y_ticks[-1] - y_ticks[0]) or 1.0
    y_limits = (y_ticks[0] - 0.04 * span, y_ticks[-1] + 0.04 * span)
    biggest = max(float(p["employment"]) for p in points) or 1.0
    areas = [max(min_area, max_area * float(p["employment"]) / biggest) for p in points]
    return {"x_limits": x_limits, "x_ticks": x_ticks, "y_limits": y_limits,
            "y_ticks": y_ticks, "areas": areas}


def label_positions(points: Sequence[dict[str, Any]], layout: dict[str, Any], *,
                    axes_size: tuple[float, float],
                    font_pt: float = 6.0) -> list[tuple[int, float, float]]:
    """Which points carry their label and where: the largest first, each label set
    above, below, right or left of its bubble (the first place that is free), never over
    a label already placed, so no two names print over each other.

    ``axes_size`` is the plot area in inches; a character is taken as 0.62 em wide
    (DejaVu Sans averages about 0.55 em), a line as 1.6 em high (the text and its white
    backing).  Returns ``(index, dx, dy)``: the label's centre relative to the point, in
    points.
    """
    w_in, h_in = axes_size
    (x0, x1), (y0, y1) = layout["x_limits"], layout["y_limits"]
    lx0, lx1 = math.log10(x0), math.log10(x1)
    boxes: list[tuple[float, float, float, float]] = []
    chosen: list[tuple[int, float, float]] = []
    half_h = 0.8 * font_pt / 72
    for i in sorted(range(len(points)), key=lambda i: -float(points[i]["employment"])):
        label = str(points[i].get("label") or "")
        if not label:
            continue
        cx = (math.log10(float(points[i]["lq"])) - lx0) / (lx1 - lx0) * w_in
        cy = (float(points[i]["change"]) - y0) / (y1 - y0) * h_in
        gap = math.sqrt(layout["areas"][i] / math.pi) / 72 + 2 / 72  # radius + 2 pt
        half_w = 0.62 * font_pt * len(label) / 72 / 2
        if 2 * half_w > w_in:
            continue
        for dx, dy in ((0.0, gap + half_h), (0.0, -gap - half_h), (gap + half_w, 0.0),
                       (-gap - half_w, 0.0)):
            x = min(max(cx + dx, half_w), w_in - half_w)  # inside the axes
            y = cy + dy
            box = (x - half_w, y - half_h, x + half_w, y + half_h)
            if box[1] < 0 or box[3] > h_in:
                continue
            if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                   for b in boxes):
                continue
            boxes.append(box)
            chosen.append((i, 72 * (x - cx), 72 * dy))
            break
    return sorted(chosen)
