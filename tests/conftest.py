from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from clusteratlas.demo.content import demo_initiatives
from clusteratlas.reference import bw_regions, default_categories
from clusteratlas.registry.auth import Actor
from clusteratlas.registry.store import RegistryStore
from clusteratlas.server import create_app
from clusteratlas.service.atlas import Atlas, open_atlas
from clusteratlas.service.demo import build_demo, seed_registry
from clusteratlas.service.registry import RegistryService
from clusteratlas.store.datadir import DataDir

ROOT = Path(__file__).resolve().parents[1]


def _shared() -> Path | None:
    env = os.environ.get("CLUSTERATLAS_SHARED")
    for candidate in ([Path(env)] if env else []) + [ROOT.parent / "shared", ROOT / "shared"]:
        if (candidate / "data").is_dir():
            return candidate
    return None


SHARED = _shared()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only folder of real official data files (``../shared``)."""
    if SHARED is None:
        pytest.skip("../shared (real official data files) is not present on this machine")
    return SHARED


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    data_dir = DataDir(tmp_path_factory.mktemp("demo"))
    build_demo(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def atlas(demo_dir: DataDir) -> Atlas:
    return open_atlas(demo_dir)


@pytest.fixture(scope="session")
def client(demo_dir: DataDir, atlas: Atlas) -> TestClient:
    with TestClient(create_app(demo_dir, atlas=atlas)) as c:
        yield c


# --- the initiative registry: every test asking for registry_url runs against SQLite and
# a real PostgreSQL server (CLUSTERATLAS_TEST_POSTGRES_URL, started by .ci/postgres; CI
# sets CLUSTERATLAS_REQUIRE_POSTGRES=1 so that these never skip there)

PG_URL = os.environ.get("CLUSTERATLAS_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("CLUSTERATLAS_REQUIRE_POSTGRES") == "1"

ADMIN = Actor("agency", "admin")
ANALYST = Actor("ministry", "analyst")
MANAGER = Actor("hn-manager", "manager", frozenset({"metalldialog"}))
OTHER_MANAGER = Actor("ka-manager", "manager", frozenset({"cyberforum"}))


def _fresh_postgres() -> str:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("CLUSTERATLAS_REQUIRE_POSTGRES=1 but CLUSTERATLAS_TEST_POSTGRES_URL "
                        "is not set")
        pytest.skip("no PostgreSQL server: set CLUSTERATLAS_TEST_POSTGRES_URL "
                    "(export CLUSTERATLAS_TEST_POSTGRES_URL=$(.ci/postgres))")
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'registry.sqlite'}"
    return _fresh_postgres()


@pytest.fixture
def store(registry_url):
    s = RegistryStore(registry_url)
    yield s
    s.close()


@pytest.fixture
def service(store) -> RegistryService:
    """The demo registry (23 transcribed initiatives) with its codes checked."""
    seed_registry(store, demo_initiatives())
    return RegistryService(store, regions=bw_regions(),
                           categories=[c.code for c in default_categories().categories])


def migrate_store(store: RegistryStore, target: str, *, down: bool = False) -> None:
    """Alembic straight on a registry store: up to revision ``target``, or with
    ``down`` down to it (``"-1"``: one revision down, an older registry as a user may
    still have)."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location",
                        str(resources.files("clusteratlas.registry") / "migrations"))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if down:
            command.downgrade(cfg, target)
        else:
            command.upgrade(cfg, target)


def seeded_app(url: str, demo_dir: DataDir, atlas: Atlas):
    """An app over the demo atlas (a copy: registry edits refresh its initiatives) and a
    registry at ``url`` seeded with the demo's initiatives."""
    import copy

    store = RegistryStore(url)
    seed_registry(store, demo_initiatives())
    store.close()
    return create_app(demo_dir, atlas=copy.copy(atlas), registry_url=url)


# -- a standalone Spark cluster (one master, one worker on 127.0.0.1) for the engine tests
# Started here, from the interpreter that runs the tests, rather than by ``.ci/run`` before
# pytest: the README's test command creates the virtual environment and runs pytest in one
# line, so only the test process knows which Python (and which pyspark, numpy, …) the
# workers must use; bound to this module's lifetime, the cluster is also stopped when the
# tests end, pass or fail.  ``CLUSTERATLAS_TEST_SPARK_URL=spark://host:port`` uses an
# existing cluster instead.  Without Java or pyspark the cluster tests skip, unless
# ``CLUSTERATLAS_REQUIRE_SPARK_CLUSTER=1`` (set by ``.ci/run``) makes that a failure.
SCRIPT = ROOT / ".ci" / "spark"
REQUIRE = os.environ.get("CLUSTERATLAS_REQUIRE_SPARK_CLUSTER") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"CLUSTERATLAS_REQUIRE_SPARK_CLUSTER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory):
    """The ``spark://`` URL of a running standalone cluster."""
    given = os.environ.get("CLUSTERATLAS_TEST_SPARK_URL")
    if given:
        yield given
        return
    if shutil.which("java") is None:
        _unavailable("Spark needs a Java runtime (none on PATH)")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _unavailable("pyspark is not installed (pip install '.[spark]')")
    if not SCRIPT.exists():
        _unavailable(f"{SCRIPT} (starts the cluster) is not in this checkout")
    folder = tmp_path_factory.mktemp("spark-cluster")
    env = {**os.environ, "PYTHON": sys.executable}
    started = subprocess.run([str(SCRIPT), "start", str(folder)], env=env,
                             capture_output=True, text=True, timeout=180, check=False)
    if started.returncode != 0:
        subprocess.run([str(SCRIPT), "stop", str(folder)], env=env, capture_output=True,
                       timeout=120, check=False)
        _unavailable(f"the standalone Spark cluster did not start: {started.stderr[-2000:]}")
    url = started.stdout.strip().splitlines()[-1]
    try:
        yield url
    finally:
        # the driver would keep calling a stopped master; end the application first
        from pyspark import SparkContext

        active = SparkContext._active_spark_context
        if active is not None and active.master == url:
            active.stop()
        subprocess.run([str(SCRIPT), "stop", str(folder)], env=env, capture_output=True,
                       timeout=120, check=False)


def _big_panel(path, n=2_000_000):
    """A panel that takes ``map`` a second or more: 400 regions × 900 industries."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(1)
    pq.write_table(pa.table({"region": pa.array(rng.integers(0, 400, n), pa.int32()),
                             "industry": pa.array(rng.integers(0, 900, n), pa.int32()),
                             "year": pa.array(np.full(n, 2020), pa.int16()),
                             "employment": pa.array(rng.integers(1, 99, n), pa.int32())}), path)
    return path


@pytest.fixture
def big_panel():
    """``big_panel(path, n=2_000_000)`` writes a large integer-coded Parquet panel."""
    return _big_panel
