"""Regenerate the region registers shipped in ``src/clusteratlas/data/regions/``.

Usage: ``python tools/make_registers.py [SHARED_DIR]`` (default ``../shared``).  Standard
library only; every output is a compact UTF-8 CSV and the script checks the counts and
joins it relies on before it writes anything.

Sources (all under ``SHARED_DIR/data``; provenance in its README.md):

* ``de_boundaries/vg5000_2021_krs/VG5000_KRS.dbf`` — BKG VG5000, Gebietsstand 01.01.2021
  (401 Kreise): AGS, ARS, name (GEN), type (BEZ), NUTS-3, Land and Regierungsbezirk keys.
  © GeoBasis-DE / BKG 2021, dl-de/by-2.0.
* ``de_genesis/tabellen_csv_regionalstatistik/12411-0018.csv`` — population per Kreis on
  31.12.2020 (sum of its 34 sex × age-group cells).  © Statistisches Bundesamt (Destatis), 2021.
* ``de_genesis/tabellen_csv_regionalstatistik/13111-07-05-4_2018.csv`` — the names of the
  Länder, Regierungsbezirke and Statistische Regionen, and the names the statistics still
  list for retired Kreis codes.  © Statistische Ämter des Bundes und der Länder, 2021, dl-de/by-2.0.
* ``us/addfips/counties_2020.csv``, ``states.csv`` — Census FIPS codes and names (public
  domain; packaged by addfips 0.4.2).

Changes applied (Daten verändert): Eisenach (16056) merged into the Wartburgkreis (16063)
on 01.07.2021, so the register is the 400 Kreise valid since then; the Wartburgkreis'
population is the sum of both.  The addfips 2020 list is brought to the Census 2020 county
set (3,143): Bedford city (51515) and Valdez-Cordova (02261) are removed (they are former
codes) and Chugach Census Area (02063) is added; names the list holds twice (old and new
name for one code) are resolved to the current name.

The retired codes (:data:`DE_CHANGES`, :data:`US_CHANGES`) are transcribed from the
territorial changes published by Destatis ("Gebietsänderungen", Gemeindeverzeichnis
GV-ISys) and the US Census Bureau ("Substantial Changes to Counties and County Equivalent
Entities: 1970-Present"); each row lists the Kreise/counties that took over the territory.
Cross-checked for Sachsen-Anhalt 2007 against the Statistisches Landesamt Sachsen-Anhalt
("Gebietsstände", Gebietsstand ab 01.07.2007: Anhalt-Zerbst divided among Anhalt-Bitterfeld,
Wittenberg, Jerichower Land and Dessau-Roßlau; Falkenstein from Aschersleben-Staßfurt to
the Landkreis Harz), for Sachsen 2008 against the Sächsisches Gesetz zur Neugliederung des
Gebietes der Landkreise of 29.01.2008 (new keys from 01.08.2008), and for Demmin 2011 (mostly
Mecklenburgische Seenplatte, a smaller part Vorpommern-Greifswald).
"""

from __future__ import annotations

import csv
import io
import struct
import sys
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "clusteratlas" / "data" / "regions"

