"""The panel file read while ``map`` starts (service/panel_reading.py, issue 17.2)."""

import sys

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


def test_a_command_failing_while_the_file_is_read_exits_cleanly(tmp_path, big_panel):
    """An error after the read has started (here a bad option, checked once the
    libraries are imported): exit code 2 and one line, every time (the console script
    ends without waiting for the read; a command run otherwise waits for the reader
    instead of ending the interpreter under it)."""
    import subprocess
    import sys

    big = big_panel(tmp_path / "big.parquet")
    for _ in range(3):
        done = subprocess.run([sys.executable, "-m", "clusteratlas", "map", str(big), "--out",
                               str(tmp_path / "o.parquet"), "--span", "0"],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 2, done.stderr
        assert done.stderr.count("\n") == 1
        assert "span" in done.stderr


@pytest.fixture
def no_prefetch():
    import clusteratlas.service.panel_reading as reading

    reading._prefetched = None
    yield reading
    reading._prefetched = None


@pytest.mark.parametrize("argv", [
    ["map", "P", "--out", "o.parquet"],
    ["map", "--out", "o.parquet", "--details", "P", "--year", "2020"],
    ["map", "--out=o.parquet", "--no-fill-suppressed", "P"],
    ["map", "-o", "o.parquet", "--engine", "duckdb", "P"],
    ["map", "-oo.parquet", "P"],
    ["map", "-oo.parquet", "--plants", "other.parquet", "P"],
])
def test_prefetch_finds_the_panel_of_a_map_command_line(tmp_path, no_prefetch, argv,
                                                        monkeypatch):
    """The console script starts reading ``map``'s panel before it parses the command
    line (cli/launch.py); options and their values, in any order, are skipped."""
    monkeypatch.delenv("CLUSTERATLAS_ENGINE", raising=False)
    monkeypatch.chdir(tmp_path)
    panel_file(tmp_path / "P")  # a Parquet file whatever its name: not prefetched
    panel_file(tmp_path / "other.parquet")
    parquet = panel_file(tmp_path / "p.parquet")
    no_prefetch.prefetch([a.replace("P", "p.parquet") if a == "P" else a for a in argv])
    early = no_prefetch._prefetched
    assert early is not None
    assert early.path.samefile(parquet)
    # the command hands over the same read, once; the next command reads anew
    assert start_reading(parquet, "duckdb") is early
    assert start_reading(parquet, "duckdb") is not early
    assert early.panel(early.path).region_codes == ["1", "2"]


@pytest.mark.parametrize("argv", [
    ["map", "p.parquet", "--out", "o.parquet", "--help"],
    ["map", "p.parquet", "--engine", "spark", "--out", "o.parquet"],
    ["map", "--out", "o.parquet"],
    ["map", "p.csv", "--out", "o.parquet"],
    ["map", "missing.parquet", "--out", "o.parquet"],
    ["brief", "p.parquet"],
    [],
])
def test_prefetch_leaves_other_command_lines_alone(tmp_path, no_prefetch, argv, monkeypatch):
    monkeypatch.chdir(tmp_path)
    panel_file(tmp_path / "p.parquet")
    (tmp_path / "p.csv").write_text("region,industry,year,employment\n1,7,2020,5\n")
    no_prefetch.prefetch(argv)
    assert no_prefetch._prefetched is None


def test_prefetch_follows_the_engine_setting(tmp_path, no_prefetch, monkeypatch):
    monkeypatch.chdir(tmp_path)
    panel_file(tmp_path / "p.parquet")
    monkeypatch.setenv("CLUSTERATLAS_ENGINE", "spark")
    no_prefetch.prefetch(["map", "p.parquet", "--out", "o.parquet"])
    assert no_prefetch._prefetched is None
    monkeypatch.setenv("CLUSTERATLAS_ENGINE", "no such engine")  # the command says so
    no_prefetch.prefetch(["map", "p.parquet", "--out", "o.parquet"])
    assert no_prefetch._prefetched is None


def test_a_read_the_command_does_not_claim_is_dropped(tmp_path, no_prefetch):
    first = panel_file(tmp_path / "a.parquet")
    second = panel_file(tmp_path / "b.parquet")
    no_prefetch.prefetch(["map", str(first), "--out", str(tmp_path / "o.parquet")])
    assert no_prefetch._prefetched is not None
    pending = start_reading(second, "duckdb")
    assert pending is not None
    assert pending.path == second
    assert no_prefetch._prefetched is None


def test_the_prefetched_panel_is_checked_on_the_readers_thread(tmp_path):
    """The console script's read also checks the panel (``check``): the same panel as
    the engine's path builds, and its errors, one line naming the rows, raised in
    the caller's thread."""
    from clusteratlas.errors import InputError
    from clusteratlas.model.panel import Panel
    from clusteratlas.service.panel_reading import PendingRead

    parquet = panel_file(tmp_path / "p.parquet")
    panel = PendingRead(parquet, check=True).panel(parquet)
    want = Panel.from_arrow(start_reading(parquet, "duckdb").table(), source=str(parquet),
                            first_line=1, unit="row", engine="duckdb")
    assert panel.region_codes == want.region_codes == ["1", "2"]
    for name in ("region_idx", "industry_idx", "year", "employment"):
        np.testing.assert_array_equal(getattr(panel, name), getattr(want, name))
    # asked for under another name of the file: not handed over (errors would name it)
    other = tmp_path / "link.parquet"
    other.symlink_to(parquet)
    pending = PendingRead(parquet, check=True)
    assert pending.panel(other) is None
    assert not pending.used

    twice = tmp_path / "twice.parquet"
    pq.write_table(pa.table({"region": ["A", "A"], "industry": ["x", "x"],
                             "year": [2020, 2020], "employment": [1.0, 2.0]}), twice)
    with pytest.raises(InputError, match=r"twice\.parquet, rows 1, 2: duplicate observation"):
        PendingRead(twice, check=True).panel(twice)


def test_prefetch_gives_up_quietly_where_the_command_will_say_what_is_wrong(
        tmp_path, no_prefetch, monkeypatch):
    """A broken settings file or a file name the system refuses: no read ahead and no
    exception; the command line reports the problem itself (one line)."""
    monkeypatch.chdir(tmp_path)
    panel_file(tmp_path / "p.parquet")
    (tmp_path / "clusteratlas.toml").write_text('port = "abc"\n')
    assert no_prefetch.prefetch(["map", "p.parquet", "--out", "o.parquet"]) is False
    (tmp_path / "clusteratlas.toml").write_text("clusteratlas = 5\n")
    assert no_prefetch.prefetch(["map", "p.parquet", "--out", "o.parquet"]) is False
    (tmp_path / "clusteratlas.toml").unlink()
    assert no_prefetch.prefetch(["map", "a" * 300 + ".parquet", "--out", "o.parquet"]) is False
    assert no_prefetch._prefetched is None


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to a child process")
def test_ctrl_c_while_map_starts_ends_it_cleanly(tmp_path, big_panel):
    """Ctrl-C while ``map`` imports on several threads (cli/launch.py) is held back
    until the imports are done (cli/process.py: hold_interrupts): exit code 130, no
    traceback, no process left waiting for an import lock."""
    import signal
    import subprocess
    import time

    big = big_panel(tmp_path / "big.parquet")
    for after in (0.15, 0.3, 0.45):
        proc = subprocess.Popen([sys.executable, "-m", "clusteratlas", "map", str(big), "--out",
                                 str(tmp_path / "o.parquet")], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        time.sleep(after)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "Traceback" not in err
        assert "Exception ignored" not in err
    assert not list(tmp_path.glob("o*"))
