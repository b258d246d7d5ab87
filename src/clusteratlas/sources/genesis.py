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
import pyarrow as pa
import pyarrow.compute as pc

from clusteratlas.errors import SourceError
from clusteratlas.sources.streaming import (
    Table,
    batches,
    blank_rows,
    dictionary,
    first_line,
    snippet,
    to_float,
)

__all__ = ["GenesisTable", "read_table_csv"]

#: where the Datenlizenz Deutschland – Namensnennung – 2.0 is published (its §3 asks
#: for a reference to the licence text)
DL_DE_BY_LINK = "www.govdata.de/dl-de/by-2-0"
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
    #: industry code → its label in the file
    labels: dict[str, str] = field(default_factory=dict)

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


#: how far from the end the footer line is searched (real footers are about 2 KB)
FOOTER_WINDOW = 1 << 20
#: how many lines the title and column header block may have
HEADER_LINES = 1000


@dataclass(frozen=True)
class _Layout:
    """Where the parts of a table file are and what its header says."""

    code: str
    title: str
    measure: str
    stichtag: str | None
    fixed: int
    n_values: int
    dims: list[tuple[str, list[str]]]
    data_start: int  # byte offset of the first data line
    first_line: int  # its line number
    footer_start: int  # byte offset of the footer line '__________'
    footer: str


def read_table_csv(path: str | Path) -> GenesisTable:
    """Parse a GENESIS table CSV; every value arrives exactly or the call fails.

    The data lines are streamed in blocks (:mod:`clusteratlas.sources.streaming`), so
    memory holds the compact result, not the text.

    Raises
    ------
    SourceError
        Not a GENESIS table CSV, a truncated file (no footer, or a footer without its
        ``Stand:`` line), a data line with the wrong number of fields, or a value that
        is neither a number nor a special symbol; the message names file, line and
        column.
    """
    p = Path(path)
    try:
        layout = _layout(p)
    except OSError as exc:
        raise SourceError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    out = Table(layout.footer_start - layout.data_start)
    lead = 0 if layout.stichtag else 1  # a date or year column before the region code
    has_category = layout.fixed > lead + 2
    names = [f"c{k}" for k in range(layout.fixed + layout.n_values)]
    stichtag_year = (_year(layout.stichtag.split(":", 1)[1], p, 1) if layout.stichtag
                     else 0)
    for line, batch in batches(p, names, delimiter=";", quote=False, start=layout.data_start,
                               first_line=layout.first_line, end=layout.footer_start):
        lines = np.arange(line, line + batch.num_rows)
        blank = blank_rows(list(batch.columns))
        if blank.any():
            batch = batch.filter(pa.array(~blank))
            lines = lines[~blank]
        if len(lines):
            _append(out, p, batch, lines, layout, lead, has_category, stichtag_year)
    if not len(out):
        raise SourceError(f"{p}: no data lines between the header and the footer")
    foot = layout.footer
    attribution = _find(r"(©[^\n\"]*)", foot) or "© Statistische Ämter des Bundes und der Länder"
    # the statistical offices publish under the Datenlizenz Deutschland 2.0 (Destatis'
    # terms of use), also where a footer only names the copyright (12411-0018)
    official = "Datenlizenz Deutschland" in foot.replace("\n", " ") or bool(
        re.search(r"Statistische[sn]? (?:Ämter|Bundesamt)", foot))
    licence = "dl-de/by-2.0" if official else "see source"
    stand = _find(r"Stand:\s*([^\n]*)", foot) or ""
    labels = {_industry(t): t.strip() for t in out.codes("industry_label").values}
    attribution = attribution.strip().rstrip(".")
    if official:  # the attribution the licence asks for: licence name and its link
        attribution += f", {licence}, {DL_DE_BY_LINK}"
    return GenesisTable(code=layout.code, title=layout.title, measure=layout.measure,
                        frame=out.frame(), attribution=attribution,
                        licence=licence, stand=stand.strip(), source=str(p), labels=labels)


