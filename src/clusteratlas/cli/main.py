"""Entry point of the command line: the commands registered, every error one line.

Exit codes: 0 done; 2 a usage error (unknown command or option, a missing argument, a
value of the wrong kind, a bare ``clusteratlas``) or bad input data; 1 any other failure;
130 interrupted. A usage error prints ``Error: …`` and one ``Try '… --help'.`` line; a
:class:`~clusteratlas.errors.ClusteratlasError` prints ``Error: …`` alone. Neither ever
prints a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

# Each command module registers its commands on the app when imported.
from clusteratlas.cli import alignment, briefing, data, mapping, registry, serve  # noqa: F401
from clusteratlas.cli.app import CLICK_EXCEPTIONS, app
from clusteratlas.cli.process import PROCESS
from clusteratlas.errors import ClusteratlasError, InputError, SourceError

__all__ = ["app", "main", "run"]


def _sentence(message: str) -> str:
    """Click's "No such option" as "no such option", as our own messages read."""
    return message[:1].lower() + message[1:] if message[1:2].islower() else message


def _usage_error(exc: Any) -> int:
    ctx = exc.ctx
    if isinstance(exc, getattr(CLICK_EXCEPTIONS, "NoArgsIsHelpError", ())):
        # A bare command group: what it offers, as a usage error (git does the same).
        typer.echo(ctx.get_help(), err=True)
        return 2
    typer.echo(f"Error: {_sentence(exc.format_message())}", err=True)
    typer.echo(f"Try '{ctx.command_path if ctx else 'clusteratlas'} --help'.", err=True)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line on ``argv`` (default: ``sys.argv[1:]``) and return the exit
    code; errors become one line on stderr."""
    try:
        # Outside standalone mode Click raises its errors to us instead of printing them.
        code = app(args=argv, prog_name="clusteratlas", standalone_mode=False)
    except CLICK_EXCEPTIONS.UsageError as exc:
        return _usage_error(exc)
    except CLICK_EXCEPTIONS.ClickException as exc:
        typer.echo(f"Error: {_sentence(exc.format_message())}", err=True)
        return int(exc.exit_code)
    except ClusteratlasError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        return 2 if isinstance(exc, InputError | SourceError) else 1
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    return code if isinstance(code, int) else 0


def run() -> None:
    """The console script ``clusteratlas``.

    After a command that says it is done (``PROCESS.done_at_once``: ``map``, whose
    gigabyte of arrays and several thread pools the interpreter would otherwise free
    and stop one by one, a sixth of a second on the benchmark panel) the process ends
    at once, its output flushed; so does a ``map`` that fails while its panel is read
    ahead (its files, if any, were removed before the error reached here)."""
    PROCESS.one_command = True
    code = main()
    # a failed command whose panel is still being read ahead (cli/launch.py) need not
    # wait for the read: nothing was written
    if PROCESS.done_at_once or (code != 0 and PROCESS.reading_ahead):
        import os

        from clusteratlas.service.compile_ahead import command_ended

        command_ended()  # what atexit would do: no claims' folder left behind
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
