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


def test_map_reads_the_file_once_and_maps_it(tmp_path, capsys):
    parquet = panel_file(tmp_path / "p.parquet")
    out = tmp_path / "o.parquet"
    assert main(["map", str(parquet), "--out", str(out), "--min-employment", "0"]) == 0
    cells = pq.read_table(out).to_pandas()
    # LQ of region 1, industry 7: (5/11) / (12/27)
    lq = cells.loc[(cells["region"] == "1") & (cells["category"] == "7"), "lq"].item()
    assert np.isclose(lq, (5 / 11) / (12 / 27), rtol=1e-15)
