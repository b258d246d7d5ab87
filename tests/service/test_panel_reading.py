"""The panel file read while ``map`` starts (service/panel_reading.py, issue 17.2)."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clusteratlas.cli.main import main
from clusteratlas.errors import SourceError
from clusteratlas.service.panel_reading import start_reading


def panel_file(path):
    pq.write_table(pa.table({
        "region": pa.array([1, 1, 2, 2], pa.int32()), "industry": pa.array([7, 8, 7, 8]),
        "year": pa.array([2020] * 4, pa.int16()), "employment": pa.array([5, 6, 7, 9])}), path)
    return path


def test_reads_only_what_the_duckdb_engine_reads_through_arrow(tmp_path):
    parquet = panel_file(tmp_path / "p.parquet")
    (tmp_path / "p.csv").write_text("region,industry,year,employment\n1,7,2020,5\n")
    assert start_reading(tmp_path / "p.csv", "duckdb") is None
    assert start_reading(parquet, "spark") is None
    assert start_reading(tmp_path / "missing.parquet", "duckdb") is None
    table = start_reading(parquet, "duckdb").table()
    # integer codes become text codes, as the engine's scan gives them
    assert table.column("region").type == pa.dictionary(pa.int32(), pa.string())
    assert table.column("region").to_pylist() == ["1", "1", "2", "2"]


def test_a_read_error_is_raised_in_the_callers_thread(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not a parquet file")
    pending = start_reading(bad, None)
    with pytest.raises(SourceError, match="cannot be read as Parquet"):
        pending.table()


def test_map_of_a_broken_parquet_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not a parquet file")
    assert main(["map", str(bad), "--out", str(tmp_path / "o.parquet")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"Error: {bad}: cannot be read as Parquet")
    assert not list(tmp_path.glob("o*"))


def test_map_reads_the_file_once_and_maps_it(tmp_path, capsys, monkeypatch):
    from clusteratlas.engines.ibis_engine import IbisEngine

    def no_second_read(*args, **kwargs):
        raise AssertionError("the engine read the file again")

    monkeypatch.setattr(IbisEngine, "scan", no_second_read)
    parquet = panel_file(tmp_path / "p.parquet")
    out = tmp_path / "o.parquet"
    assert main(["map", str(parquet), "--out", str(out), "--min-employment", "0"]) == 0
    cells = pq.read_table(out).to_pandas()
    # LQ of region 1, industry 7: (5/11) / (12/27)
    lq = cells.loc[(cells["region"] == "1") & (cells["category"] == "7"), "lq"].item()
    assert np.isclose(lq, (5 / 11) / (12 / 27), rtol=1e-15)


def test_a_command_failing_while_the_file_is_read_exits_cleanly(tmp_path):
    """An error after the read has started (here a bad option, checked once the
    libraries are imported) waits for the reader instead of ending the interpreter
    under it: exit code 2 and one line, every time."""
    import subprocess
    import sys

    rng = np.random.default_rng(1)
    n = 2_000_000
    big = tmp_path / "big.parquet"
    pq.write_table(pa.table({"region": pa.array(rng.integers(0, 400, n), pa.int32()),
                             "industry": pa.array(rng.integers(0, 900, n), pa.int32()),
                             "year": pa.array(np.full(n, 2020), pa.int16()),
                             "employment": pa.array(rng.integers(1, 99, n), pa.int32())}), big)
    for _ in range(3):
        done = subprocess.run([sys.executable, "-m", "clusteratlas", "map", str(big), "--out",
                               str(tmp_path / "o.parquet"), "--span", "0"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1
        assert "span" in done.stderr
