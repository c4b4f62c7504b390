"""Required-clause compliance: which clauses a deal's profiles require, and where the contract states each.

The same check reads a draft (the template text with the special terms; one page) and an executed contract
(the extracted document text, its pages, and the clause finder's findings). Each required clause is either
attested by a verbatim quote with its offsets and page, or missing, and every missing one blocks.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from pydantic import Field

from core.contract_terms import Citation, ClauseFinding
from core.state_model import StateModel
from playbook_store.compliance_rules import ComplianceDeal, ComplianceProfile, ComplianceRules, RequiredClause
from playbook_store.loader import load_compliance_rules
from tools.document_model import Document, Page
from tools.salesforce.models import OpportunityBundle

FoundBy = Literal["phrases", "clause finder"]
# A quote is the passage around the match, cut to MAX_QUOTE characters around it when longer. A passage
# shorter than MIN_PASSAGE is a heading ("8.3 Audit Rights."): it joins the passage after it.
MAX_QUOTE = 480
MIN_PASSAGE = 60
_SEPARATOR = r"[\s\-\u2010\u2011]*"  # between a phrase's words: spaces, line breaks, hyphens, or nothing
# Passage breaks: a sentence end before a capital, a blank line, or a line that starts a numbered clause.
_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(\u201c])|\n[ \t]*\n\s*|\n(?=[ \t]*\d+(?:\.\d+)*\.?\s)")
_CLAUSE_NUMBER = re.compile(r"\s*(?:\d+(?:\.\d+)*|[A-Za-z]|[ivxlcIVXLC]+)\.")
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}


class ClauseCheck(StateModel):
    """One required clause of one profile: attested by a verbatim citation, or missing."""

    profile: str
    requirement: str
    clause: str
    attestation: Citation | None = None
    found_by: FoundBy | None = None
    evidence: list[str] = Field(default_factory=list, description="Phrases matched, or the finder's category.")

    @property
    def missing(self) -> bool:
        return self.attestation is None


class BlockingFinding(StateModel):
    profile: str
    requirement: str
    clause: str
    message: str = Field(description="Names the clause, e.g. 'Healthcare deal: no ... found'.")
    reason: str


class ComplianceReport(StateModel):
    profiles: list[str] = Field(description="Profile ids, in the rules' order.")
    checks: list[ClauseCheck]
    blocking: list[BlockingFinding]

    @property
    def compliant(self) -> bool:
        return not self.blocking

    @property
    def attested(self) -> list[ClauseCheck]:
        return [c for c in self.checks if not c.missing]

    @property
    def missing(self) -> list[ClauseCheck]:
        return [c for c in self.checks if c.missing]


def profiles_for(deal: ComplianceDeal | OpportunityBundle,
                 rules: ComplianceRules | None = None) -> list[ComplianceProfile]:
    """The deal's profiles; a bundle is read for its Account industry, billing country and product families."""
    if isinstance(deal, OpportunityBundle):
        deal = ComplianceDeal.from_bundle(deal)
    return (rules or load_compliance_rules()).profiles_for(deal)


def check_compliance(profiles: Sequence[ComplianceProfile], text: str,
                     clause_findings: Sequence[ClauseFinding] = (),
                     pages: Sequence[Page] | None = None) -> ComplianceReport:
    """Each profile's required clauses looked up in `text`: by phrases first (deterministic, explainable),
    then by a present clause-finder finding of its category whose quote stands verbatim in `text`."""
    document = Document(text=text, pages=list(pages) if pages else [Page(number=1, start=0, end=len(text))])
    findings = {f.category: f for f in clause_findings if f.present}
    checks: list[ClauseCheck] = []
    blocking: list[BlockingFinding] = []
    for profile in profiles:
        for required in profile.requires:
            check = _check(profile, required, document, findings)
            checks.append(check)
            if check.missing:
                blocking.append(BlockingFinding(
                    profile=profile.id, requirement=required.id, clause=required.clause,
                    message=f"{profile.name} deal: no {required.clause} found", reason=required.reason))
    return ComplianceReport(profiles=[p.id for p in profiles], checks=checks, blocking=blocking)


