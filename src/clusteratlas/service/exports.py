"""Tables to download: CSV for programs, XLSX for spreadsheet users, both marked.

Every table the fronts offer as a file carries, *inside the file*, whether its numbers
are synthetic demo data and where they come from, so that a copy passed on by e-mail
still says so:

- **CSV** (UTF-8 with BOM, comma-separated, decimal point, no thousands separator):
  two trailing columns, ``synthetic`` (``true``/``false``) and ``data_source`` (the
  provenance of the numbers, one text), on every row.  The table stays rectangular, so
  ``pandas.read_csv`` and a spreadsheet program read it without options and both show
  the marker; a comment line would need ``comment="#"`` in pandas and shows up as a
  broken row in a spreadsheet.
- **XLSX**: the same columns on the first sheet (numbers stored as numbers, with number
  formats; a header row, frozen, with a filter), and a second sheet ``Quelle`` /
  ``Source`` with the notice and every dataset's title, source, attribution and licence.

JSON answers carry the marker as the fields ``synthetic``, ``synthetic_notice`` and
``provenance`` (:meth:`clusteratlas.service.atlas.Atlas.meta`).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from clusteratlas.i18n import text
from clusteratlas.service.registry.files import FORMULA_START, csv_text

__all__ = ["MARKER_COLUMNS", "VIEW_COLUMNS", "data_source", "table_csv", "table_xlsx",
           "view_marker"]

#: the columns every downloaded table ends with
MARKER_COLUMNS = ("synthetic", "data_source")
#: and, for a table of mapped indicators, the view it was mapped in (the LQ's
#: reference area, the scope shown, the comparison set of the percentiles)
VIEW_COLUMNS = ("scope", "lq_reference", "comparison")

# Excel number formats by column (the program shows them in its user's locale: a
# German Excel writes 1.234,56 for "#,##0.00").  Shares are fractions (0.061 → 6.1 %).
_PERCENT = "0.0%"
_RATIO = "0.00"
_COUNT = "#,##0"
_DECIMAL = "#,##0.00"


def data_source(meta: Mapping[str, Any]) -> str:
    """The provenance of a table in one line: ``title – attribution (licence)`` per
    dataset, joined by `` | ``; synthetic datasets are flagged ``[SYNTHETIC]``."""
    parts = []
    for d in meta.get("provenance", []):
        flag = "[SYNTHETIC] " if d.get("synthetic") else ""
        if d.get("line"):  # the one line per table of service.provenance
            parts.append(flag + str(d["line"]))
            continue
        bits = [str(d.get(k)) for k in ("title", "attribution") if d.get(k)]
        licence = f" ({d['licence']})" if d.get("licence") else ""
        parts.append(flag + " – ".join(bits) + licence)
    return " | ".join(parts)


def view_marker(meta: Mapping[str, Any]) -> dict[str, str]:
    """What a table of indicators was mapped against, as ``VIEW_COLUMNS`` texts
    (``"09 Bayern"``, ``"DG Deutschland"``, the comparison's label); empty for a table
    that is not a view of the atlas (e.g. the registry)."""
    out = {}
    for column, key in zip(VIEW_COLUMNS, ("scope", "reference", "comparison"), strict=True):
        part = meta.get(key)
        if isinstance(part, Mapping):
            if key == "comparison":  # language-neutral: "all (400)", "scope (96)"
                out[column] = f"{part.get('set')} ({part.get('regions')})"
            else:
                out[column] = " ".join(str(part[k]) for k in ("code", "name") if part.get(k))
    return out


def _flat(value: Any) -> Any:
    """A list as ';'-joined text (initiatives by name), anything else as it is."""
    if isinstance(value, list):
        return ";".join(str(x.get("name", x) if isinstance(x, dict) else x) for x in value)
    return value


def _columns(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> list[str]:
    view = list(view_marker(meta))
    marks = (*view, *MARKER_COLUMNS)
    columns = list(dict.fromkeys(k for row in rows for k in row if k not in marks))
    return [*columns, *marks]


def _marked(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    source = data_source(meta)
    synthetic = bool(meta.get("synthetic"))
    view = view_marker(meta)
    return [{k: _flat(v) for k, v in row.items()}
            | view | {"synthetic": synthetic, "data_source": source} for row in rows]


def _csv_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)  # a head count read as 84.0 is written 84
    if isinstance(value, str):
        return csv_text(value)  # "=…" stays a text in a spreadsheet program (OWASP)
    return "" if value is None else value


def table_csv(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> str:
    """``rows`` as CSV text with the marker columns (see the module's notes).

    Numbers are written as Python writes them (``0.0613``, ``5233``): a decimal point,
    no grouping, whatever the page's language.  The BOM lets spreadsheet programs read
    the UTF-8 umlauts right; ``pandas.read_csv(..., encoding="utf-8-sig")`` drops it.
    """
    buffer = io.StringIO()
    columns = _columns(rows, meta)
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in _marked(rows, meta):
        writer.writerow({k: _csv_cell(row.get(k)) for k in columns})
    return "\ufeff" + buffer.getvalue()


def _view_rows(meta: Mapping[str, Any], lang: str) -> list[list[str]]:
    scope, ref, comp = (meta.get(k) for k in ("scope", "reference", "comparison"))
    rows = []
    if isinstance(scope, Mapping):
        rows.append([text("export_scope", lang), f"{scope.get('name')} ({scope.get('code')})"])
    if isinstance(ref, Mapping):
        rows.append([text("export_reference", lang),
                     text("reference_line", lang, name=ref.get("name"))])
    if isinstance(comp, Mapping):
        key = "comparison_scope" if comp.get("set") == "scope" else "comparison_all"
        name = scope.get("name") if isinstance(scope, Mapping) else ""
        rows.append([text("export_comparison", lang),
                     text(key, lang, n=comp.get("regions"), name=name)])
    return rows


def _provenance_cell(entry: Mapping[str, Any], column: str) -> Any:
    if column == "synthetic":
        return bool(entry.get("synthetic"))
    if column == "years":
        return ", ".join(map(str, entry.get("years") or [])) if not isinstance(
            entry.get("years"), str) else entry["years"]
    return str(entry.get(column) or "")


def _number_format(column: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    name = column.lower()
    if "share" in name or "cagr" in name or name.startswith("growth"):
        return _PERCENT
    if name.endswith(("lq", "rca", "density", "pci", "eci", "hoover", "gini", "herfindahl")):
        return _RATIO
    if isinstance(value, int) or float(value).is_integer():
        return _COUNT
    return _DECIMAL


def table_xlsx(rows: Sequence[Mapping[str, Any]], meta: Mapping[str, Any], lang: str,
               *, title: str = "") -> bytes:
    """``rows`` as an Excel workbook: the table (with the marker columns) on the first
    sheet, numbers as numbers with number formats; the notice and the provenance on a
    second sheet ``Quelle``/``Source``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = text("export_sheet_data", lang)
    columns = _columns(rows, meta)
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(_marked(rows, meta), start=2):
        for c, key in enumerate(columns, start=1):
            value = row.get(key)
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True  # a text, never a formula
            fmt = _number_format(key, value)
            if fmt:
                cell.number_format = fmt
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    for c, key in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = \
            max(10, min(40, len(key) + 2))

    source = book.create_sheet(text("export_sheet_source", lang))
    bold = Font(bold=True)
    if title:
        source.append([title])
        source["A1"].font = Font(bold=True, size=13)
    if meta.get("synthetic"):
        source.append([text("synthetic", lang)])
        source.cell(row=source.max_row, column=1).font = Font(bold=True, color="9C0006")
    source.append([text("export_created", lang),
                   datetime.now(UTC).date().isoformat()])
    for view_row in _view_rows(meta, lang):  # the view the indicators were mapped in
        source.append(view_row)
    source.append([])
    header = ["title", "years", "source", "attribution", "licence", "synthetic"]
    source.append([text(f"export_{h}", lang) for h in header])
    for cell in source[source.max_row]:
        cell.font = bold
    for d in meta.get("provenance", []):
        source.append([_provenance_cell(d, h) for h in header])
    source.column_dimensions["A"].width = 60
    for col in "BCD":
        source.column_dimensions[col].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
