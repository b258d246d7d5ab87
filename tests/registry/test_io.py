"""Export and import of the registry: lossless round trips in JSON, CSV and XLSX, and
clear errors (file, table, row, field) for bad files, with nothing half-written."""

import csv
import io
import json
import zipfile

import pytest

from clusteratlas.errors import AccessError, FindingsError, InputError, SchemaError
from clusteratlas.registry.store import RegistryStore
from clusteratlas.service.registry import RegistryService
from clusteratlas.service.registry.transfer import export_registry, import_registry, read_registry
from conftest import ADMIN, MANAGER


@pytest.fixture
def rich(service):
    """The demo registry plus a KPI report, members, dated facts and a hidden group."""
    service.put_kpi("metalldialog", 2023, {"members_sme": 30, "members_large": 5,
                                           "staff_fte": 1.0, "staff_headcount": 2,
                                           "budget_eur": 250000.0, "events": 7,
                                           "active_definition": "paying"}, MANAGER, None)
    v = service.get("metalldialog", ADMIN)["version"]
    service.update("metalldialog", {
        "members": [{"name": "Firma A GmbH", "member_type": "sme", "since": 2015},
                    {"name": "Hochschule Heilbronn", "member_type": "research"}],
        "facts": [{"text": "45 members", "source_url": "https://example.org/m",
                   "as_of": "2019-05"}],
        "visibility": {"members": False, "kpis": True}, "website": "https://wfg.example",
        "founded": 2009, "founded_on": "2009-03-01"}, ADMIN, v)
    return service


def _fresh(tmp_path):
    store = RegistryStore(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    store.migrate()
    return RegistryService(store)


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_round_trip_is_lossless(rich, tmp_path, fmt):
    first = export_registry(rich, fmt)
    copy = _fresh(tmp_path)
    counts = import_registry(copy, read_registry(first, fmt, f"x.{fmt}"), ADMIN)
    assert counts == {"created": 23, "replaced": 0}
    original = json.loads(export_registry(rich, "json"))["initiatives"]
    again = json.loads(export_registry(copy, "json"))["initiatives"]
    strip = ("version",)

    def clean(items):
        out = []
        for i in items:
            i = {k: v for k, v in i.items() if k not in strip}
            i["kpi_reports"] = [{k: v for k, v in r.items() if k not in strip}
                                for r in i["kpi_reports"]]
            for kind in ("projects", "cooperations", "labels"):
                i[kind] = [{k: v for k, v in r.items() if k not in strip} for r in i[kind]]
            out.append(i)
        return out

    assert clean(again) == clean(original)
    metall = next(i for i in again if i["id"] == "metalldialog")
    assert metall["members"][1] == {"name": "Hochschule Heilbronn", "member_type": "research",
                                    "since": None}
    assert metall["kpi_reports"][0]["budget_eur"] == 250000.0
    assert metall["visibility"]["kpis"] is True
    # the German and English variants of the free texts travel together (0004)
    cyber = next(i for i in again if i["id"] == "cyberforum")
    assert (cyber["members_text"], cyber["members_text_en"]) == (
        "über 1.200 (2017 und 2022)", "over 1,200 (2017 and 2022)")
    assert (cyber["sector"], cyber["sector_en"]) == ("IT / Hightech-Gründer",
                                                     "IT / high-tech entrepreneurs")
    assert cyber["facts"][0] == {"text": "Gegründet am 4. Juli 1997 von 10 Partnern",
                                 "text_en": "Founded 4 Jul 1997 by 10 partners",
                                 "source_url": None, "as_of": None}


def test_single_initiative_export_and_reimport_replaces(rich):
    data = export_registry(rich, "json", ["metalldialog"])
    doc = json.loads(data)
    assert [i["id"] for i in doc["initiatives"]] == ["metalldialog"]
    doc["initiatives"][0]["goals"] = "Imported goals"
    counts = import_registry(rich, read_registry(json.dumps(doc).encode(), "json"), ADMIN)
    assert counts == {"created": 0, "replaced": 1}
    assert rich.get("metalldialog")["goals"] == "Imported goals"
    assert rich.history("metalldialog", ADMIN)[-1]["action"] == "import"


def test_bad_rows_name_table_row_and_field(rich, tmp_path):
    data = export_registry(rich, "csv")
    z = zipfile.ZipFile(io.BytesIO(data))
    files = {n: z.read(n).decode() for n in z.namelist()}
    lines = files["kpi_reports.csv"].splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("events")] = "seven"
    files["kpi_reports.csv"] = "\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n"
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as out:
        for name, text in files.items():
            out.writestr(name, text)
    with pytest.raises(InputError, match=r"r\.zip, table kpi_reports, row 2, field events: "
                                         r"'seven' is not a whole number"):
        read_registry(broken.getvalue(), "csv", "r.zip")


