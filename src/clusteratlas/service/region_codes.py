"""Region codes of an imported table against the register: what is kept, mapped, reported.

German regional tables (regionalstatistik.de, GENESIS) carry more than the register's
Kreise: Gemeinden and Berlin's Bezirke with 8-digit codes, the city states Berlin
(``11``) and Hamburg (``02``) as Land rows only, codes of merged Kreise in older years
(Eisenach ``16056`` until 2021), and sometimes codes no register knows.  Nothing here
is dropped silently: every change is one line of the import summary.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd

from clusteratlas.model.regions import Regions

__all__ = ["RegionCodes", "harmonise_regions"]

#: German Kreis-level rows below the Kreis (Gemeinden, Berlin's Bezirke): 8 or more digits
_SUB_DISTRICT_DIGITS = 8


@dataclass
class RegionCodes:
    """The result of :func:`harmonise_regions`: the frame to store and the lines to say."""

    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _city_states(register: Regions) -> dict[str, str]:
    """Länder that are a single Kreis (Berlin ``11`` → ``11000``, Hamburg ``02`` → ``02000``)."""
    out = {}
    for state in register.at_level("state"):
        children = [r for r in register.children(state.code) if r.level == "district"]
        if len(children) == 1 and children[0].code.startswith(state.code):
            out[state.code] = children[0].code
    return out


def harmonise_regions(frame: pd.DataFrame, register: Regions,
                      registered: Collection[str] | None = None) -> RegionCodes:
    """Map a German table's region codes onto the register ``register``.

    * rows of units below the Kreis (8-digit codes) are skipped and counted;
    * a city state published only as its Land row (``11`` Berlin, ``02`` Hamburg) also
      gives the row of its one Kreis (``11000``, ``02000``) when the table has none;
    * codes of former Kreise are kept under their own code (the values stay as
      published) and named with what became of them;
    * codes outside the register are kept, counted and shown by example.

    ``registered`` are the codes of the store's register (default: ``register``'s).
    """
    codes = frame["region"].astype(str)
    known = set(registered) if registered is not None else set(register)
    notes: list[str] = []
    sub = codes.str.fullmatch(rf"\d{{{_SUB_DISTRICT_DIGITS},}}")
    if sub.any():
        units = codes[sub].unique()
        notes.append(f"{len(units)} units below the Kreis level (8-digit codes, e.g. "
                     f"{', '.join(sorted(units)[:3])}) skipped: the atlas maps Kreise")
        frame = frame[~sub.to_numpy()]
        codes = codes[~sub]
    present = set(codes.unique())
    added = []
    for state, district in _city_states(register).items():
        if state in present and district not in present and district in known:
            rows = frame[codes.to_numpy() == state].copy()
            rows["region"] = district
            frame = pd.concat([frame, rows], ignore_index=True)
            codes = frame["region"].astype(str)
            added.append(f"{state} → {district} {register[district].name}")
    if added:
        notes.append("city states published as Land rows also stand for their Kreis: "
                     + "; ".join(added))
    former = register.former_codes
    old = sorted(c for c in present if c not in known and c in former)
    if old:
        valued = set(frame.loc[(frame["value"].fillna(0) != 0).to_numpy()
                               & frame["region"].astype(str).isin(old).to_numpy(), "region"]
                     .astype(str))
        with_values = [c for c in old if c in valued]
        empty = [c for c in old if c not in valued]
        if with_values:
            notes.append(f"{len(with_values)} code(s) of former Kreise with data kept under "
                         "their own code, not mapped: "
                         + "; ".join(former[c].describe(register) for c in with_values))
        if empty:
            notes.append(f"{len(empty)} code(s) of former Kreise without data (every cell "
                         f"'-' or secret) kept, not mapped: {', '.join(empty)}")
    outside = sorted(c for c in present if c not in known and c not in former)
    if outside:
        notes.append(f"{len(outside)} region code(s) are not in the region register (kept, "
                     f"not mapped), e.g. {', '.join(outside[:5])}")
    return RegionCodes(frame.reset_index(drop=True), notes)
