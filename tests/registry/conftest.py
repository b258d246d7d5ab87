"""Registry fixtures: every test that asks for ``registry_url`` runs against SQLite and
against a real PostgreSQL server (``CLUSTERATLAS_TEST_POSTGRES_URL``, started by
``.ci/postgres``; CI sets ``CLUSTERATLAS_REQUIRE_POSTGRES=1`` so that it never skips)."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine

from clusteratlas.demo.build import demo_initiatives, seed_registry
from clusteratlas.reference import bw_regions, default_categories
from clusteratlas.registry.auth import Actor
from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.registry import RegistryService

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
    s.engine.dispose()
    s.write_engine.dispose()


@pytest.fixture
def service(store) -> RegistryService:
    """The demo registry (23 transcribed initiatives) with its codes checked."""
    seed_registry(store, demo_initiatives())
    return RegistryService(store, regions=bw_regions(),
                           categories=[c.code for c in default_categories().categories])
