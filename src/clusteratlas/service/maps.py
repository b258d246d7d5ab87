"""One category on the map of the state: the indicator in every district, and its
spatial autocorrelation.  The service answers with values and coverage statuses; the
fronts colour them (:func:`clusteratlas.presentation.colours.paint_map`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas.errors import InputError
from clusteratlas.i18n import text
from clusteratlas.model.regions import Region
from clusteratlas.service._json import json_number as _num
from clusteratlas.service.atlas import Atlas

__all__ = ["MAP_INDICATORS", "autocorrelation", "growth_over", "spatial_weights",
           "state_map", "unsupported_lines"]

#: what a state map can show
MAP_INDICATORS = ("lq", "employment", "stars", "strong", "growth", "coverage")
_COLUMNS = {"lq": "lq", "employment": "employment", "stars": "stars", "strong": "strong",
            "growth": "cagr"}


def state_map(atlas: Atlas, *, category: str | None = None, year: int | None = None,
              lang: str = "de", indicator: str = "lq",
              statuses: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One category in every district of the atlas's scope (:meth:`Atlas.view`): the
    chosen indicator (``lq``, ``employment``, ``stars``, ``strong``, ``growth``, or
    ``coverage`` with the status of each district given in ``statuses``) as each
    region's ``value``, and the initiatives working on it.

    ``growth`` is the annual growth :math:`(E_{y}/E_{y-s})^{1/s}-1` over the atlas's
    span :math:`s` (five years, or all the panel has when it has fewer), shortened to
    the years before ``year`` where the panel starts later; ``growth_span`` states
    the years, ``None`` in the panel's first year.  The response states the scope,
    reference and comparison set, and what the mapping rules left out
    (``mapping_rules``)."""
    if indicator not in MAP_INDICATORS:
        raise InputError(f"indicator {indicator!r}: expected one of {', '.join(MAP_INDICATORS)}")
    if indicator == "coverage" and statuses is None:
        raise InputError("the coverage map needs the coverage statuses")
    cat = atlas.categories[atlas.category(category)]
    y = atlas.year_or_latest(year)
    ind = atlas.indicators
    part = ind[(ind["category"] == cat.code) & (ind["year"] == y)].set_index("region")
    # one dictionary lookup per region (a .loc per region took 0.4 s for the US counties)
    records = part[["lq", "employment", "share_of_region", "stars", "strong", "cagr",
                    "suppressed_cells"]].to_dict("index")
    span, growth = growth_over(atlas, cat.code, y)
    features = []
    for r in atlas.mapped_regions:
        rec = records.get(r.code)
        value: Any
        if indicator == "coverage":
            value = (statuses or {}).get(r.code)
        elif indicator == "growth":
            value = _num(growth.get(r.code))
        else:
            raw = rec[_COLUMNS[indicator]] if rec is not None else None
            value = _num(float(raw)) if raw is not None and not pd.isna(raw) else None
        features.append({
            "code": r.code, "name": r.display_name, "abbreviation": r.abbreviation,
            "value": value, "lq": _num(rec["lq"]) if rec is not None else None,
            "employment": _num(rec["employment"]) if rec is not None else None,
            "share_of_region": _num(rec["share_of_region"]) if rec is not None else None,
            "stars": int(str(rec["stars"])) if rec is not None else None,
            "strong": bool(rec["strong"]) if rec is not None else None,
            "growth": _num(growth.get(r.code)),
            "suppressed_cells": int(str(rec["suppressed_cells"])) if rec is not None else 0,
            "initiatives": [{"id": i.id, "name": i.name} for i in atlas.serving(r.code)
                            if cat.code in i.categories],
        })
    seats = [{"id": i.id, "name": i.name, "region": i.seat_region, "scope": i.scope}
             for i in atlas.shown() if i.kind == "initiative"
             and cat.code in i.categories and i.seat_region is not None]
    return {
        "category": {"code": cat.code, "name": cat.name(lang),
                     "description": cat.describe(lang)},
        "year": y, "years": atlas.years, "indicator": indicator,
        "growth_span": span,
        "layer": atlas.layer,
        "regions": features,
        "seats": seats,
        "unsupported_categories": atlas.unsupported(lang),
        **atlas.meta(),
    }


def unsupported_lines(unsupported: list[dict[str, str]], lang: str) -> list[str]:
    """One line per WZ level for the cluster categories a table cannot measure
    (:meth:`Atlas.unsupported`): "Aerospace, Automotive, … – needs WZ class (4-digit)
    data"."""
    by_level: dict[str, list[str]] = {}
    for item in unsupported:
        by_level.setdefault(item["needs"], []).append(item["name"])
    return [f"{', '.join(names)} – "
            + text("category_needs", lang, level=text(f"wz_level_{level}", lang))
            for level in ("division", "group", "class", "subclass")
            if (names := by_level.get(level))]


