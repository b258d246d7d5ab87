"""The console script ``clusteratlas`` and ``python -m clusteratlas``.

Before the command line's libraries are imported (half a second with ``map``'s), a
``map`` of a Parquet panel gets its process settings
(:func:`~clusteratlas.cli.process.prepare_map`) and starts reading the file and
loading numba (:func:`~clusteratlas.service.panel_reading.prefetch`), each on its own
thread: Arrow reads on the other core meanwhile, instead of after the imports.  This
module imports only the standard library and those two modules, so that every other
command starts as fast as before."""

from __future__ import annotations

import os
import sys

__all__ = ["run"]


def run() -> None:
    """Run the command line on ``sys.argv`` and end the process with its exit code
    (:func:`clusteratlas.cli.main.run`)."""
    try:
        from clusteratlas.cli.process import PROCESS, hold_interrupts, prepare_map

        PROCESS.one_command = True
        argv = sys.argv[1:]
        if argv[:1] == ["map"] and not {"--help", "-h"} & set(argv):
            from clusteratlas.service.panel_reading import prefetch

            hold_interrupts()  # before any thread starts: they never get Ctrl-C
            prepare_map()
            PROCESS.reading_ahead = prefetch(argv)
        from clusteratlas.cli.main import run as run_command_line
    except KeyboardInterrupt:
        # Ctrl-C while starting: the exit code of an interrupted command, no
        # traceback, and no waiting for a read started ahead
        ahead = sys.modules.get("clusteratlas.service.compile_ahead")
        if ahead is not None:  # a second compiling process started: its folder goes
            ahead.command_ended()
        sys.stderr.flush()
        os._exit(130)
    run_command_line()
