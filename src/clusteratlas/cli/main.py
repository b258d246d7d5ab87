"""Command-line interface.  Every ClusteratlasError becomes one line on stderr."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

import clusteratlas
from clusteratlas._config import SETTINGS_HELP, Settings, load_settings
from clusteratlas._files import write_atomically
from clusteratlas.errors import ClusteratlasError, InputError, SourceError

__all__ = ["app", "main"]

app = typer.Typer(
    name="clusteratlas",
    help="Clusteratlas: regional cluster agglomerations, cluster initiatives and the link "
    "between them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
import_app = typer.Typer(help="Import official data into the store.", no_args_is_help=True)
app.add_typer(import_app, name="import")

DataDirOption = Annotated[
    Optional[Path],  # noqa: UP045 - typer needs the Optional spelling on 3.11
    typer.Option("--data-dir", "-d", help="Data directory (default: the platform's user data "
                 "folder; env CLUSTERATLAS_DATA_DIR).", show_default=False),
]


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


def _settings(data_dir: Path | None, **extra: Any) -> Settings:
    return load_settings(data_dir=data_dir, **extra)


@app.command()
def demo(
    data_dir: DataDirOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace a store that holds "
                                        "imported (non-demo) data.")] = False,
) -> None:
    """Build the Baden-Württemberg demo (synthetic panel, real initiative facts)."""
    from clusteratlas.service.setup import build_demo_store

    settings = _settings(data_dir)
    counts = build_demo_store(settings.directory(), force=force)
    typer.echo(
        f"Demo built in {settings.data_dir}: {counts['regions']} districts, "
        f"{counts['observations']:,} panel cells (synthetic demo data), "
        f"{counts['initiatives']} registry entries."
    )


@app.command()
def serve(
    data_dir: DataDirOption = None,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on [127.0.0.1].")] = None,  # noqa: UP045
    port: Annotated[Optional[int], typer.Option(help="Port [8000].")] = None,  # noqa: UP045
) -> None:
    """Start the web atlas (builds the demo first if the store is empty)."""
    import uvicorn

    from clusteratlas.server import create_app
    from clusteratlas.service.atlas import open_atlas
    from clusteratlas.service.setup import ensure_store

    settings = _settings(data_dir, host=host, port=port)
    store = settings.directory()
    if ensure_store(store):
        typer.echo(f"Built the demo in {settings.data_dir} (synthetic demo data).")
    atlas = open_atlas(store)
    url = f"http://{settings.host}:{settings.port}/"
    typer.echo(f"Clusteratlas is running at {url}  (Ctrl+C stops it)")
    uvicorn.run(create_app(store, atlas=atlas), host=settings.host, port=settings.port,
                log_level="warning")


@app.command("map")
def map_command(
    panel: Annotated[Path, typer.Argument(help="Panel CSV or Parquet: region, industry, year, "
                                          "employment[, establishments, wages, flag].")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .csv or .parquet; summaries "
                                      "go to NAME.regions.EXT and NAME.categories.EXT.")],
    categories: Annotated[Optional[Path], typer.Option(help="Cluster categories (YAML or CSV); "  # noqa: UP045
                                                        "default: each industry is a category.")] = None,
    reference_region: Annotated[Optional[str], typer.Option(help="Region code whose employment "  # noqa: UP045
                                                             "is the LQ reference (e.g. DG).")] = None,
    regions: Annotated[Optional[str], typer.Option(help="Regular expression of the region codes "  # noqa: UP045
                                                    "to map, e.g. '08[0-9]{3}'.")] = None,
    year: Annotated[Optional[int], typer.Option(help="Only this year in the output.")] = None,  # noqa: UP045
    span: Annotated[int, typer.Option(help="Years for change and CAGR.")] = 5,
    engine: Annotated[Optional[str], typer.Option(help="duckdb (embedded) or spark; default: "  # noqa: UP045
                                                   "the setting engine (CLUSTERATLAS_ENGINE), "
                                                   "else duckdb.")] = None,
    engine_url: Annotated[Optional[str], typer.Option(help="Spark master or Spark Connect URL "  # noqa: UP045
                                                       "(local[*], spark://…, sc://…); default: "
                                                       "the setting spark_url.")] = None,
    fill_suppressed: Annotated[bool, typer.Option(help="Estimate suppressed cells from region "
                                                  "totals (flagged).")] = False,
    details: Annotated[bool, typer.Option(help="Also write thresholds and region totals.")] = False,
    denominator: Annotated[str, typer.Option(help="total, or traded/local (US Cluster Mapping: "
                                             "totals over that category group).")] = "total",
    plants: Annotated[Optional[Path], typer.Option(help="Plant file (industry, year, "  # noqa: UP045
                                                    "employment) for the exact EG index.")] = None,
    shift_share: Annotated[Optional[str], typer.Option(help="START:END years; writes "  # noqa: UP045
                                                        "NAME.shiftshare.EXT.")] = None,
    coagglomeration_year: Annotated[Optional[int], typer.Option(  # noqa: UP045
        help="Writes NAME.coagglomeration.EXT for that year.")] = None,
    star_quantile: Annotated[float, typer.Option(help="Size and focus star percentile.")] = 0.90,
    star_min_lq: Annotated[float, typer.Option(help="Specialisation star LQ.")] = 2.0,
    strong_quantile: Annotated[float, typer.Option(help="Strong-cluster LQ percentile "
                                                   "(0.75; 0.90 variant).")] = 0.75,
) -> None:
    """Map cluster agglomerations: LQ, shares, change, stars, strong clusters, concentration."""
    import numpy as np

    from clusteratlas import reference
    from clusteratlas.core.stars import StarRules, StrongRule
    from clusteratlas.errors import ConfigError
    from clusteratlas.service.mapping import MappingOptions, map_file, write_outputs

    years: tuple[int, int] | None = None
    if shift_share is not None:
        try:
            a, b = (int(v) for v in shift_share.split(":"))
        except ValueError:
            raise ConfigError(f"--shift-share {shift_share!r}: expected START:END, "
                              "e.g. 2015:2020") from None
        years = (a, b)
    options = MappingOptions(
        reference=reference_region, regions=regions, year=year, span=span,
        stars=StarRules(size_quantile=star_quantile, min_lq=star_min_lq,
                        focus_quantile=star_quantile),
        strong=StrongRule(lq_quantile=strong_quantile), denominator=denominator,
        fill_suppressed=fill_suppressed, plants=plants, shift_share_years=years,
        coagglomeration_year=coagglomeration_year)
    category_set = reference.read_categories(categories) if categories is not None else None

    # Transparent huge pages with synchronous compaction stall large fresh
    # allocations here more than they save; measured in bench/mapping.py.
    np._core.multiarray._set_madvise_hugepage(False)  # type: ignore[attr-defined]
    engine, engine_url = load_settings().engine_choice(engine, engine_url)
    result = map_file(panel, category_set, options, engine=engine, engine_url=engine_url)
    paths = write_outputs(result, out, details=details)
    typer.echo(f"Mapped {result.meta['regions_mapped']} regions × {result.meta['categories']} "
               f"categories ({len(result.result):,} cells) with the {result.meta['engine']} engine "
               f"→ {', '.join(str(p) for p in paths)}")
    for note in result.notes:
        typer.echo(f"Note: {note}", err=True)


@app.command()
def info(data_dir: DataDirOption = None) -> None:
    """Show what the data directory holds, with sources and licences."""
    from clusteratlas.service.setup import describe_store

    settings = _settings(data_dir)
    for line in describe_store(settings.directory()):
        typer.echo(line)


@app.command()
def get(
    path: Annotated[str, typer.Argument(help="API path, e.g. /api/regions/08435")],
    data_dir: DataDirOption = None,
) -> None:
    """Run one API request in-process and print the JSON (for scripts)."""
    from fastapi.testclient import TestClient

    from clusteratlas.server import create_app

    settings = _settings(data_dir)
    with TestClient(create_app(settings.directory())) as client:
        response = client.get(path)
    typer.echo(response.text)
    if response.status_code >= 400:
        raise typer.Exit(code=2 if response.status_code < 500 else 1)


@app.command("settings")
def settings_cmd() -> None:
    """List the settings, their environment variables and current values."""
    current = load_settings()
    for name, text in SETTINGS_HELP.items():
        typer.echo(f"{name} (CLUSTERATLAS_{name.upper()}) = {getattr(current, name)}\n    {text}")


@import_app.command("boundaries")
def import_boundaries(
    file: Annotated[Path, typer.Argument(help="Shapefile, GeoPackage, GeoJSON or TopoJSON.")],
    data_dir: DataDirOption = None,
    key: Annotated[Optional[str], typer.Option(help="Field holding the region code "  # noqa: UP045
                                                "(detected among AGS, ARS, NUTS, FIPS, id).")] = None,
    attribution: Annotated[Optional[str], typer.Option(help="Attribution to show.")] = None,  # noqa: UP045
    licence: Annotated[Optional[str], typer.Option(help="Licence of the file.")] = None,  # noqa: UP045
    layer: Annotated[Optional[str], typer.Option(help="Layer of a multi-layer file "  # noqa: UP045
                                                 "(GeoPackage, TopoJSON object).")] = None,
) -> None:
    """Import official boundaries; they replace the schematic map."""
    from clusteratlas.service.setup import import_boundaries as run

    settings = _settings(data_dir)
    report = run(settings.directory(), file, key=key, attribution=attribution,
                 licence=licence, layer=layer)
    typer.echo(
        f"Imported {report['matched']} region shapes from {file} (key {report['key']}); "
        f"{report['skipped']} features outside the register skipped."
    )
    if report["missing"]:
        typer.echo(f"Regions without a shape: {', '.join(report['missing'])}", err=True)


def _make_import(source: str) -> None:
    def command(
        files: Annotated[list[Path], typer.Argument(help="One or more files of this source.")],
        data_dir: DataDirOption = None,
        replace: Annotated[bool, typer.Option(help="Supersede an imported version of the same "
                                              "table (it stays recoverable).")] = False,
    ) -> None:
        from clusteratlas.service.imports import import_files
        from clusteratlas.service.validation import validate_parsed

        settings = _settings(data_dir)
        report = import_files(settings.directory(), source, files, replace=replace,
                              validate=validate_parsed)
        for name in report.imported:
            typer.echo(f"Imported {name}")
        for name in report.skipped:
            typer.echo(f"Skipped {name}")
        for name in report.replaced:
            typer.echo(f"Superseded {name} (restore with: clusteratlas restore {name})")
        typer.echo(f"{report.rows:,} values written in one transaction.")
        if report.checks:
            typer.echo("Validation report:")
            for line in report.checks:
                typer.echo(f"  - {line}")

    command.__doc__ = f"Import {source} files into the store (all or nothing)."
    import_app.command(source)(command)


for _source in ("genesis-table", "genesis-ffcsv", "eurostat-tsv", "eurostat-sdmx", "cbp"):
    _make_import(_source)


@import_app.command("firms")
def import_firms_command(
    file: Annotated[Path, typer.Argument(help="CSV/Parquet: id, industry[, employment] and "
                                         "lat, lon or x, y.")],
    data_dir: DataDirOption = None,
    crs: Annotated[Optional[str], typer.Option(help="CRS of x/y, e.g. EPSG:25832.")] = None,  # noqa: UP045
    licence: Annotated[str, typer.Option(help="Licence of the file.")] = "not stated",
    attribution: Annotated[Optional[str], typer.Option(help="Attribution to show.")] = None,  # noqa: UP045
) -> None:
    """Import firm or establishment locations."""
    from clusteratlas.service.imports import import_firms

    report = import_firms(_settings(data_dir).directory(), file, crs=crs, licence=licence,
                          attribution=attribution)
    if report.skipped:
        typer.echo(f"Skipped {report.skipped[0]}")
    else:
        typer.echo(f"Imported {report.rows:,} sites as {report.imported[0]}")


@app.command()
def fetch(
    dataset: Annotated[str, typer.Argument(help="genesis:TABLE, eurostat:CODE, cbp:YEAR, "
                                           "gisco-nuts:YEAR, vg5000:01-01, vg250:01-01")],
    option: Annotated[Optional[list[str]], typer.Option("--param", "-p", help=  # noqa: UP045
                      "KEY=VALUE for the request (e.g. geo=DE1, startyear=2015).")] = None,
    data_dir: DataDirOption = None,
    replace: Annotated[bool, typer.Option(help="Supersede an imported version.")] = False,
    refresh: Annotated[bool, typer.Option(help="Ignore the download cache.")] = False,
) -> None:
    """Download an official dataset (cached, retried, with a progress bar), then import it."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    from clusteratlas.errors import ConfigError
    from clusteratlas.service.imports import import_files
    from clusteratlas.service.setup import import_boundaries
    from clusteratlas.sources.fetch import download, plan_fetch

    options = {}
    for item in option or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--param {item!r}: expected KEY=VALUE")
        options[key] = value
    settings = _settings(data_dir)
    store = settings.directory().ensure()
    plan = plan_fetch(dataset, options)
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TransferSpeedColumn(), transient=True) as bar:
        task = bar.add_task(dataset, total=None)
        files = download(plan, store.path / "cache", refresh=refresh,
                         progress=lambda seen, total: bar.update(task, completed=seen, total=total))
    if plan.source == "boundaries":
        report = import_boundaries(store, files[0])
        typer.echo(f"Imported {report['matched']} region shapes from {dataset}.")
        return
    result = import_files(store, plan.source, files, replace=replace)
    typer.echo(f"Fetched {dataset}: {len(result.imported)} imported, "
               f"{len(result.skipped)} already there; {result.rows:,} values.")


