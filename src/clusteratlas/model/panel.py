"""The canonical panel: observations (region, industry, year) → employment, …

The panel contract is checked here and nowhere else: engines read a file into Arrow,
:meth:`Panel.from_arrow` checks it; :meth:`Panel.from_frame` is the same for a pandas
frame (the demo, the store).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from clusteratlas._arrays import to_numpy
from clusteratlas.errors import InputError, SchemaError, UnknownCodeError
from clusteratlas.model.classification import Classification
from clusteratlas.model.regions import Regions

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FIRST_YEAR", "FLAGS", "KEY", "LAST_YEAR", "TOTAL_CODE", "Panel"]

KEY: Final = ("region", "industry", "year")
VALUE_COLUMNS: Final = ("employment", "establishments", "wages")
#: Per-cell status.  ``suppressed`` cells are *missing*, never zero; ``estimated``
#: cells hold a value that was not published but derived (e.g. parent minus children).
FLAGS: Final = ("reported", "suppressed", "estimated", "derived")
#: Industry code of a region's all-industry total, as published ("Insgesamt").
TOTAL_CODE: Final = "TOTAL"
#: The years a panel (and a request for one of its years) may name.
FIRST_YEAR: Final = 1800
LAST_YEAR: Final = 2200
_EXPECTED = "expected region, industry, year, employment[, establishments, wages, flag]"


class Panel:
    """An immutable, validated panel of regional employment.

    One row per ``(region, industry, year)`` with ``employment`` and optionally
    ``establishments`` and ``wages``; ``flag`` marks each cell as reported,
    suppressed (value missing) or estimated.  Codes are strings, so ``"08111"``
    keeps its leading zero.  A row with industry :data:`TOTAL_CODE` carries the
    region's published total, which stays correct when some industries are
    suppressed.

    Build with :meth:`from_arrow` or :meth:`from_frame`.  The integer-coded arrays
    (``region_idx`` into ``region_codes``, ``industry_idx`` into ``industry_codes``,
    ``year``, ``employment`` with NaN where suppressed, ``establishments``,
    ``wages``, ``suppressed``) are what the mapping pipeline reads; :attr:`frame`
    returns a pandas copy that the caller may change without affecting the panel.
    """

    __slots__ = (
        "_frame",
        "employment",
        "establishments",
        "estimated",
        "industry_codes",
        "industry_idx",
        "region_codes",
        "region_idx",
        "source",
        "suppressed",
        "wages",
        "year",
    )

    def __init__(self, *, region_idx: NDArray[np.int32], region_codes: list[str],
                 industry_idx: NDArray[np.int32], industry_codes: list[str],
                 year: NDArray[np.int32], employment: NDArray[np.float64],
                 establishments: NDArray[np.float64] | None,
                 wages: NDArray[np.float64] | None, suppressed: NDArray[np.bool_],
                 estimated: NDArray[np.bool_], source: str | None = None) -> None:
        self.region_idx = region_idx
        self.region_codes = region_codes
        self.industry_idx = industry_idx
        self.industry_codes = industry_codes
        self.year = year
        self.employment = employment
        self.establishments = establishments
        self.wages = wages
        self.suppressed = suppressed
        self.estimated = estimated
        self.source = source
        self._frame: pd.DataFrame | None = None

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_arrow(
        cls,
        table: pa.Table,
        *,
        source: str | None = None,
        first_line: int = 1,
        unit: str = "line",
        engine: str | None = None,
        classification: Classification | None = None,
        regions: Regions | None = None,
    ) -> Panel:
        """Check ``table`` against the panel contract and build a panel.

        Parameters
        ----------
        table
            ``region, industry, year, employment[, establishments, wages, flag]``;
            codes as text (dictionary-encoded or not), values as numbers (null =
            empty).  A column ``n_rows`` marks rows an engine summed by key; a count
            above 1 is a duplicate.
        source
            File name used in error messages.
        first_line, unit
            Number and word (``line``, ``row``) of the table's first row in
            ``source``, so errors point where a user looks.
        engine
            The engine that aggregated the rows (named in messages).
        classification, regions
            If given, every industry / region code must be in them.

        Raises
        ------
        SchemaError
            A required column is missing.
        InputError
            An empty code, an impossible year, a negative value, an unknown flag or one
            that contradicts its value, a duplicated key; the message names the line
            and field.
        UnknownCodeError
            A code is not in ``classification`` / ``regions``.
        """
        names = table.column_names
        missing = [c for c in (*KEY, "employment") if c not in names]
        if missing:
            where = f"{source}: " if source else ""
            raise SchemaError(f"{where}missing column(s) {', '.join(missing)}; {_EXPECTED} "
                              f"(found {', '.join(names)})")
        aggregated = "n_rows" in names

        def place(i: int) -> str:
            if aggregated:
                where = f"{source or 'panel'} (rows aggregated by the {engine} engine)"
            else:
                where = (f"{source}, {unit} {first_line + i}" if source
                         else f"{unit} {first_line + i}")
            key = [table.column(c)[i].as_py() for c in KEY]
            year = key[2]
            if isinstance(year, float) and year.is_integer():
                year = int(year)
            return f"{where} (region {key[0]!r}, industry {key[1]!r}, year {year})"

        region_idx, region_codes = _codes(table.column("region"), "region", place)
        industry_idx, industry_codes = _codes(table.column("industry"), "industry", place)
        year = _years(table.column("year"), place)
        values = {name: _floats(table.column(name)) for name in VALUE_COLUMNS if name in names}
        for name, v in values.items():
            bad = v < 0
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(f"{place(i)}: field {name!r} is {v[i]:g}; "
                                 "expected a number ≥ 0")
        employment = values["employment"]
        suppressed, estimated = _flags(table.column("flag") if "flag" in names else None,
                                       employment, place)
        n_rows = (np.asarray(table.column("n_rows").to_numpy(zero_copy_only=False), np.int64)
                  if aggregated else np.zeros(0, np.int64))
        y0 = int(year.min()) if len(year) else 0
        n_t = int(year.max()) - y0 + 1 if len(year) else 1
        from clusteratlas.core._keys import first_duplicate

        first = first_duplicate(region_idx, industry_idx, year - y0, len(industry_codes), n_t,
                                n_rows)
        if first >= 0:
            i = int(first)
            same = np.flatnonzero((region_idx == region_idx[i])
                                  & (industry_idx == industry_idx[i]) & (year == year[i]))[:5]
            where = (f"{source or 'panel'} (found by the {engine} engine)" if aggregated
                     else f"{source + ', ' if source else ''}{unit}s "
                          + ", ".join(str(j + first_line) for j in same))
            raise InputError(
                f"{where}: duplicate observation for region {region_codes[region_idx[i]]!r}, "
                f"industry {industry_codes[industry_idx[i]]!r}, year {year[i]}; expected one "
                "row per region, industry and year")
        if classification is not None:
            _check_codes(industry_idx, industry_codes, set(classification) | {TOTAL_CODE},
                         "industry", f"classification {classification.name}", place)
        if regions is not None:
            _check_codes(region_idx, region_codes, set(regions), "region",
                         "the region register", place)
        return cls(region_idx=region_idx, region_codes=region_codes, industry_idx=industry_idx,
                   industry_codes=industry_codes, year=year, employment=employment,
                   establishments=values.get("establishments"), wages=values.get("wages"),
                   suppressed=suppressed, estimated=estimated, source=source)

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        source: str | None = None,
        first_line: int = 1,
        classification: Classification | None = None,
        regions: Regions | None = None,
        columns: Mapping[str, str] | None = None,
    ) -> Panel:
        """Parse ``frame`` into Arrow, check it (:meth:`from_arrow`) and sort it by key.

        ``columns`` renames the frame's column names to the canonical ones, e.g.
        ``{"ags": "region"}``; the other parameters are those of :meth:`from_arrow`.
        Codes must be text (so that leading zeros survive); values may be text that
        parses as a number, or empty for a suppressed value.
        """
        import pandas as pd

        df = frame.rename(columns=dict(columns or {}))
        missing = [c for c in (*KEY, "employment") if c not in df.columns]
        if missing:
            where = f"{source}: " if source else ""
            raise SchemaError(f"{where}missing column(s) {', '.join(missing)}; {_EXPECTED}")
        df = df[[c for c in (*KEY, *VALUE_COLUMNS, "flag") if c in df.columns]]
        arrays: dict[str, Any] = {}
        for col in ("region", "industry"):
            values = df[col]
            bad = values.isna() | ~values.map(lambda v: isinstance(v, str))
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                place = f"{source}, line {first_line + i}" if source else f"row {first_line + i}"
                raise InputError(f"{place}: field {col!r} is {values.iloc[i]!r}; expected a code "
                                 "given as text (read the file with string columns so that "
                                 "leading zeros survive)")
            arrays[col] = pa.array(values.to_numpy(dtype=object), type=pa.string())
        for col in ("year", *VALUE_COLUMNS):
            if col not in df.columns:
                continue
            raw = df[col]
            num = pd.to_numeric(raw, errors="coerce")
            bad = num.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                place = f"{source}, line {first_line + i}" if source else f"row {first_line + i}"
                row = df.iloc[i]
                raise InputError(
                    f"{place} (region {row['region']!r}, industry {row['industry']!r}, year "
                    f"{row['year']}): field {col!r} is {raw.iloc[i]!r}; expected "
                    + ("a year" if col == "year" else
                       "a number ≥ 0 or an empty cell for a suppressed value"))
            arrays[col] = pa.array(num.to_numpy(dtype=np.float64), from_pandas=True)
        if "flag" in df.columns:
            arrays["flag"] = pa.array(df["flag"].map(
                lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                else str(v)).to_numpy(dtype=object), type=pa.string())
        panel = cls.from_arrow(pa.table(arrays), source=source, first_line=first_line,
                               unit="line" if source else "row",
                               classification=classification, regions=regions)
        return panel.sorted()

    def sorted(self) -> Panel:
        """The same panel, rows ordered by region, industry and year codes."""
        rank_r = np.argsort(np.argsort(np.asarray(self.region_codes, dtype=object)))
        rank_i = np.argsort(np.argsort(np.asarray(self.industry_codes, dtype=object)))
        order = np.lexsort((self.year, rank_i[self.industry_idx], rank_r[self.region_idx]))
        return Panel(region_idx=self.region_idx[order], region_codes=self.region_codes,
                     industry_idx=self.industry_idx[order], industry_codes=self.industry_codes,
                     year=self.year[order], employment=self.employment[order],
                     establishments=None if self.establishments is None
                     else self.establishments[order],
                     wages=None if self.wages is None else self.wages[order],
                     suppressed=self.suppressed[order], estimated=self.estimated[order],
                     source=self.source)

    # -- reading ------------------------------------------------------------------
    @property
    def flag(self) -> NDArray[np.object_]:
        out: NDArray[np.object_] = np.where(
            self.suppressed, "suppressed", np.where(self.estimated, "estimated", "reported")
        ).astype(object)
        return out

    @property
    def frame(self) -> pd.DataFrame:
        """``region, industry, year, employment[, establishments, wages], flag`` (a copy)."""
        if self._frame is None:
            columns: dict[str, Any] = {
                "region": np.asarray(self.region_codes, dtype=object)[self.region_idx],
                "industry": np.asarray(self.industry_codes, dtype=object)[self.industry_idx],
                "year": self.year.astype(np.int64), "employment": self.employment}
            if self.establishments is not None:
                columns["establishments"] = self.establishments
            if self.wages is not None:
                columns["wages"] = self.wages
            columns["flag"] = self.flag
            import pandas as pd

            self._frame = pd.DataFrame(columns)
        return self._frame.copy(deep=True)

    def __len__(self) -> int:
        return len(self.region_idx)

    def __repr__(self) -> str:
        if not len(self):
            return "<Panel: empty>"
        return (
            f"<Panel: {len(self.regions)} regions × {len(self.industries)} industries × "
            f"years {self.year.min()}–{self.year.max()}, {len(self)} cells, "
            f"{int(self.suppressed.sum())} suppressed>"
        )

    @property
    def regions(self) -> list[str]:
        return sorted(self.region_codes[i] for i in np.unique(self.region_idx))

    @property
    def industries(self) -> list[str]:
        return sorted(self.industry_codes[i] for i in np.unique(self.industry_idx)
                      if self.industry_codes[i] != TOTAL_CODE)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in np.unique(self.year))

    @property
    def has_establishments(self) -> bool:
        return self.establishments is not None


def _codes(column: pa.ChunkedArray, name: str, place: Any) -> tuple[NDArray[np.int32], list[str]]:
    """Dictionary indices and stripped labels; an empty code is an error.

    The indices keep Arrow's 32 bits: a panel's codes and years take half the memory
    of 64-bit integers, and every stage that reads them reads less (bench/mapping.py)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(arr.type):
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            arr = arr.cast(pa.string())
        arr = pc.dictionary_encode(arr)
    if arr.null_count:
        i = int(np.flatnonzero(arr.is_null().to_numpy(zero_copy_only=False))[0])
        raise InputError(f"{place(i)}: field {name!r} is empty; expected a code")
    labels = [str(v).strip() for v in arr.dictionary.to_pylist()]
    indices = to_numpy(arr.indices).astype(np.int32, copy=False)
    if "" in labels:
        i = int(np.flatnonzero(indices == labels.index(""))[0])
        raise InputError(f"{place(i)}: field {name!r} is empty; expected a code")
    unique = list(dict.fromkeys(labels))
    if len(unique) < len(labels):  # " 25" and "25" are one code
        remap = np.array([unique.index(v) for v in labels], dtype=np.int32)
        indices, labels = remap[indices], unique
    return indices, labels


