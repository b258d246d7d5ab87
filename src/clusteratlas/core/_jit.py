"""Small inputs on a fresh install: run a kernel's Python source instead of compiling it.

The mapping kernels are numba functions cached on disk (``cache=True``).  On a fresh
install the cache is empty and the first call compiles every kernel – tens of seconds
on a small machine, far longer than the kernels' own Python code needs for a small
panel such as the demo (issue 17.4: the first page of a new data directory).  So
:func:`pick` hands out the compiled kernel when its cache is filled or the input is
large, and otherwise the *Python twin*: the kernel's own function, with every kernel it
calls replaced by that one's twin.  The twin runs the very same code, operation by
operation, on the same float64 values (the kernels use neither ``fastmath`` nor
parallel reductions), so both give the same numbers; tests/core/test_kernels.py checks
that they are bitwise equal.
"""

from __future__ import annotations

import os
import threading
import time
import types
import weakref
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["SMALL", "Claims", "claims", "cold", "compiling", "light_cache_loads",
           "light_compiles", "pick", "python_twin", "use_claims"]

from clusteratlas.core._kernel_names import SMALL

_TWINS: dict[int, Callable[..., Any]] = {}


def _is_kernel(value: Any) -> bool:
    return hasattr(value, "py_func") and hasattr(value, "signatures")


def python_twin(kernel: Any) -> Callable[..., Any]:
    """``kernel``'s Python function, calling the twins of the kernels it calls."""
    if not _is_kernel(kernel):  # NUMBA_DISABLE_JIT: already plain Python
        return kernel  # type: ignore[no-any-return]
    twin = _TWINS.get(id(kernel))
    if twin is None:
        fn = kernel.py_func
        namespace = dict(fn.__globals__)
        twin = types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__,
                                  fn.__closure__)
        _TWINS[id(kernel)] = twin
        for name, value in list(namespace.items()):
            if _is_kernel(value):
                namespace[name] = python_twin(value)
    return twin


def _warm(kernel: Any) -> bool:
    """Compiled in this process, or found in numba's cache on disk."""
    if kernel.signatures:
        return True
    cache = getattr(kernel, "_cache", None)
    index = getattr(getattr(cache, "_cache_file", None), "_index_path", None)
    return isinstance(index, str) and os.path.exists(index)


_COMPILING = threading.local()


@contextmanager
def compiling() -> Iterator[None]:
    """In this block, on this thread, :func:`pick` hands out the compiled kernel
    whatever the input's size: a thread that maps a tiny panel to load the kernels
    (:func:`clusteratlas.service.mapping.warm_up`) compiles them on a fresh install,
    ahead of the large panel that needs them (except those another process has
    claimed: :class:`Claims`)."""
    before = getattr(_COMPILING, "on", False)
    _COMPILING.on = True
    try:
        yield
    finally:
        _COMPILING.on = before


def pick(kernel: Any, *args: Any) -> Callable[..., Any]:
    """The compiled ``kernel``, or its Python twin for small ``args`` while its cache
    is empty (except in a :func:`compiling` block).

    Where two processes compile the kernels (:func:`use_claims`), a kernel is compiled
    by the one that claims it first: in a :func:`compiling` block a kernel that the
    other process has claimed runs as its twin; for large ``args`` this waits until
    the other process has compiled it into the cache (or claims it, if nobody has)."""
    if not _is_kernel(kernel) or _warm(kernel):
        return kernel  # type: ignore[no-any-return]
    size = max((a.size for a in args if isinstance(a, np.ndarray)), default=0)
    shared = _CLAIMS
    if size > SMALL:
        if shared is not None:
            shared.wait_for(kernel)
        return kernel  # type: ignore[no-any-return]
    if getattr(_COMPILING, "on", False):
        if shared is None:
            return kernel  # type: ignore[no-any-return]
        return shared.compile_or_twin(kernel)
    return python_twin(kernel)


def cold(kernels: Collection[Any]) -> bool:
    """Whether any of ``kernels`` is neither compiled here nor in numba's cache."""
    return any(_is_kernel(k) and not _warm(k) for k in kernels)


