"""A straightforward pandas implementation of the benchmark's mapping indicators.

The baseline of ``bench/mapping.py``: what an analyst would write with pandas
group-bys.  Same indicators as ``clusteratlas map``: LQ, both shares, 5-year change,
ECO stars, the strong-cluster rule, Hoover localisation and locational Gini per
category-year.
"""

from __future__ import annotations

import sys

import pandas as pd


def main(src: str, out: str) -> None:
    df = pd.read_parquet(src)
    has_est = "establishments" in df.columns
    df["region"] = df["region"].astype(str)
    df["industry"] = df["industry"].astype(str)
    df = df.rename(columns={"industry": "category"})
    df["region_total"] = df.groupby(["region", "year"])["employment"].transform("sum")
    df["category_total"] = df.groupby(["category", "year"])["employment"].transform("sum")
    df["grand_total"] = df.groupby("year")["employment"].transform("sum")
    df["share_of_region"] = df["employment"] / df["region_total"]
    df["share_of_category"] = df["employment"] / df["category_total"]
    df["lq"] = df["share_of_region"] / (df["category_total"] / df["grand_total"])
    prev = df[["region", "category", "year", "employment", "lq"]].copy()
    prev["year"] += 5
    df = df.merge(prev, on=["region", "category", "year"], how="left", suffixes=("", "_prev"))
    df["employment_change"] = df["employment"] - df["employment_prev"]
    df["cagr"] = (df["employment"] / df["employment_prev"]) ** (1 / 5) - 1
    df["lq_change"] = df["lq"] - df["lq_prev"]
    g = df.groupby(["category", "year"])
    for col, q, name in [("employment", 0.9, "size_p90"), ("share_of_region", 0.9, "focus_p90"),
                         ("lq", 0.75, "lq_p75"), ("employment", 0.25, "emp_p25"),
                         *([("establishments", 0.25, "est_p25")] if has_est else [])]:
        df[name] = g[col].transform("quantile", q)
    df["star_size"] = df["employment"] >= df["size_p90"]
    df["star_specialisation"] = df["lq"] >= 2
    df["star_focus"] = df["share_of_region"] >= df["focus_p90"]
    df["stars"] = df[["star_size", "star_specialisation", "star_focus"]].sum(axis=1)
    df["strong"] = ((df["lq"] >= df["lq_p75"]) & (df["lq"] >= 1)
                    & (df["employment"] > df["emp_p25"]))
    if has_est:  # the establishment condition of the rule needs establishments
        df["strong"] &= df["establishments"] > df["est_p25"]
    # per category-year: Hoover and locational Gini over all regions
    totals = df.groupby(["region", "year"])["region_total"].first().rename("rt").reset_index()
    totals["x"] = totals["rt"] / totals.groupby("year")["rt"].transform("sum")
    cells = df[["region", "category", "year", "share_of_category", "lq"]].merge(
        totals[["region", "year", "x"]], on=["region", "year"])
    cells["absdiff"] = (cells["share_of_category"] - cells["x"]).abs() - cells["x"]
    hoover = 0.5 * (cells.groupby(["category", "year"])["absdiff"].sum() + 1.0)
    cells = cells.sort_values(["category", "year", "lq"])
    cells["cum_s"] = cells.groupby(["category", "year"])["share_of_category"].cumsum()
    cells["term"] = cells["x"] * (2 * cells["cum_s"] - cells["share_of_category"])
    gini = 1.0 - cells.groupby(["category", "year"])["term"].sum()
    summary = pd.DataFrame({"hoover_localisation": hoover, "locational_gini": gini}).reset_index()
    keep = ["region", "category", "year", "employment", *(["establishments"] if has_est else []),
            "share_of_region",
            "share_of_category", "lq", "employment_change", "cagr", "lq_change", "star_size",
            "star_specialisation", "star_focus", "stars", "strong"]
    df[keep].to_parquet(out, index=False)
    summary.to_parquet(out.replace(".parquet", ".categories.parquet"), index=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
