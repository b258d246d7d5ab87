"""Sections the briefings share: the cluster portfolio chart's data, the glossary of
methods and the sources, each in the briefing's language.

The portfolio chart is the one cluster observatories print for a region (e.g. the
European Cluster Observatory's and the US Cluster Mapping's region portfolios):
specialisation (LQ) against the change in employment over the span, one bubble per
cluster, its area the employment.  Here it is plain data; the renderers draw it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from clusteratlas.i18n import text
from clusteratlas.i18n.formats import format_number
from clusteratlas.service.atlas import Atlas

__all__ = ["dataset_title", "glossary_rows", "has_published_totals", "portfolio_points", "source_lines",
           "state_total"]


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if v == v else None  # NaN → None


def portfolio_points(atlas: Atlas, year: int, cells: pd.DataFrame,
                     labels: dict[tuple[str, str], str]) -> list[dict[str, Any]]:
    """One point per cell of ``cells`` (columns ``region``, ``category``, ``status``):
    its LQ and employment in ``year``, the relative change of employment since the
    first year of the panel, the coverage status and a label.

    The change is :math:`E_{r,c,t} / E_{r,c,t_0} - 1` with :math:`t_0` the panel's first
    year; cells without an LQ, without employment in either year, or with LQ 0 (no
    place on a log axis) are left out.
    """
    ind = atlas.indicators
    start = atlas.years[0]
    first = ind[ind["year"] == start].set_index(["region", "category"])["employment"]
    now = ind[ind["year"] == year].set_index(["region", "category"])
    points = []
    for cell in cells.itertuples():
        key = (str(cell.region), str(cell.category))
        if key not in now.index:
            continue
        row: Any = now.loc[key]
        lq, emp = _num(row["lq"]), _num(row["employment"])
        e0 = _num(first.get(key))
        if not lq or not emp or not e0:
            continue
        points.append({"label": labels.get(key, ""), "lq": lq, "employment": emp,
                       "change": emp / e0 - 1.0, "status": str(cell.status)})
    return points


def state_total(atlas: Atlas, year: int) -> float:
    """The state's employees in ``year``: the sum of the districts' totals (the
    published ``TOTAL`` rows where the panel has them, the sum of their industries
    otherwise — :func:`~clusteratlas.service.atlas.category_indicators`)."""
    ind = atlas.indicators[atlas.indicators["year"] == year]
    return float(ind.groupby("region")["region_total"].first().sum())


def has_published_totals(atlas: Atlas) -> bool:
    """Whether the panel has ``TOTAL`` rows (else region totals are sums of industries)."""
    from clusteratlas.model.panel import TOTAL_CODE

    obs = atlas.observations
    if obs is None or "industry" not in obs:
        return False
    return bool((obs["industry"] == TOTAL_CODE).any())


def glossary_rows(atlas: Atlas, lang: str, year: int, *, area: str) -> list[list[str]]:
    """Term and meaning of each measure the briefing shows, with the rules' thresholds
    as configured (:class:`~clusteratlas.core.stars.StarRules`, ``StrongRule``)."""
    stars, strong = atlas.options.stars, atlas.options.strong

    def pct(q: float) -> str:
        return format_number(100 * q, lang)

    def n(v: float) -> str:
        return format_number(v, lang, 0 if float(v).is_integer() else 2)

    source = atlas.panel_dataset
    return [
        ["LQ", text("brief_g_lq", lang)],
        [text("stars", lang), text("brief_g_stars", lang, size=pct(1 - stars.size_quantile),
                                   lq=n(stars.min_lq), focus=pct(1 - stars.focus_quantile))],
        [text("strong", lang), text("brief_g_strong", lang, lq=n(strong.min_lq),
                                    lq_top=pct(1 - strong.lq_quantile),
                                    size=pct(strong.size_quantile))],
        [text("gap", lang).capitalize(), text("brief_g_gap", lang)],
        [text("brief_growth_span", lang), text("brief_g_span", lang, start=atlas.years[0],
                                               end=year)],
        [text("brief_reference", lang),
         text("brief_g_reference", lang, area=area) if atlas.choice is None
         else text("reference_line", lang, name=atlas.choice.reference.display_name)],
        [text("brief_data_source", lang), dataset_title(source.id, source.title, lang,
                                                         atlas)],
    ]


def dataset_title(ident: str, title: str, lang: str, atlas: Atlas) -> str:
    # data sets Clusteratlas makes itself have their description in the catalogue;
    # imported ones keep the title their publisher gave
    key = f"brief_ds_{ident}"
    try:
        return text(key, lang, start=atlas.years[0], end=atlas.years[-1])
    except KeyError:
        return title


def source_lines(atlas: Atlas, lang: str) -> list[str]:
    """One line per data set (title, attribution, licence, source) and the registry's."""
    lines = []
    for d in atlas.meta()["provenance"]:
        title = dataset_title(str(d["id"]), str(d["title"]), lang, atlas)
        own = title != d["title"]  # the catalogue's wording already names the origin
        parts = [title]
        if d.get("attribution") and not own:
            parts.append(str(d["attribution"]))
        if d.get("licence"):
            parts.append(f"{text('brief_licence', lang)}: {d['licence']}")
        if d.get("source") and not own:
            parts.append(f"{text('brief_source_of', lang)}: {d['source']}")
        lines.append(". ".join(p.rstrip(".") for p in parts) + ".")
    lines.append(text("brief_registry_source", lang))
    return lines
