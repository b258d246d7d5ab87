"""The mapped indicators of a data directory, kept beside its data between processes.

Mapping the active panel (:func:`~clusteratlas.service.atlas.category_indicators`) is
the costly part of opening an atlas: the panel built, the numba kernels loaded, every
indicator computed.  Its result depends only on what goes in, so each process that
opens the same data directory would compute the same table again – every command of
the command line, every worker of the server.  This module stores the table once, as a
Parquet file in ``<data dir>/cache/``, under a key that is a hash of *everything* the
mapping reads:

- the observations that enter the panel (their values, not file dates or dataset
  names), the category definitions and their membership, the mapping options;
- the source of the modules that compute it (so that a changed rule is never answered
  from an older table) and the installed versions of pandas, numpy and numba.

An import changes the observations, so the key changes and the next
:func:`indicators` maps afresh; :func:`forget` also drops the stored tables at once
(the import calls it, so that no stale file lingers).  The newest few tables are kept
(one per view of the data: scope, reference and comparison set).

:func:`arrays` keeps other results computed from the same data the same way, as
NumPy arrays (``.npz``, read without pickle): the product space of a year
(:mod:`.diversification`), an eigen-decomposition whose threads cost more than its
arithmetic on a busy machine.
Writing is atomic (a temporary file renamed into place); a data directory that cannot be
written to simply keeps no table.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from clusteratlas._files import keep_file, source_digest
from clusteratlas.store.datadir import DataDir

__all__ = ["CACHE_FOLDER", "arrays", "forget", "indicators", "key"]

CACHE_FOLDER = "cache"
_PREFIX = "indicators-"
#: how many tables a data directory keeps (the newest; one per view that was mapped)
_KEEP = 8
#: bump when the stored layout changes
_FORMAT = "1"
# the modules whose code decides the indicators (their source is part of the key)
_CODE = ("service/mapping.py", "service/atlas.py", "service/snapshot.py", "core",
         "model/panel.py", "model/categories.py", "model/classification.py",
         "service/diversification.py")
_ARRAYS = "arrays-"


def _code_hash() -> str:
    import numpy

    return source_digest(_CODE, ("numba",),
                         salt=f"{_FORMAT} {pd.__version__} {numpy.__version__}")


_CODE_HASH: str | None = None


def key(observations: pd.DataFrame, membership: dict[str, list[str]], categories: Any,
        options: Any) -> str:
    """The hash of everything the mapped indicators are computed from.

    ``observations`` are hashed by value (:func:`pandas.util.hash_pandas_object`, row
    order included), the categories, membership and options through their ``repr``
    (dataclasses: every field)."""
    global _CODE_HASH
    if _CODE_HASH is None:
        _CODE_HASH = _code_hash()
    digest = hashlib.sha256(_CODE_HASH.encode())
    digest.update(repr(list(observations.columns)).encode())
    digest.update(repr([str(t) for t in observations.dtypes]).encode())
    digest.update(pd.util.hash_pandas_object(observations, index=False).to_numpy().tobytes())
    digest.update(repr(sorted(membership.items())).encode())
    digest.update(repr(categories).encode())
    digest.update(repr(options).encode())
    return digest.hexdigest()[:32]


def indicators(data_dir: DataDir, digest: str,
               compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """The indicator table stored under ``digest``, or ``compute()`` stored there."""
    folder = data_dir.path / CACHE_FOLDER
    path = folder / f"{_PREFIX}{digest}.parquet"
    if path.is_file():
        try:
            # the file itself, not pandas' reader: that one loads pyarrow's dataset
            # layer (a hundredth of a second of every command) for a single file
            import pyarrow.parquet as pq

            table: pd.DataFrame = pq.ParquetFile(path).read().to_pandas()
            return table
        except (OSError, ValueError):  # unreadable (e.g. cut short): mapped afresh
            pass
    table = compute()
    _store(path, lambda out: table.to_parquet(out, index=False), _PREFIX)
    return table


def arrays(data_dir: DataDir, digest: str,
           compute: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The arrays stored under ``digest`` (a :func:`key`), or ``compute()`` stored there
    (numeric, boolean and string arrays: nothing that needs pickle)."""
    folder = data_dir.path / CACHE_FOLDER
    path = folder / f"{_ARRAYS}{digest}.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, zipfile.BadZipFile):  # cut short: computed afresh
            pass
    found = compute()
    _store(path,
           lambda out: np.savez(out, allow_pickle=False, **cast(dict[str, Any], found)),
           _ARRAYS)
    return found


def _store(path: Path, write: Callable[[Any], None], prefix: str) -> None:
    """``write`` a file to ``path`` (atomically), keeping the newest few of ``prefix``
    (a read-only data directory or a full disk keeps none: the table is an
    optimisation, never an error)."""
    keep_file(path, write, newest=_KEEP, like=f"{prefix}*{path.suffix}")


def forget(data_dir: DataDir) -> None:
    """Drop every stored indicator table of ``data_dir`` (after its data changed)."""
    folder = data_dir.path / CACHE_FOLDER
    if folder.is_dir():
        for old in [*folder.glob(f"{_PREFIX}*.parquet"), *folder.glob(f"{_ARRAYS}*.npz")]:
            old.unlink(missing_ok=True)
