"""Charts and maps of the briefings, drawn with matplotlib (no browser): each chart is
a small spec (:class:`~clusteratlas.service.briefings.Chart`, plain data) rendered to
PNG (PDF) or SVG (HTML), in the colours of the pages (:mod:`clusteratlas.presentation`)."""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clusteratlas._files import source_digest
from clusteratlas.i18n.formats import format_number, format_percent_share, nice_ticks
from clusteratlas.presentation.colours import PALETTE, STATUS_COLOURS, fill, legend, text_colour
from clusteratlas.reports import _cache
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
    lang = str(d.get("lang", "de"))
    if chart.kind == "bars":
        labels, values = list(d["labels"]), [v or 0.0 for v in d["values"]]
        ax.barh(range(len(labels)), values, color=d.get("colour", "#b35806"))
        ax.set_yticks(range(len(labels)), labels=labels)
        ax.invert_yaxis()
        for i, v in enumerate(values):
            ax.text(v, i, " " + format_number(v, lang), va="center")
        ax.set_xlim(0, max(values or [1]) * 1.25 or 1)
        ax.set_xlabel(d.get("xlabel", ""))
        for name in ("top", "right"):
            ax.spines[name].set_visible(False)
    elif chart.kind == "lines":
        for (name, values), colour in zip(d["series"].items(), PALETTE, strict=False):
            ax.plot(d["x"], values, marker="o", markersize=3, color=colour, label=name)
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        ax.set_ylabel(d.get("ylabel", ""))
        _number_axis(ax.yaxis, [v for vs in d["series"].values() for v in vs if v is not None],
                     lang)
        ax.set_xticks(list(d["x"]), labels=[str(x) for x in d["x"]])
        ax.grid(axis="y", color="#dddddd")
        for name in ("top", "right"):
            ax.spines[name].set_visible(False)
    elif chart.kind == "map":
        _map(ax, d)
    elif chart.kind == "portfolio":
        _portfolio(ax, d)
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
        handles = [Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="#999999", linewidth=0.4)
                   for c in STATUS_COLOURS.values()]
        # below the district labels, in the figure's own reserved strip (placed at the
        # axes it ran into the rotated labels and past both margins)
        fig.legend(handles, [_wrapped(d["legend"][k], 34) for k in STATUS_COLOURS],
                   frameon=False, fontsize=7, ncol=3, loc="lower center",
                   bbox_to_anchor=(0.5, 0.0))
    else:
        raise ValueError(f"unknown chart kind {chart.kind!r}")
    ax.set_title(chart.title, fontsize=9, loc="left")
    if chart.kind == "map":
        # room on the right for the legend; tight_layout would shrink the map instead
        fig.subplots_adjust(left=0.01, right=0.74, top=0.92, bottom=0.01)
    elif chart.kind == "portfolio":
        left, right, bottom, top = _PORTFOLIO_BOX
        fig.subplots_adjust(left=left, right=right, top=top, bottom=bottom)
    elif chart.kind == "grid":
        fig.tight_layout(rect=(0.0, _GRID_LEGEND_STRIP, 1.0, 1.0))
    else:
        fig.tight_layout()
    return fig


#: the share of a grid chart's height kept free for its legend (three rows of labels)
_GRID_LEGEND_STRIP = 0.2


def _wrapped(label: str, width: int) -> str:
    """A legend label over lines of at most ``width`` characters (a label longer than
    the room beside the chart was cut at the figure's edge)."""
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


def _outer_rings(geojson: Any) -> list[list[tuple[float, float]]]:
    geom = json.loads(geojson) if isinstance(geojson, str) else geojson
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    return [[(float(x), float(y)) for x, y, *_ in poly[0]] for poly in polygons]


