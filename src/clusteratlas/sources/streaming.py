"""Streaming the large source files: record batches in, compact columns out.

The readers parse a file in blocks with pyarrow's streaming CSV reader (every field as
raw bytes, so a bad byte is found by the reader, not by a codec error) and append
each block to compact growing columns: text as dictionary codes of the smallest
integer type, numbers as float64 and int16.  Peak memory is the result plus one
block, not a Python object per cell.

Errors stay one line: the file, the line, the field and at most
:data:`SNIPPET` characters of the offending text, escaped.  A row with the wrong
number of fields is located by a second, line-by-line pass that runs only when the
fast pass has already failed.
"""

from __future__ import annotations

import csv
import ctypes
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from clusteratlas.errors import SourceError


def _keep_malloc_threshold() -> None:
    """Fix glibc's mmap threshold at its default (128 KiB).

    glibc raises the threshold each time a large block is freed; the per-block arrays
    of a streamed file then come from the heap, and with small long-lived objects in
    between the heap cannot shrink: a 200 MB file grew the process by about one more
    time its size.  Setting the threshold once keeps large temporaries mapped and
    returned on free.  Other C libraries are left alone.
    """
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - glibc only
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        return


_keep_malloc_threshold()

__all__ = ["BLOCK", "SNIPPET", "Codes", "Numbers", "Table", "batches", "blank_rows",
           "check_line_end", "constant", "decode_strict", "dictionary", "first_line",
           "number_error", "numbers", "snippet", "to_float"]

#: bytes per parsed block; with the block's columns and intermediates a few times this
BLOCK = 1 << 20
#: characters of offending text an error message shows
SNIPPET = 60


def snippet(text: str | bytes, limit: int = SNIPPET) -> str:
    """``repr`` of at most ``limit`` characters of ``text``: one escaped line."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "backslashreplace")
    cut = text[:limit]
    return repr(cut) + ("…" if len(text) > limit else "")


class _Buffer:
    """A growing 1-d array.  The first append reserves room for the whole file, from
    the rows of the first block and the number of ``blocks`` of the file; pages never
    written are never resident, and no append copies what is already there, unlike
    a realloc-grown buffer that leaves old copies in the heap."""

    def __init__(self, dtype: type[np.generic], blocks: float = 1.0) -> None:
        self.data = np.empty(0, dtype=dtype)
        self.size = 0
        self.blocks = blocks

    def extend(self, values: np.ndarray, *, one_block: bool = True) -> None:
        need = self.size + len(values)
        if need > len(self.data):
            room = (int(len(values) * (self.blocks * 1.15 + 1))
                    if one_block and not self.size else 0)
            grown = np.empty(max(need, room, 2 * len(self.data)), dtype=self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size:need] = values
        self.size = need

    def widen(self, dtype: type[np.generic]) -> None:
        wide = np.empty(len(self.data), dtype=dtype)
        wide[: self.size] = self.data[: self.size]
        self.data = wide

    def view(self) -> np.ndarray:
        return self.data[: self.size]


class Codes:
    """A growing text column kept as dictionary codes (pandas ``Categorical`` at the end)."""

    def __init__(self, blocks: float = 1.0) -> None:
        self.index: dict[str, int] = {}
        self.values: list[str] = []
        self.codes = _Buffer(np.int8, blocks)

    def code(self, value: str) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
            # the smallest code type, as pandas would choose it (no copy at the end)
            if found == 126:
                self.codes.widen(np.int16)
            elif found == 32766:
                self.codes.widen(np.int32)
        return found

    def extend(self, codes: np.ndarray, *, one_block: bool = True) -> None:
        self.codes.extend(codes, one_block=one_block)

    def extend_lookup(self, lookup: list[str], indices: np.ndarray) -> None:
        """Append rows given as ``indices`` into a batch's distinct ``lookup`` values."""
        table = np.array([self.code(v) for v in lookup], dtype=np.int32)
        self.extend(table[indices] if len(table) else np.zeros(0, dtype=np.int32))

    def __len__(self) -> int:
        return self.codes.size

    def categorical(self) -> pd.Categorical:
        """The column, its categories sorted (so a sort by it sorts as text would);
        the codes are renumbered in place."""
        codes: npt.NDArray[np.integer[Any]] = self.codes.view()
        values = np.array(self.values, dtype=object)
        order = np.argsort(values, kind="stable")
        rank = np.empty(len(order), dtype=codes.dtype)
        rank[order] = np.arange(len(order))
        missing = codes < 0
        if len(rank):
            np.take(rank, codes, out=codes, mode="clip")  # 'clip': no buffer, -1 → 0
        codes[missing] = -1
        self.codes = _Buffer(codes.dtype.type)
        return pd.Categorical.from_codes(codes, categories=pd.Index(values[order],
                                                                    dtype=object),
                                         validate=False)


