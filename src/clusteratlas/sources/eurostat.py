"""Eurostat regional data: dissemination-API TSV and SDMX-CSV.

TSV: a header ``dim1,dim2,…,geo\\TIME_PERIOD`` then tab-separated cells ``value flags``
(``": "`` missing, flags such as ``p`` provisional, ``c`` confidential).
SDMX-CSV: one observation per row with ``OBS_VALUE`` and ``OBS_FLAG``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas.errors import SourceError
from clusteratlas.sources.parsed import Parsed

__all__ = ["read_sdmx_csv", "read_tsv"]

ATTRIBUTION = "Source: Eurostat"
SCALE = {"THS": 1000.0}


def _text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 (byte {exc.start})") from None


def _frame(rows: list[dict[str, object]], path: Path, code: str, title: str) -> Parsed:
    if not rows:
        raise SourceError(f"{path}: no observations")
    frame = pd.DataFrame.from_records(rows)
    frame["measure"] = "employment"
    return Parsed("eurostat", code, title, frame, ATTRIBUTION,
                  "Eurostat re-use policy (CC BY 4.0)")


def _status(flags: str) -> str:
    if "c" in flags:
        return "secret"
    if "p" in flags or "e" in flags:
        return "estimated"
    return "reported"


def read_tsv(path: Path) -> Parsed:
    lines = _text(path).splitlines()
    if not lines or "\\" not in lines[0].split("\t")[0]:
        raise SourceError(f"{path}, line 1: expected 'dim,…,geo\\\\TIME_PERIOD<TAB>year…'")
    head = lines[0].split("\t")
    dims = head[0].split("\\")[0].split(",")
    periods = [h.strip() for h in head[1:]]
    if "geo" not in dims or "nace_r2" not in dims:
        raise SourceError(f"{path}, line 1: dimensions {dims} lack geo or nace_r2")
    rows: list[dict[str, object]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(head):
            raise SourceError(f"{path}, line {number}: {len(cells)} fields, expected {len(head)}")
        key = dict(zip(dims, cells[0].split(","), strict=False))
        if len(key) != len(dims):
            raise SourceError(f"{path}, line {number}: series key {cells[0]!r} does not match {dims}")
        scale = SCALE.get(str(key.get("unit", "")), 1.0)
        for k, cell in enumerate(cells[1:]):
            value_text, _, flags = cell.strip().partition(" ")
            if cell.strip().startswith(":"):
                value, status = np.nan, _status(cell.strip()[1:]) if cell.strip()[1:] else "missing"
                if status != "secret":
                    continue  # Eurostat omits what does not exist: no row, not zero
            else:
                try:
                    value = float(value_text) * scale
                except ValueError:
                    raise SourceError(f"{path}, line {number}, column {k + 2}: {cell!r} is not "
                                      "'value flags' or ':'") from None
                status = _status(flags)
            year = re.match(r"(\d{4})", periods[k])
            rows.append({"region": key["geo"], "industry": key["nace_r2"],
                         "year": int(year.group(1)) if year else 0, "value": value,
                         "status": status, **{f"dim_{d}": key[d] for d in dims
                                              if d not in ("geo", "nace_r2", "freq", "unit")}})
    code = path.stem.split("_excerpt")[0]
    return _frame(rows, path, code, f"Eurostat {code}")


def read_sdmx_csv(path: Path) -> Parsed:
    reader = csv.DictReader(io.StringIO(_text(path), newline=""))
    need = {"DATAFLOW", "geo", "TIME_PERIOD", "OBS_VALUE", "nace_r2"}
    if reader.fieldnames is None or not need <= set(reader.fieldnames):
        raise SourceError(f"{path}, line 1: SDMX-CSV needs columns {', '.join(sorted(need))}")
    skip = {"DATAFLOW", "LAST UPDATE", "freq", "unit", "geo", "nace_r2", "TIME_PERIOD",
            "OBS_VALUE", "OBS_FLAG", "CONF_STATUS"}
    rows: list[dict[str, object]] = []
    code = ""
    for number, rec in enumerate(reader, start=2):
        code = code or rec["DATAFLOW"].split(":")[-1].split("(")[0].lower()
        text = (rec["OBS_VALUE"] or "").strip()
        flags = (rec.get("OBS_FLAG") or "").strip()
        if text in ("", ":"):
            if "c" not in flags and (rec.get("CONF_STATUS") or "") not in ("C",):
                continue
            value, status = np.nan, "secret"
        else:
            try:
                value = float(text) * SCALE.get(rec.get("unit") or "", 1.0)
            except ValueError:
                raise SourceError(f"{path}, line {number}: OBS_VALUE {text!r} is not a number"
                                  ) from None
            status = _status(flags)
        rows.append({"region": rec["geo"], "industry": rec["nace_r2"],
                     "year": int(str(rec["TIME_PERIOD"])[:4]), "value": value, "status": status,
                     **{f"dim_{k}": v for k, v in rec.items() if k not in skip}})
    return _frame(rows, path, code, f"Eurostat {code}")
