"""Commands over the atlas and the registry together: ``align``, ``benchmark``, ``impact``,
``opportunities``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from clusteratlas._files import write_atomically
from clusteratlas.cli.app import (
    Command,
    DataDirOption,
    FormatOption,
    ReferenceOption,
    ScopeOption,
    app,
    atlas_and_registry,
    settings_for,
)

__all__ = ["align", "benchmark", "emit", "impact", "opportunities"]


def emit(rows: list[dict[str, Any]], fmt: str, *, whole: Any = None,
          out: Path | None = None, title: str = "", lines: list[str] | None = None) -> None:
    """Rows as CSV, JSON (``whole`` if given) or a table on stdout, or into ``out``."""
    import io
    import json

    import pandas as pd

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


@app.command(cls=Command)
def align(
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE", help="Output file "
                                      "(in --format).")],
    year: Annotated[int | None, typer.Option("--year", metavar="YEAR", help="Default: the "
                                            "latest.")] = None,
    rule: Annotated[str, typer.Option("--rule", metavar="strong|strong_p90|stars|lq",
                                      help="What counts as an agglomeration.")] = "strong",
    min_stars: Annotated[int, typer.Option("--min-stars", metavar="N", help="Stars for the "
                                           "stars rule.")] = 2,
    min_lq: Annotated[float, typer.Option("--min-lq", metavar="LQ", help="LQ for the lq "
                                          "rule.")] = 1.5,
    fmt: FormatOption = "csv",
    scope: ScopeOption = None,
    reference: ReferenceOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Coverage of every district × category of the scope: covered (regionally, statewide,
    within a coarser category), gap, emerging, no_base, statewide_network, within_section,
    none."""
    from clusteratlas.service.coverage import CoverageRule, coverage, portfolio

    atlas, registry = atlas_and_registry(data_dir, scope=scope, reference=reference)
    registry.store.close()
    cov_rule = CoverageRule(agglomeration=rule, min_stars=min_stars, min_lq=min_lq)
    cov = coverage(atlas, year=year, rule=cov_rule)
    summary = portfolio(atlas, year=year, rule=cov_rule)
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()}
        for r in cov.astype(object).where(cov.notna(), None).to_dict("records")]
    stated = atlas.meta()
    emit(rows, fmt, whole={"portfolio": summary, "cells": rows,
                           **{k: stated[k] for k in ("scope", "reference", "comparison",
                                                     "mapping_rules") if k in stated}},
         out=out)
    if "scope" in stated:
        typer.echo(f"{stated['scope']['name']}: {stated['scope']['districts']} districts; "
                   f"{stated['reference']['label']}; {stated['comparison']['label']}")
    share = summary["covered_share"]
    typer.echo(f"{summary['year']}: {summary['covered']} covered, "
               f"{summary['by_status']['gap']['cells']} gaps; "
               f"{share:.0%} of agglomeration employment covered" if share is not None
               else "no agglomeration under this rule")


@app.command(cls=Command)
def benchmark(
    initiative: Annotated[str, typer.Argument(metavar="INITIATIVE", help="Initiative id.")],
    year: Annotated[int | None, typer.Option("--year", metavar="YEAR", help="Default: the "
                                            "latest.")] = None,
    weight: Annotated[list[str] | None, typer.Option(
        "--weight", metavar="INDICATOR:WEIGHT",
        help="A weight (repeat; replaces the default weights).")] = None,
    fmt: FormatOption = "table",
    data_dir: DataDirOption = None,
) -> None:
    """An initiative's KPIs against its peers (accepted reports)."""
    from clusteratlas.registry.auth import Actor
    from clusteratlas.service.benchmarks import initiative_benchmark, parse_weights

    atlas, registry = atlas_and_registry(data_dir)
    with registry:  # the operator of the data directory reads everything
        result = initiative_benchmark(atlas, registry, initiative, Actor("cli", "admin"),
                                      year=year, weights=parse_weights(weight))
    composite = result.get("composite")
    lines = [f"status: {result['status']}",
             f"composite: {composite:.1f}" if composite is not None else "composite: –"]
    emit(result["indicators"], fmt, whole=result, title=f"{result['name']} {result['year'] or ''}".strip(),
          lines=lines)


@app.command(cls=Command)
def impact(
    initiative: Annotated[str, typer.Argument(metavar="INITIATIVE", help="Initiative id.")],
    fmt: FormatOption = "table",
    data_dir: DataDirOption = None,
) -> None:
    """Covered cells before and after the founding, and a matched difference in
    differences (an association, not proof of cause)."""
    from clusteratlas.service.impact import impact as run_impact

    atlas, registry = atlas_and_registry(data_dir)
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
    emit(result["cells"], fmt, whole=result, title=result["name"], lines=lines)


@app.command(cls=Command)
def opportunities(
    region: Annotated[str, typer.Argument(metavar="REGION", help="Region code (AGS or "
                                        "NUTS-3).")],
    top: Annotated[int, typer.Option("--top", metavar="N", help="How many to list.")] = 10,
    year: Annotated[int | None, typer.Option("--year", metavar="YEAR", help="Default: the "
                                            "latest.")] = None,
    fmt: FormatOption = "table",
    data_dir: DataDirOption = None,
) -> None:
    """Related industries a region does not yet specialise in, ranked by density."""
    from clusteratlas.service.diversification import opportunities as run

    atlas, registry = atlas_and_registry(data_dir)
    registry.store.close()
    result = run(atlas, region, year=year, top=top, lang=settings_for(data_dir).lang)
    rows = [{k: v for k, v in r.items() if k != "evidence"} | {
        "evidence": ", ".join(e["industry"] for e in r["evidence"])}
        for r in result["opportunities"]]
    eci = result["eci"]
    emit(rows, fmt, whole=result, title=f"{result['region_name']} {result['year']}",
          lines=[f"ECI {eci:+.2f}, diversity {result['diversity']} of "
                 f"{result['industries']} industries" if eci is not None else "ECI –"])
