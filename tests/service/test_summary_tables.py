"""The summary tables written without pandas (service/mapping.py: _as_from_pandas,
issue 17.2) are the tables pandas writes of the same frames."""

import numpy as np
import pyarrow as pa
import pytest

from clusteratlas.core.mapping import CodedColumn, SummaryColumns
from clusteratlas.service.mapping import _arrow


@pytest.mark.parametrize("n_labels", [3, 126, 127, 200, 40_000])
def test_summary_columns_give_the_table_of_their_frame(n_labels):
    rng = np.random.default_rng(n_labels)
    n = 500
    labels = [f"{i:05d}" for i in range(n_labels)]
    share = rng.random(n)
    share[rng.random(n) < 0.2] = np.nan
    columns = SummaryColumns({
        "region": CodedColumn(rng.integers(0, n_labels, n), labels),
        "year": rng.integers(2000, 2020, n).astype(np.int64),
        "employment": rng.random(n) * 1e6,
        "share": share,
        "count": rng.integers(0, 9, n),
        "flag": rng.random(n) < 0.5,
    })
    got = _arrow(columns)
    want = pa.Table.from_pandas(columns.frame(), preserve_index=False)
    assert got.equals(want, check_metadata=True)
    assert got.schema.equals(want.schema, check_metadata=True)
    assert got.column("share").null_count == int(np.isnan(share).sum())


def test_a_summary_column_of_text_is_refused():
    with pytest.raises(TypeError, match="not a number"):
        _arrow(SummaryColumns({"name": np.array(["a", "b"], dtype=object)}))


def test_cells_that_came_through_a_dataframe_keep_their_dictionary_codes(tmp_path, capsys):
    """Estimated cells (``--fill-suppressed``) pass through a DataFrame
    (``MappingResult.from_cells``): their code columns are pandas Categoricals, and are
    written as the same dictionary columns as the streamed cells' codes."""
    import pandas as pd
    import pyarrow.parquet as pq

    from clusteratlas.cli.main import main

    codes = pd.Categorical.from_codes([0, 2, 1], categories=["08111", "08115", "08116"])
    table = _arrow({"region": codes, "lq": np.array([1.0, 2.0, 0.5])})
    assert table.schema.field("region").type == pa.dictionary(pa.int8(), pa.string())
    assert not table.schema.field("region").nullable
    assert table.column("region").to_pylist() == ["08111", "08116", "08115"]

    panel = tmp_path / "p.csv"
    panel.write_text("region,industry,year,employment,flag\n"
                     "08111,C,2020,,suppressed\n08111,G,2020,40,reported\n"
                     "08111,TOTAL,2020,100,reported\n08115,C,2020,30,reported\n"
                     "08115,G,2020,50,reported\n08115,TOTAL,2020,80,reported\n")
    out = tmp_path / "o.parquet"
    assert main(["map", str(panel), "--out", str(out), "--fill-suppressed"]) == 0
    capsys.readouterr()
    schema = pq.read_schema(out)
    assert schema.field("region").type == pa.dictionary(pa.int8(), pa.string())
    assert schema.field("category").type == pa.dictionary(pa.int8(), pa.string())
    cells = pq.read_table(out).to_pandas()
    assert cells.loc[(cells["region"] == "08111") & (cells["category"] == "C"),
                     "employment"].item() == 60.0  # the region total less the rest
