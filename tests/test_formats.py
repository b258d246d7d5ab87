"""Locale formatting (Babel/CLDR) — expected strings written by hand from the CLDR
patterns for de_DE and en_GB."""

import math

import pytest

from clusteratlas.i18n.formats import (
    format_date,
    format_number,
    format_percent_share,
    format_signed_percent,
    nice_ticks,
)


@pytest.mark.parametrize(("value", "lang", "digits", "expected"), [
    (5233, "de", 0, "5.233"), (5233, "en", 0, "5,233"), (1.9634, "de", 2, "1,96"),
    (1.9634, "en", 2, "1.96"), (4_700_123, "de", 0, "4.700.123"), (0.5, "de", 0, "1"),
    (None, "de", 0, "–"), (math.nan, "en", 2, "–"), (-3.25, "de", 1, "-3,3"), (1.005, "en", 2, "1.01"),
])
def test_numbers(value, lang, digits, expected):
    assert format_number(value, lang, digits) == expected


def test_percent_and_signed():
    assert format_percent_share(0.061, "de") == "6,1\xa0%"
    assert format_percent_share(0.061, "en") == "6.1%"
    assert format_signed_percent(-0.01, "de") == "\u22121,0\xa0%"
    assert format_signed_percent(0.042, "en") == "+4.2%"
    assert format_signed_percent(0.0001, "en") == "0.0%"


def test_dates():
    assert format_date("2020-12-31", "de") == "31.12.2020"
    assert format_date("2020-12-31", "en") == "31 Dec 2020"


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0, 5495, [0, 2000, 4000, 6000]),
    (0.79, 42.06, [0, 20, 40, 60]),
    (0, 1, [0, 0.25, 0.5, 0.75, 1.0]),
    (5, 5, [4, 6, 8, 10]),
])
def test_nice_ticks(low, high, expected):
    assert nice_ticks(low, high) == expected