@app.command()
def kd(
    sites: Annotated[Path, typer.Argument(help="CSV/Parquet: id, industry, employment and "
                                          "lat, lon or x, y (km).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Curves .csv/.parquet; the summary "
                                      "goes to NAME.summary.EXT.")],
    industry: Annotated[Optional[list[str]], typer.Option(help="Industry code (repeatable).")  # noqa: UP045
                        ] = None,
    all_industries: Annotated[bool, typer.Option("--all", help="Every industry.")] = False,
    sims: Annotated[int, typer.Option(help="Counterfactual simulations.")] = 999,
    seed: Annotated[int, typer.Option(help="Seed of the first industry (+1 each).")] = 1,
    weights: Annotated[str, typer.Option(help="employment or none.")] = "employment",
    dmax: Annotated[float, typer.Option(help="Largest distance (km).")] = 100.0,
    grid: Annotated[int, typer.Option(help="Distances on the grid.")] = 101,
    bandwidth: Annotated[Optional[float], typer.Option(help="Kernel bandwidth (km); "  # noqa: UP045
                                                        "default Silverman.")] = None,
    engine: Annotated[str, typer.Option(help="local or spark (one task per industry).")] = "local",
    engine_url: Annotated[Optional[str], typer.Option(help="Spark master or Spark Connect URL.")  # noqa: UP045
                          ] = None,
    device: Annotated[str, typer.Option(help="cpu or gpu (pip install "
                                        "'clusteratlas[gpu]').")] = "cpu",
    m_function: Annotated[bool, typer.Option("--m-function", help="Add Marcon–Puech M "
                                             "(costs n × N distances).")] = False,
) -> None:
    """Duranton–Overman K-density with local and global confidence bands."""
    from rich.progress import Progress

    from clusteratlas.errors import ConfigError
    from clusteratlas.service.kdensity import read_sites, run_kd, write_kd

    if industry and all_industries:
        raise ConfigError("give --industry codes or --all, not both")
    data = read_sites(sites)
    chosen = None if all_industries or not industry else industry
    total = len(set(data.industry)) if chosen is None else len(chosen)
    import warnings

    from clusteratlas.errors import DegenerateDataWarning

    with Progress(transient=True) as bar, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DegenerateDataWarning)
        task = bar.add_task(f"K-density, {sims} simulations", total=total)
        results = run_kd(data, chosen, simulations=sims, seed=seed, weights=weights, dmax=dmax,
                         n_grid=grid, bandwidth=bandwidth, engine=engine, engine_url=engine_url,
                         device=device, progress=lambda _: bar.advance(task),
                         m_function=m_function)
    for item in caught:
        typer.echo(f"Note: {item.message}", err=True)
    paths = write_kd(results, out)
    verdicts: dict[str, int] = {}
    for r in results.values():
        verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    typer.echo(f"{len(results)} industries: " + ", ".join(f"{n} {v}" for v, n in
                                                           sorted(verdicts.items()))
               + f" → {', '.join(map(str, paths))}")


