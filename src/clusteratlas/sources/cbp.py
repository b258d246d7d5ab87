"""US County Business Patterns county files (``cbpYYco.txt``, layout of 2017+).

``fipstate, fipscty, naics, emp_nf, emp, …, est, …`` comma-separated, text quoted.
``naics`` is text: ``------`` the total, ``31----`` a sector, ``3361//`` a 4-digit
industry.  ``emp_nf`` is a noise flag; ``D`` (withheld, value set to 0), ``S`` (not
published) and ``N`` (not available) are missing, never zero.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from clusteratlas.errors import SourceError
from clusteratlas.sources.parsed import Parsed

__all__ = ["read_cbp"]

WITHHELD = {"D": "secret", "S": "unreliable", "N": "not_available"}


def _naics(code: str) -> str:
    code = code.strip().strip("-/")
    return code or "TOTAL"


def read_cbp(path: Path, *, year: int | None = None) -> Parsed:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("latin-1")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = {f.lower(): f for f in (reader.fieldnames or [])}
    need = {"fipstate", "fipscty", "naics", "emp", "est"}
    if not need <= set(fields):
        raise SourceError(f"{path}, line 1: a CBP county file needs columns "
                          f"{', '.join(sorted(need))} (found {', '.join(fields) or 'none'})")
    if year is None:
        digits = "".join(ch for ch in path.stem if ch.isdigit())[:2]
        if not digits:
            raise SourceError(f"{path}: cannot tell the year from the file name (cbpYYco.txt)")
        year = 2000 + int(digits)
    rows = []
    for number, rec in enumerate(reader, start=2):
        get = {k: (rec.get(v) or "").strip() for k, v in fields.items()}
        try:
            emp = float(get["emp"]) if get["emp"] else np.nan
            est = float(get["est"]) if get["est"] else np.nan
        except ValueError:
            raise SourceError(f"{path}, line {number}: emp {get['emp']!r} or est {get['est']!r} "
                              "is not a number") from None
        flag = get.get("emp_nf", "").upper()
        status = WITHHELD.get(flag, "reported")
        if status != "reported":
            emp = np.nan
        state, county = get["fipstate"].zfill(2), get["fipscty"].zfill(3)
        if not (state.isdigit() and county.isdigit()):
            raise SourceError(f"{path}, line {number}: FIPS {state!r}/{county!r} is not numeric")
        rows.append({"region": state + county, "industry": _naics(get["naics"]), "year": year,
                     "value": emp, "status": status, "establishments": est,
                     "noise_flag": flag})
    if not rows:
        raise SourceError(f"{path}: no data rows")
    frame = pd.DataFrame.from_records(rows)
    frame["measure"] = "employment"
    return Parsed("cbp", f"cbp{str(year)[-2:]}co", f"County Business Patterns {year}", frame,
                  "U.S. Census Bureau, County Business Patterns", "public domain (US Government work)")
