"""The Typer application, its command groups and the options every command shares.

Help is plain text (no Rich panels: they cost a fifth of a second at start-up and printed
placeholder types such as ``<bool>``); each value is shown by its metavar (``FILE``,
``YEAR``), arguments as ``NAME``, ``[NAME]`` or ``NAME...``. A misspelt command fails
with the one closest name as a suggestion.

The command modules import nothing heavy at the top: each imports its service functions
inside its body, so ``--help`` on any command loads only this package and Typer.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperCommand, TyperGroup

import clusteratlas
from clusteratlas._config import Settings, load_settings

if TYPE_CHECKING:
    from clusteratlas.service.registry import RegistryService

__all__ = ["CLICK_EXCEPTIONS", "Command", "DataDirOption", "FormatOption", "Group", "app",
           "atlas_and_registry", "import_app", "one_of", "open_registry", "out_file",
           "registry_app", "settings_for", "token_app", "user_app"]


def _metavar(param: Any) -> str:
    """``FILE`` for a value; the parameter's name in capitals where no metavar is set."""
    name: str = param.metavar or (param.name or "value").upper().replace("_", "-")
    return name


def _usage_piece(param: Any) -> str:
    name = _metavar(param)
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


def _option_names(param: Any) -> str:
    names = sorted(param.opts, key=lambda o: len(o) - len(o.lstrip("-")))
    # An automatic "--no-x" for a flag that is off by default says nothing new.
    negations = [o for o in param.secondary_opts
                 if not (param.default is False and o == "--no-" + param.opts[0].lstrip("-"))]
    text = ", ".join(names) + (" / " + ", ".join(negations) if negations else "")
    if not getattr(param, "is_flag", False):
        text += f" {_metavar(param)}"
    return text


def _option_help(param: Any) -> str:
    help_text: str = param.help or ""
    extra = []
    default = param.default
    if (param.show_default is not False and not getattr(param, "is_flag", False)
            and default is not None and default != [] and not callable(default)):
        extra.append(f"default: {default.name if isinstance(default, Path) else default}")
    if param.required:
        extra.append("required")
    return f"{help_text}  [{'; '.join(extra)}]" if extra else help_text


def _format_params(command: Any, ctx: Any, formatter: Any) -> None:
    arguments, options = [], []
    for param in command.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            name = _metavar(param) + ("..." if param.nargs != 1 else "")
            arguments.append((name, param.help or ""))
        else:
            options.append((_option_names(param), _option_help(param)))
    if arguments:
        with formatter.section("Arguments"):
            formatter.write_dl(arguments)
    if options:
        with formatter.section("Options"):
            formatter.write_dl(options)


# Typer ≥ 0.2x carries its own copy of Click, older releases use Click itself: the module
# that defines typer.BadParameter holds the exception classes of the one in use.
CLICK_EXCEPTIONS = sys.modules[typer.BadParameter.__module__]


def _parse(command: Any, parse: Callable[[Any, list[str]], list[str]], ctx: Any,
           args: list[str]) -> list[str]:
    """Parse, naming the command in errors the parser raises without it (an option that
    lacks its value), so that the hint says ``Try 'clusteratlas serve --help'``."""
    try:
        return parse(ctx, args)
    except CLICK_EXCEPTIONS.UsageError as exc:
        if exc.ctx is None:
            exc.ctx, exc.cmd = ctx, command
        raise