@app.command()
def convert(
    source: Annotated[str, typer.Argument(help="genesis-table, genesis-ffcsv, eurostat-tsv, "
                                          "eurostat-sdmx or cbp.")],
    file: Annotated[Path, typer.Argument(help="The source file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Panel .csv or .parquet.")],
) -> None:
    """Write a source file as a canonical panel without touching the store."""
    from clusteratlas.service.imports import convert_file

    rows = convert_file(source, file, out)
    typer.echo(f"Wrote {rows:,} rows to {out}")


@app.command()
def restore(
    dataset: Annotated[str, typer.Argument(help="Id of a superseded dataset (see 'info').")],
    data_dir: DataDirOption = None,
) -> None:
    """Make a superseded dataset version active again."""
    from clusteratlas.service.imports import restore_dataset

    typer.echo(restore_dataset(_settings(data_dir).directory(), dataset))


user_app = typer.Typer(help="Users of the initiative registry.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens of the registry.", no_args_is_help=True)
registry_app = typer.Typer(help="Export and import the initiative registry.",
                           no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(registry_app, name="registry")


def _registry(data_dir: Path | None, *, atlas: Any = None, check_codes: bool = False) -> Any:
    """The registry service; codes are checked against the atlas only where a command
    writes initiatives (reading the statistics store costs a second or two)."""
    from clusteratlas.service.registry import open_registry

    return open_registry(_settings(data_dir).directory(), atlas=atlas,
                         check_codes=check_codes or atlas is not None)


def _password(env: str) -> str | None:
    """From the environment variable, else the first line of a piped stdin, else a
    hidden prompt (twice)."""
    import os

    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        return line or None
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The user name.")],
    role: Annotated[str, typer.Option("--role", help="admin, analyst or manager.")],
    initiative: Annotated[list[str] | None, typer.Option(
        "--initiative", help="An initiative a manager keeps (repeat for several).")] = None,
    password_env: Annotated[str, typer.Option(
        "--password-env", help="Environment variable holding the password (else stdin).")]
        = "CLUSTERATLAS_PASSWORD",
    data_dir: DataDirOption = None,
) -> None:
    """Add a registry user; the password comes from $CLUSTERATLAS_PASSWORD or stdin."""
    with _registry(data_dir) as service:
        user = service.add_user(name, role, _password(password_env), initiative or [])
    extra = f" for {', '.join(user['initiatives'])}" if user["initiatives"] else ""
    typer.echo(f"Added {user['role']} {user['name']}{extra}.")


