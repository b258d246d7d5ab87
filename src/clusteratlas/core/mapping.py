"""The cluster-mapping pipeline on dense arrays: aggregation to categories and every
region × category × year indicator, with the per-region and per-category summaries.

Engines deliver integer-coded rows; everything here is numpy (and one numba kernel)
and therefore gives identical results whichever engine read the data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from clusteratlas.core._kernel_names import PIPELINE_KERNELS
from clusteratlas.core.stars import StarRules, StrongRule
from clusteratlas.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from clusteratlas.core._aggregate import CubeMemory

__all__ = ["ClusterCube", "CodedColumn", "MappingResult", "SummaryColumns", "aggregate_to_cube",
           "map_indicators"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class ClusterCube:
    """Employment by region, category and year on dense ``(R, C, T)`` arrays.

    ``present`` marks cells that had at least one input row; ``employment`` is the
    sum of the known (not suppressed) values, NaN where every contributing value is
    suppressed.  ``region_totals`` (T, R) are :math:`E_r`;  ``reference_totals``
    (C, T) and ``reference_grand`` (T,) are :math:`E_i` and :math:`E` of a
    reference area other than the mapped regions, if one was given.  ``observed``
    (T, R) marks the region-years the panel has any row for; a year missing from the
    panel is unknown, not zero employment (default: region-years with a present cell).
    """

    regions: tuple[str, ...]
    categories: tuple[str, ...]
    years: tuple[int, ...]
    employment: F64
    present: NDArray[np.bool_]
    suppressed: NDArray[np.int32]
    establishments: F64 | None
    wages: F64 | None
    region_totals: F64
    category_totals: F64 = field(default_factory=lambda: np.zeros((0, 0)))
    reference_totals: F64 | None = None
    reference_grand: F64 | None = None
    establishments_estimated: bool = False
    observed: NDArray[np.bool_] | None = None

    @property
    def observed_region_years(self) -> NDArray[np.bool_]:
        """(T, R) region-years with data (:attr:`observed`, else a present cell)."""
        if self.observed is not None:
            return self.observed
        out: NDArray[np.bool_] = np.asarray(self.present.any(axis=1), dtype=bool).T
        return out


def aggregate_to_cube(
    *,
    regions: Sequence[str],
    categories: Sequence[str],
    years: Sequence[int],
    region_idx: NDArray[np.integer],
    year_idx: NDArray[np.integer],
    industry_idx: NDArray[np.integer],
    category_pairs: tuple[NDArray[np.int64], NDArray[np.int64]],
    employment: F64,
    suppressed: NDArray[np.bool_],
    establishments: F64 | None = None,
    wages: F64 | None = None,
    region_totals: F64 | None = None,
    reference_totals: F64 | None = None,
    reference_grand: F64 | None = None,
    observed: NDArray[np.bool_] | None = None,
    memory: CubeMemory | None = None,
) -> ClusterCube:
    """Sum industry rows into category cells.

    Parameters
    ----------
    region_idx, year_idx, industry_idx
        (n,) integer codes of each input row.
    category_pairs
        ``(industry, category)`` index pairs; an industry may belong to several
        categories (overlapping user sets) or to none.
    employment
        (n,) values; NaN for suppressed rows (``suppressed`` True).
    region_totals
        (T, R) published totals :math:`E_r`; defaults to the sum of the known
        values of all industries (not only those in categories).
    observed
        (T, R) region-years the panel has rows for (see :class:`ClusterCube`).
    memory
        The cube's arrays, being zeroed ahead (:class:`~clusteratlas.core._aggregate.CubeMemory`
        of ``R * C * T`` elements).
    """
    from clusteratlas.core._aggregate import aggregate_rows, sum_by_region_year  # numba: here

    n_r, n_c, n_t = len(regions), len(categories), len(years)
    pair_ind, pair_cat = category_pairs
    if region_totals is None:
        region_totals = sum_by_region_year(region_idx, year_idx, employment,
                                           np.ones(len(region_idx), np.bool_), n_t, n_r)
    n_ind = max(int(industry_idx.max()) + 1 if len(industry_idx) else 0,
                int(pair_ind.max()) + 1 if len(pair_ind) else 0, 1)
    per_ind = np.bincount(pair_ind, minlength=n_ind)
    rows: NDArray[np.intp] | slice
    if per_ind.max(initial=0) <= 1:
        cat_of = np.full(n_ind, -1, dtype=np.int64)
        cat_of[pair_ind] = pair_cat
        ind = industry_idx
        rows = slice(None)
    else:  # overlapping categories: one copy of the row per category
        order = np.argsort(pair_ind, kind="stable")
        starts = np.concatenate([[0], np.cumsum(per_ind)])
        reps = per_ind[industry_idx]
        rows = np.repeat(np.arange(len(industry_idx)), reps)
        offsets = np.arange(len(rows)) - np.repeat(np.cumsum(reps) - reps, reps)
        ind = np.arange(len(rows))
        cat_of = pair_cat[order][starts[industry_idx[rows]] + offsets]
    empty = np.zeros(0)
    emp, present, sup, est, wag, cat_totals = aggregate_rows(
        region_idx[rows], year_idx[rows], ind, cat_of, employment[rows], suppressed[rows],
        empty if establishments is None else establishments[rows],
        empty if wages is None else wages[rows], n_c, n_t, n_r, memory,
    )
    shape = (n_r, n_c, n_t)

    def dense(values: F64 | None, summed: F64) -> F64 | None:
        return None if values is None else summed.reshape(shape)

    return ClusterCube(
        regions=tuple(regions), categories=tuple(categories), years=tuple(int(y) for y in years),
        employment=emp.reshape(shape), present=present.reshape(shape),
        # no suppressed row: a zero cube that takes no memory
        suppressed=(sup.reshape(shape) if sup.size
                    else np.broadcast_to(np.int32(0), shape)),
        establishments=dense(establishments, est),
        wages=dense(wages, wag), region_totals=np.asarray(region_totals, dtype=float),
        category_totals=cat_totals,
        reference_totals=reference_totals, reference_grand=reference_grand,
        observed=None if observed is None else np.asarray(observed, dtype=bool),
    )


def _none_suppressed(cube: ClusterCube) -> bool:
    """Whether the cube's suppressed counts are the zero view :func:`aggregate_to_cube`
    gives a panel without suppressed rows (one zero, broadcast)."""
    sup = cube.suppressed
    return bool(sup.size) and not any(sup.strides) and sup.flat[0] == 0


def _suppressed_sum(cube: ClusterCube, axis: int) -> NDArray[np.int64]:
    """Suppressed cells summed over ``axis``, without adding up a zero view."""
    if _none_suppressed(cube):
        shape = tuple(n for i, n in enumerate(cube.suppressed.shape) if i != axis)
        return np.zeros(shape, np.int64)
    out: NDArray[np.int64] = cube.suppressed.sum(axis=axis)
    return out


def _categorical(codes: NDArray[np.integer], labels: Sequence[str]) -> Any:
    """Codes with their labels, without materialising a string per row."""
    import pandas as pd

    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(list(labels)))


class CodedColumn:
    """A code column (region, category) as integer codes into its labels, the way a
    writer takes it: :attr:`codes` have the integer type pandas gives a Categorical of
    as many labels (the smallest of int8, int16, int32, int64 that holds their number),
    so that Arrow's dictionary array of them is the one of that Categorical, without
    importing pandas (a third of a second of ``map``'s start)."""

    __slots__ = ("codes", "labels")

    def __init__(self, codes: NDArray[np.integer], labels: Sequence[str]) -> None:
        n = len(labels)
        kind = next(t for t in (np.int8, np.int16, np.int32, np.int64)
                    if n < np.iinfo(t).max)
        self.codes: NDArray[np.integer] = np.asarray(codes, dtype=kind)
        self.labels = labels

    def __len__(self) -> int:
        return len(self.codes)

    def categorical(self) -> Any:
        """The column as a pandas Categorical."""
        return _categorical(self.codes, self.labels)


class SummaryColumns(dict[str, Any]):
    """A summary table (regions or categories) as its columns, in order; codes as
    :class:`CodedColumn`.  :meth:`frame` is the pandas DataFrame of it."""

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame({name: col.categorical() if isinstance(col, CodedColumn) else col
                             for name, col in self.items()})


#: a summary table as computed (columns) or as given (a DataFrame)
Summary = Any


class _Details:
    """The explanatory cell columns of :func:`map_indicators`, computed together on
    first use (a writer that leaves them out never pays for them)."""

    def __init__(self, *args: Any) -> None:
        self._args: tuple[Any, ...] | None = args
        self._columns: dict[str, NDArray[np.float64]] = {}

    def column(self, name: str) -> NDArray[np.float64]:
        if self._args is not None:
            from clusteratlas.core._cells import detail_columns

            self._columns = detail_columns(*self._args)
            self._args = None
        key = "employment_before" if name.endswith("y_before") else name
        return self._columns[key]


#: rows of cells computed at a time in the background (and one Parquet row group)
CHUNK = 1 << 20
#: chunks a streamed cell table holds at once, at least (computed ahead of its
#: reader); one more per thread beyond two, up to MAX_RING, so that a writer can encode
#: a chunk on every thread while the next is computed
RING = 3
MAX_RING = 5


def ring_size(threads: int) -> int:
    """Chunks a streamed cell table holds with ``threads`` threads."""
    return min(max(RING, threads + 1), MAX_RING)


class _Filling:
    """The cell rows, computed chunk after chunk, in order: by a background thread
    (``background``), so that a writer can write the first rows while the next are
    computed, or else on demand in the reader's thread.  Readers wait for the rows
    they need (:meth:`wait`); an error in the computation is raised there.  With
    ``ring``, at most that many chunks are held: the thread waits until the reader
    has :meth:`release`-d the oldest."""

    def __init__(self, n: int, compute: Callable[[int, int], None], chunk: int, *,
                 ring: int | None = None, background: bool = True) -> None:
        self.n = n
        self.chunk = chunk
        self.ring = ring
        self._compute = compute
        self._done = 0
        self._released = 0
        self._error: BaseException | None = None
        self._ready = threading.Condition()
        self._background = background
        if background:
            threading.Thread(target=self._run, name="clusteratlas-cells", daemon=True).start()

    def _run(self) -> None:
        try:
            for first in range(0, self.n, self.chunk):
                stop = min(first + self.chunk, self.n)
                if self.ring is not None:
                    with self._ready:
                        while not self._fits(first, self._released) and self._error is None:
                            self._ready.wait()
                        if self._error is not None:
                            return
                self._compute(first, stop)
                with self._ready:
                    self._done = stop
                    self._ready.notify_all()
        except BaseException as exc:  # raised in the readers' threads
            self.close(exc)

    def _fits(self, first: int, released: int) -> bool:
        # the block of the chunk starting at `first` holds the chunk `ring` before it:
        # every row of that one must be released
        assert self.ring is not None
        return first + self.chunk - released <= self.ring * self.chunk

    def check_held(self, first: int, stop: int) -> None:
        """Raise unless rows ``first..stop`` can be read now: not released yet, and in
        a chunk that its block may hold (a reader must release older rows first)."""
        with self._ready:
            released = self._released
        if first < released:
            raise RuntimeError(f"cells {first}..{stop} are no longer held: a streamed "
                               "mapping is read once, in order")
        if not self._fits((stop - 1) // self.chunk * self.chunk, released):
            raise RuntimeError(f"cells {first}..{stop} are not held yet: release the rows "
                               f"before {released + self.chunk} first (a streamed "
                               f"mapping holds {self.ring} chunks)")

    def release(self, upto: int) -> None:
        """Rows before ``upto`` will not be read again (their chunks may be reused)."""
        with self._ready:
            self._released = max(self._released, upto)
            self._ready.notify_all()

    def close(self, error: BaseException) -> None:
        """Stop computing; readers waiting for rows get ``error``."""
        with self._ready:
            if self._error is None:
                self._error = error
            self._ready.notify_all()

    def wait(self, stop: int | None = None) -> None:
        """Return once rows ``0..stop`` (default: all) are computed."""
        stop = self.n if stop is None else stop
        if not self._background:
            while self._done < stop:
                first = self._done
                self._compute(first, min(first + self.chunk, self.n))
                self._done = min(first + self.chunk, self.n)
            return
        with self._ready:
            while self._done < stop and self._error is None:
                self._ready.wait()
            if self._done < stop and self._error is not None:
                raise self._error


class _Codes:
    """A code column (region, category) as integer codes and their labels; read as a
    pandas Categorical."""

    def __init__(self, codes: NDArray[np.integer], labels: Sequence[str]) -> None:
        self.codes = codes
        self.labels = labels

    def part(self, first: int, stop: int) -> Any:
        return _categorical(self.codes[first:stop], self.labels)

    def coded(self, first: int, stop: int) -> CodedColumn:
        return CodedColumn(self.codes[first:stop], self.labels)


class _Columns(Mapping[str, Any]):
    """The cell columns in their order.  The explanatory ones (:class:`_Details`) are
    computed when first read; every column waits for the rows still being computed
    (:class:`_Filling`), and :meth:`rows` hands out the first rows before the last
    are done."""

    def __init__(self, columns: dict[str, Any], filling: _Filling | None = None) -> None:
        self._columns = columns
        self._filling = filling
        self._categoricals: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if self._filling is not None:
            self._filling.wait()
        value = self._columns[name]
        if isinstance(value, _Details):
            value = self._columns[name] = value.column(name)
        elif isinstance(value, _Codes):
            # the codes stay for rows(), which hands them to writers as they are
            value = self._categoricals.get(name)
            if value is None:
                codes = self._columns[name]
                value = self._categoricals[name] = codes.part(0, len(codes.codes))
        return value

    def rows(self, first: int, stop: int, names: Sequence[str]) -> dict[str, Any]:
        """Rows ``first..stop`` of the columns ``names``, as soon as they are computed."""
        if self._filling is not None:
            self._filling.wait(stop)
        part: dict[str, Any] = {}
        for name in names:
            value = self._columns[name]
            if isinstance(value, _Codes):
                part[name] = value.coded(first, stop)
            elif isinstance(value, _Details) or not isinstance(value, np.ndarray):
                part[name] = self[name][first:stop]
            else:
                part[name] = value[first:stop]
        return part

    def release(self, upto: int) -> None:
        """Rows before ``upto`` are no longer read (where the rows are streamed, their
        memory is reused for later rows)."""

    @property
    def held(self) -> int | None:
        """Chunks a reader may hold (read and not yet released) at once; ``None``: no
        limit."""
        return None

    def close(self, error: BaseException) -> None:
        """The reader gave up: nothing more is computed for it."""
        if self._filling is not None:
            self._filling.close(error)

    @property
    def chunk(self) -> int:
        """Rows computed at a time (a good row group for a writer)."""
        return self._filling.chunk if self._filling is not None else CHUNK

    @property
    def n_rows(self) -> int:
        """Rows of every column (known before they are computed)."""
        if self._filling is not None:
            return self._filling.n
        first = next(iter(self._columns.values()), ())
        return len(first.codes if isinstance(first, _Codes) else first)

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


class _StreamedColumns(_Columns):
    """The cell columns of a streamed result (:func:`map_indicators` with ``stream``):
    computed a chunk at a time into a few reused blocks (:attr:`held` of them), and
    read once, in order, by :meth:`rows` (a writer), which gives each block back with
    :meth:`release` once done with its rows; the whole columns are never held."""

    def __init__(self, names: list[str], filling: _Filling,
                 part: Callable[[int, int, Sequence[str]], dict[str, Any]]) -> None:
        super().__init__(dict.fromkeys(names), filling)
        self._part = part

    def __getitem__(self, name: str) -> Any:
        raise RuntimeError("the cells of a streamed mapping are read once, chunk by chunk, "
                           "by rows(); map without stream to keep them")

    def rows(self, first: int, stop: int, names: Sequence[str]) -> dict[str, Any]:
        """Rows ``first..stop``, the arrays themselves (no copy): valid until
        :meth:`release` gives them back."""
        filling = self._filling
        assert filling is not None
        filling.check_held(first, stop)
        filling.wait(stop)
        return self._part(first, stop, names)

    def release(self, upto: int) -> None:
        assert self._filling is not None
        self._filling.release(upto)

    @property
    def held(self) -> int | None:
        assert self._filling is not None
        return self._filling.ring

    @property
    def n_rows(self) -> int:
        assert self._filling is not None
        return self._filling.n


class _Later:
    """A value computed on first use, once, whichever thread asks first."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute: Callable[[], Any] | None = compute
        self._value: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._compute is not None:
                self._value = self._compute()
                self._compute = None
        return self._value


class MappingResult:
    """Results of a cluster mapping: ``cells`` (region × category × year),
    ``regions`` (region × year) and ``categories`` (category × year).

    The cell table can hold tens of millions of rows; it is kept as a dict of
    columns (``cell_columns``, region and category as pandas Categoricals) and
    assembled into a DataFrame only when ``cells`` is first read, so that writers can
    hand the arrays to Arrow without a copy.  The region and category summaries may
    be given as a function computing both, called on first use: a writer can then
    write the cells while another thread computes them.
    """

    def __init__(self, cell_columns: Mapping[str, Any],
                 regions: pd.DataFrame | None = None, categories: pd.DataFrame | None = None,
                 *, summaries: Callable[[], tuple[Summary, Summary]] | None = None
                 ) -> None:
        if summaries is None:
            if regions is None or categories is None:
                raise TypeError("MappingResult needs regions and categories, or summaries")
            given = (regions, categories)
            summaries = lambda: given  # noqa: E731
        self.cell_columns = cell_columns
        self._summaries = _Later(summaries)

    def summaries(self) -> tuple[Summary, Summary]:
        """The region and category summaries as they were computed: columns
        (:class:`SummaryColumns`, which a writer takes without pandas) or DataFrames."""
        both: tuple[Summary, Summary] = self._summaries.get()
        return both

    def _frame(self, which: int) -> pd.DataFrame:
        key = ("_regions", "_categories")[which]
        cached = self.__dict__.get(key)
        if cached is None:
            table = self.summaries()[which]
            cached = table.frame() if isinstance(table, SummaryColumns) else table
            self.__dict__[key] = cached
        return cached

    @property
    def regions(self) -> pd.DataFrame:
        return self._frame(0)

    @property
    def categories(self) -> pd.DataFrame:
        return self._frame(1)

    @property
    def cells(self) -> pd.DataFrame:
        cached = self.__dict__.get("_cells")
        if cached is None:
            import pandas as pd

            cached = pd.DataFrame(dict(self.cell_columns))
            self.__dict__["_cells"] = cached
        return cached

    @classmethod
    def from_cells(cls, cells: pd.DataFrame, regions: pd.DataFrame,
                   categories: pd.DataFrame) -> MappingResult:
        out = cls({c: cells[c].array for c in cells.columns}, regions, categories)
        out.__dict__["_cells"] = cells
        return out

    def __len__(self) -> int:
        if isinstance(self.cell_columns, _Columns):
            return self.cell_columns.n_rows
        first = next(iter(self.cell_columns.values()), ())
        return len(first)


def map_indicators(
    cube: ClusterCube,
    *,
    span: int = 5,
    stars: StarRules | None = None,
    strong: StrongRule | None = None,
    strong_variant: StrongRule | None = None,
    plant_herfindahl: F64 | None = None,
    min_employment: float = 0.0,
    stream: bool = False,
) -> MappingResult:
    r"""Compute every mapping indicator of ``cube``.

    Cell indicators (see ``docs/methods.md``): employment, establishments, wages,
    share of region :math:`E_{rc}/E_r`, share of category :math:`E_{rc}/E_c`, location
    quotient against the reference area, change over ``span`` years (absolute,
    relative, CAGR, change in LQ), ECO stars and the US Cluster Mapping strong rule
    (with its 90th-percentile variant).  Region summaries: Krugman and Hoover
    specialisation, Herfindahl index, share of employment in strong clusters; NaN for a
    region-year without employment; suppressed cells are left out of the sums and
    counted in ``suppressed_cells``.  Region-years and years the panel has no row for
    (:attr:`ClusterCube.observed`) get no summary rows, and a change over ``span``
    years from such a year is NaN.
    Category summaries: Hoover localisation, locational Gini, Ellison–Glaeser
    :math:`\gamma` (with ``plant_herfindahl`` (C, T) if plant sizes are known, else
    the approximation :math:`H = 1/N` from establishment counts, flagged).

    Percentiles are taken over the mapped regions with employment in the
    category-year; localisation measures use the mapped regions as the reference
    area, the LQ uses the reference area of the cube.

    ``min_employment`` is an absolute floor on top of the relative rules: a cell with
    fewer employees earns no star and is no strong cluster, whatever its percentiles
    (in a small category the 25th percentile of employment can be a few dozen
    people, and one plant decides the LQ).  0 (the default here) applies the rules as
    published; the atlas applies :data:`clusteratlas.service.mapping.MIN_EMPLOYMENT`.
    """
    stars = stars or StarRules()
    strong = strong or StrongRule()
    strong_variant = strong_variant or StrongRule(lq_quantile=0.90)
    if span < 1:
        raise InputError(f"span={span!r} must be a positive number of years")
    n_r, n_c, n_t = cube.employment.shape
    emp = cube.employment
    totals = cube.region_totals  # (T, R)
    grand = totals.sum(axis=1)  # (T,)
    cat_totals = cube.category_totals  # (C, T) over mapped regions
    if cube.reference_totals is not None and cube.reference_grand is not None:
        ref_share = cube.reference_totals / cube.reference_grand[None, :]
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            ref_share = cat_totals / grand[None, :]

    est_flat = (cube.establishments.ravel() if cube.establishments is not None
                else np.zeros(0))
    q_e = np.array([stars.size_quantile, strong.size_quantile])
    q_f = np.array([stars.focus_quantile, strong.lq_quantile, strong_variant.lq_quantile])
    q_s = np.array([strong.size_quantile])
    flat = np.flatnonzero(cube.present.ravel())
    emp_flat = emp.ravel()
    from clusteratlas.core._cells import cell_indicators, summaries
    from clusteratlas.core._columns import column_statistics

    stat_e, stat_f, stat_s, gini = column_statistics(
        flat, emp_flat, est_flat, totals, n_c, n_t, q_e, q_f, q_s
    )
    observed = cube.observed_region_years  # (T, R)
    # a cube without suppressed cells may hold them as a zero view: not copied
    sup_flat = np.zeros(0, np.int32) if _none_suppressed(cube) else cube.suppressed.ravel()
    if min_employment < 0:
        raise InputError(f"min_employment={min_employment!r} must not be negative")
    compute = cell_indicators(
        flat, emp_flat, est_flat, sup_flat, totals, cat_totals, ref_share,
        stat_e, stat_f, stat_s, observed, n_c, n_t, span, float(stars.min_lq),
        float(strong.min_lq),
    )
    from clusteratlas.core._cells import cell_arrays
    from clusteratlas.core._threads import n_threads

    years = np.asarray(cube.years, dtype=np.int64)
    first_year = np.int16(years[0] if len(years) else 0)
    has_est = cube.establishments is not None
    streamed = stream and flat.size > CHUNK
    # the rows' arrays: one block of all rows, or `ring` blocks of CHUNK rows taking
    # turns (chunk k in block k % ring)
    size = CHUNK if streamed else flat.size
    ring = ring_size(n_threads())
    blocks = [(*cell_arrays(size, has_est), np.empty(size, np.int16), np.empty(size, np.int8))
              for _ in range(ring if streamed else 1)]
    held = [-1] * len(blocks)  # the first row each block holds
    strong_all = np.empty(flat.size, np.bool_) if streamed else blocks[0][4][3]

    def block_of(first: int) -> tuple[int, int]:
        """The block holding cell ``first`` and the cell at its position 0."""
        return (first // CHUNK % ring, first) if streamed else (0, 0)

    def cells(first: int, stop: int) -> None:
        i, offset = block_of(first)
        block = blocks[i]
        compute(first, stop, block[:8], offset)
        held[i] = first
        _, _, t_rows, _, flags, e, _, _, year_col, n_stars = block
        rows = slice(first - offset, stop - offset)
        if min_employment > 0:
            # stars and the strong label need a minimum size (suppressed cells: NaN)
            flags[:5, rows] &= ~(e[rows] < min_employment)[None, :]
        year_col[rows] = t_rows[rows]
        year_col[rows] += first_year
        np.add(flags[0, rows], flags[1, rows], out=n_stars[rows], dtype=np.int8)
        n_stars[rows] += flags[2, rows]
        if streamed:
            strong_all[first:stop] = flags[3, rows]

    def named(block: tuple, rows: slice, first: int, stop: int,  # type: ignore[type-arg]
              names: Sequence[str] | None) -> dict[str, Any]:
        """The columns ``names`` (default: all) of ``rows`` of a block (cells
        ``first..stop``), in their order."""
        r_rows, c_rows, t_rows, out, flags, e, est_cells, sup_cells, year_col, n_stars = block
        details = _Details(flat[first:stop], emp_flat, totals, ref_share, stat_e, stat_f,
                           observed, r_rows[rows], c_rows[rows], t_rows[rows], n_t, span)
        columns: dict[str, Any] = {
            "region": _Codes(r_rows[rows], cube.regions),
            "category": _Codes(c_rows[rows], cube.categories),
            "year": year_col[rows],
            "employment": e[rows],
        }
        if has_est:
            columns["establishments"] = est_cells[rows]
        if cube.wages is not None:
            columns["wages"] = cube.wages.ravel()[flat[first:stop]]
        columns["suppressed_cells"] = sup_cells[rows]
        columns["region_total"] = details
        columns["share_of_region"] = out[0, rows]
        columns["share_of_category"] = out[1, rows]
        columns["lq"] = out[2, rows]
        columns[f"employment_{span}y_before"] = details
        columns["employment_change_pct"] = details
        columns["cagr"] = out[3, rows]
        columns["lq_change"] = out[4, rows]
        columns["size_threshold"] = details
        columns["lq_threshold_strong"] = details
        columns["employment_change"] = out[5, rows]
        columns["star_size"] = flags[0, rows]
        columns["star_specialisation"] = flags[1, rows]
        columns["star_focus"] = flags[2, rows]
        columns["stars"] = n_stars[rows]
        columns["strong"] = flags[3, rows]
        columns["strong_p90"] = flags[4, rows]
        if names is None:
            return columns
        part = {}
        for name in names:
            value = columns[name]
            if isinstance(value, _Codes):
                value = value.coded(0, len(value.codes))
            elif isinstance(value, _Details):
                value = value.column(name)
            part[name] = value
        return part

    background = flat.size > CHUNK and n_threads() > 1  # a writer can start at once
    filling = None
    if streamed:
        filling = _Filling(flat.size, cells, CHUNK, ring=ring, background=background)

        def part(first: int, stop: int, names: Sequence[str]) -> dict[str, Any]:
            i, _ = block_of(first)
            if held[i] != first:
                raise RuntimeError(f"cells {first}..{stop} are no longer held: a streamed "
                                   "mapping is read once, in order")
            return named(blocks[i], slice(0, stop - first), first, stop, names)

        cell_columns: _Columns = _StreamedColumns(
            list(named(blocks[0], slice(0, 0), 0, 0, None)), filling, part)
    else:
        if background:
            filling = _Filling(flat.size, cells, CHUNK)
        else:
            cells(0, flat.size)
        cell_columns = _Columns(named(blocks[0], slice(None), 0, flat.size, None), filling)
    flags_strong = strong_all

    def tables() -> tuple[SummaryColumns, SummaryColumns]:
        """The region and category summaries (Krugman, Herfindahl, Hoover, Gini, EG)."""
        if filling is not None:
            filling.wait()  # the strong flags
        krugman, hhi, strong_emp, n_strong, hoover, g, plants, n_regions, sum_x2 = summaries(
            flat, emp_flat, est_flat, totals, cat_totals, ref_share, flags_strong, n_c, n_t,
            n_r,
        )
        # region-years the panel has no row for are unknown: no summary row at all
        seen = np.flatnonzero(observed.ravel())
        t_all, r_all = np.divmod(seen, n_r)
        with np.errstate(divide="ignore", invalid="ignore"):
            strong_share = (strong_emp / totals).ravel()[seen]
        regions = SummaryColumns({
            "region": CodedColumn(r_all, cube.regions),
            "year": years[t_all],
            "employment": totals.ravel()[seen],
            "krugman": krugman.ravel()[seen],
            "hoover_specialisation": krugman.ravel()[seen] / 2.0,
            "herfindahl": hhi.ravel()[seen],
            "strong_clusters": n_strong.ravel()[seen],
            "strong_employment_share": strong_share,
            # suppressed industry cells whose terms the sums above leave out (0: exact)
            "suppressed_cells": _suppressed_sum(cube, 1).T.ravel()[seen],
        })
        with np.errstate(divide="ignore", invalid="ignore"):
            if plant_herfindahl is not None:
                h = np.asarray(plant_herfindahl, dtype=float)
                approx = np.zeros((n_c, n_t), dtype=bool)
            else:
                h = np.where(plants > 0, 1.0 / plants, np.nan)
                approx = np.ones((n_c, n_t), dtype=bool)
            gamma = (g / (1.0 - sum_x2[None, :]) - h) / (1.0 - h)
        # years missing from the panel have no category summary either
        kept = np.flatnonzero(np.tile(observed.any(axis=1), n_c))
        c_all, t_all2 = np.divmod(kept, n_t)
        categories = SummaryColumns({
            "category": CodedColumn(c_all, cube.categories),
            "year": years[t_all2],
            "employment": cat_totals.ravel()[kept],
            "regions_with_employment": n_regions.ravel()[kept],
            "suppressed_cells": _suppressed_sum(cube, 0).ravel()[kept],
            "hoover_localisation": hoover.ravel()[kept],
            "locational_gini": np.asarray(gini)[kept],
            "eg_raw_concentration": g.ravel()[kept],
            "plant_herfindahl": h.ravel()[kept],
            "eg_gamma": gamma.ravel()[kept],
            "eg_gamma_approximate": approx.ravel()[kept],
        })
        return regions, categories

    return MappingResult(cell_columns, summaries=tables)


def pipeline_kernels() -> tuple[Any, ...]:
    """The numba kernels of :data:`PIPELINE_KERNELS` (importing numba)."""
    import importlib

    return tuple(getattr(importlib.import_module(f"clusteratlas.core.{module}"), name)
                 for module, name in PIPELINE_KERNELS)


def load_kernels() -> None:
    """Load the kernels of :func:`aggregate_to_cube` and :func:`map_indicators` from
    numba's cache, or compile them into it on a fresh install: both run on a tiny cube
    built as the mapping service builds every cube (the same array types, hence the
    same signatures).  Where another process compiles the same kernels
    (:func:`~clusteratlas.core._jit.use_claims`), each kernel is compiled by whichever
    claims it first; here the others run as Python.

    The second process of ``clusteratlas map`` on a fresh install
    (:class:`clusteratlas.service.compile_ahead.CompileAhead`); it needs numpy, numba
    and this package's core only, so it starts in half the time the service would."""
    from clusteratlas.core._jit import compiling

    n_r, n_i, n_t = 2, 2, 6
    rows = np.arange(n_r * n_i * n_t)
    region = (rows // (n_i * n_t)).astype(np.int32)
    industry = (rows // n_t % n_i).astype(np.int32)
    year = (rows % n_t).astype(np.int32)
    employment = (rows + 1).astype(np.float64)
    # (T, R) totals and flags as the service computes them: C-ordered float64 and bool
    totals = np.zeros((n_t, n_r))
    np.add.at(totals, (year, region), employment)
    observed = np.ones((n_t, n_r), dtype=bool)
    with compiling():
        # the column statistics first: the longest to compile (the sort and the
        # quantiles), which the pipeline needs soon after the cube; the process that
        # runs the whole pipeline meanwhile compiles the cube's kernels
        from clusteratlas.core._columns import column_statistics

        column_statistics(np.flatnonzero(employment), employment, np.ones(rows.size),
                          totals, n_i, n_t, np.array([0.5]), np.array([0.5]), np.array([0.5]))
        cube = aggregate_to_cube(
            regions=["A", "B"], categories=["A", "B"], years=list(range(2000, 2000 + n_t)),
            region_idx=region, year_idx=year, industry_idx=industry,
            category_pairs=(np.arange(n_i, dtype=np.int64), np.arange(n_i, dtype=np.int64)),
            employment=employment, suppressed=np.zeros(rows.size, np.bool_),
            establishments=np.ones(rows.size), region_totals=totals, observed=observed)
        map_indicators(cube, min_employment=1000.0).summaries()
