"""Provenance as people read it: one line per dataset, one line per *table*.

Four yearly files of 13111-07-05-4 are one table and one line ("13111-07-05-4,
2015–2018, Sozialversicherungspflichtig Beschäftigte …, © Statistische Ämter des Bundes
und der Länder, Deutschland, 2021, dl-de/by-2.0, www.govdata.de/dl-de/by-2-0"); every
line names the licence and carries the attribution with the link the licence asks for;
no line shows a path of the machine the data was imported on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from clusteratlas.store.stats import DatasetInfo

__all__ = ["provenance_entries", "short_title", "year_span"]


def short_title(title: str, width: int = 64) -> str:
    """A table's title for a one-line listing: its first part (GENESIS titles run on
    with " - Stichtag … - Kreise u. krfr. Städte …"), cut at a word before ``width``
    characters with "…"."""
    head = title.split(" - ")[0].strip()
    if len(head) <= width:
        return head
    cut = head[:width].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut} …"


def year_span(years: Iterable[int]) -> str:
    """``"2015–2018"`` for consecutive years, ``"2015, 2017"`` otherwise, ``""`` for none."""
    ys = sorted(set(years))
    if not ys:
        return ""
    if len(ys) > 1 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(map(str, ys))


def _no_path(text: str) -> str:
    """A file's name instead of a path (stores imported before paths were left out)."""
    if text.startswith(("/", "~")) or (len(text) > 2 and text[1:3] in (":\\", ":/")):
        return PurePath(text).name
    return text


def _with_licence(attribution: str, licence: str) -> str:
    if not licence or licence == "not stated" or all(
            part.strip() in attribution for part in licence.split(";")):
        return attribution
    return f"{attribution}, {licence}"


def provenance_entries(datasets: Sequence[DatasetInfo],
                       years: Mapping[str, Iterable[int]] | None = None) -> list[dict[str, Any]]:
    """One entry per table (datasets of one ``table_key``) or other dataset, in order.

    Each entry is the first dataset's :meth:`~DatasetInfo.to_dict` with ``ids`` (all
    datasets of the table), ``years`` (their union, from ``years`` by dataset id),
    ``source`` without file-system paths, and ``line``: table code or title, year
    span, attribution and licence.
    """
    years = years or {}
    groups: dict[str, list[DatasetInfo]] = {}
    for d in datasets:
        groups.setdefault(d.table_key or d.id, []).append(d)
    out = []
    for key, members in groups.items():
        first = members[0]
        ys = sorted({int(y) for d in members for y in years.get(d.id, ())})
        code = key.split(":", 1)[1] if first.table_key and ":" in key else ""
        name = f"{code} ({first.title})" if code and first.title != code else (
            code or first.title)
        parts = [name, year_span(ys), _with_licence(first.attribution, first.licence)]
        files = f" ({len(members)} files)" if len(members) > 1 else ""
        brief = [short_title(first.title) if code else "", year_span(ys) + files,
                 _with_licence(first.attribution, first.licence)]
        entry = first.to_dict() | {
            "ids": [d.id for d in members], "years": ys, "source": _no_path(first.source),
            "code": code,
            "line": ", ".join(p for p in parts if p),
            # one readable line of 'clusteratlas info': code, short title, years, files,
            # attribution with licence
            "short_line": ", ".join(p.strip() for p in brief if p.strip())
            if code else ", ".join(p for p in parts if p),
        }
        out.append(entry)
    return out
