"""One pipeline: the CLI's ``map`` and the API's ``/api/map`` give the same numbers for
the same panel and options, and the web atlas maps with :class:`MappingOptions`."""

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clusteratlas
from clusteratlas import reference
from clusteratlas.cli.main import main
from clusteratlas.model import TOTAL_CODE, Panel
from clusteratlas.service import maps
from clusteratlas.service.atlas import category_indicators, open_atlas
from clusteratlas.service.mapping import MappingOptions
from clusteratlas.store import StatsStore

CATEGORIES = Path(clusteratlas.__file__).parent / "data" / "categories" / "clusteratlas_wz2008.yaml"


@pytest.fixture(scope="module")
def raw(demo_dir):
    return StatsStore(demo_dir.stats_file).read_snapshot()["observations"]


def test_cli_map_equals_api_map(demo_dir, client, raw, tmp_path, capsys):
    panel = tmp_path / "panel.csv"
    raw[["region", "industry", "year", "employment", "establishments", "flag"]].to_csv(
        panel, index=False)
    out = tmp_path / "cells.csv"
    assert main(["map", str(panel), "--categories", str(CATEGORIES), "--out", str(out)]) == 0
    capsys.readouterr()
    cli = pd.read_csv(out, dtype={"region": str, "category": str}).set_index(
        ["region", "category", "year"])
    years = sorted(cli.index.get_level_values("year").unique())
    compared = 0
    for cat in reference.default_categories().categories:
        for year in years:
            body = client.get(f"/api/map?category={cat.code}&year={year}").json()
            assert body["year"] == year
            for feature in body["regions"]:
                row = cli.loc[(feature["code"], cat.code, year)]
                for api_name, cli_name in (("lq", "lq"), ("employment", "employment"),
                                           ("share_of_region", "share_of_region"),
                                           ("growth", "cagr"), ("stars", "stars"),
                                           ("strong", "strong")):
                    expected = row[cli_name]
                    got = feature[api_name]
                    if api_name == "growth" and year - 5 < years[0]:
                        # before a five-year span fits, the map's growth spans the years
                        # since the panel's first (stated as growth_span)
                        assert body["growth_span"] == ([years[0], year] if year > years[0]
                                                       else None)
                        first = cli.loc[(feature["code"], cat.code, years[0]), "employment"]
                        expected = ((row["employment"] / first) ** (1 / (year - years[0])) - 1
                                    if year > years[0] and first > 0 else float("nan"))
                        if pd.isna(expected):
                            assert got is None
                        else:
                            assert got == pytest.approx(expected, rel=1e-12)
                        continue
                    if pd.isna(expected):
                        assert got is None, (feature["code"], cat.code, year, api_name)
                    else:  # identical numbers, not merely close ones
                        assert got == expected, (feature["code"], cat.code, year, api_name)
                compared += 1
    assert compared == len(cli) == 44 * 16 * len(years)


def in_category(code, category):
    """Membership written out longhand (as in tests/service/test_atlas.py)."""
    wz = reference.wz2008()
    cat = reference.default_categories()[category]
    inside = any(wz.is_within(code, inc) for inc in cat.include)
    outside = any(wz.is_within(code, exc) or wz.is_within(exc, code) for exc in cat.exclude)
    return inside and not outside


def test_web_atlas_maps_against_a_reference_region(demo_dir, raw):
    atlas = open_atlas(demo_dir, MappingOptions(reference="08111"))
    assert "08111" not in set(atlas.indicators["region"])
    stated = maps.state_map(atlas, category="aerospace")["reference"]
    assert (stated["code"], stated["basis"]) == ("08111", "row")
    # LQ written out longhand against Stuttgart's own employment
    rows = raw[raw["year"] == 2024]
    cells = rows[rows["industry"] != TOTAL_CODE]
    inside = cells["industry"].map(lambda code: in_category(code, "aerospace"))
    totals = rows[rows["industry"] == TOTAL_CODE].set_index("region")["employment"]
    e_rc = cells[inside & (cells["region"] == "08435")]["employment"].sum()
    e_ref_c = cells[inside & (cells["region"] == "08111")]["employment"].sum()
    expected = (e_rc / totals["08435"]) / (e_ref_c / totals["08111"])
    ind = atlas.indicators
    got = ind[(ind["region"] == "08435") & (ind["category"] == "aerospace")
              & (ind["year"] == 2024)]["lq"].iloc[0]
    assert got == pytest.approx(expected, rel=1e-12)


