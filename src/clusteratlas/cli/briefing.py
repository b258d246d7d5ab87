"""The ``brief`` command: a briefing as PDF or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clusteratlas._files import write_atomically
from clusteratlas.cli.app import (
    Command,
    DataDirOption,
    ReferenceOption,
    ScopeOption,
    app,
    atlas_and_registry,
    one_of,
    out_file,
    settings_for,
)
from clusteratlas.cli.process import hold_collector, settle

__all__ = ["brief"]


@app.command(cls=Command)
def brief(
    kind: Annotated[str, typer.Argument(metavar="KIND",
                                        callback=one_of("district", "initiative", "state"),
                                        help="district, initiative or state.")],
    target: Annotated[str | None, typer.Argument(metavar="CODE|ID", help="Region code or "
                                                 "initiative id (none for the state).")]
        = None,
    out: Annotated[Path, typer.Option("--out", "-o", metavar="FILE.pdf|FILE.html",
                                      callback=out_file(".pdf", ".html"),
                                      help="The briefing.")] = Path("briefing.pdf"),
    lang: Annotated[str | None, typer.Option("--lang", metavar="de|en", callback=one_of(
        "de", "en"), help="Language (default: the setting lang).")] = None,
    year: Annotated[int | None, typer.Option("--year", metavar="YEAR", help="Default: the "
                                             "latest.")] = None,
    scope: ScopeOption = None,
    reference: ReferenceOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A briefing (district, initiative or scope portfolio) as PDF or HTML."""
    hold_collector()
    from clusteratlas.reports import render_briefing
    from clusteratlas.service.briefings import build

    settle()
    atlas, registry = atlas_and_registry(data_dir, reads_only=True)
    with registry:
        briefing = build(atlas, registry, kind, target,
                         lang=lang or settings_for(data_dir).lang, year=year, scope=scope,
                         reference=reference)
        data = render_briefing(briefing, out.suffix.lower().lstrip("."))
    write_atomically(out, data)
    synthetic = " – synthetic demo data" if briefing.synthetic else ""
    typer.echo(f"Wrote {out} ({len(data):,} bytes){synthetic}")
