"""What happened in the cells an initiative covers: before and after its founding,
shift-share, and a matched difference in differences.  Methods and caveats:
``docs/alignment.md``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from clusteratlas.core.impact import matched_did
from clusteratlas.i18n import text
from clusteratlas.service._json import json_number as _num
from clusteratlas.service.atlas import Atlas

__all__ = ["CAVEAT", "impact"]

#: the API's and the CLI's wording; pages show ``caveat_key`` in their language
CAVEAT = text("impact_caveat", "en")


def _status(key: str, **fields: Any) -> dict[str, Any]:
    """Why there is no comparison: the English ``status`` of the API and the catalogue
    key with its fields, from which a page words it in its language."""
    return {"status": text(key, "en", **fields), "status_key": key, "status_fields": fields}


def impact(atlas: Atlas, initiative_id: str, *, k: int = 5) -> dict[str, Any]:
    """What happened in the cells an initiative covers, before and after its founding:
    levels and growth, the shift-share competitive effect against the category's trend
    in all regions, and a matched difference in differences against comparable regions
    that no initiative covers (with its interval and the comparison group)."""
    result: dict[str, Any] = atlas.remember(("impact", initiative_id, k),
                                            lambda: _impact(atlas, initiative_id, k),
                                            registry=True)
    return result


def _impact(atlas: Atlas, initiative_id: str, k: int) -> dict[str, Any]:
    ini = atlas.initiative(initiative_id)
    years = atlas.years
    ind = atlas.indicators
    out: dict[str, Any] = {"initiative": ini.id, "name": ini.name, "founded": ini.founded,
                           "years": [years[0], years[-1]], "caveat": CAVEAT,
                           "caveat_key": "impact_caveat", **atlas.meta()}
    treated = [(r, c) for r in ini.regions for c in ini.categories]
    if ini.scope == "statewide" or not treated:
        return out | _status("impact_statewide") | {"cells": [], "did": None}
    if ini.founded is None:
        return out | _status("impact_founding_unknown") | {"cells": [], "did": None}
    series = {key: part.sort_values("year") for key, part in
              ind.groupby(["region", "category"], sort=False)}
    cells = []
    for r, c in treated:
        part = series.get((r, c))
        if part is None:
            continue
        emp = part.set_index("year")["employment"].astype(float)
        est = part.set_index("year")["establishments"].astype(float)
        first, last = years[0], years[-1]
        start = max(ini.founded, first)
        ref = ind[(ind["category"] == c)].groupby("year")["employment"].sum()
        g_ref = ref[last] / ref[start] - 1 if ref[start] > 0 else np.nan
        g_own = emp[last] / emp[start] - 1 if emp[start] > 0 else np.nan
        pre = [y for y in years if y < ini.founded]
        post = [y for y in years if y >= ini.founded]
        cells.append({
            "region": r, "region_name": atlas.regions[r].display_name, "category": c,
            "employment_start": float(emp[start]), "employment_latest": float(emp[last]),
            "establishments_start": float(est[start]), "establishments_latest": float(est[last]),
            "start_year": start,
            "growth_pre": _cagr(emp, pre), "growth_post": _cagr(emp, post),
            "competitive_effect": float(emp[start] * (g_own - g_ref))
            if np.isfinite(g_own) and np.isfinite(g_ref) else None,
            "wages": _wages(atlas, r, c, start, last),
        })
    out["cells"] = cells
    first_post = sum(1 for y in years if y < ini.founded)
    if first_post < 2:
        return out | _status("impact_short_panel", first=years[0], founded=ini.founded) \
            | {"did": None}
    if first_post >= len(years):
        return out | _status("impact_no_post_year", founded=ini.founded) | {"did": None}
    ever_covered = {(r, c) for i in atlas.active_initiatives() for r in i.regions for c in i.categories}
    statewide = {c for i in atlas.active_initiatives() if i.scope == "statewide" for c in i.categories}
    wide = ind.pivot_table(index=["region", "category"], columns="year",
                           values="employment", aggfunc="sum").reindex(columns=years)
    wide = wide.fillna(0.0)
    t_keys = [key for key in treated if key in wide.index]
    p_keys = [key for key in wide.index if key not in ever_covered and key[1] not in
              statewide and key[1] in {c for _, c in t_keys}]
    if not t_keys or not p_keys:
        return out | _status("impact_no_comparison") | {"did": None}
    res = matched_did(wide.loc[t_keys].to_numpy(), wide.loc[p_keys].to_numpy(), first_post,
                      treated_groups=[c for _, c in t_keys],
                      pool_groups=[c for _, c in p_keys], k=k)
    effect, low, high = res.effect
    out["did"] = {
        "estimate_log": res.estimate, "se": res.se, "ci_low_log": res.ci_low,
        "ci_high_log": res.ci_high, "effect": effect, "ci_low": low, "ci_high": high,
        "level": res.level, "n_treated": res.n_treated, "n_controls": res.n_controls,
        "pre_years": years[:first_post], "post_years": years[first_post:],
        "comparison": [{"treated_region": t[0], "category": t[1],
                        "controls": [{"region": p_keys[j][0],
                                      "name": atlas.regions[p_keys[j][0]].display_name}
                                     for j in m]}
                       for t, m in zip(t_keys, res.matches, strict=True)],
    }
    return out | {"status": "ok"}


def _cagr(emp: pd.Series, years: list[int]) -> float | None:
    if len(years) < 2 or emp[years[0]] <= 0:
        return None
    return float((emp[years[-1]] / emp[years[0]]) ** (1 / (years[-1] - years[0])) - 1)


def _wages(atlas: Atlas, region: str, category: str, start: int, last: int) -> dict[str, Any]:
    obs = atlas.observations
    if obs is None or "wages" not in obs or obs["wages"].isna().all():
        return {"start": None, "latest": None, "note": "no wages in the panel"}
    inds = [i for i, cats in atlas.membership.items() if category in cats]
    part = obs[(obs["region"] == region) & obs["industry"].isin(inds)]
    by_year = part.groupby("year")["wages"].sum(min_count=1)
    return {"start": _num(by_year.get(start)), "latest": _num(by_year.get(last)),
            "note": None}
