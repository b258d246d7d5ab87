"""GENESIS webservice flat CSV (``format=ffcsv``), as the REST API's ``tablefile`` returns it.

UTF-8 with BOM, ``;``, one observation per row; ``N_variable_code/_label/_attribute_code/
_attribute_label`` column groups; ``value`` with special symbols; optional ``value_q``.
Totals have an empty attribute code and the label ``Insgesamt``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from clusteratlas.errors import SourceError
from clusteratlas.sources.genesis import SPECIAL
from clusteratlas.sources.parsed import Parsed, measure_kind

__all__ = ["read_ffcsv"]

_REGION_VARS = {"KREISE", "DLAND", "DINSG", "REGBEZ", "GEMEIN"}


def read_ffcsv(path: Path) -> Parsed:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(f"{path}, line {line}: not UTF-8; a GENESIS flat file is UTF-8 "
                          "(a Latin-1 'Tabellen-CSV' is source 'genesis-table')") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError(f"{path}: empty file") from None
    need = {"statistics_code", "time", "value", "value_variable_label"}
    if not need <= set(header):
        raise SourceError(f"{path}, line 1: not a GENESIS flat file header (missing "
                          f"{', '.join(sorted(need - set(header)))})")
    col = {name: i for i, name in enumerate(header)}
    groups = sorted({int(m.group(1)) for h in header if (m := re.match(r"(\d+)_variable_code$", h))})
    for g in groups:
        missing = [f"{g}_variable_{part}" for part in ("attribute_code", "attribute_label")
                   if f"{g}_variable_{part}" not in col]
        if missing:
            raise SourceError(f"{path}, line 1: header lacks {', '.join(missing)}")
    records = []
    for number, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise SourceError(f"{path}, line {number}: {len(row)} fields, expected {len(header)}")
        time_text = row[col["time"]].strip()
        rec: dict[str, object] = {"year": _year(time_text, path, number),
                                  "industry": "TOTAL", "region": "DG"}
        if len(time_text) > 4:  # reference dates within a year (quarters) stay apart
            rec["dim_date"] = time_text
        for g in groups:
            var = row[col[f"{g}_variable_code"]]
            code = row[col[f"{g}_variable_attribute_code"]]
            label = row[col[f"{g}_variable_attribute_label"]]
            if var in _REGION_VARS:
                rec["region"] = code or "DG"
            elif var.startswith("WZ"):
                rec["industry"] = code.split("-", 1)[1] if code.startswith("WZ08-") else (code or "TOTAL")
                rec["industry_label"] = label
            else:
                rec[f"dim_{var.lower()}"] = label if code else "Insgesamt"
        cell = row[col["value"]].strip()
        if cell in SPECIAL:
            value, status = (0.0, "zero") if cell == "-" else (float("nan"), SPECIAL[cell])
        else:
            try:
                value, status = float(cell.replace(",", ".")), "reported"
            except ValueError:
                raise SourceError(f"{path}, line {number}, column {col['value'] + 1}: "
                                  f"{cell!r} is neither a number nor a special value") from None
        if "value_q" in col and row[col["value_q"]].strip() == "e":
            status = "estimated" if status == "reported" else status
        rec.update(value=value, status=status)
        records.append(rec)
    if not records:
        raise SourceError(f"{path}: no observations")
    frame = pd.DataFrame.from_records(records)
    first = next(csv.reader(io.StringIO(text.splitlines()[1]), delimiter=";"))
    label = first[col["value_variable_label"]]
    frame["measure"] = measure_kind(label)
    stem = path.name.split("_")[0]
    code = stem if re.match(r"^\d{5}-", stem) else first[col["statistics_code"]]
    labels = (dict(zip(frame["industry"], frame["industry_label"], strict=False))
              if "industry_label" in frame else {})
    return Parsed("genesis-ffcsv", code, f"{first[col['statistics_label']]}: {label}", frame,
                  "© Statistisches Bundesamt (Destatis) / Statistische Ämter des Bundes und "
                  "der Länder", "dl-de/by-2.0", labels)


def _year(text: str, path: Path, line: int) -> int:
    m = re.match(r"\s*(\d{4})", text)
    if not m:
        raise SourceError(f"{path}, line {line}: time {text!r} is not a date or year")
    return int(m.group(1))
