"""Interface strings in German (default) and English, from one catalogue.

:func:`text` is what every front calls (pages, API messages, briefings): it fails
loudly on a key the catalogue lacks.  :func:`translator` binds a language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clusteratlas.i18n.catalogue import STRINGS

__all__ = ["LANGUAGES", "STRINGS", "language", "text", "translator"]

LANGUAGES = ("de", "en")


def language(lang: str | None) -> str:
    """``lang`` if the catalogue has it, else German."""
    return lang if lang in LANGUAGES else "de"


def text(key: str, lang: str, **fields: Any) -> str:
    """The catalogue's wording of ``key`` in ``lang``, with ``{name}`` fields filled.

    Raises
    ------
    KeyError
        If the catalogue has no such key (a programming error, not a user's).
    """
    wording = STRINGS[key][language(lang)]
    return wording.format(**fields) if fields else wording


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **fields)`` for one language (what templates and briefings call)."""
    chosen = language(lang)

    def t(key: str, **fields: Any) -> str:
        return text(key, chosen, **fields)

    return t
