"""One Parquet file from row groups encoded on several threads.

Arrow's Parquet writer encodes and compresses a file's row groups one after another,
on one core; for the cell table of a large mapping (hundreds of megabytes) that is
the longest step of ``clusteratlas map``.  Here each row group is encoded on its own
thread as a small Parquet file in memory (:func:`encode_part`, Arrow's own writer,
which runs without the interpreter), and :class:`Assembly` appends the parts' row
groups, in order, to one file.  A part's column chunks are copied as they are; only
the footer changes: the row groups of every part in one list, each byte offset moved
by where the part's bytes now start, the ordinals and the row count redone.  (Page
indexes list their pages by position in the part: parts with one are refused.)

The footer (``FileMetaData``) is Thrift's compact protocol
(https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md).
It is read into a generic tree of ``(field id, type, value)`` and written back
unchanged except for the fields named in the Parquet format's ``parquet.thrift``
(https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift)
as file offsets.  Arrow writes every field in the canonical compact form, so a file
assembled from parts is byte for byte the file one writer gives for the same row
groups (``tests/service/test_parquet_assembly.py``).
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Assembly", "Part", "encode_part", "file_rows"]

MAGIC = b"PAR1"

# compact protocol type ids
_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)

# field ids of parquet.thrift
_FILE_NUM_ROWS, _FILE_ROW_GROUPS = 3, 4
_GROUP_COLUMNS, _GROUP_FILE_OFFSET, _GROUP_ORDINAL = 1, 5, 7
_CHUNK_FILE_OFFSET, _CHUNK_META, _CHUNK_OFFSET_INDEX, _CHUNK_COLUMN_INDEX = 2, 3, 4, 6
_CHUNK_CRYPTO, _CHUNK_ENCRYPTED_META = 8, 9
_META_OFFSETS = (9, 10, 11, 14)  # data page, index page, dictionary page, bloom filter
_FILE_ENCRYPTION = 8


class _Reader:
    """Thrift compact protocol, read into ``[(field id, type, value), ...]`` per struct;
    lists and sets as ``(element type, [values])``, maps as ``(key type, value type,
    [(key, value), ...])``."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, kind: int) -> Any:
        if kind in (_TRUE, _FALSE):  # a bool in a container: one byte
            return self.byte()
        if kind == _BYTE:
            return self.byte()
        if kind in (_I16, _I32, _I64):
            return self.zigzag()
        if kind == _DOUBLE:
            return self._take(8)
        if kind == _BINARY:
            return self._take(self.varint())
        if kind in (_LIST, _SET):
            head = self.byte()
            size, element = head >> 4, head & 0x0F
            if size == 15:
                size = self._count()
            return element, [self.value(element) for _ in range(size)]
        if kind == _MAP:
            size = self._count()
            if size == 0:
                return 0, 0, []
            head = self.byte()
            k, v = head >> 4, head & 0x0F
            return k, v, [(self.value(k), self.value(v)) for _ in range(size)]
        if kind == _STRUCT:
            return self.struct()
        raise ValueError(f"unknown Thrift compact type {kind} at byte {self.pos}")

    def _take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise IndexError(f"a value of {n} bytes beyond the end at byte {self.pos}")
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def _count(self) -> int:
        # each element takes a byte at least: a larger count is a damaged footer, not
        # a list to build element by element
        n = self.varint()
        if n > len(self.data) - self.pos:
            raise ValueError(f"{n} elements in the {len(self.data) - self.pos} bytes left")
        return n

    def struct(self) -> list[list[Any]]:
        return [[field, kind, value] for field, kind, value in self.fields()]

    def fields(self) -> Iterator[tuple[int, int, Any]]:
        """A struct's fields one by one, each read as it is asked for."""
        last = 0
        while True:
            head = self.byte()
            if head == 0:
                return
            kind, delta = head & 0x0F, head >> 4
            field = last + delta if delta else self.zigzag()
            yield field, kind, (kind == _TRUE) if kind in (_TRUE, _FALSE) else self.value(kind)
            last = field


