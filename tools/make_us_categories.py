"""Regenerate the US Cluster Mapping category set and the NAICS 2017 code list.

Usage: ``python tools/make_us_categories.py [SHARED_DIR]`` (default ``../shared``).
Standard library only; writes

* ``src/clusteratlas/data/classifications/naics2017.csv`` — NAICS 2017, five levels
  (20 sectors … 1,057 national industries), a copy of
  ``SHARED_DIR/data/classifications/naics2017/naics2017.csv`` (US Census Bureau, 2017
  NAICS Descriptions; public domain), checked for its counts;
* ``src/clusteratlas/data/categories/us_cluster_mapping.yaml`` — the 51 traded and 16
  local clusters of the US Cluster Mapping (Delgado, Porter & Stern 2016, "Defining
  clusters of related industries", Journal of Economic Geography 16(1), 1-38,
  doi:10.1093/jeg/lbv017; clustermapping.us, Harvard Business School Institute for
  Strategy and Competitiveness / US Economic Development Administration) from the
  crosswalk ``SHARED_DIR/data/us/cluster_mapping/NAICS_crosswalks_to_Cluster_system
  .sheet1.csv`` (github ACR1/industry-clusters @ 59f88b8, licence CC-BY-SA per its
  README).

Codes: traded clusters 1-51 in alphabetical order of their names, local clusters
101-116 in the order of :data:`LOCAL` (the US Cluster Mapping numbering).

The crosswalk is an Emsi (Lightcast) edition and mixes NAICS 2012 and 2017; how each
kind of row is brought to NAICS 2017 (the classification of CBP 2017 onwards):

* standard 6-digit codes: all 955 are NAICS 2017 codes and are kept as they are, those
  Emsi flags as non-standard because they are new in 2017 (517311/517312, 541713-541715,
  211120, 333914, 512250, 532281-532289, 452210/452311/452319, 525110-525920, 491110)
  included;
* Emsi aggregates of NAICS codes: ``111000`` crop production and ``112000`` animal
  production become subsectors ``111`` and ``112``; ``482110`` rail transportation
  becomes industry group ``4821`` (482111 line-haul, 482112 short-line railroads);
* Emsi government codes (``90xxxx``: federal, state and local government split by
  ownership, 13 rows) have no NAICS counterpart — NAICS classifies government
  establishments by activity, and CBP covers no government employment — so they are
  left out, and with them the three government categories the crosswalk adds to the
  US Cluster Mapping;
* NAICS 2017 codes the crosswalk does not list (541120 offices of notaries, sector 92
  public administration) and ``814110`` private households (listed without a cluster)
  belong to no category.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "clusteratlas" / "data"

LOCAL = [
    "Local Food and Beverage Processing and Distribution",
    "Local Personal Services (Non-Medical)",
    "Local Health Services",
    "Local Utilities",
    "Local Logistical Services",
    "Local Household Goods and Services",
    "Local Financial Services",
    "Local Motor Vehicle Products and Services",
    "Local Retailing of Clothing and General Merchandise",
    "Local Entertainment and Media",
    "Local Hospitality Establishments",
    "Local Commercial Services",
    "Local Education and Training",
    "Local Community and Civic Organizations",
    "Local Real Estate, Construction, and Development",
    "Local Industrial Products and Services",
]
AGGREGATES = {"111000": "111", "112000": "112", "482110": "4821"}
GOVERNMENT = {"Federal Government Services", "State Government Services",
              "Local Government Services"}
LEVEL_COUNTS = {"sector": 20, "subsector": 99, "industry_group": 311,
                "naics_industry": 709, "national_industry": 1057}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(shared: Path) -> None:
    naics_src = shared / "data" / "classifications" / "naics2017" / "naics2017.csv"
    naics = {r["code"]: r for r in csv.DictReader(naics_src.open(encoding="utf-8"))}
    counts = Counter(r["level"] for r in naics.values())
    if dict(counts) != LEVEL_COUNTS:
        sys.exit(f"{naics_src}: level counts {dict(counts)} are not {LEVEL_COUNTS}")
    crosswalk = shared / "data" / "us" / "cluster_mapping" / \
        "NAICS_crosswalks_to_Cluster_system.sheet1.csv"
    rows = list(csv.DictReader(crosswalk.open(encoding="utf-8")))
    if len(rows) != 992:
        sys.exit(f"{crosswalk}: {len(rows)} rows, expected 992")
    members: dict[str, list[str]] = {}
    subclusters: dict[str, list[str]] = {}
    kind: dict[str, str] = {}
    dropped = []
    for row in rows:
        code, cluster = row["NAICS"].strip(), row["Cluster"].strip()
        if not cluster or cluster in GOVERNMENT:
            dropped.append(code)
            continue
        target = AGGREGATES.get(code, code)
        if target not in naics:
            dropped.append(code)
            continue
        members.setdefault(cluster, []).append(target)
        sub = row["SubclusterName"].strip()
        if sub and sub not in subclusters.setdefault(cluster, []):
            subclusters[cluster].append(sub)
        kind[cluster] = row["TradedLocal"].strip().lower()
    traded = sorted(c for c in members if kind[c] == "traded")
    if len(traded) != 51 or sorted(c for c in members if kind[c] == "local") != sorted(LOCAL):
        sys.exit(f"{crosswalk}: expected 51 traded clusters and the 16 local ones")
    if any(not c.startswith("90") for c in dropped if c != "814110"):
        sys.exit(f"{crosswalk}: unexpected rows left out: {dropped}")
    codes = {c: str(k) for k, c in enumerate(traded, start=1)}
    codes |= {c: str(k) for k, c in enumerate(LOCAL, start=101)}
    lines = [
        "# US Cluster Mapping categories over NAICS 2017: 51 traded and 16 local clusters.",
        "# Generated by tools/make_us_categories.py from the NAICS crosswalk of github",
        "# ACR1/industry-clusters @ 59f88b8 (CC-BY-SA), whose definitions come from",
        "# clustermapping.us (Harvard Business School ISC / US EDA; Delgado, Porter & Stern",
        "# 2016, doi:10.1093/jeg/lbv017).  Do not edit by hand; the script's docstring says",
        "# how the crosswalk's NAICS 2012/Emsi rows were brought to NAICS 2017.",
        "name: us-cluster-mapping",
        'version: "2014"',
        "classification: naics2017",
        "source: " + _quote(
            "US Cluster Mapping (clustermapping.us, Harvard Business School Institute for "
            "Strategy and Competitiveness / US EDA), cluster definitions of Delgado, Porter "
            "& Stern (2016), via the NAICS crosswalk of github ACR1/industry-clusters "
            "(CC-BY-SA)"),
        "categories:",
    ]
    for cluster in [*traded, *LOCAL]:
        group = kind[cluster]
        subs = subclusters.get(cluster, [])
        n = len(members[cluster])
        lines += [
            f"  - code: {_quote(codes[cluster])}",
            f"    name_en: {_quote(cluster)}",
            f"    name_de: {_quote(cluster)}",
            f"    group: {group}",
            f"    include: [{', '.join(_quote(c) for c in sorted(set(members[cluster])))}]",
            "    description: " + _quote(
                f"US Cluster Mapping {group} cluster: {n} NAICS industries"
                + (f" in {len(subs)} subclusters ({'; '.join(subs)})." if subs else ".")),
            "    description_de: " + _quote(
                f"US-Cluster-Mapping, {'überregionales' if group == 'traded' else 'lokales'} "
                f"Cluster: {n} NAICS-Wirtschaftszweige"
                + (f" in {len(subs)} Subclustern." if subs else ".")),
        ]
    (DATA / "categories" / "us_cluster_mapping.yaml").write_text(
        "\n".join(lines) + "\n", encoding="utf-8")
    (DATA / "classifications" / "naics2017.csv").write_text(
        naics_src.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{len(traded)} traded + {len(LOCAL)} local clusters, "
          f"{sum(len(v) for v in members.values())} codes; left out: {len(dropped)} rows")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared")