class Numbers:
    """A growing numeric column."""

    def __init__(self, typecode: str = "d", blocks: float = 1.0) -> None:
        dtypes: dict[str, type[np.generic]] = {"d": np.float64, "h": np.int16, "b": np.int8}
        self.data = _Buffer(dtypes[typecode], blocks)

    def extend(self, values: np.ndarray, *, one_block: bool = True) -> None:
        self.data.extend(values, one_block=one_block)

    def __len__(self) -> int:
        return self.data.size

    def numpy(self) -> np.ndarray:
        return self.data.view()


class Table:
    """Named compact columns that become one ``DataFrame`` without copying the numbers."""

    def __init__(self, size: int) -> None:
        """``size``: bytes of data the file holds (to reserve room for the result)."""
        self.columns: dict[str, Codes | Numbers] = {}
        self.rows = 0  # rows of the blocks already complete (see pad)
        self.blocks = max(1.0, size / BLOCK)

    def codes(self, name: str) -> Codes:
        col = self.columns.get(name)
        if col is None:
            col = self.columns[name] = Codes(self.blocks)
            col.extend(np.full(self.rows, -1), one_block=False)
        assert isinstance(col, Codes)
        return col

    def numbers(self, name: str, typecode: str = "d") -> Numbers:
        col = self.columns.get(name)
        if col is None:
            col = self.columns[name] = Numbers(typecode, self.blocks)
            col.extend(np.full(self.rows, np.nan if typecode == "d" else -1), one_block=False)
        assert isinstance(col, Numbers)
        return col

    def __len__(self) -> int:
        return max((len(c) for c in self.columns.values()), default=0)

    def pad(self, n: int) -> None:
        """Fill every column up to ``n`` rows with missing values (a column that only
        some rows have, e.g. a dimension first seen in a later block)."""
        for col in self.columns.values():
            short = n - len(col)
            if short > 0:
                col.extend(np.full(short, -1 if isinstance(col, Codes) else np.nan),
                           one_block=False)
        self.rows = n

    def frame(self) -> pd.DataFrame:
        """The columns as a frame; the table gives up its buffers as it goes."""
        data: dict[str, object] = {}
        for name in list(self.columns):
            col = self.columns.pop(name)
            data[name] = col.categorical() if isinstance(col, Codes) else col.numpy()
            del col
        return pd.DataFrame(data, copy=False)


@dataclass
class _Slice(io.RawIOBase):
    """The bytes ``start:end`` of a file, as a stream (the data part between a header
    block and a footer)."""

    handle: io.BufferedReader
    left: int

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.left <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), self.left)]
        n = self.handle.readinto(view) or 0
        self.left -= n
        return n


def check_line_end(path: Path, end: int | None = None, line: int | None = None) -> None:
    """A file (or its data part ending at ``end``) cut in the middle of a line has no
    final line end: refuse it as truncated."""
    size = path.stat().st_size if end is None else end
    if size == 0:
        return
    with path.open("rb") as fh:
        fh.seek(size - 1)
        if fh.read(1) not in (b"\n", b"\r"):
            where = f", line {line}" if line else ""
            raise SourceError(f"{path}{where}: the last line has no line end – the file is "
                              "truncated")


def batches(path: Path, names: list[str], *, delimiter: str, quote: bool, start: int,
            first_line: int, end: int | None = None, keep: list[str] | None = None,
            ) -> Iterator[tuple[int, pa.RecordBatch]]:
    """Yield ``(line of the first row, batch)`` of the data lines from byte ``start``
    (the line ``first_line``) to ``end``; every column as bytes.

    A line with another number of fields than ``names`` (a file cut in the middle of a
    line, garbage) raises ``SourceError`` with its line number and text.
    """
    size = path.stat().st_size if end is None else end
    handle = path.open("rb")
    handle.seek(start)
    stream = io.BufferedReader(_Slice(handle, size - start), buffer_size=1 << 20)
    line = first_line
    try:
        reader = pacsv.open_csv(
            stream,
            # the system allocator returns a finished block's memory; the default pool
            # (mimalloc) keeps it, and that shows as growth in the process's peak
            memory_pool=pa.system_memory_pool(),
            read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK,
                                           use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"' if quote
                                             else False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.binary()), include_columns=keep or names,
                quoted_strings_can_be_null=False, strings_can_be_null=False))
        for batch in reader:
            yield line, batch
            line += batch.num_rows
    except pa.ArrowInvalid as exc:
        found = _find_bad_row(path, start, size, first_line, len(names), delimiter, quote)
        if found is not None:
            number, text = found
            count = len(_fields(text, delimiter, quote))
            hint = " – the line is cut short or garbled" if count < len(names) else ""
            raise SourceError(f"{path}, line {number}: {count} fields, expected {len(names)}"
                              f"{hint} ({snippet(text)})") from None
        raise SourceError(f"{path}, line {line}: not readable as "
                          f"{'tab' if delimiter == chr(9) else repr(delimiter)}-separated "
                          f"text ({snippet(str(exc))})") from None
    finally:
        handle.close()