class _Writer:
    """The inverse of :class:`_Reader`, in the canonical form (short field headers
    and list headers wherever they fit)."""

    def __init__(self) -> None:
        self.out = bytearray()

    def varint(self, n: int) -> None:
        while n >= 0x80:
            self.out.append((n & 0x7F) | 0x80)
            n >>= 7
        self.out.append(n)

    def zigzag(self, n: int) -> None:
        self.varint((n << 1) ^ (n >> 63))

    def value(self, kind: int, value: Any) -> None:
        if kind in (_TRUE, _FALSE, _BYTE):
            self.out.append(value)
        elif kind in (_I16, _I32, _I64):
            self.zigzag(value)
        elif kind == _DOUBLE:
            self.out += value
        elif kind == _BINARY:
            self.varint(len(value))
            self.out += value
        elif kind in (_LIST, _SET):
            element, items = value
            if len(items) < 15:
                self.out.append(len(items) << 4 | element)
            else:
                self.out.append(0xF0 | element)
                self.varint(len(items))
            for item in items:
                self.value(element, item)
        elif kind == _MAP:
            k, v, items = value
            self.varint(len(items))
            if items:
                self.out.append(k << 4 | v)
                for key, val in items:
                    self.value(k, key)
                    self.value(v, val)
        elif kind == _STRUCT:
            self.struct(value)
        else:
            raise ValueError(f"unknown Thrift compact type {kind}")

    def struct(self, fields: list[list[Any]]) -> None:
        last = 0
        for field, kind, value in fields:
            if kind in (_TRUE, _FALSE):
                kind = _TRUE if value else _FALSE
            delta = field - last
            if 0 < delta <= 15:
                self.out.append(delta << 4 | kind)
            else:
                self.out.append(kind)
                self.zigzag(field)
            if kind not in (_TRUE, _FALSE):
                self.value(kind, value)
            last = field
        self.out.append(0)


def file_rows(path: str | Path) -> int | None:
    """The row count in the footer of the Parquet file at ``path``, read without Arrow
    (whose import takes a quarter of a second); ``None`` for a file that is not plain
    Parquet (too short, no ``PAR1`` at its end: an encrypted footer, another format).
    Only the footer's fields up to the count are read."""
    with open(path, "rb") as file:
        size = file.seek(0, os.SEEK_END)
        if size < 12:
            return None
        file.seek(size - 8)
        tail = file.read(8)
        if len(tail) < 8 or tail[4:] != MAGIC:  # cut short while being read
            return None
        (length,) = struct.unpack("<I", tail[:4])
        if length > size - 12:
            return None
        file.seek(size - 8 - length)
        reader = _Reader(file.read(length))
    try:
        for field, kind, value in reader.fields():
            if field == _FILE_NUM_ROWS and kind == _I64:
                return int(value)
    except (IndexError, ValueError, RecursionError):  # a footer cut short or not Thrift
        pass
    return None


def _get(fields: list[list[Any]], field: int) -> list[Any] | None:
    return next((f for f in fields if f[0] == field), None)


def _move(fields: list[list[Any]], ids: tuple[int, ...], delta: int) -> None:
    # no offset points at the leading magic: 0 is "not set" (Arrow writes the
    # deprecated ColumnChunk.file_offset as 0)
    for f in fields:
        if f[0] in ids and f[2] > 0:
            f[2] += delta


@dataclass
class Part:
    """One or more row groups encoded as a Parquet file in memory (:func:`encode_part`):
    the bytes between the leading magic and the footer, and the footer's tree."""

    body: memoryview
    footer: list[list[Any]]
    buffer: Any  # the Arrow buffer ``body`` points into

    @property
    def num_rows(self) -> int:
        num = _get(self.footer, _FILE_NUM_ROWS)
        return int(num[2]) if num is not None else 0


def split_file(data: Any) -> tuple[memoryview, list[list[Any]]]:
    """The body (bytes after the leading magic, up to the footer) and the footer tree
    of a whole Parquet file in memory."""
    view = memoryview(data).cast("B")
    if len(view) < 12 or view[:4] != MAGIC or view[-4:] != MAGIC:
        raise ValueError("not a Parquet file (no PAR1 magic at both ends)")
    (length,) = struct.unpack("<I", view[-8:-4])
    start = len(view) - 8 - length
    footer = _Reader(bytes(view[start:-8])).struct()
    if _get(footer, _FILE_ENCRYPTION) is not None:
        raise ValueError("encrypted Parquet footers are not assembled")
    return view[4:start], footer


