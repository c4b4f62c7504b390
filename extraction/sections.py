"""Section headings around a position: "12. Governing Law", "ARTICLE 9 - TERM AND TERMINATION", "7) Term".

Contracts state each term under a heading that names it, so the heading a sentence sits under is strong
evidence of what the sentence is about. EDGAR texts write headings either on their own line or inline at the
start of a paragraph ("1. Term. This Agreement shall ...").
"""

from __future__ import annotations

import re

_NUMBER = r"(?:(?:ARTICLE|Article|SECTION|Section|Clause|CLAUSE)\s+)?(?:[\dIVXivx]+[A-Za-z]?(?:\.\d+)*[.):]?|\([a-z\d]+\))"
# A heading is a few capitalised words, optionally numbered, ending the line or followed by "." / ":" / " - ".
_OWN_LINE = re.compile(rf"^[ \t*]*(?P<number>{_NUMBER}[ \t]*[-–—:]?[ \t]*)?(?P<title>[A-Z][A-Za-z&,;'’/ \t-]{{1,70}}?)[ \t]*[.:]?[ \t]*$")
_INLINE = re.compile(rf"[ \t*]*(?:{_NUMBER}[ \t]+)?(?P<title>(?:[A-Z][A-Za-z'’/-]*|of|and|or|the|to|on|for|in)"
                     rf"(?:[ \t]+(?:[A-Z][A-Za-z'’/-]*|of|and|or|the|to|on|for|in)){{0,6}})[ \t]*(?:\.|:|[ \t]-)[ \t]+(?=\S)")
_LOOKBACK_LINES = 4


def _line_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def _title_case(title: str) -> bool:
    """Wrapped prose lines can look like headings; a heading has few words, mostly capitalised."""
    words = title.split()
    capitalised = sum(w[0].isupper() for w in words)
    return len(words) <= 8 and capitalised * 2 > len(words)


def _numbered_heading(title: str) -> bool:
    """A numbered line in sentence case ("7.5 Term and termination") is a heading when it is short."""
    return len(title.split()) <= 5


def headings_before(text: str, position: int, max_chars: int = 1500) -> list[str]:
    """Titles of the headings governing `position`, nearest first: the inline heading of its paragraph, then
    heading lines above it (up to a few non-blank lines back, within `max_chars`)."""
    titles: list[str] = []
    floor = max(0, position - max_chars)
    line_start = _line_start(text, position)
    inline = _INLINE.match(text, line_start, min(len(text), line_start + 120))
    if inline:
        titles.append(inline.group("title").strip())
    seen_lines = 0
    cursor = line_start - 1
    while cursor > floor and seen_lines < _LOOKBACK_LINES:
        start = _line_start(text, cursor)
        line = text[start:cursor]
        cursor = start - 1
        if not line.strip():
            continue
        seen_lines += 1
        own = _OWN_LINE.match(line)
        if own and (_title_case(own.group("title")) or (own.group("number") and _numbered_heading(own.group("title")))):
            titles.append(own.group("title").strip())
        else:
            inline = _INLINE.match(line)
            if inline:
                titles.append(inline.group("title").strip())
                break
    return titles


def under_heading(text: str, position: int, pattern: re.Pattern[str]) -> bool:
    """Whether a heading governing `position` matches `pattern` (searched, case-insensitively by the caller)."""
    return any(pattern.search(title) for title in headings_before(text, position))