@user_app.command("list")
def user_list(data_dir: DataDirOption = None) -> None:
    """List the registry's users."""
    from clusteratlas.registry.auth import Actor

    with _registry(data_dir) as service:
        users = service.users(Actor("cli", "admin"))
    for u in users:
        state = "" if u["active"] else " (deactivated)"
        typer.echo(f"{u['name']}\t{u['role']}\t{','.join(u['initiatives'])}{state}")


@user_app.command("set")
def user_set(
    name: Annotated[str, typer.Argument(help="The user name.")],
    active: Annotated[bool | None, typer.Option("--active/--inactive",
                                                help="Allow or stop sign-ins.")] = None,
    password: Annotated[bool, typer.Option("--password", help="Set a new password "
                                           "(from $CLUSTERATLAS_PASSWORD or stdin).")] = False,
    role: Annotated[str | None, typer.Option("--role", help="A new role: admin, analyst or "
                                             "manager.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Deactivate, reactivate, set the password or the role of a user (a new password or
    role ends the user's sessions and revokes their tokens)."""
    from clusteratlas.registry.auth import Actor

    with _registry(data_dir) as service:
        service.set_user(name, Actor("cli", "admin"), active=active, role=role,
                         password=_password("CLUSTERATLAS_PASSWORD") if password else None)
    typer.echo(f"Updated {name}.")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="The user the token acts for.")],
    token_name: Annotated[str, typer.Option("--name", help="A label for the token.")] = "cli",
    expires: Annotated[int | None, typer.Option(
        "--expires", help="Valid for this many days (default: until revoked).")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an API token (printed once: only its hash is stored)."""
    with _registry(data_dir) as service:
        typer.echo(service.create_token(name, token_name, expires_days=expires))


@token_app.command("list")
def token_list(
    name: Annotated[str, typer.Argument(help="The user whose tokens to list.")],
    data_dir: DataDirOption = None,
) -> None:
    """List a user's tokens: id, name, created, expires, state (never the secrets)."""
    with _registry(data_dir) as service:
        for t in service.tokens(name):
            state = "valid" if t["valid"] else ("revoked" if t["revoked_at"] else "expired")
            typer.echo(f"{t['id']}\t{t['name']}\t{t['created_at']}\t"
                       f"{t['expires_at'] or '-'}\t{state}")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see token list).")],
    data_dir: DataDirOption = None,
) -> None:
    """Revoke one API token."""
    with _registry(data_dir) as service:
        t = service.revoke_token(token_id)
    typer.echo(f"Revoked token {t['id']} ({t['user']}/{t['name']}).")


