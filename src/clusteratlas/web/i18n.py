"""The pages' translator: the catalogue of :mod:`clusteratlas.i18n`, bound to the
language of a request, for the templates."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from clusteratlas.i18n import STRINGS, language

__all__ = ["translator", "variant"]


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


def variant(german: str | None, english: str | None, lang: str) -> Markup:
    """A registry text in the page's language: the ``lang`` variant if it has one, else
    the other, marked with its ``lang`` attribute so that a screen reader pronounces it
    (and a reader sees why it is in the other language); ``–`` when neither exists.

    Both texts are escaped: they come from editors and import files.
    """
    chosen = language(lang)
    own, other = (german, english) if chosen == "de" else (english, german)
    if own:
        return Markup(escape(own))
    if other:
        return Markup('<span lang="{}">{}</span>').format(
            "en" if chosen == "de" else "de", other)
    return Markup("–")
