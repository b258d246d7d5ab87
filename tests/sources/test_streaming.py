"""The streamed readers: cut-short files refused with their line, garbage shown in
one short line, and peak memory a small multiple of the file (issue 14.9)."""

import importlib.util
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from clusteratlas.errors import SourceError
from clusteratlas.service.imports import parse_file
from clusteratlas.sources.cbp import read_cbp
from clusteratlas.sources.eurostat import read_sdmx_csv, read_tsv
from clusteratlas.sources.genesis import read_table_csv
from clusteratlas.sources.genesis_ffcsv import read_ffcsv

ROOT = Path(__file__).resolve().parents[2]
TABLES = "data/de_genesis/tabellen_csv_regionalstatistik"
TSV = "data/eurostat/nama_10r_3empers_excerpt_datacommons_sample.tsv"
CBP = ('fipstate,fipscty,naics,emp_nf,emp,qp1_nf,qp1,ap_nf,ap,est\n'
       '"01","001","------","G",10453,"G",1,"G",1,817\n'
       '"01","001","31----","D",0,"D",0,"D",0,12\n'
       '"01","003","3361//","H",250,"H",1,"H",1,3\n')
SDMX = ("DATAFLOW,LAST UPDATE,freq,unit,wstatus,nace_r2,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
        "ESTAT:NAMA_10R_3EMPERS(1.0),22/05/26 11:00:00,A,THS,EMP,C,DE123,2021,41.28,p\n"
        "ESTAT:NAMA_10R_3EMPERS(1.0),22/05/26 11:00:00,A,THS,EMP,C,DE124,2021,12.5,\n")


def one_short_line(message: str, limit: int = 300) -> None:
    """One line (by any line break a terminal or ``splitlines`` knows), every byte of
    the offending text escaped, and short."""
    assert len(message.splitlines()) == 1, message
    assert message.isprintable(), message
    assert len(message) < limit, message


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# -- CBP ---------------------------------------------------------------------------------
def test_cbp_cut_in_the_middle_of_a_line_is_refused_with_its_line(tmp_path):
    path = write(tmp_path, "cbp18co.txt", CBP[:-20])  # the last record keeps 4 fields
    with pytest.raises(SourceError, match=r"cbp18co.txt, line 4: 4 fields, expected 10 – the line is cut short"):
        read_cbp(path)


def test_cbp_cut_in_the_last_field_is_refused(tmp_path):
    path = write(tmp_path, "cbp18co.txt", CBP[:-2])  # '3' of est cut, no line end
    with pytest.raises(SourceError, match=r"line 4: the last line has no line end – the file "
                                          "is truncated"):
        read_cbp(path)


def test_cbp_garbage_gives_one_short_line(tmp_path):
    rng = random.Random(9)
    garbage = CBP.encode() + bytes(rng.randrange(256) for _ in range(4000))
    path = write(tmp_path, "cbp18co.txt", garbage)
    with pytest.raises(SourceError) as info:
        read_cbp(path)
    message = str(info.value)
    one_short_line(message)
    assert "cbp18co.txt, line 5" in message


def test_cbp_garbage_header_gives_one_short_line(tmp_path):
    rng = random.Random(3)
    path = write(tmp_path, "cbp18co.txt", bytes(rng.randrange(256) for _ in range(3000)))
    with pytest.raises(SourceError) as info:
        read_cbp(path)
    one_short_line(str(info.value))


def test_cbp_garbage_in_a_number_names_line_and_field(tmp_path):
    path = write(tmp_path, "cbp18co.txt", CBP.replace("250", "2\x00\xff" * 40))
    with pytest.raises(SourceError, match=r"line 4: emp '2\\x00") as info:
        read_cbp(path)
    one_short_line(str(info.value))


@pytest.mark.parametrize(("state", "county"), [("|", "001"), ("0|1", "001"), ("01", "|")])
def test_cbp_separator_inside_a_fips_field_is_one_line(tmp_path, state, county):
    """Found by the fuzzer: a "|" inside a FIPS field broke the reader with a ValueError."""
    path = write(tmp_path, "cbp18co.txt", CBP.replace('"01","003"', f'"{state}","{county}"'))
    with pytest.raises(SourceError, match=r"line 4: FIPS .* is not numeric") as info:
        read_cbp(path)
    one_short_line(str(info.value))


# -- Eurostat ----------------------------------------------------------------------------
def test_eurostat_tsv_cut_short_is_refused(shared, tmp_path):
    text = (shared / TSV).read_bytes()
    path = write(tmp_path, "cut.tsv", text[: text.rindex(b"\t") - 3])
    with pytest.raises(SourceError, match=r"cut.tsv, line 10: \d+ fields, expected 29"):
        read_tsv(path)
    path = write(tmp_path, "cut2.tsv", text[:-1])
    with pytest.raises(SourceError, match="line 10: the last line has no line end"):
        read_tsv(path)


def test_eurostat_tsv_bad_cell_names_line_and_column(shared, tmp_path):
    text = (shared / TSV).read_text(encoding="utf-8").split("\n")
    cells = text[3].split("\t")
    cells[5] = "x" * 500
    text[3] = "\t".join(cells)
    path = write(tmp_path, "bad.tsv", "\n".join(text))
    with pytest.raises(SourceError, match=r"bad.tsv, line 4, column 6: 'xxx") as info:
        read_tsv(path)
    one_short_line(str(info.value))


