"""Write a synthetic County Business Patterns county file in the real CBP layout.

Usage: ``python tools/make_cbp_fixture.py OUT.txt [STATE ...] [--year 2018] [--seed 2018]
[--all-industries]`` (default states 08 Colorado and 44 Rhode Island).

No real CBP file is at hand (``../shared/data/FORMATS.md`` §4a), so the tests and the
benchmarks use this stand-in.  The numbers are invented (seeded); the *layout* is the
Census one of 2017 onwards: the 25 columns ``fipstate, fipscty, naics, emp_nf, emp,
qp1_nf, qp1, ap_nf, ap, est, n<5, … n1000_4, censtate, cencty``, text quoted, and per
county the NAICS hierarchy ``------`` (total), ``31----`` (sector), ``311///``,
``3111//``, ``31111/`` and ``311111``, each level the sum of the one below.  Cells of
fewer than three establishments are withheld as in CBP (flag ``D``, values 0); a few are
``S`` (not published); the others carry noise flags ``G``/``H``/``J``.  Each state gets
a statewide ``999`` county (establishments without a fixed county) as CBP has.

Counties come from the shipped register (``src/clusteratlas/data/regions/us_regions
.csv``), industries from the shipped NAICS 2017 list, without what CBP does not cover
(crop and animal production 111-112, rail 482, postal service 491, pension and other
funds 525110-525190, private households 814, public administration 92).  By default
only the industries of a dozen US Cluster Mapping clusters are drawn (a fixture of a
few hundred kilobytes); ``--all-industries`` draws from every covered industry.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "clusteratlas" / "data"

COLUMNS = ["fipstate", "fipscty", "naics", "emp_nf", "emp", "qp1_nf", "qp1", "ap_nf", "ap",
           "est", "n<5", "n5_9", "n10_19", "n20_49", "n50_99", "n100_249", "n250_499",
           "n500_999", "n1000", "n1000_1", "n1000_2", "n1000_3", "n1000_4", "censtate",
           "cencty"]
SIZE_CLASSES = [(1, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, 249), (250, 499),
                (500, 999)]
NOT_COVERED = ("111", "112", "482", "491", "525110", "525120", "525190", "814", "92")
#: Census Bureau state codes (censtate), for the states the default fixture holds
CENSUS_STATE = {"08": "84", "44": "15"}
#: clusters of the default fixture (US Cluster Mapping codes)
FIXTURE_CLUSTERS = ("1", "5", "22", "23", "30", "35", "111")
#: rough magnitudes of total employment for a few large counties, so that the map has
#: its metropolitan areas where a reader expects them (invented, order of magnitude)
ANCHORS = {"08031": 480_000, "08005": 300_000, "08059": 220_000, "08041": 250_000,
           "08013": 170_000, "08001": 170_000, "08069": 130_000, "08035": 110_000,
           "08123": 90_000, "44007": 280_000, "44003": 70_000, "44009": 45_000}


def _sector(code: str) -> str:
    return {"32": "31", "33": "31", "45": "44", "49": "48"}.get(code[:2], code[:2])


def _label(code: str) -> str:
    """The CBP text form of a NAICS code: ``31----``, ``311///``, ``3111//``."""
    if len(code) == 2:
        return code + "----"
    return code + "/" * (6 - len(code))


def industries(all_industries: bool) -> list[str]:
    with (DATA / "classifications" / "naics2017.csv").open(encoding="utf-8") as fh:
        six = [r["code"] for r in csv.DictReader(fh) if r["level"] == "national_industry"]
    six = [c for c in six if not c.startswith(NOT_COVERED)]
    if all_industries:
        return six
    import yaml  # the default fixture picks whole clusters from the shipped category set

    sets = yaml.safe_load((DATA / "categories" / "us_cluster_mapping.yaml").read_text("utf-8"))
    wanted = [c for c in sets["categories"] if c["code"] in FIXTURE_CLUSTERS]
    return [c for c in six if any(c.startswith(inc) for cat in wanted for inc in cat["include"])]


