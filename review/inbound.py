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


def _nda_finding(position: NdaPosition, verdict: HypothesisVerdict) -> tuple[Finding, Severity | None, float]:
    """What the document does with a position, the severity if that is a deviation, and its probability."""
    if verdict.label == "NotMentioned":
        return "not_mentioned", nda_severity(position, "not_mentioned"), 1.0 - verdict.mentioned
    if verdict.label == "Contradiction":
        return "contradicted", nda_severity(position, "contradicted"), verdict.mentioned * verdict.stance
    return "entailed", nda_severity(position, "entailed"), verdict.mentioned * (1.0 - verdict.stance)


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
    library = load_clause_library()
    deviations: list[Deviation] = []
    held: list[CheckedPosition] = []

    if kind == "nda":
        passages = document_spans(document.text)
        verdicts = {v.hypothesis: v for v in (reader or load_reader()).read(document.text, passages)}
        for position in positions.nda:
            verdict = verdicts.get(position.hypothesis)
            if verdict is None:
                continue  # a position the packaged reader was not trained for
            finding, severity, confidence = _nda_finding(position, verdict)
            evidence = _citations(document, [(passages[i].start, passages[i].end) for i in verdict.evidence])
            if severity is None:
                held.append(CheckedPosition(position=position.hypothesis, title=position.title, finding=finding,
                                            evidence=evidence))
                continue
            deviations.append(Deviation(
                position=position.hypothesis, title=position.title, severity=severity, finding=finding,
                evidence=evidence, standard=position.standard, negotiation_point=position.negotiation_point,
                fallback_clause=position.fallback_clause,
                fallback_text=library.position(position.fallback_clause).text if position.fallback_clause else None,
                confidence=round(min(1.0, max(0.0, confidence)), 4)))

    clauses = {c.category: c for c in finder.clauses(document.text)}
    for commercial in positions.commercial:
        already = commercial.covers is not None and any(d.position == commercial.covers for d in deviations)
        if kind not in commercial.applies_to or already:
            continue
        clause = clauses[commercial.category]
        finding = "present" if clause.present else "absent"
        evidence = _citations(document, clause.quotes)
        if finding != commercial.deviates_when:
            held.append(CheckedPosition(position=commercial.id, title=commercial.title, finding=finding,
                                        evidence=evidence))
            continue
        fallback = commercial.fallback_clause
        deviations.append(Deviation(
            position=commercial.id, title=commercial.title, severity=commercial.severity, finding=finding,
            evidence=evidence, standard=commercial.standard, negotiation_point=commercial.negotiation_point,
            fallback_clause=fallback, fallback_text=library.position(fallback).text if fallback else None,
            confidence=round(clause.score if clause.present else 1.0 - clause.score, 4)))

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
    library = load_clause_library()
    deviations = [d for d in review.deviations if d.position != position_id]
    held = [h for h in review.held if h.position != position_id]
    nda = next((p for p in positions.nda if p.hypothesis == position_id), None)
    commercial = next((p for p in positions.commercial if p.id == position_id), None)
    if nda is not None:
        severity, title, standard, point, fallback = (nda_severity(nda, finding), nda.title, nda.standard,
                                                      nda.negotiation_point, nda.fallback_clause)
    elif commercial is not None:
        severity, title, standard, point, fallback = (commercial_severity(commercial, finding), commercial.title,
                                                      commercial.standard, commercial.negotiation_point,
                                                      commercial.fallback_clause)
    else:
        raise KeyError(position_id)
    if severity is None:
        held.append(CheckedPosition(position=position_id, title=title, finding=finding, evidence=evidence))
    else:
        deviations.append(Deviation(
            position=position_id, title=title, severity=severity, finding=finding, evidence=evidence,
            standard=standard, negotiation_point=point, fallback_clause=fallback,
            fallback_text=library.position(fallback).text if fallback else None, confidence=None))
    return scored(review.model_copy(update={"deviations": deviations, "held": held}), positions)