def test_sdmx_cut_short_is_refused(tmp_path):
    path = write(tmp_path, "cut.csv", SDMX[:-12])
    with pytest.raises(SourceError, match=r"cut.csv, line 3: 7 fields, expected 10"):
        read_sdmx_csv(path)
    path = write(tmp_path, "cut2.csv", SDMX[:-1])
    with pytest.raises(SourceError, match="line 3: the last line has no line end"):
        read_sdmx_csv(path)


# -- GENESIS -----------------------------------------------------------------------------
def ffcsv_text(shared):
    return next((shared / "data/de_genesis/ffcsv_api").glob("13111-0005_*_de_flat.csv")
                ).read_bytes()


def test_ffcsv_cut_short_is_refused(shared, tmp_path):
    raw = ffcsv_text(shared)
    path = write(tmp_path, "13111-0005_1_de_flat.csv", raw[: len(raw) // 2])
    with pytest.raises(SourceError, match=r"flat.csv, line \d+: (\d+ fields, expected 17|"
                                          "the last line has no line end)"):
        read_ffcsv(path)
    path = write(tmp_path, "13111-0005_2_de_flat.csv", raw[:-1])
    with pytest.raises(SourceError, match="line 385: the last line has no line end"):
        read_ffcsv(path)


def test_ffcsv_cut_at_a_line_end_keeps_every_complete_row(shared, tmp_path):
    raw = ffcsv_text(shared)
    lines = raw.split(b"\n")
    path = write(tmp_path, "13111-0005_3_de_flat.csv", b"\n".join(lines[:101]) + b"\n")
    assert len(read_ffcsv(path).frame) == 100


def genesis_copy(shared, tmp_path, transform):
    raw = (shared / TABLES / "13111-07-05-4_2018.csv").read_bytes()
    return write(tmp_path, "t.csv", transform(raw))


def test_genesis_table_cut_in_the_footer_is_refused(shared, tmp_path):
    path = genesis_copy(shared, tmp_path, lambda raw: raw[: raw.index(b"Stand:")])
    with pytest.raises(SourceError, match="no 'Stand:' line – the file is truncated"):
        read_table_csv(path)


def test_genesis_table_short_data_line_is_refused_with_its_line(shared, tmp_path):
    path = genesis_copy(shared, tmp_path, lambda raw: raw.replace(
        b"DG;Deutschland;Verarbeitendes Gewerbe (C);6930836;", b"DG;Deutschland;", 1))
    with pytest.raises(SourceError, match=r"t.csv, line 15: 7 fields, expected 9"):
        read_table_csv(path)


def test_genesis_table_garbage_line_gives_one_short_line(shared, tmp_path):
    rng = random.Random(5)
    junk = bytes(rng.randrange(32, 256) for _ in range(3000)).replace(b";", b"")
    path = genesis_copy(shared, tmp_path, lambda raw: raw.replace(
        b"DG;Deutschland;Verarbeitendes", junk + b";Verarbeitendes", 1))
    with pytest.raises(SourceError) as info:
        read_table_csv(path)
    one_short_line(str(info.value))


def test_frames_are_compact(shared):
    frame = read_table_csv(shared / TABLES / "13111-07-05-4_2018.csv").frame
    for name in ("region", "region_name", "industry", "industry_label", "status", "level"):
        assert str(frame[name].dtype) == "category", name
    assert frame["value"].dtype == np.float64
    # categories sorted, so sorting by a text column sorts as the text would
    assert list(frame["region"].cat.categories) == sorted(frame["region"].cat.categories)


# -- memory ------------------------------------------------------------------------------
def _bench():
    spec = importlib.util.spec_from_file_location("bench_imports", ROOT / "bench/imports.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("fmt", ["genesis-table", "genesis-ffcsv", "eurostat-tsv",
                                 "eurostat-sdmx", "cbp"])
def test_peak_memory_is_a_small_multiple_of_the_file(tmp_path, fmt):
    """Peak RSS growth of a read (VmHWM), in a fresh interpreter, over the baseline after the
    imports and a warm-up read: at most 4 times the file size (the old Eurostat TSV
    reader needed about 70 times)."""
    bench = _bench()
    big, small = tmp_path / bench.NAMES[fmt], tmp_path / f"small_{bench.NAMES[fmt]}"
    bench.generate(fmt, small, 20_000)
    bench.generate(fmt, big, 24_000_000)
    result = bench.measure(fmt, big, small, ROOT / "src")
    assert result["rows"] > 50_000
    print(fmt, result)
    assert result["ratio"] <= 4.0, result


def test_bench_child_reads_with_this_tree():
    """The memory test measures this checkout's readers, not an installed copy."""
    out = subprocess.run([sys.executable, "-c", "import clusteratlas.sources.streaming as s;"
                          "print(s.__file__)"], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""})
    assert out.stdout.strip().startswith(str(ROOT / "src"))


def test_parse_file_output_matches_reader(shared):
    parsed = parse_file("genesis-table", shared / TABLES / "13111-07-05-4_2018.csv")
    assert parsed.labels["C"] == "Verarbeitendes Gewerbe (C)"
    assert str(parsed.frame["measure"].dtype) == "category"
    assert set(parsed.frame["measure"]) == {"employment"}