def _check(profile: ComplianceProfile, required: RequiredClause, document: Document,
           findings: dict[str, ClauseFinding]) -> ClauseCheck:
    check = ClauseCheck(profile=profile.id, requirement=required.id, clause=required.clause)
    by_phrase = _phrase_attestation(required, document)
    if by_phrase is not None:
        citation, phrases = by_phrase
        return check.model_copy(update={"attestation": citation, "found_by": "phrases", "evidence": phrases})
    finding = findings.get(required.category or "")
    if finding is None:
        return check
    # Findings of another text (or a stale reading) are no evidence for this one.
    verbatim = [c for c in finding.citations if document.text[c.start:c.end] == c.quote]
    if not verbatim:
        return check
    return check.model_copy(update={"attestation": verbatim[0], "found_by": "clause finder",
                                    "evidence": [f"{finding.category} (score {finding.score:.2f})"]})


def _phrase_attestation(required: RequiredClause, document: Document) -> tuple[Citation, list[str]] | None:
    """The passage stating the most distinct phrases (the earliest of equals), if enough phrases occur."""
    text = document.text
    breaks: tuple[list[int], list[int]] | None = None
    by_passage: dict[tuple[int, int], list[str]] = {}
    matched: set[str] = set()
    for phrase in required.phrases:
        for match in _pattern(phrase).finditer(text):
            breaks = breaks or _breaks(text)
            span = _passage(text, breaks, match.start(), match.end())
            if phrase not in by_passage.setdefault(span, []):
                by_passage[span].append(phrase)
            matched.add(phrase)
    if len(matched) < required.min_phrases:
        return None
    (start, end), phrases = min(by_passage.items(), key=lambda item: (-len(item[1]), item[0][0]))
    citation = Citation(page=document.page_of(start), start=start, end=end, quote=text[start:end])
    return citation, [p for p in required.phrases if p in matched]


@lru_cache(maxsize=256)
def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s\-]+", phrase.strip()) if w]
    body = _SEPARATOR.join(words)
    head = r"\b" if re.match(r"\w", phrase.strip()) else ""
    tail = r"\b" if re.search(r"\w$", phrase.strip()) else ""
    return re.compile(head + body + tail, re.IGNORECASE)


def _breaks(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the passage breaks in `text` (they do not overlap, so both lists are in order).
    The full stop of a clause number ("3. Information Security") ends no sentence."""
    spans = [(b.start(), b.end()) for b in _BREAK.finditer(text)
             if not _CLAUSE_NUMBER.fullmatch(text, text.rfind("\n", 0, b.start()) + 1, b.start())]
    return [s for s, _ in spans], [e for _, e in spans]


def _is_heading(passage: str) -> bool:
    """ "8.3 Audit Rights.", "EXHIBIT C - SECURITY": every word capitalised but the small ones."""
    words = _WORD.findall(passage)
    return bool(words) and all(w[0].isupper() or w.casefold() in _SMALL_WORDS for w in words)


def _passage(text: str, breaks: tuple[list[int], list[int]], start: int, end: int) -> tuple[int, int]:
    """The sentence or clause holding text[start:end], at most about MAX_QUOTE long, without surrounding
    spaces; offsets into `text`, so the quote stays verbatim."""
    starts, ends = breaks
    before = bisect_right(ends, start)
    left = ends[before - 1] if before else 0
    if before:
        previous = ends[before - 2] if before > 1 else 0
        if starts[before - 1] - previous < MIN_PASSAGE and _is_heading(text[previous:starts[before - 1]]):
            left = previous
    after = bisect_left(starts, end)
    right = starts[after] if after < len(starts) else len(text)
    while right - left < MIN_PASSAGE and after + 1 < len(starts):
        after += 1
        right = starts[after]
    if right - left < MIN_PASSAGE:
        right = len(text)
    if right - left > MAX_QUOTE:
        spare = max(MAX_QUOTE - (end - start), 0)
        left = max(left, start - spare // 2)
        right = min(right, max(end, left + MAX_QUOTE))
    # A cut inside a word moves to the word's edge (never past the match).
    while left < start and left > 0 and text[left - 1].isalnum() and text[left].isalnum():
        left += 1
    while right > end and right < len(text) and text[right - 1].isalnum() and text[right].isalnum():
        right -= 1
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    return left, right
