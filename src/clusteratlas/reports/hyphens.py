"""Hyphenation for the PDF briefings: pyphen's dictionaries, parsed once per machine.

ReportLab given ``hyphenationLang="de_DE"`` builds a ``pyphen.Pyphen`` for every
paragraph, and the first reads and parses the hunspell dictionary: some 66,000
patterns of German, 0.8 s of a ``brief`` command that takes a few seconds.  Here the
dictionary is read only when a word is to be broken at all, and its parsed patterns
are kept in an SQLite file in the cache folder (:mod:`._cache`), keyed by pyphen's
version and the dictionary file's size and date.  A word to be broken then reads
only the patterns of its own substrings, in one query (a few milliseconds, where
reading all the patterns back took a tenth of a second or two): pyphen finds the same
breaks, as it only ever looks up those substrings.  A data file, never code
(no pickle).  Where the folder cannot be written to or the file cannot be read, the
dictionary is simply parsed as before; the hyphenation is the same either way.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import tempfile
import threading
from pathlib import Path
from typing import Any

from clusteratlas.reports import _cache

__all__ = ["Hyphenator"]

#: bump when the kept file's layout changes
_FORMAT = "2"
#: at most this many substrings in one query (SQLite's limit of parameters is 999
#: in older builds)
_CHUNK = 500


class Hyphenator:
    """ReportLab's hyphenation of ``lang`` (a callable giving a word's (head, tail)
    pairs, the longest head first: ``pyphen.Pyphen.iterate``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, word: str) -> Any:
        dictionary = _pyphen(self.lang)
        return dictionary.iterate(word) if dictionary is not None else ()


@functools.cache
def _pyphen(lang: str) -> Any:
    try:
        import pyphen
    except ImportError:  # as ReportLab without pyphen: no word is broken
        return None
    try:
        path = Path(pyphen.LANGUAGES[pyphen.language_fallback(lang)])
        if path not in pyphen.hdcache:
            lazy = _kept(pyphen, path)
            if lazy is not None:
                # not in pyphen's own cache (it holds only the patterns read so far):
                # a Pyphen of pyphen's defaults (left=2, right=2) over it
                dictionary = object.__new__(pyphen.Pyphen)
                dictionary.left, dictionary.right, dictionary.hd = 2, 2, lazy
                return dictionary
    except (AttributeError, KeyError, TypeError):  # another pyphen: its own reading
        pass
    return pyphen.Pyphen(lang=lang)


def _kept(pyphen: Any, path: Path) -> Any:
    """A dictionary reading the patterns of ``path`` from the cache folder as words
    need them (parsed and kept there first when missing); ``None`` where they cannot
    be kept or read (pyphen then parses the dictionary itself)."""
    stat = path.stat()
    version = getattr(pyphen, "__version__", "0")
    name = f"{path.stem}-{version}-{stat.st_size}-{int(stat.st_mtime)}-{_FORMAT}.sqlite"
    file = _cache.folder() / name
    if not file.is_file():
        parsed = pyphen.HyphDict(path)
        pyphen.hdcache[path] = parsed  # parsed anyway: this process uses it whole
        _write(parsed, file)
        for old in file.parent.glob(f"{path.stem}-*"):  # of an older pyphen or format
            if old != file:
                with contextlib.suppress(OSError):
                    old.unlink()
        return None
    try:
        con = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        maxlen = int(con.execute("SELECT maxlen FROM about").fetchone()[0])
    except (sqlite3.Error, TypeError, ValueError):  # damaged or cut short: parse afresh
        file.unlink(missing_ok=True)
        return None
    return _lazy_class(pyphen)(con, maxlen)


@functools.cache
def _lazy_class(pyphen: Any) -> type:
    class Lazy(pyphen.HyphDict):  # type: ignore[misc]
        """pyphen's ``HyphDict`` whose patterns are read from the kept file, those of
        a word's substrings before the word is looked up."""

        def __init__(self, con: sqlite3.Connection, maxlen: int) -> None:
            self.con, self.maxlen = con, maxlen
            self.patterns: dict[str, tuple[int, tuple[int, ...]]] = {}
            self.cache: dict[str, Any] = {}
            self.asked: set[str] = set()
            self.lock = threading.Lock()  # the server prints briefings in threads

        def positions(self, word: str) -> Any:
            with self.lock:
                self._read(word.lower())
                return super().positions(word)

        def _read(self, word: str) -> None:
            pointed = f".{word}."  # as pyphen's own lookup, in HyphDict.positions
            wanted = {pointed[i:j] for i in range(len(pointed))
                      for j in range(i + 1, min(i + self.maxlen, len(pointed)) + 1)}
            wanted -= self.asked
            self.asked |= wanted
            keys = sorted(wanted)
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start:start + _CHUNK]
                rows = self.con.execute(
                    f"SELECT key, start, vals FROM patterns WHERE key IN "
                    f"({','.join('?' * len(chunk))})", chunk).fetchall()
                for key, offset, vals in rows:
                    self.patterns[key] = (offset, tuple(int(v) for v in vals.split(",")))

    return Lazy


def _write(parsed: Any, file: Path) -> None:
    """Keep ``parsed``'s patterns in ``file`` (whole or not at all)."""
    # the nonstandard alternatives (values that are not plain numbers) stay unkept
    if not all(type(v) is int for _, values in parsed.patterns.values() for v in values):
        return
    with contextlib.suppress(OSError, sqlite3.Error):
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-", suffix=".sqlite")
        os.close(fd)
        try:
            con = sqlite3.connect(tmp)
            try:
                con.execute("CREATE TABLE patterns (key TEXT PRIMARY KEY, start INTEGER, "
                            "vals TEXT) WITHOUT ROWID")
                con.execute("CREATE TABLE about (maxlen INTEGER)")
                con.executemany("INSERT INTO patterns VALUES (?, ?, ?)",
                                ((key, offset, ",".join(map(str, values)))
                                 for key, (offset, values) in parsed.patterns.items()))
                con.execute("INSERT INTO about VALUES (?)", (parsed.maxlen,))
                con.commit()
            finally:
                con.close()
            os.chmod(tmp, 0o644)  # mkstemp makes it private
            os.replace(tmp, file)  # a reader never sees half a file
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