# Retired German codes: code -> (change, year, successors).  A split lists every
# successor; "merged" means the territory went whole into the (first) successor.
DE_CHANGES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    # Sachsen-Anhalt, Kreisreform 01.07.2007
    "15101": ("merged", 2007, ("15001",)), "15151": ("split", 2007, ("15082", "15001", "15091", "15086")),
    "15153": ("merged", 2007, ("15089",)), "15154": ("merged", 2007, ("15082",)),
    "15159": ("merged", 2007, ("15082",)), "15171": ("merged", 2007, ("15091",)),
    "15202": ("recoded", 2007, ("15002",)), "15256": ("merged", 2007, ("15084",)),
    "15260": ("merged", 2007, ("15087",)), "15261": ("merged", 2007, ("15088",)),
    "15265": ("merged", 2007, ("15088",)), "15266": ("merged", 2007, ("15087",)),
    "15268": ("merged", 2007, ("15084",)), "15303": ("recoded", 2007, ("15003",)),
    "15352": ("split", 2007, ("15089", "15085")), "15355": ("merged", 2007, ("15083",)),
    "15357": ("merged", 2007, ("15085",)), "15358": ("merged", 2007, ("15086",)),
    "15362": ("merged", 2007, ("15083",)), "15363": ("recoded", 2007, ("15090",)),
    "15364": ("merged", 2007, ("15085",)), "15367": ("merged", 2007, ("15089",)),
    "15369": ("merged", 2007, ("15085",)), "15370": ("recoded", 2007, ("15081",)),
    # Sachsen, Kreisreform 01.08.2008
    "14161": ("recoded", 2008, ("14511",)), "14166": ("merged", 2008, ("14523",)),
    "14167": ("merged", 2008, ("14524",)), "14171": ("merged", 2008, ("14521",)),
    "14173": ("merged", 2008, ("14524",)), "14177": ("merged", 2008, ("14522",)),
    "14178": ("merged", 2008, ("14523",)), "14181": ("merged", 2008, ("14521",)),
    "14182": ("merged", 2008, ("14522",)), "14188": ("merged", 2008, ("14521",)),
    "14191": ("merged", 2008, ("14521",)), "14193": ("merged", 2008, ("14524",)),
    "14262": ("recoded", 2008, ("14612",)), "14263": ("merged", 2008, ("14626",)),
    "14264": ("merged", 2008, ("14625",)), "14272": ("merged", 2008, ("14625",)),
    "14280": ("merged", 2008, ("14627",)), "14284": ("merged", 2008, ("14626",)),
    "14285": ("merged", 2008, ("14627",)), "14286": ("merged", 2008, ("14626",)),
    "14287": ("merged", 2008, ("14628",)), "14290": ("merged", 2008, ("14628",)),
    "14292": ("merged", 2008, ("14625",)), "14365": ("recoded", 2008, ("14713",)),
    "14374": ("merged", 2008, ("14730",)), "14375": ("merged", 2008, ("14522",)),
    "14379": ("merged", 2008, ("14729",)), "14383": ("merged", 2008, ("14729",)),
    "14389": ("merged", 2008, ("14730",)),
    "141": ("recoded", 2008, ("145",)), "142": ("recoded", 2008, ("146",)),
    "143": ("recoded", 2008, ("147",)),
    # Sachsen-Anhalt's Regierungsbezirke, dissolved 01.01.2004 (the tables still list them)
    "151": ("dissolved", 2004, ("15",)), "152": ("dissolved", 2004, ("15",)),
    "153": ("dissolved", 2004, ("15",)),
    # Städteregion Aachen, 21.10.2009
    "05313": ("merged", 2009, ("05334",)), "05354": ("merged", 2009, ("05334",)),
    # Mecklenburg-Vorpommern, Kreisgebietsreform 04.09.2011
    "13001": ("merged", 2011, ("13075",)), "13002": ("merged", 2011, ("13071",)),
    "13005": ("merged", 2011, ("13073",)), "13006": ("merged", 2011, ("13074",)),
    "13051": ("merged", 2011, ("13072",)), "13052": ("split", 2011, ("13071", "13075")),
    "13053": ("merged", 2011, ("13072",)), "13054": ("merged", 2011, ("13076",)),
    "13055": ("merged", 2011, ("13071",)), "13056": ("merged", 2011, ("13071",)),
    "13057": ("merged", 2011, ("13073",)), "13058": ("merged", 2011, ("13074",)),
    "13059": ("merged", 2011, ("13075",)), "13060": ("merged", 2011, ("13076",)),
    "13061": ("merged", 2011, ("13073",)), "13062": ("merged", 2011, ("13075",)),
    # Niedersachsen, 01.11.2016
    "03152": ("merged", 2016, ("03159",)), "03156": ("merged", 2016, ("03159",)),
    # Thüringen, 01.07.2021
    "16056": ("merged", 2021, ("16063",)),
}
# Names of retired codes that the statistics files do not list any more.
DE_FORMER_NAMES = {"05313": "Kreisfreie Stadt Aachen"}
# Retired US codes (Census Bureau, substantial changes to counties).
US_CHANGES: dict[str, tuple[str, str, int, tuple[str, ...]]] = {
    "02201": ("Prince of Wales-Outer Ketchikan Census Area", "split", 2008,
              ("02198", "02130", "02275")),
    "02232": ("Skagway-Hoonah-Angoon Census Area", "split", 2007, ("02230", "02105")),
    "02261": ("Valdez-Cordova Census Area", "split", 2019, ("02063", "02066")),
    "02270": ("Wade Hampton Census Area", "recoded", 2015, ("02158",)),
    "02280": ("Wrangell-Petersburg Census Area", "split", 2008, ("02275", "02195")),
    "46113": ("Shannon County", "recoded", 2015, ("46102",)),
    "51515": ("Bedford city", "merged", 2013, ("51019",)),
}
US_ADDED = {"02063": "Chugach Census Area"}
# addfips lists old and new names for one code; these are the Census 2020 names.
US_NAMES = {
    "02158": "Kusilvak Census Area", "02195": "Petersburg Borough",
    "11001": "District of Columbia", "36005": "Bronx County", "36047": "Kings County",
    "36061": "New York County", "36085": "Richmond County", "46102": "Oglala Lakota County",
}
STAT_SUFFIXES = (", Regierungsbezirk", ", Stat. Region", ", Land")
KIND_SUFFIXES = {", Landkreis": "Landkreis", ", kreisfreie Stadt": "Kreisfreie Stadt",
                 ", Kreis": "Kreis"}