def _years(column: pa.ChunkedArray, place: Any) -> NDArray[np.int32]:
    if pa.types.is_integer(column.type) and not column.null_count and len(column):
        ints = to_numpy(column)
        if int(ints.min()) >= FIRST_YEAR and int(ints.max()) <= LAST_YEAR:
            # integers in range: nothing else to check
            return ints.astype(np.int32, copy=False)
    values = np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    bad = (np.isnan(values) | (values != np.round(values)) | (values < FIRST_YEAR)
           | (values > LAST_YEAR))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = "empty" if np.isnan(values[i]) else f"{values[i]:g}"
        raise InputError(f"{place(i)}: field 'year' is {shown}; expected a year between "
                         f"{FIRST_YEAR} and {LAST_YEAR}")
    return values.astype(np.int32)


def _floats(column: pa.ChunkedArray | pa.Array) -> NDArray[np.float64]:
    """float64 values, NaN where null.  Chunks of numbers without nulls are converted
    straight into the result (no intermediate copy of the whole column)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    if len(chunks) > 1 and all(
            (pa.types.is_integer(c.type) or pa.types.is_floating(c.type)) and not c.null_count
            for c in chunks):
        out = np.empty(len(column))
        start = 0
        for chunk in chunks:
            out[start:start + len(chunk)] = to_numpy(chunk)
            start += len(chunk)
        return out
    return np.asarray(to_numpy(column), dtype=np.float64)


def _flags(column: pa.ChunkedArray | None, employment: NDArray[np.float64],
           place: Any) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(suppressed, estimated) of each row; an empty flag is derived from the value
    (empty = suppressed)."""
    missing = np.isnan(employment)
    if column is None:
        return missing, np.zeros(len(missing), dtype=bool)
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    empty = np.asarray(pc.is_null(text).to_numpy(zero_copy_only=False), dtype=bool)
    known = pc.is_in(text, value_set=pa.array(FLAGS, pa.string()))
    bad = ~empty & ~np.asarray(pc.fill_null(known, False).to_numpy(zero_copy_only=False), bool)
    flagged = np.asarray(pc.fill_null(pc.equal(text, "suppressed"), False)
                         .to_numpy(zero_copy_only=False), dtype=bool)
    estimated = np.asarray(pc.fill_null(pc.equal(text, "estimated"), False)
                           .to_numpy(zero_copy_only=False), dtype=bool)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{place(i)}: field 'flag' is {text[i].as_py()!r}; expected one of "
                         f"{', '.join(FLAGS)}")
    contradiction = ~empty & (flagged != missing)
    if contradiction.any():
        i = int(np.flatnonzero(contradiction)[0])
        what = ("employment is missing but the cell is not flagged 'suppressed'" if missing[i]
                else "the cell is flagged 'suppressed' but has an employment value")
        raise InputError(f"{place(i)}: {what}")
    return missing, estimated


def _check_codes(idx: NDArray[np.integer], codes: list[str], known: set[str], col: str,
                 register: str, place: Any) -> None:
    unknown_codes = np.array([c not in known for c in codes], dtype=bool)
    unknown = unknown_codes[idx] if len(codes) else np.zeros(len(idx), bool)
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise UnknownCodeError(f"{place(i)}: {col} code {codes[idx[i]]!r} is not in {register} "
                               f"({int(unknown.sum())} row(s) with unknown codes)")