def encode_part(table: Any, **options: Any) -> Part:
    """``table`` (Arrow) as a Parquet file in memory, written by Arrow with
    ``options`` (those of :func:`pyarrow.parquet.write_table`); runs without the
    interpreter, so several threads encode at once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream(pa.system_memory_pool())
    pq.write_table(table, sink, **options)
    buffer = sink.getvalue()
    body, footer = split_file(buffer)
    return Part(body, footer, buffer)


class Assembly:
    """A Parquet file written part after part (:meth:`append`, or :meth:`place` and
    :meth:`write_at` from several threads), closed with the footer of all of them
    (:meth:`close`).  Every part must have the same schema and file-level metadata
    (the same Arrow schema and writer options), and no page index: its page
    locations are positions in the part, which this does not move."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file = open(self.path, "wb", buffering=0)  # noqa: SIM115 -- closed by close()
        self._fd = self._file.fileno()
        self._pos = 0
        self._write(MAGIC)
        self._first: list[list[Any]] | None = None
        self._fixed: bytes = b""
        self._groups: list[Any] = []
        self._rows = 0
        self._turn = threading.Condition()
        self._placed = 0
        self._failed: tuple[int, BaseException | None] | None = None

    def place(self, index: int, part: Part) -> int:
        """Where the body of the ``index``-th part goes in the file (0, 1, … in any
        thread; waits until every earlier part is placed); its row groups are recorded
        for the footer.  The caller writes the body there (:meth:`write_at`).  A part
        after one that failed (:meth:`fail`) is not placed: RuntimeError."""
        with self._turn:
            while self._placed != index:
                if self._failed is not None and self._failed[0] < index:
                    raise RuntimeError(f"{self.path}: part {self._failed[0]} failed, so "
                                       f"part {index} is not written") from self._failed[1]
                self._turn.wait()
            try:
                pos = self._pos
                self._record(part)
            except BaseException as exc:
                self._failed = (index, exc)
                raise
            else:
                self._pos += len(part.body)
                self._placed += 1
            finally:
                self._turn.notify_all()
        return pos

    def fail(self, index: int = -1, error: BaseException | None = None) -> None:
        """Part ``index`` will never be placed (default: no later part will): the
        threads waiting to place a later part give up; earlier parts go on."""
        with self._turn:
            if self._failed is None or index < self._failed[0]:
                self._failed = (index, error)
            self._turn.notify_all()

    def write_at(self, part: Part, pos: int) -> None:
        """Write ``part``'s body at ``pos`` (several threads at once)."""
        self._write(part.body, pos)
        if hasattr(os, "posix_fadvise"):
            # the kernel starts writing these pages to disk now, in this thread: ext4
            # would otherwise allocate the blocks of the whole file when it is closed
            # (it does for a file that replaces another), 0.13 s at the very end of
            # `map` for the benchmark panel's 278 MB
            with suppress(OSError):  # only a hint
                os.posix_fadvise(self._fd, pos, len(part.body), os.POSIX_FADV_DONTNEED)

    def _write(self, data: Any, pos: int | None = None) -> None:
        view = memoryview(data).cast("B")
        at = self._pos if pos is None else pos
        while len(view):
            written = os.pwrite(self._fd, view, at)
            view = view[written:]
            at += written
        if pos is None:
            self._pos = at

    def append(self, part: Part) -> None:
        """Append the row groups of ``part``."""
        self.write_at(part, self.place(self._placed, part))

    def _record(self, part: Part) -> None:
        footer = part.footer
        fixed = self._file_level(footer)
        if self._first is None:
            self._first, self._fixed = footer, fixed
        elif fixed != self._fixed:
            raise ValueError(f"{self.path}: a part's schema or file metadata differs from "
                             "the first part's")
        delta = self._pos - len(MAGIC)
        groups = _get(footer, _FILE_ROW_GROUPS)
        for group in (groups[2][1] if groups is not None else []):
            _move(group, (_GROUP_FILE_OFFSET,), delta)
            ordinal = _get(group, _GROUP_ORDINAL)
            if ordinal is not None:
                ordinal[2] = len(self._groups)
            columns = _get(group, _GROUP_COLUMNS)
            for chunk in (columns[2][1] if columns is not None else []):
                if _get(chunk, _CHUNK_CRYPTO) or _get(chunk, _CHUNK_ENCRYPTED_META):
                    raise ValueError("encrypted column chunks are not assembled")
                if _get(chunk, _CHUNK_OFFSET_INDEX) or _get(chunk, _CHUNK_COLUMN_INDEX):
                    raise ValueError("parts with page indexes are not assembled (their "
                                     "page locations are positions in the part)")
                _move(chunk, (_CHUNK_FILE_OFFSET,), delta)
                meta = _get(chunk, _CHUNK_META)
                if meta is not None:
                    _move(meta[2], _META_OFFSETS, delta)
            self._groups.append(group)
        self._rows += part.num_rows

    @staticmethod
    def _file_level(footer: list[list[Any]]) -> bytes:
        out = _Writer()
        out.struct([f for f in footer if f[0] not in (_FILE_NUM_ROWS, _FILE_ROW_GROUPS)])
        return bytes(out.out)

    def close(self) -> None:
        """Write the footer and close the file (no part: no file content is valid)."""
        if self._file.closed:
            return
        try:
            if self._first is None:
                raise ValueError(f"{self.path}: no part was appended")
            fields = []
            for field in self._first:
                if field[0] == _FILE_NUM_ROWS:
                    field = [field[0], field[1], self._rows]
                elif field[0] == _FILE_ROW_GROUPS:
                    field = [field[0], field[1], (_STRUCT, self._groups)]
                fields.append(field)
            out = _Writer()
            out.struct(fields)
            out.out += struct.pack("<I", len(out.out)) + MAGIC
            self._write(out.out)
        finally:
            self._file.close()

    def abandon(self) -> None:
        """Close without a footer (the caller removes the file)."""
        self._file.close()

    def __enter__(self) -> Assembly:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:
            self.abandon()
