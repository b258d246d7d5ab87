"""US County Business Patterns county files (``cbpYYco.txt``, layout of 2017+).

``fipstate, fipscty, naics, emp_nf, emp, …, est, …`` comma-separated, text quoted.
``naics`` is text: ``------`` the total, ``31----`` a sector, ``3361//`` a 4-digit
industry.  ``emp_nf`` is a noise flag; ``D`` (withheld, value set to 0), ``S`` (not
published) and ``N`` (not available) are missing, never zero.

The atlas reads NAICS at one level: the file's 6-digit industries (the level the US
Cluster Mapping's crosswalk is defined on) and each county's total (``------``, code
``TOTAL``), the published denominator of its shares whatever industries are withheld.
The sector, subsector, … rows (``31----``, ``311///``, ``3111//``, ``31111/``) add up
the same employees again and are left out (after they are checked like every line),
so no employee is counted twice.  Counties become register codes ``US-`` + 5-digit
FIPS (``US-08031``); county ``999`` is a state's statewide (unallocated) remainder,
which the county register does not hold.

The file is streamed in blocks (:mod:`clusteratlas.sources.streaming`); a line with
another number of fields than the header, or without its line end (a file cut
short), is refused with its number.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
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
    numbers,
    snippet,
)

__all__ = ["read_cbp"]

WITHHELD = {"D": "secret", "S": "unreliable", "N": "not_available"}
STATUSES = ("reported", "secret", "unreliable", "not_available")
FIELDS = ("fipstate", "fipscty", "naics", "emp", "est", "emp_nf")


def _naics(code: str) -> str:
    code = code.strip().strip("-/")
    return code or "TOTAL"


def _header(path: Path) -> tuple[list[str], str, int]:
    """Column names, the text encoding and the byte offset of the first data line."""
    with path.open("rb") as fh:
        raw = fh.readline(1 << 16)
    encoding = "utf-8"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text, encoding = raw.decode("latin-1"), "latin-1"
    if not raw.endswith(b"\n"):
        raise SourceError(f"{path}, line 1: no complete header line ({snippet(text)})")
    try:
        names = next(csv.reader([text.rstrip("\r\n")]), [])
    except csv.Error:
        names = []
    return names, encoding, len(raw)


def read_cbp(path: Path, *, year: int | None = None) -> Parsed:
    names, encoding, start = _header(path)
    fields = {f.strip().lower(): f for f in names}
    need = {"fipstate", "fipscty", "naics", "emp", "est"}
    if not need <= set(fields) or len(set(names)) != len(names):
        found = snippet(",".join(names)) if names else "none"
        raise SourceError(f"{path}, line 1: a CBP county file needs columns "
                          f"{', '.join(sorted(need))}, each once (found {found})")
    if year is None:
        digits = "".join(ch for ch in path.stem if ch.isdigit())[:2]
        if not digits:
            raise SourceError(f"{path}: cannot tell the year from the file name (cbpYYco.txt)")
        year = 2000 + int(digits)
    present = [k for k in FIELDS if k in fields]
    out = Table(path.stat().st_size - start)
    last = 1
    for line, batch in batches(path, names, delimiter=",", quote=True, start=start,
                               first_line=2, keep=[fields[k] for k in present]):
        col = {k: batch.column(fields[k]) for k in present}
        lines = np.arange(line, line + batch.num_rows)
        last = line + batch.num_rows - 1
        blank = blank_rows(list(col.values()))
        if blank.any():  # an empty line between records carries nothing
            mask = pa.array(~blank)
            col = {k: pc.filter(v, mask) for k, v in col.items()}
            lines = lines[~blank]
        regions, region_at = _regions(path, col["fipstate"], col["fipscty"], lines, encoding)
        values, where = dictionary(col["naics"])
        naics = [_naics(c) for c in decode_strict(values, encoding, path,
                                                  _where(lines, where, "naics"))]
        if "emp_nf" in col:
            flags_raw, flag_at = dictionary(col["emp_nf"])
        else:
            flags_raw, flag_at = [b""], np.zeros(len(lines), dtype=np.int64)
        flags = [f.decode("latin-1").strip().upper() for f in flags_raw]
        status = np.array([STATUSES.index(WITHHELD.get(f, "reported")) for f in flags],
                          dtype=np.int8)[flag_at]
        emp = numbers(path, "emp", col["emp"], lines)
        est = numbers(path, "est", col["est"], lines)
        emp[status != 0] = np.nan
        # the finest level and the total: coarser rows would count the same employees again
        keep = np.array([c == "TOTAL" or len(c) == 6 for c in naics], dtype=bool)[where]
        out.codes("region").extend_lookup(regions, region_at[keep])
        out.codes("industry").extend_lookup(naics, where[keep])
        out.numbers("year", "h").extend(np.full(int(keep.sum()), year, dtype=np.int16))
        out.numbers("value").extend(emp[keep])
        out.codes("status").extend_lookup(list(STATUSES), status[keep])
        out.numbers("establishments").extend(est[keep])
        out.codes("noise_flag").extend_lookup(flags, flag_at[keep])
    check_line_end(path, line=last)
    if not len(out):
        raise SourceError(f"{path}: no data rows")
    frame = out.frame()
    frame["measure"] = constant("employment", len(frame))
    return Parsed("cbp", f"cbp{str(year)[-2:]}co", f"County Business Patterns {year}", frame,
                  "U.S. Census Bureau, County Business Patterns", "public domain (US Government work)")


def _where(lines: np.ndarray, where: np.ndarray, field: str) -> Callable[[int], str]:
    """Names the first line holding distinct value ``k`` of a field."""
    def name(k: int) -> str:
        return f"line {first_line(lines, where, k)}, field {field}"
    return name


def _regions(path: Path, state: pa.Array, county: pa.Array, lines: np.ndarray,
             encoding: str) -> tuple[list[str], np.ndarray]:
    """``US-`` + ``fipstate`` + ``fipscty``, zero-padded to 2 + 3 digits (a register
    code): the distinct codes and each row's index into them."""
    values, where = dictionary(pc.binary_join_element_wise(state, county, b"|"))
    texts = decode_strict(values, encoding, path, _where(lines, where, "fipstate"))
    regions = []
    for k, text in enumerate(texts):
        # split at the separator this function put in: a field may hold "|" itself
        state_text, _, county_text = text.rpartition("|")
        s, c = state_text.strip().zfill(2), county_text.strip().zfill(3)
        if not (s.isdigit() and c.isdigit()):
            raise SourceError(f"{path}, line {first_line(lines, where, k)}: FIPS "
                              f"{snippet(s, 20)}/{snippet(c, 20)} is not numeric")
        regions.append(f"US-{s}{c}")
    return regions, where
