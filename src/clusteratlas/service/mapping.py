"""The one mapping pipeline: a checked :class:`~clusteratlas.model.panel.Panel` and
:class:`MappingOptions` in (:func:`map_panel`), the cluster-mapping tables out.

The CLI (``clusteratlas map``, via :func:`map_clusters` on a file), the API and the web
atlas (:func:`clusteratlas.service.atlas.category_indicators`) all call
:func:`map_panel`, so they give the same numbers for the same panel and options."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from clusteratlas import reference
from clusteratlas._arrays import numeric
from clusteratlas._arrays import text as text_array
from clusteratlas._files import replacing
from clusteratlas.core.mapping import (
    ClusterCube,
    CodedColumn,
    MappingResult,
    SummaryColumns,
    aggregate_to_cube,
    map_indicators,
)
from clusteratlas.core.stars import StarRules, StrongRule
from clusteratlas.errors import (
    ConfigError,
    InputError,
    NotFoundError,
    SourceError,
    UnknownCodeError,
)
from clusteratlas.model.categories import CategorySet
from clusteratlas.model.classification import Classification
from clusteratlas.model.panel import TOTAL_CODE, Panel
from clusteratlas.service.compile_ahead import CompileAhead, compiling_ahead
from clusteratlas.service.panel_reading import PendingRead, checked_panel

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MIN_EMPLOYMENT", "ClusterMap", "MappingOptions", "map_clusters", "map_file", "map_panel",
           "read_panel", "warm_up", "write_outputs"]

_BUILTIN = {"wz2008": reference.wz2008, "nace_rev2": reference.nace_rev2,
            "naics2017": reference.naics2017}


@dataclass(frozen=True)
class ClusterMap:
    """The result of :func:`map_clusters`: three tables and what was assumed."""

    result: MappingResult
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def cells(self) -> pd.DataFrame:
        return self.result.cells

    @property
    def regions(self) -> pd.DataFrame:
        return self.result.regions

    @property
    def categories(self) -> pd.DataFrame:
        return self.result.categories


def _category_pairs(
    categories: CategorySet | None, industries: list[str], source: str
) -> tuple[list[str], tuple[np.ndarray, np.ndarray], list[str]]:
    """(category codes, (industry idx, category idx) pairs, notes)."""
    notes: list[str] = []
    if categories is None:
        codes = [c for c in industries if c != TOTAL_CODE]
        index = {c: i for i, c in enumerate(industries)}
        ind = np.array([index[c] for c in codes], dtype=np.int64)
        return codes, (ind, np.arange(len(codes), dtype=np.int64)), notes
    classification: Classification | None = None
    loader = _BUILTIN.get(categories.classification)
    known = [c for c in industries if c != TOTAL_CODE]
    if loader is not None:
        classification = loader()
        unknown = [c for c in known if c not in classification]
        if unknown:
            raise UnknownCodeError(
                f"{source}: industry code {unknown[0]!r} is not in classification "
                f"{classification.name}, which the categories {categories.name!r} use "
                f"({len(unknown)} unknown code(s))"
            )
        membership = categories.membership(classification, known)
        unresolved = categories.unresolved(classification, known)
        if unresolved:
            notes.append("industries too coarse for: " + ", ".join(unresolved[:10]))
    else:
        wanted: dict[str, list[str]] = {}
        for cat in categories.categories:
            for code in cat.include:
                wanted.setdefault(code, []).append(cat.code)
        membership = {c: wanted.get(c, []) for c in known}
        missing = sorted(set(wanted) - set(known))
        if missing:
            notes.append(f"{len(missing)} category industry code(s) not in the panel")
    cat_codes = [c.code for c in categories.categories]
    cat_index = {c: i for i, c in enumerate(cat_codes)}
    ind_index = {c: i for i, c in enumerate(industries)}
    pairs = [(ind_index[i], cat_index[c]) for i, cs in membership.items() for c in cs]
    arr = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    return cat_codes, (arr[:, 0], arr[:, 1]), notes


#: Default minimum employment of a cell for stars and the strong label.  The star and
#: strong rules are relative (top 10 %, above the 25th percentile) and let a category
#: with few employees statewide hand its labels to cells of a hundred people, where
#: one establishment decides the LQ.  1,000 employees is about 1 % of the employment
#: of a mid-sized Kreis (BW: 44 Kreise, about 4.7 million employees) — a choice of
#: this atlas, not of the published rules, so it is configurable and the legends say it.
MIN_EMPLOYMENT = 1000.0


@dataclass(frozen=True)
class MappingOptions:
    """How :func:`map_panel` maps a panel: one value for the CLI, the API and the web.

    Parameters
    ----------
    reference
        Code of a region in the panel (e.g. ``DG`` for Germany, ``08`` for a state)
        whose employment is the LQ reference; it is not mapped itself.  Default: the
        mapped regions.
    regions
        The comparison set: a regular expression of the region codes to map, or the
        codes themselves; default: every region of the panel but the reference.
    year
        Keep only this year in the output (changes still look back ``span`` years).
    span
        Years for change, relative change and CAGR.
    stars, strong
        The ECO star rules and the US Cluster Mapping strong rule.
    min_employment
        Minimum employment of a cell for any star and for the strong label (default
        :data:`MIN_EMPLOYMENT`, 1,000; 0 applies the published relative rules alone).
    denominator
        ``total`` (default), or ``traded``/``local`` as in US Cluster Mapping: region
        and reference totals count only the categories of that group (the category
        set's ``group``), so LQ and shares are relative to traded (local) employment.
    fill_suppressed
        Estimate suppressed cells from the region total minus the known cells,
        split in proportion to establishments (equally without them); the cells are
        counted in ``estimated_cells`` and no longer as suppressed.
    plants
        CSV/Parquet of plants (``industry, year, employment``) for the exact plant
        Herfindahl of the Ellison–Glaeser index; without it H ≈ 1/N (flagged).
    shift_share_years
        ``(start, end)``: add a shift-share table (``extra["shiftshare"]``).
    coagglomeration_year
        Add the pairwise coagglomeration of categories in that year
        (``extra["coagglomeration"]``).
    """

    reference: str | None = None
    regions: str | tuple[str, ...] | None = None
    year: int | None = None
    span: int = 5
    stars: StarRules = field(default_factory=StarRules)
    strong: StrongRule = field(default_factory=StrongRule)
    min_employment: float = MIN_EMPLOYMENT
    denominator: str = "total"
    fill_suppressed: bool = False
    plants: Path | None = None
    shift_share_years: tuple[int, int] | None = None
    coagglomeration_year: int | None = None

    def __post_init__(self) -> None:
        if self.denominator not in DENOMINATORS:
            raise ConfigError(f"denominator={self.denominator!r} is not one of "
                              f"{', '.join(DENOMINATORS)}")
        if not self.min_employment >= 0:
            raise InputError(f"min_employment={self.min_employment!r} must be a number of "
                             "employees, 0 or more")
        if self.span < 1:
            raise InputError(f"span={self.span!r} must be a positive number of years")
        if isinstance(self.regions, str):
            try:
                re.compile(self.regions)
            except re.error as exc:
                raise ConfigError(f"regions={self.regions!r} is not a regular expression "
                                  f"({exc})") from None


DENOMINATORS = ("total", "traded", "local")


def read_panel(path: str | Path, *, engine: str | None = None,
               engine_url: str | None = None,
               pending: PendingRead | None = None) -> tuple[Panel, str]:
    """A panel file read by an engine (:mod:`clusteratlas.engines`) and checked by
    :meth:`Panel.from_arrow`; returns the panel and the engine's name.  ``pending``:
    the file's table, already being read (:func:`~.panel_reading.start_reading`)."""
    from clusteratlas.engines import get_engine

    path = Path(path)
    eng = get_engine(engine, url=engine_url)
    if pending is not None and eng.name == "duckdb":
        checked = pending.panel(path)  # checked while the command started, if it could be
        if checked is not None:
            return checked, eng.name
    table = eng.scan(path)
    return checked_panel(table, path, eng.name), eng.name


def map_clusters(
    panel: str | Path,
    *,
    categories: CategorySet | str | Path | None = None,
    reference_region: str | None = None,
    regions: str | None = None,
    year: int | None = None,
    span: int = 5,
    engine: str | None = None,
    engine_url: str | None = None,
    fill_suppressed: bool = False,
    stars: StarRules | None = None,
    strong: StrongRule | None = None,
    denominator: str = "total",
    min_employment: float = MIN_EMPLOYMENT,
    plants: str | Path | None = None,
    shift_share_years: tuple[int, int] | None = None,
    coagglomeration_year: int | None = None,
) -> ClusterMap:
    """Map clusters from a panel file: :func:`read_panel`, then :func:`map_panel`.

    ``panel`` is a CSV or Parquet file with ``region, industry, year, employment`` and
    optionally ``establishments, wages, flag``; rows with industry ``TOTAL`` give the
    published region totals.  ``categories`` is a :class:`CategorySet` or a YAML/CSV
    file; without it every industry is its own category.  ``reference_region`` is
    :attr:`MappingOptions.reference`; the other keywords are the fields of
    :class:`MappingOptions`.
    """
    options = MappingOptions(
        reference=reference_region, regions=regions, year=year, span=span,
        stars=stars or StarRules(), strong=strong or StrongRule(), denominator=denominator,
        min_employment=min_employment, fill_suppressed=fill_suppressed, plants=None if plants is None else Path(plants),
        shift_share_years=shift_share_years, coagglomeration_year=coagglomeration_year)
    if isinstance(categories, (str, Path)):
        categories = reference.read_categories(categories)
    return map_file(panel, categories, options, engine=engine, engine_url=engine_url)


def map_file(path: str | Path, categories: CategorySet | None, options: MappingOptions, *,
             engine: str | None = None, engine_url: str | None = None,
             stream: bool = False, pending: PendingRead | None = None) -> ClusterMap:
    """:func:`map_panel` of a panel file read by :func:`read_panel` (``clusteratlas map``).

    ``stream``: the result will only be written to Parquet by :func:`write_outputs`,
    which then gets the cells a chunk at a time as they are computed (a few chunks
    in memory instead of every cell: :func:`~clusteratlas.core.mapping.map_indicators`).
    ``pending``: the file, already being read (:func:`~.panel_reading.start_reading`)."""
    # loading the kernels (on a fresh install: compiling them) runs while the engine
    # reads the file, and goes on while the first stages run: a stage whose kernel is
    # being compiled waits for it (numba compiles one at a time), the stages before it
    # have their own kernels already; on a fresh install a second process compiles
    # kernels as well, for a large panel (started by the console script already, or
    # here: compile_ahead.py)
    large = _large(path, pending)
    ahead = compiling_ahead() if large else None
    warm = threading.Thread(target=_warm_up_quietly, args=(large, ahead),
                            name="clusteratlas-warm-up", daemon=True)
    warm.start()
    try:
        data, engine_name = read_panel(path, engine=engine, engine_url=engine_url,
                                       pending=pending)
        stage = _cube_stage(data, categories, options)
        # the rows are summed into the cube: the cells can have their memory
        del data
        result = _indicator_stage(stage, options, stream=stream)
    except BaseException:
        if ahead is not None:  # a command that fails leaves no process compiling
            ahead.stop()
        raise
    result.meta["engine"] = engine_name
    return result


def _large(path: str | Path, pending: PendingRead | None) -> bool:
    """A Parquet panel being read (:mod:`.panel_reading`) of more rows than a kernel
    runs as Python for on a fresh install (:data:`~clusteratlas.core._kernel_names.SMALL`)."""
    if pending is None:
        return False
    from clusteratlas.core._kernel_names import SMALL
    from clusteratlas.service.parquet_assembly import file_rows

    try:
        rows = file_rows(path)  # as the console script's early start reads it
    except OSError:  # the reader says what is wrong with the file
        return False
    return rows is not None and rows > SMALL


def _warm_up_quietly(compile: bool, ahead: CompileAhead | None = None) -> None:
    if ahead is not None and not ahead.started:
        ahead.start()
    with contextlib.suppress(Exception):  # the pipeline meets any problem itself
        warm_up(compile=compile)


def warm_up(*, compile: bool = False) -> None:
    """Load every kernel of :func:`map_panel` from numba's cache by mapping a tiny
    panel; meant for a background thread while a panel is read.  The tiny panel has
    the column types of every panel, so the kernels it loads are the ones the real call
    uses.  On a fresh install the tiny panel runs the kernels' Python twins instead,
    unless ``compile`` (a large panel, which needs the compiled kernels): then each is
    compiled here, one stage ahead of the panel's own call, except those that another
    process has claimed (:class:`~.compile_ahead.CompileAhead`)."""
    n = 2 * 2 * 6
    codes = text_array(["A", "B"])
    index = numeric(np.arange(n, dtype=np.int32) % 2)
    table = pa.table({
        "region": pa.DictionaryArray.from_arrays(index, codes),
        "industry": pa.DictionaryArray.from_arrays(
            numeric(np.arange(n, dtype=np.int32) // 2 % 2), codes),
        "year": numeric(2000 + np.arange(n, dtype=np.int64) // 4),
        "employment": numeric(np.arange(n, dtype=np.float64) + 1.0),
        "establishments": numeric(np.ones(n)),
    })
    # the summaries too: they are computed on first use
    from clusteratlas.core._jit import compiling

    with compiling() if compile else contextlib.nullcontext():
        map_panel(Panel.from_arrow(table, source="warm-up"), None).result.summaries()


def map_panel(panel: Panel, categories: CategorySet | None,
              options: MappingOptions | None = None) -> ClusterMap:
    """Every mapping indicator of a checked panel: the one pipeline of the CLI
    (``clusteratlas map``), the API and the web atlas (:class:`~.atlas.Atlas`).

    Region totals :math:`E_r` are the published ``TOTAL`` rows where present (they
    stay right when single industries are suppressed), otherwise the sum of the
    known cells.  Without categories every industry is its own category.

    Absent cells (no row for a region, category and year) get no row in the cell
    table: their LQ is never shown as a number (0 or otherwise); in the region and
    category sums they count as zero employment, as a panel that lists only
    non-zero cells means.  A year the panel has no row for at all is unknown: it has
    no summary rows, and a change from it is missing.  Suppressed cells are missing
    (see ``docs/methods.md``).
    """
    options = options or MappingOptions()
    return _indicator_stage(_cube_stage(panel, categories, options), options)


@dataclass
class _CubeStage:
    """What :func:`map_panel` keeps of a panel once its rows are summed into the cube
    (the rows themselves only where suppressed cells were estimated)."""

    cube: ClusterCube
    categories: CategorySet | None
    industry_codes: list[str]
    pairs: tuple[np.ndarray, np.ndarray]
    notes: list[str]
    meta: dict[str, Any]
    estimated_rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None


def _cube_stage(panel: Panel, categories: CategorySet | None,
                options: MappingOptions) -> _CubeStage:
    """The panel's rows summed into the category cube (:func:`map_panel`, first half)."""
    source = panel.source or "panel"
    region_codes, industry_codes = panel.region_codes, panel.industry_codes
    region_idx, industry_idx = panel.region_idx, panel.industry_idx
    employment, suppressed = panel.employment, panel.suppressed
    establishments, wages = panel.establishments, panel.wages
    if not len(panel):
        raise InputError(f"{source}: the panel has no rows")
    y0, y1 = int(panel.year.min()), int(panel.year.max())
    all_years = list(range(y0, y1 + 1))
    year_idx = panel.year - y0

    total_code = industry_codes.index(TOTAL_CODE) if TOTAL_CODE in industry_codes else -1
    is_total = industry_idx == total_code
    if options.fill_suppressed:
        employment, est_flag = _fill_suppressed(employment, suppressed, is_total, region_idx,
                                                year_idx, establishments, len(region_codes),
                                                len(all_years))
        suppressed = suppressed & ~est_flag
    else:
        est_flag = np.zeros(len(employment), dtype=bool)

    # which regions are mapped, which one is the reference
    ref_code = options.reference
    if ref_code is not None and ref_code not in region_codes:
        raise NotFoundError(f"{source}: reference region {ref_code!r} is not in the panel")
    keep = np.ones(len(region_codes), dtype=bool)
    if isinstance(options.regions, str):
        pattern = re.compile(options.regions)
        keep = np.array([bool(pattern.fullmatch(c)) for c in region_codes])
    elif options.regions is not None:
        keep = np.isin(np.asarray(region_codes, dtype=object),
                       np.asarray(options.regions, dtype=object))
    if ref_code is not None:
        keep[region_codes.index(ref_code)] = False
    if not keep.any():
        raise InputError(f"{source}: no region is left to map (regions={options.regions!r})")
    mapped = [c for c, k in zip(region_codes, keep, strict=True) if k]
    new_index = np.full(len(region_codes), -1, dtype=region_idx.dtype)
    new_index[np.flatnonzero(keep)] = np.arange(len(mapped))

    cat_codes, pairs, notes = _category_pairs(categories, industry_codes, source)
    if est_flag.any():
        notes.append(f"{int(est_flag.sum())} suppressed cell(s) estimated from region totals")
    if ref_code is None and len(mapped) < len(region_codes):
        notes.append("LQ reference: the mapped regions only")

    # the cube's zeros are written on another core while the rows are got ready
    from clusteratlas.core._aggregate import CubeMemory

    memory = CubeMemory(len(mapped) * len(cat_codes) * len(all_years),
                        suppressed=bool(np.any(suppressed & ~is_total)),
                        establishments=establishments is not None, wages=wages is not None)
    region_new = new_index[region_idx] if not keep.all() else region_idx
    mask = (region_new >= 0) & ~is_total
    rows: np.ndarray | slice = slice(None) if mask.all() else mask
    # the region-years with any row (a TOTAL row too), marked in the totals' pass
    observed = np.zeros((len(all_years), len(mapped)), dtype=bool)
    totals = _region_totals(employment, is_total, region_new, year_idx, len(mapped),
                            len(all_years), mask, observed)
    ref_totals = ref_grand = None
    if ref_code is not None:
        ref = region_idx == region_codes.index(ref_code)
        ref_cube = aggregate_to_cube(
            regions=[ref_code], categories=cat_codes, years=all_years,
            region_idx=np.zeros(int((ref & ~is_total).sum()), dtype=region_idx.dtype),
            year_idx=year_idx[ref & ~is_total], industry_idx=industry_idx[ref & ~is_total],
            category_pairs=pairs, employment=employment[ref & ~is_total],
            suppressed=suppressed[ref & ~is_total],
        )
        ref_totals = np.nan_to_num(ref_cube.employment[0])
        ref_grand = _region_totals(employment, is_total, np.where(ref, 0, -1), year_idx, 1,
                                   len(all_years), ref & ~is_total)[:, 0]
    cube = aggregate_to_cube(
        regions=mapped, categories=cat_codes, years=all_years,
        region_idx=region_new[rows], year_idx=year_idx[rows],
        industry_idx=industry_idx[rows], category_pairs=pairs, employment=employment[rows],
        suppressed=suppressed[rows], establishments=None if establishments is None
        else establishments[rows], wages=None if wages is None else wages[rows],
        region_totals=totals, reference_totals=ref_totals, reference_grand=ref_grand,
        observed=observed, memory=memory,
    )
    if options.denominator != "total":
        cube = _with_denominator(cube, categories, options.denominator, source)
    estimated = None
    if est_flag.any():
        estimated = (est_flag[rows], region_new[rows], year_idx[rows], industry_idx[rows])
    meta: dict[str, Any] = {
        "panel": source, "engine": None, "reference_region": ref_code,
        "regions_mapped": len(mapped), "categories": len(cat_codes),
        "category_set": categories.name if categories is not None else None,
        "years": [y0, y1], "span": options.span, "denominator": options.denominator,
        "eg_gamma": ("exact (plant file)" if options.plants is not None
                     else "approximate (H = 1/N)"),
    }
    return _CubeStage(cube, categories, industry_codes, pairs, notes, meta, estimated)


def _indicator_stage(stage: _CubeStage, options: MappingOptions, *,
                     stream: bool = False) -> ClusterMap:
    """Every indicator of the cube (:func:`map_panel`, second half); ``stream`` as
    :func:`map_file` has it (not where a year is picked or estimates are marked: both
    read every cell)."""
    cube, pairs, source = stage.cube, stage.pairs, stage.meta["panel"]
    plant_h = (_plant_herfindahl(options.plants, stage.industry_codes, pairs,
                                 len(cube.categories), list(cube.years))
               if options.plants is not None else None)
    result = map_indicators(cube, span=options.span, stars=options.stars,
                            strong=options.strong, plant_herfindahl=plant_h,
                            min_employment=options.min_employment,
                            stream=(stream and options.year is None
                                    and stage.estimated_rows is None))
    extra: dict[str, pd.DataFrame] = {}
    if options.shift_share_years is not None:
        extra["shiftshare"] = _shift_share_table(cube, options.shift_share_years, source)
    if options.coagglomeration_year is not None:
        extra["coagglomeration"] = _coagglomeration_table(cube, options.coagglomeration_year,
                                                          source)
    if stage.estimated_rows is not None:
        result = _mark_estimated(result, cube, *stage.estimated_rows, pairs)
    out = _select_year(result, options.year)
    return ClusterMap(out, stage.notes, stage.meta, extra)


def _with_denominator(cube: ClusterCube, categories: CategorySet | None, denominator: str,
                      source: str) -> ClusterCube:
    """Totals over the categories of one group (US Cluster Mapping's traded/local LQ)."""
    if categories is None:
        raise ConfigError("denominator='traded' needs categories with a traded/local group")
    mask = np.array([c.group.strip().lower() == denominator for c in categories.categories])
    if not mask.any():
        raise ConfigError(f"{source}: no category of the set {categories.name!r} has group "
                          f"{denominator!r} (groups: "
                          f"{', '.join(sorted({c.group for c in categories.categories}))})")
    emp = np.nan_to_num(cube.employment[:, mask, :])  # (R, C', T)
    # (T, R) in C order, as every cube's totals: the kernels compiled for them fit
    totals = np.ascontiguousarray(emp.sum(axis=1).T)
    ref_grand = (None if cube.reference_totals is None
                 else cube.reference_totals[mask].sum(axis=0))
    return replace(cube, region_totals=totals, reference_grand=ref_grand)


def _plant_herfindahl(path: Path, industry_codes: list[str], pairs: tuple[np.ndarray, np.ndarray],
                      n_categories: int, years: list[int]) -> np.ndarray:
    """(C, T) plant Herfindahl :math:`\\sum_k z_k^2` from a file of plants."""
    import pandas as pd

    try:
        frame = (pd.read_parquet(path) if path.suffix.lower() == ".parquet"
                 else pd.read_csv(path, dtype={"industry": str}))
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: cannot be read ({exc})") from None
    missing = {"industry", "year", "employment"} - set(frame.columns)
    if missing:
        raise SourceError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected "
                          "one row per plant with industry, year, employment")
    ind_of = {c: i for i, c in enumerate(industry_codes)}
    cat_of = dict(zip(pairs[0].tolist(), pairs[1].tolist(), strict=False))
    frame = frame.assign(cat=frame["industry"].astype(str).map(ind_of).map(cat_of))
    frame = frame.dropna(subset=["cat"])
    frame = frame[frame["year"].isin(years)]
    if (frame["employment"] < 0).any():
        raise InputError(f"{path}: plant employment must not be negative")
    total = frame.groupby(["cat", "year"])["employment"].transform("sum")
    z2 = (frame["employment"] / total) ** 2
    h = z2.groupby([frame["cat"], frame["year"]]).sum().reset_index(name="h")
    out = np.full((n_categories, len(years)), np.nan)
    for c, y, value in zip(h["cat"], h["year"], h["h"], strict=True):
        out[int(c), years.index(int(y))] = value
    return out


def _shift_share_table(cube: ClusterCube, years: tuple[int, int], source: str) -> pd.DataFrame:
    import pandas as pd

    from clusteratlas.core.shiftshare import shift_share

    start, end = years
    if start not in cube.years or end not in cube.years or start >= end:
        raise InputError(f"{source}: shift-share years {start}:{end} must be two panel years, "
                         f"the first earlier ({cube.years[0]}–{cube.years[-1]})")
    t0, t1 = cube.years.index(start), cube.years.index(end)
    e0 = np.nan_to_num(cube.employment[:, :, t0])
    e1 = np.nan_to_num(cube.employment[:, :, t1])
    ref0 = None if cube.reference_totals is None else cube.reference_totals[:, t0]
    ref1 = None if cube.reference_totals is None else cube.reference_totals[:, t1]
    ss = shift_share(e0, e1, reference_start=ref0, reference_end=ref1)
    present = (cube.present[:, :, t0] | cube.present[:, :, t1]).ravel()
    r, c = np.divmod(np.arange(e0.size), e0.shape[1])
    return pd.DataFrame({
        "region": np.asarray(cube.regions, dtype=object)[r], "category":
        np.asarray(cube.categories, dtype=object)[c], "start": start, "end": end,
        "employment_start": e0.ravel(), "employment_end": e1.ravel(),
        "change": ss.change.ravel(), "national": ss.national.ravel(),
        "industry_mix": ss.industry_mix.ravel(), "competitive": ss.competitive.ravel(),
    })[present].reset_index(drop=True)


def _coagglomeration_table(cube: ClusterCube, year: int, source: str) -> pd.DataFrame:
    import pandas as pd

    from clusteratlas.core.concentration import coagglomeration

    if year not in cube.years:
        raise InputError(f"{source}: coagglomeration year {year} is not in the panel")
    t = cube.years.index(year)
    matrix = coagglomeration(np.nan_to_num(cube.employment[:, :, t]),
                             region_totals=cube.region_totals[t])
    a, b = np.triu_indices(matrix.shape[0], k=1)
    cats = np.asarray(cube.categories, dtype=object)
    return pd.DataFrame({"year": year, "category_a": cats[a], "category_b": cats[b],
                         "coagglomeration": matrix[a, b]})


def _region_totals(employment: np.ndarray, is_total: np.ndarray, region_new: np.ndarray,
                   year_idx: np.ndarray, n_regions: int, n_years: int,
                   rows: np.ndarray, observed: np.ndarray | None = None) -> np.ndarray:
    """(T, R) totals: published TOTAL rows where present, else the sum of known cells;
    ``observed`` (T, R) gets True for the region-year of every row of a mapped region."""
    from clusteratlas.core._aggregate import sum_by_region_year  # numba: when needed

    summed = sum_by_region_year(region_new, year_idx, employment, rows, n_years, n_regions,
                                observed)
    published = np.full((n_years, n_regions), np.nan)
    sel = is_total & (region_new >= 0)
    published[year_idx[sel], region_new[sel]] = employment[sel]
    return np.where(np.isnan(published), summed, published)


def _fill_suppressed(
    employment: np.ndarray, suppressed: np.ndarray, is_total: np.ndarray,
    region_idx: np.ndarray, year_idx: np.ndarray, establishments: np.ndarray | None,
    n_regions: int, n_years: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Parent-minus-known-children remainder, spread over a region-year's suppressed cells."""
    out = employment.copy()
    key = year_idx.astype(np.int64) * n_regions + region_idx
    size = n_years * n_regions
    total = np.full(size, np.nan)
    total[key[is_total]] = employment[is_total]
    cells = ~is_total
    known = np.bincount(key[cells], weights=np.nan_to_num(employment[cells]), minlength=size)
    remainder = np.clip(total - known, 0.0, None)
    target = cells & suppressed & ~np.isnan(remainder[key])
    w = (establishments[target] if establishments is not None else np.ones(int(target.sum())))
    w = np.where(np.isnan(w) | (w <= 0), 1.0, w)
    wsum = np.bincount(key[target], weights=w, minlength=size)
    out[target] = remainder[key[target]] * w / wsum[key[target]]
    return out, target


def _mark_estimated(result: MappingResult, cube: ClusterCube, est_rows: np.ndarray,
                    region_new: np.ndarray, year_idx: np.ndarray, industry_idx: np.ndarray,
                    pairs: tuple[np.ndarray, np.ndarray]) -> MappingResult:
    n_r, n_c, n_t = cube.employment.shape
    cat_of = dict(zip(pairs[0].tolist(), pairs[1].tolist(), strict=False))
    counts = np.zeros(n_r * n_c * n_t, dtype=np.int64)
    for r, t, i in zip(region_new[est_rows], year_idx[est_rows], industry_idx[est_rows], strict=True):
        c = cat_of.get(int(i))
        if c is not None:
            counts[(r * n_c + c) * n_t + t] += 1
    cells = result.cells
    flat = ((cells["region"].cat.codes.to_numpy().astype(np.int64) * n_c
             + cells["category"].cat.codes.to_numpy()) * n_t
            + (cells["year"].to_numpy() - cube.years[0]))
    cells = cells.assign(estimated_cells=counts[flat])
    return MappingResult.from_cells(cells, result.regions, result.categories)


def _select_year(result: MappingResult, year: int | None) -> MappingResult:
    if year is None:
        return result
    years = result.cells["year"]
    if not (years == year).any():
        raise InputError(f"year {year} is not in the panel (years {years.min()}–{years.max()})")
    return MappingResult.from_cells(
        result.cells[years == year].reset_index(drop=True),
        result.regions[result.regions["year"] == year].reset_index(drop=True),
        result.categories[result.categories["year"] == year].reset_index(drop=True),
    )


#: Columns of the cell table that are written unless ``details`` is asked for.
DETAIL_COLUMNS = ("region_total", "size_threshold", "lq_threshold_strong",
                  "employment_change_pct")


def write_outputs(result: ClusterMap, out: str | Path, *, details: bool = False) -> list[Path]:
    """Write cells to ``out`` (.csv or .parquet) and the summaries beside it
    (``NAME.regions.EXT``, ``NAME.categories.EXT``); atomically: temporary files are
    renamed only when all three are written.  ``details`` adds the thresholds behind
    each star and strong flag, the region total and the relative change."""
    out = Path(out)
    ext = out.suffix.lower()
    if ext not in (".csv", ".parquet"):
        raise ConfigError(f"--out {out}: expected a .csv or .parquet file name")
    if not out.parent.exists():
        raise SourceError(f"--out {out}: folder {out.parent} does not exist")
    columns = result.result.cell_columns
    # only the columns written are read: the explanatory ones are computed on demand
    names = [name for name in columns
             if details or not (name in DETAIL_COLUMNS or name.endswith("y_before"))]

    def cells() -> dict[str, Any]:
        return {name: columns[name] for name in names}

    # the summaries are read only once the cells are being written (they may still
    # be computed then: see MappingResult)
    targets: dict[Path, Any] = {
        out: cells,
        out.with_name(f"{out.stem}.regions{ext}"): lambda: result.result.summaries()[0],
        out.with_name(f"{out.stem}.categories{ext}"): lambda: result.result.summaries()[1],
    }
    for name, frame in result.extra.items():
        targets[out.with_name(f"{out.stem}.{name}{ext}")] = lambda frame=frame: frame

    def write(tmp: Path, frame: pd.DataFrame | dict[str, Any]) -> None:
        if ext == ".parquet":
            _write_parquet(_arrow(frame), tmp)
            return
        import pandas as pd

        if isinstance(frame, SummaryColumns):
            frame = frame.frame()
        elif isinstance(frame, dict):
            frame = pd.DataFrame({name: col.categorical() if isinstance(col, CodedColumn)
                                  else col for name, col in frame.items()})
        frame.to_csv(tmp, index=False)

    from clusteratlas.core._threads import n_threads

    def write_cells(tmp: Path) -> None:
        if ext == ".parquet" and hasattr(columns, "rows"):
            # each row group as soon as its rows are computed
            _write_parquet_rows(columns, names, tmp)
        else:
            write(tmp, cells())

    with replacing(list(targets)) as temps:
        rest = list(zip(temps[1:], list(targets.values())[1:], strict=True))
        if ext == ".parquet" and n_threads() > 1:
            # Arrow writes the cells without the interpreter: meanwhile this thread
            # computes and writes the rest
            failed: list[BaseException] = []

            def in_background() -> None:
                try:
                    write_cells(temps[0])
                except BaseException as exc:  # re-raised below, in the caller's thread
                    failed.append(exc)
                    if hasattr(columns, "close"):  # nobody waits for cells any more
                        columns.close(exc)

            writer = threading.Thread(target=in_background, name="clusteratlas-write-cells")
            writer.start()
            try:
                for tmp, frame in rest:
                    write(tmp, frame())
            except BaseException as exc:
                if hasattr(columns, "close"):  # the writer stops at its next chunk
                    columns.close(exc)
                raise
            finally:
                writer.join()
            if failed:
                raise failed[0]
        else:
            write_cells(temps[0])
            for tmp, frame in rest:
                write(tmp, frame())
    return list(targets)


def _arrow(frame: pd.DataFrame | dict[str, Any]) -> pa.Table:
    """Columns to Arrow without copying numeric arrays; codes become dictionaries.

    Numbers and codes from numpy hold no null (NaN is a value): they become required
    fields, for which Parquet stores no definition levels (a sixth of the time to write
    the cell table).  That is decided by a column's kind, not its values, so that every
    chunk of a streamed table has the schema of the first.  A summary table
    (:class:`SummaryColumns`) and a DataFrame become what pandas makes of a DataFrame
    (:func:`_as_from_pandas`)."""
    if isinstance(frame, SummaryColumns):
        return _as_from_pandas(frame)
    if not isinstance(frame, dict):
        return pa.Table.from_pandas(frame, preserve_index=False)
    arrays, fields = [], []
    for name, col in frame.items():
        if _is_categorical(col):  # cells a DataFrame gave (MappingResult.from_cells)
            col = CodedColumn(col.codes, list(col.categories))
        if isinstance(col, CodedColumn):
            array = _dictionary(col)
            required = True
        else:
            values = np.asarray(col)
            required = values.dtype.kind in "biuf"
            array = numeric(values) if required else pa.array(values)
        arrays.append(array)
        fields.append(pa.field(name, array.type, nullable=not required))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _is_categorical(col: Any) -> bool:
    # a pandas Categorical, if pandas is in use at all (not imported for this)
    pd = sys.modules.get("pandas")
    return pd is not None and isinstance(col, pd.Categorical)


def _dictionary(col: CodedColumn, text: pa.DataType | None = None) -> pa.DictionaryArray:
    if not all(isinstance(label, str) for label in col.labels):
        raise TypeError("code labels must be text")
    return pa.DictionaryArray.from_arrays(numeric(col.codes), text_array(col.labels, text))


def _as_from_pandas(columns: SummaryColumns) -> pa.Table:
    """The table ``pa.Table.from_pandas(columns.frame(), preserve_index=False)`` gives,
    without importing pandas: NaN is null, every field may be null, and the schema
    carries pandas' description of the frame (the same bytes, to the pandas version
    named in it; tests/service/test_pipeline.py compares the files)."""
    import json
    from importlib.metadata import version

    pandas_version = version("pandas")
    # pandas 3 keeps text in Arrow's large strings, which become the labels' type
    text = pa.large_string() if int(pandas_version.split(".")[0]) >= 3 else pa.string()
    arrays, fields, described = [], [], []
    for name, col in columns.items():
        if isinstance(col, CodedColumn):
            array: pa.Array = _dictionary(col, text)
            kind, numpy_type = "categorical", col.codes.dtype.name
            meta: dict[str, Any] | None = {"num_categories": len(col.labels),
                                            "ordered": False}
        else:
            values = np.asarray(col)
            if values.dtype.kind not in "biuf":
                raise TypeError(f"summary column {name!r}: {values.dtype} is not a number")
            array = numeric(values, nan_is_null=True)
            kind = numpy_type = values.dtype.name
            meta = None
        arrays.append(array)
        fields.append(pa.field(name, array.type))
        described.append({"name": name, "field_name": name, "pandas_type": kind,
                          "numpy_type": numpy_type, "metadata": meta})
    pandas = {"index_columns": [], "column_indexes": [], "columns": described,
              "attributes": {}, "creator": {"library": "pyarrow", "version": pa.__version__},
              "pandas_version": pandas_version}
    schema = pa.schema(fields, metadata={b"pandas": json.dumps(pandas).encode()})
    return pa.Table.from_arrays(arrays, schema=schema)


def _parquet_options(schema: pa.Schema) -> dict[str, Any]:
    # Dictionary encoding and statistics pay off for the code columns, not for the
    # measurements, where they cost a fifth of the write time.
    keys = [f.name for f in schema if pa.types.is_dictionary(f.type)
            or pa.types.is_string(f.type) or f.name == "year"]
    codes = [name for name in keys if name != "year"]
    # values handed to the encoders 65,536 at a time, not 1,024: an eighth less CPU
    # for the same pages
    return {"compression": "snappy", "use_dictionary": codes, "write_statistics": keys,
            "write_batch_size": 1 << 16}


def _write_parquet(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, path, **_parquet_options(table.schema))


def _write_parquet_rows(columns: Any, names: list[str], path: Path) -> None:
    """The cell table row group by row group, each as soon as its rows are computed
    (:meth:`MappingResult.cell_columns.rows`); the file is the one
    :func:`_write_parquet` writes of the whole table (its row groups are the chunks
    the cells are computed in, 2**20 rows as Arrow's default).

    With several threads the row groups are encoded at once, each on its own thread
    (:mod:`clusteratlas.service.parquet_assembly`), as many as the cells keep
    computed (:attr:`held`) less the one being computed; the file is the same, byte
    for byte."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    from clusteratlas.core._threads import n_threads
    from clusteratlas.service.parquet_assembly import Assembly, encode_part

    n, chunk = columns.n_rows, columns.chunk
    held = columns.held
    workers = min(n_threads(), (held - 1) if held is not None else n_threads(),
                  -(-n // chunk))
    if workers <= 1 or not hasattr(os, "pwrite"):  # several writers need pwrite (POSIX)
        _write_parquet_sequentially(columns, names, path)
        return
    pending: deque[tuple[Future[None], int]] = deque()
    # the pool ends (its threads done) before the file is closed
    with Assembly(path) as assembly, \
            ThreadPoolExecutor(workers, thread_name_prefix="clusteratlas-encode") as pool:

        def encode(index: int, table: Any) -> None:
            try:
                part = encode_part(table, row_group_size=chunk,
                                   **_parquet_options(table.schema))
                pos = assembly.place(index, part)
            except BaseException as exc:
                assembly.fail(index, exc)  # the later parts stop waiting for their turn
                raise
            # each thread copies its own part into the file: the kernel's work of
            # taking the bytes into the page cache runs on every core as well
            assembly.write_at(part, pos)

        def finish_oldest() -> None:
            # its part is in the file: its rows' block can take later rows
            done, upto = pending.popleft()
            done.result()
            columns.release(upto)

        try:
            for index, first in enumerate(range(0, n, chunk)):
                if len(pending) == workers:
                    finish_oldest()
                stop = min(first + chunk, n)
                table = _arrow(columns.rows(first, stop, names))
                pending.append((pool.submit(encode, index, table), stop))
                del table
            while pending:
                finish_oldest()
        except BaseException:
            assembly.fail()
            for future, _ in pending:
                future.cancel()
            raise


def _write_parquet_sequentially(columns: Any, names: list[str], path: Path) -> None:
    import pyarrow.parquet as pq

    n, chunk = columns.n_rows, columns.chunk
    writer = None
    try:
        for first in range(0, max(n, 1), chunk):
            stop = min(first + chunk, n)
            table = _arrow(columns.rows(first, stop, names))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, **_parquet_options(table.schema))
            writer.write_table(table, row_group_size=chunk)
            del table
            columns.release(stop)
    finally:
        if writer is not None:
            writer.close()
