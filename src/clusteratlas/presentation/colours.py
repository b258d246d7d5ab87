"""Map classes and colours: indicator values → class, fill, text colour and legend."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from clusteratlas.i18n import text
from clusteratlas.i18n.formats import format_number, format_percent_share

__all__ = ["EMPLOYMENT_CLASSES", "GROWTH_CLASSES", "INDICATOR_CLASSES", "LQ_CLASSES",
           "NO_DATA_COLOUR", "NO_DATA_LABEL", "PALETTE", "STATUS_COLOURS", "MapClass",
           "class_label", "classify", "fill", "legend", "paint_map", "ranked", "text_colour"]


@dataclass(frozen=True)
class MapClass:
    """One class of a choropleth map: values in [``lower``, ``upper``) drawn in ``colour``."""

    lower: float
    upper: float
    colour: str
    label: str


# Diverging around LQ = 1 (ColorBrewer PuOr, colour-blind safe); the breaks are
# symmetric on a log scale: 1/2, 1/1.25, 1.25, 2, 4.
LQ_CLASSES: tuple[MapClass, ...] = (
    MapClass(0.0, 0.5, "#542788", "< 0.5"),
    MapClass(0.5, 0.8, "#998ec3", "0.5 – 0.8"),
    MapClass(0.8, 1.25, "#f7f7f7", "0.8 – 1.25"),
    MapClass(1.25, 2.0, "#fee0b6", "1.25 – 2"),
    MapClass(2.0, 4.0, "#f1a340", "2 – 4"),
    MapClass(4.0, math.inf, "#b35806", "≥ 4"),
)
NO_DATA_COLOUR = "#d0d0d0"

# Sequential (ColorBrewer YlGnBu) for employment
EMPLOYMENT_CLASSES: tuple[MapClass, ...] = (
    MapClass(0.0, 100.0, "#ffffcc", "< 100"),
    MapClass(100.0, 500.0, "#c7e9b4", "100 – 500"),
    MapClass(500.0, 1000.0, "#7fcdbb", "500 – 1,000"),
    MapClass(1000.0, 2500.0, "#41b6c4", "1,000 – 2,500"),
    MapClass(2500.0, 5000.0, "#2c7fb8", "2,500 – 5,000"),
    MapClass(5000.0, math.inf, "#253494", "≥ 5,000"),
)
STAR_CLASSES: tuple[MapClass, ...] = (
    MapClass(0.0, 1.0, "#f7f7f7", "0 ★"),
    MapClass(1.0, 2.0, "#fee0b6", "1 ★"),
    MapClass(2.0, 3.0, "#f1a340", "2 ★"),
    MapClass(3.0, math.inf, "#b35806", "3 ★"),
)
STRONG_CLASSES: tuple[MapClass, ...] = (
    MapClass(0.0, 0.5, "#f7f7f7", "not strong"),
    MapClass(0.5, math.inf, "#b35806", "strong cluster"),
)
# Diverging (ColorBrewer BrBG) for the annual growth rate over five years
GROWTH_CLASSES: tuple[MapClass, ...] = (
    MapClass(-math.inf, -0.03, "#a6611a", "< −3 %"),
    MapClass(-0.03, -0.01, "#dfc27d", "−3 – −1 %"),
    MapClass(-0.01, 0.01, "#f5f5f5", "−1 – +1 %"),
    MapClass(0.01, 0.03, "#80cdc1", "+1 – +3 %"),
    MapClass(0.03, math.inf, "#018571", "≥ +3 %"),
)
#: coverage status in the order of the legend (:data:`clusteratlas.service.coverage.
#: STATUSES`): the strong hues of ColorBrewer Dark2 for a region's own initiatives and
#: gaps; paler tints of the same hue where a statewide network or a coarser category
#: stands in (covered statewide/within: green; a network's or a field's reach without
#: an agglomeration: pale blue/green, not the magenta of a misplaced initiative)
STATUS_COLOURS = {"covered": "#1b9e77", "covered_statewide": "#66c2a4",
                  "covered_within": "#b2df8a", "gap": "#d95f02", "emerging": "#7570b3",
                  "no_base": "#e7298a", "statewide_network": "#c6dbef",
                  "within_section": "#edf8e9", "none": "#f7f7f7"}
INDICATOR_CLASSES = {"lq": LQ_CLASSES, "employment": EMPLOYMENT_CLASSES,
                     "stars": STAR_CLASSES, "strong": STRONG_CLASSES,
                     "growth": GROWTH_CLASSES}
NO_DATA_LABEL = "no data / suppressed"
#: the series of line charts (ColorBrewer Dark2), in order
PALETTE = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")


def classify(value: float | None, classes: Sequence[MapClass] = LQ_CLASSES) -> int | None:
    """Index of the class holding ``value``; ``None`` for missing values."""
    if value is None or not math.isfinite(value):
        return None
    for i, cls in enumerate(classes):
        if cls.lower <= value < cls.upper:
            return i
    return len(classes) - 1 if value >= classes[-1].lower else 0  # pragma: no cover


def text_colour(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (WCAG relative luminance)."""
    rgb = [int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def fill(indicator: str, value: Any) -> tuple[int | None, str]:
    """The class and fill colour of ``value`` on a map of ``indicator`` (a coverage
    status on the coverage map, a number on the others)."""
    if indicator == "coverage":
        if value in STATUS_COLOURS:
            return list(STATUS_COLOURS).index(value), STATUS_COLOURS[value]
        return None, NO_DATA_COLOUR
    classes = INDICATOR_CLASSES[indicator]
    idx = classify(value, classes)
    return idx, classes[idx].colour if idx is not None else NO_DATA_COLOUR


def _bound(value: float, indicator: str, lang: str) -> str:
    if indicator == "growth":  # an annual rate: a signed percentage, a true minus
        body = format_percent_share(abs(value), lang, 0)
        return body if value == 0 else ("+" if value > 0 else "\u2212") + body
    # as many decimals as the break has (0.5, 1.25, 2, 1.000)
    digits = next(d for d in range(3) if abs(value * 10 ** d - round(value * 10 ** d)) < 1e-9)
    return format_number(value, lang, digits)


def class_label(cls: MapClass, indicator: str, lang: str) -> str:
    """A class of a numeric map in the page's language: ``1.000–2.500`` (German),
    ``1,000–2,500`` (English), ``< 0,5``, ``≥ 5.000``, ``−3 % bis −1 %``."""
    if indicator not in ("lq", "employment", "growth"):
        return cls.label
    if not math.isfinite(cls.lower):
        return f"< {_bound(cls.upper, indicator, lang)}"
    if not math.isfinite(cls.upper):
        return f"≥ {_bound(cls.lower, indicator, lang)}"
    if cls.lower == 0 and indicator != "growth":
        return f"< {_bound(cls.upper, indicator, lang)}"
    low, high = _bound(cls.lower, indicator, lang), _bound(cls.upper, indicator, lang)
    if indicator == "growth":  # "−3–−1" would read as a subtraction
        return f"{low} {text('range_to', lang)} {high}"
    return f"{low}–{high}"


def legend(indicator: str, lang: str | None = None,
           present: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The legend of a map of ``indicator``, ending with the no-data entry.

    With ``lang``, the numeric classes are labelled in that language
    (:func:`class_label`); without, in the language-neutral labels of the classes.  A
    coverage legend lists the statuses in ``present`` (default: all) and always
    ``covered``, ``gap`` and ``none``, so that it reads the same from one category to
    the next.
    """
    entries: list[dict[str, Any]]
    if indicator == "coverage":
        shown = set(STATUS_COLOURS if present is None else present) | {"covered", "gap",
                                                                         "none"}
        entries = [{"label": k, "colour": v} for k, v in STATUS_COLOURS.items() if k in shown]
    else:
        entries = [{"label": class_label(c, indicator, lang) if lang else c.label,
                    "colour": c.colour, "lower": _finite(c.lower),
                    "upper": _finite(c.upper)} for c in INDICATOR_CLASSES[indicator]]
    return [*entries, {"label": NO_DATA_LABEL, "colour": NO_DATA_COLOUR}]


def _finite(bound: float) -> float | None:
    return bound if math.isfinite(bound) else None


def paint_map(data: Mapping[str, Any], lang: str | None = None) -> dict[str, Any]:
    """A state map (:func:`clusteratlas.service.maps.state_map`) with each region's
    class, fill and text colour, and the legend (its classes in ``lang``)."""
    indicator = str(data["indicator"])
    regions = []
    for feature in data["regions"]:
        idx, colour = fill(indicator, feature["value"])
        painted = {k: v for k, v in feature.items() if k != "initiatives"}
        regions.append(painted | {"class": idx, "colour": colour,
                                  "text_colour": text_colour(colour),
                                  "initiatives": feature["initiatives"]})
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key == "layer":  # the legend's place in the answer, before the drawing
            out["legend"] = legend(indicator, lang, [str(f["value"]) for f in data["regions"]])
        out[key] = regions if key == "regions" else value
    return out


def ranked(regions: Sequence[Mapping[str, Any]], indicator: str) -> list[Mapping[str, Any]]:
    """The map's table order: by the chosen indicator, highest first (coverage: in the
    legend's order of statuses), ties and missing values by LQ; no value last."""
    order = list(STATUS_COLOURS)

    def key(f: Mapping[str, Any]) -> tuple[float, float]:
        v = f.get("value")
        lq = f.get("lq")
        by_lq = -lq if isinstance(lq, (int, float)) and math.isfinite(lq) else math.inf
        if indicator == "coverage":
            return (float(order.index(v)) if v in order else math.inf, by_lq)
        if isinstance(v, (bool, int, float)) and math.isfinite(v):
            return (-float(v), by_lq)
        return (math.inf, by_lq)

    return sorted(regions, key=key)