def _layout(p: Path) -> _Layout:
    """Read the title and column header block and the footer, not the data between."""
    size = p.stat().st_size
    with p.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(b"\xef\xbb\xbf"):
            raise SourceError(f"{p}, line 1: UTF-8 with BOM; a GENESIS table CSV is Latin-1 "
                              "(this looks like a webservice flat file, source 'genesis-ffcsv')")
        fh.seek(max(0, size - FOOTER_WINDOW))
        tail = fh.read()
        fh.seek(0)
        raw_lines: list[bytes] = []
        offset = 0
        while len(raw_lines) < HEADER_LINES:
            raw = fh.readline(1 << 20)
            if not raw:
                break
            raw_lines.append(raw)
    if head.startswith(b"PK\x03\x04"):
        raise _fail(p, 1, "an Excel workbook or ZIP archive, not a GENESIS table CSV; "
                    "export the table as CSV")
    lines = [_latin1(r).rstrip("\r\n") for r in raw_lines]
    if not lines or not lines[0].startswith("GENESIS-Tabelle:"):
        found = snippet(lines[0]) if lines else "an empty file"
        raise _fail(p, 1, f"expected 'GENESIS-Tabelle: <code>', found {found}")
    _check_not_utf8(p, "\n".join(lines))
    code = lines[0].split(":", 1)[1].strip()
    mark = re.search(rb"(?:^|\n)__________\r?\n", tail)
    if mark is None:
        raise SourceError(f"{p}: no footer line '__________' – the file is truncated")
    footer_start = size - len(tail) + mark.start() + (tail[mark.start():mark.start() + 1] == b"\n")
    footer = _latin1(tail[mark.end():]).replace("\r\n", "\n")
    _check_not_utf8(p, footer)
    if not re.search(r"(?m)^Stand:", footer):
        raise SourceError(f"{p}: the footer has no 'Stand:' line – the file is truncated")
    header_end = _header_end(lines, p)
    offset = sum(len(r) for r in raw_lines[:header_end])
    if offset > footer_start:
        raise _fail(p, 2, "no column header lines found (unknown table layout)")
    header = lines[1:header_end]
    title_lines = [h.rstrip(";") for h in header if h and not h.startswith(";")]
    stichtag = next((h for h in title_lines if h.startswith("Stichtag:")), None)
    measure = next((h for h in title_lines if h.endswith(")") and "(" in h), "")
    title = " ".join(h for h in title_lines if h != stichtag and h != measure)
    first_header = next((h for h in header if h.startswith(";")), None)
    if first_header is None:
        raise _fail(p, 2, "no column header lines found (unknown table layout)")
    cells = first_header.split(";")
    fixed = next((i for i, c in enumerate(cells) if c), len(cells))
    col_lines = [h.split(";")[fixed:] for h in header if h.startswith(";")]
    n_values = len(col_lines[0]) if col_lines else 0
    for k, h in enumerate(header, start=2):
        if h.startswith(";") and len(h.split(";")[fixed:]) != n_values:
            raise _fail(p, k, f"column header line has {len(h.split(';')[fixed:])} value "
                        f"fields, expected {n_values} like the first one")
    return _Layout(code=code, title=title, measure=measure, stichtag=stichtag, fixed=fixed,
                   n_values=n_values, dims=_dimensions(col_lines), data_start=offset,
                   first_line=header_end + 1, footer_start=footer_start, footer=footer)


def _latin1(raw: bytes) -> str:
    return raw.decode("latin-1")


def _check_not_utf8(p: Path, text: str) -> None:
    if "Ã" in text and re.search("Ã[\x80-\xbf]", text):
        raise SourceError(f"{p}: the file is UTF-8, expected Latin-1 (ISO-8859-1) as exported")


