"""`clusteratlas kd` end to end: sites in, curves and summary out; Spark.

The GPU back end has its own tests in tests/engines/test_gpu.py."""

import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from clusteratlas.cli.main import main
from clusteratlas.errors import InputError, SchemaError
from clusteratlas.service.kdensity import read_sites, run_kd


@pytest.fixture(scope="module")
def sites_file(tmp_path_factory):
    rng = np.random.default_rng(3)
    pts = rng.random((1200, 2)) * 200
    near = ((pts - 50) ** 2).sum(axis=1) < 300
    industry = np.where(near & (rng.random(1200) < 0.9), "25.94",
                        rng.choice(["28.29", "62.01"], 1200))
    frame = pd.DataFrame({"id": np.arange(1200).astype(str), "industry": industry,
                          "employment": rng.integers(1, 200, 1200), "x": pts[:, 0],
                          "y": pts[:, 1]})
    path = tmp_path_factory.mktemp("kd") / "sites.csv"
    frame.to_csv(path, index=False)
    return path


def test_cli_writes_curves_and_summary(sites_file, tmp_path, capsys):
    out = tmp_path / "kd.parquet"
    assert main(["kd", str(sites_file), "--out", str(out), "--all", "--sims", "49",
                 "--m-function"]) == 0
    assert "3 industries" in capsys.readouterr().out
    curves = pd.read_parquet(out)
    summary = pd.read_parquet(tmp_path / "kd.summary.parquet").set_index("industry")
    assert {"industry", "distance", "kd", "local_lo", "local_hi", "global_lo", "global_hi",
            "m"} <= set(curves.columns)
    assert len(curves) == 3 * 101
    assert summary.loc["25.94", "verdict"] == "localised"
    assert summary.loc["25.94", "gamma"] > 0


def test_results_do_not_depend_on_the_order(sites_file):
    sites = read_sites(sites_file)
    a = run_kd(sites, ["25.94", "28.29"], simulations=19, seed=5)
    b = run_kd(sites, ["25.94", "28.29"], simulations=19, seed=5)
    np.testing.assert_array_equal(a["28.29"].global_hi, b["28.29"].global_hi)


def test_bad_sites(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("id,industry,x\n1,25,3\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="needs lat, lon"):
        read_sites(path)
    path.write_text("id,industry,employment,lat,lon\n1,25,3,95,9\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 2: lat 95.0 is outside"):
        read_sites(path)
    path.write_text("id,industry,employment,x,y\n1,25,3,1,1\n2,25,1,2,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="industry '99' has no sites"):
        run_kd(read_sites(path), ["99"], simulations=3)


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
def test_spark_engine_equals_local(sites_file):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
    sites = read_sites(sites_file)
    local = run_kd(sites, ["25.94", "62.01"], simulations=19, seed=2)
    spark = run_kd(sites, ["25.94", "62.01"], simulations=19, seed=2, engine="spark")
    for ind in local:
        np.testing.assert_allclose(spark[ind].kd, local[ind].kd, rtol=1e-12)
        np.testing.assert_allclose(spark[ind].global_hi, local[ind].global_hi, rtol=1e-12)
        assert spark[ind].verdict == local[ind].verdict


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")
def test_spark_workers_run_this_python_not_python3_from_path(sites_file, tmp_path):
    """`clusteratlas kd --engine spark` without an activated virtual environment: the
    first `python3` on PATH is not this interpreter (here one that cannot even start),
    and Spark local mode must not use it."""
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install '.[spark]')")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text("#!/bin/sh\necho 'not the interpreter of this run' >&2\n"
                                  "exit 3\n", encoding="utf-8")
    (fake / "python3").chmod(0o755)
    path = os.pathsep.join([str(fake), os.path.dirname(shutil.which("java")), "/usr/bin", "/bin"])
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON",
                        "CLUSTERATLAS_SPARK_URL")}
    out = tmp_path / "kd.csv"
    run = subprocess.run([sys.executable, "-m", "clusteratlas", "kd", str(sites_file),
                          "--industry", "25.94", "--sims", "9", "--engine", "spark",
                          "--out", str(out)],
                         env={**env, "PATH": path}, capture_output=True, text=True, timeout=600,
                         check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    assert pd.read_csv(out)["industry"].astype(str).unique().tolist() == ["25.94"]


def test_industries_with_one_site_are_reported(tmp_path):
    from clusteratlas.errors import DegenerateDataWarning

    path = tmp_path / "s.csv"
    path.write_text("id,industry,employment,x,y\n1,25,3,1,1\n2,25,1,2,2\n3,25,1,9,2\n"
                    "4,26,1,5,5\n5,27,2,3,3\n6,27,2,8,8\n", encoding="utf-8")
    with pytest.warns(DegenerateDataWarning, match="fewer than 2 sites.*26"):
        out = run_kd(read_sites(path), simulations=3, dmax=10)
    assert set(out) == {"25", "27"}
