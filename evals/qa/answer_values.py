"""Whether an answer states an expected value, however the contract or the answer words it.

Both sides are normalised the same way: lower case; a number in words with its digits in brackets reads as the
digits ("thirty (30) days" -> "30 days"); a multiple reads as "Nx" ("2 TIMES", "1.50 times" -> "2x", "1.5x");
a written date reads as ISO ("March 2, 2025" -> "2025-03-02"); punctuation is a space. A value is given when it
occurs in the answer as whole words.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {name: number for number, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
_WORDS_THEN_DIGITS = re.compile(r"\b(?:[a-z]+-)?[a-z]+\s*\((\d+(?:\.\d+)?)\)")
_MULTIPLE = re.compile(r"\b(\d+(?:\.\d+)?)\s*(?:x|×|times)(?![a-z])")
_WRITTEN_DATE = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})\b")
_NOT_WORD = re.compile(r"[^a-z0-9.\-]+|\.(?!\d)|(?<!\d)-|-(?!\d)")


def _multiple(match: re.Match[str]) -> str:
    return f"{float(match.group(1)):g}x"


def _iso(match: re.Match[str]) -> str:
    return date(int(match.group(3)), _MONTHS[match.group(1)], int(match.group(2))).isoformat()


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    text = _WORDS_THEN_DIGITS.sub(lambda m: m.group(1), text)
    text = _MULTIPLE.sub(_multiple, text)
    text = _WRITTEN_DATE.sub(_iso, text)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def states_value(answer: str, accepted: list[str]) -> bool:
    said = f" {normalise(answer)} "
    return any(f" {normalise(value)} " in said for value in accepted if normalise(value))