@registry_app.command("export")
def registry_export(
    out: Annotated[Path, typer.Argument(help="Output file (.json, .zip of CSVs, .xlsx).")],
    fmt: Annotated[str | None, typer.Option("--format", help="json, csv or xlsx (default: "
                                            "from the file name).")] = None,
    initiative: Annotated[list[str] | None, typer.Option(
        "--initiative", help="Only this initiative (repeat for several).")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Export the whole registry (or some initiatives), losslessly."""
    from clusteratlas.service.registry.transfer import export_registry

    kind = fmt or _format_of(out)
    with _registry(data_dir) as service:
        data = export_registry(service, kind, initiative)
    write_atomically(out, data)
    typer.echo(f"Wrote {out} ({kind}, {len(data):,} bytes)")


@registry_app.command("import")
def registry_import(
    file: Annotated[Path, typer.Argument(help="An export (.json, .zip of CSVs, .xlsx).")],
    fmt: Annotated[str | None, typer.Option("--format", help="json, csv or xlsx.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Import initiatives (new ones added, existing ones replaced; all audited)."""
    from clusteratlas.registry.auth import Actor
    from clusteratlas.service.registry.transfer import import_registry, read_registry_file

    aggs = read_registry_file(file, fmt or _format_of(file))
    with _registry(data_dir, check_codes=True) as service:
        counts = import_registry(service, aggs, Actor("cli", "admin"), str(file))
    typer.echo(f"Imported {file}: {counts['created']} new, {counts['replaced']} replaced.")


FormatOption = Annotated[str, typer.Option("--format", help="csv, json or table.")]


def _emit(rows: list[dict[str, Any]], fmt: str, *, whole: Any = None,
          out: Path | None = None, title: str = "", lines: list[str] | None = None) -> None:
    """Rows as CSV, JSON (``whole`` if given) or a table on stdout, or into ``out``."""
    import io
    import json

    import pandas as pd

    if fmt not in ("csv", "json", "table"):
        raise InputError(f"--format {fmt!r}: expected csv, json or table")
    frame = pd.DataFrame(rows)
    for col in frame.columns:
        if frame[col].map(lambda v: isinstance(v, list | dict)).any():
            frame[col] = frame[col].map(lambda v: json.dumps(v, ensure_ascii=False)
                                        if isinstance(v, list | dict) else v)
    if fmt == "json":
        text = json.dumps(whole if whole is not None else rows, ensure_ascii=False, indent=1,
                          default=float)
    elif fmt == "csv":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False)
        text = buffer.getvalue()
    else:
        head = [title] if title else []
        text = "\n".join(head + (lines or []) + [frame.to_string(index=False) if len(frame)
                                                  else "(nothing)"]) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    write_atomically(out, text.encode("utf-8"))
    typer.echo(f"Wrote {len(rows):,} rows to {out}")


def _atlas_and_registry(data_dir: Path | None) -> tuple[Any, Any]:
    from clusteratlas.service.atlas import open_atlas
    from clusteratlas.service.setup import ensure_store

    directory = _settings(data_dir).directory()
    ensure_store(directory)
    atlas = open_atlas(directory)
    return atlas, _registry(data_dir, atlas=atlas)


@app.command()
def align(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file.")],
    year: Annotated[int | None, typer.Option("--year", help="Default: the latest.")] = None,
    rule: Annotated[str, typer.Option("--rule", help="Agglomeration: strong, strong_p90, "
                                      "stars or lq.")] = "strong",
    min_stars: Annotated[int, typer.Option("--min-stars")] = 2,
    min_lq: Annotated[float, typer.Option("--min-lq")] = 1.5,
    fmt: FormatOption = "csv",
    data_dir: DataDirOption = None,
) -> None:
    """Coverage of every region × category: covered, gap, no_base, emerging, none."""
    from clusteratlas.service.coverage import CoverageRule, coverage, portfolio

    atlas, registry = _atlas_and_registry(data_dir)
    registry.store.close()
    cov_rule = CoverageRule(agglomeration=rule, min_stars=min_stars, min_lq=min_lq)
    cov = coverage(atlas, year=year, rule=cov_rule)
    summary = portfolio(atlas, year=year, rule=cov_rule)
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()}
        for r in cov.astype(object).where(cov.notna(), None).to_dict("records")]
    _emit(rows, fmt, whole={"portfolio": summary, "cells": rows}, out=out)
    share = summary["covered_share"]
    typer.echo(f"{summary['year']}: {summary['by_status']['covered']['cells']} covered, "
               f"{summary['by_status']['gap']['cells']} gaps; "
               f"{share:.0%} of agglomeration employment covered" if share is not None
               else "no agglomeration under this rule")


