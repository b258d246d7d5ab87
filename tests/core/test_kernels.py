"""The hand-written kernels of the mapping pipeline give numba's and numpy's results
to the bit, on any number of threads (issue 17.2)."""

import numpy as np
import pytest
from numba import njit

from clusteratlas.core import _threads
from clusteratlas.core._columns import _argsort, _quantile_select, column_statistics
from clusteratlas.core._keys import first_duplicate


@njit(cache=True)
def numba_argsort(a):
    return np.argsort(a)


# the helpers are compiled into the kernels that call them (register_jitable): a
# kernel of the test's own calls their compiled form
@njit(cache=True)
def compiled_argsort(a, order, keys, lo, hi):
    _argsort(a, order, keys, lo, hi)


@njit(cache=True)
def compiled_quantile_select(values, q):
    return _quantile_select(values, q)


def our_argsort(a, sort=compiled_argsort):
    order = np.empty(a.size, np.int64)
    keys = np.empty(a.size)
    stack = np.zeros((2, 100), np.int64)
    sort(a, order, keys, stack[0], stack[1])
    # the values moved with their indices
    np.testing.assert_array_equal(keys, a[order])
    return order


@pytest.mark.parametrize("n", [0, 1, 2, 14, 15, 16, 17, 100, 2_000])
def test_argsort_is_numbas_quicksort_ties_included(n):
    rng = np.random.default_rng(n)
    for values in (rng.integers(0, 5, n).astype(float),  # many ties
                   rng.random(n),
                   np.sort(rng.random(n)), np.sort(rng.random(n))[::-1].copy(),
                   np.where(rng.random(n) < 0.1, np.inf, rng.integers(0, 3, n) / 7.0),
                   np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 3, n) / 7.0)):
        # the same permutation, not just a sorting one: tied values keep numba's order
        np.testing.assert_array_equal(our_argsort(values), numba_argsort(values))
        if n <= 100:  # as Python (a kernel's twin), the same again
            np.testing.assert_array_equal(our_argsort(values, _argsort), numba_argsort(values))


@pytest.mark.parametrize("q", [0.0, 0.25, 0.5, 0.75, 0.9, 1.0])
def test_quantile_select_is_the_type_7_quantile(q):
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 10, 11, 1_000):
        for values in (rng.lognormal(3, 1.5, n), rng.integers(1, 4, n).astype(float)):
            s = np.sort(values)
            pos = q * (n - 1)
            k = int(np.floor(pos))
            expected = s[k] if k + 1 >= n or pos == k else s[k] + (pos - k) * (s[k + 1] - s[k])
            assert compiled_quantile_select(values.copy(), q) == expected
            assert _quantile_select(values.copy(), q) == expected  # as Python
    assert np.isnan(compiled_quantile_select(np.zeros(0), q))
    assert np.isnan(_quantile_select(np.zeros(0), q))


def columns_on(threads, monkeypatch):
    monkeypatch.setattr(_threads, "n_threads", lambda: threads)
    rng = np.random.default_rng(11)
    n_r, n_c, n_t = 60, 9, 4
    emp = np.where(rng.random(n_r * n_c * n_t) < 0.5, 0.0,
                   rng.integers(1, 40, n_r * n_c * n_t).astype(float))
    est = np.ceil(emp / 3)
    flat = np.flatnonzero(emp > 0)
    totals = emp.reshape(n_r, n_c, n_t).sum(axis=1).T + 10.0
    return column_statistics(flat, emp, est, totals, n_c, n_t, np.array([0.9, 0.25]),
                             np.array([0.9, 0.75, 0.9]), np.array([0.25]))


def test_column_statistics_do_not_depend_on_the_threads(monkeypatch):
    one = columns_on(1, monkeypatch)
    for threads in (2, 3, 8):
        for a, b in zip(one, columns_on(threads, monkeypatch), strict=True):
            np.testing.assert_array_equal(a, b)
    assert np.isfinite(one[3]).all()


def test_first_duplicate_names_the_first_repeated_row():
    r = np.array([0, 1, 0, 2, 1, 0])
    i = np.array([0, 0, 1, 0, 0, 1])
    y = np.array([0, 0, 0, 0, 0, 0])
    none = np.zeros(0, np.int64)
    assert first_duplicate(r, i, y, 2, 1, none) == 4  # row 4 repeats row 1
    assert first_duplicate(r[:4], i[:4], y[:4], 2, 1, none) == -1
    assert first_duplicate(r[:4], i[:4], y[:4], 2, 1, np.array([1, 1, 2, 1])) == 2
    assert first_duplicate(r, i, y, 2, 1, np.array([1, 1, 1, 3, 1, 1])) == 3
    # key spaces too large for a flag per key take the sorting route
    big = np.array([5_000_000, 7, 5_000_000, 7])
    assert first_duplicate(big, np.array([999, 3, 999, 4]), np.zeros(4, np.int64), 1_000, 40,
                           none) == 2
    assert first_duplicate(r[:0], i[:0], y[:0], 2, 1, none) == -1