def _append(out: Table, p: Path, batch: pa.RecordBatch, lines: np.ndarray, layout: _Layout,
            lead: int, has_category: bool, stichtag_year: int) -> None:
    """One block of data lines, each giving one observation per value column."""
    n, n_values = len(lines), layout.n_values
    cols = batch.columns
    regions, region_at = dictionary(cols[lead])
    region_text = [_latin1(r).strip() for r in regions]
    names, name_at = dictionary(cols[lead + 1])
    name_text = [_latin1(r) for r in names]
    _check_not_utf8(p, "\n".join(name_text))
    by_code = np.array([_LEVEL_NAMES.index(_level(r, -1)) for r in region_text], dtype=np.int8)
    by_indent = np.array([_LEVEL_NAMES.index(_LEVELS.get(len(t) - len(t.lstrip(" ")), "other"))
                          for t in name_text], dtype=np.int8)
    level = by_code[region_at]
    fallback = level == _LEVEL_NAMES.index("other")
    level[fallback] = by_indent[name_at][fallback]
    if has_category:
        labels, label_at = dictionary(cols[lead + 2])
        label_text = [_latin1(r) for r in labels]
        _check_not_utf8(p, "\n".join(label_text))
    else:
        label_text, label_at = ["Insgesamt"], np.zeros(n, dtype=np.int64)
    if lead:
        times, time_at = dictionary(cols[0])
        years = np.array([_year(_latin1(t), p, first_line(lines, time_at, k))
                          for k, t in enumerate(times)], dtype=np.int16)[time_at]
    else:
        years = np.full(n, stichtag_year, dtype=np.int16)
    value = np.empty((n, n_values))
    status = np.empty((n, n_values), dtype=np.int8)
    for k in range(n_values):
        value[:, k], status[:, k] = _values(p, cols[layout.fixed + k], lines,
                                            layout.fixed + k + 1)
    row = np.repeat(np.arange(n), n_values)
    out.codes("region").extend_lookup(region_text, region_at[row])
    out.codes("region_name").extend_lookup([t.strip() for t in name_text], name_at[row])
    out.codes("level").extend_lookup(list(_LEVEL_NAMES), level[row])
    out.codes("industry").extend_lookup([_industry(t) for t in label_text], label_at[row])
    out.codes("industry_label").extend_lookup([t.strip() for t in label_text], label_at[row])
    out.numbers("year", "h").extend(years[row])
    out.numbers("value").extend(value.ravel())
    out.codes("status").extend_lookup(list(_STATUSES), status.ravel())
    for dim_name, attributes in layout.dims:
        out.codes(f"dim_{_slug(dim_name)}").extend_lookup(
            [a.strip() for a in attributes], np.tile(np.arange(n_values), n))


_LEVEL_NAMES = ("country", "state", "regierungsbezirk", "district", "other")
_STATUSES = ("reported", *dict.fromkeys(SPECIAL.values()))
_SYMBOLS = list(SPECIAL)


def _values(p: Path, raw: pa.Array, lines: np.ndarray, column: int,
            ) -> tuple[np.ndarray, np.ndarray]:
    """A value column: numbers (decimal comma) and the special symbols."""
    try:
        text = pc.utf8_trim_whitespace(pc.cast(raw, pa.string()))
    except pa.ArrowInvalid:
        text = None
    if text is not None:
        symbol = pc.index_in(text, value_set=pa.array(_SYMBOLS))
        special = np.asarray(pc.is_valid(symbol).to_numpy(zero_copy_only=False), dtype=bool)
        numbers = to_float(pc.if_else(pa.array(special), "nan",
                                      pc.replace_substring(text, ",", ".")))
        if numbers is not None:
            value = np.array(numbers.to_numpy(zero_copy_only=False), dtype=np.float64)
            codes = np.asarray(pc.fill_null(symbol, -1).to_numpy(zero_copy_only=False))
            status = np.zeros(len(value), dtype=np.int8)
            for k, symbol_text in enumerate(_SYMBOLS):
                hit = codes == k
                status[hit] = _STATUSES.index(SPECIAL[symbol_text])
                if symbol_text == "-":
                    value[hit] = 0.0
            return value, status
    for i, cell in enumerate(raw.to_pylist()):
        _value(_latin1(cell).strip(), p, int(lines[i]), column)
    raise _fail(p, int(lines[0]), f"column {column}: not a number")


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
    """The first data line (0-based): the first line after the column header lines."""
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