def test_invalid_values_are_refused_and_nothing_written(rich, tmp_path):
    doc = json.loads(export_registry(rich, "json"))
    doc["initiatives"][0]["goals"] = "changed"
    doc["initiatives"][5]["kpi_reports"] = [{"year": 2024, "status": "draft", "events": -3}]
    before = export_registry(rich, "json")
    with pytest.raises(FindingsError, match=r"initiative 6 .*kpi_reports\[0\].*events"):
        import_registry(rich, read_registry(json.dumps(doc).encode(), "json"), ADMIN)
    assert export_registry(rich, "json") == before


def test_not_an_export(rich):
    with pytest.raises(SchemaError, match="not a Clusteratlas registry export"):
        read_registry(b'{"initiatives": 1}', "json", "x.json")
    with pytest.raises(SchemaError, match="not a JSON file"):
        read_registry(b"\xff\xfe", "json", "x.json")
    with pytest.raises(SchemaError, match="ZIP of one CSV per table"):
        read_registry(b"id,name\n", "csv", "x.csv")
    with pytest.raises(SchemaError, match="not an XLSX workbook"):
        read_registry(b"plain text", "xlsx", "x.xlsx")
    with pytest.raises(InputError, match="format 'pdf'"):
        export_registry(rich, "pdf")


def test_only_admins_import(rich):
    aggs = read_registry(export_registry(rich, "json"), "json")
    with pytest.raises(AccessError):
        import_registry(rich, aggs, MANAGER)


FORMULAS = {"goals": "=HYPERLINK(\"https://evil.example\",\"click\")",
            "services": "+1+2", "sector": "-2+3", "seat_town": "@SUM(A1)",
            "short_name": "'quoted", "legal_form": "'=both"}


def test_texts_are_never_formulas_and_round_trip(rich, tmp_path):
    """Issue 14.3: a text starting with = + - @ is written as text (XLSX) or with the
    OWASP quote (CSV), never as a live formula, and comes back unchanged."""
    from openpyxl import load_workbook

    v = rich.get("metalldialog", ADMIN)["version"]
    rich.update("metalldialog", FORMULAS | {"facts": [{"text": "=1+1"}]}, ADMIN, v)
    book = load_workbook(io.BytesIO(export_registry(rich, "xlsx", ["metalldialog"])))
    sheet = book["initiatives"]
    header = [c.value for c in sheet[1]]
    for key, text in FORMULAS.items():
        cell = sheet.cell(row=2, column=header.index(key) + 1)
        assert (cell.data_type, cell.value) == ("s", text)
    assert sheet.cell(row=2, column=header.index("goals") + 1).quotePrefix
    archive = zipfile.ZipFile(io.BytesIO(export_registry(rich, "csv", ["metalldialog"])))
    rows = list(csv.DictReader(io.StringIO(archive.read("initiatives.csv").decode())))
    assert rows[0]["goals"] == "'" + FORMULAS["goals"]
    assert rows[0]["short_name"] == "''quoted"
    for value in rows[0].values():
        assert not value.startswith(("=", "+", "-", "@"))
    for fmt in ("csv", "xlsx"):
        (tmp_path / fmt).mkdir()
        copy = _fresh(tmp_path / fmt)
        import_registry(copy, read_registry(export_registry(rich, fmt, ["metalldialog"]),
                                            fmt), ADMIN)
        back = copy.get("metalldialog", ADMIN)
        assert {k: back[k] for k in FORMULAS} == FORMULAS, fmt
        assert back["facts"][0]["text"] == "=1+1"
