"""The briefings' cache folder: what printing computes alike in every process, kept.

Files go to ``$XDG_CACHE_HOME/clusteratlas`` (``~/.cache/clusteratlas`` without it),
each named by a hash of everything that decides its content, so a file is either
right or never asked for.  Writing is atomic (a temporary file renamed into place),
and a folder that cannot be written to keeps nothing: a cache is an optimisation,
never an error.  Files hold data (JSON, pictures), never code.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["code_digest", "folder", "keep", "read"]


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
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)  # a reader never sees half a file
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if newest is not None:
            # (not the temporary files of other writers, which start with a dot)
            files = sorted(path.parent.glob(f"[!.]*{path.suffix}"), key=_mtime,
                           reverse=True)
            for old in files[newest:]:
                if old != path:
                    old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def code_digest(modules: Iterable[str], packages: Iterable[str]) -> str:
    """A hash of the source of ``modules`` (paths below ``clusteratlas/``, a folder
    for all its modules) and the installed versions of ``packages``: what decides a
    kept file besides its own inputs (a changed rule or library never reads an older
    file)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in packages:
        with contextlib.suppress(PackageNotFoundError):
            digest.update(f"{name} {version(name)};".encode())
    for name in modules:
        path = root / name
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()
