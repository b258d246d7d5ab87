"""Numbers, percentages and dates as the reader's language writes them (Babel/CLDR).

Every front formats through these functions – pages, chart axes, legends,
tooltips and briefings – so a German page reads ``5.233 Beschäftigte``, ``LQ 1,96``
and ``6,1 %`` and an English one ``5,233``, ``1.96`` and ``6.1%``.  Machine-readable
downloads (CSV, JSON) do not: they keep a decimal point and no grouping.

Missing values (``None``, NaN) are written as an en dash, never as ``0``.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal, format_percent

from clusteratlas.i18n import language

__all__ = ["MISSING", "format_date", "format_number", "format_percent_share",
           "format_signed_percent", "locale_of", "nice_ticks"]

#: how every front writes a value it does not have
MISSING = "–"

_LOCALES = {"de": "de_DE", "en": "en_GB"}


def locale_of(lang: str | None) -> str:
    """The CLDR locale behind a page language (``de`` → ``de_DE``, ``en`` → ``en_GB``)."""
    return _LOCALES[language(lang)]


def _value(value: Any) -> float | None:
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) or math.isinf(v) else v


def format_number(value: Any, lang: str | None, digits: int = 0, *,
                  grouping: bool = True) -> str:
    """``value`` with exactly ``digits`` decimals in the language's format.

    >>> format_number(5233, "de"), format_number(1.9634, "de", 2)
    ('5.233', '1,96')
    >>> format_number(5233, "en"), format_number(None, "en")
    ('5,233', '–')
    """
    v = _value(value)
    if v is None:
        return MISSING if value is None or _is_nan(value) else str(value)
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(_half_up(v, digits), format=pattern, locale=locale_of(lang))


def _half_up(v: float, digits: int) -> Decimal:
    # commercial rounding (0,5 → 1), as readers and spreadsheets expect; via the
    # shortest repr so 1.005 is not rounded as 1.00499…
    return Decimal(repr(v)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _is_nan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def format_percent_share(share: Any, lang: str | None, digits: int = 1) -> str:
    """A share (``0.061``) as a percentage: ``6,1 %`` (no-break space) in German, ``6.1%`` in English."""
    v = _value(share)
    if v is None:
        return MISSING
    # German sets a no-break space before % (DIN 5008), English none
    sign = "\u00a0%" if language(lang) == "de" else "%"
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + sign
    return format_percent(_half_up(v, digits + 2), format=pattern, locale=locale_of(lang))


def format_signed_percent(share: Any, lang: str | None, digits: int = 1) -> str:
    """A change as a signed percentage (``+4,2 %``, ``−1,0 %``; a true minus sign)."""
    v = _value(share)
    if v is None:
        return MISSING
    body = format_percent_share(abs(v), lang, digits)
    if round(v * 100, digits) == 0:
        return body
    return ("+" if v > 0 else "\u2212") + body


def format_date(value: date | datetime | str | None, lang: str | None,
                style: str = "medium") -> str:
    """A date as the language writes it (``31.12.2020`` / ``31 Dec 2020``)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return _babel_date(value, format=style, locale=locale_of(lang))


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round axis ticks covering ``[low, high]``: steps of 1, 2, 2.5 or 5 × 10ⁿ.

    The ticks start at or below ``low`` and end at or above ``high`` (Heckbert,
    "Nice numbers for graph labels", Graphics Gems, 1990), so an axis reads
    0 – 2.000 – 4.000 – 6.000 rather than 1.832 – 3.663 – 5.495.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("axis limits must be finite")
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    tick = start
    while tick < high + step * 1e-9:
        ticks.append(round(tick, 10) + 0.0)
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10) + 0.0)
    return ticks
