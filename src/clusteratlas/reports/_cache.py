"""The briefings' cache folder: what printing computes alike in every process, kept.

Files go to ``$XDG_CACHE_HOME/clusteratlas`` (``~/.cache/clusteratlas`` without it),
each named by a hash of everything that decides its content, so a file is either
right or never asked for.  Writing is atomic (a temporary file renamed into place),
and a folder that cannot be written to keeps nothing: a cache is an optimisation,
never an error.  Files hold data (JSON, pictures), never code.
"""

from __future__ import annotations

import os
from pathlib import Path

from clusteratlas._files import keep_file

__all__ = ["folder", "keep", "read"]


def folder() -> Path:
    """The cache folder (not created here)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clusteratlas"


def read(path: Path) -> bytes | None:
    """The bytes of ``path``, ``None`` when it is not there or cannot be read."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def keep(path: Path, data: bytes, *, newest: int | None = None) -> None:
    """Write ``data`` to ``path`` whole or not at all; with ``newest``, remove all but
    that many of the newest files of the same suffix in its folder."""
    keep_file(path, lambda out: out.write(data), newest=newest or 0,
              like=f"[!.]*{path.suffix}")