@app.command()
def benchmark(
    initiative: Annotated[str, typer.Argument(help="Initiative id.")],
    year: Annotated[int | None, typer.Option("--year")] = None,
    weight: Annotated[list[str] | None, typer.Option(
        "--weight", help="indicator:weight (repeat; replaces the default weights).")] = None,
    fmt: FormatOption = "table",
    data_dir: DataDirOption = None,
) -> None:
    """An initiative's KPIs against its peers (accepted reports)."""
    from clusteratlas.registry.auth import Actor
    from clusteratlas.service.benchmarks import initiative_benchmark, parse_weights

    atlas, registry = _atlas_and_registry(data_dir)
    with registry:  # the operator of the data directory reads everything
        result = initiative_benchmark(atlas, registry, initiative, Actor("cli", "admin"),
                                      year=year, weights=parse_weights(weight))
    composite = result.get("composite")
    lines = [f"status: {result['status']}",
             f"composite: {composite:.1f}" if composite is not None else "composite: –"]
    _emit(result["indicators"], fmt, whole=result, title=f"{result['name']} {result['year'] or ''}".strip(),
          lines=lines)


@app.command()
def impact(
    initiative: Annotated[str, typer.Argument(help="Initiative id.")],
    fmt: FormatOption = "table",
    data_dir: DataDirOption = None,
) -> None:
    """Covered cells before and after the founding, and a matched difference in
    differences (an association, not proof of cause)."""
    from clusteratlas.service.impact import impact as run_impact

    atlas, registry = _atlas_and_registry(data_dir)
    registry.store.close()
    result = run_impact(atlas, initiative)
    did = result.get("did")
    lines = [f"status: {result['status']}"]
    if did:
        lines.append(f"difference in differences: {did['effect']:+.1%} "
                     f"({did['level']:.0%} interval {did['ci_low']:+.1%} to "
                     f"{did['ci_high']:+.1%}), {did['n_treated']} covered cells against "
                     f"{did['n_controls']} matched uncovered ones")
    lines.append(result["caveat"])
    _emit(result["cells"], fmt, whole=result, title=result["name"], lines=lines)


