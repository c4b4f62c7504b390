"""Periods as contracts write them ("thirty (30) days", "one-year", "12 months") -> ISO-8601 ("P30D")."""

from __future__ import annotations

import re

_UNITS = {"year": "Y", "month": "M", "week": "W", "day": "D"}
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
    "sixty": 60, "seventy": 70, "seventy-five": 75, "eighty": 80, "ninety": 90, "hundred": 100,
    "one hundred": 100, "one hundred twenty": 120, "one hundred and twenty": 120, "one hundred eighty": 180,
    "one hundred and eighty": 180, "a": 1, "an": 1, "one-half": 0, "half": 0,
}
_WORD_ALT = "|".join(sorted((re.escape(w) for w in _WORDS if w not in {"a", "an", "half", "one-half"}),
                            key=len, reverse=True))
_NUMBER = (rf"(?:(?P<word>(?:{_WORD_ALT})(?:[\s-]+(?:{_WORD_ALT}))?)\s*(?:\(\s*(?:(?P<paren>\d+)|[Il])\s*\))?"
           rf"|(?P<digits>\d+)|(?P<article>an?))")
DURATION = re.compile(
    rf"\b{_NUMBER}[\s-]*(?:\(\s*\d+\s*\)\s*)?(?:(?:full|calendar|consecutive|business|additional)\s+){{0,2}}"
    r"(?P<unit>year|month|week|day)s?\b",
    re.IGNORECASE,
)


_ORDINAL_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                  "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                  "eighteenth", "nineteenth", "twentieth"]
# "fifth" / "5th" -> 5, for "the fifth (5th) anniversary of the Effective Date".
ORDINALS = {**{w: n for n, w in enumerate(_ORDINAL_WORDS, start=1)},
            **{f"{n}{'st' if n % 10 == 1 and n != 11 else 'nd' if n % 10 == 2 and n != 12 else 'rd' if n % 10 == 3 and n != 13 else 'th'}": n
               for n in range(1, 31)}}


def number_value(word: str) -> int | None:
    word = re.sub(r"\s+", " ", word.lower().strip())
    if word in _WORDS:
        return _WORDS[word]
    parts = re.split(r"[\s-]+", word)
    # "twenty-one", "one hundred twenty": add the parts.
    values = [_WORDS.get(p) for p in parts if p != "and"]
    if any(v is None for v in values):
        return None
    if len(values) >= 2 and values[0] == 1 and values[1] == 100:
        return 100 + sum(v for v in values[2:] if v)
    return sum(v for v in values if v)


def duration_from_match(match: re.Match[str]) -> str | None:
    if match.group("paren"):
        amount: int | None = int(match.group("paren"))
    elif match.group("digits"):
        amount = int(match.group("digits"))
    elif match.group("article"):
        amount = 1
    else:
        amount = number_value(match.group("word"))
    if not amount:
        return None
    unit = _UNITS[match.group("unit").lower()]
    if match.group("article") and unit == "Y" and re.search(r"\bhalf\s+$", match.string[max(0, match.start() - 6):match.start()],
                                                           re.IGNORECASE):
        return "P6M"  # "half a year"
    return f"P{amount}{unit}"


def parse_duration(text: str) -> str | None:
    """The first period in `text` as ISO-8601, or None."""
    for match in DURATION.finditer(text):
        value = duration_from_match(match)
        if value:
            return value
    return None


def duration_key(iso: str) -> tuple[int, int]:
    """(months, days) so that P1Y == P12M and P2W == P14D compare equal; months and days never mix."""
    match = re.fullmatch(r"P(\d+(?:\.\d+)?)([YMWD])", iso)
    if not match:
        raise ValueError(f"unsupported duration {iso!r}")
    amount, unit = float(match.group(1)), match.group(2)
    if unit == "Y":
        return round(amount * 12), 0
    if unit == "M":
        return round(amount), 0
    return 0, round(amount * (7 if unit == "W" else 1))
