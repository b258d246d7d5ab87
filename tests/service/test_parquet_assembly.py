"""One Parquet file from row groups encoded apart (service/parquet_assembly.py)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clusteratlas.service.parquet_assembly import (
    Assembly,
    _Reader,
    _Writer,
    encode_part,
    file_rows,
    split_file,
)

OPTIONS = {"compression": "snappy", "use_dictionary": ["code"],
           "write_statistics": ["code", "year"], "write_batch_size": 1 << 16}


def table(n: int, seed: int = 0) -> pa.Table:
    rng = np.random.default_rng(seed)
    codes = pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, 40, n).astype(np.int16)),
                                           pa.array([f"DE{i:03d}" for i in range(40)]))
    fields = [pa.field("code", codes.type, nullable=False),
              pa.field("year", pa.int16(), nullable=False),
              pa.field("value", pa.float64(), nullable=False),
              pa.field("flag", pa.bool_(), nullable=False),
              pa.field("note", pa.string())]
    notes = pa.array([None if i % 7 else f"n{i}" for i in range(n)], pa.string())
    return pa.Table.from_arrays(
        [codes, pa.array(rng.integers(2000, 2024, n).astype(np.int16)),
         pa.array(rng.random(n) * 1e4), pa.array(rng.random(n) < 0.3), notes],
        schema=pa.schema(fields, metadata={b"source": b"synthetic test table"}))


def write_whole(t: pa.Table, path, rows: int, **options) -> bytes:
    pq.write_table(t, path, row_group_size=rows, **options)
    return path.read_bytes()


def assemble(t: pa.Table, path, rows: int, threads: int = 2, **options) -> bytes:
    with Assembly(path) as assembly, ThreadPoolExecutor(threads) as pool:
        parts = [pool.submit(encode_part, t.slice(i, rows), row_group_size=rows, **options)
                 for i in range(0, t.num_rows, rows)]
        for part in parts:
            assembly.append(part.result())
    return path.read_bytes()


def test_footer_read_and_written_back_unchanged(tmp_path):
    """The compact-protocol codec reproduces every footer Arrow writes, byte for byte
    (statistics, dictionaries, key-value metadata, column orders, page indexes)."""
    for i, options in enumerate([OPTIONS, {}, {"write_page_index": True},
                                 {"compression": "zstd", "use_dictionary": False}]):
        data = write_whole(table(30_000, i), tmp_path / f"{i}.parquet", 4_000, **options)
        n = int.from_bytes(data[-8:-4], "little")
        footer = data[-8 - n:-8]
        tree = _Reader(footer).struct()
        out = _Writer()
        out.struct(tree)
        assert bytes(out.out) == footer


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_assembled_file_is_the_one_writer_file(tmp_path, threads):
    t = table(50_000)
    whole = write_whole(t, tmp_path / "whole.parquet", 8_192, **OPTIONS)
    assembled = assemble(t, tmp_path / "parts.parquet", 8_192, threads, **OPTIONS)
    assert assembled == whole
    meta = pq.ParquetFile(tmp_path / "parts.parquet").metadata
    assert meta.num_row_groups == 7
    assert meta.num_rows == 50_000
    assert pq.read_table(tmp_path / "parts.parquet").equals(t)


def test_assembled_file_reads_back_in_other_readers(tmp_path):
    """DuckDB reads the assembled file, and Arrow any one of its row groups."""
    import duckdb

    t = table(20_000, 3)
    path = tmp_path / "parts.parquet"
    assemble(t, path, 6_000, **OPTIONS)
    f = pq.ParquetFile(path)
    assert f.read_row_group(2).equals(t.slice(12_000, 6_000))
    query = f"SELECT sum(value), count(*), count(DISTINCT code) FROM read_parquet('{path}')"
    total = duckdb.connect().execute(query).fetchone()
    assert total[1] == 20_000
    assert total[0] == pytest.approx(float(np.sum(t.column("value").to_numpy())), rel=1e-12)
    assert total[2] == len(set(t.column("code").to_pylist()))


def test_parts_with_page_indexes_are_refused(tmp_path):
    """A page index lists its pages by their position in the part; moved into another
    file those would point at the wrong bytes, so such parts are not assembled."""
    part = encode_part(table(1_000), write_page_index=True)
    with Assembly(tmp_path / "indexed.parquet") as assembly, \
            pytest.raises(ValueError, match="page indexes are not assembled"):
        assembly.append(part)


def test_parts_of_another_schema_are_refused(tmp_path):
    other = encode_part(table(100).drop_columns(["note"]))
    with Assembly(tmp_path / "mixed.parquet") as assembly:
        assembly.append(encode_part(table(100)))
        with pytest.raises(ValueError, match="differs from the first part"):
            assembly.append(other)


@pytest.mark.parametrize("rows", [0, 1, 70_001])
def test_file_rows_reads_the_count_arrow_reads(tmp_path, rows):
    path = tmp_path / "t.parquet"
    # many row groups, and metadata (both come after the count in the footer)
    pq.write_table(table(rows), path, row_group_size=997)
    assert file_rows(path) == pq.read_metadata(path).num_rows == rows


def test_file_rows_of_what_is_not_plain_parquet_is_none(tmp_path):
    path = tmp_path / "t.parquet"
    pq.write_table(table(50), path)
    data = path.read_bytes()
    start = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    garbled = data[:start] + b"\xff" * 8 + data[start + 8:]  # the footer's first field
    # field 1 (i32) = 1, then field 2 as a list of doubles with a long-form count
    footer = bytes([0x15, 0x02, 0x19, 0xF7]) + _varint(1 << 40) + b"\x00"
    for name, content in [("empty", b""), ("short", b"PAR1PAR1"),
                          ("csv", b"region,industry,year,employment\n" * 3),
                          ("encrypted", data[:-4] + b"PARE"),  # an encrypted footer
                          ("cut", data[:4] + data[-200:]),  # a length beyond the file
                          ("garbled", garbled),
                          # a list of 2**40 doubles announced in a 20-byte footer
                          ("huge list", b"PAR1" + footer + len(footer).to_bytes(4, "little")
                           + b"PAR1")]:
        broken = tmp_path / f"{name}.parquet"
        broken.write_bytes(content)
        assert file_rows(broken) is None, name


def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    return bytes(out + bytes([n]))


def test_file_rows_reads_the_count_wherever_the_footer_has_it(tmp_path):
    """The count after later fields, and field ids in the long form (Thrift allows
    both; Arrow writes neither)."""
    from clusteratlas.service.parquet_assembly import _I32, _I64, _Writer

    for fields in ([[4, _I32, 7], [3, _I64, 123_456]],  # after a later field: long form
                   [[1, _I32, 2], [3, _I64, 1 << 40]]):
        w = _Writer()
        w.struct(fields)
        data = bytes(w.out)
        path = tmp_path / "t.parquet"
        path.write_bytes(b"PAR1" + data + len(data).to_bytes(4, "little") + b"PAR1")
        assert file_rows(path) == fields[1][2]


def test_not_a_parquet_file_is_refused():
    with pytest.raises(ValueError, match="not a Parquet file"):
        split_file(b"PAR1 and then something else")


def test_parts_placed_by_threads_in_any_order_keep_their_order(tmp_path):
    """Threads finishing out of order wait for their turn (place); the file holds the
    parts in index order."""
    t = table(12_000, 5)
    parts = [encode_part(t.slice(i, 3_000), row_group_size=3_000) for i in range(0, 12_000, 3_000)]
    path = tmp_path / "ordered.parquet"
    with Assembly(path) as assembly:
        def place(index: int) -> None:
            assembly.write_at(parts[index], assembly.place(index, parts[index]))

        threads = [threading.Thread(target=place, args=(i,)) for i in (3, 1, 2, 0)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert pq.read_table(path).equals(t)
    assert path.read_bytes() == write_whole(t, tmp_path / "whole.parquet", 3_000)


def test_a_failed_part_stops_the_later_parts_not_the_earlier_ones(tmp_path):
    """Part 2 fails: part 1, still waiting for its turn, is written; part 3 gives up
    with an error that names part 2's (its cause), so that the caller, reading the
    parts in order, meets part 2's own error first."""
    parts = [encode_part(table(100, i)) for i in range(4)]
    cause = MemoryError("no room for part 2")
    errors: dict[int, BaseException] = {}
    path = tmp_path / "failed.parquet"
    assembly = Assembly(path)

    def place(index: int) -> None:
        try:
            assembly.write_at(parts[index], assembly.place(index, parts[index]))
        except RuntimeError as exc:
            errors[index] = exc

    waiting = [threading.Thread(target=place, args=(i,)) for i in (3, 1)]
    for th in waiting:
        th.start()
    assembly.fail(2, cause)
    place(0)
    for th in waiting:
        th.join(timeout=10)
    assert not any(th.is_alive() for th in waiting)
    assert set(errors) == {3}
    assert "part 2 failed" in str(errors[3])
    assert errors[3].__cause__ is cause
    assembly.close()
    assert pq.read_table(path).equals(pa.concat_tables([table(100, 0), table(100, 1)]))
