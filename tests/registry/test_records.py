"""The registry read with plain SQL (clusteratlas.registry.records and
clusteratlas.service.registry_reads) gives what the store and the registry service give:
the atlas's initiative records, the KPI reports each actor may see; anything it cannot
read that way (PostgreSQL, an older schema) goes through the store."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from clusteratlas.errors import NotFoundError
from clusteratlas.registry.auth import ANONYMOUS
from clusteratlas.registry.records import sqlite_reader
from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.registry_reads import (
    ReadingRegistry,
    initiative_records,
    reading_registry,
)
from clusteratlas.store.datadir import DataDir
from conftest import ADMIN, MANAGER


def _edited(service):
    """Reports in every state, one initiative's KPIs and budget public, one archived,
    facts in both languages: every case the visibility rules tell apart."""
    for ident, year, status in (("metalldialog", 2023, "accept"),
                                ("metalldialog", 2024, "submit"),
                                ("bodenseeairea", 2024, "accept"),
                                ("cyberforum", 2022, None)):
        made = service.put_kpi(ident, year, {"members_sme": 25, "members_large": 6,
                                             "events": 11, "budget_eur": 125000.5,
                                             "staff_fte": 2.5}, ADMIN, None)
        if status is not None:
            sub = service.submit_kpi(ident, year, ADMIN, made["version"])
            if status == "accept":
                service.review_kpi(ident, year, {"decision": "accept"}, ADMIN, sub["version"])
    v = service.get("metalldialog", ADMIN)["version"]
    service.update("metalldialog", {"visibility": {"kpis": True, "budget": True}}, ADMIN, v)
    v = service.get("bodenseeairea", ADMIN)["version"]
    service.update("bodenseeairea", {"visibility": {"kpis": True, "facts": False}}, ADMIN, v)
    v = service.get("cyberforum", ADMIN)["version"]
    service.archive("cyberforum", ADMIN, v)


def test_plain_reads_are_the_stores_and_the_services(service, registry_url):
    _edited(service)
    reader = sqlite_reader(registry_url)
    if registry_url.startswith("postgresql"):
        assert reader is None  # PostgreSQL: always through the store
        return
    assert reader is not None
    with reader:
        assert reader.initiatives() == service.store.list()
        ids = [i.id for i in service.store.list()] + ["cyberforum"]
        reading = ReadingRegistry(reader, lambda: service)
        for actor in (ANONYMOUS, ADMIN, MANAGER):
            for ident in ids:
                try:
                    expected = service.kpis(ident, actor)
                except NotFoundError:
                    with pytest.raises(NotFoundError):
                        reading.kpis(ident, actor)
                    continue
                assert reading.kpis(ident, actor) == expected, (ident, actor)
        assert any(reading.kpis(i, ANONYMOUS) for i in ids)  # something public was read
        with pytest.raises(NotFoundError):
            reading.kpis("no-such-initiative")
        # any other method: the registry service's own
        assert reading.get("metalldialog")["id"] == "metalldialog"


def test_initiative_records_without_sqlalchemy(tmp_path):
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    store = RegistryStore(url)
    store.migrate()
    expected = store.list()
    store.close()
    assert initiative_records(url) == expected
    probe = ("import json, sys\nfrom clusteratlas.service.registry_reads import "
             f"initiative_records\nrecords = initiative_records({url!r})\n"
             "print(json.dumps([len(records), 'sqlalchemy' in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [len(expected), False]


def test_an_older_or_missing_registry_goes_through_the_store(tmp_path):
    from conftest import migrate_store

    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    assert sqlite_reader(url) is None  # no file yet
    assert initiative_records(url) == []  # created and migrated by the store
    assert sqlite_reader(url) is not None
    store = RegistryStore(url)
    migrate_store(store, "-1", down=True)
    store.close()
    assert sqlite_reader(url) is None  # not at head: the store migrates it
    assert initiative_records(url) == []
    assert sqlite_reader(url) is not None
    (tmp_path / "broken.sqlite").write_text("not a database", encoding="utf-8")
    assert sqlite_reader(f"sqlite:///{tmp_path / 'broken.sqlite'}") is None
    assert sqlite_reader("postgresql+psycopg://u@localhost/db") is None
    assert sqlite_reader("sqlite://") is None


def test_reading_registry_of_a_data_directory(tmp_path):
    data_dir = DataDir(tmp_path)
    data_dir.ensure()
    store = RegistryStore(data_dir.registry_url)
    store.migrate()
    store.close()
    with reading_registry(data_dir.registry_url, lambda: None) as registry:
        assert isinstance(registry, ReadingRegistry)
        assert registry.kpis.__self__ is registry
    opened = []
    assert reading_registry("postgresql+psycopg://u@localhost/db",
                            lambda: opened.append(1) or "service") == "service"
    assert opened == [1]