def _view(rings: Mapping[str, list[list[tuple[float, float]]]],
          d: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """The map's extent: the bounding box of the ``focus`` regions (the district and its
    neighbours; all regions without one) with a margin of 4 % of its size."""
    focus = [c for c in d.get("focus") or () if c in rings] or list(rings)
    pts = [p for c in focus for ring in rings[c] for p in ring]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    pad_x = (max(xs) - min(xs)) * 0.04 + 1e-6
    pad_y = (max(ys) - min(ys)) * 0.04 + 1e-6
    return min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y


def _map(ax: Any, d: Mapping[str, Any]) -> None:
    from matplotlib.collections import PolyCollection

    fills = {code: fill(d["indicator"], value)[1] for code, value in d["values"].items()}
    rings = {code: _outer_rings(geojson) for code, geojson in d["geometries"].items()}
    x0, x1, y0, y1 = _view(rings, d)
    polys, colours, widths, edges = [], [], [], []
    centres = {}
    for code, parts in rings.items():
        # a region is drawn whole or not at all: nothing is cut at the map's edge
        if not all(x0 <= x <= x1 and y0 <= y <= y1 for ring in parts for x, y in ring):
            continue
        for ring in parts:
            polys.append(ring)
            colours.append(fills.get(code, "#eeeeee"))
            mine = code == d.get("highlight")
            edges.append("#000000" if mine else "#ffffff")
            widths.append(1.8 if mine else 0.6)
        biggest = max(parts, key=len)
        centres[code] = (sum(x for x, _ in biggest) / len(biggest),
                         sum(y for _, y in biggest) / len(biggest))
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors=edges,
                                     linewidths=widths))
    for code, text in d.get("labels", {}).items():
        if code in centres:
            ax.text(*centres[code], text, ha="center", va="center", fontsize=7,
                    color=text_colour(fills[code]) if code in fills else "#000000",
                    clip_on=True)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    if d.get("geographic", True):  # lon/lat: shrink x by the cosine of the latitude
        ax.set_aspect(1.0 / max(0.2, math.cos(math.radians((y0 + y1) / 2))))
    else:
        ax.set_aspect("equal")
    ax.axis("off")
    from matplotlib.patches import Rectangle

    # the classes in the briefing's language (0,5 – 0,8), the no-data entry too
    entries = legend(d["indicator"], str(d.get("lang", "de")))
    entries[-1]["label"] = d.get("no_data", entries[-1]["label"])
    handles = [Rectangle((0, 0), 1, 1, color=e["colour"]) for e in entries]
    ax.legend(handles, [e["label"] for e in entries], frameon=False, fontsize=6,
              loc="upper left", bbox_to_anchor=(1.0, 1.0), title=d.get("legend_title"),
              title_fontsize=7)


def _decimals(v: float) -> int:
    return 0 if float(v).is_integer() else len(repr(float(v)).split(".")[1])


def _number_axis(axis: Any, values: list[float], lang: str) -> None:
    """Nice ticks (:func:`~clusteratlas.i18n.formats.nice_ticks`) written in ``lang``."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return
    ticks = nice_ticks(min(0.0, min(finite)), max(finite), 5)
    axis.set_ticks(ticks, labels=[format_number(t, lang, _decimals(t) if abs(t) < 10 else 0)
                                  for t in ticks])
    axis.axes.set_ylim(ticks[0], ticks[-1])


#: the portfolio chart's plot area within its figure (left, right, bottom, top)
_PORTFOLIO_BOX = (0.1, 0.7, 0.12, 0.92)


def _axes_inches(ax: Any) -> tuple[float, float]:
    w, h = ax.figure.get_size_inches()
    left, right, bottom, top = _PORTFOLIO_BOX
    return w * (right - left), h * (top - bottom)


def _portfolio(ax: Any, d: Mapping[str, Any]) -> None:
    """The cluster portfolio: LQ (log) against the change in employment, bubble area
    proportional to employment, coloured by coverage status
    (:func:`~clusteratlas.presentation.portfolio.portfolio_layout`)."""
    from matplotlib.patches import Circle

    from clusteratlas.presentation.portfolio import label_positions, portfolio_layout

    lang = str(d.get("lang", "de"))
    points = list(d["points"])
    layout = portfolio_layout(points)
    order = sorted(range(len(points)), key=lambda i: -layout["areas"][i])  # big ones behind
    ax.set_xscale("log")
    ax.scatter([points[i]["lq"] for i in order], [points[i]["change"] for i in order],
               s=[layout["areas"][i] for i in order],
               c=[STATUS_COLOURS.get(points[i]["status"], "#bbbbbb") for i in order],
               alpha=0.75, edgecolors="#333333", linewidths=0.5, zorder=3)
    ax.axvline(1.0, color="#555555", linewidth=0.8, zorder=1)
    ax.axhline(0.0, color="#555555", linewidth=0.8, zorder=1)
    ax.set_xlim(*layout["x_limits"])
    ax.set_ylim(*layout["y_limits"])
    ax.set_xticks(layout["x_ticks"], labels=[format_number(t, lang, _decimals(t))
                                             for t in layout["x_ticks"]])
    ax.minorticks_off()
    ax.set_yticks(layout["y_ticks"], labels=[format_percent_share(t, lang, 0)
                                             for t in layout["y_ticks"]])
    for i, dx, dy in label_positions(points, layout, axes_size=_axes_inches(ax)):
        ax.annotate(points[i]["label"], (points[i]["lq"], points[i]["change"]), fontsize=6,
                    xytext=(dx, dy), textcoords="offset points", ha="center",
                    va="center", zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white",
                          "edgecolor": "none", "alpha": 0.8})
    ax.set_xlabel(d.get("x_label", "LQ"), fontsize=7)
    ax.set_ylabel(d.get("y_label", ""), fontsize=7)
    ax.grid(color="#eeeeee", zorder=0)
    for name in ("top", "right"):
        ax.spines[name].set_visible(False)
    shown = [k for k in STATUS_COLOURS if any(p["status"] == k for p in points)]
    handles = [Circle((0, 0), 1, facecolor=STATUS_COLOURS[k], edgecolor="#333333",
                      linewidth=0.5, alpha=0.75) for k in shown]
    ax.legend(handles, [_wrapped(d["legend"][k], 22) for k in shown], frameon=False,
              fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))


#: what decides a drawn chart besides its spec: this module, the colours, legends and
#: layout it draws with, the number formats and texts, and the libraries that draw
_CODE = ("reports/charts.py", "presentation/colours.py", "presentation/portfolio.py", "i18n")
_LIBRARIES = ("matplotlib", "pillow", "numpy", "babel")
#: how many drawn charts the cache folder keeps (the newest)
_KEEP = 512
_CODE_DIGEST: list[str] = []


def _matplotlibrc() -> bytes:
    """The user's matplotlib settings files, which could change how a chart looks."""
    found = [os.environ.get("MATPLOTLIBRC", ""), "matplotlibrc",
             os.path.join(os.environ.get("MPLCONFIGDIR", ""), "matplotlibrc"),
             str(Path.home() / ".config" / "matplotlib" / "matplotlibrc")]
    return b"".join(_cache.read(Path(f)) or b"" for f in found if f)