def growth_over(atlas: Atlas, category: str, year: int) -> tuple[list[int] | None,
                                                                 dict[str, float]]:
    """([first, last] year, annual growth per district) of one category up to ``year``:
    the mapped CAGR over the atlas's span where the panel reaches back that far,
    otherwise the CAGR from the panel's first year; ``(None, {})`` in its first year."""
    ind = atlas.indicators
    first = atlas.years[0]
    span = min(atlas.options.span, year - first)
    if span < 1:
        return None, {}
    rows = ind[(ind["category"] == category) & (ind["year"] == year)]
    if span == atlas.options.span:
        values = rows.set_index("region")["cagr"]
    else:  # the years before the span's start are not in the panel: a shorter span
        start = ind[(ind["category"] == category) & (ind["year"] == year - span)]
        e0 = start.set_index("region")["employment"]
        e1 = rows.set_index("region")["employment"].reindex(e0.index)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = (e1 / e0.where(e0 > 0)).astype(float)
            values = ratio ** (1.0 / span) - 1.0
    return [year - span, year], {str(k): float(v) for k, v in values.items() if pd.notna(v)}


def autocorrelation(atlas: Atlas, *, category: str | None = None, year: int | None = None,
                    permutations: int = 999, seed: int = 12345,
                    alpha: float = 0.05) -> dict[str, Any]:
    """Moran's I, local Moran and Getis-Ord Gi* of one category's LQ over the
    districts, with FDR control at ``alpha``.  Neighbours: shared borders when
    official boundaries are imported, otherwise the 5 nearest district centres."""
    from clusteratlas.core.autocorrelation import spatial_autocorrelation

    cat = atlas.categories[atlas.category(category)]
    y = atlas.year_or_latest(year)
    ind = atlas.indicators
    part = ind[(ind["category"] == cat.code) & (ind["year"] == y)].set_index("region")
    regions = [r for r in atlas.mapped_regions if pd.notna(part["lq"].get(r.code))]
    values = part["lq"].reindex([r.code for r in regions]).to_numpy(dtype=float)
    weights, method = spatial_weights(atlas, regions)
    res = spatial_autocorrelation(values, weights, permutations=permutations, seed=seed,
                                  alpha=alpha)
    local = []
    for k, r in enumerate(regions):
        local.append({
            "code": r.code, "name": r.display_name, "lq": _num(values[k]),
            "local_i": _num(res.local_i[k]), "local_p": _num(res.local_p_sim[k]),
            "quadrant": ["", "HH", "LH", "LL", "HL"][int(res.local_quadrant[k])],
            "local_significant": bool(res.local_p_sim[k] <= res.fdr_local),
            "gi_star": _num(res.gi_star[k]), "gi_z": _num(res.gi_z[k]),
            "gi_p": _num(res.gi_p_sim[k]),
            "hot_spot": bool(res.gi_p_sim[k] <= res.fdr_gi and res.gi_z[k] > 0),
            "cold_spot": bool(res.gi_p_sim[k] <= res.fdr_gi and res.gi_z[k] < 0),
        })
    return {
        "category": {"code": cat.code, "name": cat.name()}, "year": y,
        "variable": "lq", "neighbours": method, "permutations": permutations,
        "moran": {"i": res.moran_i, "expected": res.moran_ei, "z_norm": res.moran_z_norm,
                  "p_sim": res.moran_p_sim},
        "fdr": {"alpha": alpha, "local_cutoff": res.fdr_local, "gi_cutoff": res.fdr_gi},
        "islands": [regions[i].code for i in res.islands],
        "single_neighbour": [regions[i].code for i in res.single_neighbour],
        "excluded_unknown": [r.code for r in atlas.mapped_regions if r not in regions],
        "regions": local,
        **atlas.meta(),
    }


def spatial_weights(atlas: Atlas, regions: list[Region]) -> tuple[Any, str]:
    """Binary neighbour matrix of ``regions`` and a description of how it was built."""
    import scipy.sparse as sp
    from scipy.spatial import cKDTree

    if atlas.layer != "schematic":
        try:
            return _contiguity(atlas.geometries, regions), "shared borders (queen contiguity)"
        except ImportError:
            pass
    lat0 = np.radians(np.mean([r.lat or 0.0 for r in regions]))
    pts = np.array([[(r.lon or 0.0) * np.cos(lat0), r.lat or 0.0] for r in regions])
    k = min(5, len(regions) - 1)
    _, idx = cKDTree(pts).query(pts, k=k + 1)
    rows = np.repeat(np.arange(len(regions)), k)
    w = sp.csr_array((np.ones(rows.size), (rows, idx[:, 1:].ravel())),
                     shape=(len(regions), len(regions)))
    return w, f"{k} nearest district centres"


def _contiguity(geometries: Mapping[str, str], regions: list[Region]) -> Any:
    import scipy.sparse as sp
    import shapely

    geoms = [shapely.from_geojson(geometries[r.code]) for r in regions]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left != right
    return sp.csr_array((np.ones(int(keep.sum())), (left[keep], right[keep])),
                        shape=(len(regions), len(regions)))