def test_absent_cells_have_no_row_not_lq_zero():
    # 08435 has no row in industry 62 (software): its LQ is unknown, not 0
    frame = pd.DataFrame({
        "region": ["08111", "08111", "08435", "08111", "08435"],
        "industry": ["28.1", "62", "28.1", TOTAL_CODE, TOTAL_CODE],
        "year": [2020] * 5, "employment": [30.0, 70.0, 40.0, 100.0, 50.0]})
    ind = category_indicators(Panel.from_frame(frame), reference.default_categories())
    assert ind[(ind["region"] == "08435") & (ind["category"] == "it_software")].empty
    assert len(ind) == 3
    assert not (ind["lq"] == 0).any()
    # what is there: LQ against the two regions' published totals
    row = ind[(ind["region"] == "08435") & (ind["category"] == "machinery")].iloc[0]
    assert row["lq"] == pytest.approx((40 / 50) / (70 / 150))
    assert row["share_of_region"] == pytest.approx(0.8)


def test_options_are_one_checked_value(tmp_path):
    from clusteratlas.errors import ConfigError, InputError
    from clusteratlas.service.mapping import map_panel

    frame = pd.DataFrame({
        "region": ["DG", "DG", "08111", "08111", "08435", "08435"],
        "industry": ["C", TOTAL_CODE, "C", TOTAL_CODE, "C", TOTAL_CODE],
        "year": [2020] * 6, "employment": [200.0, 1000.0, 40.0, 100.0, 5.0, 50.0]})
    panel = Panel.from_frame(frame)
    by_pattern = map_panel(panel, None, MappingOptions(reference="DG", regions=r"08\d{3}"))
    by_codes = map_panel(panel, None, MappingOptions(reference="DG", regions=("08111", "08435")))
    pd.testing.assert_frame_equal(by_pattern.cells, by_codes.cells)
    lq = by_codes.cells.assign(region=lambda c: c["region"].astype(str)).set_index("region")["lq"]
    assert lq["08111"] == pytest.approx((40 / 100) / (200 / 1000))
    with pytest.raises(ConfigError, match="is not one of total, traded, local"):
        MappingOptions(denominator="export")
    with pytest.raises(ConfigError, match="not a regular expression"):
        MappingOptions(regions="08[")
    with pytest.raises(InputError, match="span=0"):
        MappingOptions(span=0)
    options = MappingOptions(reference="DG")
    assert options == MappingOptions(reference="DG")
    assert {options: 1}[MappingOptions(reference="DG")] == 1  # frozen: usable as a cache key


# -- byte-equal output (issue 17.2): the optimised pipeline writes what the original did --

GOLDEN = Path(__file__).with_name("map_output_golden.json")


def gen_emp(regions=3000, industries=1000, years=10, pair_frac=0.3158, keep=0.95, seed=42):
    """The panel of ``shared/bench/gen_emp.py`` (same draws in the same order), as arrays."""
    rng = np.random.default_rng(seed)
    lrs = rng.normal(0.0, 1.2, regions)
    lis = rng.normal(0.0, 1.0, industries)
    score = lrs[:, None] + lis[None, :] + rng.gumbel(0, 1.5, (regions, industries))
    present = (np.ones((regions, industries), bool) if pair_frac >= 1.0
               else score >= np.quantile(score, 1 - pair_frac))
    rr, ii = np.nonzero(present)
    base = 2.0 + 0.6 * lrs[rr] + 0.6 * lis[ii] + rng.normal(0, 1.0, rr.size)
    steps = rng.normal(0.01, 0.10, (years, rr.size)).cumsum(axis=0)
    cols = {"region": [], "industry": [], "year": [], "employment": []}
    for y in range(years):
        kept = rng.random(rr.size) < keep
        cols["region"].append(rr[kept].astype(np.int32))
        cols["industry"].append(ii[kept].astype(np.int32))
        cols["year"].append(np.full(kept.sum(), 2014 + y, np.int16))
        cols["employment"].append(np.maximum(1, np.rint(np.exp(base[kept] + steps[y, kept])))
                                  .astype(np.int32))
    return {k: np.concatenate(v) for k, v in cols.items()}