def _cached_name(chart: Chart, fmt: str) -> str | None:
    """The cache file of ``chart`` drawn as ``fmt``: a hash of the spec and of what
    draws it (``None`` for a spec that is not plain data)."""
    if not _CODE_DIGEST:
        _CODE_DIGEST.append(source_digest(_CODE, _LIBRARIES))
    try:
        spec = json.dumps([chart.kind, chart.title, chart.data, chart.width, chart.height],
                          sort_keys=True, default=repr, allow_nan=True)
    except (TypeError, ValueError):  # e.g. keys of mixed types: drawn afresh each time
        return None
    digest = hashlib.sha256(_CODE_DIGEST[0].encode())
    digest.update(_matplotlibrc())
    digest.update(spec.encode())
    return f"chart-{digest.hexdigest()[:40]}.{fmt}"


def render(chart: Chart, fmt: str) -> bytes:
    """The chart as ``png`` (150 dpi) or ``svg`` bytes.

    A chart is drawn the same from the same spec, and drawing is most of the time a
    briefing takes to print (matplotlib's import and rendering): each drawn chart is
    kept in the cache folder (:mod:`._cache`) under a hash of its spec, of the code
    and the library versions that draw it, so that the next briefing with the same
    chart reads the picture back instead of drawing it."""
    name = _cached_name(chart, fmt)
    path = _cache.folder() / "charts" / name if name is not None else None
    kept = _cache.read(path) if path is not None else None
    if kept:
        return kept
    data = _draw(chart, fmt)
    if path is not None:
        _cache.keep(path, data, newest=_KEEP)
    return data


def _draw(chart: Chart, fmt: str) -> bytes:
    import matplotlib.pyplot as plt

    fig = _figure(chart)
    buffer = io.BytesIO()
    try:
        # "tight": the saved picture holds every label and legend, however long the
        # words of the language (the PDF scales it to the column, keeping its aspect)
        fig.savefig(buffer, format=fmt, dpi=150, metadata={"Date": None} if fmt == "svg"
                    else {"Software": None}, bbox_inches="tight", pad_inches=0.04)
    finally:
        plt.close(fig)
    return _opaque(buffer.getvalue()) if fmt == "png" else buffer.getvalue()


def _opaque(png: bytes) -> bytes:
    """``png`` without its alpha channel where every pixel is opaque (a chart on its
    white figure): the same picture, which the PDF then embeds as one image instead of
    a colour image and a soft mask that masks nothing."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as picture:
        if picture.mode != "RGBA" or picture.getchannel("A").getextrema() != (255, 255):
            return png
        out = io.BytesIO()
        extra = {"dpi": picture.info["dpi"]} if "dpi" in picture.info else {}
        picture.convert("RGB").save(out, format="png", **extra)
    return out.getvalue()
