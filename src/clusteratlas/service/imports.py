"""Importing official tables into the store, and converting them to panels.

Every import runs in one DuckDB transaction: all files of a call or none.  A file
whose content hash is already in the store is skipped; a different version of a
table already imported (same table, overlapping years) needs ``replace=True`` and
the replaced version stays in the store, marked *superseded*, and can be restored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from clusteratlas._files import replacing
from clusteratlas.errors import ConfigError, InputError, NotFoundError, SourceError
from clusteratlas.model.panel import Panel
from clusteratlas.service import snapshot
from clusteratlas.sources.parsed import Parsed, measure_kind
from clusteratlas.store.datadir import DataDir
from clusteratlas.store.stats import DatasetInfo, StatsStore

__all__ = ["SOURCES", "ImportReport", "Parsed", "convert_file", "import_files", "parse_file",
           "restore_dataset"]

TOTAL_WORDS = {"Insgesamt", "Total", "TOTAL", "total", "Deutschland insgesamt"}


def _parse_genesis_table(path: Path) -> Parsed:
    from clusteratlas.sources.genesis import read_table_csv
    from clusteratlas.sources.streaming import constant

    table = read_table_csv(path)
    frame = table.frame.assign(
        measure=constant(measure_kind(f"{table.measure} {table.title}"), len(table.frame)))
    return Parsed("genesis-table", table.code, table.title, frame, table.attribution,
                  table.licence, table.labels, table.stand)


def _parse_genesis_ffcsv(path: Path) -> Parsed:
    from clusteratlas.sources.genesis_ffcsv import read_ffcsv

    return read_ffcsv(path)


def _parse_eurostat_tsv(path: Path) -> Parsed:
    from clusteratlas.sources.eurostat import read_tsv

    return read_tsv(path)


def _parse_eurostat_sdmx(path: Path) -> Parsed:
    from clusteratlas.sources.eurostat import read_sdmx_csv

    return read_sdmx_csv(path)


def _parse_cbp(path: Path) -> Parsed:
    from clusteratlas.sources.cbp import read_cbp

    return read_cbp(path)


SOURCES: dict[str, Callable[[Path], Parsed]] = {
    "genesis-table": _parse_genesis_table,
    "genesis-ffcsv": _parse_genesis_ffcsv,
    "eurostat-tsv": _parse_eurostat_tsv,
    "eurostat-sdmx": _parse_eurostat_sdmx,
    "cbp": _parse_cbp,
}


def parse_file(source: str, path: str | Path) -> Parsed:
    parser = SOURCES.get(source)
    if parser is None:
        raise ConfigError(f"source {source!r} is not one of {', '.join(SOURCES)}, boundaries")
    p = Path(path)
    if not p.exists():
        raise SourceError(f"{p}: file not found")
    import csv

    try:
        return parser(p)
    except csv.Error as exc:  # e.g. a stray carriage return inside a field
        raise SourceError(f"{p}: not a well-formed CSV ({exc})") from None


def _dims_key(frame: pd.DataFrame) -> pd.Series:
    """'' for the all-total combination of the extra dimensions, else 'name=value|…'."""
    dims = [c for c in frame.columns if c.startswith("dim_")]
    if not dims:
        return pd.Series("", index=frame.index)
    is_total = np.ones(len(frame), dtype=bool)
    for d in dims:
        is_total &= frame[d].isin(TOTAL_WORDS).to_numpy()
    key = frame[dims[0]].astype(str).map(lambda v, n=dims[0][4:]: f"{n}={v}")
    for d in dims[1:]:
        key = key + "|" + frame[d].astype(str).map(lambda v, n=d[4:]: f"{n}={v}")
    return key.where(~is_total, "")


def canonical_panel(parsed: Parsed, *, measure: str | None = None, origin: str = "") -> pd.DataFrame:
    """``region, industry, year, employment`` + ``dims`` and ``flag`` (suppressed = missing)."""
    frame = parsed.frame
    if measure is not None:
        frame = frame[frame["measure"] == measure]
    out = pd.DataFrame({
        "region": frame["region"].astype(str).to_numpy(),
        "industry": frame["industry"].astype(str).to_numpy(),
        "year": frame["year"].astype(int).to_numpy(),
        "measure": frame["measure"].to_numpy(),
        "dims": _dims_key(frame).to_numpy(),
        "employment": frame["value"].to_numpy(dtype=float),
        "status": frame["status"].to_numpy(),
    })
    out["flag"] = np.where(out["employment"].isna(), "suppressed", "reported")
    dup = out.duplicated(["region", "industry", "year", "measure", "dims"])
    if dup.any():
        row = out[dup].iloc[0]
        raise InputError(f"{origin or parsed.table_code}: duplicate value for region {row['region']!r}, "
                         f"industry {row['industry']!r}, year {row['year']} ({row['dims'] or 'total'})")
    # the slice the atlas maps keeps the panel contract, checked where every panel is
    # checked, before anything is written
    mapped = out[(out["dims"] == "") & (out["measure"] == "employment")]
    if len(mapped):
        Panel.from_arrow(pa.Table.from_pandas(mapped[["region", "industry", "year", "employment"]],
                                              preserve_index=False),
                         source=origin or parsed.table_code, unit="value")
    return out


def convert_file(source: str, path: str | Path, out: str | Path) -> int:
    """Write the canonical panel of a source file (CSV or Parquet by extension)."""
    parsed = parse_file(source, path)
    panel = canonical_panel(parsed, origin=str(path))
    dims = panel["dims"].str.split("|").map(lambda xs: dict(x.split("=", 1) for x in xs if x))
    wide = panel.drop(columns=["dims"])
    for name in sorted({k for d in dims for k in d}):
        wide[name] = dims.map(lambda d, n=name: d.get(n, "Insgesamt"))
    target = Path(out)
    if target.suffix.lower() not in (".csv", ".parquet"):
        raise ConfigError(f"--out {target}: expected a .csv or .parquet file name")
    with replacing([target]) as (tmp,):
        if target.suffix.lower() == ".parquet":
            wide.to_parquet(tmp, index=False)
        else:
            wide.to_csv(tmp, index=False)
    return len(wide)


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    rows: int = 0
    checks: list[str] = field(default_factory=list)
    #: how the tables' region codes met the register (skipped, mapped, former, unknown)
    regions: list[str] = field(default_factory=list)
    #: what the store was before: "initialised" (empty directory), "demo replaced"
    setup: list[str] = field(default_factory=list)
    #: tables of other measures (population, unemployment): stored, never the panel
    measures: list[str] = field(default_factory=list)


#: sources whose region codes are German AGS (harmonised with the German register)
_GERMAN_SOURCES = {"genesis-table", "genesis-ffcsv"}


def _home_of(parsed: Sequence[Parsed]) -> str:
    """The country of the data: ``US`` for US-namespaced region codes, else ``DG``."""
    codes = pd.concat([p.frame["region"].astype(str) for p in parsed])
    return "US" if codes.str.startswith("US-").mean() > 0.5 else "DG"


def _harmonised(parsed: list[tuple[Path, Parsed]], registered: set[str] | None,
                report: ImportReport) -> list[tuple[Path, Parsed]]:
    from dataclasses import replace

    from clusteratlas import reference
    from clusteratlas.service.region_codes import harmonise_regions

    out = []
    said: dict[str, list[str]] = {}  # one line for what several files have in common
    for path, p in parsed:
        if p.source in _GERMAN_SOURCES:
            codes = harmonise_regions(p.frame, reference.de_regions(), registered)
            for line in codes.notes:
                said.setdefault(line, []).append(path.name)
            p = replace(p, frame=codes.frame)
        out.append((path, p))
    for line, names in said.items():
        where = names[0] if len(names) == 1 else f"{len(names)} files ({', '.join(names)})"
        report.regions.append(f"{where}: {line}")
    return out


def _store_state(stats: StatsStore) -> str:
    """``empty``, ``demo`` (the synthetic panel is active) or ``data``."""
    if stats.is_empty():
        return "empty"
    with stats.connect(read_only=True) as con:
        row = con.execute(
            "SELECT d.is_synthetic FROM settings s JOIN datasets d ON d.id = s.value "
            "WHERE s.key = 'active_panel'").fetchone()
    return "demo" if row and row[0] else "data"


def _drop_demo(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Remove the synthetic statistics and the demo's Baden-Württemberg register; the
    shipped registers of Germany and the US take its place (the registry of initiatives
    is a separate file and stays as it is; ``clusteratlas demo --force`` rebuilds the demo)."""
    from clusteratlas import reference
    from clusteratlas.service.setup import REGISTER_DATASET_ID, _register_dataset

    synthetic = [i for (i,) in con.execute(
        "SELECT id FROM datasets WHERE is_synthetic").fetchall()]
    for ds in synthetic:
        con.execute("DELETE FROM observations WHERE dataset_id = ?", [ds])
        con.execute("DELETE FROM datasets WHERE id = ?", [ds])
    con.execute("DELETE FROM settings WHERE key = 'active_panel'")
    has_register = con.execute("SELECT count(*) FROM datasets WHERE id = ?",
                               [REGISTER_DATASET_ID]).fetchone()
    if not has_register or not has_register[0]:
        old = [i for (i,) in con.execute("SELECT DISTINCT dataset_id FROM regions").fetchall()]
        con.execute("DELETE FROM regions")
        for ds in old:
            con.execute("DELETE FROM datasets WHERE id = ?", [ds])
        StatsStore._insert_datasets(con, [_register_dataset()])
        StatsStore._insert_regions(con, list(reference.all_regions().values()),
                                   REGISTER_DATASET_ID)
    return [f"the synthetic demo statistics ({', '.join(synthetic)}) were removed; the "
            "registry of initiatives is unchanged ('clusteratlas demo --force' rebuilds "
            "the demo)"]


