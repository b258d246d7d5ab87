"""Export and import of the registry (or single initiatives) as JSON, CSV and XLSX.

All three carry the same tables, so any of them round-trips without loss:

- JSON: ``{"format": "clusteratlas-registry", "version": 1, "initiatives": [...]}``,
  each initiative as the aggregate the audit log keeps;
- CSV: a ZIP of one CSV per table (``initiatives.csv``, ``regions.csv`` …), with the
  ``initiative_id`` linking rows to their initiative;
- XLSX: one sheet per table, the same columns.

An import checks every row (the file, table, row and field named in the error) and
writes everything in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Float, Integer, text

from clusteratlas.errors import InputError, NotFoundError, SchemaError
from clusteratlas.registry import tables as m
from clusteratlas.registry.access import require
from clusteratlas.registry.auth import Actor
from clusteratlas.registry.fields import (
    CHILDREN,
    DEFAULTED_FIELDS,
    FACT_TEXT_FIELDS,
    PARTS,
    PROFILE_FIELDS,
)
from clusteratlas.registry.schemas import DEFAULT_VISIBILITY, InitiativeIn, KpiReportIn
from clusteratlas.service.registry import RegistryService
from clusteratlas.service.registry.files import (
    FORMULA_START,
    LIMITS,
    MAGIC,
    Limits,
    csv_text,
    read_json,
    read_tables,
)
from clusteratlas.service.registry.unit import aggregate, apply_state, parse

__all__ = ["FORMATS", "export_registry", "import_registry", "read_registry",
           "read_registry_file"]

FORMATS = ("json", "csv", "xlsx")

# table name → (model, aggregate key or None for the initiative row, column order)
_TABLES: dict[str, tuple[type[Any], str | None]] = {
    "initiatives": (m.Initiative, None),
    "regions": (m.InitiativeRegion, "regions_served"),
    "categories": (m.InitiativeCategory, "categories"),
    "facts": (m.InitiativeFact, "facts"),
    "sources": (m.InitiativeSource, "sources"),
    "members": (m.InitiativeMember, "members"),
    "kpi_reports": (m.KpiReport, "kpi_reports"),
    "projects": (m.Project, "projects"),
    "cooperations": (m.Cooperation, "cooperations"),
    "labels": (m.InitiativeLabel, "labels"),
}


def _columns(model: type[Any]) -> list[str]:
    cols = [c.key for c in model.__table__.columns]
    # the list position of facts and sources is their row order; the id of a member
    # row is internal
    drop = {"facts": {"id"}, "sources": {"id"}, "members": {"id"}}
    name = next(k for k, (mod, _) in _TABLES.items() if mod is model)
    return [c for c in cols if c not in drop.get(name, set())]


def _rows(aggs: Sequence[Mapping[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Aggregates → one list of flat rows per table."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in _TABLES}
    for agg in aggs:
        ident = agg["id"]
        row = {c: agg.get(c) for c in _columns(m.Initiative)}
        row["visibility"] = json.dumps(agg["visibility"], sort_keys=True)
        out["initiatives"].append(row)
        out["regions"] += [{"initiative_id": ident, "region_code": c}
                           for c in agg["regions_served"]]
        out["categories"] += [{"initiative_id": ident, "category_code": c}
                              for c in agg["categories"]]
        out["facts"] += [{"initiative_id": ident, "position": n, **f}
                         for n, f in enumerate(agg["facts"])]
        out["sources"] += [{"initiative_id": ident, "position": n, **s}
                           for n, s in enumerate(agg["sources"])]
        out["members"] += [{"initiative_id": ident, **x} for x in agg["members"]]
        for key in ("kpi_reports", *CHILDREN):
            out[key] += [{"initiative_id": ident, **r} for r in agg[key]]
    return out


def _aggregates(tables: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Flat rows per table → aggregates (the inverse of :func:`_rows`)."""
    aggs: dict[str, dict[str, Any]] = {}
    for row in tables.get("initiatives", []):
        agg = dict(row)
        agg["visibility"] = DEFAULT_VISIBILITY | json.loads(row.get("visibility") or "{}")
        for part in (*PARTS, "kpi_reports", *CHILDREN):
            if part != "visibility":
                agg[part] = []
        aggs[str(row["id"])] = agg
    for name, (_model, owner_key) in _TABLES.items():
        if owner_key is None:
            continue
        key = owner_key
        rows = tables.get(name, [])
        if name in ("facts", "sources"):
            rows = sorted(rows, key=lambda r: (str(r["initiative_id"]), r.get("position") or 0))
        for n, row in enumerate(rows):
            owner = aggs.get(str(row.get("initiative_id")))
            if owner is None:
                raise InputError(f"table {name}, row {n + 2}: initiative_id "
                                 f"{row.get('initiative_id')!r} is not in the initiatives table")
            rest = {k: v for k, v in row.items() if k not in ("initiative_id", "position")}
            if name == "regions":
                owner[key].append(rest["region_code"])
            elif name == "categories":
                owner[key].append(rest["category_code"])
            else:
                owner[key].append(rest)
    return list(aggs.values())


