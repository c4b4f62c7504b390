"""`review_paper`: a counterparty's document scored against our positions, deviations with verbatim evidence.

NDA positions are judged by the NDA reader (each a ContractNLI hypothesis), commercial positions by the clause
finder (a CUAD category present or absent); `rules/positions.yaml` says which deviate how, and its policy turns
the deviations into a risk score and a route. Deterministic: the same bytes give the same review.
"""

from __future__ import annotations

import re

from core.contract_terms import Citation
from core.document_review import CheckedPosition, Deviation, DocumentReview, Finding
from extraction.citations import cite
from extraction.clause_finder import ClauseFinder, load_finder
from playbook_store.loader import PlaybookError, load_clause_library, load_positions
from playbook_store.models import Severity
from playbook_store.positions import CommercialPosition, NdaPosition, PaperKind, Positions
from review.nda_reader.model import HypothesisVerdict, NdaReader, load_reader
from review.nda_reader.spans import document_spans
from tools.documents import Document

# An NDA says so in its title or opening: "Mutual Non-Disclosure Agreement", "Confidentiality Agreement".
_NDA_TITLE = re.compile(r"\b(?:non[- ]?disclosure|confidentiality|secrecy)\s+(?:and\s+\w+\s+)?agreement\b|\bNDA\b",
                        re.IGNORECASE)
_OPENING_CHARS = 1500


def paper_kind(document: Document) -> PaperKind:
    return "nda" if _NDA_TITLE.search(document.text[:_OPENING_CHARS]) else "commercial"


def _citations(document: Document, spans: list[tuple[int, int]]) -> list[Citation]:
    out = []
    for start, end in spans:
        try:
            out.append(cite(document, start, end))
        except ValueError:  # a span of whitespace only cites nothing
            continue
    return out


def nda_severity(position: NdaPosition, finding: Finding) -> Severity | None:
    """The severity of what the document does with an NDA position; None when that is no deviation."""
    if finding == "not_mentioned":
        return position.missing_severity if position.stance == "required" else None
    if finding == "contradicted":
        return position.severity if position.stance == "required" else None
    return position.severity if position.stance == "unacceptable" else None


def commercial_severity(position: CommercialPosition, finding: Finding) -> Severity | None:
    return position.severity if finding == position.deviates_when else None


def _nda_finding(verdict: HypothesisVerdict) -> tuple[Finding, float]:
    """What the document does with an NDA position, and the reader's probability of that."""
    if verdict.label == "NotMentioned":
        return "not_mentioned", 1.0 - verdict.mentioned
    if verdict.label == "Contradiction":
        return "contradicted", verdict.mentioned * verdict.stance
    return "entailed", verdict.mentioned * (1.0 - verdict.stance)


def _placed(position: NdaPosition | CommercialPosition, finding: Finding, evidence: list[Citation],
            confidence: float | None) -> Deviation | CheckedPosition:
    """A finding as a deviation (with what to ask for and the fallback), or as a position checked and held."""
    if isinstance(position, NdaPosition):
        position_id, severity = position.hypothesis, nda_severity(position, finding)
    else:
        position_id, severity = position.id, commercial_severity(position, finding)
    if severity is None:
        return CheckedPosition(position=position_id, title=position.title, finding=finding, evidence=evidence)
    fallback = position.fallback_clause
    return Deviation(
        position=position_id, title=position.title, severity=severity, finding=finding, evidence=evidence,
        standard=position.standard, negotiation_point=position.negotiation_point, fallback_clause=fallback,
        fallback_text=load_clause_library().position(fallback).text if fallback else None,
        confidence=None if confidence is None else round(min(1.0, max(0.0, confidence)), 4))


def check_positions(positions: Positions, finder: ClauseFinder) -> None:
    """Every commercial position names a category the clause finder knows (a typo would never deviate)."""
    unknown = sorted({p.category for p in positions.commercial} - set(finder.categories))
    if unknown:
        raise PlaybookError(f"positions.yaml: commercial categories unknown to the clause finder: {unknown}")


def review_paper(document: Document, *, title: str, sha256: str | None, kind: PaperKind | None = None,
                 positions: Positions | None = None, reader: NdaReader | None = None,
                 finder: ClauseFinder | None = None) -> DocumentReview:
    positions = positions or load_positions()
    finder = finder or load_finder()
    check_positions(positions, finder)
    kind = kind or paper_kind(document)
    placed: list[Deviation | CheckedPosition] = []

    if kind == "nda":
        passages = document_spans(document.text)
        verdicts = {v.hypothesis: v for v in (reader or load_reader()).read(document.text, passages)}
        for position in positions.nda:
            verdict = verdicts.get(position.hypothesis)
            if verdict is None:
                continue  # a position the packaged reader was not trained for
            finding, confidence = _nda_finding(verdict)
            evidence = _citations(document, [(passages[i].start, passages[i].end) for i in verdict.evidence])
            placed.append(_placed(position, finding, evidence, confidence))

    clauses = {c.category: c for c in finder.clauses(document.text)}
    for commercial in positions.commercial:
        already = commercial.covers is not None and any(
            isinstance(p, Deviation) and p.position == commercial.covers for p in placed)
        if kind not in commercial.applies_to or already:
            continue
        clause = clauses[commercial.category]
        placed.append(_placed(commercial, "present" if clause.present else "absent",
                              _citations(document, clause.quotes),
                              clause.score if clause.present else 1.0 - clause.score))

    deviations = [p for p in placed if isinstance(p, Deviation)]
    held = [p for p in placed if isinstance(p, CheckedPosition)]
    return scored(DocumentReview(title=title, sha256=sha256, kind=kind, pages=len(document.pages), risk_score=0,
                                 route="sales", deviations=deviations, held=held), positions)


def scored(review: DocumentReview, positions: Positions) -> DocumentReview:
    """Deviations worst first, the risk score and the route, by the policy."""
    order = {"high": 0, "medium": 1, "low": 2}
    deviations = sorted(review.deviations, key=lambda d: (order[d.severity], d.position))
    score = positions.policy.score([d.severity for d in deviations])
    route = positions.policy.route(review.kind, score, any(d.severity == "high" for d in deviations))
    return review.model_copy(update={"deviations": deviations, "risk_score": score, "route": route})


def revised(review: DocumentReview, position_id: str, finding: Finding, evidence: list[Citation],
            positions: Positions) -> DocumentReview:
    """The review with one position's finding replaced (a model's reading, once checked), then re-scored."""
    position = next((p for p in positions.nda if p.hypothesis == position_id), None) \
        or next((p for p in positions.commercial if p.id == position_id), None)
    if position is None:
        raise KeyError(position_id)
    deviations = [d for d in review.deviations if d.position != position_id]
    held = [h for h in review.held if h.position != position_id]
    placed = _placed(position, finding, evidence, None)
    if isinstance(placed, Deviation):
        deviations.append(placed)
    else:
        held.append(placed)
    return scored(review.model_copy(update={"deviations": deviations, "held": held}), positions)
