"""The finest non-overlapping partition of a table's hierarchical industry aggregates.

Official regional tables publish overlapping aggregates of the WZ 2008 / NACE sections:
13111-07-05-4 has ``A``, ``B-F`` ⊃ ``B-E`` ⊃ ``C``, ``F``, ``G-U`` ⊃ ``G-I``, ``J``, …,
``R-U`` and the total ``Insgesamt``.  Adding them double counts; the atlas instead
works on the finest partition the table allows: every published code that contains
no other published code, plus the *residual* of each aggregate that its published
parts do not cover,

.. math::

    E_{r,\\,X \\setminus (Y_1 \\cup \\dots \\cup Y_k)} = E_{r,X} - \\sum_{i=1}^{k} E_{r,Y_i},

where :math:`Y_1, \\dots, Y_k` are the largest pairwise disjoint published codes
strictly inside :math:`X`.  ``B-E`` minus ``C`` gives the derived part "B, D, E";
the total minus ``A + B-F + G-U`` gives the *unassigned* part (persons without an
industry, which 13111-07-05-4 counts in Germany's total only).  By construction the
parts of a region add up to its published total exactly, so shares over the
partition sum to 1 wherever no cell is suppressed.

Pure functions: no I/O; the sections come from the classification.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["UNASSIGNED", "Part", "apply_partition", "finest_partition", "sections_of"]

#: code of the residual of the total that no section covers
UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class Part:
    """One part of the partition.

    Parameters
    ----------
    code
        The published code (``"C"``), or for a derived residual the sections it covers
        joined by ``_`` (``"B_D_E"``), or :data:`UNASSIGNED` / ``"<code>_unassigned"``
        for a residual that covers no section.
    sections
        The sections the part covers.
    parent
        For a derived residual: the aggregate it is taken from (``"B-E"``); ``None``
        for a published code.
    minus
        For a derived residual: the published codes subtracted from ``parent``.
    """

    code: str
    sections: frozenset[str]
    parent: str | None = None
    minus: tuple[str, ...] = ()

    @property
    def derived(self) -> bool:
        return self.parent is not None


def sections_of(code: str, sections: Sequence[str], total: str = "TOTAL") -> frozenset[str] | None:
    """The sections a table code covers: ``"C"`` → {C}, ``"B-E"`` → {B, C, D, E}, the
    total → all; ``None`` for a code that is not a section or a range of sections.

    Examples
    --------
    >>> sorted(sections_of("M-N", list("ABCDEFGHIJKLMNOPQRSTU")))
    ['M', 'N']
    """
    if code == total:
        return frozenset(sections)
    if code in sections:
        return frozenset({code})
    first, sep, last = code.partition("-")
    if sep and first in sections and last in sections:
        i, j = sections.index(first), sections.index(last)
        if i < j:
            return frozenset(sections[i:j + 1])
    return None


def finest_partition(codes: Iterable[str], sections: Sequence[str],
                     total: str = "TOTAL") -> list[Part] | None:
    """The finest non-overlapping partition of the published ``codes``.

    Returns ``None`` when a code is not a section or a range of sections (a table of
    WZ divisions or classes: nothing to partition here).  Residuals that cover no
    section (the total's unassigned part, or an aggregate larger than its parts) are
    returned too; :func:`apply_partition` keeps them only where they are non-zero.
    """
    present: dict[str, frozenset[str]] = {}
    for code in codes:
        covered = sections_of(code, sections, total)
        if covered is None:
            return None
        present[code] = covered
    if total not in present:
        present[total] = frozenset(sections)

    def split(code: str) -> list[Part]:
        secs = present[code]
        inner = [c for c in present if present[c] < secs]
        maximal = [c for c in inner if not any(present[c] < present[d] for d in inner)]
        chosen: list[str] = []
        covered: set[str] = set()
        for c in sorted(maximal, key=lambda c: (-len(present[c]), c)):
            if not present[c] & covered:
                chosen.append(c)
                covered |= present[c]
        if not chosen:
            return [Part(code, secs)]
        chosen.sort(key=lambda c: min(sections.index(s) for s in present[c]))
        parts = [p for c in chosen for p in split(c)]
        rest = secs - covered
        if rest:
            name = "_".join(sorted(rest, key=sections.index))
        else:
            name = UNASSIGNED if code == total else f"{code}_{UNASSIGNED}"
        parts.append(Part(name, frozenset(rest), parent=code, minus=tuple(chosen)))
        return parts

    return split(total)


def apply_partition(frame: pd.DataFrame, parts: Sequence[Part], total: str = "TOTAL",
                    ) -> pd.DataFrame:
    """Rows of ``frame`` (``region, industry, year, employment, flag``) for the parts.

    Published parts keep their rows; a derived part is computed per region and year by
    the residual formula (missing if any term is missing, flag ``"suppressed"``, else
    ``"derived"``).  A residual that covers no section is kept only where it is
    non-zero.  The ``total`` rows are kept as published.  Other columns of ``frame``
    are not carried into derived rows.
    """
    published = {p.code for p in parts if not p.derived} | {total}
    keep = frame[frame["industry"].isin(published)]
    wide = frame.pivot_table(index=["region", "year"], columns="industry", values="employment",
                             aggfunc="first", dropna=False)
    derived = []
    for p in parts:
        if not p.derived or p.parent not in wide:
            continue
        terms = [c for c in p.minus if c in wide]
        if len(terms) < len(p.minus):
            continue
        value = wide[p.parent] - wide[terms].sum(axis=1, min_count=len(terms))
        value = value.where(wide[[p.parent, *terms]].notna().all(axis=1))
        if not p.sections:
            value = value[value.fillna(0) != 0]
        if value.empty:
            continue
        rows = value.rename("employment").reset_index()
        rows["industry"] = p.code
        rows["flag"] = np.where(rows["employment"].isna(), "suppressed", "derived")
        derived.append(rows)
    out = pd.concat([keep, *derived], ignore_index=True) if derived else keep
    return out.reset_index(drop=True)
