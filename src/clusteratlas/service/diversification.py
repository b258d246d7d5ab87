"""Diversification options: related industries a region does not yet specialise in,
with their complexity, from relatedness by co-location (``docs/alignment.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from clusteratlas.core.complexity import Complexity, complexity
from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.service import snapshot as stored_tables
from clusteratlas.service._json import json_number as _num
from clusteratlas.service.atlas import Atlas

__all__ = ["complexity_by_year", "industry_title", "opportunities", "prepare"]


def industry_title(code: str, lang: str, classification: str = "wz2008") -> str:
    """The official title of an industry code in ``lang``.

    WZ 2008: the German WZ title, or in English the NACE Rev. 2 title (Eurostat), the
    official English wording of the same code at section, division, group and class
    level; the WZ file's English title for the German subclasses NACE lacks.  NAICS 2017
    has English titles only.  The code itself if the classification lacks it.
    """
    from clusteratlas.reference import nace_rev2, naics2017, wz2008

    if classification == "naics2017":
        naics = naics2017()
        return naics[code].title_en if code in naics else code
    wz, nace = wz2008(), nace_rev2()
    if lang == "en" and code in nace:
        return nace[code].title_en
    if code in wz:
        return wz[code].title("en" if lang == "en" else "de")
    return code


def complexity_by_year(frame: pd.DataFrame, *, threshold: float = 1.0,
                       include_diagonal: bool = False,
                       ) -> dict[int, tuple[list[Any], list[Any], Complexity]]:
    """Relatedness and complexity per year of a long panel (region, industry, year,
    employment): the matrix of each year, its row and column labels, its results."""
    missing = {"region", "industry", "year", "employment"} - set(frame.columns)
    if missing:
        raise InputError(f"panel without column(s) {', '.join(sorted(missing))}")
    regions = pd.Categorical(frame["region"])
    industries = pd.Categorical(frame["industry"])
    r_codes, i_codes = regions.codes, industries.codes
    years = frame["year"].to_numpy()
    values = np.nan_to_num(frame["employment"].to_numpy(dtype=float))
    out = {}
    for y in np.unique(years):
        sel = years == y
        matrix = np.zeros((len(regions.categories), len(industries.categories)))
        np.add.at(matrix, (r_codes[sel], i_codes[sel]), values[sel])
        out[int(y)] = (list(regions.categories), list(industries.categories),
                       complexity(matrix, threshold=threshold,
                                  include_diagonal=include_diagonal))
    return out


@dataclass
class _Space:
    regions: list[str]
    industries: list[str]
    result: Complexity
    employment: np.ndarray
    year: int
    names: dict[str, str] = field(default_factory=dict)


def _space(atlas: Atlas, year: int | None, lang: str) -> _Space:
    y = atlas.year_or_latest(year)

    def named() -> _Space:  # the costly product space once per year, titles per language
        plain: _Space = atlas.remember(("space", y), lambda: _build_space(atlas, y))
        classification = atlas.categories.classification
        return replace(plain, names={code: industry_title(code, lang, classification)
                                     for code in plain.industries})

    space: _Space = atlas.remember(("space", y, lang), named)
    return space


def prepare(atlas: Atlas) -> None:
    """Compute the product space of the latest year (the costly part of
    :func:`opportunities`: an eigen-decomposition over every industry) ahead of the
    first district page."""
    if atlas.observations is not None:
        y = atlas.year_or_latest(None)
        atlas.remember(("space", y), lambda: _build_space(atlas, y))


def _build_space(atlas: Atlas, y: int) -> _Space:
    from clusteratlas.model.panel import TOTAL_CODE

    obs = atlas.observations
    if obs is None:
        raise NotFoundError("this atlas holds no industry-level panel")

    def compute() -> dict[str, np.ndarray]:
        part = obs[(obs["year"] == y) & (obs["industry"] != TOTAL_CODE)]
        wide = part.pivot_table(index="region", columns="industry", values="employment",
                                aggfunc="sum").fillna(0.0)
        res = complexity(wide.to_numpy())
        return {"regions": np.array(list(wide.index), dtype=str),
                "industries": np.array(list(wide.columns), dtype=str),
                "employment": wide.to_numpy(),
                **{f.name: getattr(res, f.name) for f in fields(Complexity)}}

    if atlas.data_dir is None:
        found = compute()
    else:  # computed once per data state, also across processes (service.snapshot)
        digest = stored_tables.key(obs, atlas.membership, atlas.categories, ("space", y))
        found = stored_tables.arrays(atlas.data_dir, digest, compute)
    res = Complexity(**{f.name: found[f.name] for f in fields(Complexity)})
    return _Space([str(c) for c in found["regions"]], [str(c) for c in found["industries"]],
                  res, found["employment"], y)


def opportunities(atlas: Atlas, region: str, *, year: int | None = None, top: int = 10,
                  lang: str = "de") -> dict[str, Any]:
    """Related industries a region does not yet specialise in (RCA < 1) but already has
    employees in, ranked by relatedness density, with their complexity (PCI), the outlook
    gain (COG) and, as evidence, the region's own specialisations closest to each.

    An industry without employees in the region (RCA 0) is not suggested: there is no
    base to build on, and its density says only what its neighbours are.
    """
    if top < 1:
        raise InputError("--top must be at least 1")
    code = atlas.region(region).code
    space = _space(atlas, year, lang)
    r = space.regions.index(code)
    res = space.result
    absent = np.flatnonzero(~res.mcp[r] & np.isfinite(res.density[r])
                            & (space.employment[r] > 0))
    order = absent[np.lexsort((-np.nan_to_num(res.cog[r, absent]),
                               -res.density[r, absent]))][:top]
    present = np.flatnonzero(res.mcp[r])
    rows = []
    for i in order:
        close = present[np.argsort(-res.proximity[i, present])][:3]
        rows.append({
            "industry": space.industries[i], "name": space.names[space.industries[i]],
            "density": float(res.density[r, i]), "rca": float(res.rca[r, i]),
            "employment": float(space.employment[r, i]), "pci": _num(float(res.pci[i])),
            "cog": _num(float(res.cog[r, i])),
            "evidence": [{"industry": space.industries[j],
                          "name": space.names[space.industries[j]],
                          "proximity": float(res.proximity[i, j]),
                          "rca": float(res.rca[r, j])} for j in close]})
    return {"region": code, "region_name": atlas.regions[code].display_name,
            "year": space.year, "eci": _num(float(res.eci[r])), "coi": _num(float(res.coi[r])),
            "diversity": int(res.diversity[r]), "industries": len(space.industries),
            "regions_compared": len(space.regions),
            "note": "relatedness from co-location across the atlas's regions; proximity "
                    "diagonal 0; only industries with employees in the region "
                    "(docs/alignment.md)",
            "opportunities": rows, **atlas.meta()}
