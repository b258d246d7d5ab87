"""Hyphenation for the PDF briefings: pyphen's dictionaries, read once per machine.

ReportLab given ``hyphenationLang="de_DE"`` builds a ``pyphen.Pyphen`` for every
paragraph, and the first reads and parses the hunspell dictionary: some 66,000
patterns of German, 0.8 s of a ``brief`` command that takes a few seconds.  Here the
dictionary is read only when a word is to be broken at all, and its parsed patterns
are kept as JSON in the user's cache folder (``$XDG_CACHE_HOME/clusteratlas`` or
``~/.cache/clusteratlas``), keyed by pyphen's version and the dictionary file's size
and date, which reads in a tenth of that time.  JSON, not pickle: a cache file
is data, never code.  Where the folder cannot be written to, the dictionary is simply
parsed as before; the hyphenation is the same either way.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["Hyphenator"]


class Hyphenator:
    """ReportLab's hyphenation of ``lang`` (a callable giving a word's (head, tail)
    pairs, the longest head first: ``pyphen.Pyphen.iterate``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, word: str) -> Any:
        dictionary = _pyphen(self.lang)
        return dictionary.iterate(word) if dictionary is not None else ()


def _cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clusteratlas"


@functools.cache
def _pyphen(lang: str) -> Any:
    try:
        import pyphen
    except ImportError:  # as ReportLab without pyphen: no word is broken
        return None
    try:
        path = Path(pyphen.LANGUAGES[pyphen.language_fallback(lang)])
        if path not in pyphen.hdcache:
            kept = _kept(pyphen, path)
            if kept is not None:
                pyphen.hdcache[path] = kept
    except (AttributeError, KeyError, TypeError):  # another pyphen: its own reading
        pass
    return pyphen.Pyphen(lang=lang)


def _kept(pyphen: Any, path: Path) -> Any:
    """The parsed dictionary at ``path``, from the cache folder or parsed and kept
    there; ``None`` where it cannot be kept (pyphen then parses it itself)."""
    stat = path.stat()
    version = getattr(pyphen, "__version__", "0")
    name = f"{path.stem}-{version}-{stat.st_size}-{int(stat.st_mtime)}.json"
    file = _cache_folder() / name
    hd = object.__new__(pyphen.HyphDict)
    with contextlib.suppress(OSError, ValueError):
        patterns = json.loads(file.read_text(encoding="utf-8"))
        if isinstance(patterns, dict) and patterns:
            hd.patterns, hd.cache = patterns, {}
            hd.maxlen = max(len(key) for key in patterns)
            return hd
    parsed = pyphen.HyphDict(path)
    # the nonstandard alternatives (values that are not plain numbers) stay unkept
    if not all(isinstance(v, int) for _, values in parsed.patterns.values() for v in values):
        return parsed
    with contextlib.suppress(OSError):
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(parsed.patterns, fh, separators=(",", ":"))
            os.replace(tmp, file)  # whole or not at all: a reader never sees half
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return parsed
