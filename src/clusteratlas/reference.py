"""Reference data: code lists shipped with the package, and loaders for user files.

Everything here reads files and returns validated :mod:`clusteratlas.model` objects.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from clusteratlas.errors import InputError, SchemaError, SourceError
from clusteratlas.model.categories import CategorySet, ClusterCategory
from clusteratlas.model.classification import Classification, Concordance, Industry
from clusteratlas.model.regions import LEVELS, FormerRegion, Region, Regions, namespace_of

__all__ = [
    "DE_REGIONS_SOURCE",
    "US_REGIONS_SOURCE",
    "all_regions",
    "bw_population_2018",
    "bw_regions",
    "de_regions",
    "default_categories",
    "nace_rev2",
    "naics2017",
    "read_categories",
    "read_classification",
    "read_concordance",
    "read_regions",
    "regions_for",
    "us_categories",
    "us_regions",
    "wz2008",
    "wz_sections",
]

WZ2008_SOURCE = (
    "Statistisches Bundesamt (Destatis), Klassifikation der Wirtschaftszweige, Ausgabe 2008 "
    "(WZ 2008); © Statistisches Bundesamt (Destatis)"
)
NAICS_SOURCE = ("US Census Bureau, North American Industry Classification System 2017 "
                "(NAICS 2017), public domain")
NACE_SOURCE = "Eurostat, NACE Rev. 2 (Regulation (EC) No 1893/2006); Source: Eurostat"
BW_REGIONS_SOURCE = (
    "BKG VG5000 (01.01.2021), © GeoBasis-DE / BKG 2021 (Daten verändert), dl-de/by-2.0; "
    "population 31.12.2020: © Statistisches Bundesamt (Destatis), 2021, GENESIS 12411-0018"
)
DE_REGIONS_SOURCE = (
    "BKG VG5000 (01.01.2021), © GeoBasis-DE / BKG 2021 (Daten verändert: Eisenach merged "
    "into the Wartburgkreis as of 01.07.2021), dl-de/by-2.0, www.bkg.bund.de; population "
    "31.12.2020: © Statistisches Bundesamt (Destatis), 2021, GENESIS 12411-0018"
)
DE_POPULATION_DATE = "2020-12-31"
US_REGIONS_SOURCE = (
    "US Census Bureau, FIPS codes of states and counties (Census 2020 county set), "
    "public domain; as packaged by addfips 0.4.2"
)
_REGIERUNGSBEZIRKE = {"081": "Stuttgart", "082": "Karlsruhe", "083": "Freiburg", "084": "Tübingen"}


def _package_text(*parts: str) -> str:
    return resources.files("clusteratlas").joinpath("data", *parts).read_text(encoding="utf-8")


def _read_text(path: str | Path) -> str:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SourceError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(f"{p}, line {line}: not valid UTF-8; save the file as UTF-8") from None


def _classification_from_csv(text: str, name: str, source: str, origin: str) -> Classification:
    reader = csv.DictReader(io.StringIO(text))
    need = {"code", "level", "parent", "title_en"}
    if reader.fieldnames is None or not need <= set(reader.fieldnames):
        raise SchemaError(
            f"{origin}: expected columns code, level, parent, title_en[, title_de], "
            f"found {', '.join(reader.fieldnames or [])}"
        )
    industries, levels = [], []
    for row in reader:
        try:
            ind = Industry(
                code=row["code"].strip(),
                level=row["level"].strip(),
                parent=(row["parent"] or "").strip() or None,
                title_en=row["title_en"].strip(),
                title_de=(row.get("title_de") or "").strip() or None,
            )
        except AttributeError:
            raise SourceError(f"{origin}, line {reader.line_num}: row has too few fields") from None
        if not ind.code:
            raise InputError(f"{origin}, line {reader.line_num}: field 'code' is empty")
        if ind.level not in levels:
            levels.append(ind.level)
        industries.append(ind)
    try:
        return Classification(name, industries, levels=levels, source=source)
    except InputError as exc:
        raise type(exc)(f"{origin}: {exc}") from None


@functools.cache
def wz2008() -> Classification:
    """WZ 2008 with all five levels (section … subclass), German and English titles."""
    return _classification_from_csv(
        _package_text("classifications", "wz2008.csv"), "wz2008", WZ2008_SOURCE, "wz2008.csv"
    )


@functools.cache
def nace_rev2() -> Classification:
    """NACE Rev. 2 with its four levels (section … class)."""
    return _classification_from_csv(
        _package_text("classifications", "nace_rev2.csv"), "nace_rev2", NACE_SOURCE,
        "nace_rev2.csv",
    )


@functools.cache
def naics2017() -> Classification:
    """NAICS 2017 with its five levels (sector … national industry); sectors keep the
    Census range form (``31-33``)."""
    return _classification_from_csv(
        _package_text("classifications", "naics2017.csv"), "naics2017", NAICS_SOURCE,
        "naics2017.csv",
    )


def read_classification(path: str | Path, *, name: str | None = None, source: str = "") -> Classification:
    """Read a classification from a CSV with columns ``code, level, parent, title_en[, title_de]``.

    Levels are taken in the order they first appear, so list the top level first.
    Codes are kept as text (``"31-33"``, ``"011"``).
    """
    p = Path(path)
    return _classification_from_csv(_read_text(p), name or p.stem, source or str(p), str(p))


def read_concordance(path: str | Path, *, source: str, target: str) -> Concordance:
    """Read a concordance from a CSV with ``from, to[, weight]`` columns.

    A source code listed with several targets and no weights is split equally.
    """
    p = Path(path)
    reader = csv.DictReader(io.StringIO(_read_text(p)))
    if reader.fieldnames is None or not {"from", "to"} <= set(reader.fieldnames):
        raise SchemaError(f"{p}: expected columns from, to[, weight]")
    links: dict[str, list[tuple[str, float | None]]] = {}
    for row in reader:
        raw = (row.get("weight") or "").strip()
        try:
            weight = float(raw) if raw else None
        except ValueError:
            raise InputError(
                f"{p}, line {reader.line_num}: field 'weight' is {raw!r}; expected a number"
            ) from None
        links.setdefault(row["from"].strip(), []).append((row["to"].strip(), weight))
    final: dict[str, tuple[tuple[str, float], ...]] = {}
    for code, targets in links.items():
        if all(w is None for _, w in targets):
            final[code] = tuple((t, 1.0 / len(targets)) for t, _ in targets)
        elif any(w is None for _, w in targets):
            raise InputError(f"{p}: code {code!r} has weights on some rows but not on others")
        else:
            final[code] = tuple((t, float(w)) for t, w in targets if w is not None)
    try:
        return Concordance(source=source, target=target, links=final)
    except InputError as exc:
        raise InputError(f"{p}: {exc}") from None


@functools.cache
def bw_population_2018() -> dict[str, int]:
    """Population of BW's 44 Kreise at 31.12.2018: the seed of the synthetic demo panel
    (kept so that the demo's numbers stay those its tests were computed on)."""
    rows = csv.DictReader(io.StringIO(_package_text("regions", "de_bw_districts.csv")))
    return {row["ags"]: int(row["population_2018"]) for row in rows}


@functools.cache
def bw_regions() -> Regions:
    """Germany, Baden-Württemberg, its 4 Regierungsbezirke and 44 Stadt- und Landkreise;
    population at 31.12.2020 (:data:`DE_POPULATION_DATE`, as :func:`de_regions`)."""
    rows = list(csv.DictReader(io.StringIO(_package_text("regions", "de_bw_districts.csv"))))
    newest = {r.code: r.population for r in _de_records() if r.population is not None}
    regions = [
        Region("DE", "Deutschland", "country", alt_codes={"nuts": "DE"}),
        Region("08", "Baden-Württemberg", "state", parent="DE",
               alt_codes={"ags": "08", "nuts": "DE1"}),
    ]
    for code, name in _REGIERUNGSBEZIRKE.items():
        nuts = "DE1" + code[-1]
        regions.append(
            Region(code, name, "regierungsbezirk", parent="08", alt_codes={"ags": code, "nuts": nuts})
        )
    for row in rows:
        regions.append(
            Region(
                code=row["ags"],
                name=row["name"],
                level="district",
                parent=row["regierungsbezirk"],
                vintage=2021,
                alt_codes={"ags": row["ags"], "ars": row["ags"], "nuts": row["nuts3"]},
                kind=row["kind"],
                population=newest.get(row["ags"], int(row["population_2018"])),
                groupings={"planning_region": row["planning_region"]},
                lon=float(row["lon"]),
                lat=float(row["lat"]),
                abbreviation=row["abbreviation"],
            )
        )
    return Regions(regions)


def _former_codes(namespace: str) -> list[FormerRegion]:
    rows = csv.DictReader(io.StringIO(_package_text("regions", "former_codes.csv")))
    return [
        FormerRegion(row["code"], row["name"], row["change"], int(row["year"]),
                     tuple(row["successors"].split()))
        for row in rows if namespace_of(row["code"]) == namespace
    ]


def _de_records() -> list[Region]:
    bw_extra = {r["ags"]: r for r in csv.DictReader(
        io.StringIO(_package_text("regions", "de_bw_districts.csv")))}
    regions = []
    for row in csv.DictReader(io.StringIO(_package_text("regions", "de_regions.csv"))):
        code = row["code"]
        alt = {"nuts": row["nuts"]} if code == "DG" else {
            "ags": code, "ars": code, "nuts": row["nuts"]}
        extra = bw_extra.get(code)
        regions.append(Region(
            code=code, name=row["name"], level=row["level"], parent=row["parent"] or None,
            vintage=2021, alt_codes=alt, kind=row["kind"], population=int(row["population"]),
            groupings={"planning_region": extra["planning_region"]} if extra else {},
            lon=float(extra["lon"]) if extra else None,
            lat=float(extra["lat"]) if extra else None,
            abbreviation=extra["abbreviation"] if extra else None,
        ))
    return regions


def _us_records() -> list[Region]:
    regions = [Region("US", "United States", "country", vintage=2020)]
    for row in csv.DictReader(io.StringIO(_package_text("regions", "us_regions.csv"))):
        fips = row["fips"]
        state = len(fips) == 2
        alt = {"fips": fips, "usps": row["usps"]} if state else {"fips": fips}
        regions.append(Region(code=f"US-{fips}", name=row["name"],
                              level="state" if state else "county",
                              parent="US" if state else f"US-{fips[:2]}", vintage=2020,
                              alt_codes=alt))
    return regions


@functools.cache
def de_regions() -> Regions:
    """Germany (``DG``), its 16 Länder, 29 Regierungsbezirke and Statistische Regionen,
    and the 400 Kreise valid since 01.07.2021, with codes retired since 2007.

    Codes are the AGS (``"08435"``; alt codes ``ags``, ``ars``, ``nuts``); population
    is at 31.12.2020 (:data:`DE_POPULATION_DATE`).  Kreise of Länder without
    Regierungsbezirke hang directly under the Land.  Source: :data:`DE_REGIONS_SOURCE`.
    """
    return Regions(_de_records(), former=_former_codes("DE"))


@functools.cache
def us_regions() -> Regions:
    """The United States (``US``), the 50 states and DC (``US-08``) and the 3,143 counties
    and equivalents of the Census 2020 county set (``US-08013``), with retired codes.

    Alt codes ``fips`` (plain, ``"08013"``) and ``usps`` (``"CO"``) are lookup forms in
    namespace ``"US"``.  Source: :data:`US_REGIONS_SOURCE`.
    """
    return Regions(_us_records(), former=_former_codes("US"))


@functools.cache
def all_regions() -> Regions:
    """Germany and the US in one register: the namespaces keep their codes apart."""
    return Regions([*de_regions().values(), *us_regions().values()],
                   former=[*_former_codes("DE"), *_former_codes("US")])


def regions_for(scope: str) -> Regions:
    """The shipped register that holds ``scope`` (a country, Land, state, Kreis, county).

    ``"DG"``, ``"DE"`` and plain German codes give :func:`de_regions`; ``"US"`` and
    ``"US-…"`` codes give :func:`us_regions`.

    Raises
    ------
    NotFoundError
        No shipped register holds the scope.
    """
    register = us_regions() if namespace_of(scope.strip()) == "US" else de_regions()
    register.lookup(scope)
    return register


_REGISTER_COLUMNS = ("code", "name", "level", "parent", "kind", "population",
                     "nuts", "ags", "ars", "fips")


def _register_row(row: Mapping[str, str | None], col: Mapping[str, str], has_parent: bool,
                  vintage: int | None, where: str) -> Region:
    def cell(name: str) -> str:
        return (row.get(col[name]) or "").strip()

    level, code, pop = cell("level"), cell("code"), cell("population")
    if level.isdigit():
        level = f"nuts{level}"
    parent = cell("parent") or None
    if parent is None and not has_parent and level in {"nuts1", "nuts2", "nuts3"}:
        parent = code[:-1]
    if pop and not pop.isdigit():
        raise InputError(f"{where}: field {col['population']!r} is {pop!r}; "
                         "expected a whole number")
    if level not in LEVELS:
        raise InputError(f"{where}: field {col['level']!r} is {level!r}; expected one of "
                         f"{', '.join(LEVELS)} or a NUTS level 0-3")
    alt = {s: cell(s) for s in ("nuts", "ags", "ars", "fips") if cell(s)}
    if level.startswith("nuts") and "nuts" not in alt:
        alt["nuts"] = code
    try:
        return Region(code=code, name=cell("name"), level=level, parent=parent,
                      vintage=vintage, alt_codes=alt, kind=cell("kind") or None,
                      population=int(pop) if pop else None)
    except InputError as exc:
        raise type(exc)(f"{where}: {exc}") from None


def read_regions(path: str | Path, *, columns: Mapping[str, str] | None = None,
                 vintage: int | None = None) -> Regions:
    """Read a user's region register from a CSV.

    Columns ``code, name, level`` and optionally ``parent, kind, population`` and the
    alternative codes ``nuts, ags, ars, fips``; ``columns`` maps these names to the
    file's, e.g. for a GISCO NUTS table
    ``{"code": "NUTS_ID", "name": "NAME_LATN", "level": "LEVL_CODE"}``.  A numeric
    level ``n`` means NUTS level ``n``; a NUTS region without a parent column gets its
    parent from its code (``DE11`` → ``DE1``).

    Raises
    ------
    SchemaError
        A required column is missing.
    InputError
        A row is invalid (the message names file, line and field).
    """
    p = Path(path)
    text = _read_text(p)
    col = {name: name for name in _REGISTER_COLUMNS} | dict(columns or {})
    sample = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if sample.count(";") >
                            sample.count(",") else ",")
    missing = [c for c in ("code", "name", "level") if col[c] not in (reader.fieldnames or [])]
    if missing:
        raise SchemaError(f"{p}: column {col[missing[0]]!r} is missing; found "
                          f"{', '.join(reader.fieldnames or [])}")
    has_parent = col["parent"] in (reader.fieldnames or [])
    regions = [_register_row(row, col, has_parent, vintage, f"{p}, line {reader.line_num}")
               for row in reader]
    try:
        return Regions(regions)
    except InputError as exc:
        raise type(exc)(f"{p}: {exc}") from None