class Claims:
    """Which of two processes compiles a kernel on a fresh install: the one that claims
    it first, with an exclusive ``flock`` on a file named after the kernel in
    ``folder`` (a folder both share, made for one command: :func:`use_claims`).

    A claim taken to compile a tiny panel is held while the kernel compiles and given
    back after that call; one that a process dies with is given back by the system.
    A process that finds a kernel claimed runs its Python twin on a tiny panel
    (:meth:`compile_or_twin`), or waits for it where it needs the compiled kernel
    (:meth:`wait_for`, which keeps the claim if it then compiles the kernel itself).
    Only the pipeline of the first process waits; the threads that compile tiny
    panels and the second process never do, so no two wait for each other.  Once the
    folder is gone (the other process has ended) or the system refuses the lock, this
    process compiles on its own (:attr:`alone`)."""

    #: the longest :meth:`wait_for` waits for another process's claim (then this one
    #: compiles the kernel itself)
    PATIENCE = 120.0

    def __init__(self, folder: str) -> None:
        import fcntl  # POSIX only: elsewhere no claims, no second process

        self.folder = folder
        self._flock = fcntl.flock
        self._try = fcntl.LOCK_EX | fcntl.LOCK_NB
        self._kept: list[int] = []
        #: no other process to share with any more: every kernel is compiled here
        self.alone = False

    def _claim(self, kernel: Any, patience: float) -> int | None:
        fn = kernel.py_func
        try:
            fd = os.open(os.path.join(self.folder, f"{fn.__module__}.{fn.__qualname__}"),
                         os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:  # the folder is gone: the other process has ended
            self.alone = True
            return None
        deadline = time.monotonic() + patience
        while True:
            try:
                self._flock(fd, self._try)
                return fd
            except BlockingIOError:
                # held: by the other process, or by a thread of this one, which may
                # have finished compiling it meanwhile
                if time.monotonic() >= deadline or kernel.signatures:
                    os.close(fd)
                    return None
                time.sleep(0.01)
            except OSError:  # no locks on this file system
                os.close(fd)
                self.alone = True
                return None

    def compile_or_twin(self, kernel: Any) -> Callable[..., Any]:
        """``kernel``, holding its claim for its first call (which compiles it), if
        nobody has claimed it; else its Python twin."""
        fd = self._claim(kernel, 0.0)
        if fd is None:
            return kernel if self.alone else python_twin(kernel)
        if _warm(kernel):  # compiled by the other process meanwhile: loaded, not compiled
            os.close(fd)
            return kernel  # type: ignore[no-any-return]
        return _Claimed(kernel, fd)

    def wait_for(self, kernel: Any) -> None:
        """Until no other process compiles ``kernel``; if it is still not in the cache
        then, the claim is kept: this process compiles it, the other need not."""
        fd = self._claim(kernel, self.PATIENCE)
        if fd is None:
            return
        if _warm(kernel):
            os.close(fd)
        else:
            self._kept.append(fd)


class _Claimed:
    """A kernel whose claim is given back after its first call (or when it is dropped
    uncalled)."""

    def __init__(self, kernel: Any, fd: int) -> None:
        self._kernel = kernel
        self._give_back = weakref.finalize(self, os.close, fd)

    def __call__(self, *args: Any) -> Any:
        try:
            return self._kernel(*args)
        finally:
            self._give_back()


_CLAIMS: Claims | None = None


def use_claims(folder: str | None) -> Claims | None:
    """From now on compile kernels in turn with another process through the claims in
    ``folder`` (:class:`Claims`; ``None``: alone again); the claims, or ``None`` where
    the system has no ``flock``."""
    global _CLAIMS
    try:
        _CLAIMS = None if folder is None else Claims(folder)
    except ImportError:
        _CLAIMS = None
    return _CLAIMS


def claims() -> Claims | None:
    """The claims in use (:func:`use_claims`)."""
    return _CLAIMS


_LIGHT = threading.Lock()

#: the numba versions whose cache loads :func:`light_cache_loads` was checked against
#: (what ``load_overload`` refreshes, which symbols cached code links against):
#: from this minor version up to, not including, the second
LIGHT_LOADS_VERIFIED = ((0, 60), (0, 69))

#: the numba versions whose compiler :func:`light_compiles` was checked against (the
#: registries its refresh installs; the same LLVM IR either way), likewise
LIGHT_COMPILES_VERIFIED = ((0, 68), (0, 69))


def _verified(version: str, window: tuple[tuple[int, int], tuple[int, int]] =
              LIGHT_LOADS_VERIFIED) -> bool:
    try:
        minor = tuple(int(part) for part in version.split(".")[:2])
    except ValueError:  # a version it cannot read (e.g. "0.68rc1"): as numba does
        return False
    return window[0] <= minor < window[1]


def light_cache_loads() -> bool:
    """Load this package's kernels from numba's cache without readying numba's whole
    compiler first; ``True`` where that is in effect (it is installed once, by the
    modules that define kernels).

    Before every cache load numba refreshes its target context
    (``numba.core.caching.Cache.load_overload``): it imports and registers the
    implementation of every function numba can compile (linear algebra, random,
    typed containers, …), half a second of interpreter time on a warm start of
    ``clusteratlas map``, on the thread that also reads the panel.  A cached kernel is
    machine code; to link it, numba needs only the symbols its runtime and its
    hashing register (NRT, ``_numba_hashsecret_*``); the others are registered when
    numba's first context is made, and a parallel kernel starts its threads through
    its own reload hook.  So for this package's kernels the load initialises just
    those two; a kernel that is not in the cache is compiled as before, and the
    compiler refreshes the context itself (``CompilerBase.__init__``).  The same
    shortcut was proposed upstream (numba PR #9806).  Kernels of other packages load
    as numba loads them; so does everything under a numba this was not verified
    with (:data:`LIGHT_LOADS_VERIFIED`), or whose cache classes are not the ones it
    was written for: loads are then slower, not different."""
    with _LIGHT:
        try:
            import numba
            from numba.core import caching
        except ImportError:  # numba absent: nothing is loaded from its cache
            return False
        if not _verified(numba.__version__):
            return False
        cache: Any = caching.Cache
        current = cache.load_overload
        if getattr(current, "_clusteratlas_light", False):
            return True
        if not (hasattr(cache, "_load_overload")
                and hasattr(cache, "_guard_against_spurious_io_errors")):
            return False

        def load_overload(self: Any, sig: Any, target_context: Any) -> Any:
            module = getattr(getattr(self, "_py_func", None), "__module__", None) or ""
            if not module.startswith("clusteratlas."):
                return current(self, sig, target_context)
            _ready_for_linking(target_context)
            with self._guard_against_spurious_io_errors():
                return self._load_overload(sig, target_context)
            return None  # a spurious I/O error was swallowed: numba compiles instead

        load_overload._clusteratlas_light = True  # type: ignore[attr-defined]
        cache.load_overload = load_overload
        return True


def _ready_for_linking(target_context: Any) -> None:
    """The part of numba's context refresh that cached machine code links against."""
    import numba.cpython.hashing  # noqa: F401  (registers _numba_hashsecret_* on import)
    from numba.core.runtime.nrt import rtsys

    rtsys.initialize(target_context)


#: the modules whose kernels compile after a light refresh (:func:`light_compiles`)
_LIGHT_MODULES: set[str] = set()
_IN_LIGHT = threading.local()


def light_compiles(module: str) -> bool:
    """Compile the kernels of ``module`` without readying numba's whole compiler first;
    ``True`` where that is in effect.

    Before every compile numba refreshes its target context
    (``numba.core.cpu.CPUContext.load_additional_registries``): the first time, it
    imports and registers the implementation of every function numba can compile
    (array reductions and sorts, linear algebra, random, polynomials, typed
    containers, strings, jitclasses, third-party extensions) – half a second of
    interpreter time in each of the two processes that compile the mapping's
    kernels on a fresh install (:mod:`clusteratlas.service.compile_ahead`), on a
    machine whose cores are then both busy.  The mapping's kernels use loops over
    arrays, arithmetic, ``math`` and numpy's ufuncs only, so while one of them (with
    everything it calls) compiles, the refresh registers just those
    implementations (:func:`_light_registries`); any other compile in the process
    refreshes as numba does, registering the rest then (numba's registries are
    loaded incrementally).  The machine code is the same either way:
    tests/core/test_light_compiles.py compares the LLVM IR of every kernel compiled both
    ways.  A kernel of a light module that needs more (numpy's array functions,
    lists, strings, ``print``) fails to compile in a fresh process: that test
    compiles every kernel of the light modules in one.  Under a numba this was not
    verified with (:data:`LIGHT_COMPILES_VERIFIED`) the refresh is numba's own."""
    with _LIGHT:
        try:
            import numba
            from numba.core import cpu
            from numba.core import event as events
        except ImportError:  # numba absent: nothing is compiled
            return False
        if not _verified(numba.__version__, LIGHT_COMPILES_VERIFIED):
            return False
        context: Any = cpu.CPUContext
        current = context.load_additional_registries
        if not getattr(current, "_clusteratlas_light", False):

            def load_additional_registries(self: Any) -> None:
                stack = _compiles()
                if stack and stack[-1][1]:
                    _light_registries(self)
                else:
                    current(self)

            class LightCompile(events.Listener):
                """Keeps this thread's compiles under way (:func:`_compiles`): a kernel
                of a light module makes it and what it compiles meanwhile (its
                helpers, numba's own overloads) light."""

                def on_start(self, ev: Any) -> None:
                    stack = _compiles()
                    light = bool(stack and stack[-1][1]) or _light_kernel(ev.data["dispatcher"])
                    stack.append((ev.data["dispatcher"], light))

                def on_end(self, ev: Any) -> None:
                    # back to this compile's caller (also past a compile whose end
                    # another listener kept from being seen)
                    stack = _compiles()
                    if any(d is ev.data["dispatcher"] for d, _ in stack):
                        while stack.pop()[0] is not ev.data["dispatcher"]:
                            pass

            load_additional_registries._clusteratlas_light = True  # type: ignore[attr-defined]
            context.load_additional_registries = load_additional_registries
            register: Any = events.register
            register("numba:compile", LightCompile())
        _LIGHT_MODULES.add(module)
        return True


def _compiles() -> list[tuple[Any, bool]]:
    """This thread's compiles under way, innermost last, each with whether it is
    light: a kernel of a light module, or anything compiled while one compiles."""
    stack: list[tuple[Any, bool]] | None = getattr(_IN_LIGHT, "stack", None)
    if stack is None:
        stack = _IN_LIGHT.stack = []
    return stack


def _light_kernel(dispatcher: Any) -> bool:
    module = getattr(getattr(dispatcher, "py_func", None), "__module__", None)
    return module in _LIGHT_MODULES


def _light_registries(context: Any) -> None:
    """What numba's refresh registers that the light modules' kernels need: the
    runtime, Python's numbers, ranges, tuples, slices and iteration, arrays, ``math``
    and numpy's ufuncs (``CPUContext.load_additional_registries`` without the rest)."""
    from numba.core import inline_closurecall, optional  # noqa: F401
    from numba.core.runtime.nrt import rtsys
    from numba.cpython import (  # noqa: F401
        builtins,
        enumimpl,
        hashing,
        iterators,
        mathimpl,
        numbers,
        rangeobj,
        slicing,
        tupleobj,
    )
    from numba.misc import literal  # noqa: F401
    from numba.np import arrayobj, npyimpl  # noqa: F401
    from numba.np.unsafe import ndarray  # noqa: F401  (numba's fix for its issue 8940)

    rtsys.initialize(context)
    # what was registered since into a registry installed before: numba lowers each
    # intrinsic it types into the registry installed first (numba.core.typing.
    # templates: _get_target_registry), whichever that is
    for registry in list(context._registries):
        context.install_registry(registry)
    context.install_registry(mathimpl.registry)
    context.install_registry(npyimpl.registry)
