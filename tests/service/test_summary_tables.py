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
