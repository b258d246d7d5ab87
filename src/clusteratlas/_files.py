"""Writing output files whole or not at all."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["replacing", "write_atomically"]


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
