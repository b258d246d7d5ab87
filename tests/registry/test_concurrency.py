"""Concurrent writers never lose an update: each writer reads, changes and writes back
with If-Match, and retries when told its version is stale.  If the store let a stale
write through, the final count would fall short of the number of increments."""

import multiprocessing
import threading

import pytest

from clusteratlas.errors import ConflictError
from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.registry import RegistryService
from conftest import ADMIN, MANAGER

WRITERS, INCREMENTS = 4, 15


def _increment(service, actor, times, stale_counter):
    for _ in range(times):
        while True:
            report = service.kpi("metalldialog", 2024, actor)
            fields = {k: report[k] for k in ("members_sme", "events")}
            fields["events"] += 1
            try:
                service.put_kpi("metalldialog", 2024, fields, actor, report["version"])
                break
            except ConflictError:
                stale_counter.append(1)


def test_threads_never_lose_an_update(service):
    service.put_kpi("metalldialog", 2024, {"members_sme": 20, "events": 0}, ADMIN, None)
    stale: list[int] = []
    threads = [threading.Thread(target=_increment,
                                args=(service, ADMIN if n % 2 else MANAGER, INCREMENTS, stale))
               for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    final = service.kpi("metalldialog", 2024, ADMIN)
    assert final["events"] == WRITERS * INCREMENTS
    # every write and none of the refused ones is in the history
    kpi_writes = [h for h in service.history("metalldialog", ADMIN) if h["action"] == "kpi"]
    assert len(kpi_writes) == 1 + WRITERS * INCREMENTS
    # the writers did collide (otherwise the test proves nothing)
    assert stale


def test_two_editors_of_one_profile(service):
    """Both load version v; the first save wins, the second is refused (nothing
    overwritten) and succeeds after reloading."""
    v = service.get("cyberforum", ADMIN)["version"]
    service.update("cyberforum", {"goals": "first"}, ADMIN, v)
    with pytest.raises(ConflictError) as stale:
        service.update("cyberforum", {"services": "second"}, ADMIN, v)
    assert stale.value.http_status == 412
    now = service.get("cyberforum", ADMIN)
    assert (now["goals"], now["services"]) == ("first", "")
    service.update("cyberforum", {"services": "second"}, ADMIN, now["version"])
    assert service.get("cyberforum")["services"] == "second"


def _process_writer(url, times, queue):
    service = RegistryService(RegistryStore(url))
    stale: list[int] = []
    _increment(service, ADMIN, times, stale)
    queue.put(len(stale))


def test_processes_never_lose_an_update(service, registry_url):
    service.put_kpi("metalldialog", 2024, {"members_sme": 20, "events": 0}, ADMIN, None)
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_process_writer, args=(registry_url, INCREMENTS, queue))
             for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
        assert p.exitcode == 0
    assert service.kpi("metalldialog", 2024, ADMIN)["events"] == 3 * INCREMENTS
    reports = [queue.get(timeout=5) for _ in procs]  # each writer finished its loop
    assert len(reports) == 3
