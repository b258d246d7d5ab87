"""The Spark session builder (engines/spark.py) without starting Spark: which Python the
workers get, how their failures read, and what travels to a cluster."""

import os
import sys
import zipfile

import pytest

from clusteratlas.engines import spark
from clusteratlas.errors import EngineError


@pytest.fixture
def no_python_env(monkeypatch):
    for name in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON", "CLUSTERATLAS_SPARK_URL"):
        monkeypatch.delenv(name, raising=False)


def test_local_workers_run_this_interpreter(no_python_env):
    assert spark.worker_python("local[*]") == sys.executable
    assert spark.worker_python("local[2]") == sys.executable
    assert spark.worker_python("local") == sys.executable


def test_cluster_workers_keep_their_own_python(no_python_env):
    # the driver's path means nothing on another machine
    assert spark.worker_python("spark://10.0.0.1:7077") == "python3"
    assert spark.worker_python("yarn") == "python3"
    assert spark.worker_python("k8s://https://api:6443") == "python3"


def test_pyspark_python_set_by_the_user_wins(no_python_env, monkeypatch):
    monkeypatch.setenv("PYSPARK_PYTHON", "/opt/py/bin/python")
    assert spark.worker_python("local[*]") == "/opt/py/bin/python"
    assert spark.worker_python("spark://10.0.0.1:7077") == "/opt/py/bin/python"


def test_master_url(no_python_env, monkeypatch):
    assert spark.master_url() == "local[*]"
    monkeypatch.setenv("CLUSTERATLAS_SPARK_URL", "spark://h:7077")
    assert spark.master_url() == "spark://h:7077"
    assert spark.master_url("local[2]") == "local[2]"


def test_environment_is_restored(no_python_env, monkeypatch):
    monkeypatch.setenv("PYSPARK_DRIVER_PYTHON", "/usr/bin/mine")
    with spark._python_environment("/x/python"):
        assert os.environ["PYSPARK_PYTHON"] == "/x/python"
        assert os.environ["PYSPARK_DRIVER_PYTHON"] == "/usr/bin/mine"
    assert "PYSPARK_PYTHON" not in os.environ
    assert os.environ["PYSPARK_DRIVER_PYTHON"] == "/usr/bin/mine"
    with spark._python_environment(None):
        assert "PYSPARK_PYTHON" not in os.environ


JOB = ("py4j.protocol.Py4JJavaError: An error occurred while calling collectAndServe.\n"
       ": org.apache.spark.SparkException: Job aborted due to stage failure: ...\n")


@pytest.mark.parametrize(("worker_said", "expected"), [
    ("Traceback (most recent call last):\n  File \"worker.py\"\n"
     "ModuleNotFoundError: No module named 'numba'\n",
     "Spark's Python workers (python3) cannot import 'numba': install Clusteratlas on every "
     "worker (pip install clusteratlas=="),
    ("[PYTHON_VERSION_MISMATCH] Python in worker has different version: 3.9 than that in "
     "driver: 3.11, PySpark cannot run with different minor versions.",
     "Spark's Python workers (python3) run another Python version than the driver"),
    ('java.io.IOException: Cannot run program "python3": error=2, No such file or directory',
     "Spark could not start its Python workers with 'python3' (not found): set PYSPARK_PYTHON"),
    ("Error from python worker:\n  /usr/bin/python3: No module named pyspark\nPYTHONPATH was:",
     "Spark could not start its Python workers with 'python3' (/usr/bin/python3: No module "
     "named pyspark)"),
])
def test_worker_failures_read_as_one_line(worker_said, expected):
    message = spark.worker_failure(JOB + worker_said, "python3")
    assert message is not None
    assert message.startswith(expected)
    assert "\n" not in message


def test_other_job_failures_are_left_alone():
    assert spark.worker_failure(JOB + "ZeroDivisionError: division by zero", "python3") is None
    context = type("Context", (), {"pythonExec": "python3"})()
    with pytest.raises(ZeroDivisionError), spark.python_tasks(context):
        raise ZeroDivisionError("division by zero")
    with pytest.raises(EngineError, match=r"cannot import 'numpy'"), spark.python_tasks(context):
        raise RuntimeError(JOB + "ModuleNotFoundError: No module named 'numpy'")


def test_package_archive_holds_the_installed_package():
    import clusteratlas

    archive = spark.package_archive()
    assert spark.package_archive() == archive  # built once per process
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
    assert "clusteratlas/__init__.py" in names
    assert "clusteratlas/engines/spark.py" in names
    assert "clusteratlas/service/kdensity.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    # package data (classifications, demo registry) travels too
    root = os.path.dirname(clusteratlas.__file__)
    data = [os.path.relpath(os.path.join(d, f), os.path.dirname(root)).replace(os.sep, "/")
            for d, _, fs in os.walk(os.path.join(root, "data")) for f in fs]
    assert data
    assert set(data) <= names


def test_spark_connect_has_no_context_for_python_tasks():
    class ConnectSession:
        @property
        def sparkContext(self):
            raise NotImplementedError("[NOT_IMPLEMENTED] sparkContext() is not implemented.")

    with pytest.raises(EngineError, match=r"needs a classic Spark master .*Spark Connect"):
        spark.spark_context(ConnectSession())
