"""What the process running the command line is, and the settings of a process that
runs one command and ends (the console script, :mod:`clusteratlas.cli.launch`).

This module imports only the standard library: the launcher applies ``map``'s settings
before numpy, Arrow and numba are imported or allocate anything.  Each setting says
why, with what it saved on the benchmark panel (bench/mapping.py)."""

from __future__ import annotations

import os
import sys
from typing import Any

from clusteratlas.core._blas_probe import block_blas_probe

__all__ = ["PROCESS", "hold_collector", "hold_interrupts", "keep_freed_memory",
           "one_blas_thread", "prepare_map", "settle"]


class _Process:
    """What the running process is: ``one_command`` when it is the console script
    (:func:`clusteratlas.cli.main.run`), which runs one command and ends – not a test
    or a program calling the app."""

    one_command = False
    #: set by a command whose files are all written and closed, and which started
    #: nothing that must be shut down (no DuckDB connection, no Spark session): the
    #: process then ends without tearing down the interpreter
    #: (:func:`clusteratlas.cli.main.run`)
    done_at_once = False
    #: set by the console script when it started reading a ``map``'s panel before the
    #: command line was parsed: a command that fails ends at once, without waiting for
    #: that read (:func:`clusteratlas.cli.main.run`)
    reading_ahead = False
    #: Ctrl-C held back while the libraries are imported (:func:`hold_interrupts`)
    interrupts_held = False
    #: the heap readied for transparent huge pages (:func:`_heap_in_huge_pages`), once
    heap_in_huge_pages = False


PROCESS = _Process()


def hold_collector() -> None:
    """No garbage collection while a process that runs this one command imports the
    command's libraries: each collection the imports' allocations trigger walks every
    object imported so far, a twentieth of ``map``'s time on the benchmark panel.
    :func:`settle` freezes what was imported and collects as usual again."""
    if PROCESS.one_command:
        import gc

        gc.disable()


def hold_interrupts() -> None:
    """Hold Ctrl-C back while ``map`` imports its libraries on several threads at once
    (:mod:`clusteratlas.cli.launch`), until :func:`settle`.

    Ctrl-C that lands in the middle of an import on one thread, while another imports
    too, can leave an import lock behind that the other waits for forever, or be
    printed as "Exception ignored" and lost.  Held back, it arrives when the imports
    are done (:func:`settle`) and ends the command as usual (exit code 130); a command
    that fails before, as a usage error, ends with its own error.  Threads started
    meanwhile keep it held: the main thread is the one that gets it."""
    import signal

    if PROCESS.one_command and hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        PROCESS.interrupts_held = True


