"""The registry's field lists, each defined once.

The pydantic schemas (:mod:`clusteratlas.registry.schemas`) are the contract; the lists
here are derived from them and from the tables (:mod:`clusteratlas.registry.tables`),
so that the views, the forms, the export columns and the import checks name the same
fields without writing them out again.  The lists derived from the tables
(:data:`NULLABLE_TEXT_FIELDS`, :data:`DEFAULTED_FIELDS`, :attr:`Child.model`) load them
when first asked for: the visibility rules (:mod:`.access`), which read only the
others, never import SQLAlchemy.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from clusteratlas.registry.schemas import (
    KPI_FIELDS,
    CooperationIn,
    InitiativeIn,
    KpiReportIn,
    LabelIn,
    ProjectIn,
)

__all__ = [
    "BUDGET_FIELDS",
    "CHILDREN",
    "FACT_TEXT_FIELDS",
    "KPI_DECIMAL_FIELDS",
    "KPI_FIELDS",
    "KPI_PRIVATE_FIELDS",
    "KPI_TEXT_FIELDS",
    "PARTS",
    "PROFILE_FIELDS",
    "TRANSLATED_FIELDS",
    "Child",
]

#: the parts of an initiative kept in tables of their own (lists, or the visibility
#: JSON), as opposed to the scalar profile fields
PARTS = ("regions_served", "categories", "visibility", "facts", "sources", "members")
#: free texts about members and staff: shown with the "facts" group
FACT_TEXT_FIELDS = ("members_text", "staff_text", "members_text_en", "staff_text_en")
#: free texts kept in German (the field) and English (its ``_en`` variant)
TRANSLATED_FIELDS = {k: f"{k}_en" for k in InitiativeIn.model_fields
                     if f"{k}_en" in InitiativeIn.model_fields}
#: the profile: always public (unless the initiative is archived)
PROFILE_FIELDS = ("id", *(k for k in InitiativeIn.model_fields
                          if k not in (*PARTS, *FACT_TEXT_FIELDS, "id")))



def _from_tables(name: str) -> tuple[str, ...]:
    from sqlalchemy import String, Text

    from clusteratlas.registry import tables

    columns = tables.Initiative.__table__.columns
    if name == "NULLABLE_TEXT_FIELDS":
        return tuple(c.key for c in columns if c.nullable and isinstance(c.type, String | Text)
                     and c.key in (*PROFILE_FIELDS, *FACT_TEXT_FIELDS))
    return tuple(c.key for c in columns if not c.nullable and c.default is not None
                 and c.key in PROFILE_FIELDS)


#: ``NULLABLE_TEXT_FIELDS``: text columns that may be NULL (an empty form field stores
#: NULL, not ""); ``DEFAULTED_FIELDS``: profile columns that are never NULL (a missing
#: value takes the column's default).  Both read from the tables on first use.
_TABLE_LISTS = ("NULLABLE_TEXT_FIELDS", "DEFAULTED_FIELDS")


def __getattr__(name: str) -> tuple[str, ...]:
    if name in _TABLE_LISTS:
        value = _from_tables(name)
        globals()[name] = value  # computed once
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: KPI fields of the "budget" group (hidden from the public unless published)
BUDGET_FIELDS = ("budget_eur", "public_cofunding_share")
#: a report's review bookkeeping: for the agency and the initiative's managers only
KPI_PRIVATE_FIELDS = ("reviewer_comment", "submitted_by", "reviewed_by")


def _annotation_has(name: str, kind: type) -> bool:
    return kind.__name__ in str(KpiReportIn.model_fields[name].annotation)


#: free-text KPI fields (kept as typed; the others are numbers)
KPI_TEXT_FIELDS = tuple(k for k in KPI_FIELDS if _annotation_has(k, str))
#: KPI fields with decimals (a form may write a decimal comma)
KPI_DECIMAL_FIELDS = tuple(k for k in KPI_FIELDS if _annotation_has(k, float))


@dataclass(frozen=True)
class Child:
    """A kind of record that belongs to an initiative and has its own address."""

    name: str          # URL segment, audit entity and aggregate key
    table: str         # its class in registry.tables (see model)
    schema: type[BaseModel]
    group: str         # the visibility group
    admin_only: bool   # labels are awarded from outside: only the agency records them

    @property
    def noun(self) -> str:
        return self.name[:-1]

    @property
    def model(self) -> type[Any]:
        """Its table class (SQLAlchemy, imported on first use)."""
        model: type[Any] = getattr(importlib.import_module("clusteratlas.registry.tables"),
                                   self.table)
        return model


CHILDREN = {
    "projects": Child("projects", "Project", ProjectIn, "projects", False),
    "cooperations": Child("cooperations", "Cooperation", CooperationIn, "cooperations", False),
    "labels": Child("labels", "InitiativeLabel", LabelIn, "labels", True),
}