def export_registry(service: RegistryService, fmt: str,
                    initiative_ids: Sequence[str] | None = None) -> bytes:
    """The registry (or the initiatives named) in ``fmt``: json, csv (ZIP) or xlsx."""
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    with service.uow.reading() as s:
        query = s.query(m.Initiative).order_by(m.Initiative.id)
        if initiative_ids:
            query = query.filter(m.Initiative.id.in_(list(initiative_ids)))
        aggs = [aggregate(i) for i in query]
    if initiative_ids:
        missing = set(initiative_ids) - {a["id"] for a in aggs}
        if missing:
            raise NotFoundError(f"initiative {sorted(missing)[0]!r} is not in the registry")
    if fmt == "json":
        return json.dumps({"format": MAGIC, "version": 1, "initiatives": aggs},
                          ensure_ascii=False, indent=1).encode("utf-8")
    tables = _rows(aggs)
    if fmt == "csv":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, (model, _) in _TABLES.items():
                text_io = io.StringIO()
                writer = csv.DictWriter(text_io, fieldnames=_columns(model),
                                        lineterminator="\n")
                writer.writeheader()
                for row in tables[name]:
                    writer.writerow({k: _cell(row.get(k)) for k in _columns(model)})
                z.writestr(f"{name}.csv", text_io.getvalue())
        return buffer.getvalue()
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, (model, _) in _TABLES.items():
        sheet = book.create_sheet(name)
        sheet.append(_columns(model))
        for r, row in enumerate(tables[name], start=2):
            for c, key in enumerate(_columns(model), start=1):
                _xlsx_cell(sheet, r, c, row.get(key))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return repr(value)  # keep 5.0 a float: "5.0"
    if isinstance(value, str):
        return csv_text(value)
    return "" if value is None else value


def _xlsx_cell(sheet: Any, row: int, column: int, value: Any) -> None:
    """Write a cell; a text stays a text (openpyxl would store "=..." as a formula)."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True  # and stays one when edited in a spreadsheet program


def _typed(value: Any, column: Any, where: str) -> Any:
    """A cell converted to its column's type; empty → None (or "" where not nullable)."""
    if value is None or (isinstance(value, str) and value == ""):
        return None if column.nullable or isinstance(column.type, Integer | Float | Boolean) \
            else ""
    kind = column.type
    try:
        if isinstance(kind, Boolean):
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "1", "yes"):
                return True
            if str(value).lower() in ("false", "0", "no"):
                return False
            raise ValueError
        if isinstance(kind, Integer):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(str(value).strip().removesuffix(".0"))
        if isinstance(kind, Float):
            return float(value)
    except (TypeError, ValueError):
        expected = ("true or false" if isinstance(kind, Boolean)
                    else "a whole number" if isinstance(kind, Integer) else "a number")
        raise InputError(f"{where}: {value!r} is not {expected}") from None
    return str(value)


def read_registry(data: bytes, fmt: str, source: str = "file",
                  limits: Limits = LIMITS) -> list[dict[str, Any]]:
    """Aggregates from an export in ``fmt`` (json, csv or xlsx), read within
    ``limits`` (see :mod:`.files`)."""
    if fmt == "json":
        return read_json(data, source, limits)
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    tables: dict[str, list[dict[str, Any]]] = {}
    raw = read_tables(data, fmt, source, list(_TABLES), limits)
    if "initiatives" not in raw:
        raise SchemaError(f"{source}: the table 'initiatives' is missing")
    for name, rows in raw.items():
        model = _TABLES[name][0]
        columns = {c.key: c for c in model.__table__.columns}
        if not rows:
            raise SchemaError(f"{source}, table {name}: no header row")
        header = [str(h) if h is not None else "" for h in rows[0]]
        needed = [c for c in _columns(model) if c not in header and not columns[c].nullable
                  and columns[c].default is None and c not in ("position",)]
        if needed:
            raise SchemaError(f"{source}, table {name}: column {needed[0]!r} is missing "
                              f"(columns: {', '.join(_columns(model))})")
        unknown = [h for h in header if h and h not in columns]
        if unknown:
            raise SchemaError(f"{source}, table {name}: unknown column {unknown[0]!r}")
        out = []
        for n, values in enumerate(rows[1:], start=2):
            if not any(v not in (None, "") for v in values):
                continue
            out.append({h: _typed(v, columns[h], f"{source}, table {name}, row {n}, "
                                                 f"field {h}")
                        for h, v in zip(header, values, strict=False) if h})
        tables[name] = out
    return _aggregates(tables)


