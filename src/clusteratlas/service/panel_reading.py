"""A panel file read in the background while a command is still starting.

``clusteratlas map`` spends its first half second importing the libraries of the
mapping pipeline (pandas above all), with one core and most of the other idle.
Reading a Parquet panel is Arrow's work, done in C++ without the interpreter: started
before those imports (:func:`start_reading`), the file is in memory by the time the
pipeline asks for it (:func:`clusteratlas.service.mapping.map_file`).

This module imports only the standard library, so that importing it costs nothing;
the reader itself is the DuckDB engine's Arrow fast path
(:func:`clusteratlas.engines.ibis_engine.read_parquet_arrow`), which gives the same
table the engine's :meth:`~clusteratlas.engines.ibis_engine.IbisEngine.scan` gives.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

__all__ = ["PendingRead", "start_reading"]


class PendingRead:
    """A Parquet panel being read by a background thread; :meth:`table` waits for it.

    The thread is not a daemon: a command that fails before it asks for the table
    (a bad option, Ctrl-C) still waits for Arrow to finish at exit, instead of ending
    the interpreter under a reader that is still running."""

    def __init__(self, path: Path) -> None:
        self.path = path
        #: whether :meth:`table` handed over the file's table (``False`` also where
        #: the fast path does not apply and the engine reads the file itself)
        self.used = False
        self._table: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="clusteratlas-read-panel")
        self._thread.start()

    def _run(self) -> None:
        try:
            from clusteratlas.engines.ibis_engine import read_parquet_arrow

            self._table = read_parquet_arrow(self.path)
        except BaseException as exc:  # raised in the caller's thread, by table()
            self._error = exc

    def table(self) -> Any:
        """The panel's Arrow table, handed over once (this object keeps no reference,
        so that the caller can free it), or ``None`` where the fast path does not
        apply (the engine then reads the file itself); a read error is raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        table, self._table = self._table, None
        self.used = self.used or table is not None
        return table


def start_reading(path: str | Path, engine: str | None) -> PendingRead | None:
    """Start reading ``path`` if the engine that will map it reads it through Arrow
    (DuckDB, a ``.parquet`` file that exists); else ``None``."""
    path = Path(path)
    if engine not in (None, "duckdb") or path.suffix.lower() != ".parquet" \
            or not path.is_file():
        return None
    return PendingRead(path)
