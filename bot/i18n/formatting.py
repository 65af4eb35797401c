"""Numbers, money, percentages and dates in each language's conventions (Babel)."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, format_decimal, format_percent

CURRENCY = "NOK"


@cache
def _whole_currency_pattern(locale: str) -> NumberPattern:
    """The locale's currency pattern without decimals: amounts are whole kroner."""
    pattern = copy.copy(Locale.parse(locale).currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern


def format_money(value: float | int, locale: str) -> str:
    pattern = _whole_currency_pattern(locale)
    return pattern.apply(Decimal(value), Locale.parse(locale), currency=CURRENCY, currency_digits=False)


def format_figure(value: object, kind: str, locale: str) -> str:
    """Format one figure of content/facts.yml for ``locale``."""
    if kind == "money":
        return format_money(float(value), locale)  # type: ignore[arg-type]
    if kind == "percent":
        return format_percent(Decimal(str(value)) / 100, locale=locale)
    if kind == "number":
        return format_decimal(Decimal(str(value)), locale=locale)
    if kind == "text":
        return str(value)
    raise ValueError(f"unknown figure kind {kind!r}")


def format_long_date(value: dt.date, locale: str) -> str:
    return format_date(value, format="long", locale=locale)
