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

__all__ = ["Merger", "RegionCodes", "apply_mergers", "find_mergers", "harmonise_regions"]

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
      published) and named with what became of them; where they merged wholly into one
      successor, the atlas adds them to it (:func:`find_mergers`), said by name;
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
    mergers = find_mergers(frame, register)
    for line in dict.fromkeys(m.describe(register) for m in mergers):
        notes.append(line)
    joined = {p for m in mergers if m.how != "apart" for p in m.predecessors}
    old = sorted(c for c in present if c not in known and c in former and c not in joined)
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


@dataclass(frozen=True)
class Merger:
    """Former Kreise whose cells of one year are added to their successor's.

    ``how`` is ``"made_of"`` (the table's successor row is absent or empty: the
    successor did not exist yet), ``"added"`` (the year precedes the merger, so the
    table's successor row is the Kreis before the merger) or ``"apart"`` (the table
    has the successor's own row from the year of the merger on: nothing is added)."""

    successor: str
    predecessors: tuple[str, ...]
    year: int
    how: str

    def describe(self, register: Regions) -> str:
        """One line of the import summary, the same for every year of one kind."""
        former = register.former_codes
        parts = " and ".join(former[p].describe(register) for p in self.predecessors)
        name = f"{self.successor} {register[self.successor].name}" \
            if self.successor in register else self.successor
        if self.how == "apart":
            return (f"{parts}: kept apart, not mapped – the table also has {name} after the "
                    "merger, so the two cannot be told apart")
        why = ("the table's row of the successor is empty before the merger" if
               self.how == "made_of" else "the table's row of the successor is the Kreis "
               "before the merger")
        verb = "make up" if self.how == "made_of" else "added to"
        return (f"{parts} {verb} {name} on the map ({why}; the sums are flagged 'derived', "
                "a secret part makes the sum secret)")


def _merged_into(register: Regions) -> dict[str, list[str]]:
    """``{successor: [former codes merged wholly into it]}`` of the register."""
    out: dict[str, list[str]] = {}
    for f in register.former_codes.values():
        if f.change == "merged" and len(f.successors) == 1 and f.successors[0] in register:
            out.setdefault(f.successors[0], []).append(f.code)
    return out


def find_mergers(frame: pd.DataFrame, register: Regions, *,
                 value: str = "value") -> list[Merger]:
    """The mergers to apply to a table (columns ``region``, ``industry``, ``year`` and
    ``value``): for each year, the successors of former Kreise that have data.

    A former Kreis "has data" in a year when one of its cells is neither missing nor
    zero; the successor's row is "empty" when it is absent or every cell is zero or
    missing (03159 Göttingen in 2015 and 2016: every cell ``-``).  The rule is exact
    where the former Kreis merged *wholly* into its successor (the register's
    ``merged`` with one successor): the successor's territory is then the sum of the
    parts.  Changes of single municipalities between Kreise are not adjusted."""
    regions = frame["region"].astype(str)
    known = frame[value].fillna(0).to_numpy() != 0
    merged = _merged_into(register)
    every = [c for codes in merged.values() for c in codes]
    # one pass over the table: the former Kreise that have data at all
    present = set(regions[regions.isin(every).to_numpy() & known].unique())
    out = []
    for successor, former in sorted(merged.items()):
        if not present & set(former):
            continue
        years_of = register.former_codes
        for year in sorted(int(y) for y in frame.loc[regions.isin(former).to_numpy()
                                                     & known, "year"].unique()):
            in_year = (frame["year"] == year).to_numpy()
            valued = [c for c in former
                      if (in_year & known & (regions == c).to_numpy()).any()]
            own = in_year & (regions == successor).to_numpy()
            merged_in = min(years_of[c].year for c in valued)
            if not (own & known).any():
                how = "made_of"
            elif year < merged_in:
                how = "added"
            else:
                how = "apart"
            out.append(Merger(successor, tuple(valued), year, how))
    return out


def apply_mergers(frame: pd.DataFrame, mergers: list[Merger]) -> pd.DataFrame:
    """``frame`` (``region, industry, year, employment, flag`` and other columns, e.g.
    ``dims``, ``establishments``) with each merger's successor rows replaced by the
    cell-wise sums of the successor's own rows and its former Kreise's.

    A cell is the sum of every part's cell with the same industry (and other keys); a
    part's missing (secret) cell or missing row makes the sum missing and flagged
    ``suppressed``, every other sum is flagged ``derived``.  The former Kreise's own
    rows stay as published (under codes the register does not map)."""
    keys = [c for c in ("industry", "measure", "dims", "dataset_id") if c in frame.columns]
    sums = [c for c in ("employment", "establishments", "wages") if c in frame.columns]
    for m in mergers:
        if m.how == "apart":
            continue
        units = [m.successor, *m.predecessors] if m.how == "added" else list(m.predecessors)
        at = (frame["year"] == m.year).to_numpy()
        parts = frame[at & frame["region"].astype(str).isin(units).to_numpy()]
        grouped = parts.groupby(keys, sort=False, dropna=False)
        summed = grouped[sums].sum(min_count=1)
        # one row per part and key: a part without a value there makes the sum unknown
        whole = grouped[sums].count().eq(len(units))
        summed = summed.where(whole).reset_index()
        summed["region"] = m.successor
        summed["year"] = m.year
        summed["flag"] = summed["employment"].isna().map({True: "suppressed",
                                                          False: "derived"})
        drop = at & (frame["region"].astype(str) == m.successor).to_numpy()
        frame = pd.concat([frame[~drop], summed[[c for c in frame.columns
                                                 if c in summed.columns]]],
                          ignore_index=True)
    return frame