def _categories_from_mapping(data: object, origin: str) -> CategorySet:
    if not isinstance(data, Mapping) or not isinstance(data.get("categories"), list):
        raise SchemaError(f"{origin}: expected a mapping with a 'categories' list")
    cats = []
    for i, item in enumerate(data["categories"], start=1):
        if not isinstance(item, Mapping):
            raise SchemaError(f"{origin}: category #{i} is not a mapping")
        try:
            cats.append(
                ClusterCategory(
                    code=str(item["code"]),
                    name_de=str(item.get("name_de") or item.get("name_en") or item["code"]),
                    name_en=str(item.get("name_en") or item.get("name_de") or item["code"]),
                    include=tuple(str(c) for c in item.get("include") or ()),
                    exclude=tuple(str(c) for c in item.get("exclude") or ()),
                    description=str(item.get("description") or ""),
                    group=str(item.get("group") or ""),
                    description_de=str(item.get("description_de") or ""),
                )
            )
        except KeyError as exc:
            raise SchemaError(f"{origin}: category #{i} has no field {exc.args[0]!r}") from None
        except InputError as exc:
            raise InputError(f"{origin}: category #{i}: {exc}") from None
    try:
        return CategorySet(
            name=str(data.get("name") or origin),
            version=str(data.get("version") or "1"),
            classification=str(data.get("classification") or "wz2008"),
            categories=cats,
            source=str(data.get("source") or origin),
        )
    except InputError as exc:
        raise InputError(f"{origin}: {exc}") from None