@app.command()
def opportunities(
    region: Annotated[str, typer.Argument(help="Region code (AGS or NUTS-3).")],
    top: Annotated[int, typer.Option("--top")] = 10,
    year: Annotated[int | None, typer.Option("--year")] = None,
    fmt: FormatOption = "table",
    data_dir: DataDirOption = None,
) -> None:
    """Related industries a region does not yet specialise in, ranked by density."""
    from clusteratlas.service.diversification import opportunities as run

    atlas, registry = _atlas_and_registry(data_dir)
    registry.store.close()
    result = run(atlas, region, year=year, top=top, lang=_settings(data_dir).lang)
    rows = [{k: v for k, v in r.items() if k != "evidence"} | {
        "evidence": ", ".join(e["industry"] for e in r["evidence"])}
        for r in result["opportunities"]]
    eci = result["eci"]
    _emit(rows, fmt, whole=result, title=f"{result['region_name']} {result['year']}",
          lines=[f"ECI {eci:+.2f}, diversity {result['diversity']} of "
                 f"{result['industries']} industries" if eci is not None else "ECI –"])


@app.command()
def brief(
    kind: Annotated[str, typer.Argument(help="district, initiative or state.")],
    target: Annotated[str | None, typer.Argument(help="Region code or initiative id.")]
        = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="FILE.pdf or FILE.html.")]
        = Path("briefing.pdf"),
    lang: Annotated[str | None, typer.Option("--lang", help="de or en.")] = None,
    year: Annotated[int | None, typer.Option("--year")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """A briefing (district, initiative or state portfolio) as PDF or HTML."""
    from clusteratlas.reports import render_briefing
    from clusteratlas.service.briefings import build

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "html"):
        raise InputError(f"{out}: the briefing is written as .pdf or .html")
    atlas, registry = _atlas_and_registry(data_dir)
    with registry:
        briefing = build(atlas, registry, kind, target,
                         lang=lang or _settings(data_dir).lang, year=year)
        data = render_briefing(briefing, fmt)
    write_atomically(out, data)
    typer.echo(f"Wrote {out} ({len(data):,} bytes){' – synthetic demo data' if briefing.synthetic else ''}")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    kinds = {".json": "json", ".zip": "csv", ".csv": "csv", ".xlsx": "xlsx"}
    if suffix not in kinds:
        raise InputError(f"{path}: say --format json, csv or xlsx (or name it .json, .zip, "
                         ".xlsx)")
    return kinds[suffix]


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app and turn our errors into one clean line."""
    try:
        # Without standalone mode click returns the code of a typer.Exit instead of raising.
        code = app(args=argv, prog_name="clusteratlas", standalone_mode=False)
        if isinstance(code, int):
            return code
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
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            return exc.exit_code
        raise
    return 0


def run() -> None:  # console script
    sys.exit(main())
