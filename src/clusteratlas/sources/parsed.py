"""What every reader of an official format returns: one table in canonical long form."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Parsed", "measure_kind"]


@dataclass(frozen=True)
class Parsed:
    """A source file in canonical long form.

    ``frame`` has ``region, industry, year, measure, value, status`` and one column per
    extra dimension (``dim_*``); ``status`` keeps the source's symbol meaning
    (``reported``, ``zero``, ``secret``, …).
    """

    source: str
    table_code: str
    title: str
    frame: pd.DataFrame
    attribution: str
    licence: str
    labels: dict[str, str] = field(default_factory=dict)
    vintage: str = ""


def measure_kind(text: str) -> str:
    """The measure a table's title or measure label names (German or English)."""
    t = text.lower()
    if "beschäftigte" in t or "employ" in t or "erwerbstätige" in t:
        return "employment"
    if "bevölkerung" in t or "population" in t:
        return "population"
    if "arbeitslos" in t or "unemploy" in t:
        return "unemployment"
    if "unternehmen" in t or "betriebe" in t or "establishment" in t:
        return "establishments"
    return "value"
