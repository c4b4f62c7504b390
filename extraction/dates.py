"""Find and normalise the dates contracts write: "March 12, 1999", "12th day of November, 2019", "05/05/98"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
# "20t h" appears where PDF text extraction split a ligature.
_DAY = r"(?<!\d)(?P<day>[0-3]?\d)(?:\s*(?:st|nd|rd|th|s\s?t|n\s?d|r\s?d|t\s?h)\b)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

DATE_PATTERNS = [
    # March 12, 1999 / Nov. 02, 2019 / September 13th, 2019 / March 9th 2015 / March 12,1999 / March 18. 2021
    re.compile(rf"\b{_MONTH}\s+{_DAY}\s*[,.]?\s*{_YEAR}\b", re.IGNORECASE),
    # 1 August 2019 / 14th day of November 2017 / 7th day of April, 2003
    re.compile(rf"{_DAY}\s+(?:day\s+of\s+)?{_MONTH},?\s+(?:in\s+the\s+year\s+)?{_YEAR}\b", re.IGNORECASE),
    # 05/05/98 / 3-14-18 (US month-first order, as SEC filings write it)
    re.compile(r"(?<![\d/.-])(?P<nmonth>[01]?\d)[/-](?P<nday>[0-3]?\d)[/-](?P<nyear>(?:19|20)?\d\d)(?![\d/-])"),
]


@dataclass(frozen=True)
class DateMatch:
    start: int
    end: int
    value: date


def _year(text: str) -> int:
    year = int(text)
    if year < 100:
        # Two-digit years in these filings span 1990-2049.
        year += 1900 if year >= 50 else 2000
    return year


_SOURCE_LINE = re.compile(r"Source:[^\n]*$")


def _on_source_line(text: str, position: int) -> bool:
    """EDGAR stamps "Source: COMPANY, 8-K, 3/13/2020" on each page: a filing date, never a contract date."""
    line_start = text.rfind("\n", 0, position) + 1
    return bool(_SOURCE_LINE.match(text, line_start, position))


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateMatch]:
    """Every well-formed date in text[start:end], in document order, without overlaps."""
    end = len(text) if end is None else end
    found: list[DateMatch] = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text, start, end):
            groups = match.groupdict()
            try:
                if groups.get("nmonth"):
                    value = date(_year(groups["nyear"]), int(groups["nmonth"]), int(groups["nday"]))
                else:
                    value = date(int(groups["year"]), MONTHS[groups["month"].lower().rstrip(".")],
                                 int(groups["day"]))
            except ValueError:
                continue
            if _on_source_line(text, match.start()):
                continue
            found.append(DateMatch(match.start(), match.end(), value))
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[DateMatch] = []
    for item in found:
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


@dataclass(frozen=True)
class PartialDate:
    """A date the contract leaves partly blank ("this ___ day of ______, 2004", "February ____, 2017")."""

    year: int
    month: int | None = None

    @property
    def iso(self) -> str:
        """ISO 8601 reduced precision: "2004" or "2017-02"."""
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"

    def plus(self, iso_duration: str) -> PartialDate | None:
        """Shifted by whole years (or months when the month is known); None when the result is not knowable."""
        match = re.fullmatch(r"P(\d+)([YM])", iso_duration)
        if not match:
            return None
        amount, unit = int(match.group(1)), match.group(2)
        if unit == "Y":
            return PartialDate(self.year + amount, self.month)
        if self.month is None:
            return None if amount % 12 else PartialDate(self.year + amount // 12)
        months = self.month - 1 + amount
        return PartialDate(self.year + months // 12, months % 12 + 1)


@dataclass(frozen=True)
class PartialMatch:
    start: int
    end: int
    value: PartialDate


# A blank left for the signer to fill in: underscores, or an empty bracket ("[ ]", "[·]").
_BLANK = r"(?:_{2,}|\[\s*[·•]?\s*\])"
_PARTIAL_PATTERNS = [
    # "this ___ day of _________, 2004" / "[·] day of [·], 2019" / "____ day of December, 2004"
    re.compile(rf"{_BLANK}\s*(?:day\s+of\s+)?(?:{_BLANK}|{_MONTH})\s*,?\s*{_YEAR}\b", re.IGNORECASE),
    # "February ____, 2017"
    re.compile(rf"\b{_MONTH}\s+{_BLANK}\s*,?\s*{_YEAR}\b", re.IGNORECASE),
    # "____________, 2015" / "_______________2000"
    re.compile(rf"{_BLANK}\s*,?\s*{_YEAR}\b"),
]


def find_partial_dates(text: str, start: int = 0, end: int | None = None) -> list[PartialMatch]:
    """Dates with a blank day (and maybe month) but a written year, in document order, without overlaps."""
    end = len(text) if end is None else end
    found: list[PartialMatch] = []
    for pattern in _PARTIAL_PATTERNS:
        for match in pattern.finditer(text, start, end):
            month = match.groupdict().get("month")
            value = PartialDate(int(match.group("year")), MONTHS[month.lower().rstrip(".")] if month else None)
            found.append(PartialMatch(match.start(), match.end(), value))
    found.sort(key=lambda m: (m.start, -m.end))
    kept: list[PartialMatch] = []
    for item in found:
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def add_duration(start: date, iso_duration: str) -> date:
    """Start date + an ISO-8601 duration of one unit (P5Y, P6M, P90D, P2W)."""
    match = re.fullmatch(r"P(\d+)([YMWD])", iso_duration)
    if not match:
        raise ValueError(f"unsupported duration {iso_duration!r}")
    amount, unit = int(match.group(1)), match.group(2)
    delta = {"Y": relativedelta(years=amount), "M": relativedelta(months=amount),
             "W": relativedelta(weeks=amount), "D": relativedelta(days=amount)}[unit]
    return start + delta


_GOLD_DATE = re.compile(r"\s*(\[\]|\d{1,2})\s*/\s*(\[\]|\d{1,2})\s*/\s*(\[\]|\d{2}|\d{4})\s*")


def parse_gold_date(text: str) -> tuple[int | None, int | None, int | None] | None:
    """CUAD's m/d/yy answers; a redacted part ("[]") becomes None and matches any value."""
    match = _GOLD_DATE.fullmatch(text)
    if not match:
        return None
    month, day, year = (None if part == "[]" else int(part) for part in match.groups())
    if month is not None and month > 12 and day is not None and day <= 12:
        month, day = day, month  # a few answers are written day first ("31/01/2025")
    return month, day, (None if year is None else _year(str(year)))
