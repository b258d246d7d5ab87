"""GENESIS webservice flat CSV (``format=ffcsv``), as the REST API's ``tablefile`` returns it.

UTF-8 with BOM, ``;``, one observation per row; ``N_variable_code/_label/_attribute_code/
_attribute_label`` column groups; ``value`` with special symbols; optional ``value_q``.
Totals have an empty attribute code and the label ``Insgesamt``.

The file is streamed in blocks (:mod:`clusteratlas.sources.streaming`); a line with
another number of fields than the header, or without its line end, is refused.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from clusteratlas.errors import SourceError
from clusteratlas.sources.genesis import DL_DE_BY_LINK, SPECIAL
from clusteratlas.sources.parsed import Parsed, measure_kind
from clusteratlas.sources.streaming import (
    Table,
    batches,
    blank_rows,
    check_line_end,
    constant,
    decode_strict,
    dictionary,
    first_line,
    number_error,
    snippet,
    to_float,
)

__all__ = ["read_ffcsv"]

_REGION_VARS = {"KREISE", "DLAND", "DINSG", "REGBEZ", "GEMEIN"}
#: status of each special symbol, then of a number (index len(SPECIAL))
_SYMBOLS = list(SPECIAL)
_STATUSES = [*SPECIAL.values(), "reported", "estimated"]


def _header(path: Path) -> tuple[list[str], int]:
    with path.open("rb") as fh:
        raw = fh.readline(1 << 20)
    if not raw:
        raise SourceError(f"{path}: empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{path}, line 1: not UTF-8; a GENESIS flat file is UTF-8 "
                          "(a Latin-1 'Tabellen-CSV' is source 'genesis-table')") from None
    if not raw.endswith(b"\n"):
        raise SourceError(f"{path}, line 1: no complete header line ({snippet(text)})")
    try:
        names = next(csv.reader([text.rstrip("\r\n")], delimiter=";"), [])
    except csv.Error:
        names = []
    return names, len(raw)


def read_ffcsv(path: Path) -> Parsed:
    header, start = _header(path)
    need = {"statistics_code", "time", "value", "value_variable_label"}
    if not need <= set(header) or len(set(header)) != len(header):
        raise SourceError(f"{path}, line 1: not a GENESIS flat file header (missing "
                          f"{', '.join(sorted(need - set(header))) or 'nothing, but a column repeats'}"
                          f"; found {snippet(';'.join(header))})")
    groups = sorted({int(m.group(1)) for h in header if (m := re.match(r"(\d+)_variable_code$", h))})
    for g in groups:
        missing = [f"{g}_variable_{part}" for part in ("attribute_code", "attribute_label")
                   if f"{g}_variable_{part}" not in header]
        if missing:
            raise SourceError(f"{path}, line 1: header lacks {', '.join(missing)}")
    out = Table(path.stat().st_size - start)
    first: dict[str, str] = {}
    last = 1
    for line, batch in batches(path, header, delimiter=";", quote=True, start=start,
                               first_line=2):
        last = line + batch.num_rows - 1
        lines = np.arange(line, line + batch.num_rows)
        blank = blank_rows(list(batch.columns))
        if blank.any():
            batch = batch.filter(pa.array(~blank))
            lines = lines[~blank]
        if not len(lines):
            continue
        if not first:
            first = {k: batch.column(k)[0].as_py().decode("utf-8", "replace")
                     for k in ("statistics_code", "statistics_label", "value_variable_label")
                     if k in header}
        _append(out, path, batch, lines, groups, "value_q" in header)
        out.pad(len(out))
    check_line_end(path, line=last)
    if not len(out):
        raise SourceError(f"{path}: no observations")
    frame = out.frame()
    label = first["value_variable_label"]
    frame["measure"] = constant(measure_kind(label), len(frame))
    stem = path.name.split("_")[0]
    code = stem if re.match(r"^\d{5}-", stem) else first["statistics_code"]
    labels: dict[str, str] = {}
    if "industry_label" in frame:
        pairs = frame[["industry", "industry_label"]].drop_duplicates(keep="last")
        labels = dict(zip(pairs["industry"], pairs["industry_label"], strict=False))
    return Parsed("genesis-ffcsv", code, f"{first.get('statistics_label', '')}: {label}",
                  frame, "© Statistisches Bundesamt (Destatis) / Statistische Ämter des Bundes "
                  f"und der Länder, dl-de/by-2.0, {DL_DE_BY_LINK}", "dl-de/by-2.0", labels)


def _text(path: Path, column: pa.Array, lines: np.ndarray, field: str,
          ) -> tuple[list[str], np.ndarray]:
    values, where = dictionary(column)
    return decode_strict(values, "utf-8", path,
                         lambda k: f"line {first_line(lines, where, k)}, field {field}"), where


def _append(out: Table, path: Path, batch: pa.RecordBatch, lines: np.ndarray,
            groups: list[int], quality: bool) -> None:
    """One block of observations: the regional, WZ and other variables of each row."""
    n = len(lines)
    times, time_at = _text(path, batch.column("time"), lines, "time")
    years = []
    for k, t in enumerate(times):
        m = re.match(r"\s*(\d{4})", t)
        if not m:
            raise SourceError(f"{path}, line {first_line(lines, time_at, k)}: time "
                              f"{snippet(t.strip())} is not a date or year")
        years.append(int(m.group(1)))
    out.numbers("year", "h").extend(np.array(years, dtype=np.int16)[time_at])
    region = np.full(n, out.codes("region").code("DG"), dtype=np.int32)
    industry = np.full(n, out.codes("industry").code("TOTAL"), dtype=np.int32)
    industry_label: np.ndarray | None = None
    dims: dict[str, np.ndarray] = {}
    for g in groups:
        variables, var_at = _text(path, batch.column(f"{g}_variable_code"), lines,
                                  f"{g}_variable_code")
        codes, code_at = _text(path, batch.column(f"{g}_variable_attribute_code"), lines,
                               f"{g}_variable_attribute_code")
        labels, label_at = _text(path, batch.column(f"{g}_variable_attribute_label"), lines,
                                 f"{g}_variable_attribute_label")
        for v, var in enumerate(variables):
            rows = var_at == v
            if var in _REGION_VARS:
                table = [out.codes("region").code(c or "DG") for c in codes]
                region[rows] = np.array(table, dtype=np.int32)[code_at[rows]]
            elif var.startswith("WZ"):
                table = [out.codes("industry").code(
                    c.split("-", 1)[1] if c.startswith("WZ08-") else (c or "TOTAL"))
                    for c in codes]
                industry[rows] = np.array(table, dtype=np.int32)[code_at[rows]]
                if industry_label is None:
                    industry_label = np.full(n, -1, dtype=np.int32)
                table = [out.codes("industry_label").code(t) for t in labels]
                industry_label[rows] = np.array(table, dtype=np.int32)[label_at[rows]]
            else:
                name = f"dim_{var.lower()}"
                col = out.codes(name)
                target = dims.setdefault(name, np.full(n, -1, dtype=np.int32))
                by_label = np.array([col.code(t) for t in labels], dtype=np.int32)
                empty = np.array([not c for c in codes])[code_at]
                target[rows] = np.where(empty, col.code("Insgesamt"), by_label[label_at])[rows]
    if any(len(t.strip()) > 4 for t in times):  # dates within a year stay apart
        dates = np.array([out.codes("dim_date").code(t.strip()) if len(t.strip()) > 4
                          else -1 for t in times], dtype=np.int32)
        dims["dim_date"] = dates[time_at]
    out.codes("region").extend(region)
    out.codes("industry").extend(industry)
    if industry_label is not None:
        out.codes("industry_label").extend(industry_label)
    for name, values in dims.items():
        out.codes(name).extend(values)
    _append_values(out, path, batch, lines, quality)


def _append_values(out: Table, path: Path, batch: pa.RecordBatch, lines: np.ndarray,
                   quality: bool) -> None:
    """``value`` with its special symbols; ``value_q`` ``e`` marks an estimate."""
    raw = batch.column("value")
    try:
        text = pc.utf8_trim_whitespace(pc.cast(raw, pa.string()))
    except pa.ArrowInvalid:
        raise number_error(path, "value", raw, lines, "a number or a special value") from None
    symbol = pc.fill_null(pc.index_in(text, value_set=pa.array(_SYMBOLS)), len(_SYMBOLS))
    status = np.asarray(symbol.to_numpy(zero_copy_only=False), dtype=np.int8)
    special = status < len(_SYMBOLS)
    values = to_float(pc.if_else(pa.array(special), "nan",
                                 pc.replace_substring(text, ",", ".")))
    if values is None:
        raise number_error(path, "value", raw, lines, "a number or a special value",
                           skip=special)
    value = np.array(values.to_numpy(zero_copy_only=False), dtype=np.float64)
    value[status == _SYMBOLS.index("-")] = 0.0
    if quality:
        q = pc.equal(pc.utf8_trim_whitespace(pc.cast(batch.column("value_q"), pa.string(),
                                                     safe=False)), "e")
        estimated = np.asarray(q.to_numpy(zero_copy_only=False), dtype=bool)
        status[estimated & (status == len(_SYMBOLS))] = len(_SYMBOLS) + 1
    out.numbers("value").extend(value)
    out.codes("status").extend_lookup(_STATUSES, status)
