"""Section-level tables in the atlas: the finest partition, its categories, and what the
cluster categories would need.

A regional table of WZ sections and section groups (13111-07-05-4) cannot measure the
cluster categories, which are delimited by WZ divisions, groups and classes.  The atlas
then maps the table's finest non-overlapping partition
(:func:`~clusteratlas.core.partition.finest_partition`) with the shipped "WZ sections"
category set, and names every cluster category as not computable together with the
level of data it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from clusteratlas import reference
from clusteratlas.core.partition import apply_partition, finest_partition
from clusteratlas.model.categories import CategorySet
from clusteratlas.model.panel import TOTAL_CODE

__all__ = ["WZ_LEVELS", "SectionPanel", "initiative_categories", "needed_levels", "section_panel",
           "unsupported_categories"]

#: WZ 2008 levels by the number of digits of their codes
WZ_LEVELS = {"division": "WZ division (2-digit)", "group": "WZ group (3-digit)",
                "class": "WZ class (4-digit)", "subclass": "WZ subclass (5-digit)"}


@dataclass(frozen=True)
class SectionPanel:
    """The partitioned observations of a section-level table and how to map them."""

    observations: pd.DataFrame
    categories: CategorySet
    membership: dict[str, list[str]]
    unsupported: dict[str, str] = field(default_factory=dict)


def needed_levels(categories: CategorySet | None = None) -> dict[str, str]:
    """``{category code: WZ level}``: the finest level (``division``, ``group``,
    ``class``, ``subclass``) the category's codes reach, which a table must have to
    measure it."""
    categories = categories or reference.default_categories()
    wz = reference.wz2008()
    order = list(WZ_LEVELS)
    out = {}
    for cat in categories.categories:
        levels = [wz[c].level for c in (*cat.include, *cat.exclude) if c in wz]
        out[cat.code] = max((lv for lv in levels if lv in WZ_LEVELS), key=order.index,
                            default="division")
    return out


def unsupported_categories(categories: CategorySet | None = None) -> dict[str, str]:
    """``{category code: reason}`` for cluster categories section data cannot measure:
    "not computable: needs WZ division (2-digit) data" with the finest level the
    category's codes reach (:func:`needed_levels`)."""
    return {code: f"not computable: needs {WZ_LEVELS[level]} data"
            for code, level in needed_levels(categories).items()}


def section_panel(observations: pd.DataFrame) -> SectionPanel | None:
    """The table's finest partition as a panel, or ``None`` when the panel's industries
    are not WZ sections or section groups (divisions and finer map as they are).

    Derived residuals ("B_D_E" = B-E − C, "unassigned" = total − A − B-F − G-U) get
    the flag ``derived``; the published totals stay, so location quotients divide by
    them, not by the sum of the parts.
    """
    sections = [s.code for s in reference.wz2008().at_level("section")]
    # the distinct codes first: a set of every row's code walks the column in Python
    codes = sorted(set(observations["industry"].astype(str).unique()))
    parts = finest_partition(codes, sections, total=TOTAL_CODE)
    if parts is None or set(codes) <= {TOTAL_CODE}:
        return None
    frame = observations[["region", "industry", "year", "employment", "flag"]]
    extra = [c for c in observations.columns if c not in frame.columns
             and c in ("establishments", "wages")]
    partitioned = apply_partition(observations[[*frame.columns, *extra]], parts,
                                  total=TOTAL_CODE)
    shipped = reference.wz_sections()
    present = set(partitioned["industry"])
    cats = [c for c in shipped.categories if c.code in present]
    categories = CategorySet(name=shipped.name, version=shipped.version,
                             classification=shipped.classification, categories=cats,
                             source=shipped.source)
    membership = {i: ([i] if i in categories else []) for i in present if i != TOTAL_CODE}
    return SectionPanel(partitioned, categories, membership, unsupported_categories())


def initiative_categories(categories: CategorySet) -> list[str]:
    """The cluster categories an initiative may name, whatever table is loaded.

    Categories of initiatives and the statistics table are separate concerns: the
    shipped cluster categories are always valid, and so are those of the atlas's own
    set when it is a cluster category set (a user's or the US Cluster Mapping's), but
    not the WZ sections of a section-level table.
    """
    codes = [c.code for c in reference.default_categories().categories]
    if categories.name not in (reference.wz_sections().name, "table-sections"):
        codes += [c.code for c in categories.categories if c.code not in codes]
    return codes
