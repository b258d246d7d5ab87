"""``map_clusters``: a panel file (or frame) in, the cluster-mapping tables out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from clusteratlas import reference
from clusteratlas._files import replacing
from clusteratlas.core._aggregate import first_duplicate, sum_by_region_year
from clusteratlas.core.mapping import (
    ClusterCube,
    MappingResult,
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
from clusteratlas.model.panel import FLAGS, TOTAL_CODE

__all__ = ["ClusterMap", "map_clusters", "write_outputs"]

_BUILTIN = {"wz2008": reference.wz2008, "nace_rev2": reference.nace_rev2}


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


def _encode(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[str]]:
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    indices = arr.indices.to_numpy(zero_copy_only=False)
    return indices, arr.dictionary.to_pylist()


def _values(table: pa.Table, name: str) -> np.ndarray | None:
    if name not in table.column_names:
        return None
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def _row_label(source: str, index: int, suffix: str, aggregated: bool) -> str:
    if aggregated:
        return f"{source} (rows aggregated by the engine)"
    return f"{source}, line {index + 2}" if suffix != ".parquet" else f"{source}, row {index + 1}"


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
    plants: str | Path | None = None,
    shift_share_years: tuple[int, int] | None = None,
    coagglomeration_year: int | None = None,
) -> ClusterMap:
    """Map clusters from a panel file.

    Parameters
    ----------
    panel
        CSV or Parquet with ``region, industry, year, employment`` and optionally
        ``establishments, wages, flag``; rows with industry ``TOTAL`` give the
        published region totals.
    categories
        A :class:`CategorySet` or a YAML/CSV file; without it every industry is its
        own category.
    reference_region
        Code of a region in the panel (e.g. ``DG`` for Germany) whose employment is
        the LQ reference; it is not mapped itself.  Default: the mapped regions.
    regions
        A regular expression; only matching region codes are mapped.
    year
        Keep only this year in the output (changes still look back ``span`` years).
    fill_suppressed
        Estimate suppressed cells from the region total minus the known cells,
        split in proportion to establishments (equally without them); the cells are
        flagged ``estimated_cells``.
    denominator
        ``total`` (default), or ``traded``/``local`` as in US Cluster Mapping: region
        and reference totals count only the categories of that group (the category
        set's ``group``), so LQ and shares are relative to traded (local) employment.
    plants
        CSV/Parquet of plants (``industry, year, employment``) for the exact plant
        Herfindahl of the Ellison–Glaeser index; without it H ≈ 1/N (flagged).
    shift_share_years
        ``(start, end)``: add a shift-share table (``extra["shiftshare"]``).
    coagglomeration_year
        Add the pairwise coagglomeration of categories in that year
        (``extra["coagglomeration"]``).
    """
    from clusteratlas.engines import get_engine

    path = Path(panel)
    eng = get_engine(engine, url=engine_url)
    if isinstance(categories, (str, Path)):
        categories = reference.read_categories(categories)
    table = eng.scan(path)
    aggregated = "n_rows" in table.column_names
    source = str(path)
    region_idx, region_codes = _encode(table.column("region"))
    industry_idx, industry_codes = _encode(table.column("industry"))
    years_raw = np.asarray(table.column("year").to_numpy(zero_copy_only=False), dtype=np.int64)
    employment = _values(table, "employment")
    assert employment is not None
    establishments = _values(table, "establishments")
    wages = _values(table, "wages")
    n_rows = (table.column("n_rows").to_numpy().astype(np.int64) if aggregated else None)
    _check_ranges(source, path.suffix, aggregated, years_raw, employment, establishments, wages,
                  region_codes, industry_codes)
    if "flag" in table.column_names and not aggregated:
        flags = table.column("flag").to_numpy(zero_copy_only=False)
        bad = ~np.isin(flags, np.array((*FLAGS, None), dtype=object))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"{_row_label(source, i, path.suffix, aggregated)}: field 'flag' is "
                             f"{flags[i]!r}; expected one of {', '.join(FLAGS)}")
        suppressed = (flags == "suppressed") | np.isnan(employment)
        contradiction = (flags == "suppressed") & ~np.isnan(employment)
        if contradiction.any():
            i = int(np.flatnonzero(contradiction)[0])
            raise InputError(f"{_row_label(source, i, path.suffix, aggregated)}: flagged "
                             "'suppressed' but has an employment value")
        employment = np.where(suppressed, np.nan, employment)
    else:
        suppressed = np.isnan(employment)
    suppressed_count = (table.column("n_suppressed").to_numpy().astype(np.int64)
                        if aggregated else None)
    if aggregated:
        n_known = table.column("n_known").to_numpy().astype(np.int64)
        employment = np.where(n_known > 0, employment, np.nan)
        suppressed = n_known == 0

    y0, y1 = int(years_raw.min()), int(years_raw.max())
    all_years = list(range(y0, y1 + 1))
    year_idx = years_raw - y0
    first = first_duplicate(region_idx, industry_idx, year_idx, len(industry_codes),
                            len(all_years), n_rows if n_rows is not None else np.zeros(0, np.int64))
    if first >= 0:
        i = int(first)
        same = np.flatnonzero((region_idx == region_idx[i]) & (industry_idx == industry_idx[i])
                              & (year_idx == year_idx[i]))[:5]
        where = (f"{source}, {'lines' if path.suffix != '.parquet' else 'rows'} "
                 + ", ".join(str(j + (2 if path.suffix != ".parquet" else 1)) for j in same)
                 if not aggregated else f"{source} (found by the {eng.name} engine)")
        raise InputError(
            f"{where}: duplicate observation for region {region_codes[region_idx[i]]!r}, "
            f"industry {industry_codes[industry_idx[i]]!r}, year {years_raw[i]}; expected one row "
            "per region, industry and year; nothing was written"
        )

    total_code = industry_codes.index(TOTAL_CODE) if TOTAL_CODE in industry_codes else -1
    is_total = industry_idx == total_code
    if fill_suppressed:
        employment, est_flag = _fill_suppressed(employment, suppressed, is_total, region_idx,
                                                year_idx, establishments, len(region_codes),
                                                len(all_years))
        suppressed = suppressed & ~est_flag
    else:
        est_flag = np.zeros(len(employment), dtype=bool)

    # which regions are mapped, which one is the reference
    if reference_region is not None and reference_region not in region_codes:
        raise NotFoundError(f"{source}: reference region {reference_region!r} is not in the panel")
    keep = np.ones(len(region_codes), dtype=bool)
    if regions is not None:
        try:
            pattern = re.compile(regions)
        except re.error as exc:
            raise ConfigError(f"regions={regions!r} is not a regular expression ({exc})") from None
        keep = np.array([bool(pattern.fullmatch(c)) for c in region_codes])
    if reference_region is not None:
        keep[region_codes.index(reference_region)] = False
    if not keep.any():
        raise InputError(f"{source}: no region is left to map (regions={regions!r})")
    mapped = [c for c, k in zip(region_codes, keep, strict=True) if k]
    new_index = np.full(len(region_codes), -1, dtype=np.int64)
    new_index[np.flatnonzero(keep)] = np.arange(len(mapped))

    cat_codes, pairs, notes = _category_pairs(categories, industry_codes, source)
    if est_flag.any():
        notes.append(f"{int(est_flag.sum())} suppressed cell(s) estimated from region totals")
    if reference_region is None and len(mapped) < len(region_codes):
        notes.append("LQ reference: the mapped regions only")

    region_new = new_index[region_idx] if not keep.all() else region_idx
    mask = (region_new >= 0) & ~is_total
    rows: np.ndarray | slice = slice(None) if mask.all() else mask
    totals = _region_totals(employment, is_total, region_new, year_idx, len(mapped),
                            len(all_years), mask)
    ref_totals = ref_grand = None
    if reference_region is not None:
        ref = region_idx == region_codes.index(reference_region)
        ref_cube = aggregate_to_cube(
            regions=[reference_region], categories=cat_codes, years=all_years,
            region_idx=np.zeros(int((ref & ~is_total).sum()), dtype=np.int64),
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
        suppressed_count=None if suppressed_count is None else suppressed_count[rows],
        region_totals=totals, reference_totals=ref_totals, reference_grand=ref_grand,
    )
    if denominator != "total":
        cube = _with_denominator(cube, categories, denominator, source)
    plant_h = (_plant_herfindahl(Path(plants), industry_codes, pairs, len(cat_codes), all_years)
               if plants is not None else None)
    result = map_indicators(cube, span=span, stars=stars, strong=strong,
                            plant_herfindahl=plant_h)
    extra: dict[str, pd.DataFrame] = {}
    if shift_share_years is not None:
        extra["shiftshare"] = _shift_share_table(cube, shift_share_years, source)
    if coagglomeration_year is not None:
        extra["coagglomeration"] = _coagglomeration_table(cube, coagglomeration_year, source)
    if est_flag.any():
        result = _mark_estimated(result, cube, est_flag[rows], region_new[rows],
                                 year_idx[rows], industry_idx[rows], pairs)
    out = _select_year(result, year)
    meta: dict[str, Any] = {
        "panel": source, "engine": eng.name, "reference_region": reference_region,
        "regions_mapped": len(mapped), "categories": len(cat_codes),
        "category_set": categories.name if categories is not None else None,
        "years": [y0, y1], "span": span,
    }
    meta["denominator"] = denominator
    meta["eg_gamma"] = "exact (plant file)" if plants is not None else "approximate (H = 1/N)"
    return ClusterMap(out, notes, meta, extra)


def _with_denominator(cube: ClusterCube, categories: CategorySet | None, denominator: str,
                      source: str) -> ClusterCube:
    """Totals over the categories of one group (US Cluster Mapping's traded/local LQ)."""
    if denominator not in ("traded", "local"):
        raise ConfigError(f"denominator={denominator!r} is not one of total, traded, local")
    if categories is None:
        raise ConfigError("denominator='traded' needs categories with a traded/local group")
    mask = np.array([c.group.strip().lower() == denominator for c in categories.categories])
    if not mask.any():
        raise ConfigError(f"{source}: no category of the set {categories.name!r} has group "
                          f"{denominator!r} (groups: "
                          f"{', '.join(sorted({c.group for c in categories.categories}))})")
    emp = np.nan_to_num(cube.employment[:, mask, :])  # (R, C', T)
    totals = emp.sum(axis=1).T  # (T, R)
    ref_grand = (None if cube.reference_totals is None
                 else cube.reference_totals[mask].sum(axis=0))
    return replace(cube, region_totals=totals, reference_grand=ref_grand)


def _plant_herfindahl(path: Path, industry_codes: list[str], pairs: tuple[np.ndarray, np.ndarray],
                      n_categories: int, years: list[int]) -> np.ndarray:
    """(C, T) plant Herfindahl :math:`\\sum_k z_k^2` from a file of plants."""
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


def _check_ranges(source: str, suffix: str, aggregated: bool, years: np.ndarray,
                  employment: np.ndarray, establishments: np.ndarray | None,
                  wages: np.ndarray | None, region_codes: list[str],
                  industry_codes: list[str]) -> None:
    """Negative values, impossible years and empty codes, named by line."""
    checks: list[tuple[str, np.ndarray, str]] = [
        ("year", (years < 1800) | (years > 2200), "a year between 1800 and 2200"),
        ("employment", employment < 0, "a number ≥ 0"),
    ]
    arrays = {"year": years, "employment": employment}
    for name, values in (("establishments", establishments), ("wages", wages)):
        if values is not None:
            checks.append((name, values < 0, "a number ≥ 0"))
            arrays[name] = values
    for name, bad, expected in checks:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = arrays[name][i]
            raise InputError(f"{_row_label(source, i, suffix, aggregated)}: field {name!r} is "
                             f"{value:g}; expected {expected}; nothing was written")
    for name, codes in (("region", region_codes), ("industry", industry_codes)):
        if any(c is None or not str(c).strip() for c in codes):
            raise InputError(f"{source}: field {name!r} is empty in some rows; expected a code")


def _region_totals(employment: np.ndarray, is_total: np.ndarray, region_new: np.ndarray,
                   year_idx: np.ndarray, n_regions: int, n_years: int,
                   rows: np.ndarray) -> np.ndarray:
    """(T, R) totals: published TOTAL rows where present, else the sum of known cells."""
    summed = sum_by_region_year(region_new, year_idx, employment, rows, n_years, n_regions)
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
    key = year_idx * n_regions + region_idx
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
    cells = {name: col for name, col in result.result.cell_columns.items()
             if details or not (name in DETAIL_COLUMNS or name.endswith("y_before"))}
    targets: dict[Path, Any] = {
        out: cells,
        out.with_name(f"{out.stem}.regions{ext}"): result.regions,
        out.with_name(f"{out.stem}.categories{ext}"): result.categories,
    }
    for name, frame in result.extra.items():
        targets[out.with_name(f"{out.stem}.{name}{ext}")] = frame
    with replacing(list(targets)) as temps:
        for tmp, frame in zip(temps, targets.values(), strict=True):
            if ext == ".parquet":
                _write_parquet(_arrow(frame), tmp)
            else:
                (pd.DataFrame(frame) if isinstance(frame, dict) else frame).to_csv(tmp, index=False)
    return list(targets)


def _arrow(frame: pd.DataFrame | dict[str, Any]) -> pa.Table:
    """Columns to Arrow without copying numeric arrays; Categoricals become dictionaries."""
    if isinstance(frame, pd.DataFrame):
        return pa.Table.from_pandas(frame, preserve_index=False)
    arrays = {}
    for name, col in frame.items():
        if isinstance(col, pd.Categorical):
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(col.codes), pa.array(list(col.categories), type=pa.string()))
        else:
            arrays[name] = pa.array(np.asarray(col))
    return pa.table(arrays)


def _write_parquet(table: pa.Table, path: Path) -> None:
    import pyarrow.parquet as pq

    # Dictionary encoding and statistics pay off for the code columns, not for the
    # measurements, where they cost a fifth of the write time.
    keys = [f.name for f in table.schema if pa.types.is_dictionary(f.type)
            or pa.types.is_string(f.type) or f.name == "year"]
    codes = [name for name in keys if name != "year"]
    pq.write_table(table, path, compression="snappy", use_dictionary=codes,
                   write_statistics=keys)
