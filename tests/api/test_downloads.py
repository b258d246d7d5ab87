"""Downloads carry the synthetic marker and the provenance inside the file (issue 16):
CSV stays machine-readable (decimal point, no grouping, UTF-8), XLSX stores numbers as
numbers with number formats, JSON has the marker fields."""

from __future__ import annotations

import csv
import io

import pytest

TABLES = ["/api/map?category=aerospace", "/api/regions/08435",
          "/api/categories/aerospace", "/api/compare?regions=08126,08435"]


def _csv(client, url: str) -> list[dict[str, str]]:
    response = client.get(f"{url}&format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("url", TABLES)
def test_csv_carries_marker_and_provenance(client, url):
    sep = "&" if "?" in url else "?"
    rows = _csv(client, f"{url}{sep}lang=de")
    assert rows
    header = list(rows[0])
    assert header[-2:] == ["synthetic", "data_source"]
    assert {r["synthetic"] for r in rows} == {"true"}
    assert all("[SYNTHETIC]" in r["data_source"] for r in rows)


def test_csv_numbers_are_machine_readable_in_german(client):
    rows = _csv(client, "/api/map?category=aerospace&lang=de")
    api = client.get("/api/map?category=aerospace&lang=de").json()
    by_code = {r["code"]: r for r in api["regions"]}
    for row in rows:
        expected = by_code[row["code"]]
        if expected["lq"] is not None:
            assert float(row["lq"]) == pytest.approx(expected["lq"])  # a decimal point
        if expected["employment"] is not None:
            assert "." not in row["employment"]
            assert "," not in row["employment"]
            assert float(row["employment"]) == expected["employment"]


def test_pandas_reads_the_csv_as_numbers(client):
    pd = pytest.importorskip("pandas")
    text = client.get("/api/map?category=aerospace&format=csv&lang=de").content
    frame = pd.read_csv(io.BytesIO(text), encoding="utf-8-sig")
    assert frame["lq"].dtype.kind == "f"
    assert frame["synthetic"].all()
    assert len(frame) == 44


@pytest.mark.parametrize("url", TABLES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_xlsx_numbers_as_numbers_with_marker(client, url, lang):
    from openpyxl import load_workbook

    sep = "&" if "?" in url else "?"
    response = client.get(f"{url}{sep}lang={lang}&format=xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["content-disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    data, source = book.worksheets
    assert data.title == {"de": "Daten", "en": "Data"}[lang]
    assert source.title == {"de": "Quelle", "en": "Source"}[lang]
    header = [c.value for c in data[1]]
    assert header[-2:] == ["synthetic", "data_source"]
    rows = list(data.iter_rows(min_row=2, values_only=True))
    assert rows
    assert all(r[-2] is True for r in rows)
    # the JSON twin's numbers, as numbers
    lq_columns = [i for i, h in enumerate(header) if h == "lq" or h.endswith(" lq")]
    assert lq_columns
    values = [r[i] for r in rows for i in lq_columns if r[i] is not None]
    assert values
    assert all(isinstance(v, float) for v in values)
    formats = {data.cell(row=r, column=i + 1).number_format
               for r in range(2, data.max_row + 1) for i in lq_columns
               if data.cell(row=r, column=i + 1).value is not None}
    assert formats == {"0.00"}
    notice = {"de": "Synthetische Demodaten", "en": "Synthetic demo data"}[lang]
    texts = [c for row in source.iter_rows(values_only=True) for c in row if c]
    assert any(isinstance(c, str) and c.startswith(notice) for c in texts)
    assert any("synthetic" in str(c) for c in texts)


def test_xlsx_matches_the_json(client):
    from openpyxl import load_workbook

    api = client.get("/api/regions/08435?lang=en").json()
    book = load_workbook(io.BytesIO(
        client.get("/api/regions/08435?lang=en&format=xlsx").content))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[header.index("category")]: dict(zip(header, r, strict=True))
            for r in sheet.iter_rows(min_row=2, values_only=True)}
    for c in api["categories"]:
        assert rows[c["category"]]["employment"] == c["employment"]
        if c["employment"] is not None:
            assert isinstance(rows[c["category"]]["employment"], int | float)
    shares = {c.number_format for c in sheet[openpyxl_column(header, "share_of_region")]
              if c.row > 1 and c.value is not None}
    assert shares == {"0.0%"}


def openpyxl_column(header: list[str], name: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(header.index(name) + 1)


@pytest.mark.parametrize("url", [*TABLES, "/api/initiatives/bodenseeairea/impact",
                                 "/api/initiatives/bodenseeairea/partners",
                                 "/api/regions/08435/opportunities", "/api/alignment"])
def test_json_has_the_marker(client, url):
    body = client.get(url).json()
    assert body["synthetic"] is True
    assert body["synthetic_notice"]
    assert any(d["synthetic"] for d in body["provenance"])


def test_a_formula_stays_a_text():
    from openpyxl import load_workbook

    from clusteratlas.service.exports import table_csv, table_xlsx

    rows = [{"name": "=HYPERLINK(\"x\")", "n": 5}]
    meta = {"synthetic": False, "provenance": [{"title": "t", "attribution": "a",
                                                "licence": "l", "synthetic": False}]}
    assert "'=HYPERLINK" in table_csv(rows, meta)
    assert table_csv(rows, meta).splitlines()[1].endswith(",false,t – a (l)")
    sheet = load_workbook(io.BytesIO(table_xlsx(rows, meta, "en"))).worksheets[0]
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 5
    assert sheet["B2"].number_format == "#,##0"


@pytest.mark.parametrize("url", ["/api/map?category=aerospace", "/api/regions/08435?year=2024"])
def test_downloads_state_the_view_they_were_mapped_in(client, url):
    """Issue 15: the reference area (and scope, comparison set) is stated in every
    download, not only in the JSON answer."""
    meta = client.get(f"{url}&lang=de").json()
    rows = _csv(client, f"{url}&lang=de")
    assert {r["lq_reference"] for r in rows} == {
        f"{meta['reference']['code']} {meta['reference']['name']}"}
    assert {r["scope"] for r in rows} == {f"{meta['scope']['code']} {meta['scope']['name']}"}
    assert {r["comparison"] for r in rows} == {
        f"{meta['comparison']['set']} ({meta['comparison']['regions']})"}
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}&format=xlsx&lang=de").content))
    cells = [str(v) for row in book.worksheets[1].iter_rows(values_only=True) for v in row if v]
    assert f"LQ relativ zu {meta['reference']['name']}" in cells