def settle() -> None:
    """Keep what the command imported out of the garbage collector's way
    (:func:`gc.freeze`), in a process that runs this one command and ends.

    The libraries a command imports are some hundred thousand objects that live until
    the process ends; every full collection during the command, and the one at its
    exit, would walk them all again (a tenth of a second of ``brief``).  Frozen, they
    are left alone; what the command creates afterwards is collected as usual (also
    after :func:`hold_collector`).  Not in a test or another program using the app,
    whose objects must stay collectable."""
    if PROCESS.one_command:
        import gc

        gc.freeze()
        gc.enable()
    if PROCESS.interrupts_held:  # a Ctrl-C held back meanwhile is raised here
        import signal

        PROCESS.interrupts_held = False
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def keep_freed_memory() -> None:
    """Let the C allocator keep the memory a command frees, for its next arrays, in a
    process that runs this one command and ends (``map``).

    By default glibc hands every array over 32 MB straight back to the system when it
    is freed, and each of the next one's pages is faulted in and zeroed again: on a
    virtual machine whose host reclaims the guest's free memory, a third of ``map``'s
    time on the 9-million-row panel (bench/mapping.py).  Here large blocks come from
    the heap, which is not trimmed, and every thread allocates from the one heap, so
    that what one stage frees is what the next stage gets.  Not in a test or another
    program using the app, nor off glibc."""
    if not PROCESS.one_command:
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None)  # the process's own symbols, the C library's among them
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018  (glibc's mallopt parameters only)
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_max, m_arena_max = -1, -4, -8
    mallopt(m_arena_max, 1)
    mallopt(m_mmap_max, 0)
    mallopt(m_trim_threshold, 2**31 - 1)
    if not PROCESS.heap_in_huge_pages:
        PROCESS.heap_in_huge_pages = True
        _heap_in_huge_pages(libc)


#: how much of the heap :func:`_heap_in_huge_pages` readies: the 9-million-row panel
#: needs about a gigabyte; below glibc's trim threshold (2 GB), or it would be handed back
HUGE_HEAP = 1536 << 20


def _heap_in_huge_pages(libc: Any) -> None:
    """Mark the next :data:`HUGE_HEAP` bytes of the heap for transparent huge pages
    (``madvise(MADV_HUGEPAGE)``), as glibc's tunable ``glibc.malloc.hugetlb=1`` does,
    which only the environment of a starting process can set.

    Each 2 MB of fresh memory is then one page fault instead of 512: on the
    benchmark panel 15 thousand page faults instead of 220 thousand, 0.6 s less CPU
    time and a third of a second less wall time (medians of six runs side by side;
    bench/mapping.py), the same peak memory.  One block as large as that is
    allocated from the heap (which :func:`keep_freed_memory` made the only source
    of memory, and never trims), marked, and freed: the arrays that follow are
    carved from the marked memory.  Nothing is touched, so nothing is resident until
    used; where the block could cost room (limits, strict overcommit) or gain
    nothing, it is not taken (:func:`_may_mark_huge_pages`).  It covers every
    allocation from the heap (numba's arrays, Arrow's buffers, the small ones);
    numpy's own hint for its large arrays alone measured slower and stays off
    (:func:`prepare_map`).
    """
    import ctypes
    import mmap

    if not _may_mark_huge_pages():
        return
    malloc, free, madvise = libc.malloc, libc.free, libc.madvise
    malloc.restype, malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    free.restype, free.argtypes = None, [ctypes.c_void_p]
    madvise.restype, madvise.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_size_t,
                                                        ctypes.c_int]
    block = malloc(HUGE_HEAP)
    if not block:  # no room (strict overcommit): pages of the usual size
        return
    huge = _huge_page_size()
    start = -(-block // huge) * huge
    end = (block + HUGE_HEAP) // huge * huge
    madvise(start, end - start, mmap.MADV_HUGEPAGE)  # a refusal changes nothing
    free(block)


_THP = "/sys/kernel/mm/transparent_hugepage"


def _may_mark_huge_pages() -> bool:
    """Linux with transparent huge pages on request (``[madvise]``: with ``always``
    the heap gets them anyway, with ``never`` not at all), and room for the block:
    no limit on the address space or the data segment, no strict overcommit (where
    the untouched block would still count against the limit for the whole run)."""
    import mmap
    import resource

    if not sys.platform.startswith("linux") or not hasattr(mmap, "MADV_HUGEPAGE"):
        return False
    try:
        with open(f"{_THP}/enabled") as f:
            if "[madvise]" not in f.read():
                return False
        with open("/proc/sys/vm/overcommit_memory") as f:
            if f.read().strip() == "2":
                return False
    except OSError:
        return False
    for limit in (resource.RLIMIT_AS, resource.RLIMIT_DATA):
        if resource.getrlimit(limit)[0] != resource.RLIM_INFINITY:
            return False
    return True


def _huge_page_size() -> int:
    try:
        with open(f"{_THP}/hpage_pmd_size") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 2 << 20


def one_blas_thread() -> None:
    """No OpenBLAS thread pools in a process that runs this one command (``map``):
    numpy and SciPy each load an OpenBLAS that starts a thread per core, which spins
    for a while on the cores the pipeline needs (a twentieth of ``map``'s CPU time on
    the benchmark panel); ``map`` multiplies no matrix large enough to gain from them.
    Only before numpy is imported, and not over a user's own setting."""
    if PROCESS.one_command and "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def skip_numba_blas_probe() -> None:
    """Let numba start without importing SciPy's linear algebra, in a process that runs
    this one command (``map``).

    numba's ``arraymath`` module, which every process that runs a kernel loads, imports
    ``scipy.linalg`` to find out whether a BLAS is there for ``np.dot`` inside kernels:
    a fifth of a second of the interpreter's time in ``map``'s start, whose kernels
    call no BLAS (numba then takes its own loop for such products).  Only that probe's
    import fails: ``import scipy.linalg`` anywhere else works, also on another thread
    while numba starts."""
    if PROCESS.one_command:
        block_blas_probe()


def prepare_map() -> None:
    """Every setting of ``map``'s process, before its first large array: the console
    script applies them before it reads the panel
    (:func:`~clusteratlas.service.panel_reading.prefetch`), the command again (they
    hold once).  Only the last two apply outside a one-command process as well."""
    hold_collector()
    keep_freed_memory()
    one_blas_thread()
    skip_numba_blas_probe()
    # numpy's own huge-page hint for its large arrays measured slower here
    # (bench/mapping.py); the heap is marked as a whole instead (_heap_in_huge_pages)
    import numpy as np

    np._core.multiarray._set_madvise_hugepage(False)  # type: ignore[attr-defined]
    # Arrow's own allocator (mimalloc) keeps the memory of the table read for Arrow
    # alone; through the system allocator numpy's arrays reuse it: a fifth less peak
    # memory, and fewer fresh pages to fault in (bench/mapping.py)
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