def golden_panels(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    """The panels of the byte-equal check and the ``map`` options each is run with."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # the benchmark panel's first 100,000 rows (integer codes, as gen_emp writes them)
    bench = {k: v[:100_000] for k, v in gen_emp().items()}
    pq.write_table(pa.table(bench), folder / "bench.parquet")
    # a small panel of the same kind over ten years (so that every change is computed),
    # with text codes, establishments, suppressed cells and published totals
    small = gen_emp(regions=200, industries=60, seed=7)
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({
        "region": np.char.add("08", np.char.zfill(small["region"].astype(str), 3)),
        "industry": np.char.zfill(small["industry"].astype(str), 4),
        "year": small["year"].astype(np.int64),
        "employment": small["employment"].astype(float)})
    frame["establishments"] = np.maximum(1, np.round(frame["employment"] / 15))
    frame["flag"] = np.where(rng.random(len(frame)) < 0.02, "suppressed", "reported")
    frame.loc[frame["flag"] == "suppressed", "employment"] = np.nan
    totals = (frame.groupby(["region", "year"], as_index=False)["employment"].sum()
              .assign(industry=TOTAL_CODE, flag="reported"))
    totals["employment"] = np.round(totals["employment"] * 1.1)
    frame = pd.concat([frame, totals], ignore_index=True)
    frame.to_csv(folder / "small.csv", index=False)
    # the original pipeline applied the published relative rules alone: no size floor
    return {"bench": (folder / "bench.parquet", ["--min-employment", "0"]),
            "small": (folder / "small.csv", ["--details", "--min-employment", "0"])}


def output_digests(folder: Path, only: set[str] | None = None) -> dict[str, str]:
    """sha256 of every file ``map`` writes for the golden panels, CSV and Parquet.

    CSV files are hashed as bytes.  Parquet files are hashed by their decoded content
    (names, types, validity and every value's bits), which does not depend on the
    pyarrow version that wrote them; the raw bytes are checked as well when the
    versions match those of the golden."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    digests = {}
    for name, (panel, options) in golden_panels(folder).items():
        if only is not None and name not in only:
            continue
        for ext in ("csv", "parquet"):
            out = folder / f"{name}-out.{ext}"
            assert main(["map", str(panel), "--out", str(out), *options]) == 0
            for path in sorted(folder.glob(f"{name}-out.*{ext}")):
                key = f"{name}/{path.name}"
                if ext == "csv":
                    digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
                    continue
                digests[key + "#bytes"] = hashlib.sha256(path.read_bytes()).hexdigest()
                h = hashlib.sha256()
                table = pq.read_table(path)
                for field, column in zip(table.schema, table.columns, strict=True):
                    col = column.combine_chunks()
                    h.update(f"{field.name}:{field.type}".encode())
                    h.update(np.asarray(col.is_null()).tobytes())
                    if pa.types.is_dictionary(col.type):
                        col = col.cast(col.type.value_type)
                    if pa.types.is_string(col.type):
                        h.update("\0".join(col.fill_null("").to_pylist()).encode())
                    else:
                        h.update(np.asarray(col.fill_null(pa.scalar(0).cast(col.type))).tobytes())
                digests[key] = h.hexdigest()
    return digests


def test_map_output_is_byte_identical_to_the_original_pipeline(tmp_path, capsys):
    import json

    import pyarrow

    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = output_digests(tmp_path)
    capsys.readouterr()
    same_writer = (golden["versions"] == {"pyarrow": pyarrow.__version__,
                                          "pandas": pd.__version__})
    expected = {k: v for k, v in golden["digests"].items()
                if same_writer or not k.endswith("#bytes")}
    assert {k: got[k] for k in expected} == expected
    assert len(expected) >= 12


def test_the_kernels_python_twins_write_the_same_bytes(tmp_path, capsys, monkeypatch):
    """On a fresh install small panels run the kernels' Python twins instead of
    compiling them (core/_jit.py, issue 17.4): the output is the golden one, bit for bit."""
    import json

    import pyarrow

    from clusteratlas.core import _jit

    used: list[str] = []
    twin = _jit.python_twin

    def recording_twin(kernel):
        used.append(kernel.py_func.__name__)
        return twin(kernel)

    monkeypatch.setattr(_jit, "_warm", lambda kernel: False)  # as with an empty cache
    monkeypatch.setattr(_jit, "python_twin", recording_twin)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = output_digests(tmp_path, only={"small"})
    capsys.readouterr()
    same_writer = (golden["versions"] == {"pyarrow": pyarrow.__version__,
                                          "pandas": pd.__version__})
    expected = {k: v for k, v in golden["digests"].items() if k.startswith("small/")
                and (same_writer or not k.endswith("#bytes"))}
    assert len(expected) >= 4
    assert {k: got[k] for k in expected} == expected
    assert {"_aggregate_rows", "_cells", "_columns", "_summaries"} <= set(used)


def test_cells_computed_chunk_by_chunk_while_written_are_the_golden_ones(tmp_path, capsys,
                                                                         monkeypatch):
    """Large cell tables are computed in chunks by a background thread and written row
    group by row group as the chunks are done (issue 17.2): with chunks far smaller
    than the panels, every value is the golden one (only the row groups, hence the
    raw bytes, differ)."""
    import json

    from clusteratlas.core import mapping as core_mapping

    monkeypatch.setattr(core_mapping, "CHUNK", 7_000)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = output_digests(tmp_path)
    capsys.readouterr()
    expected = {k: v for k, v in golden["digests"].items() if not k.endswith("#bytes")}
    assert {k: got[k] for k in expected} == expected
    import pyarrow.parquet as pq

    assert pq.ParquetFile(tmp_path / "bench-out.parquet").metadata.num_row_groups > 5


def test_an_error_while_cells_are_computed_reaches_the_reader():
    from clusteratlas.core.mapping import _Filling

    done: list[tuple[int, int]] = []

    def compute(first, stop):
        if first >= 6:
            raise MemoryError("no room for the cells")
        done.append((first, stop))

    filling = _Filling(10, compute, 3)
    filling.wait(6)  # the first two chunks are there
    with pytest.raises(MemoryError, match="no room"):
        filling.wait()
    assert done == [(0, 3), (3, 6)]


@pytest.fixture
def thread_names(monkeypatch) -> list[str]:
    """The names of the threads started while the test runs, in order."""
    started = threading.Thread.start
    names: list[str] = []

    def recording_start(thread):
        names.append(thread.name)
        return started(thread)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    return names


def test_streamed_cells_on_one_thread_are_the_golden_ones(tmp_path, capsys, monkeypatch,
                                                          thread_names):
    """With one thread (``NUMBA_NUM_THREADS=1``) a streamed cell table is computed
    chunk by chunk in the writer's own thread, with no background thread: the same
    values."""
    import json

    from clusteratlas.core import _threads
    from clusteratlas.core import mapping as core_mapping

    monkeypatch.setattr(core_mapping, "CHUNK", 7_000)
    monkeypatch.setattr(_threads, "n_threads", lambda: 1)
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    got = output_digests(tmp_path, only={"bench"})
    capsys.readouterr()
    expected = {k: v for k, v in golden["digests"].items()
                if k.startswith("bench/") and not k.endswith("#bytes")}
    assert len(expected) >= 3
    assert {k: got[k] for k in expected} == expected
    # computed and written in the caller's thread
    assert not {"clusteratlas-cells", "clusteratlas-write-cells"} & set(thread_names)


def test_row_groups_encoded_on_several_threads_give_the_same_bytes(tmp_path, capsys,
                                                                   monkeypatch, thread_names):
    """The streamed cell table's row groups are encoded on every thread and assembled
    into one file (service/parquet_assembly.py, issue 17.2): byte for byte the file
    one writer gives, here with chunks far smaller than the panel (many row groups)."""
    from clusteratlas.core import _threads
    from clusteratlas.core import mapping as core_mapping

    monkeypatch.setattr(core_mapping, "CHUNK", 7_000)
    monkeypatch.setattr(_threads, "n_threads", lambda: 2)
    (tmp_path / "two").mkdir()
    (tmp_path / "one").mkdir()
    parallel = output_digests(tmp_path / "two", only={"bench"})
    assert any(name.startswith("clusteratlas-encode") for name in thread_names)
    thread_names.clear()
    monkeypatch.setattr(_threads, "n_threads", lambda: 1)
    single = output_digests(tmp_path / "one", only={"bench"})
    capsys.readouterr()
    assert not any(name.startswith("clusteratlas-encode") for name in thread_names)
    assert parallel == single
    assert "bench/bench-out.parquet#bytes" in parallel


def test_streamed_rows_are_held_until_released():
    """A streamed cell table holds ``ring`` chunks: a reader (the writer, encoding
    several row groups at once) keeps the rows it read until it releases them, may
    not run further ahead, and may not go back."""
    from clusteratlas.core.mapping import _Filling, _StreamedColumns

    computed: list[int] = []
    filling = _Filling(10, lambda first, stop: computed.append(first), 2, ring=3,
                       background=False)
    columns = _StreamedColumns(["a"], filling,
                               lambda first, stop, names: {"a": list(range(first, stop))})
    assert columns.held == 3
    assert columns.rows(0, 2, ["a"]) == {"a": [0, 1]}
    columns.rows(2, 4, ["a"])
    columns.rows(4, 6, ["a"])
    with pytest.raises(RuntimeError, match="release the rows before 2"):
        columns.rows(6, 8, ["a"])
    columns.release(2)
    assert columns.rows(6, 8, ["a"]) == {"a": [6, 7]}
    with pytest.raises(RuntimeError, match="no longer held"):
        columns.rows(0, 2, ["a"])
    assert computed == [0, 2, 4, 6]


def test_a_row_group_that_fails_to_encode_fails_the_map_with_its_own_error(tmp_path,
                                                                          monkeypatch):
    """A part that cannot be encoded (here: out of memory, the third of many) ends the
    write with that error, not with the later parts' "part 2 failed"; no file is left,
    neither the output nor a temporary one."""
    from clusteratlas.core import _threads
    from clusteratlas.core import mapping as core_mapping
    from clusteratlas.service import mapping as service_mapping
    from clusteratlas.service import parquet_assembly

    monkeypatch.setattr(core_mapping, "CHUNK", 7_000)
    monkeypatch.setattr(_threads, "n_threads", lambda: 4)
    encode = parquet_assembly.encode_part
    calls: list[int] = []
    lock = threading.Lock()

    def failing(table, **options):
        with lock:
            calls.append(len(calls))
            n = len(calls)
        if n == 3:
            raise MemoryError("no room for this row group")
        return encode(table, **options)

    monkeypatch.setattr(parquet_assembly, "encode_part", failing)
    panel, _ = golden_panels(tmp_path)["bench"]
    cube = service_mapping.read_panel(panel)[0]
    result = service_mapping.map_panel(cube, None, service_mapping.MappingOptions())
    out = tmp_path / "out" / "cells.parquet"
    out.parent.mkdir()
    with pytest.raises(MemoryError, match="no room"):
        service_mapping.write_outputs(result, out)
    assert list(out.parent.iterdir()) == []
