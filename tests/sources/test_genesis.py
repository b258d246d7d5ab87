"""The GENESIS table-CSV reader on the real exports, and on broken copies of them."""

import pytest

from clusteratlas.errors import SourceError
from clusteratlas.sources.genesis import read_table_csv

FILES = "data/de_genesis/tabellen_csv_regionalstatistik"


def raw_cells(path):
    """Every data cell of the file, read without the parser: (line, field) -> text."""
    lines = path.read_bytes().decode("latin-1").split("\n")
    footer = lines.index("__________")
    return [line.split(";") for line in lines[11:footer] if line]


@pytest.mark.parametrize("year", [2015, 2016, 2017, 2018])
def test_every_value_arrives_exactly(shared, year):
    path = shared / FILES / f"13111-07-05-4_{year}.csv"
    table = read_table_csv(path)
    rows = raw_cells(path)
    assert len(table.frame) == 6 * len(rows)
    values = table.frame["value"].to_numpy()
    status = table.frame["status"].to_numpy()
    k = 0
    for row in rows:
        for cell in row[3:]:
            if cell == "-":
                assert values[k] == 0
                assert status[k] == "zero"
            elif cell in (".", "x", "/", "..."):
                assert values[k] != values[k]
                assert status[k] != "reported"
            else:
                assert values[k] == float(cell)
                assert status[k] == "reported"
            k += 1
    assert table.code == "13111-07-05-4"
    assert table.licence == "dl-de/by-2.0"
    assert "Statistische Ämter" in table.attribution
    assert set(table.frame["year"]) == {year}


def test_labels_map_to_wz_codes(shared):
    table = read_table_csv(shared / FILES / "13111-07-05-4_2018.csv")
    assert set(table.frame["industry"]) == {"A", "B-F", "B-E", "C", "F", "G-U", "G-I", "J",
                                            "K", "L", "M-N", "O-Q", "R-U", "TOTAL"}
    bw = table.frame[(table.frame["region"] == "08")]
    assert (bw["level"] == "state").all()
    assert (table.frame.loc[table.frame["region"] == "08435", "level"] == "district").all()


def test_mapping_bodenseekreis_against_germany(shared, tmp_path):
    from clusteratlas.service.mapping import map_clusters

    table = read_table_csv(shared / FILES / "13111-07-05-4_2018.csv")
    panel = tmp_path / "p.parquet"
    table.to_panel().to_parquet(panel, index=False)
    res = map_clusters(panel, reference_region="DG", regions=r"08\d{3}")
    cells = res.cells.assign(region=res.cells["region"].astype(str),
                             category=res.cells["category"].astype(str))
    assert cells["region"].nunique() == 44
    lq = cells.set_index(["region", "category"])["lq"]
    # by hand from the file: Bodenseekreis C 36,726 of 92,448; Germany 6,930,836 of 32,870,228
    assert lq[("08435", "C")] == pytest.approx((36726 / 92448) / (6930836 / 32870228), rel=1e-12)


def copy_with(tmp_path, shared, transform, name="t.csv"):
    text = (shared / FILES / "13111-07-05-4_2018.csv").read_bytes().decode("latin-1")
    out = tmp_path / name
    out.write_bytes(transform(text).encode("latin-1", errors="replace"))
    return out


def test_truncated_file(shared, tmp_path):
    path = copy_with(tmp_path, shared, lambda t: t[: len(t) // 2])
    with pytest.raises(SourceError, match="truncated"):
        read_table_csv(path)


def test_bad_cell_names_line_and_column(shared, tmp_path):
    path = copy_with(tmp_path, shared, lambda t: t.replace(
        "DG;Deutschland;Verarbeitendes Gewerbe (C);6930836", "DG;Deutschland;Verarbeitendes Gewerbe (C);69x0836"))
    with pytest.raises(SourceError, match=r"t.csv, line 15: column 4: '69x0836' is neither"):
        read_table_csv(path)


def test_unknown_layout_and_encoding(shared, tmp_path):
    path = copy_with(tmp_path, shared, lambda t: "Tabelle: x\n" + t)
    with pytest.raises(SourceError, match="line 1: expected 'GENESIS-Tabelle"):
        read_table_csv(path)
    utf8 = tmp_path / "u.csv"
    utf8.write_bytes((shared / FILES / "13111-07-05-4_2018.csv").read_bytes().decode("latin-1")
                     .encode("utf-8"))
    with pytest.raises(SourceError, match="UTF-8, expected Latin-1"):
        read_table_csv(utf8)
