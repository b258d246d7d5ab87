"""Scope, reference and comparison set: which districts the atlas shows, which area's
structure is the LQ benchmark, and over which regions the percentiles of the star and
strong rules are taken (see ``docs/methods.md``, "Scope and reference").

- **scope**: a region of the register (a country, a Land, a Regierungsbezirk, a US
  state) whose districts are shown and ranked;
- **reference**: the area :math:`R` of the location quotient
  :math:`LQ_{rc} = (E_{rc}/E_r)/(E_{Rc}/E_R)`; the country when the panel holds its
  row, else the scope's published row, else the sum of the scope's districts;
- **comparison**: ``all`` districts of the panel (as the US Cluster Mapping compares
  all counties), or only those of the ``scope``.

Plain functions over the register and the panel's rows; :class:`~.atlas.Atlas` uses
them to build its views."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from clusteratlas.errors import InputError, NotFoundError
from clusteratlas.model.panel import TOTAL_CODE
from clusteratlas.model.regions import Region, Regions

__all__ = ["COMPARISONS", "SMALLEST_LEVELS", "Choice", "district_codes",
           "home_scope_of", "resolve_region", "summed_reference_rows"]

#: the levels the atlas maps (German Kreise, US counties)
SMALLEST_LEVELS = ("district", "county")
#: the comparison sets of the percentiles
COMPARISONS = ("all", "scope")


@dataclass(frozen=True)
class Choice:
    """A view's scope, reference and comparison set, as responses state them."""

    scope: Region
    reference: Region
    #: ``row``: the reference's published row in the panel; ``sum``: the sum of its
    #: districts in the panel
    reference_basis: str
    comparison: str
    #: how many districts the percentiles are taken over
    compared: int
    #: how many districts the scope holds in the panel
    districts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": {"code": self.scope.code, "name": self.scope.display_name,
                      "level": self.scope.level, "districts": self.districts},
            "reference": {"code": self.reference.code, "name": self.reference.display_name,
                          "basis": self.reference_basis,
                          "label": f"LQ relative to {self.reference.display_name}"},
            "comparison": {"set": self.comparison, "regions": self.compared,
                           "label": (f"percentiles over all {self.compared} districts in the "
                                     "data" if self.comparison == "all" else
                                     f"percentiles over the {self.compared} districts of "
                                     f"{self.scope.display_name}")},
        }


def resolve_region(regions: Regions, code: str, parameter: str, expected: str) -> Region:
    """A region of the register by any form of its code (:meth:`Regions.lookup`, then
    :meth:`Regions.resolve` for a register without namespaces); else an
    :class:`InputError` naming ``parameter`` and what was ``expected``."""
    text = code.strip()
    try:
        return regions.lookup(text)
    except (NotFoundError, InputError):
        pass
    try:
        return regions.resolve(text)
    except NotFoundError:
        raise InputError(f"{parameter}={code!r} is not a region of this atlas; expected "
                         f"{expected}") from None


def district_codes(regions: Regions, scope: str, mapped: Iterable[str]) -> list[str]:
    """The codes in ``mapped`` of districts within ``scope`` (the scope itself if it is a
    district), in the order of ``mapped``."""
    out = []
    for code in mapped:
        if code == scope:
            out.append(code)
            continue
        current = regions[code].parent if code in regions else None
        while current is not None:
            if current == scope:
                out.append(code)
                break
            current = regions[current].parent if current in regions else None
    return out


def home_scope_of(regions: Regions, mapped: list[str], stored: str | None) -> str:
    """The data directory's home scope: the stored setting ``home_scope`` if the
    register holds it, else the smallest region enclosing every mapped district."""
    if stored:
        try:
            return resolve_region(regions, stored, "home_scope", "a region code").code
        except InputError:
            pass
    if not mapped:
        raise NotFoundError("the atlas maps no district")
    chains = []
    for code in mapped:
        chain = [code]
        current = regions[code].parent if code in regions else None
        while current is not None:
            chain.append(current)
            current = regions[current].parent if current in regions else None
        chains.append(chain[::-1])
    common = chains[0]
    for chain in chains[1:]:
        n = 0
        while n < min(len(common), len(chain)) and common[n] == chain[n]:
            n += 1
        common = common[:n]
    if not common:
        raise NotFoundError("the mapped districts have no common region in the register")
    return common[-1]


def summed_reference_rows(obs: pd.DataFrame, districts: list[str], code: str) -> pd.DataFrame:
    """One row per industry and year for the region ``code``: the sum of the known cells
    of its ``districts``; its ``TOTAL`` is the sum of each district's published total
    (else the sum of its known cells), as the LQ takes region totals.  Suppressed cells
    count as unknown (zero), as in the mapped regions' own sums."""
    part = obs[obs["region"].isin(districts)]
    cells = part[part["industry"] != TOTAL_CODE]
    values = [c for c in ("employment", "establishments", "wages") if c in part.columns]
    summed = (cells.groupby(["industry", "year"], as_index=False)[values]
              .sum(min_count=1))
    published = part[part["industry"] == TOTAL_CODE].set_index(["region", "year"])["employment"]
    own = cells.groupby(["region", "year"])["employment"].sum()
    per_region = published.reindex(own.index.union(published.index)).fillna(
        own.reindex(own.index.union(published.index)))
    total = per_region.groupby(level="year").sum().reset_index()
    total["industry"] = TOTAL_CODE
    rows = pd.concat([summed, total], ignore_index=True)
    rows["region"] = code
    if "flag" in obs.columns:  # every district's cell suppressed: unknown, not zero
        rows["flag"] = rows["employment"].isna().map({True: "suppressed", False: "reported"})
    return rows[[c for c in obs.columns if c in rows.columns]]
