"""Writing output files whole or not at all; files kept to spare work later."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

__all__ = ["keep_file", "replacing", "source_digest", "write_atomically"]


@contextmanager
def replacing(targets: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary files beside ``targets``, for the block to write.

    When the block ends without an error each one replaces its target, and only after
    all of them were written, so a reader never sees half a file nor a set of files
    from two runs; after an error they are removed and the targets stay as they were.
    """
    temps: list[Path] = []
    try:
        for target in targets:
            # a fresh name per run (two writers never share one); created by touch, so
            # the file gets the usual permissions (mkstemp would make it private)
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            tmp.touch(exist_ok=False)
            temps.append(tmp)
        yield temps
        for tmp, target in zip(temps, targets, strict=True):
            tmp.replace(target)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole or not at all (:func:`replacing`)."""
    with replacing([target]) as (tmp,):
        tmp.write_bytes(data)


def keep_file(path: Path, write: Callable[[BinaryIO], object], *, newest: int = 0,
              like: str = "") -> bool:
    """Keep a file computed to spare work later: ``write`` it to ``path`` atomically
    (:func:`replacing`), then remove all but the ``newest`` files matching ``like`` in
    its folder.  A folder that cannot be written to (read-only, full) keeps nothing:
    a kept file is an optimisation, never an error.  True when it was written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing([path]) as (tmp,), tmp.open("wb") as out:
            write(out)
    except OSError:
        return False
    if newest:
        # the temporary files of other writers (".NAME.HEX.tmp") match no pattern
        files = sorted(path.parent.glob(like), key=_mtime, reverse=True)
        for old in files[newest:]:
            if old != path:
                old.unlink(missing_ok=True)
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def source_digest(modules: Iterable[str], packages: Iterable[str], salt: str = "") -> str:
    """A hash of the source of ``modules`` (paths below ``clusteratlas/``; a folder for
    every module in it) and the installed versions of ``packages``: what decides a
    kept file besides its own inputs, so that a changed rule or library never reads
    an older one."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(salt.encode())
    for name in packages:
        with contextlib.suppress(PackageNotFoundError):
            digest.update(f"{name} {version(name)};".encode())
    for name in modules:
        path = root / name
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()
