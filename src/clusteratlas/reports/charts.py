"""Charts and maps of the briefings, drawn with matplotlib (no browser): each chart is
a small spec (:class:`~clusteratlas.service.briefings.Chart`, plain data) rendered to
PNG (PDF) or SVG (HTML), in the colours of the pages (:mod:`clusteratlas.presentation`)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

from clusteratlas.presentation.colours import PALETTE, STATUS_COLOURS, fill, legend, text_colour
from clusteratlas.service.briefings import Chart

__all__ = ["render"]


def _figure(chart: Chart) -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 8,
                         "svg.fonttype": "none"})
    fig, ax = plt.subplots(figsize=(chart.width, chart.height))
    d = chart.data
    if chart.kind == "bars":
        labels, values = list(d["labels"]), [v or 0.0 for v in d["values"]]
        ax.barh(range(len(labels)), values, color=d.get("colour", "#b35806"))
        ax.set_yticks(range(len(labels)), labels=labels)
        ax.invert_yaxis()
        for i, v in enumerate(values):
            ax.text(v, i, " " + d.get("fmt", "{:,.0f}").format(v), va="center")
        ax.set_xlim(0, max(values or [1]) * 1.25 or 1)
        ax.set_xlabel(d.get("xlabel", ""))
        for name in ("top", "right"):
            ax.spines[name].set_visible(False)
    elif chart.kind == "lines":
        for (name, values), colour in zip(d["series"].items(), PALETTE, strict=False):
            ax.plot(d["x"], values, marker="o", markersize=3, color=colour, label=name)
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_ylabel(d.get("ylabel", ""))
        ax.grid(axis="y", color="#dddddd")
        for name in ("top", "right"):
            ax.spines[name].set_visible(False)
    elif chart.kind == "map":
        _map(ax, d)
    elif chart.kind == "grid":
        rows, cols = d["rows"], d["columns"]
        colours = [[STATUS_COLOURS[status] for status in row] for row in d["statuses"]]
        for i in range(len(rows)):
            for j in range(len(cols)):
                ax.add_patch(Rectangle((j, i), 0.95, 0.95, color=colours[i][j]))
        ax.set_xlim(0, len(cols))
        ax.set_ylim(len(rows), 0)
        ax.set_xticks([j + 0.5 for j in range(len(cols))], labels=cols, rotation=90,
                      fontsize=6)
        ax.set_yticks([i + 0.5 for i in range(len(rows))], labels=rows, fontsize=6)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        handles = [Rectangle((0, 0), 1, 1, color=c) for c in STATUS_COLOURS.values()]
        ax.legend(handles, [d["legend"][k] for k in STATUS_COLOURS], frameon=False, fontsize=7,
                  ncol=5,
                  loc="upper center", bbox_to_anchor=(0.5, -0.12))
    else:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    ax.set_title(chart.title, fontsize=9, loc="left")
    if chart.kind == "map":
        # room on the right for the legend; tight_layout would shrink the map instead
        fig.subplots_adjust(left=0.01, right=0.74, top=0.92, bottom=0.01)
    else:
        fig.tight_layout()
    return fig


def _outer_rings(geojson: Any) -> list[list[tuple[float, float]]]:
    geom = json.loads(geojson) if isinstance(geojson, str) else geojson
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return [[(float(x), float(y)) for x, y, *_ in poly[0]] for poly in polygons]


def _map(ax: Any, d: Mapping[str, Any]) -> None:
    import math

    from matplotlib.collections import PolyCollection

    fills = {code: fill(d["indicator"], value)[1] for code, value in d["values"].items()}
    polys, colours, widths, edges = [], [], [], []
    centres = {}
    for code, geojson in d["geometries"].items():
        rings = _outer_rings(geojson)
        for ring in rings:
            polys.append(ring)
            colours.append(fills.get(code, "#eeeeee"))
            mine = code == d.get("highlight")
            edges.append("#000000" if mine else "#ffffff")
            widths.append(1.8 if mine else 0.6)
        biggest = max(rings, key=len)
        centres[code] = (sum(x for x, _ in biggest) / len(biggest),
                         sum(y for _, y in biggest) / len(biggest))
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors=edges,
                                     linewidths=widths))
    for code, text in d.get("labels", {}).items():
        if code in centres:
            ax.text(*centres[code], text, ha="center", va="center", fontsize=7,
                    color=text_colour(fills[code]) if code in fills else "#000000",
                    clip_on=True)
    focus = [c for c in d.get("focus") or () if c in d["geometries"]]
    pts = [p for c in (focus or d["geometries"]) for ring in _outer_rings(d["geometries"][c])
           for p in ring]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    pad_x, pad_y = (max(xs) - min(xs)) * 0.08 + 1e-6, (max(ys) - min(ys)) * 0.08 + 1e-6
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    if d.get("geographic", True):  # lon/lat: shrink x by the cosine of the latitude
        ax.set_aspect(1.0 / max(0.2, math.cos(math.radians((min(ys) + max(ys)) / 2))))
    else:
        ax.set_aspect("equal")
    ax.axis("off")
    from matplotlib.patches import Rectangle

    entries = legend(d["indicator"])
    handles = [Rectangle((0, 0), 1, 1, color=e["colour"]) for e in entries]
    ax.legend(handles, [e["label"] for e in entries], frameon=False, fontsize=6,
              loc="upper left", bbox_to_anchor=(1.0, 1.0), title=d.get("legend_title"),
              title_fontsize=7)


def render(chart: Chart, fmt: str) -> bytes:
    """The chart as ``png`` (150 dpi) or ``svg`` bytes."""
    import matplotlib.pyplot as plt

    fig = _figure(chart)
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg"
                    else {"Software": None})
    finally:
        plt.close(fig)
    return buffer.getvalue()
