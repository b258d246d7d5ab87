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

import contextlib
import threading
from pathlib import Path
from typing import Any

__all__ = ["PendingRead", "prefetch", "start_reading"]

#: the read :func:`prefetch` started, until :func:`start_reading` claims it
_prefetched: PendingRead | None = None

#: ``map``'s options that take no value (every other option takes one)
_FLAGS = {"--fill-suppressed", "--no-fill-suppressed", "--details", "--no-details"}


class PendingRead:
    """A Parquet panel being read by a background thread; :meth:`table` waits for it.

    With ``check``, the thread also checks the table against the panel contract and
    builds the :class:`~clusteratlas.model.panel.Panel` the DuckDB engine's path makes
    of it (:meth:`panel`), while the command is still importing its libraries.

    The thread is not a daemon: a command that fails before it asks for the table
    (a bad option, Ctrl-C) still waits for Arrow to finish at exit, instead of ending
    the interpreter under a reader that is still running."""

    def __init__(self, path: Path, *, check: bool = False) -> None:
        self.path = path
        #: whether :meth:`table` handed over the file's table (``False`` also where
        #: the fast path does not apply and the engine reads the file itself)
        self.used = False
        self._check = check
        self._table: Any = None
        self._panel: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="clusteratlas-read-panel")
        self._thread.start()

    def _run(self) -> None:
        try:
            from clusteratlas.engines.ibis_engine import read_parquet_arrow

            self._table = read_parquet_arrow(self.path)
            if self._check and self._table is not None:
                self._panel, self._table = checked_panel(self._table, self.path), None
        except BaseException as exc:  # raised in the caller's thread, by table()/panel()
            self._error = exc

    def panel(self, path: Path) -> Any:
        """The checked panel of the file read as ``path`` (:func:`checked_panel`),
        handed over once; ``None`` where the fast path does not apply.  A read error,
        or the one-line error of a table that breaks the panel contract, is raised
        here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        panel, self._panel = self._panel, None
        if panel is not None and str(path) == str(self.path):
            self.used = True
            return panel
        # not checked yet; or checked under another name for the file, which its
        # errors would not have used: the engine reads it again
        table = self.table()
        return None if table is None else checked_panel(table, path)

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


def checked_panel(table: Any, path: Path, engine: str = "duckdb") -> Any:
    """The panel of a file's table as an engine read it, checked against the panel
    contract; errors name the file and the row (Parquet) or line (CSV, after its
    header) in it.  :func:`~clusteratlas.service.mapping.read_panel` uses it too."""
    from clusteratlas.model.panel import Panel

    parquet = path.suffix.lower() == ".parquet"
    return Panel.from_arrow(table, source=str(path), first_line=1 if parquet else 2,
                            unit="row" if parquet else "line", engine=engine)


def start_reading(path: str | Path, engine: str | None) -> PendingRead | None:
    """Start reading ``path`` if the engine that will map it reads it through Arrow
    (DuckDB, a ``.parquet`` file that exists); else ``None``.  A read of the same file
    that :func:`prefetch` started is handed over instead of starting another."""
    global _prefetched
    path = Path(path)
    early, _prefetched = _prefetched, None
    if engine not in (None, "duckdb") or path.suffix.lower() != ".parquet" \
            or not path.is_file():
        return None
    if early is not None and _same_file(early.path, path):
        return early
    return PendingRead(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def prefetch(argv: list[str]) -> bool:
    """Start reading the panel of a ``map`` command line (``argv`` without the program)
    before the command line's own libraries are imported, for :func:`start_reading`;
    ``True`` if it did.

    The arguments are only glanced at: the panel is the first argument after ``map``
    that is not an option or an option's value; nothing happens for ``--help``, for
    another engine (``--engine``, the setting ``engine``) or a file that is not
    Parquet.  What the command line then parses decides; a read it does not claim is
    only time spent on the other core.  Being only a head start, it gives up quietly
    on anything unexpected (a broken settings file, a name the system refuses): the
    command says what is wrong."""
    global _prefetched
    if not argv or argv[0] != "map" or _prefetched is not None:
        return False
    try:
        panel = _panel_to_read(argv[1:])
        if panel is None:
            return False
    except Exception:
        return False
    # on a fresh install, a second process to compile kernels: first of all, for it
    # has the most to do (and before numba starts here: that thread takes part in
    # the compiling)
    ahead = False
    with contextlib.suppress(Exception):
        from clusteratlas.service.compile_ahead import start_early

        ahead = start_early(panel)
    try:
        # every module the reading and checking threads use is imported here: there
        # they would take turns with the command line's imports for the interpreter
        # (and Arrow would start reading only when both are done), and an import
        # interrupted by Ctrl-C on one thread could leave another waiting for it
        import concurrent.futures  # noqa: F401

        import pyarrow.compute
        import pyarrow.parquet  # noqa: F401

        import clusteratlas.core._keys
        import clusteratlas.engines.ibis_engine
        import clusteratlas.model.panel  # noqa: F401

        # the panel is checked on the reader's thread as well
        _prefetched = PendingRead(panel, check=True)
    except Exception:
        if ahead:  # no head start after all: the command compiles on its own
            from clusteratlas.service.compile_ahead import compiling_ahead

            compiling_ahead().stop()
        return False
    # numba's start, the other half of what the pipeline waits for
    threading.Thread(target=_start_numba, name="clusteratlas-start-numba",
                     daemon=True).start()
    return True


def _panel_to_read(args: list[str]) -> Path | None:
    """The Parquet panel of ``map``'s arguments that the DuckDB engine reads through
    Arrow (:func:`prefetch`), or ``None``."""
    panel, engine = None, None
    while args:
        token, args = args[0], args[1:]
        if token in ("--help", "-h", "--"):
            return None
        if token.startswith("--"):
            name, eq, value = token.partition("=")
            if token not in _FLAGS and not eq and args:
                value, args = args[0], args[1:]
            if name == "--engine":
                engine = value
        elif token.startswith("-") and len(token) > 1:
            if len(token) == 2 and args:  # "-o FILE"; "-oFILE" holds its value
                args = args[1:]
        elif panel is None:
            panel = token
    if panel is None:
        return None
    if engine is None:
        from clusteratlas._config import load_settings

        engine = load_settings().engine
    path = Path(panel)
    if engine not in (None, "duckdb") or path.suffix.lower() != ".parquet" \
            or not path.is_file():
        return None
    return path


def _start_numba() -> None:
    from clusteratlas.core._columns import start_numba

    with contextlib.suppress(Exception):  # the pipeline meets any problem itself
        start_numba()