def test_a_compiling_block_hands_out_the_compiled_kernel_on_its_thread_only(monkeypatch):
    """On a fresh install a tiny input runs a kernel's Python twin (core/_jit.py); the
    warm-up of a large panel compiles the kernels ahead instead (``compiling``), on its
    own thread, while other threads keep the twins."""
    import threading

    from clusteratlas.core import _jit
    from clusteratlas.core._columns import _by_column as kernel

    monkeypatch.setattr(_jit, "_warm", lambda kernel: False)  # as with an empty cache
    tiny = np.zeros((1, 1))
    assert _jit.pick(kernel, tiny) is not kernel
    seen = []
    with _jit.compiling():
        assert _jit.pick(kernel, tiny) is kernel
        other = threading.Thread(target=lambda: seen.append(_jit.pick(kernel, tiny)))
        other.start()
        other.join()
    assert seen[0] is not kernel
    assert _jit.pick(kernel, tiny) is not kernel
    # a large input gets the compiled kernel anyway
    assert _jit.pick(kernel, np.zeros(_jit.SMALL + 1)) is kernel


def test_the_cube_memory_written_ahead_is_the_zeros_aggregate_rows_needs():
    """``CubeMemory`` zeroes the cube's arrays on another thread (core/_aggregate.py):
    the sums are the ones of arrays allocated on the spot, an array of another size is
    not taken, and an error of the thread comes back where the arrays are claimed."""
    from clusteratlas.core._aggregate import CubeMemory, aggregate_rows

    region = np.array([0, 1, 1, 0], np.int32)
    year = np.array([0, 0, 1, 1], np.int32)
    industry = np.array([0, 1, 0, 1], np.int32)
    cat_of = np.array([0, 1], np.int64)
    emp = np.array([1.0, 2.0, np.nan, 4.0])
    sup = np.array([False, False, True, False])
    empty = np.zeros(0)
    plain = aggregate_rows(region, year, industry, cat_of, emp, sup, empty, empty, 2, 2, 2)
    memory = CubeMemory(8, suppressed=True, establishments=False, wages=False)
    ahead = aggregate_rows(region, year, industry, cat_of, emp, sup, empty, empty, 2, 2, 2,
                           memory)
    for a, b in zip(plain, ahead, strict=True):
        assert a.dtype == b.dtype
        assert np.array_equal(a, b, equal_nan=True)
    assert np.nansum(ahead[0]) == 7.0
    assert ahead[2].sum() == 1  # the suppressed row counted
    assert memory._arrays == {}  # every array written ahead was taken
    wrong = CubeMemory(5, suppressed=False, establishments=False, wages=False)
    assert wrong.claim("emp", 8, np.float64).size == 8
    failing = CubeMemory(1 << 62, suppressed=False, establishments=False, wages=False)
    with pytest.raises(ValueError, match="too big"):  # numpy's, raised on the claiming thread
        failing.claim("emp", 1 << 62, np.float64)


def test_sums_in_order_are_a_loops_sums_to_the_bit():
    """The per-year sums that replaced two small kernels (core/_aggregate.py): each
    term added in turn to 0.0, not pairwise as ``np.sum`` adds."""
    from clusteratlas.core._aggregate import sums_in_order

    def loop(values, axis):
        values = np.moveaxis(values, axis, -1)
        out = np.zeros(values.shape[:-1])
        for index in np.ndindex(out.shape):
            for x in values[index]:
                out[index] += x
        return out

    rng = np.random.default_rng(17)
    cases = [rng.lognormal(5, 3, (7, 3_000)), rng.random((4, 1_000)) * 1e-3 + 1e6,
             np.array([[-0.0, -0.0], [np.nan, 1.0], [np.inf, 2.0]]), np.zeros((3, 0))]
    differs = False
    for values in cases:
        for axis in (0, 1):
            got = sums_in_order(values, axis)
            assert got.tobytes() == loop(values, axis).tobytes()
            differs |= got.tobytes() != values.sum(axis=axis).tobytes()
    assert differs  # pairwise summation would have rounded differently