def import_files(
    data_dir: DataDir,
    source: str,
    files: Sequence[str | Path],
    *,
    replace: bool = False,
    activate: bool = True,
    validate: Callable[[Parsed], list[str]] | None = None,
) -> ImportReport:
    """Parse every file first, then write them all in one transaction.

    An empty data directory is initialised on the fly (the shipped registers of Germany
    and the US, an empty registry, the data's country as home scope); a directory that
    holds the synthetic demo loses the demo statistics in the same transaction, so the
    demo and real tables are never mixed.
    """
    stats = StatsStore(data_dir.stats_file)
    state = _store_state(stats)
    report = ImportReport()
    registered = None
    if state == "data":
        with stats.connect(read_only=True) as con:
            registered = {c for (c,) in con.execute("SELECT code FROM regions").fetchall()}
    parsed = [(Path(f), parse_file(source, f)) for f in files]
    parsed = _harmonised(parsed, registered, report)
    for path, p in parsed:  # duplicates are refused before anything is written
        canonical_panel(p, origin=str(path))
    if state == "empty":
        from clusteratlas.service.setup import initialise_store

        initialise_store(data_dir, _home_of([p for _, p in parsed]))
        report.setup.append(f"{data_dir.path} initialised with the shipped region registers "
                            "of Germany and the US and an empty registry")
    with stats.connect() as con:
        existing = con.execute(
            "SELECT id, table_key, content_hash, status FROM datasets WHERE table_key IS NOT NULL"
        ).fetchall()
        years_of = {row[0]: {int(y) for (y,) in con.execute(
            "SELECT DISTINCT year FROM observations WHERE dataset_id = ?", [row[0]]).fetchall()}
            for row in existing if row[3] == "active"}
        layer = con.execute("SELECT value FROM settings WHERE key = 'active_layer'").fetchone()
        shaped = {c for (c,) in con.execute("SELECT region FROM geometries WHERE layer = ?",
                                            [layer[0] if layer else "schematic"]).fetchall()}
        registered = {c for (c,) in con.execute("SELECT code FROM regions").fetchall()}
    hashes = {h for _, _, h, _ in existing}
    plan = []
    for path, p in parsed:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest in hashes:
            report.skipped.append(f"{path.name} (already imported)")
            continue
        key = f"{p.source}:{p.table_code}"
        years = set(p.frame["year"].astype(int).unique())
        clash = [ds for ds, k, _, st in existing
                 if k == key and st == "active" and years & years_of.get(ds, set())]
        if clash and not replace:
            raise InputError(
                f"{path}: table {p.table_code} for {', '.join(map(str, sorted(years)))} is "
                f"already imported as {', '.join(clash)}; use --replace to supersede it "
                "(the old version stays recoverable)"
            )
        plan.append((path, p, digest, key, clash))
        hashes.add(digest)
        if validate is not None:
            report.checks += validate(p)
            codes = set(p.frame["region"].astype(str))
            no_shape = sorted(c for c in codes & registered if c not in shaped
                              and len(c) == len(next(iter(shaped), "")))
            if no_shape:
                report.checks.append(f"{len(no_shape)} registered region(s) have data but no "
                                     f"shape on the map: {', '.join(no_shape[:10])}")
    if not plan:
        return report
    now = datetime.now(UTC)
    with stats.connect() as con:
        con.execute("BEGIN TRANSACTION")
        try:
            if state == "demo" and activate and any(
                    (p.frame["measure"] == "employment").any() for _, p, *_ in plan):
                report.setup += _drop_demo(con)
            for path, p, digest, key, clash in plan:
                ds_id = f"{key}:{digest[:12]}"
                panel = canonical_panel(p)
                info = DatasetInfo(
                    id=ds_id, kind="panel", title=p.title or p.table_code,
                    source=f"{p.source} table {p.table_code}, file {path.name}", licence=p.licence,
                    attribution=p.attribution, is_synthetic=False,
                    classification="naics2017" if p.source == "cbp" else "wz2008",
                    content_hash=digest, imported_at=now, notes=f"vintage {p.vintage}".strip(),
                    table_key=key, labels=json.dumps(p.labels, ensure_ascii=False),
                )
                for old in clash:
                    con.execute("UPDATE datasets SET status = 'superseded', superseded_by = ? "
                                "WHERE id = ?", [ds_id, old])
                    report.replaced.append(old)
                StatsStore._insert_datasets(con, [info])
                StatsStore._insert_frame(con, "observations", panel.assign(dataset_id=ds_id)[
                    ["dataset_id", "region", "industry", "year", "measure", "dims",
                     "employment", "flag", "status"]])
                report.imported.append(ds_id)
                report.rows += len(panel)
                kinds = sorted(set(panel["measure"]))
                if "employment" not in kinds:
                    report.measures.append(
                        f"{p.table_code} ({path.name}): {', '.join(kinds)} values, kept in the "
                        "store; not an employment table, so the atlas's panel is unchanged")
                if activate and (panel["measure"] == "employment").any():
                    con.execute("INSERT OR REPLACE INTO settings VALUES ('active_panel', ?)", [key])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    snapshot.forget(data_dir)  # the stored indicator table is of the data before
    return report


