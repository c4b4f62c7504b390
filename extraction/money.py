"""Money as contracts write it ("$1,500,000", "USD 250,000", "EUR 10.000,00" is not handled) -> amount + ISO code."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "C$": "CAD", "CDN$": "CAD", "A$": "AUD"}
_CODES = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "CNY", "RMB", "HKD", "SGD", "INR")
_SCALE = {"thousand": Decimal(1_000), "million": Decimal(1_000_000), "billion": Decimal(1_000_000_000)}

MONEY = re.compile(
    r"(?:(?P<symbol>US\$|CDN\$|C\$|A\$|\$|€|£|¥)\s?|(?P<code>" + "|".join(_CODES) + r")\s?\$?\s?)"
    r"(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"(?:\s+(?P<scale>thousand|million|billion))?"
    r"|(?P<amount2>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)\s?(?P<code2>" + "|".join(_CODES) + r")\b"
    r"|(?P<amount3>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)\s+(?P<dollars>(?:U\.S\.\s+)?dollars)\b",
    re.IGNORECASE,
)


def money_from_match(match: re.Match[str]) -> tuple[Decimal, str] | None:
    raw = match.group("amount") or match.group("amount2") or match.group("amount3")
    try:
        amount = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
    if match.group("scale"):
        amount *= _SCALE[match.group("scale").lower()]
    if match.group("symbol"):
        currency = _SYMBOLS[match.group("symbol").upper()]
    elif match.group("code") or match.group("code2"):
        currency = (match.group("code") or match.group("code2")).upper()
        currency = "CNY" if currency == "RMB" else currency
    else:
        currency = "USD"
    return amount, currency
