"""Fixtures of the service tests."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest


def _big_panel(path, n=2_000_000):
    """A panel that takes ``map`` a second or more: 400 regions × 900 industries."""
    rng = np.random.default_rng(1)
    pq.write_table(pa.table({"region": pa.array(rng.integers(0, 400, n), pa.int32()),
                             "industry": pa.array(rng.integers(0, 900, n), pa.int32()),
                             "year": pa.array(np.full(n, 2020), pa.int16()),
                             "employment": pa.array(rng.integers(1, 99, n), pa.int32())}), path)
    return path


@pytest.fixture
def big_panel():
    """``big_panel(path, n=2_000_000)`` writes a large integer-coded Parquet panel."""
    return _big_panel
