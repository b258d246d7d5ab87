"""Reading the registry without its ORM, where that gives the same answer.

A command that only reads (``brief``, and every command's atlas, which holds the
initiatives) would spend more time importing SQLAlchemy and setting up its ORM than
reading: a quarter of a second of a ``brief``.  Where the registry is an SQLite file
at the newest schema revision, the reads here go through plain SQL
(:mod:`clusteratlas.registry.records`) and the registry's one set of visibility rules
(:mod:`clusteratlas.registry.access`); in every other case – PostgreSQL, a schema to
migrate, a file that cannot be read that way – through the registry service and its
store, as before.  The answers are the same either way
(``tests/registry/test_records.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from clusteratlas.errors import NotFoundError
from clusteratlas.registry.access import visible_reports
from clusteratlas.registry.auth import ANONYMOUS, Actor
from clusteratlas.registry.records import InitiativeRecord, SqliteReader, reading, sqlite_reader

__all__ = ["ReadingRegistry", "ensure_registry", "initiative_records", "reading_registry"]


def _store(url: str) -> Any:
    from clusteratlas.registry.store import RegistryStore

    return RegistryStore(url)


def ensure_registry(url: str) -> None:
    """Migrate the registry at ``url`` to the newest schema unless it is there."""
    with reading(url) as reader:
        if reader is not None:
            return
    store = _store(url)
    try:
        store.migrate()
    finally:
        store.close()


def initiative_records(url: str) -> list[InitiativeRecord]:
    """Every initiative of the registry at ``url`` that is not archived, by name, as
    full records (``RegistryStore.list``), the registry migrated first where needed."""
    with reading(url) as reader:
        if reader is not None:
            try:
                return reader.initiatives()
            except sqlite3.Error:  # e.g. locked past the timeout: the store says why
                pass
    store = _store(url)
    try:
        store.migrate()
        found: list[InitiativeRecord] = store.list()
        return found
    finally:
        store.close()


class ReadingRegistry:
    """The registry service for a command that reads: :meth:`kpis` with plain SQL, any
    other method from the registry service (:class:`RegistryService`), opened when
    first needed.  A context manager, as the service."""

    def __init__(self, reader: SqliteReader, open_service: Any) -> None:
        self._reader = reader
        self._open_service = open_service
        self._service: Any = None

    def kpis(self, initiative_id: str, actor: Actor = ANONYMOUS) -> list[dict[str, Any]]:
        """The KPI reports ``actor`` may see (``RegistryService.kpis``)."""
        try:
            head, reports = self._reader.reports_of(initiative_id)
        except KeyError:
            raise NotFoundError(f"initiative {initiative_id!r} is not in the "
                                "registry") from None
        except sqlite3.Error:  # the service reads it, or says what is wrong
            found: list[dict[str, Any]] = self._full().kpis(initiative_id, actor)
            return found
        return visible_reports(head, reports, initiative_id, actor)

    def _full(self) -> Any:
        if self._service is None:
            self._service = self._open_service()
        return self._service

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._full(), name)

    def close(self) -> None:
        self._reader.close()
        if self._service is not None:
            self._service.store.close()

    def __enter__(self) -> ReadingRegistry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def reading_registry(url: str, open_service: Callable[[], Any]) -> Any:
    """The registry at ``url`` for a command that reads: a :class:`ReadingRegistry`
    where it is an SQLite file at the newest schema, otherwise the registry service
    itself, ``open_service()`` (e.g. :func:`clusteratlas.service.registry.open_registry`
    of the data directory)."""
    reader = sqlite_reader(url)
    return ReadingRegistry(reader, open_service) if reader is not None else open_service()
