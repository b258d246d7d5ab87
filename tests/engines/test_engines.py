"""Engine conformance: DuckDB, Spark in local mode and a standalone Spark cluster give
identical mapping (and K-density) results."""

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from clusteratlas.engines import get_engine
from clusteratlas.engines.ibis_engine import replace_table
from clusteratlas.errors import ConfigError, InputError, SchemaError, SourceError
from clusteratlas.service.mapping import map_clusters, write_outputs


def demo_panel(seed=5, n_regions=30, n_ind=12, years=range(2012, 2021)):
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n_regions):
        for i in range(n_ind):
            if rng.random() < 0.6:
                base = rng.lognormal(4, 1.2)
                for y in years:
                    emp = round(base * np.exp(rng.normal(0, 0.05)))
                    suppressed = rng.random() < 0.03
                    rows.append((f"{r:05d}", f"{10 + i}", y, np.nan if suppressed else float(emp),
                                 float(max(1, emp // 12))))
    return pd.DataFrame(rows, columns=["region", "industry", "year", "employment", "establishments"])


@pytest.fixture(scope="module")
def panel_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("panel")
    df = demo_panel()
    df.to_parquet(d / "p.parquet", index=False)
    df.to_csv(d / "p.csv", index=False)
    return d


def comparable(frame):
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str)
    key = [c for c in ("region", "category", "year") if c in out.columns]
    return out.sort_values(key).reset_index(drop=True)


def assert_same(a, b):
    for name in ("cells", "regions", "categories"):
        fa, fb = comparable(getattr(a, name)), comparable(getattr(b, name))
        assert list(fa.columns) == list(fb.columns)
        assert len(fa) == len(fb)
        for col in fa.columns:
            if fa[col].dtype.kind in "fc":
                np.testing.assert_allclose(fa[col].to_numpy(float), fb[col].to_numpy(float),
                                           rtol=1e-9, equal_nan=True, err_msg=f"{name}.{col}")
            else:
                assert (fa[col].to_numpy() == fb[col].to_numpy()).all(), f"{name}.{col}"


def test_csv_and_parquet_agree(panel_files):
    a = map_clusters(panel_files / "p.parquet")
    b = map_clusters(panel_files / "p.csv")
    assert_same(a, b)
    assert a.meta["engine"] == "duckdb"


needs_spark = pytest.mark.skipif(
    shutil.which("java") is None or os.environ.get("CLUSTERATLAS_SKIP_SPARK") == "1",
    reason="Spark needs a Java runtime (none on PATH)",
)


@needs_spark
@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_spark_equals_duckdb(panel_files, fmt):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
    path = panel_files / f"p.{fmt}"
    duck = map_clusters(path, engine="duckdb")
    spark = map_clusters(path, engine="spark")
    assert spark.meta["engine"] == "spark"
    assert_same(duck, spark)


@needs_spark
def test_spark_reports_duplicates(tmp_path):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
    df = demo_panel(n_regions=3, n_ind=3, years=range(2020, 2022))
    df = pd.concat([df, df.iloc[[0]]])
    df.to_parquet(tmp_path / "dup.parquet", index=False)
    with pytest.raises(InputError, match=r"found by the spark engine.*duplicate observation"):
        map_clusters(tmp_path / "dup.parquet", engine="spark")


def test_unknown_engine():
    with pytest.raises(ConfigError, match=r"engine='polars' is not one of duckdb, spark"):
        get_engine("polars")


def test_ibis_overwrite_is_worked_around():
    import ibis

    con = ibis.duckdb.connect()
    replace_table(con, "t", pd.DataFrame({"a": [1, 2]}))
    replace_table(con, "t", pd.DataFrame({"a": [3]}))
    assert con.table("t").to_pandas()["a"].tolist() == [3]


@pytest.mark.xfail(strict=True, reason="ibis 12 + sqlglot 30 render DROP VIEW without a name; "
                   "when this passes, the workaround in replace_table can go")
def test_ibis_overwrite_upstream_bug():
    import ibis

    con = ibis.duckdb.connect()
    con.create_table("t", pd.DataFrame({"a": [1]}))
    con.create_table("t", pd.DataFrame({"a": [2]}), overwrite=True)


# -- bad input: exit 2 in the CLI, one message naming file, row and field, nothing written --

def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "fragment"), [
    ("region,industry,year\n08111,25,2020\n", "missing column(s) employment"),
    ("region,industry,year,employment\n08111,25,2020,10\n08111,26,2020,lots\n",
     "line 3 (region '08111', industry '26', year 2020): field 'employment' is 'lots'"),
    ("region,industry,year,employment\n08111,25,2020,10\n08111,26,2020,-4\n",
     "line 3 (region '08111', industry '26', year 2020): field 'employment' is -4; "
     "expected a number ≥ 0"),
    ("region,industry,year,employment\n08111,25,2020,10\n08111,25,2020,11\n",
     "lines 2, 3: duplicate observation for region '08111', industry '25', year 2020"),
    ("region,industry,year,employment\n08111,25,20x0,10\n", "field 'year' is '20x0'"),
])
def test_bad_panels(tmp_path, text, fragment):
    path = write_csv(tmp_path / "bad.csv", text)
    with pytest.raises((InputError, SchemaError)) as info:
        map_clusters(path)
    assert str(path) in str(info.value)
    assert fragment in str(info.value)


def test_unknown_category_codes(tmp_path):
    path = write_csv(tmp_path / "p.csv", "region,industry,year,employment\n08111,25.94,2020,10\n"
                                         "08111,99.99,2020,5\n")
    from clusteratlas import reference

    cats = reference.default_categories()
    with pytest.raises(InputError, match=r"industry code '99.99' is not in classification wz2008"):
        map_clusters(path, categories=cats)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(SourceError, match="file not found"):
        map_clusters(tmp_path / "nope.csv")
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(SourceError, match=r"broken.parquet: cannot be read"):
        map_clusters(bad)
    with pytest.raises(SourceError, match="unknown file type"):
        map_clusters(write_csv(tmp_path / "p.xlsx", "x"))


def test_reference_region_and_filter(tmp_path):
    text = ("region,industry,year,employment\n"
            "DG,TOTAL,2020,1000\nDG,C,2020,200\nDG,J,2020,50\n"
            "08111,TOTAL,2020,100\n08111,C,2020,40\n08111,J,2020,5\n"
            "08435,TOTAL,2020,50\n08435,C,2020,5\n08435,J,2020,10\n"
            "081,TOTAL,2020,150\n081,C,2020,45\n")
    path = write_csv(tmp_path / "p.csv", text)
    res = map_clusters(path, reference_region="DG", regions=r"08\d{3}")
    cells = res.cells.assign(region=res.cells["region"].astype(str),
                             category=res.cells["category"].astype(str))
    assert set(cells["region"]) == {"08111", "08435"}
    lq = cells.set_index(["region", "category"])["lq"]
    assert lq[("08111", "C")] == pytest.approx((40 / 100) / (200 / 1000))
    assert lq[("08435", "J")] == pytest.approx((10 / 50) / (50 / 1000))
    with pytest.raises(Exception, match=r"reference region 'XX' is not in the panel"):
        map_clusters(path, reference_region="XX")


def test_fill_suppressed_from_remainder(tmp_path):
    text = ("region,industry,year,employment,establishments\n"
            "A,TOTAL,2020,100,10\nA,x,2020,60,5\nA,y,2020,,1\nA,z,2020,,3\n"
            "B,TOTAL,2020,100,10\nB,x,2020,50,5\nB,y,2020,30,2\nB,z,2020,20,3\n")
    path = write_csv(tmp_path / "p.csv", text)
    plain = map_clusters(path)
    filled = map_clusters(path, fill_suppressed=True)
    p = plain.cells.assign(region=plain.cells["region"].astype(str),
                           category=plain.cells["category"].astype(str)).set_index(
        ["region", "category"])
    f = filled.cells.assign(region=filled.cells["region"].astype(str),
                            category=filled.cells["category"].astype(str)).set_index(
        ["region", "category"])
    assert np.isnan(p.loc[("A", "y"), "employment"])
    # remainder 40 split 1:3 by establishments
    assert f.loc[("A", "y"), "employment"] == pytest.approx(10)
    assert f.loc[("A", "z"), "employment"] == pytest.approx(30)
    assert f.loc[("A", "y"), "estimated_cells"] == 1
    assert f.loc[("B", "y"), "estimated_cells"] == 0


def test_outputs_are_written_atomically(tmp_path, panel_files):
    res = map_clusters(panel_files / "p.parquet")
    paths = write_outputs(res, tmp_path / "out.csv")
    assert [p.name for p in paths] == ["out.csv", "out.regions.csv", "out.categories.csv"]
    out = pd.read_csv(paths[0], dtype={"region": str, "category": str})
    required = {"region", "category", "year", "employment", "share_of_region",
                "share_of_category", "lq", "star_size", "star_specialisation", "star_focus",
                "stars", "strong"}
    assert required <= set(out.columns)
    assert out["region"].str.len().eq(5).all()  # leading zeros kept
    assert not list(tmp_path.glob(".*tmp"))
    with pytest.raises(ConfigError, match=r"expected a \.csv or \.parquet"):
        write_outputs(res, tmp_path / "out.xlsx")


def test_traded_denominator_and_extras(tmp_path):
    text = ("region,industry,year,employment,establishments\n"
            "A,t1,2019,10,2\nA,t2,2019,30,3\nA,l1,2019,60,6\n"
            "B,t1,2019,30,3\nB,t2,2019,30,3\nB,l1,2019,40,4\n"
            "A,t1,2020,20,2\nA,t2,2020,30,3\nA,l1,2020,60,6\n"
            "B,t1,2020,30,3\nB,t2,2020,30,3\nB,l1,2020,40,4\n")
    panel = write_csv(tmp_path / "p.csv", text)
    cats = write_csv(tmp_path / "c.csv", "Cluster,NAICS,TradedLocal\nT1,t1,Traded\nT2,t2,Traded\n"
                                         "L1,l1,Local\n")
    from clusteratlas import reference

    catset = reference.read_categories(cats, columns={"category": "Cluster", "industry": "NAICS",
                                                      "group": "TradedLocal"})
    assert catset["t1"].group == "traded"
    res = map_clusters(panel, categories=catset, denominator="traded",
                       shift_share_years=(2019, 2020), coagglomeration_year=2020)
    cells = res.cells.assign(region=res.cells["region"].astype(str),
                             category=res.cells["category"].astype(str))
    lq = cells[cells["year"] == 2020].set_index(["region", "category"])["lq"]
    # traded totals in 2020: A 50, B 60, all 110; T1: 50 in all
    assert lq[("A", "t1")] == pytest.approx((20 / 50) / (50 / 110))
    ss = res.extra["shiftshare"].set_index(["region", "category"])
    assert ss.loc[("A", "t1"), "change"] == 10
    total = ss[["national", "industry_mix", "competitive"]].sum(axis=1)
    np.testing.assert_allclose(total, ss["change"])
    co = res.extra["coagglomeration"]
    assert len(co) == 3
    assert set(co["year"]) == {2020}
    paths = write_outputs(res, tmp_path / "o.csv")
    assert {p.name for p in paths} >= {"o.shiftshare.csv", "o.coagglomeration.csv"}
    plain = reference.read_categories(cats, columns={"category": "Cluster", "industry": "NAICS"})
    with pytest.raises(ConfigError, match="no category of the set"):
        map_clusters(panel, categories=plain, denominator="traded")
    with pytest.raises(ConfigError, match="is not one of total, traded, local"):
        map_clusters(panel, categories=catset, denominator="export")


def test_exact_plant_herfindahl(tmp_path):
    panel = write_csv(tmp_path / "p.csv", "region,industry,year,employment\nA,x,2020,30\n"
                                          "B,x,2020,10\nA,y,2020,10\nB,y,2020,50\n")
    plants = write_csv(tmp_path / "plants.csv", "industry,year,employment\nx,2020,30\nx,2020,10\n"
                                                "y,2020,60\n")
    res = map_clusters(panel, plants=plants)
    cats = res.categories.assign(category=res.categories["category"].astype(str)).set_index(
        "category")
    assert cats.loc["x", "plant_herfindahl"] == pytest.approx(0.75**2 + 0.25**2)
    assert not cats.loc["x", "eg_gamma_approximate"]
    from clusteratlas.core.concentration import ellison_glaeser

    e = np.array([[30.0, 10.0], [10.0, 50.0]])
    expected = ellison_glaeser(e, [0.625, 1.0])
    assert cats.loc["x", "eg_gamma"] == pytest.approx(expected[0])


# -- the same against a standalone cluster (spark://127.0.0.1:…, started by conftest.py) --

def active_master():
    from pyspark import SparkContext

    return SparkContext._active_spark_context.master


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_spark_cluster_equals_duckdb(spark_cluster, panel_files, fmt):
    path = panel_files / f"p.{fmt}"
    duck = map_clusters(path, engine="duckdb")
    spark = map_clusters(path, engine="spark", engine_url=spark_cluster)
    assert active_master() == spark_cluster
    assert spark.meta["engine"] == "spark"
    assert_same(duck, spark)


def test_an_active_session_is_used_without_a_url(spark_cluster, panel_files):
    """A caller's own session (a notebook's, spark-submit's) is kept when no URL is given."""
    from clusteratlas.engines.spark import spark_session

    spark_session(spark_cluster)
    res = map_clusters(panel_files / "p.parquet", engine="spark")
    assert active_master() == spark_cluster
    assert res.meta["engine"] == "spark"


def kd_sites(path, n=400):
    rng = np.random.default_rng(8)
    pts = rng.random((n, 2)) * 100
    near = ((pts - 30) ** 2).sum(axis=1) < 200
    industry = np.where(near & (rng.random(n) < 0.9), "25.94", rng.choice(["28.29", "62.01"], n))
    pd.DataFrame({"id": np.arange(n).astype(str), "industry": industry,
                  "employment": rng.integers(1, 100, n), "x": pts[:, 0],
                  "y": pts[:, 1]}).to_csv(path, index=False)
    return path


def test_kd_on_spark_cluster_equals_local(spark_cluster, tmp_path):
    from clusteratlas.service.kdensity import read_sites, run_kd

    sites = read_sites(kd_sites(tmp_path / "sites.csv"))
    local = run_kd(sites, ["25.94", "62.01"], simulations=19, seed=4)
    spark = run_kd(sites, ["25.94", "62.01"], simulations=19, seed=4, engine="spark",
                   engine_url=spark_cluster)
    assert active_master() == spark_cluster
    for ind in local:
        np.testing.assert_allclose(spark[ind].kd, local[ind].kd, rtol=1e-12)
        np.testing.assert_allclose(spark[ind].global_hi, local[ind].global_hi, rtol=1e-12)
        assert spark[ind].verdict == local[ind].verdict


def test_spark_cluster_workers_import_the_shipped_package(spark_cluster):
    """The workers run the driver's Clusteratlas, sent as a zip with the job."""
    from clusteratlas.engines.spark import package_archive, spark_session

    context = spark_session(spark_cluster).sparkContext

    def origin(_):
        import clusteratlas

        return clusteratlas.__file__

    [where] = context.parallelize([0], 1).map(origin).collect()
    assert package_archive().name in where


def test_spark_cluster_workers_without_dependencies(spark_cluster, tmp_path, monkeypatch):
    """A worker Python without numpy & co. gives one line naming what to install."""
    from clusteratlas.errors import EngineError
    from clusteratlas.service.kdensity import read_sites, run_kd

    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    monkeypatch.setenv("PYSPARK_PYTHON", str(bare / "bin" / "python"))
    sites = read_sites(kd_sites(tmp_path / "sites.csv", n=60))
    with pytest.raises(EngineError) as info:
        run_kd(sites, ["25.94"], simulations=3, engine="spark", engine_url=spark_cluster)
    message = str(info.value)
    assert "\n" not in message
    assert re.search(r"Spark's Python workers \(.*bare/bin/python\) cannot import '\w+': "
                     r"install Clusteratlas on every worker \(pip install clusteratlas==", message)


FILL_TEXT = ("region,industry,year,employment,establishments\n"
             "A,TOTAL,2020,100,10\nA,x,2020,60,5\nA,y,2020,,1\nA,z,2020,,3\n"
             "B,TOTAL,2020,100,10\nB,x,2020,50,5\nB,y,2020,30,2\nB,z,2020,20,3\n")


def filled_counts(result):
    cells = result.cells.assign(region=result.cells["region"].astype(str),
                                category=result.cells["category"].astype(str))
    return cells.set_index(["region", "category"])[["suppressed_cells", "estimated_cells"]]


def test_filled_cells_count_as_estimated_only(tmp_path):
    """A filled cell is estimated, no longer suppressed, whether the engine hands over
    raw rows (DuckDB) or rows grouped by key (Spark; here DuckDB told to group)."""
    from clusteratlas.model import Panel
    from clusteratlas.service.mapping import MappingOptions, map_panel

    path = write_csv(tmp_path / "p.csv", FILL_TEXT)
    raw = filled_counts(map_clusters(path, fill_suppressed=True))
    grouped_table = get_engine("duckdb").scan(path, aggregate=True)
    assert "n_rows" in grouped_table.column_names
    grouped = filled_counts(map_panel(Panel.from_arrow(grouped_table, source=str(path),
                                                       engine="duckdb"),
                                      None, MappingOptions(fill_suppressed=True)))
    for counts in (raw, grouped):
        assert counts.loc[("A", "y")].tolist() == [0, 1]
        assert counts.loc[("A", "z")].tolist() == [0, 1]
        assert counts.loc[("B", "y")].tolist() == [0, 0]
    plain = map_clusters(path).cells.assign(region=lambda c: c["region"].astype(str),
                                            category=lambda c: c["category"].astype(str))
    assert plain.set_index(["region", "category"]).loc[("A", "y"), "suppressed_cells"] == 1


@needs_spark
def test_spark_counts_filled_cells_as_estimated_only(tmp_path):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
    path = write_csv(tmp_path / "p.csv", FILL_TEXT)
    duck = map_clusters(path, fill_suppressed=True, engine="duckdb")
    spark = map_clusters(path, fill_suppressed=True, engine="spark")
    assert_same(duck, spark)
    assert filled_counts(spark).loc[("A", "y")].tolist() == [0, 1]


def test_a_year_missing_from_the_panel_has_no_summaries(tmp_path):
    path = write_csv(tmp_path / "p.csv", "region,industry,year,employment\n"
                     "A,x,2018,10\nA,y,2018,30\nB,x,2018,20\nB,y,2018,40\n"
                     "A,x,2020,12\nA,y,2020,30\nB,x,2020,20\nB,y,2020,44\n")
    res = map_clusters(path, span=1)
    assert sorted(set(res.regions["year"])) == [2018, 2020]
    assert sorted(set(res.categories["year"])) == [2018, 2020]
    cells = res.cells.assign(region=res.cells["region"].astype(str),
                             category=res.cells["category"].astype(str))
    a_x = cells[(cells["region"] == "A") & (cells["category"] == "x") & (cells["year"] == 2020)]
    assert np.isnan(a_x["employment_change"].iloc[0])  # was 12, the current value
    two = map_clusters(path, span=2).cells
    assert sorted(two["employment_change"].dropna().tolist()) == [0, 0, 2, 4]


def test_integer_coded_parquet_reads_like_text(tmp_path):
    # gen_emp-style files: integer codes, int16 years, int32 employment, several row groups
    import pyarrow as pa
    import pyarrow.parquet as pq

    from clusteratlas.service.mapping import read_panel

    rng = np.random.default_rng(4)
    n = 5_000
    table = pa.table({
        "region": pa.array(rng.integers(0, 300, n), pa.int32()),
        "industry": pa.array(rng.permutation(n) % 97, pa.int32()),
        "year": pa.array(2014 + rng.permutation(n) // 97 % 10, pa.int16()),
        "employment": pa.array(rng.integers(1, 900, n), pa.int32()),
    })
    keys = table.select(["region", "industry", "year"]).to_pandas()
    table = table.filter(pa.array(~keys.duplicated().to_numpy()))
    pq.write_table(table, tmp_path / "ints.parquet", row_group_size=1_000)
    table.to_pandas().to_csv(tmp_path / "ints.csv", index=False)
    fast, _ = read_panel(tmp_path / "ints.parquet")
    text, _ = read_panel(tmp_path / "ints.csv")  # DuckDB's reader, codes cast to text
    assert fast.region_codes == text.region_codes
    assert fast.industry_codes == text.industry_codes
    assert fast.region_codes[:2] == [str(v) for v in table["region"].to_pylist()[:2]]
    for name in ("region_idx", "industry_idx", "year", "employment"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(text, name))
    assert fast.year.dtype == text.year.dtype == np.int32
