"""The pages' number and date filters: :mod:`clusteratlas.i18n.formats`, bound to the
language of the page being rendered.

Each filter reads ``lang`` from the template's context, so a template writes
``{{ c.employment|num }}``, ``{{ c.lq|lq }}``, ``{{ c.share_of_region|pct }}``,
``{{ c.cagr_5y|signed_pct }}``, ``{{ x|signed }}`` or ``{{ d|date }}`` and a German
page reads ``5.233``, ``1,96``, ``6,1 %``, ``+4,2 %``, ``+1.234``, ``31.12.2020`` where
an English one reads ``5,233``, ``1.96``, ``6.1%``, ``+4.2%``, ``+1,234``,
``31 Dec 2020``.  A macro in another template gets the context only when imported
``with context``; without it a filter fails loudly rather than guess a language.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from clusteratlas.i18n.formats import (
    MISSING,
    format_date,
    format_number,
    format_percent_share,
    format_signed_percent,
)

__all__ = ["field_value", "install_filters", "signed_number"]


def _lang(ctx: Context) -> str:
    lang = ctx.get("lang")
    if lang is None:
        raise RuntimeError(f"template {ctx.name!r} formats a number without 'lang' in its "
                           "context (import its macros 'with context')")
    return str(lang)


def signed_number(value: Any, lang: str, digits: int = 0) -> str:
    """A change in a count with its sign (``+1.234``, ``−56``; a true minus sign)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return format_number(value, lang, digits)
    text = format_number(abs(value), lang, digits)
    if text == MISSING or round(value, digits) == 0:  # rounds to zero: no sign
        return text
    return ("+" if value > 0 else "\u2212") + text


@pass_context
def _num(ctx: Context, value: Any, digits: int = 0) -> str:
    return format_number(value, _lang(ctx), digits)


@pass_context
def _lq(ctx: Context, value: Any, digits: int = 2) -> str:
    return format_number(value, _lang(ctx), digits)


@pass_context
def _pct(ctx: Context, share: Any, digits: int = 1) -> str:
    return format_percent_share(share, _lang(ctx), digits)


@pass_context
def _signed_pct(ctx: Context, share: Any, digits: int = 1) -> str:
    return format_signed_percent(share, _lang(ctx), digits)


@pass_context
def _signed(ctx: Context, value: Any, digits: int = 0) -> str:
    return signed_number(value, _lang(ctx), digits)


@pass_context
def _date(ctx: Context, value: Any, style: str = "medium") -> str:
    # registry dates may be partial ("2014", "2014-02"): those stay as written
    if isinstance(value, str) and len(value) < 10:
        return value
    try:
        return format_date(value, _lang(ctx), style)
    except ValueError:
        return str(value)


def field_value(value: Any, lang: str) -> str:
    """A number as a form field shows it for editing: the language's decimal sign, no
    grouping and every decimal it has (``2,5`` in German; the form reads a comma back
    as the decimal sign); texts and empty values as they are."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    text = repr(float(value)) if isinstance(value, float) else str(value)
    digits = len(text.split(".")[1].rstrip("0")) if "." in text and "e" not in text else 0
    return format_number(value, lang, min(digits, 6), grouping=False)


@pass_context
def _field(ctx: Context, value: Any) -> str:
    return field_value(value, _lang(ctx))


@pass_context
def _category_name(ctx: Context, name: Any) -> Any:
    """A cluster category's name, marked with its language where the category set has
    names in one language only (the US Cluster Mapping's official English names on a
    German page: ``names_lang`` of the page's context), so that screen readers say it
    in English; names are never translated here."""
    other = ctx.get("names_lang")
    if other and other != _lang(ctx):
        return Markup('<span lang="{}">{}</span>').format(other, name)
    return name


def install_filters(env: Environment) -> None:
    """Register ``num``, ``lq``, ``pct``, ``signed_pct``, ``signed``, ``date``,
    ``field`` (a number in a form field) and ``catname`` (a category's name with its
    language)."""
    env.filters.update({"num": _num, "lq": _lq, "pct": _pct, "signed_pct": _signed_pct,
                        "signed": _signed, "date": _date, "field": _field,
                        "catname": _category_name})