def _fields(text: bytes, delimiter: str, quote: bool) -> list[str]:
    line = text.decode("latin-1").rstrip("\r\n")
    if not quote:
        return line.split(delimiter)
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line]


def _find_bad_row(path: Path, start: int, end: int, first_line: int, expected: int,
                  delimiter: str, quote: bool) -> tuple[int, bytes] | None:
    """The first data line (bytes ``start:end``) whose field count is not ``expected``
    (the slow pass, run only after the fast one failed)."""
    with path.open("rb") as fh:
        fh.seek(start)
        at = start
        for number, text in enumerate(fh, start=first_line):
            at += len(text)
            if at > end:
                break
            if text.strip(b"\r\n") and len(_fields(text, delimiter, quote)) != expected:
                return number, text.rstrip(b"\r\n")
    return None


def decode_strict(values: list[bytes], encoding: str, path: Path, where: Callable[[int], str],
                  ) -> list[str]:
    """Decode the distinct values of a column; a bad byte names its line via ``where``."""
    out = []
    for k, raw in enumerate(values):
        try:
            out.append(raw.decode(encoding))
        except UnicodeDecodeError as exc:
            raise SourceError(f"{path}, {where(k)}: not {encoding.upper()} (byte {exc.start}: "
                              f"{snippet(raw)})") from None
    return out


def dictionary(column: pa.Array) -> tuple[list[bytes], np.ndarray]:
    """Distinct values (bytes) of a column and each row's index into them."""
    enc = pc.dictionary_encode(column)
    return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False)


def to_float(text: pa.Array) -> pa.Array | None:
    """``text`` (bytes, ``.`` as the decimal point) as float64, or None if a cell is
    not a number (the caller then names it)."""
    try:
        return pc.cast(pc.cast(text, pa.string()), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def number_error(path: Path, field: str, column: pa.Array, lines: np.ndarray,
                 expected: str = "a number", skip: np.ndarray | None = None) -> SourceError:
    """The first cell of ``column`` (rows at ``lines``; not where ``skip``) that is not
    a number, named with its line."""
    for i, raw in enumerate(column.to_pylist()):
        if skip is not None and skip[i]:
            continue
        try:
            float(raw.decode("ascii").strip().replace(",", "."))
        except (UnicodeDecodeError, ValueError):
            return SourceError(f"{path}, line {int(lines[i])}: {field} {snippet(raw)} is not "
                               f"{expected}")
    return SourceError(f"{path}, line {int(lines[0]) if len(lines) else 0}: {field} is not "
                       f"{expected}")


def constant(value: str, n: int) -> pd.Categorical:
    """A column holding one text ``value`` ``n`` times (one byte a row)."""
    codes: npt.NDArray[np.integer[Any]] = np.zeros(n, dtype=np.int8)
    return pd.Categorical.from_codes(codes, categories=pd.Index([value], dtype=object))


def blank_rows(columns: list[pa.Array]) -> np.ndarray:
    """Rows whose every field is empty (an empty line; the readers skip it)."""
    empty = pc.equal(pc.binary_length(columns[0]), 0)
    for values in columns[1:]:
        empty = pc.and_(empty, pc.equal(pc.binary_length(values), 0))
    return np.asarray(empty.to_numpy(zero_copy_only=False), dtype=bool)


def numbers(path: Path, field: str, column: pa.Array, lines: np.ndarray,
            decimal_comma: bool = False) -> np.ndarray:
    """A numeric column as float64; empty cells are missing (NaN)."""
    try:
        text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    except pa.ArrowInvalid:
        raise number_error(path, field, column, lines) from None
    if decimal_comma:
        text = pc.replace_substring(text, ",", ".")
    text = pc.if_else(pc.equal(pc.binary_length(text), 0), "nan", text)
    values = to_float(text)
    if values is None:
        raise number_error(path, field, column, lines)
    return np.array(values.to_numpy(zero_copy_only=False), dtype=np.float64)


def first_line(lines: np.ndarray, where: np.ndarray, k: int) -> int:
    """The line of the first row whose distinct-value index is ``k``."""
    rows = np.flatnonzero(where == k)
    return int(lines[rows[0]]) if len(rows) else 0
