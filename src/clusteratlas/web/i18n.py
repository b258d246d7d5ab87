"""The pages' translator: the catalogue of :mod:`clusteratlas.i18n`, bound to the
language of a request, for the templates."""

from __future__ import annotations

from collections.abc import Callable

from clusteratlas.i18n import STRINGS, language

__all__ = ["translator"]


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` in ``lang`` (``de`` for anything else), as the templates call it.

    Templates build some keys from data (``'status_' ~ s``); an unknown one shows the
    key itself rather than failing the page (tests/test_catalogue.py checks every key
    a template names literally).
    """
    chosen = language(lang)

    def t(key: str) -> str:
        entry = STRINGS.get(key)
        return entry[chosen] if entry else key

    return t
