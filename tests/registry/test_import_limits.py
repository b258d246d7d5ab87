"""Import files from outside are read within limits (issue 14.5): zip bombs, corrupt or
UTF-16 members, deep JSON and over-long fields are one-line InputErrors naming the
file, member, row and field; a bomb is refused fast and without memory."""

import io
import json
import struct
import time
import tracemalloc
import zipfile

import pytest

from clusteratlas.errors import InputError
from clusteratlas.service.registry.files import Limits
from clusteratlas.service.registry.transfer import export_registry, read_registry


def _zip(members, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _declare(data, size):
    """The zip with every member's uncompressed size rewritten (a lying header)."""
    out = bytearray(data)
    at = 0
    while (at := out.find(b"PK\x03\x04", at)) >= 0:
        out[at + 22:at + 26] = struct.pack("<I", size)
        at += 4
    at = 0
    while (at := out.find(b"PK\x01\x02", at)) >= 0:
        out[at + 24:at + 28] = struct.pack("<I", size)
        at += 4
    return bytes(out)


@pytest.fixture(scope="module")
def bomb():
    """About 60 KiB: one member of 64 MB of zeros."""
    data = _zip({"initiatives.csv": bytes(64 * 1024 * 1024)})
    assert len(data) < 72 * 1024
    return data


@pytest.mark.parametrize("declared", [None, 4_000_000_000, 1000])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_zip_bomb_is_refused_fast_with_flat_memory(bomb, declared, fmt):
    data = bomb if declared is None else _declare(bomb, declared)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        read_registry(data, fmt, "bomb.zip")
    took = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    message = str(exc.value)
    assert "\n" not in message
    assert message.startswith("bomb.zip")
    assert "initiatives.csv" in message
    assert ("uncompressed" in message) if declared != 1000 else ("corrupt" in message)
    assert took < 0.5, took
    assert peak < 8 * 1024 * 1024, peak


def test_a_member_in_utf16_names_file_member_and_row(service):
    z = zipfile.ZipFile(io.BytesIO(export_registry(service, "csv")))
    files = {n: z.read(n) for n in z.namelist()}
    files["regions.csv"] = files["regions.csv"].decode().encode("utf-16")
    with pytest.raises(InputError, match=r"^r\.zip, regions\.csv, row 1: not UTF-8"):
        read_registry(_zip(files), "csv", "r.zip")


def test_a_corrupt_member_is_named(service):
    data = bytearray(export_registry(service, "csv"))
    z = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = z.getinfo("facts.csv")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10:start + 30] = bytes(20)
    with pytest.raises(InputError, match=r"^r\.zip, facts\.csv: the ZIP member is corrupt"):
        read_registry(bytes(data), "csv", "r.zip")


@pytest.mark.parametrize("depth", [40, 200_000])
def test_deep_json_is_refused(depth):
    doc = {"format": "clusteratlas-registry", "initiatives": []}
    text = json.dumps(doc)[:-2] + "[" * depth + "]" * depth + "]}"
    with pytest.raises(InputError, match=r"^x\.json: JSON nested more than 32 levels"):
        read_registry(text.encode(), "json", "x.json")


@pytest.mark.parametrize(("length", "expected"), [
    (30_000, r"row 2, column 4: 30,000 characters, more than 20,000"),
    (300_000, r"row 2: field larger than field limit")])
def test_over_long_csv_fields_name_member_row_and_column(service, length, expected):
    z = zipfile.ZipFile(io.BytesIO(export_registry(service, "csv")))
    files = {n: z.read(n).decode() for n in z.namelist()}
    header = files["initiatives.csv"].splitlines()[0]
    files["initiatives.csv"] = header + "\nx,Name,,\"" + "a" * length + "\"\n"
    with pytest.raises(InputError, match=rf"^r\.zip, initiatives\.csv, {expected}"):
        read_registry(_zip(files), "csv", "r.zip")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_too_many_rows(service, fmt):
    with pytest.raises(InputError, match="more than 5 rows"):
        read_registry(export_registry(service, fmt), fmt, "r", Limits(max_rows=5))


def test_a_file_over_the_size_limit_is_not_read(tmp_path):
    from clusteratlas.service.registry.transfer import read_registry_file

    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(51 * 1024 * 1024)
    with pytest.raises(InputError, match=r"big\.json: 51 MB is more than the 50 MB"):
        read_registry_file(big, "json")