def _yaml(text: str) -> Any:
    """``yaml.safe_load`` through libyaml's parser where PyYAML has it (the same data,
    read in a fifth of the time: a briefing reads two of these files)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def wz_sections() -> CategorySet:
    """WZ 2008 sections and the section groups of the regional tables (``C``, ``G-I``,
    ``M-N``, the derived ``B_D_E`` …): the category set for section-level data."""
    data = _yaml(_package_text("categories", "wz_sections.yaml"))
    return _categories_from_mapping(data, "wz_sections.yaml")


@functools.cache
def default_categories() -> CategorySet:
    """The Clusteratlas default categories over WZ 2008 (16 categories)."""
    data = _yaml(_package_text("categories", "clusteratlas_wz2008.yaml"))
    cats = _categories_from_mapping(data, "clusteratlas_wz2008.yaml")
    cats.validate_against(wz2008())
    return cats


@functools.cache
def us_categories() -> CategorySet:
    """The US Cluster Mapping's 51 traded (codes 1-51) and 16 local clusters (101-116)
    over NAICS 2017 (``tools/make_us_categories.py`` says how the crosswalk was built)."""
    data = _yaml(_package_text("categories", "us_cluster_mapping.yaml"))
    cats = _categories_from_mapping(data, "us_cluster_mapping.yaml")
    cats.validate_against(naics2017())
    return cats


def read_categories(
    path: str | Path,
    *,
    classification: Classification | None = None,
    columns: Mapping[str, str] | None = None,
    name: str | None = None,
    version: str = "1",
) -> CategorySet:
    """Read a user-defined category set from YAML or CSV.

    YAML has the layout of the packaged default set.  CSV has one row per
    (category, industry) with the columns ``category, industry`` and optionally
    ``name_de, name_en, exclude`` (``exclude`` = 1/true marks a code taken out);
    ``columns`` renames file columns, e.g. for the US Cluster Mapping crosswalk
    ``{"category": "Cluster", "industry": "NAICS"}``.  Category codes in CSV are
    slugs made from the category column.
    """
    p = Path(path)
    text = _read_text(p)
    if p.suffix.lower() in {".yaml", ".yml"}:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            raise SourceError(f"{p}{where}: not valid YAML") from None
        cats = _categories_from_mapping(data, str(p))
    else:
        cats = _categories_from_csv(text, p, columns or {}, name or p.stem, version)
    if classification is not None:
        try:
            cats.validate_against(classification)
        except InputError as exc:
            raise type(exc)(f"{p}: {exc}") from None
    return cats


def _slug(text: str) -> str:
    out = "".join(ch.lower() if ch.isalnum() else "_" for ch in text.strip())
    out = "_".join(part for part in out.split("_") if part)
    return out[:64] or "category"


def _categories_from_csv(
    text: str, path: Path, columns: Mapping[str, str], name: str, version: str
) -> CategorySet:
    reader = csv.DictReader(io.StringIO(text))
    col = {"category": "category", "industry": "industry", "group": "group", **columns}
    if reader.fieldnames is None or not {col["category"], col["industry"]} <= set(reader.fieldnames):
        raise SchemaError(
            f"{path}: expected columns {col['category']!r} and {col['industry']!r}, "
            f"found {', '.join(reader.fieldnames or [])}"
        )
    include: dict[str, list[str]] = {}
    exclude: dict[str, list[str]] = {}
    names: dict[str, tuple[str, str]] = {}
    groups: dict[str, str] = {}
    for row in reader:
        label = (row.get(col["category"]) or "").strip()
        code = (row.get(col["industry"]) or "").strip()
        if not label:
            continue  # crosswalks carry industries that belong to no category
        if not code:
            raise InputError(f"{path}, line {reader.line_num}: field {col['industry']!r} is empty")
        slug = label if label.isdigit() else _slug(label)
        names.setdefault(slug, (row.get("name_de") or label, row.get("name_en") or label))
        if col.get("group") and row.get(col["group"]):
            groups.setdefault(slug, str(row[col["group"]]).strip().lower())
        is_exc = (row.get("exclude") or "").strip().lower() in {"1", "true", "yes"}
        (exclude if is_exc else include).setdefault(slug, []).append(code)
    cats = [
        ClusterCategory(
            code=slug,
            name_de=names[slug][0],
            name_en=names[slug][1],
            include=tuple(dict.fromkeys(codes)),
            exclude=tuple(dict.fromkeys(exclude.get(slug, []))),
            group=groups.get(slug, ""),
        )
        for slug, codes in include.items()
    ]
    return CategorySet(name=name, version=version, classification="", categories=cats,
                       source=str(path))
