"""Eurostat regional data: dissemination-API TSV and SDMX-CSV.

TSV: a header ``dim1,dim2,…,geo\\TIME_PERIOD`` then tab-separated cells ``value flags``
(``": "`` missing, flags such as ``p`` provisional, ``c`` confidential).
SDMX-CSV: one observation per row with ``OBS_VALUE`` and ``OBS_FLAG``.

Both are streamed in blocks (:mod:`clusteratlas.sources.streaming`): the TSV's wide
rows are turned into observations a block at a time, so memory holds the compact
result and one block, not a Python object per cell.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from clusteratlas.errors import SourceError
from clusteratlas.sources.parsed import Parsed
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

__all__ = ["read_sdmx_csv", "read_tsv"]

ATTRIBUTION = "Source: Eurostat"
SCALE = {"THS": 1000.0}
STATUSES = ("reported", "estimated", "secret", "missing")
_CELL = r"^\s*(?P<v>[^ ]*)(?: (?P<f>.*))?$"


def _header(path: Path) -> tuple[str, int]:
    """The header line (UTF-8, BOM removed) and the byte offset of the data."""
    with path.open("rb") as fh:
        raw = fh.readline(1 << 20)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}, line 1: not UTF-8 (byte {exc.start})") from None
    if raw and not raw.endswith(b"\n"):
        raise SourceError(f"{path}, line 1: no complete header line ({snippet(text)})")
    return text.rstrip("\r\n"), len(raw)


def _frame(out: Table, path: Path, code: str, title: str) -> Parsed:
    if not len(out):
        raise SourceError(f"{path}: no observations")
    frame = out.frame()
    frame["measure"] = constant("employment", len(frame))
    return Parsed("eurostat", code, title, frame, ATTRIBUTION,
                  "Eurostat re-use policy (CC BY 4.0)")


def _status(flags: pa.Array) -> np.ndarray:
    """Status codes from flag text: ``c`` secret, ``p``/``e`` estimated, else reported."""
    secret = pc.match_substring(flags, "c").to_numpy(zero_copy_only=False)
    estimated = pc.or_(pc.match_substring(flags, "p"),
                       pc.match_substring(flags, "e")).to_numpy(zero_copy_only=False)
    return np.where(secret, 2, np.where(estimated, 1, 0)).astype(np.int8)


def read_tsv(path: Path) -> Parsed:
    header, start = _header(path)
    head = header.split("\t")
    if "\\" not in head[0]:
        raise SourceError(f"{path}, line 1: expected 'dim,…,geo\\\\TIME_PERIOD<TAB>year…', "
                          f"found {snippet(header)}")
    dims = head[0].split("\\")[0].split(",")
    periods = [h.strip() for h in head[1:]]
    if "geo" not in dims or "nace_r2" not in dims:
        raise SourceError(f"{path}, line 1: dimensions {snippet(','.join(dims))} lack geo or "
                          "nace_r2")
    extra = [d for d in dims if d not in ("geo", "nace_r2", "freq", "unit")]
    years = []
    for p in periods:
        m = re.match(r"(\d{4})", p)
        years.append(int(m.group(1)) if m else 0)
    names = ["key", *(f"p{k}" for k in range(len(periods)))]
    out = Table(path.stat().st_size - start)
    last = 1
    for line, batch in batches(path, names, delimiter="\t", quote=False, start=start,
                               first_line=2):
        last = line + batch.num_rows - 1
        lines = np.arange(line, line + batch.num_rows)
        blank = blank_rows([batch.column(0)])
        if blank.any():
            batch = batch.filter(pa.array(~blank))
            lines = lines[~blank]
        _append_tsv(out, path, batch, lines, dims, extra, years)
    check_line_end(path, line=last)
    code = path.stem.split("_excerpt")[0]
    return _frame(out, path, code, f"Eurostat {code}")


def _append_tsv(out: Table, path: Path, batch: pa.RecordBatch, lines: np.ndarray,
                dims: list[str], extra: list[str], years: list[int]) -> None:
    """Turn one block of wide TSV rows into observations (row by row, period by period,
    as in the file); ``': '`` cells are left out unless flagged confidential."""
    keys, where = dictionary(batch.column(0))
    texts = decode_strict(keys, "utf-8", path,
                          lambda k: f"line {first_line(lines, where, k)}, series key")
    split = []
    for k, text in enumerate(texts):
        parts = text.split(",")
        if len(parts) != len(dims):
            raise SourceError(f"{path}, line {first_line(lines, where, k)}: series key "
                              f"{snippet(text)} does not match {','.join(dims)}")
        split.append(dict(zip(dims, parts, strict=True)))
    scale = np.array([SCALE.get(s.get("unit", ""), 1.0) for s in split])[where]
    n_rows, n_periods = len(lines), len(years)
    value = np.empty((n_rows, n_periods))
    status = np.empty((n_rows, n_periods), dtype=np.int8)
    for k in range(n_periods):
        cells = batch.column(k + 1)
        try:
            parts = pc.extract_regex(pc.cast(cells, pa.string()), _CELL)
        except pa.ArrowInvalid:
            raise _cell_error(path, cells, lines, k) from None
        v = pc.struct_field(parts, "v")
        flags = pc.fill_null(pc.struct_field(parts, "f"), "")
        missing = pc.starts_with(v, ":")
        flags = pc.if_else(missing, pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(v, 1), flags, ""), flags)
        numbers = to_float(pc.if_else(missing, "nan", v))
        if numbers is None:
            raise _cell_error(path, cells, lines, k)
        value[:, k] = numbers.to_numpy(zero_copy_only=False)
        code = _status(flags)
        miss = missing.to_numpy(zero_copy_only=False)
        status[:, k] = np.where(miss & (code != 2), 3, code)
    value *= scale[:, None]
    keep = (status != 3).ravel()  # Eurostat omits what does not exist: no row, not zero
    row = np.repeat(np.arange(n_rows), n_periods)[keep]
    out.codes("region").extend_lookup([s["geo"] for s in split], where[row])
    out.codes("industry").extend_lookup([s["nace_r2"] for s in split], where[row])
    out.numbers("year", "h").extend(np.tile(np.array(years, dtype=np.int16), n_rows)[keep])
    out.numbers("value").extend(value.ravel()[keep])
    out.codes("status").extend_lookup(list(STATUSES), status.ravel()[keep])
    for d in extra:
        out.codes(f"dim_{d}").extend_lookup([s[d] for s in split], where[row])


def _cell_error(path: Path, cells: pa.Array, lines: np.ndarray, k: int) -> SourceError:
    for i, raw in enumerate(cells.to_pylist()):
        text = raw.decode("utf-8", "replace").strip()
        number = text.partition(" ")[0]
        if text.startswith(":"):
            continue
        try:
            float(raw.decode("ascii").partition(" ")[0].strip() or "x")
        except (UnicodeDecodeError, ValueError):
            return SourceError(f"{path}, line {int(lines[i])}, column {k + 2}: {snippet(raw)} "
                               f"is not 'value flags' or ':' ({snippet(number, 20)})")
    return SourceError(f"{path}, line {int(lines[0])}, column {k + 2}: not 'value flags' or ':'")


SDMX_FIXED = ("DATAFLOW", "LAST UPDATE", "freq", "unit", "geo", "nace_r2", "TIME_PERIOD",
              "OBS_VALUE", "OBS_FLAG", "CONF_STATUS")


def read_sdmx_csv(path: Path) -> Parsed:
    header, start = _header(path)
    try:
        names = next(csv.reader([header]), [])
    except csv.Error:
        names = []
    need = {"DATAFLOW", "geo", "TIME_PERIOD", "OBS_VALUE", "nace_r2"}
    if not need <= set(names) or len(set(names)) != len(names):
        raise SourceError(f"{path}, line 1: SDMX-CSV needs columns {', '.join(sorted(need))}, "
                          f"each once (found {snippet(header) if header else 'none'})")
    extra = [n for n in names if n not in SDMX_FIXED]
    out = Table(path.stat().st_size - start)
    code = ""
    last = 1
    for line, batch in batches(path, names, delimiter=",", quote=True, start=start,
                               first_line=2):
        last = line + batch.num_rows - 1
        lines = np.arange(line, line + batch.num_rows)
        blank = blank_rows(list(batch.columns))
        if blank.any():
            batch = batch.filter(pa.array(~blank))
            lines = lines[~blank]
        if not len(lines):
            continue
        code = code or batch.column("DATAFLOW")[0].as_py().decode(
            "utf-8", "replace").split(":")[-1].split("(")[0].lower()
        _append_sdmx(out, path, batch, lines, names, extra)
    check_line_end(path, line=last)
    return _frame(out, path, code, f"Eurostat {code}")


def _append_sdmx(out: Table, path: Path, batch: pa.RecordBatch, lines: np.ndarray,
                 names: list[str], extra: list[str]) -> None:
    def column(name: str) -> pa.Array:
        if name in names:
            return batch.column(name)
        return pa.array([b""] * batch.num_rows, pa.binary())

    try:
        text = pc.utf8_trim_whitespace(pc.cast(column("OBS_VALUE"), pa.string()))
        flags = pc.utf8_trim_whitespace(pc.cast(column("OBS_FLAG"), pa.string()))
        conf = pc.utf8_trim_whitespace(pc.cast(column("CONF_STATUS"), pa.string()))
    except pa.ArrowInvalid:
        raise number_error(path, "OBS_VALUE/OBS_FLAG", column("OBS_VALUE"), lines) from None
    missing = pc.or_(pc.equal(text, ""), pc.equal(text, ":")).to_numpy(zero_copy_only=False)
    numbers = to_float(pc.if_else(pa.array(missing), "nan", text))
    if numbers is None:
        raise number_error(path, "OBS_VALUE", column("OBS_VALUE"), lines, skip=missing)
    status = _status(flags)
    secret = (status == 2) | pc.equal(conf, "C").to_numpy(zero_copy_only=False)
    keep = ~missing | secret
    status = np.where(missing, 2, status)[keep]
    units, unit_at = dictionary(column("unit"))
    scale = np.array([SCALE.get(u.decode("latin-1"), 1.0) for u in units])[unit_at]
    value = (numbers.to_numpy(zero_copy_only=False) * scale)[keep]
    rows = np.flatnonzero(keep)

    def codes(name: str, target: str) -> None:
        values, where = dictionary(column(name))
        texts = decode_strict(values, "utf-8", path,
                              lambda k: f"line {first_line(lines, where, k)}, field {name}")
        out.codes(target).extend_lookup(texts, where[rows])

    codes("geo", "region")
    codes("nace_r2", "industry")
    periods, period_at = dictionary(column("TIME_PERIOD"))
    years = []
    for k, raw in enumerate(periods):
        m = re.match(rb"\s*(\d{4})", raw)
        if not m:
            raise SourceError(f"{path}, line {first_line(lines, period_at, k)}: TIME_PERIOD "
                              f"{snippet(raw)} is not a period")
        years.append(int(m.group(1)))
    out.numbers("year", "h").extend(np.array(years, dtype=np.int16)[period_at[rows]])
    out.numbers("value").extend(value)
    out.codes("status").extend_lookup(list(STATUSES), status)
    for name in extra:
        codes(name, f"dim_{name}")