def check(condition: bool, message: str) -> None:
    """Stop before writing anything when a source no longer has the expected content."""
    if not condition:
        raise SystemExit(f"make_registers: {message}")


def read_dbf(path: Path) -> list[dict[str, str]]:
    """Records of a dBASE III file as text (the VG5000 .cpg says UTF-8)."""
    raw = path.read_bytes()
    count, header_len, record_len = struct.unpack("<IHH", raw[4:12])
    fields, pos = [], 32
    while raw[pos] != 0x0D:
        fields.append((raw[pos:pos + 11].split(b"\0")[0].decode(), raw[pos + 16]))
        pos += 32
    records = []
    for i in range(count):
        rec = raw[header_len + i * record_len: header_len + (i + 1) * record_len]
        if rec[:1] == b"*":
            continue  # deleted record
        out, at = {}, 1
        for name, width in fields:
            out[name] = rec[at:at + width].decode("utf-8").strip()
            at += width
        records.append(out)
    return records


def statistics_labels(path: Path) -> dict[str, str]:
    """code -> label of the first column pair of a regionalstatistik table export."""
    labels: dict[str, str] = {}
    for row in csv.reader(io.StringIO(path.read_text(encoding="latin-1")), delimiter=";"):
        if len(row) > 2 and row[0].strip() and (row[0].isdigit() or row[0] == "DG"):
            labels.setdefault(row[0].strip(), row[1].strip())
    return labels


def population_2020(path: Path) -> dict[str, int]:
    """Population on 31.12.2020 per Kreis: the sum of the sex × age cells."""
    pop: dict[str, int] = {}
    for row in csv.reader(io.StringIO(path.read_text(encoding="latin-1")), delimiter=";"):
        if row and row[0] == "31.12.2020" and len(row[1]) == 5:
            pop[row[1]] = sum(int(v) for v in row[3:] if v.strip() not in {"", "-"})
    return pop


