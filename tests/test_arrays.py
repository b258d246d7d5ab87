"""Arrow ↔ numpy without pandas (clusteratlas/_arrays.py, issue 17.2): the same arrays
as pyarrow's own conversions, and pandas never imported for them."""

import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from clusteratlas._arrays import numeric, text, to_numpy


@pytest.mark.parametrize("values", [
    np.arange(11, dtype=np.int8), np.arange(5, dtype=np.int16) - 2,
    np.arange(7, dtype=np.int32), np.arange(9, dtype=np.uint64),
    np.array([0.5, -1.0, np.inf]), np.array([1.5, 2.5], dtype=np.float32),
    np.array([True, False, True, True, False, False, True, True, True, False]),
    np.zeros(0), np.arange(20, dtype=np.int64)[::3],
])
def test_numeric_is_pyarrows_array(values):
    got = numeric(values)
    got.validate(full=True)
    assert got.equals(pa.array(values))
    assert got.type == pa.array(values).type


def test_nan_is_null_where_pandas_makes_it_one():
    values = np.array([1.0, np.nan, 3.0, np.nan, 5.0, 6.0, 7.0, 8.0, np.nan])
    got = numeric(values, nan_is_null=True)
    got.validate(full=True)
    assert got.null_count == 3
    assert got.equals(pa.array(values, from_pandas=True))
    # without the option NaN is a value, as in pa.array
    assert numeric(values).null_count == 0


def test_numeric_refuses_what_is_not_a_vector_of_numbers():
    with pytest.raises(TypeError, match="one-dimensional array of numbers"):
        numeric(np.array(["a"], dtype=object))
    with pytest.raises(TypeError, match="one-dimensional"):
        numeric(np.zeros((2, 2)))


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_text_is_pyarrows_array(kind):
    labels = ["08111", "Überlingen", "", "ß" * 40, "x"]
    got = text(labels, kind)
    got.validate(full=True)
    assert got.equals(pa.array(labels, kind))


def test_to_numpy_is_arrows_conversion():
    base = pa.array(np.arange(10, dtype=np.int32))
    chunked = pa.chunked_array([base.slice(3, 4), base, base.slice(9)])
    for array in (base, base.slice(2, 5), chunked, pa.chunked_array([], pa.int16()),
                  pa.array([1.0, None, 3.0]), pa.array([True, False])):
        got = to_numpy(array)
        want = array.to_numpy(zero_copy_only=False) if isinstance(array, pa.Array) \
            else np.asarray(array.to_numpy())
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    assert np.isnan(to_numpy(pa.array([1.0, None]))[1])


def test_no_pandas_is_imported():
    probe = ("import json, sys, numpy as np, pyarrow as pa\n"
             "from clusteratlas._arrays import numeric, text, to_numpy\n"
             "numeric(np.array([1.0, np.nan]), nan_is_null=True); numeric(np.ones(3, bool))\n"
             "pa.DictionaryArray.from_arrays(numeric(np.zeros(2, np.int16)), text(['a']))\n"
             "to_numpy(pa.chunked_array([numeric(np.arange(4))] * 2))\n"
             "print(json.dumps('pandas' in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert json.loads(out.strip().splitlines()[-1]) is False


def test_a_view_of_arrows_memory_is_read_only():
    """As Arrow's own ``to_numpy``: the panel's arrays cannot write into the table."""
    source = np.arange(5, dtype=np.int32)
    view = to_numpy(pa.array(source))
    assert not view.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        view[0] = 7
