"""Reading registry files within limits: JSON, a ZIP of CSVs, XLSX.

An import file comes from outside (an upload, a file on disk), so it is read
defensively: its size, the declared and the actual uncompressed size of every ZIP
member (counted while streaming, since a declared size can lie), the rows per table,
the length of a field and the nesting of JSON are all bounded (:class:`Limits`), and
anything that cannot be read — a zip bomb, a corrupt or UTF-16 member, deep JSON, an
over-long CSV field — is one :class:`~clusteratlas.errors.InputError` naming the file,
member, row and field, never a traceback.

CSV cells are read back through :func:`csv_untext`, the inverse of the formula
neutralisation of the export (:func:`csv_text`).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from clusteratlas.errors import InputError, SchemaError

__all__ = ["FORMULA_START", "LIMITS", "Limits", "csv_text", "csv_untext", "read_json",
           "read_tables"]

MAGIC = "clusteratlas-registry"
#: a cell text starting with one of these is a formula (or DDE call) to a spreadsheet
#: program (OWASP, "CSV injection")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


@dataclass(frozen=True)
class Limits:
    """What an import file may hold.

    Attributes
    ----------
    max_bytes
        The file itself and, separately, all its ZIP members uncompressed together.
    max_rows
        Rows per table (sheet or CSV member).
    max_field
        Characters per cell (the longest text field of the registry is 20,000).
    max_depth
        Nesting of JSON arrays and objects (an export needs 4).
    """

    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 100_000
    max_field: int = 20_000
    max_depth: int = 32


LIMITS = Limits()


def csv_text(value: str) -> str:
    """A text as a CSV cell: formula-like texts get a leading quote (OWASP), and so do
    texts that start with a quote, so that :func:`csv_untext` strips exactly one."""
    return _QUOTE + value if value.startswith((*FORMULA_START, _QUOTE)) else value


def csv_untext(value: str) -> str:
    """The inverse of :func:`csv_text`."""
    return value[1:] if value.startswith(_QUOTE) else value


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


def _check_size(data: bytes, source: str, limits: Limits) -> None:
    if len(data) > limits.max_bytes:
        raise InputError(f"{source}: {_mb(len(data))} is more than the {_mb(limits.max_bytes)} "
                         "an import may have")


def read_json(data: bytes, source: str, limits: Limits = LIMITS) -> list[dict[str, Any]]:
    """The initiatives of a JSON export (checked for size, syntax and nesting)."""
    _check_size(data, source, limits)
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{source}: not a JSON file ({exc})") from None
    except RecursionError:
        raise InputError(f"{source}: JSON nested more than {limits.max_depth} levels "
                         "deep") from None
    _check_depth(doc, source, limits.max_depth)
    if not isinstance(doc, dict) or doc.get("format") != MAGIC \
            or not isinstance(doc.get("initiatives"), list):
        raise SchemaError(f"{source}: not a Clusteratlas registry export (expected "
                          f'{{"format": "{MAGIC}", "initiatives": [...]}})')
    aggs: list[dict[str, Any]] = doc["initiatives"]
    return aggs


def _check_depth(doc: Any, source: str, limit: int) -> None:
    # iterative, so that the check itself cannot overflow the stack
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                raise InputError(f"{source}: JSON nested more than {limit} levels deep")
            stack.extend((v, depth + 1)
                         for v in (node.values() if isinstance(node, dict) else node))


class _Budget:
    """The uncompressed bytes a ZIP may still yield (shared by all its members)."""

    def __init__(self, source: str, limits: Limits) -> None:
        self.source, self.left, self.limit = source, limits.max_bytes, limits.max_bytes

    def spend(self, n: int, member: str) -> None:
        self.left -= n
        if self.left < 0:
            raise InputError(f"{self.source}, {member}: more than {_mb(self.limit)} "
                             "uncompressed (a zip bomb?)")


class _Capped(io.RawIOBase):
    """A ZIP member read through the budget: the reading stops once it is spent."""

    def __init__(self, raw: IO[bytes], budget: _Budget, member: str) -> None:
        self.raw, self.budget, self.member = raw, budget, member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.budget.spend(len(data), self.member)
        buffer[:len(data)] = data
        return len(data)


_CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError)


def _open_zip(data: bytes, source: str, limits: Limits, what: str) -> zipfile.ZipFile:
    _check_size(data, source, limits)
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except _CORRUPT:
        raise SchemaError(f"{source}: {what}") from None
    declared = sum(i.file_size for i in z.infolist())
    if declared > limits.max_bytes:
        big = max(z.infolist(), key=lambda i: i.file_size)
        raise InputError(f"{source}, {big.filename}: declares {_mb(declared)} uncompressed, "
                         f"more than the {_mb(limits.max_bytes)} an import may have")
    return z


def _rows(rows: Iterator[Sequence[Any]], where: str, limits: Limits,
          line: Any = None) -> Iterator[list[Any]]:
    """The rows of one table, each checked for the field length, counted."""
    for n, row in enumerate(rows, start=1):
        if n > limits.max_rows + 1:
            raise InputError(f"{where}: more than {limits.max_rows:,} rows")
        for k, value in enumerate(row):
            if isinstance(value, str) and len(value) > limits.max_field:
                raise InputError(f"{where}, row {line() if line else n}, column {k + 1}: "
                                 f"{len(value):,} characters, more than {limits.max_field:,}")
        yield list(row)


def _csv_member(z: zipfile.ZipFile, member: str, source: str, budget: _Budget,
                limits: Limits) -> list[list[Any]]:
    where = f"{source}, {member}"
    reader: Any = None
    try:
        with z.open(member) as raw:
            text = io.TextIOWrapper(io.BufferedReader(_Capped(raw, budget, member)),
                                    encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            return [[csv_untext(v) for v in row]
                    for row in _rows(reader, where, limits, lambda: reader.line_num)]
    except UnicodeDecodeError:
        row = reader.line_num + 1 if reader is not None else 1
        raise InputError(f"{where}, row {row}: not UTF-8 text (save the CSV as UTF-8)") \
            from None
    except csv.Error as exc:
        row = reader.line_num if reader is not None else 1
        raise InputError(f"{where}, row {row}: {exc}") from None
    except _CORRUPT as exc:
        raise InputError(f"{where}: the ZIP member is corrupt ({exc})") from None


def read_tables(data: bytes, fmt: str, source: str, names: Sequence[str],
                limits: Limits = LIMITS) -> dict[str, list[list[Any]]]:
    """The raw rows (header first) of the tables ``names`` that a CSV ZIP or an XLSX
    workbook holds, read within ``limits``."""
    if fmt == "csv":
        z = _open_zip(data, source, limits, "a CSV export is a ZIP of one CSV per table")
        budget = _Budget(source, limits)
        return {name: _csv_member(z, f"{name}.csv", source, budget, limits)
                for name in names if f"{name}.csv" in z.namelist()}
    z = _open_zip(data, source, limits, "not an XLSX workbook (BadZipFile)")
    # openpyxl inflates the members itself: count their actual size first, streaming
    budget = _Budget(source, limits)
    for info in z.infolist():
        try:
            with z.open(info) as raw:
                while chunk := raw.read(1 << 20):
                    budget.spend(len(chunk), info.filename)
        except _CORRUPT as exc:
            raise InputError(f"{source}, {info.filename}: the ZIP member is corrupt "
                             f"({exc})") from None
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a non-workbook
        raise SchemaError(f"{source}: not an XLSX workbook ({type(exc).__name__})") \
            from None
    out = {}
    for name in names:
        if name in book.sheetnames:
            try:
                out[name] = list(_rows(book[name].iter_rows(values_only=True),
                                       f"{source}, sheet {name}", limits))
            except InputError:
                raise
            except Exception as exc:  # a damaged sheet: openpyxl's errors vary by part
                raise InputError(f"{source}, sheet {name}: cannot be read "
                                 f"({type(exc).__name__})") from None
    return out