def counties(states: list[str]) -> list[tuple[str, str]]:
    with (DATA / "regions" / "us_regions.csv").open(encoding="utf-8") as fh:
        rows = [r["fips"] for r in csv.DictReader(fh) if len(r["fips"]) == 5]
    return [(f[:2], f[2:]) for f in rows if f[:2] in states]


def _cell(rng: random.Random, emp: int, est: int) -> dict[str, object]:
    """One published cell: employment, payroll, size classes, flags."""
    qp1 = round(emp * rng.uniform(9, 18))
    ap = round(qp1 * rng.uniform(3.8, 4.3))
    classes = [0] * 13
    left = est
    for k in range(len(SIZE_CLASSES)):  # most establishments are small
        n = left if k == len(SIZE_CLASSES) - 1 else round(left * rng.uniform(0.45, 0.7))
        classes[k], left = n, left - n
    flag = "S" if rng.random() < 0.01 else "D" if est < 3 else rng.choice("GGGHJ")
    withheld = flag in "DS"
    return {"emp_nf": flag, "emp": 0 if withheld else emp, "qp1_nf": flag,
            "qp1": 0 if withheld else qp1, "ap_nf": flag, "ap": 0 if withheld else ap,
            "est": est, **dict(zip(COLUMNS[10:23], classes, strict=True))}


def county_rows(rng: random.Random, state: str, county: str,
                codes: list[str]) -> list[dict[str, object]]:
    """The rows of one county: 6-digit cells drawn, every level above summed; the
    total also counts the county's industries outside ``codes``."""
    size = (rng.uniform(200, 2_000) if county == "999"
            else ANCHORS.get(state + county) or rng.lognormvariate(8.3, 1.3))
    emp: dict[str, int] = {}
    est: dict[str, int] = {}
    presence = min(0.85, 0.04 + size / 150_000)
    for code in codes:
        if rng.random() < presence:
            e = max(1, round(rng.lognormvariate(math.log(size / 900 + 2), 1.1)))
            emp[code] = e
            est[code] = max(1, min(e, round(e / rng.uniform(6, 25))))
    if not emp:
        emp[codes[0]], est[codes[0]] = 2, 1
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, e in emp.items():
        for parent in ("", _sector(code), code[:3], code[:4], code[:5], code):
            sums[parent][0] += e
            sums[parent][1] += est[code]
    other = max(0, round(size) - sums[""][0])  # industries not drawn
    sums[""][0] += other
    sums[""][1] += max(1, other // 12)
    rows = []
    for code in sorted(sums, key=lambda c: (c != "", _sector(c) if c else "", c)):
        e, n = sums[code]
        cell = _cell(rng, e, n)
        if code == "":  # the county total is always published
            cell.update(emp_nf="G", emp=e, qp1_nf="G", ap_nf="G")
        rows.append({"fipstate": state, "fipscty": county,
                     "naics": "------" if code == "" else _label(code), **cell,
                     "censtate": CENSUS_STATE.get(state, state), "cencty": county})
    return rows


def write(out: Path, states: list[str], *, seed: int = 2018,
          all_industries: bool = False) -> int:
    """Write the file; returns its number of data rows."""
    rng = random.Random(seed)
    codes = industries(all_industries)
    places = counties(states) + [(s, "999") for s in states]
    n = 0
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(COLUMNS) + "\n")
        for state, county in sorted(places):
            for row in county_rows(rng, state, county, codes):
                fh.write(",".join(f'"{row[c]}"' if c in {"fipstate", "fipscty", "naics"}
                                  or c.endswith("_nf") else str(row[c]) for c in COLUMNS)
                         + "\n")
                n += 1
    return n


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("states", nargs="*", default=["08", "44"])
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--all-industries", action="store_true")
    args = parser.parse_args(argv)
    n = write(args.out, args.states, seed=args.seed, all_industries=args.all_industries)
    print(f"{args.out}: {n} rows")


if __name__ == "__main__":
    main(sys.argv[1:])
