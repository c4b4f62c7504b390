"""Cut a contract into candidate passages (sentences, with their heading) that keep code-point offsets.

EDGAR texts write one paragraph per line and PDF text wraps lines, so a line break ends a block only when the
line does not run on into the next. Inside a block, sentences end at `.`/`!`/`?` before a capital (not after
"Inc." or "Sec."). Short pieces ("12.", "Governing Law.") are joined to the sentence after them, so a quote
carries its heading; over-long sentences are cut into windows at a `;`, `,` or space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_CHARS = 60     # shorter pieces join the next one (a heading joins its first sentence)
MAX_CHARS = 900    # longer sentences are cut into windows of about WINDOW_CHARS
WINDOW_CHARS = 600

# A paragraph gap: a blank line, a run of 3+ spaces/tabs (EDGAR's paragraph separator), or a form feed.
_GAP = re.compile(r"[ \t]*\n[ \t]*\n\s*|[ \t]{3,}|\f\s*")
_SENTENCE_END = re.compile(r"[.!?][\"”')\]]*(?=\s+[\"“(\[]?[A-Z0-9])")
_NOT_AN_END = re.compile(r"(?:\b(?:Inc|Corp|Co|Ltd|No|Nos|Mr|Ms|Mrs|Dr|St|U\.S|S\.A|N\.V|B\.V|L\.P|Sec|Sect|vs|"
                         r"e\.g|i\.e|Art|Para|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|[A-Z]))$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SMALL_WORDS = {"of", "and", "or", "the", "to", "on", "for", "in", "a", "an", "by", "with"}


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    heading: str  # the nearest heading above or at the start of the passage ("" when none)


def _line_runs_on(line: str, following: str) -> bool:
    """A wrapped line: it does not end a sentence or a heading, and the next line carries on the sentence."""
    tail = line.rstrip()
    head = following.lstrip()
    if not tail or not head:
        return False
    if head[0].islower():
        return tail[-1] not in ".:!?"
    return len(tail) >= 60 and tail[-1] not in ".:;!?\"”" and not head[:1].isdigit() and head[0] != "("


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraph spans: split at gaps, then at line ends that do not run on."""
    blocks: list[tuple[int, int]] = []
    position = 0
    for gap in [*_GAP.finditer(text), None]:
        stop = gap.start() if gap else len(text)
        line_start = position
        cursor = position
        while True:
            newline = text.find("\n", cursor, stop)
            if newline < 0:
                break
            next_end = text.find("\n", newline + 1, stop)
            following = text[newline + 1: next_end if next_end >= 0 else stop]
            if not _line_runs_on(text[line_start:newline], following):
                blocks.append((position, newline))
                position = newline + 1
            line_start = newline + 1
            cursor = newline + 1
        blocks.append((position, stop))
        position = gap.end() if gap else len(text)
    return [(s, e) for s, e in (_trim(text, s, e) for s, e in blocks) if e > s]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.group(0)[0] == "." and _NOT_AN_END.search(text, max(start, match.start() - 6), match.start()):
            continue
        pieces.append(_trim(text, cursor, match.end()))
        cursor = match.end()
    pieces.append(_trim(text, cursor, end))
    out: list[tuple[int, int]] = []
    for s, e in pieces:
        if e <= s:
            continue
        out.extend(_windows(text, s, e) if e - s > MAX_CHARS else [(s, e)])
    return out


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence after a `;`, `,` or space near every WINDOW_CHARS characters."""
    out: list[tuple[int, int]] = []
    while end - start > MAX_CHARS:
        limit = start + WINDOW_CHARS
        cut = -1
        for mark in ("; ", ", ", " "):
            cut = text.rfind(mark, start + WINDOW_CHARS // 2, limit)
            if cut >= 0:
                cut += len(mark)
                break
        if cut < 0:
            cut = limit
        out.append(_trim(text, start, cut))
        start = cut
    out.append(_trim(text, start, end))
    return [(s, e) for s, e in out if e > s]


NUMBERING = re.compile(r"^[ \t*]*(?:(?:ARTICLE|Article|SECTION|Section|Clause|CLAUSE)\s+)?"
                        r"(?:[\dIVXivx]+[A-Za-z]?(?:\.\d+)*[.):]?|\([a-z\d]+\))?[ \t]*[-–—:.]?[ \t]*")


def heading_like(piece: str) -> bool:
    """A few capitalised words without figures (after any numbering): "12. Governing Law", "ARTICLE 9 - TERM"."""
    piece = piece[NUMBERING.match(piece).end():]  # type: ignore[union-attr]  # the pattern matches ""
    if re.search(r"\d", piece):
        return False
    words = _WORD.findall(piece)
    if not words or len(words) > 8 or len(piece) > 90 or piece.rstrip()[-1:] in ",;":
        return False
    capitalised = sum(w[0].isupper() for w in words if w.lower() not in _SMALL_WORDS)
    content = sum(1 for w in words if w.lower() not in _SMALL_WORDS)
    return content > 0 and capitalised * 2 > content and any(len(w) >= 3 for w in words)


def split_passages(text: str) -> list[Passage]:
    """Passages in document order; every passage is non-empty and `text[start:end]` has no outer whitespace."""
    passages: list[Passage] = []
    heading = ""
    pending: tuple[int, int] | None = None  # short pieces waiting to join the next one
    pending_heading = ""
    for block_start, block_end in _blocks(text):
        if pending is not None and not heading_like(text[pending[0]:pending[1]]):
            # A short line that is no heading (a page number, a signature line) stands alone.
            passages.append(Passage(pending[0], pending[1], pending_heading))
            pending = None
        for start, end in _sentences(text, block_start, block_end):
            piece = text[start:end]
            if heading_like(piece):
                heading = piece[NUMBERING.match(piece).end():].strip(" .:-–—*")  # type: ignore[union-attr]
                pending_heading = heading
            if pending is not None:
                start = pending[0]
            if end - start < MIN_CHARS:
                if pending is None:
                    pending_heading = heading
                pending = (start, end)
                continue
            passages.append(Passage(start, end, heading if pending is None else pending_heading or heading))
            pending = None
    if pending is not None:
        passages.append(Passage(pending[0], pending[1], pending_heading))
    return passages
