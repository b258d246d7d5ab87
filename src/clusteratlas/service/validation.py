"""Validation report of an imported table: hierarchy sums, unknown codes, year gaps and
jumps that hint at reclassifications."""

from __future__ import annotations

import numpy as np

from clusteratlas.service.imports import Parsed, canonical_panel

__all__ = ["validate_parsed"]

#: WZ 2008 aggregates of the regional tables: parent = sum of children.
WZ_SUMS = {"B-F": ("B-E", "F"), "TOTAL": ("A", "B-F", "G-U"),
           "G-U": ("G-I", "J", "K", "L", "M-N", "O-Q", "R-U")}


def validate_parsed(parsed: Parsed, *, jump: float = 0.10) -> list[str]:
    """Findings as readable lines (an empty list when everything checks out)."""
    panel = canonical_panel(parsed)
    if panel.empty:
        return ["the table holds no values"]
    total = panel[panel["dims"] == ""]
    if total.empty:  # every row is one value of an extra dimension (sex, …): check one slice
        total = panel[panel["dims"] == panel["dims"].iloc[0]]
    panel = total[total["measure"] == total["measure"].iloc[0]]
    out: list[str] = []
    wide = panel.pivot_table(index=["region", "year"], columns="industry", values="employment",
                             aggfunc="first")
    for parent, children in WZ_SUMS.items():
        if parent in wide and all(c in wide for c in children):
            diff = wide[parent] - wide[list(children)].sum(axis=1, skipna=False)
            known = diff.dropna()
            bad = known[known.abs() > 0]
            unknown = int(diff.isna().sum())
            if len(bad):
                worst = bad.abs().idxmax()
                out.append(f"{parent} ≠ {' + '.join(children)} in {len(bad)} of {len(known)} "
                           f"region-years (largest gap {bad.abs().max():,.0f} in {worst[0]} "
                           f"{worst[1]}; the source counts persons without an industry in the "
                           f"total){'; ' + str(unknown) + ' not checkable (suppressed cells)' if unknown else ''}")
    # regional hierarchy: a state's value against the sum of its districts
    if "TOTAL" in wide:
        totals = wide["TOTAL"].reset_index()
        states = totals[totals["region"].str.len() == 2]
        districts = totals[totals["region"].str.len() == 5]
        summed = (districts.assign(state=districts["region"].str[:2])
                  .groupby(["state", "year"])["TOTAL"].sum(min_count=1))
        for row in states.itertuples():
            total = summed.get((row.region, row.year))
            if total is not None and row.TOTAL == row.TOTAL and total == total:
                gap = row.TOTAL - total
                if abs(gap) > 0.001 * row.TOTAL:
                    out.append(f"state {row.region} {row.year}: total {row.TOTAL:,.0f} differs "
                               f"from the sum of its districts {total:,.0f} by {gap:+,.0f}")
    # codes outside the register are reported with the import's region lines
    # (:mod:`clusteratlas.service.region_codes`)
    years = sorted(panel["year"].unique())
    gaps = [y for y in range(years[0], years[-1] + 1) if y not in years]
    if gaps:
        out.append(f"year gap(s): {', '.join(map(str, gaps))}")
    if "C" in wide and "TOTAL" in wide and len(years) > 1:
        w = wide[["C", "TOTAL"]].reset_index().sort_values(["region", "year"])
        prev = w.groupby("region")[["C", "TOTAL"]].shift()
        growth_c = w["C"] / prev["C"] - 1
        growth_t = w["TOTAL"] / prev["TOTAL"] - 1
        hits = w[(growth_c.abs() > jump) & (np.sign(growth_c) != np.sign(growth_t))]
        for row in hits.head(5).itertuples():
            out.append(f"{row.region} {row.year}: manufacturing changed by "
                       f"{growth_c[row.Index]:+.0%} while total employment changed by "
                       f"{growth_t[row.Index]:+.0%} – a reclassification?")
    return out