def read_registry_file(path: Path, fmt: str, limits: Limits = LIMITS) -> list[dict[str, Any]]:
    """:func:`read_registry` of a file, refused unread when it is too big."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size > limits.max_bytes:
        raise InputError(f"{path}: {path.stat().st_size / 1024 / 1024:,.0f} MB is more than "
                         f"the {limits.max_bytes / 1024 / 1024:,.0f} MB an import may have")
    return read_registry(path.read_bytes(), fmt, str(path), limits)


def import_registry(service: RegistryService, aggs: Sequence[Mapping[str, Any]],
                    actor: Actor, source: str = "file") -> dict[str, int]:
    """Write the aggregates (new initiatives created, existing ones replaced), each
    change audited, all in one transaction.  Returns counts of created and replaced."""
    require(actor, "import")
    checked = [_check(service, a, f"{source}, initiative {n + 1}")
               for n, a in enumerate(aggs)]
    ids = [a["id"] for a in checked]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"{source}: initiative {dup!r} appears twice")
    created = replaced = 0
    uow = service.uow
    with uow.writing() as s:
        for agg in checked:
            i = s.get(m.Initiative, agg["id"])
            before = None
            if i is None:
                i = m.Initiative(id=agg["id"], name=agg["name"])
                s.add(i)
                s.flush()
                created += 1
            else:
                before = aggregate(uow.load(s, agg["id"]))
                replaced += 1
            apply_state(s, i, agg)
            i.updated_at = agg.get("updated_at") or uow.clock()
            i.updated_by = agg.get("updated_by") or actor.name
            s.flush()
            uow.audit(s, actor, "import", "initiative", agg["id"], agg["id"], before,
                      aggregate(uow.load(s, agg["id"])))
        if service.store.dialect == "postgresql":
            # ids came from the file: move the sequences past them
            for table in ("kpi_reports", "projects", "cooperations", "initiative_labels",
                          "initiative_facts", "initiative_sources", "initiative_members"):
                s.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"))
    return {"created": created, "replaced": replaced}


def _check(service: RegistryService, agg: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Validate one aggregate with the same schemas as the API; return it complete."""
    if not isinstance(agg, Mapping) or "id" not in agg or "name" not in agg:
        raise SchemaError(f"{where}: an initiative needs at least 'id' and 'name'")
    where = f"{where} ({agg['id']})"
    lists = ("facts", "sources", "members")
    profile = {k: agg[k] for k in InitiativeIn.model_fields
               if k in agg and k not in (*lists, "visibility")}
    for key in lists:
        profile[key] = agg.get(key) or []
    vis = agg.get("visibility") or {}
    profile["visibility"] = vis
    item = parse(InitiativeIn, profile, where)
    service.initiatives.check_codes(item)
    out: dict[str, Any] = {k: agg.get(k) for k in (
        *PROFILE_FIELDS, *FACT_TEXT_FIELDS, "updated_at", "updated_by")}
    dumped = item.model_dump()
    for key in DEFAULTED_FIELDS:
        out[key] = dumped[key] if dumped[key] is not None else \
            m.Initiative.__table__.c[key].default.arg
    out["archived"] = bool(agg.get("archived", False))
    out["visibility"] = DEFAULT_VISIBILITY | dict(vis)
    out["regions_served"] = list(dict.fromkeys(item.regions_served or []))
    out["categories"] = list(dict.fromkeys(item.categories or []))
    out["facts"] = [f.model_dump() for f in item.facts or []]
    out["sources"] = [x.model_dump() for x in item.sources or []]
    out["members"] = [x.model_dump() for x in item.members or []]
    reports = []
    for n, r in enumerate(agg.get("kpi_reports") or []):
        fields = {k: v for k, v in r.items() if k in KpiReportIn.model_fields}
        parse(KpiReportIn, fields, f"{where}, kpi_reports[{n}]")
        if r.get("status", "draft") not in ("draft", "submitted", "accepted"):
            raise InputError(f"{where}, kpi_reports[{n}], field status: {r.get('status')!r} "
                             "is not draft, submitted or accepted")
        reports.append({c: r.get(c) for c in _columns(m.KpiReport)
                        if c not in ("initiative_id", "version")}
                       | {"status": r.get("status", "draft"),
                          "active_definition": r.get("active_definition") or "",
                          "funding_sources": r.get("funding_sources") or "",
                          "reviewer_comment": r.get("reviewer_comment") or ""})
    out["kpi_reports"] = reports
    for key, child in CHILDREN.items():
        schema = child.schema
        rows = []
        for n, r in enumerate(agg.get(key) or []):
            fields = {k: v for k, v in r.items() if k in schema.model_fields}
            valid: dict[str, Any] = parse(schema, fields, f"{where}, {key}[{n}]").model_dump()
            rows.append(({"id": r["id"]} if r.get("id") is not None else {}) | valid)
        out[key] = rows
    return out
