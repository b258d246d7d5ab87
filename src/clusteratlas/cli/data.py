"""Commands of the data directory: ``demo``, ``info``, ``settings``, ``import …``,
``fetch``, ``restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from clusteratlas._config import SETTINGS_HELP, load_settings
from clusteratlas.cli.app import Command, DataDirOption, app, import_app, settings_for

__all__ = ["demo", "fetch", "import_boundaries", "import_firms", "info", "restore",
           "settings_command"]

SOURCES = ("genesis-table", "genesis-ffcsv", "eurostat-tsv", "eurostat-sdmx", "cbp")


@app.command(cls=Command)
def demo(
    data_dir: DataDirOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a store that holds "
                                        "imported (non-demo) data.")] = False,
) -> None:
    """Build the Baden-Württemberg demo (synthetic panel, real initiative facts)."""
    from clusteratlas.service.setup import build_demo_store

    settings = settings_for(data_dir)
    counts = build_demo_store(settings.directory(), force=force)
    typer.echo(
        f"Demo built in {settings.data_dir}: {counts['regions']} districts, "
        f"{counts['observations']:,} panel cells (synthetic demo data), "
        f"{counts['initiatives']} registry entries."
    )


@app.command(cls=Command)
def info(data_dir: DataDirOption = None) -> None:
    """Show what the data directory holds, with sources and licences."""
    from clusteratlas.service.setup import describe_store

    for line in describe_store(settings_for(data_dir).directory()):
        typer.echo(line)


@app.command("settings", cls=Command)
def settings_command() -> None:
    """List the settings, their environment variables and current values."""
    current = load_settings()
    for name, text in SETTINGS_HELP.items():
        typer.echo(f"{name} (CLUSTERATLAS_{name.upper()}) = {getattr(current, name)}\n    {text}")


@import_app.command("boundaries", cls=Command)
def import_boundaries(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Shapefile, GeoPackage, GeoJSON "
                                         "or TopoJSON.")],
    data_dir: DataDirOption = None,
    key: Annotated[Optional[str], typer.Option(metavar="FIELD", help=  # noqa: UP045
               "Field holding the region code (detected among AGS, ARS, NUTS, FIPS, id).")]
        = None,
    attribution: Annotated[Optional[str], typer.Option(metavar="TEXT", help=  # noqa: UP045
                           "Attribution to show.")] = None,
    licence: Annotated[Optional[str], typer.Option(metavar="TEXT", help=  # noqa: UP045
                       "Licence of the file.")] = None,
    layer: Annotated[Optional[str], typer.Option(metavar="NAME", help=  # noqa: UP045
                     "Layer of a multi-layer file (GeoPackage, TopoJSON object).")] = None,
) -> None:
    """Import official boundaries; they replace the schematic map."""
    from clusteratlas.service.setup import import_boundaries as run

    report = run(settings_for(data_dir).directory(), file, key=key, attribution=attribution,
                 licence=licence, layer=layer)
    typer.echo(
        f"Imported {report['matched']} region shapes from {report['features']} features of "
        f"{file.name} (key {report['key']}); {report['skipped']} features outside the "
        "register skipped."
    )
    for line in report["dissolved"]:
        typer.echo(f"Dissolved into its successor: {line}")
    if report["missing"]:
        typer.echo(f"Regions without a shape: {', '.join(report['missing'])}", err=True)


def _import_command(source: str) -> None:
    def command(
        files: Annotated[list[Path], typer.Argument(metavar="FILE", help="One or more files "
                                                    "of this source.")],
        data_dir: DataDirOption = None,
        replace: Annotated[bool, typer.Option(help="Supersede an imported version of the same "
                                              "table (it stays recoverable).")] = False,
    ) -> None:
        from clusteratlas.service.imports import import_files
        from clusteratlas.service.validation import validate_parsed

        report = import_files(settings_for(data_dir).directory(), source, files,
                              replace=replace, validate=validate_parsed)
        for line in report.setup:
            typer.echo(line)
        for name in report.imported:
            typer.echo(f"Imported {name}")
        for line in report.measures:
            typer.echo(line)
        for name in report.skipped:
            typer.echo(f"Skipped {name}")
        for name in report.replaced:
            typer.echo(f"Superseded {name} (restore with: clusteratlas restore {name})")
        typer.echo(f"{report.rows:,} values written in one transaction.")
        if report.regions:
            typer.echo("Region codes:")
            for line in report.regions:
                typer.echo(f"  - {line}")
        if report.checks:
            typer.echo("Validation report:")
            for line in report.checks:
                typer.echo(f"  - {line}")

    command.__doc__ = f"Import {source} files into the store (all or nothing)."
    import_app.command(source, cls=Command)(command)


for _source in SOURCES:
    _import_command(_source)


@import_app.command("firms", cls=Command)
def import_firms(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV/Parquet: id, "
                                         "industry[, employment] and lat, lon or x, y.")],
    data_dir: DataDirOption = None,
    crs: Annotated[Optional[str], typer.Option(metavar="CRS", help=  # noqa: UP045
                   "CRS of x/y, e.g. EPSG:25832.")] = None,
    licence: Annotated[str, typer.Option(metavar="TEXT", help="Licence of the file.")]
        = "not stated",
    attribution: Annotated[Optional[str], typer.Option(metavar="TEXT", help=  # noqa: UP045
                           "Attribution to show.")] = None,
) -> None:
    """Import firm or establishment locations."""
    from clusteratlas.service.imports import import_firms as run

    report = run(settings_for(data_dir).directory(), file, crs=crs, licence=licence,
                 attribution=attribution)
    if report.skipped:
        typer.echo(f"Skipped {report.skipped[0]}")
    else:
        typer.echo(f"Imported {report.rows:,} sites as {report.imported[0]}")


def _key_values(values: list[str] | None) -> list[str] | None:
    """``--param KEY=VALUE`` checked while parsing."""
    for item in values or []:
        if "=" not in item:
            raise typer.BadParameter(f"{item!r}: expected KEY=VALUE")
    return values


@app.command(cls=Command)
def fetch(
    dataset: Annotated[str, typer.Argument(metavar="DATASET", help="genesis:TABLE, "
                                           "eurostat:CODE, cbp:YEAR, gisco-nuts:YEAR, "
                                           "vg5000:01-01, vg250:01-01")],
    option: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045
        "--param", "-p", metavar="KEY=VALUE", callback=_key_values,
        help="A parameter of the request (repeat; e.g. geo=DE1, startyear=2015).")] = None,
    data_dir: DataDirOption = None,
    replace: Annotated[bool, typer.Option(help="Supersede an imported version.")] = False,
    refresh: Annotated[bool, typer.Option(help="Ignore the download cache.")] = False,
) -> None:
    """Download an official dataset (cached, retried, with a progress bar), then import it."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from clusteratlas.service.imports import import_files
    from clusteratlas.service.setup import import_boundaries as import_shapes
    from clusteratlas.sources.fetch import download, plan_fetch

    options = {key: value for key, _, value in (item.partition("=") for item in option or [])}
    store = settings_for(data_dir).directory().ensure()
    plan = plan_fetch(dataset, options)
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), transient=True) as bar:
        task = bar.add_task(dataset, total=None)
        files = download(plan, store.path / "cache", refresh=refresh,
                         progress=lambda seen, total: bar.update(task, completed=seen, total=total))
    if plan.source == "boundaries":
        report = import_shapes(store, files[0])
        typer.echo(f"Imported {report['matched']} region shapes from {dataset}.")
        return
    result = import_files(store, plan.source, files, replace=replace)
    typer.echo(f"Fetched {dataset}: {len(result.imported)} imported, "
               f"{len(result.skipped)} already there; {result.rows:,} values.")


@app.command(cls=Command)
def restore(
    dataset: Annotated[str, typer.Argument(metavar="DATASET", help="Id of a superseded "
                                           "dataset (see 'info').")],
    data_dir: DataDirOption = None,
) -> None:
    """Make a superseded dataset version active again."""
    from clusteratlas.service.imports import restore_dataset

    typer.echo(restore_dataset(settings_for(data_dir).directory(), dataset))
