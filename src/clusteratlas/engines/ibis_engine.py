"""One set of Ibis expressions over DuckDB or PySpark."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow as pa

from clusteratlas._optional import import_optional
from clusteratlas.errors import ConfigError, InputError, SourceError

__all__ = ["ENGINES", "IbisEngine", "get_engine", "replace_table"]

ENGINES = ("duckdb", "spark")
REQUIRED = ("region", "industry", "year", "employment")
OPTIONAL = ("establishments", "wages", "flag")


def replace_table(con: Any, name: str, obj: Any) -> Any:
    """Create or replace a table.

    ibis 12 with sqlglot 30 renders ``create_table(..., overwrite=True)`` and
    ``drop_table`` on DuckDB as ``DROP … IF EXISTS`` without a name (a parser error),
    and ``create_table`` of in-memory data issues such a statement itself; on DuckDB
    the table is therefore created by ``CREATE OR REPLACE TABLE`` on the underlying
    connection (pinned by ``tests/engines/test_engines.py``).
    """
    if getattr(con, "name", "") != "duckdb":
        return con.create_table(name, obj, overwrite=True)
    quoted = '"' + name.replace('"', '""') + '"'
    raw = con.con  # the DuckDB connection underneath
    raw.register("_clusteratlas_incoming", obj)
    try:
        raw.execute(f"CREATE OR REPLACE TABLE {quoted} AS SELECT * FROM _clusteratlas_incoming")
    finally:
        raw.unregister("_clusteratlas_incoming")
    return con.table(name)


class IbisEngine:
    """Reads a panel file through Ibis on one backend.

    Parameters
    ----------
    name
        ``"duckdb"`` or ``"spark"``.
    url
        For Spark: ``local[*]`` (default), ``spark://host:7077`` or ``sc://host``
        (Spark Connect).  Ignored by DuckDB.
    """

    def __init__(self, name: str = "duckdb", *, url: str | None = None) -> None:
        if name not in ENGINES:
            raise ConfigError(f"engine={name!r} is not one of {', '.join(ENGINES)}")
        self.name = name
        self.url = url

    def __repr__(self) -> str:
        return f"IbisEngine({self.name!r})"

    @cached_property
    def con(self) -> Any:
        ibis = import_optional("ibis", extra="engines" if self.name == "duckdb" else "spark",
                               purpose=f"The {self.name} engine")
        if self.name == "duckdb":
            return ibis.duckdb.connect()
        from clusteratlas.engines.spark import spark_session

        return ibis.pyspark.connect(spark_session(self.url))

    def _read(self, path: Path) -> Any:
        suffix = path.suffix.lower()
        try:
            if suffix == ".parquet":
                return self.con.read_parquet(str(path))
            if suffix in (".csv", ".txt"):
                if self.name == "duckdb":
                    return self.con.read_csv(str(path), all_varchar=True, header=True)
                return self.con.read_csv(str(path), header=True, inferSchema=False)
        except Exception as exc:  # backend readers raise their own error families
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise SourceError(f"{path}: cannot be read ({first})") from None
        raise SourceError(f"{path}: unknown file type {suffix!r}; expected .csv or .parquet")

    def scan(self, path: Path, *, aggregate: bool | None = None) -> pa.Table:
        """Canonical columns of a panel file as Arrow, and nothing else.

        Codes stay text; values are numbers (null = empty; float64 but from a
        well-typed Parquet file, whose numbers pass as they are); rows keep file order.
        With ``aggregate`` (default: on Spark) rows are first grouped by
        ``(region, industry, year)`` with their count ``n_rows``, so that only one row
        per key travels to the driver.  The engine only reads: text that is not a
        number is an error here; every rule of the panel contract (codes, years,
        values, flags, duplicates) is checked by
        :meth:`clusteratlas.model.panel.Panel.from_arrow`.
        """
        if not path.exists():
            raise SourceError(f"{path}: file not found")
        if aggregate is None:
            aggregate = self.name == "spark"
        if self.name == "duckdb" and not aggregate and path.suffix.lower() == ".parquet":
            fast = read_parquet_arrow(path)
            if fast is not None:
                return fast
        t = self._read(path)
        if any(c not in t.columns for c in REQUIRED):
            # nothing to compute on: the panel names what is missing
            return pa.table({c: pa.array([], pa.string()) for c in t.columns})
        self._check_numbers(t, path)
        cols = {
            "region": t.region.cast("string").strip(),
            "industry": t.industry.cast("string").strip(),
            "year": t.year.cast("string").strip().nullif("").cast("int64")
            if t.year.type().is_string() else t.year.cast("int64"),
        }
        for name in ("employment", "establishments", "wages"):
            if name in t.columns:
                col = t[name]
                if col.type().is_string():
                    col = col.strip().nullif("").try_cast("float64")
                cols[name] = col.cast("float64")
        if "flag" in t.columns:
            cols["flag"] = t.flag.cast("string").strip()
        expr = t.select(**cols)
        if aggregate:
            expr = self._aggregate(expr)
        try:
            return expr.to_pyarrow()
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise SourceError(f"{path}: cannot be read ({first})") from None

    def _aggregate(self, expr: Any) -> Any:
        # one row per key, with how many rows shared it: a count above 1 is a duplicate
        metrics = {name: expr[name].sum() for name in ("employment", "establishments", "wages")
                   if name in expr.columns}
        if "flag" in expr.columns:
            metrics["flag"] = expr.flag.max()
        metrics["n_rows"] = expr.count()
        return expr.group_by(["region", "industry", "year"]).aggregate(**metrics)

    def _check_numbers(self, t: Any, path: Path) -> None:
        """Find the first row whose value or year is text that is not a number, and name
        its line (reading, not the panel contract: an unparsable cell would otherwise
        look empty, i.e. suppressed)."""
        import ibis

        problems = []
        for name in ("employment", "establishments", "wages", "year"):
            if name not in t.columns or not t[name].type().is_string():
                continue
            text = t[name].strip()
            num = text.nullif("").try_cast("float64")
            bad = text.notnull() & (text != "") & num.isnull()
            problems.append((name, bad, "a year" if name == "year" else "a number"))
        if not problems:
            return
        condition = ibis.literal(False)
        for _, bad, _ in problems:
            condition = condition | bad.fill_null(False)
        n_bad = int(t.filter(condition).count().to_pyarrow().as_py())
        if n_bad == 0:
            return
        numbered = t.mutate(_row=ibis.row_number())
        for name, bad, expected in problems:
            hit = numbered.filter(bad.fill_null(False) if self.name == "duckdb" else bad)
            rows = hit.order_by("_row").limit(1).to_pyarrow().to_pylist()
            if rows:
                row = rows[0]
                where = (f"line {row['_row'] + 2}" if path.suffix.lower() != ".parquet"
                         else f"row {row['_row'] + 1}")
                raise InputError(
                    f"{path}, {where} (region {row['region']!r}, industry {row['industry']!r}, "
                    f"year {row['year']}): field {name!r} is {row[name]!r}; expected {expected} "
                    f"({n_bad} bad row(s) in all); nothing was written"
                )


def read_parquet_arrow(path: Path) -> pa.Table | None:
    """Read a well-typed Parquet panel with Arrow, keeping codes dictionary-encoded.

    Materialising millions of short code strings is the slowest part of a scan;
    Arrow's reader hands over the file's dictionaries instead, and integer codes are
    encoded before they become text.  Files whose value columns are text go through
    the DuckDB expression path, which parses them."""
    import pyarrow.parquet as pq

    def unreadable(exc: Exception) -> SourceError:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return SourceError(f"{path}: cannot be read as Parquet ({first})")

    # the file's own reader, not pq.read_table: that goes through pyarrow.dataset,
    # which imports pandas (a third of a second) and hands over a chunk per batch
    try:
        with pq.ParquetFile(path) as file:
            schema = file.schema_arrow
    except Exception as exc:
        raise unreadable(exc) from None
    names = set(schema.names)
    if not set(REQUIRED) <= names:
        return None
    for name in ("year", "employment", "establishments", "wages"):
        if name in names:
            typ = schema.field(name).type
            if not (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
                return None
    text_codes = []
    for name in ("region", "industry"):
        typ = schema.field(name).type
        if pa.types.is_dictionary(typ):
            typ = typ.value_type
        if pa.types.is_string(typ) or pa.types.is_large_string(typ):
            text_codes.append(name)
        elif not pa.types.is_integer(typ):
            return None
    columns = [c for c in (*REQUIRED, *OPTIONAL) if c in names]
    try:
        with pq.ParquetFile(path, read_dictionary=text_codes) as file:
            table = file.read(columns=columns)
    except Exception as exc:
        raise unreadable(exc) from None
    integer_codes = [n for n in ("region", "industry") if n not in text_codes]
    encoded = {}
    if integer_codes:
        # Arrow's hashing runs without the interpreter: both code columns at once
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=len(integer_codes)) as pool:
            encoded = dict(zip(integer_codes, pool.map(
                lambda n: _integer_codes_as_text(table.column(n)), integer_codes), strict=True))
    out = {}
    for name in columns:
        col = table.column(name)
        if name in encoded:
            col = encoded[name]
        elif name == "year" and not pa.types.is_integer(col.type):
            col = col.cast(pa.int64())  # integer years stay as they are (no copy)
        elif name in ("employment", "establishments", "wages") and not (
                pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
            col = col.cast(pa.float64())
        out[name] = col
    return pa.table(out)


def _integer_codes_as_text(column: pa.ChunkedArray) -> pa.DictionaryArray:
    """Integer codes as dictionary-encoded text ("7" for 7, as a cast to text gives):
    only the distinct values become strings, in order of first appearance."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column.combine_chunks())
    return pa.DictionaryArray.from_arrays(encoded.indices, encoded.dictionary.cast(pa.string()))


def get_engine(name: str | None = None, *, url: str | None = None) -> IbisEngine:
    """The engine named ``name``, else the ``engine`` setting (``CLUSTERATLAS_ENGINE``,
    default DuckDB)."""
    from clusteratlas._config import load_settings

    return IbisEngine(name or load_settings().engine, url=url)
