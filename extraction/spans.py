"""Sentence and section boundaries around a position, tuned to EDGAR-style text (one paragraph per line)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    """A value and the span that states it (the citation is built from the span later)."""

    value: object
    start: int
    end: int

_SENTENCE_START = re.compile(r"(?:[.!?][\"”')]?\s+(?=[\"“(]?[A-Z0-9(])|\n[ \t]*\n\s*|\n\s*(?=\(?[a-z0-9]{1,3}[.)]\s))")
_SENTENCE_END = re.compile(r"[.!?](?=[\"”')]?(?:\s+[\"“(]?[A-Z0-9(]|\s*$))|\n[ \t]*\n")
# "Inc." / "Corp." / "No." do not end a sentence even before a capital.
_NOT_AN_END = re.compile(r"(?:\b(?:Inc|Corp|Co|Ltd|No|Nos|Mr|Ms|Mrs|Dr|St|U\.S|S\.A|N\.V|B\.V|L\.P|Sec|Sect|vs|e\.g|i\.e|"
                         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|[A-Z]))$")


# "March 18. 2021": a typed date whose comma became a full stop is no sentence end.
_DATE_BEFORE_STOP = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
                               r"December)\s+\d{1,2}$", re.IGNORECASE)
_YEAR_AFTER_STOP = re.compile(r"\.\s*(?:19|20)\d\d\b")


def _date_stop(text: str, stop: int) -> bool:
    return bool(_YEAR_AFTER_STOP.match(text, stop) and _DATE_BEFORE_STOP.search(text, max(0, stop - 14), stop))


def sentence_bounds(text: str, position: int, max_chars: int = 900) -> tuple[int, int]:
    """The sentence around `position`, clipped to `max_chars` on either side."""
    floor = max(0, position - max_chars)
    start = floor
    for match in _SENTENCE_START.finditer(text, floor, position):
        if match.group(0)[0] in ".!?" and (_NOT_AN_END.search(text, max(0, match.start() - 6), match.start())
                                           or _date_stop(text, match.start())):
            continue
        start = match.end()
    ceiling = min(len(text), position + max_chars)
    end = ceiling
    for match in _SENTENCE_END.finditer(text, position, ceiling):
        if match.group(0) == "." and (_NOT_AN_END.search(text, max(0, match.start() - 6), match.start())
                                      or _date_stop(text, match.start())):
            continue
        end = match.end()
        break
    return start, end


def window(text: str, start: int, end: int, chars: int) -> tuple[int, int]:
    return max(0, start - chars), min(len(text), end + chars)