class Command(TyperCommand):
    """A command whose help shows metavars instead of Typer's placeholder types."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return _parse(self, super().parse_args, ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        return pieces + [_usage_piece(p) for p in self.get_params(ctx)
                         if p.param_type_name == "argument"]

    def format_options(self, ctx: Any, formatter: Any) -> None:
        _format_params(self, ctx, formatter)


# The order of ``clusteratlas --help``: first steps, data, analyses, registry.
ORDER = ("serve", "demo", "info", "settings", "get", "import", "fetch", "convert", "restore",
         "map", "kd", "align", "benchmark", "impact", "opportunities", "brief", "user", "token",
         "registry")


class Group(TyperGroup):
    """A command group with plain help and one suggestion for a misspelt command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return _parse(self, super().parse_args, ctx, args)

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(self.commands, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        _format_params(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if (args and not name.startswith("-") and not ctx.resilient_parsing
                and self.get_command(ctx, name) is None):
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            ctx.fail(f"no such command {name!r}." + (f" Did you mean {close[0]!r}?"
                                                       if close else ""))
        return super().resolve_command(ctx, args)


def _typer(help_text: str, **extra: Any) -> typer.Typer:
    return typer.Typer(help=help_text, cls=Group, no_args_is_help=True, rich_markup_mode=None,
                       pretty_exceptions_enable=False, add_completion=False, **extra)


app = _typer("Clusteratlas: regional cluster agglomerations, cluster initiatives and the "
             "link between them.", name="clusteratlas")
import_app = _typer("Import official data into the store.")
user_app = _typer("Users of the initiative registry.")
token_app = _typer("API tokens of the registry.")
registry_app = _typer("Export and import the initiative registry.")
app.add_typer(import_app, name="import")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(registry_app, name="registry")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"clusteratlas {clusteratlas.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Clusteratlas command line."""


DataDirOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs the Optional spelling on 3.11
    typer.Option("--data-dir", "-d", metavar="DIR", show_default=False,
                 help="Data directory (default: the platform's user data folder; env "
                 "CLUSTERATLAS_DATA_DIR)."),
]


def one_of(*values: str) -> Callable[[str | None], str | None]:
    """A check, run while parsing, that an option's value is one of ``values``."""

    def check(value: str | None) -> str | None:
        if value is not None and value not in values:
            raise typer.BadParameter(f"{value!r}: expected {', '.join(values[:-1])} or "
                                     f"{values[-1]}")
        return value

    return check


FormatOption = Annotated[str, typer.Option("--format", metavar="csv|json|table",
                                           callback=one_of("csv", "json", "table"),
                                           help="Output format.")]


def out_file(*suffixes: str) -> Callable[[Path | None], Path | None]:
    """A check of ``--out``'s extension, run while parsing: a wrong name is a usage error
    (exit 2) before any work is done, not a failure after the computation."""

    def check(value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in suffixes:
            raise typer.BadParameter(f"{str(value)!r} should end in "
                                     f"{' or '.join(suffixes)}")
        return value

    return check


def settings_for(data_dir: Path | None, **extra: Any) -> Settings:
    """The settings with the command line's values on top."""
    return load_settings(data_dir=data_dir, **extra)


def settings_options(settings: Settings) -> Any:
    """The mapping options the settings ask for (``min_employment``), as the server's."""
    from clusteratlas.service.mapping import MappingOptions

    return MappingOptions(min_employment=settings.min_employment)


def open_registry(data_dir: Path | None, *, atlas: Any = None,
                  check_codes: bool = False) -> RegistryService:
    """The registry service; codes are checked against the atlas only where a command
    writes initiatives (reading the statistics store costs a second or two)."""
    from clusteratlas.service.registry import open_registry as open_service

    return open_service(settings_for(data_dir).directory(), atlas=atlas,
                        check_codes=check_codes or atlas is not None)


def atlas_and_registry(data_dir: Path | None, *, scope: str | None = None,
                       reference: str | None = None,
                       reads_only: bool = False) -> tuple[Any, RegistryService]:
    """The atlas of the data directory (the demo built first if it is empty), seen from
    ``scope`` (default: the setting scope, else the home scope) with the LQ against
    ``reference`` (:meth:`~clusteratlas.service.atlas.Atlas.view`), and its registry
    (``reads_only``, for a command that only reads it: read with plain SQL where the
    registry allows it, :func:`~clusteratlas.service.registry_reads.reading_registry`)."""
    from clusteratlas.service.setup import ready_atlas

    settings = settings_for(data_dir)
    directory = settings.directory()
    atlas = ready_atlas(directory, settings_options(settings), scope=settings.scope)
    view = atlas.view(scope, reference)
    if reads_only:
        from clusteratlas.service.registry_reads import reading_registry

        registry: RegistryService = reading_registry(
            directory.registry_url, lambda: open_registry(data_dir, atlas=atlas))
        return view, registry
    return view, open_registry(data_dir, atlas=atlas)


ScopeOption = Annotated[str | None, typer.Option(
    "--scope", metavar="REGION", help="Region whose districts are shown and ranked (DG, "
    "09, 081, US-06). Default: the setting scope, else the data directory's home scope.")]
ReferenceOption = Annotated[str | None, typer.Option(
    "--reference", metavar="REGION", help="Region whose structure is the LQ benchmark. "
    "Default: the country when the data hold its row, else the scope's total.")]
