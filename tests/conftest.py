from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clusteratlas.api.app import create_app
from clusteratlas.demo.build import build_demo
from clusteratlas.service.atlas import Atlas, open_atlas
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
