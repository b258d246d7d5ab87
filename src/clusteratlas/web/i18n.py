"""The pages' translator: the catalogue of :mod:`clusteratlas.i18n`, bound to the
language of a request, for the templates."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from clusteratlas.i18n import STRINGS, language, text

__all__ = ["dataset_text", "error_detail", "translator", "variant"]


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


# An error's message is written once, in English, for the API, the CLI and the log; a
# page shows the common ones in its language (the rest marked as English).
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key) for pattern, key in (
        (r"^no page at (?P<path>\S+)$", "err_no_page"),
        (r"^region '(?P<code>[^']*)' is not in the register", "err_unknown_region"),
        (r"^region '(?P<code>[^']*)' has no data in this atlas$", "err_region_no_data"),
        (r"^initiative '(?P<id>[^']*)' is not in the registry$", "err_unknown_initiative"),
        (r"^search for at least (?P<n>\d+) characters$", "err_search_short"),
        (r"^sign in to change the registry$", "err_sign_in"),
        (r"^sign in first$", "err_sign_in_first"),
        (r"^wrong name or password$", "err_wrong_password"),
        (r"^the form has expired", "err_form_expired"),
        (r"^the review queue is the agency's$", "err_review_queue"),
        (r"^only admins manage users$", "err_admins_only"),
        (r"^invalid request parameters$", "err_invalid_params"),
        (r"^compare at most (?P<n>\d+) regions", "err_compare_max"),
        (r"^year (?P<year>\d+) is not in the panel", "err_year"),
    ))


def error_detail(message: str, lang: str) -> Markup:
    """An error message in the page's language: the catalogue's wording where the
    message is one of the common ones, else the message itself, marked as English."""
    for pattern, key in _ERRORS:
        found = pattern.search(message)
        if found:
            return Markup(escape(text(key, lang, **found.groupdict())))
    if language(lang) == "en":
        return Markup(escape(message))
    return Markup('<span lang="en">{}</span>').format(message)


def dataset_text(dataset: Mapping[str, Any], part: str, lang: str) -> str:
    """A dataset's ``title``, ``source``, ``attribution`` or ``licence`` as a page
    shows it: the catalogue's wording (``ds_<id>_<part>``) in the page's language for
    the datasets the atlas itself provides (demo panel, district register, tile map,
    registry); what the dataset's metadata says for any other."""
    ident = re.sub(r"[^a-z0-9]+", "_", str(dataset.get("id") or "").lower()).strip("_")
    key = f"ds_{ident}_{part}"
    return text(key, lang) if key in STRINGS else str(dataset.get(part) or "")
