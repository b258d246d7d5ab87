"""The canonical panel: observations (region, industry, year) → employment, …"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from clusteratlas.errors import InputError, SchemaError, UnknownCodeError
from clusteratlas.model.classification import Classification
from clusteratlas.model.regions import Regions

__all__ = ["FLAGS", "KEY", "TOTAL_CODE", "Panel"]

KEY: Final = ("region", "industry", "year")
VALUE_COLUMNS: Final = ("employment", "establishments", "wages")
#: Per-cell status.  ``suppressed`` cells are *missing*, never zero; ``estimated``
#: cells hold a value that was not published but derived (e.g. parent minus children).
FLAGS: Final = ("reported", "suppressed", "estimated")
#: Industry code of a region's all-industry total, as published ("Insgesamt").
TOTAL_CODE: Final = "TOTAL"


def _where(source: str | None, line: int, row: pd.Series) -> str:
    place = f"{source}, line {line}" if source else f"row {line}"
    return (
        f"{place} (region {row['region']!r}, industry {row['industry']!r}, year {row['year']})"
    )


class Panel:
    """An immutable, validated panel of regional employment.

    One row per ``(region, industry, year)`` with ``employment`` and optionally
    ``establishments`` and ``wages``; ``flag`` marks each cell as reported,
    suppressed (value missing) or estimated.  Codes are strings, so ``"08111"``
    keeps its leading zero.  A row with industry :data:`TOTAL_CODE` carries the
    region's published total, which stays correct when some industries are
    suppressed.

    Build with :meth:`from_frame`; :attr:`frame` returns a shallow copy that the
    caller may change without affecting the panel (pandas copy-on-write).
    """

    __slots__ = ("_frame", "source")

    def __init__(self, frame: pd.DataFrame, *, source: str | None = None) -> None:
        self._frame = frame
        self.source = source

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
        """Validate ``frame`` and build a panel.

        Parameters
        ----------
        frame
            Long table with at least ``region, industry, year, employment``.
        source
            File name used in error messages.
        first_line
            Line number of the frame's first row in ``source`` (2 for a CSV with a
            header), so errors point at the line a user sees in an editor.
        classification, regions
            If given, every industry / region code must be in them.
        columns
            Renames from the frame's column names to the canonical ones,
            e.g. ``{"ags": "region"}``.

        Raises
        ------
        SchemaError
            A required column is missing.
        InputError
            A duplicated key, a negative or non-numeric value, or a flag that
            contradicts its value; the message names the line and field.
        UnknownCodeError
            A code is not in ``classification`` / ``regions``.
        """
        df = frame.rename(columns=dict(columns or {}))
        missing = [c for c in (*KEY, "employment") if c not in df.columns]
        if missing:
            where = f"{source}: " if source else ""
            raise SchemaError(
                f"{where}missing column(s) {', '.join(missing)}; "
                f"expected region, industry, year, employment[, establishments, wages, flag]"
            )
        keep = [c for c in (*KEY, *VALUE_COLUMNS, "flag") if c in df.columns]
        df = df[keep].reset_index(drop=True)
        lines = np.arange(len(df)) + first_line
        df = _coerce(df, source, lines)
        _check_values(df, source, lines)
        _check_duplicates(df, source, lines)
        if classification is not None:
            _check_codes(df, "industry", set(classification) | {TOTAL_CODE}, source, lines,
                         f"classification {classification.name}")
        if regions is not None:
            _check_codes(df, "region", set(regions), source, lines, "the region register")
        return cls(df.sort_values(list(KEY), ignore_index=True), source=source)

    @property
    def frame(self) -> pd.DataFrame:
        return self._frame.copy(deep=False)

    def __len__(self) -> int:
        return len(self._frame)

    def __repr__(self) -> str:
        f = self._frame
        if not len(f):
            return "<Panel: empty>"
        return (
            f"<Panel: {f['region'].nunique()} regions × {f['industry'].nunique()} industries × "
            f"years {f['year'].min()}–{f['year'].max()}, {len(f)} cells, "
            f"{int((f['flag'] == 'suppressed').sum())} suppressed>"
        )

    @property
    def regions(self) -> list[str]:
        return sorted(self._frame["region"].unique())

    @property
    def industries(self) -> list[str]:
        return sorted(i for i in self._frame["industry"].unique() if i != TOTAL_CODE)

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self._frame["year"].unique())

    @property
    def has_establishments(self) -> bool:
        return "establishments" in self._frame.columns


def _coerce(df: pd.DataFrame, source: str | None, lines: np.ndarray) -> pd.DataFrame:
    out = df.copy()
    for col in ("region", "industry"):
        values = out[col]
        bad = values.isna() | ~values.map(lambda v: isinstance(v, str))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            place = f"{source}, line {lines[i]}" if source else f"row {lines[i]}"
            raise InputError(
                f"{place}: field {col!r} is {values.iloc[i]!r}; expected a code given as text "
                "(read the file with string columns so that leading zeros survive)"
            )
        out[col] = values.str.strip()
    year = pd.to_numeric(out["year"], errors="coerce")
    bad_year = year.isna() | (year != year.round()) | (year < 1800) | (year > 2200)
    if bad_year.any():
        i = int(np.flatnonzero(bad_year.to_numpy())[0])
        place = f"{source}, line {lines[i]}" if source else f"row {lines[i]}"
        raise InputError(f"{place}: field 'year' is {out['year'].iloc[i]!r}; expected a year")
    out["year"] = year.astype("int64")
    for col in VALUE_COLUMNS:
        if col not in out.columns:
            continue
        raw = out[col]
        num = pd.to_numeric(raw, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype("string").str.strip() != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{_where(source, lines[i], out.iloc[i])}: field {col!r} is {raw.iloc[i]!r}; "
                "expected a number ≥ 0 or an empty cell for a suppressed value"
            )
        out[col] = num.astype("float64")
    if "flag" not in out.columns:
        out["flag"] = np.where(out["employment"].isna(), "suppressed", "reported")
    else:
        out["flag"] = out["flag"].fillna("reported").astype(str).str.strip()
    return out


def _check_values(df: pd.DataFrame, source: str | None, lines: np.ndarray) -> None:
    for col in VALUE_COLUMNS:
        if col in df.columns:
            neg = (df[col] < 0).to_numpy()
            if neg.any():
                i = int(np.flatnonzero(neg)[0])
                raise InputError(
                    f"{_where(source, lines[i], df.iloc[i])}: field {col!r} is "
                    f"{df[col].iloc[i]:g}; expected a number ≥ 0"
                )
    bad_flag = ~df["flag"].isin(FLAGS).to_numpy()
    if bad_flag.any():
        i = int(np.flatnonzero(bad_flag)[0])
        raise InputError(
            f"{_where(source, lines[i], df.iloc[i])}: field 'flag' is {df['flag'].iloc[i]!r}; "
            f"expected one of {', '.join(FLAGS)}"
        )
    emp_missing = df["employment"].isna().to_numpy()
    suppressed = (df["flag"] == "suppressed").to_numpy()
    contradiction = emp_missing != suppressed
    if contradiction.any():
        i = int(np.flatnonzero(contradiction)[0])
        what = (
            "employment is missing but the cell is not flagged 'suppressed'"
            if emp_missing[i]
            else "the cell is flagged 'suppressed' but has an employment value"
        )
        raise InputError(f"{_where(source, lines[i], df.iloc[i])}: {what}")


def _check_duplicates(df: pd.DataFrame, source: str | None, lines: np.ndarray) -> None:
    dup = df.duplicated(list(KEY), keep=False).to_numpy()
    if dup.any():
        idx = np.flatnonzero(dup)
        first = df.iloc[idx[0]]
        same = idx[
            (df["region"].iloc[idx] == first["region"]).to_numpy()
            & (df["industry"].iloc[idx] == first["industry"]).to_numpy()
            & (df["year"].iloc[idx] == first["year"]).to_numpy()
        ]
        where = f"{source}, lines" if source else "rows"
        raise InputError(
            f"{where} {', '.join(str(lines[i]) for i in same[:5])}: duplicate observation for "
            f"region {first['region']!r}, industry {first['industry']!r}, year {first['year']}; "
            "expected one row per region, industry and year"
        )


def _check_codes(
    df: pd.DataFrame,
    col: str,
    known: set[str],
    source: str | None,
    lines: np.ndarray,
    register: str,
) -> None:
    unknown = ~df[col].isin(known).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        n = int(unknown.sum())
        raise UnknownCodeError(
            f"{_where(source, lines[i], df.iloc[i])}: {col} code {df[col].iloc[i]!r} is not in "
            f"{register} ({n} row(s) with unknown codes)"
        )
