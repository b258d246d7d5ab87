"""The mapping's kernels compile without numba's full context refresh, to the same
machine code (core/_jit.py: light_compiles; issue 17.2, half a second of CPU in each
of the two processes that compile on a fresh install)."""

import os
import subprocess
import sys
import textwrap

import numba
import pytest

from clusteratlas.core import _jit
from clusteratlas.core._jit import LIGHT_COMPILES_VERIFIED, _verified, light_compiles

pytestmark = pytest.mark.skipif(
    not _verified(numba.__version__, LIGHT_COMPILES_VERIFIED),
    reason=f"light compiles are verified for numba {LIGHT_COMPILES_VERIFIED[0]} up to "
    f"{LIGHT_COMPILES_VERIFIED[1]}, not {numba.__version__}: kernels compile as numba "
    "compiles them")

# every kernel of the light modules compiled into an empty cache, its LLVM IR hashed;
# then, in the same process, a function that needs what the light refresh left out
_SCRIPT = textwrap.dedent("""
    import hashlib, re, sys
    if sys.argv[1] == "full":
        from clusteratlas.core import _jit
        _jit._verified = lambda *version: False  # numba's own refresh throughout
    import numpy as np
    from numba import njit
    from clusteratlas.core import _aggregate, _cells, _columns
    from clusteratlas.service.mapping import warm_up

    warm_up(compile=True)
    flags = np.zeros(3, np.bool_)
    _aggregate._unknown_cells(0, 3, flags, flags, np.zeros(3))
    light = "numba.np.arraymath" not in sys.modules
    hashes = []
    for module in (_aggregate, _cells, _columns):
        for name, kernel in sorted(vars(module).items()):
            if getattr(getattr(kernel, "py_func", None), "__module__", "") == module.__name__:
                assert kernel.signatures, name  # every kernel compiled
                for sig in kernel.signatures:
                    # numba numbers the functions it compiles in a process: the
                    # names' numbers are not the code
                    ir = re.sub(r"B\\d+v\\d+B", "B_v_B", kernel.inspect_llvm(sig))
                    hashes.append(f"{name}:{hashlib.sha1(ir.encode()).hexdigest()}")

    @njit
    def median(x):  # numba's array functions: registered by its full refresh
        return np.median(x)

    print(light, median(np.array([3.0, 1.0, 2.0, 10.0])), " ".join(hashes))
""")


def test_the_light_compiles_are_in_effect():
    assert light_compiles("clusteratlas.core._columns") is True
    assert numba.core.cpu.CPUContext.load_additional_registries._clusteratlas_light


def test_verified_versions():
    assert _verified("0.68.1", LIGHT_COMPILES_VERIFIED)
    assert not _verified("0.67.0", LIGHT_COMPILES_VERIFIED)  # loads yes, compiles no
    assert _verified("0.67.0")
    assert not _verified("0.69.0", LIGHT_COMPILES_VERIFIED)


def test_no_compile_is_left_under_way_after_one_fails():
    """A light kernel whose compile fails leaves this thread's compiles as they were:
    the next compile elsewhere is not taken for light."""
    def broken(x):
        return x.no_such_attribute

    broken.__module__ = "clusteratlas.core._columns"  # as if in a light module
    assert light_compiles("clusteratlas.core._columns")
    with pytest.raises(numba.core.errors.TypingError):
        numba.njit(broken)(1.0)
    assert _jit._compiles() == []
    assert numba.njit(lambda x: x + 1)(1) == 2
    assert _jit._compiles() == []


def test_kernels_compile_to_the_same_code_without_the_full_refresh(tmp_path):
    runs = {}
    for mode in ("light", "full"):
        env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / f"cache-{mode}")}
        done = subprocess.run([sys.executable, "-c", _SCRIPT, mode], env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        runs[mode] = done.stdout.split(" ", 2)
    light, full = runs["light"], runs["full"]
    # the light run compiled every kernel without numba's array functions, the full
    # one with them
    assert (light[0], full[0]) == ("True", "False")
    # a later compile that needs them refreshes fully, in the light run too
    assert light[1] == full[1] == "2.5"
    kernels = full[2].split()
    assert len(kernels) == 7  # _aggregate 3, _cells 2, _columns 2 (helpers linked in)
    assert light[2].split() == kernels  # the same LLVM IR, kernel by kernel


def test_a_kernel_elsewhere_that_calls_a_light_helper_compiles(tmp_path):
    """Fully refreshed first (a kernel of another module), then lightly for the helper it
    calls from a light module: what the helper's intrinsics register is installed
    (``int()`` on a float is numba's intrinsic ``cast_int``)."""
    script = textwrap.dedent("""
        import numpy as np
        from numba import njit
        from clusteratlas.core._columns import _quantile_select

        @njit
        def median(values):
            return _quantile_select(values, 0.5)

        print(median(np.array([4.0, 1.0, 3.0, 2.0])))
    """)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2.5"
