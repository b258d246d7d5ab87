"""Regions: codes, names, levels, parents and alternative codes, validated once."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from clusteratlas.core.geodesy import EARTH_RADIUS_KM
from clusteratlas.errors import InputError, NotFoundError, UnknownCodeError

__all__ = [
    "ALT_CODE_PATTERNS",
    "LEVELS",
    "NAMESPACES",
    "FormerRegion",
    "Region",
    "RegionLevel",
    "Regions",
    "namespace_of",
]

RegionLevel = Literal[
    "country",
    "state",
    "regierungsbezirk",
    "district",
    "nuts0",
    "nuts1",
    "nuts2",
    "nuts3",
    "county",
    "other",
]
LEVELS: tuple[str, ...] = RegionLevel.__args__  # type: ignore[attr-defined]

# Formats of the official alternative codes; a code that does not match is a typo
# or a different vintage, and silently joining on it would drop a region.
ALT_CODE_PATTERNS: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        "ags": re.compile(r"^\d{2}(\d{1}(\d{2}(\d{3})?)?)?$"),
        "ars": re.compile(r"^\d{2}(\d{1}(\d{2}(\d{7})?)?)?$"),
        "nuts": re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$"),
        "fips": re.compile(r"^\d{2}(\d{3})?$"),
    }
)
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")

# Region codes of different countries must never collide (FIPS 08 is Colorado, AGS 08 is
# Baden-Württemberg).  German codes stay plain, as the demo and every German table write
# them; other countries' codes carry their ISO prefix ("US-08", "US-08013").  Each
# namespace names the alternative-code schemes its plain codes are looked up in.
NAMESPACES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"DE": ("ags", "ars", "nuts"), "US": ("fips", "usps")}
)
_PREFIXED = re.compile(r"^([A-Z]{2})(?:-|$)")
_CHANGE_VERBS = {"merged": "merged {year} into", "split": "split {year} into",
                 "recoded": "recoded {year} as", "dissolved": "dissolved {year} into"}


def namespace_of(code: str) -> str:
    """The namespace of a region code: its ISO prefix (``"US-08"`` → ``"US"``), else ``"DE"``."""
    match = _PREFIXED.match(code)
    return match.group(1) if match and match.group(1) in NAMESPACES else "DE"


def _plain_forms(code: str, namespace: str) -> list[str]:
    """Register codes a plain code may stand for in a namespace, most likely first.

    Spreadsheets drop leading zeros (``8435`` for AGS ``08435``, ``8013`` for FIPS
    ``08013``); GENESIS writes ARS padded to 12 digits and AGS padded to 8.
    """
    forms = [code]
    if code.isdigit():
        if len(code) in (1, 4):
            forms.append("0" + code)
        if namespace == "DE" and len(code) in (8, 12):
            significant = code.rstrip("0")
            forms += [code[:n] for n in (5, 3, 2) if len(significant) <= n]
    if namespace != "DE":
        prefix = f"{namespace}-"
        forms = [f if f.startswith(prefix) or f == namespace else prefix + f for f in forms]
    return forms


@dataclass(frozen=True, slots=True)
class Region:
    """One region of one vintage.

    Parameters
    ----------
    code
        The region's key in Clusteratlas (for German Kreise the 5-digit AGS as a
        string, leading zero kept: ``"08435"``).
    name
        Official name.
    level
        Administrative or statistical level, one of :data:`LEVELS`.
    parent
        Code of the enclosing region, or ``None`` at the top.
    vintage
        Year of the territorial status the code refers to (boundaries change).
    alt_codes
        Alternative codes by scheme: ``ags``, ``ars``, ``nuts``, ``fips``.
    kind
        Official type within the level (``"Stadtkreis"``, ``"Landkreis"``).
    population
        Population at a stated date, used for context only.
    groupings
        Named groupings that are not part of the parent chain, e.g.
        ``{"planning_region": "Bodensee-Oberschwaben"}``.
    lon, lat
        A representative point inside the region (WGS84 degrees), if known.
    abbreviation
        A short unique label for small map tiles (for German Kreise the vehicle
        registration code, with ``-L`` for a Landkreis that shares it with its city).
    """

    code: str
    name: str
    level: str
    parent: str | None = None
    vintage: int | None = None
    alt_codes: Mapping[str, str] = field(default_factory=dict)
    kind: str | None = None
    population: int | None = None
    groupings: Mapping[str, str] = field(default_factory=dict)
    lon: float | None = None
    lat: float | None = None
    abbreviation: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not _CODE.match(self.code):
            raise InputError(
                f"region code {self.code!r} is not valid: expected 1-32 letters, digits, "
                "'.', '_' or '-', given as a string (keep leading zeros, e.g. '08435')"
            )
        if not self.name or not self.name.strip():
            raise InputError(f"region {self.code!r}: name is empty")
        if self.level not in LEVELS:
            raise InputError(
                f"region {self.code!r}: level {self.level!r} is not one of {', '.join(LEVELS)}"
            )
        for scheme, value in self.alt_codes.items():
            pattern = ALT_CODE_PATTERNS.get(scheme)
            if pattern is not None and not pattern.match(value):
                raise InputError(
                    f"region {self.code!r}: {scheme.upper()} code {value!r} does not have "
                    f"the official form ({pattern.pattern})"
                )
        if self.population is not None and self.population < 0:
            raise InputError(f"region {self.code!r}: population {self.population} is negative")
        object.__setattr__(self, "alt_codes", MappingProxyType(dict(self.alt_codes)))
        object.__setattr__(self, "groupings", MappingProxyType(dict(self.groupings)))

    @property
    def display_name(self) -> str:
        """Name that is unique among German Kreise ("Heilbronn (Stadtkreis)")."""
        return f"{self.name} ({self.kind})" if self.kind == "Stadtkreis" else self.name

    def distance_km(self, other: Region) -> float | None:
        """Great-circle distance between the two representative points (haversine on a
        sphere of the Earth's mean radius); None where a point is unknown."""
        if self.lat is None or self.lon is None or other.lat is None or other.lon is None:
            return None
        la1, lo1, la2, lo2 = (math.radians(v) for v in (self.lat, self.lon, other.lat,
                                                         other.lon))
        h = (math.sin((la2 - la1) / 2) ** 2
             + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "display_name": self.display_name,
            "level": self.level,
            "kind": self.kind,
            "parent": self.parent,
            "vintage": self.vintage,
            "alt_codes": dict(self.alt_codes),
            "population": self.population,
            "groupings": dict(self.groupings),
            "lon": self.lon,
            "lat": self.lat,
            "abbreviation": self.abbreviation,
        }


@dataclass(frozen=True, slots=True)
class FormerRegion:
    """A code of an older vintage: what became of it (merged, split, recoded, dissolved).

    Parameters
    ----------
    code
        The retired code, in the register's namespace (``"03152"``, ``"US-51515"``).
    name
        Its name when it was current (``"Landkreis Göttingen"``).
    change
        ``"merged"``, ``"split"``, ``"recoded"`` or ``"dissolved"``.
    year
        Year the code ceased.
    successors
        Current codes that took over its territory (the main one first).
    """

    code: str
    name: str
    change: str
    year: int
    successors: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.change not in _CHANGE_VERBS:
            raise InputError(
                f"former region {self.code!r}: change {self.change!r} is not one of "
                f"{', '.join(_CHANGE_VERBS)}"
            )
        if not self.successors:
            raise InputError(f"former region {self.code!r}: no successor given")

    def describe(self, regions: Mapping[str, Region] | None = None) -> str:
        """``03152 (Landkreis Göttingen, merged 2016 into 03159 Göttingen)``."""
        names = [
            f"{s} {regions[s].name}" if regions is not None and s in regions else s
            for s in self.successors
        ]
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        verb = _CHANGE_VERBS[self.change].format(year=self.year)
        return f"{self.code} ({self.name}, {verb} {joined})"


class Regions(Mapping[str, Region]):
    """An immutable register of regions, keyed by code.

    Validates once that codes are unique, every parent exists and alternative codes
    are unique within their scheme.  Build with :meth:`from_records`.  ``former`` lists
    codes of older vintages, so that :meth:`lookup` reports them by name.
    """

    __slots__ = ("_by_alt", "_former", "_regions")

    def __init__(self, regions: Iterable[Region], former: Iterable[FormerRegion] = ()) -> None:
        by_code: dict[str, Region] = {}
        for region in regions:
            if region.code in by_code:
                raise InputError(f"region code {region.code!r} occurs twice")
            by_code[region.code] = region
        by_alt: dict[tuple[str, str], str] = {}
        for region in by_code.values():
            if region.parent is not None and region.parent not in by_code:
                raise UnknownCodeError(
                    f"region {region.code!r}: parent {region.parent!r} is not in the register"
                )
            for scheme, value in region.alt_codes.items():
                other = by_alt.setdefault((scheme, value), region.code)
                if other != region.code:
                    raise InputError(
                        f"{scheme.upper()} code {value!r} is used by both {other!r} "
                        f"and {region.code!r}"
                    )
        self._regions = by_code
        self._by_alt = by_alt
        self._former: dict[str, FormerRegion] = {}
        for old in former:
            if old.code in by_code or old.code in self._former:
                raise InputError(f"former region code {old.code!r} is also a current code "
                                 "or listed twice")
            missing = [s for s in old.successors if s not in by_code]
            if missing:
                raise UnknownCodeError(
                    f"former region {old.code!r}: successor {missing[0]!r} is not in the register"
                )
            self._former[old.code] = old

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, object]]) -> Regions:
        """Build from dict-like records with the field names of :class:`Region`."""
        return cls(Region(**dict(rec)) for rec in records)  # type: ignore[arg-type]

    def __getitem__(self, code: str) -> Region:
        try:
            return self._regions[code]
        except KeyError:
            raise NotFoundError(f"region {code!r} is not in the register") from None

    def __contains__(self, code: object) -> bool:
        return code in self._regions

    def __iter__(self) -> Iterator[str]:
        return iter(self._regions)

    def __len__(self) -> int:
        return len(self._regions)

    def __repr__(self) -> str:
        levels: dict[str, int] = {}
        for r in self._regions.values():
            levels[r.level] = levels.get(r.level, 0) + 1
        inner = ", ".join(f"{n} {lvl}" for lvl, n in levels.items())
        return f"<Regions: {inner}>"

    def at_level(self, level: str) -> list[Region]:
        """Regions of one level, in register order."""
        return [r for r in self._regions.values() if r.level == level]

    def by_alt_code(self, scheme: str, value: str) -> Region:
        """Look a region up by an alternative code (``by_alt_code("nuts", "DE147")``)."""
        try:
            return self._regions[self._by_alt[(scheme, value)]]
        except KeyError:
            raise NotFoundError(f"no region has {scheme.upper()} code {value!r}") from None

    def resolve(self, code: str) -> Region:
        """Find a region by its own code or any alternative code."""
        if code in self._regions:
            return self._regions[code]
        for (_, value), own in self._by_alt.items():
            if value == code:
                return self._regions[own]
        raise NotFoundError(f"region {code!r} is not in the register")

    def former(self, code: str) -> FormerRegion | None:
        """The retired code's record (what became of it), or None if it is not one."""
        return self._former.get(code)

    @property
    def former_codes(self) -> Mapping[str, FormerRegion]:
        return MappingProxyType(self._former)

    def lookup(self, code: str, namespace: str | None = None) -> Region:
        """Find a region by any form people write its code in.

        Accepted: the register code (``"08435"``, ``"US-08013"``); within ``namespace``
        (``"DE"``, the default for plain codes, or ``"US"``) the plain official codes
        of that country (AGS, ARS, NUTS; FIPS, USPS) and their spreadsheet forms without
        the leading zero (``"8435"``).  A retired code raises :class:`NotFoundError`
        that names it and its successors.

        Raises
        ------
        InputError
            ``namespace`` is not one of :data:`NAMESPACES`.
        NotFoundError
            No region has the code (the message names a retired one).
        """
        text = code.strip()
        if text in self._regions and namespace in (None, namespace_of(text)):
            return self._regions[text]
        ns = namespace or namespace_of(text)
        if ns not in NAMESPACES:
            raise InputError(
                f"namespace {namespace!r} is not one of {', '.join(NAMESPACES)}"
            )
        forms = _plain_forms(text, ns)
        for form in forms:
            if form in self._regions and namespace_of(form) == ns:
                return self._regions[form]
        for scheme in NAMESPACES[ns]:
            for form in (text, text.upper(), *forms):
                own = self._by_alt.get((scheme, form))
                if own is not None and namespace_of(own) == ns:
                    return self._regions[own]
        for form in (text, *forms):
            old = self._former.get(form)
            if old is not None:
                raise NotFoundError(
                    f"region {code!r} no longer exists: {old.describe(self._regions)}"
                )
        hint = "" if namespace else "; for a US FIPS code give namespace 'US' or write 'US-…'"
        raise NotFoundError(f"region {code!r} is not in the register{hint}")

    def children(self, code: str) -> list[Region]:
        return [r for r in self._regions.values() if r.parent == code]

    def ancestors(self, code: str) -> list[Region]:
        """Parent chain from the direct parent up to the top."""
        chain: list[Region] = []
        current = self[code].parent
        while current is not None:
            region = self._regions[current]
            chain.append(region)
            current = region.parent
        return chain
