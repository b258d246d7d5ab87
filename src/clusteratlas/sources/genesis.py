"""GENESIS / regionalstatistik.de "Tabellen-CSV" exports (e.g. table 13111-07-05-4).

Layout (``shared/data/FORMATS.md`` §2b): Latin-1, ``;``-separated, a title block, one
pair of header lines per column variable, data lines ``code;indented name;category;
values…``, a footer after ``__________`` with notes, the licence and ``Stand:``.
Special values: ``-`` nothing (exactly zero), ``.`` secret, ``x`` not meaningful,
``/`` not reliable enough, ``...`` not yet available — all but ``-`` are kept as
missing with their symbol, never as zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas.errors import SourceError

__all__ = ["GenesisTable", "read_table_csv"]

SPECIAL = {"-": "zero", ".": "secret", "x": "not_meaningful", "/": "unreliable",
           "...": "not_yet_available"}
#: Row labels without a WZ code in parentheses (the three merged section groups).
LABEL_CODES = {
    "Freiberufl,wissenschaftl. techn. Dienstl.,sonst.DL": "M-N",
    "Öff.Verw.,Verteidig.,Sozialvers.,Erz.-u.Unterricht": "O-Q",
    "Kunst, Unterhaltung, Erholung, Priv. Haush.,usw.": "R-U",
    "Insgesamt": "TOTAL",
}
_CODE_IN_LABEL = re.compile(r"\(([A-Z](?:-[A-Z])?)\)\s*$")
_LEVELS = {0: "country", 2: "state", 4: "regierungsbezirk", 6: "district"}


@dataclass(frozen=True)
class GenesisTable:
    """A parsed table: long ``frame`` plus the metadata a user must see."""

    code: str
    title: str
    measure: str
    frame: pd.DataFrame
    attribution: str
    licence: str
    stand: str
    source: str
    notes: list[str] = field(default_factory=list)

    def to_panel(self, **selection: str) -> pd.DataFrame:
        """Canonical panel ``region, industry, year, employment, flag`` for one value
        of every extra dimension (default: each dimension's ``Insgesamt``)."""
        frame = self.frame
        for dim in [c for c in frame.columns if c.startswith("dim_")]:
            wanted = selection.get(dim[4:], "Insgesamt")
            frame = frame[frame[dim] == wanted]
        out = frame[["region", "industry", "year", "value", "status"]].rename(
            columns={"value": "employment"})
        flag = np.where(out["employment"].isna(), "suppressed", "reported")
        return out.drop(columns="status").assign(flag=flag).reset_index(drop=True)


def _fail(path: Path, line: int, message: str) -> SourceError:
    return SourceError(f"{path}, line {line}: {message}")


def read_table_csv(path: str | Path) -> GenesisTable:
    """Parse a GENESIS table CSV; every value arrives exactly or the call fails.

    Raises
    ------
    SourceError
        Not a GENESIS table CSV, a truncated file (no footer), a data line with the
        wrong number of fields, or a value that is neither a number nor a special
        symbol; the message names file, line and column.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SourceError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise SourceError(f"{p}, line 1: UTF-8 with BOM; a GENESIS table CSV is Latin-1 "
                          "(this looks like a webservice flat file, source 'genesis-ffcsv')")
    text = raw.decode("latin-1")
    if "Ã" in text and re.search("Ã[\x80-\xbf]", text):
        raise SourceError(f"{p}: the file is UTF-8, expected Latin-1 (ISO-8859-1) as exported")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines[0].startswith("GENESIS-Tabelle:"):
        raise _fail(p, 1, f"expected 'GENESIS-Tabelle: <code>', found {lines[0][:40]!r}")
    code = lines[0].split(":", 1)[1].strip()
    try:
        footer = lines.index("__________")
    except ValueError:
        raise SourceError(f"{p}: no footer line '__________' – the file is truncated") from None
    header_end = _header_end(lines, p)
    header = lines[1:header_end]
    title_lines = [h.rstrip(";") for h in header if h and not h.startswith(";")]
    stichtag = next((h for h in title_lines if h.startswith("Stichtag:")), None)
    measure = next((h for h in title_lines if h.endswith(")") and "(" in h), "")
    title = " ".join(h for h in title_lines if h != stichtag and h != measure)
    year_in_col = stichtag is None
    first_header = next((h for h in header if h.startswith(";")), None)
    if first_header is None:
        raise _fail(p, 2, "no column header lines found (unknown table layout)")
    cells = first_header.split(";")
    fixed = next((i for i, c in enumerate(cells) if c), len(cells))
    lead = 1 if year_in_col else 0  # a date or year column before the region code
    has_category = fixed > lead + 2
    col_lines = [h.split(";")[fixed:] for h in header if h.startswith(";")]
    n_values = len(col_lines[0]) if col_lines else 0
    for k, h in enumerate(header, start=2):
        if h.startswith(";") and len(h.split(";")[fixed:]) != n_values:
            raise _fail(p, k, f"column header line has {len(h.split(';')[fixed:])} value "
                        f"fields, expected {n_values} like the first one")
    dims = _dimensions(col_lines)
    records = []
    for number in range(header_end, footer):
        line = lines[number]
        if not line.strip():
            continue
        parts = line.split(";")
        if len(parts) != fixed + n_values:
            raise _fail(p, number + 1, f"expected {fixed + n_values} fields, found {len(parts)}")
        year_text = parts[0] if year_in_col else (stichtag.split(":", 1)[1] if stichtag else "")
        region, name = parts[lead], parts[lead + 1]
        label = parts[lead + 2] if has_category else "Insgesamt"
        values = parts[fixed:]
        year = _year(year_text, p, number + 1)
        indent = len(name) - len(name.lstrip(" "))
        industry = _industry(label)
        for k, cell in enumerate(values):
            value, status = _value(cell.strip(), p, number + 1, fixed + k + 1)
            rec = {"region": region.strip(), "region_name": name.strip(),
                   "level": _level(region.strip(), indent), "industry": industry,
                   "industry_label": label.strip(), "year": year, "value": value,
                   "status": status}
            for dim_name, attributes in dims:
                rec[f"dim_{_slug(dim_name)}"] = attributes[k].strip()
            records.append(rec)
    if not records:
        raise SourceError(f"{p}: no data lines between the header and the footer")
    frame = pd.DataFrame.from_records(records)
    foot = "\n".join(lines[footer + 1:])
    attribution = _find(r"(©[^\n\"]*)", foot) or "© Statistische Ämter des Bundes und der Länder"
    licence = ("dl-de/by-2.0" if "Datenlizenz Deutschland" in foot.replace("\n", " ")
               else "see source")
    stand = _find(r"Stand:\s*([^\n]*)", foot) or ""
    return GenesisTable(code=code, title=title, measure=measure, frame=frame,
                        attribution=attribution.strip().rstrip("."), licence=licence,
                        stand=stand.strip(), source=str(p))


def _dimensions(col_lines: list[list[str]]) -> list[tuple[str, list[str]]]:
    """Column variables: a line whose cells are all equal names the variable of the
    next line (13111-07-05-4); otherwise a line holds attributes of an unnamed one
    (12411-0018 has sex and age group lines only)."""
    dims: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(col_lines):
        line = col_lines[i]
        if len(set(line)) == 1 and i + 1 < len(col_lines):
            dims.append((line[0], col_lines[i + 1]))
            i += 2
        else:
            dims.append((f"dim{len(dims) + 1}", line))
            i += 1
    return dims


def _header_end(lines: list[str], p: Path) -> int:
    """The first data line: the first line after the column header lines."""
    for i in range(2, len(lines)):
        line = lines[i]
        is_data = bool(line) and not line.startswith(";") and line.split(";")[1:2] != [""]
        if is_data and lines[i - 1].startswith(";"):
            return i
    raise _fail(p, 2, "no column header lines found (unknown table layout)")


def _level(code: str, indent: int) -> str:
    """Level from the code's form (the indentation is not used by every table)."""
    if code == "DG":
        return "country"
    return {2: "state", 3: "regierungsbezirk", 5: "district"}.get(len(code), _LEVELS.get(indent, "other"))


def _year(text: str, p: Path, line: int) -> int:
    m = re.search(r"(\d{4})", text)
    if not m:
        raise _fail(p, line, f"expected a date or year, found {text!r}")
    return int(m.group(1))


def _industry(label: str) -> str:
    label = label.strip()
    m = _CODE_IN_LABEL.search(label)
    if m:
        return m.group(1)
    return LABEL_CODES.get(label, label)


def _value(cell: str, p: Path, line: int, column: int) -> tuple[float, str]:
    if cell in SPECIAL:
        return (0.0, "zero") if cell == "-" else (np.nan, SPECIAL[cell])
    try:
        return float(cell.replace(",", ".")), "reported"
    except ValueError:
        raise _fail(p, line, f"column {column}: {cell!r} is neither a number nor one of "
                    f"{', '.join(SPECIAL)}") from None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("ä", "ae").replace("ö", "oe")
                  .replace("ü", "ue").replace("ß", "ss")).strip("_")


def _find(pattern: str, text: str) -> str | None:
    m = re.search(pattern, text)
    return m.group(1) if m else None
