"""Arrow arrays and numpy arrays of each other, without pandas.

``pa.array`` asks pyarrow's pandas shim whether its argument is a pandas object, and
Arrow's conversion to numpy (``to_numpy``) sets up its pandas objects first: either
imports pandas the first time – a third of a second of the interpreter's time, which
``map`` needs for nothing else when it reads and writes Parquet.  These go through the
arrays' buffers instead and give the same arrays: numbers without a copy, booleans
packed into bits, NaN as null where pandas would make it one (``nan_is_null``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

__all__ = ["numeric", "text", "to_numpy"]


def numeric(values: np.ndarray, *, nan_is_null: bool = False) -> pa.Array:
    """``pa.array(values, from_pandas=nan_is_null)`` of a one-dimensional numpy array
    of numbers or booleans."""
    values = np.ascontiguousarray(values)
    if values.ndim != 1 or values.dtype.kind not in "biuf":
        raise TypeError(f"expected a one-dimensional array of numbers, not {values.dtype} "
                        f"with {values.ndim} dimensions")
    n = len(values)
    validity, nulls = None, 0
    if nan_is_null and values.dtype.kind == "f":
        missing = np.isnan(values)
        nulls = int(missing.sum())
        if nulls:
            validity = pa.py_buffer(np.packbits(~missing, bitorder="little"))
    if values.dtype.kind == "b":
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), n, [validity, data], null_count=nulls)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), n,
                                 [validity, pa.py_buffer(values)], null_count=nulls)


def text(values: Sequence[str], type: pa.DataType | None = None) -> pa.Array:
    """``pa.array(list(values), type)`` of strings (``type``: string or large_string)."""
    type = type or pa.string()
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, np.int64 if type == pa.large_string() else np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return pa.Array.from_buffers(type, len(encoded),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


_NUMPY = {pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32,
          pa.int64(): np.int64, pa.uint8(): np.uint8, pa.uint16(): np.uint16,
          pa.uint32(): np.uint32, pa.uint64(): np.uint64, pa.float32(): np.float32,
          pa.float64(): np.float64}


def to_numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """``array.to_numpy(zero_copy_only=False)``: for numbers without nulls a view of
    the buffer (of each chunk, joined), else Arrow's own conversion."""
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    kind = _NUMPY.get(array.type)
    if kind is None or any(c.null_count for c in chunks):
        return np.asarray(array.to_numpy(zero_copy_only=False))
    size = np.dtype(kind).itemsize
    views = [np.frombuffer(c.buffers()[1], dtype=kind, count=len(c), offset=c.offset * size)
             for c in chunks]
    if len(views) == 1:
        views[0].flags.writeable = False  # Arrow's memory, as Arrow's own view of it
        return views[0]
    return np.concatenate(views) if views else np.zeros(0, kind)
