"""What a briefing says, independent of how it is printed: a title, blocks (headings,
paragraphs, key figures, tables, charts, notes) and the sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clusteratlas.briefing.charts import Chart

__all__ = ["Block", "Briefing", "fmt_number"]


@dataclass(frozen=True)
class Block:
    kind: str  # heading | text | figures | table | chart | note
    text: str = ""
    rows: list[list[Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    chart: Chart | None = None
    figures: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Briefing:
    kind: str
    title: str
    subtitle: str
    lang: str
    synthetic: bool
    synthetic_notice: str
    generated: str
    vintage: str
    blocks: list[Block]
    sources: list[str]

    def text(self) -> str:
        """All words of the briefing (for search and tests)."""
        parts = [self.title, self.subtitle]
        for b in self.blocks:
            parts.append(b.text)
            parts.extend(" ".join(str(c) for c in row) for row in b.rows)
            parts.extend(f"{k} {v}" for k, v in b.figures)
        return "\n".join(parts)


def fmt_number(value: Any, lang: str, digits: int = 0) -> str:
    """A number as the language writes it: 45.018 and 1,77 in German, 45,018 and 1.77
    in English; – for missing."""
    if value is None:
        return "–"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v:  # NaN
        return "–"
    text = f"{v:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "§").replace(".", ",").replace("§", ".")
    return text