def _strip(label: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if label.endswith(suffix):
            return label[: -len(suffix)]
    return label


def _former_name(label: str) -> str:
    """'Göttingen, Landkreis' -> 'Landkreis Göttingen' (statistics labels put the type last)."""
    for suffix, kind in KIND_SUFFIXES.items():
        if label.endswith(suffix):
            return f"{kind} {label[: -len(suffix)]}"
    return label


def german_rows(data: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    krs = read_dbf(data / "de_boundaries/vg5000_2021_krs/VG5000_KRS.dbf")
    tables = data / "de_genesis/tabellen_csv_regionalstatistik"
    labels = statistics_labels(tables / "13111-07-05-4_2018.csv")
    pop = population_2020(tables / "12411-0018.csv")
    check(len(krs) == 401, f"VG5000 has {len(krs)} Kreise, expected 401 (01.01.2021)")
    check(all(r["ARS"] == r["AGS"] for r in krs), "VG5000: ARS differs from AGS")
    check({r["AGS"] for r in krs} == set(pop), "population table and VG5000 disagree")
    pop["16063"] += pop.pop("16056")
    kreise = sorted((r for r in krs if r["AGS"] != "16056"), key=lambda r: r["AGS"])
    check(len({r["NUTS"] for r in kreise}) == 400, "NUTS-3 codes are not 400 distinct")
    kreis_rows: list[dict[str, object]] = []
    nuts1: dict[str, set[str]] = {}
    nuts2: dict[str, set[str]] = {}
    for r in kreise:
        ags, land = r["AGS"], r["SN_L"]
        mid = land + r["SN_R"] if r["SN_R"] != "0" else None
        nuts1.setdefault(land, set()).add(r["NUTS"][:3])
        if mid:
            nuts2.setdefault(mid, set()).add(r["NUTS"][:4])
        kreis_rows.append({"code": ags, "name": r["GEN"], "level": "district", "kind": r["BEZ"],
                           "parent": mid or land, "nuts": r["NUTS"], "population": pop[ags]})
    rows: list[dict[str, object]] = [{"code": "DG", "name": "Deutschland", "level": "country",
                                      "kind": "Staat", "parent": "", "nuts": "DE",
                                      "population": sum(pop.values())}]
    for land in sorted(nuts1):
        check(len(nuts1[land]) == 1, f"Land {land} spans several NUTS-1 codes")
        rows.append({"code": land, "name": _strip(labels[land], STAT_SUFFIXES), "level": "state",
                     "kind": "Land", "parent": "DG", "nuts": nuts1[land].pop(),
                     "population": sum(pop[k] for k in pop if k[:2] == land)})
        for mid in sorted(m for m in nuts2 if m[:2] == land):
            check(len(nuts2[mid]) == 1, f"{mid} spans several NUTS-2 codes")
            label = labels[mid]
            kind = "Regierungsbezirk" if label.endswith(", Regierungsbezirk") else "Statistische Region"
            rows.append({"code": mid, "name": _strip(label, STAT_SUFFIXES),
                         "level": "regierungsbezirk", "kind": kind, "parent": land,
                         "nuts": nuts2[mid].pop(),
                         "population": sum(pop[k] for k in pop if k[:3] == mid)})
    rows.extend(kreis_rows)
    former: list[dict[str, object]] = []
    for code, (change, year, successors) in sorted(DE_CHANGES.items()):
        label = DE_FORMER_NAMES.get(code) or labels.get(code)
        if label is None:  # Eisenach: still a Kreis in the 2018 table
            label = next(r["BEZ"] + " " + r["GEN"] for r in krs if r["AGS"] == code)
        name = _former_name(label) if len(code) == 5 else _strip(label, STAT_SUFFIXES)
        former.append({"code": code, "name": name, "change": change, "year": year,
                       "successors": " ".join(successors)})
    return rows, former


def us_rows(data: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    states: dict[str, tuple[str, str]] = {}
    with (data / "us/addfips/states.csv").open(encoding="utf-8") as fh:
        for s in csv.DictReader(fh):
            if int(s["fips"]) <= 56:
                states.setdefault(s["fips"], (s["name"], s["postal"]))  # first name is official
    check(len(states) == 51, f"{len(states)} states and DC, expected 51")
    counties: dict[str, set[str]] = {}
    with (data / "us/addfips/counties_2020.csv").open(encoding="utf-8") as fh:
        for c in csv.DictReader(fh):
            if c["statefp"] in states:
                counties.setdefault(c["statefp"] + c["countyfp"], set()).add(c["name"])
    for code in US_CHANGES:
        counties.pop(code, None)
    counties.update({code: {name} for code, name in US_ADDED.items()})
    for code, names in counties.items():
        if len(names) > 1:
            check(US_NAMES.get(code, "") in names, f"county {code}: names {sorted(names)}")
            counties[code] = {US_NAMES[code]}
    check(len(counties) == 3143, f"{len(counties)} counties, expected 3,143 (Census 2020)")
    # Compact: the register code is "US-" + FIPS and the parent the FIPS' state part.
    rows: list[dict[str, object]] = [
        {"fips": fips, "name": name, "usps": usps} for fips, (name, usps) in sorted(states.items())
    ]
    rows += [{"fips": fips, "name": counties[fips].pop(), "usps": ""} for fips in sorted(counties)]
    known = {f"US-{r['fips']}" for r in rows}
    former = []
    for code, (name, change, year, successors) in sorted(US_CHANGES.items()):
        check(all(f"US-{s}" in known for s in successors), f"{code}: unknown successor")
        former.append({"code": f"US-{code}", "name": name, "change": change, "year": year,
                       "successors": " ".join(f"US-{s}" for s in successors)})
    return rows, former


def write(out: Path, name: str, rows: list[dict[str, object]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (out / name).write_text(buf.getvalue(), encoding="utf-8")
    print(f"{name}: {len(rows)} rows, {len(buf.getvalue().encode()):,} bytes")


def main(shared: Path, out: Path = OUT) -> None:
    data = shared / "data"
    de, de_former = german_rows(data)
    us, us_former = us_rows(data)
    levels = Counter(str(r["level"]) for r in de)
    check(levels == {"country": 1, "state": 16, "regierungsbezirk": 29, "district": 400},
          f"German levels {dict(levels)}")
    codes = {str(r["code"]) for r in de}
    for f in de_former:
        check(f["code"] not in codes, f"former code {f['code']} is current")
        check(all(s in codes for s in str(f["successors"]).split()),
              f"former code {f['code']}: successor not in the register")
    write(out, "de_regions.csv", de)
    write(out, "us_regions.csv", us)
    write(out, "former_codes.csv", de_former + us_former)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared")