def import_firms(data_dir: DataDir, path: str | Path, *, crs: str | None = None,
                 licence: str = "not stated", attribution: str | None = None) -> ImportReport:
    """Import a file of firm locations in one transaction (a re-import is a no-op)."""
    from clusteratlas.sources.firms import read_firms

    p = Path(path)
    if not p.exists():
        raise SourceError(f"{p}: file not found")
    sites = read_firms(p, crs=crs)
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    stats = StatsStore(data_dir.stats_file)
    stats.migrate()
    report = ImportReport()
    ds_id = f"firms:{p.stem}:{digest[:12]}"
    with stats.connect() as con:
        seen = con.execute("SELECT count(*) FROM datasets WHERE content_hash = ?",
                           [digest]).fetchone()
        if seen and seen[0]:
            report.skipped.append(f"{p.name} (already imported)")
            return report
        con.execute("BEGIN TRANSACTION")
        try:
            StatsStore._insert_datasets(con, [DatasetInfo(
                id=ds_id, kind="firms", title=f"Firm locations from {p.name}", source=p.name,
                licence=licence, attribution=attribution or f"Firm locations: {p.name}",
                is_synthetic=False, content_hash=digest, imported_at=datetime.now(UTC),
                table_key=f"firms:{p.stem}")])
            StatsStore._insert_frame(con, "firms", sites.assign(dataset_id=ds_id))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    report.imported.append(ds_id)
    report.rows = len(sites)
    return report


def restore_dataset(data_dir: DataDir, dataset_id: str) -> str:
    """Make a superseded dataset active again; the version that replaced it is superseded."""
    stats = StatsStore(data_dir.stats_file)
    with stats.connect() as con:
        row = con.execute("SELECT status, superseded_by FROM datasets WHERE id = ?",
                          [dataset_id]).fetchone()
        if row is None:
            raise NotFoundError(f"dataset {dataset_id!r} is not in {data_dir.path}")
        if row[0] == "active":
            return f"{dataset_id} is already active"
        con.execute("BEGIN TRANSACTION")
        con.execute("UPDATE datasets SET status = 'superseded', superseded_by = ? WHERE id = ?",
                    [dataset_id, row[1]])
        con.execute("UPDATE datasets SET status = 'active', superseded_by = NULL WHERE id = ?",
                    [dataset_id])
        con.execute("COMMIT")
    return f"{dataset_id} is active again; {row[1]} is superseded"


