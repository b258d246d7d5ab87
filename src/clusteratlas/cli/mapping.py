"""Commands that compute from files without a data directory: ``map``, ``kd``, ``convert``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from clusteratlas._config import load_settings
from clusteratlas.cli.app import Command, app, out_file
from clusteratlas.cli.process import PROCESS, prepare_map, settle

__all__ = ["convert", "kd", "map_command"]

TABLE = (".csv", ".parquet")


def _year_pair(value: str | None) -> str | None:
    """``--shift-share START:END`` checked while parsing."""
    if value is not None:
        start, sep, end = value.partition(":")
        if not (sep and start.isdigit() and end.isdigit()):
            raise typer.BadParameter(f"{value!r}: expected START:END, e.g. 2015:2020")
    return value


@app.command("map", cls=Command)
def map_command(
    panel: Annotated[Path, typer.Argument(metavar="PANEL", help="Panel CSV or Parquet: region, "
                                          "industry, year, employment[, establishments, "
                                          "wages, flag].")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="OUT.csv|OUT.parquet",
                                      callback=out_file(*TABLE),
                                      help="The cells; summaries go to OUT.regions.EXT and "
                                      "OUT.categories.EXT.")],
    categories: Annotated[Optional[Path], typer.Option(metavar="FILE", help=  # noqa: UP045
                          "Cluster categories (YAML or CSV); default: each industry is a "
                          "category.")] = None,
    reference_region: Annotated[Optional[str], typer.Option(metavar="CODE", help=  # noqa: UP045
                                "Region whose employment is the LQ reference (e.g. DG).")] = None,
    regions: Annotated[Optional[str], typer.Option(metavar="REGEX", help=  # noqa: UP045
                       "Regular expression of the region codes to map, e.g. '08[0-9]{3}'.")]
        = None,
    year: Annotated[Optional[int], typer.Option(metavar="YEAR", help=  # noqa: UP045
                    "Only this year in the output.")] = None,
    span: Annotated[int, typer.Option(metavar="YEARS", help="Years for change and CAGR.")] = 5,
    engine: Annotated[Optional[str], typer.Option(metavar="duckdb|spark", help=  # noqa: UP045
                      "Default: the setting engine (CLUSTERATLAS_ENGINE), else duckdb.")] = None,
    engine_url: Annotated[Optional[str], typer.Option(metavar="URL", help=  # noqa: UP045
                          "Spark master or Spark Connect URL (local[*], spark://…, sc://…); "
                          "default: the setting spark_url.")] = None,
    fill_suppressed: Annotated[bool, typer.Option(help="Estimate suppressed cells from region "
                                                  "totals (flagged).")] = False,
    details: Annotated[bool, typer.Option(help="Also write thresholds and region totals.")] = False,
    denominator: Annotated[str, typer.Option(metavar="total|traded|local", help=
                           "traded/local: totals over that category group (US Cluster "
                           "Mapping).")] = "total",
    plants: Annotated[Optional[Path], typer.Option(metavar="FILE", help=  # noqa: UP045
                      "Plant file (industry, year, employment) for the exact EG index.")] = None,
    shift_share: Annotated[Optional[str], typer.Option(metavar="START:END", callback=_year_pair,  # noqa: UP045
                           help="Writes OUT.shiftshare.EXT.")] = None,
    coagglomeration_year: Annotated[Optional[int], typer.Option(metavar="YEAR", help=  # noqa: UP045
                                    "Writes OUT.coagglomeration.EXT for that year.")] = None,
    star_quantile: Annotated[float, typer.Option(metavar="Q", help="Size and focus star "
                                                 "percentile.")] = 0.90,
    star_min_lq: Annotated[float, typer.Option(metavar="LQ", help="Specialisation star LQ.")]
        = 2.0,
    strong_quantile: Annotated[float, typer.Option(metavar="Q", help="Strong-cluster LQ "
                                                   "percentile (0.75; 0.90 variant).")] = 0.75,
    min_employment: Annotated[Optional[float], typer.Option(metavar="N", help=  # noqa: UP045
                              "Minimum employment of a cell for stars and the strong "
                              "label; 0 applies the relative rules alone. Default: the "
                              "setting min_employment (1000).")] = None,
) -> None:
    """Map cluster agglomerations: LQ, shares, change, stars, strong clusters, concentration."""
    prepare_map()
    from clusteratlas.service.panel_reading import start_reading

    settings = load_settings()
    engine, engine_url = settings.engine_choice(engine, engine_url)
    # the file is read while the pipeline's libraries are imported
    pending = start_reading(panel, engine)

    from clusteratlas import reference
    from clusteratlas.core.stars import StarRules, StrongRule
    from clusteratlas.service.mapping import MappingOptions, map_file, write_outputs

    settle()

    years = None
    if shift_share is not None:
        start, _, end = shift_share.partition(":")
        years = (int(start), int(end))
    options = MappingOptions(
        reference=reference_region, regions=regions, year=year, span=span,
        stars=StarRules(size_quantile=star_quantile, min_lq=star_min_lq,
                        focus_quantile=star_quantile),
        strong=StrongRule(lq_quantile=strong_quantile), denominator=denominator,
        min_employment=(settings.min_employment if min_employment is None
                        else min_employment),
        fill_suppressed=fill_suppressed, plants=plants, shift_share_years=years,
        coagglomeration_year=coagglomeration_year)
    category_set = reference.read_categories(categories) if categories is not None else None

    # written to Parquet: the cells can go to the file a chunk at a time
    result = map_file(panel, category_set, options, engine=engine, engine_url=engine_url,
                      stream=out.suffix.lower() == ".parquet", pending=pending)
    paths = write_outputs(result, out, details=details)
    typer.echo(f"Mapped {result.meta['regions_mapped']} regions × {result.meta['categories']} "
               f"categories ({len(result.result):,} cells) with the {result.meta['engine']} engine "
               f"→ {', '.join(str(p) for p in paths)}")
    for note in result.notes:
        typer.echo(f"Note: {note}", err=True)
    # every file is written and closed; read by Arrow alone, nothing else (a DuckDB
    # connection's spill files, a Spark session) is left to shut down
    PROCESS.done_at_once = pending is not None and pending.used


@app.command(cls=Command)
def kd(
    ctx: typer.Context,
    sites: Annotated[Path, typer.Argument(metavar="SITES", help="CSV/Parquet: id, industry, "
                                          "employment and lat, lon or x, y (km).")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="OUT.csv|OUT.parquet",
                                      callback=out_file(*TABLE),
                                      help="The curves; the summary goes to OUT.summary.EXT.")],
    industry: Annotated[Optional[list[str]], typer.Option(metavar="CODE", help=  # noqa: UP045
                        "An industry (repeat for several).")] = None,
    all_industries: Annotated[bool, typer.Option("--all", help="Every industry.")] = False,
    sims: Annotated[int, typer.Option(metavar="N", help="Counterfactual simulations.")] = 999,
    seed: Annotated[int, typer.Option(metavar="N", help="Seed of the first industry (+1 "
                                      "each).")] = 1,
    weights: Annotated[str, typer.Option(metavar="employment|none", help="Weight of a site.")]
        = "employment",
    dmax: Annotated[float, typer.Option(metavar="KM", help="Largest distance.")] = 100.0,
    grid: Annotated[int, typer.Option(metavar="N", help="Distances on the grid.")] = 101,
    bandwidth: Annotated[Optional[float], typer.Option(metavar="KM", help=  # noqa: UP045
                         "Kernel bandwidth; default Silverman.")] = None,
    engine: Annotated[str, typer.Option(metavar="local|spark", help="spark: one task per "
                                        "industry.")] = "local",
    engine_url: Annotated[Optional[str], typer.Option(metavar="URL", help=  # noqa: UP045
                          "Spark master or Spark Connect URL.")] = None,
    device: Annotated[str, typer.Option(metavar="cpu|gpu", help="gpu needs pip install "
                                        "'clusteratlas[gpu]'.")] = "cpu",
    m_function: Annotated[bool, typer.Option("--m-function", help="Add Marcon–Puech M "
                                             "(costs n × N distances).")] = False,
) -> None:
    """Duranton–Overman K-density with local and global confidence bands."""
    import warnings

    from rich.progress import Progress

    from clusteratlas.errors import DegenerateDataWarning
    from clusteratlas.service.kdensity import read_sites, run_kd, write_kd

    if industry and all_industries:
        ctx.fail("give --industry codes or --all, not both")
    data = read_sites(sites)
    chosen = None if all_industries or not industry else industry
    total = len(set(data.industry)) if chosen is None else len(chosen)
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


@app.command(cls=Command)
def convert(
    source: Annotated[str, typer.Argument(metavar="SOURCE", help="genesis-table, "
                                          "genesis-ffcsv, eurostat-tsv, eurostat-sdmx or cbp.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The source file.")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="PANEL.csv|PANEL.parquet",
                                      callback=out_file(*TABLE), help="The canonical panel.")],
) -> None:
    """Write a source file as a canonical panel without touching the store."""
    from clusteratlas.service.imports import convert_file

    rows = convert_file(source, file, out)
    typer.echo(f"Wrote {rows:,} rows to {out}")
