"""Build citations from spans, and drop every value whose quote is not verbatim at its span."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from core.contract_terms import Citation, ClauseFinding, ContractTerms
from tools.documents import Document


def cite(document: Document, start: int, end: int) -> Citation:
    """A citation for document.text[start:end], trimmed of surrounding whitespace."""
    text = document.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        raise ValueError("cannot cite an empty span")
    return Citation(page=document.page_of(start), start=start, end=end, quote=text[start:end])


def citation_holds(citation: Citation, document: Document) -> bool:
    return (0 <= citation.start < citation.end <= len(document.text)
            and document.text[citation.start:citation.end] == citation.quote
            and document.page_of(citation.start) == citation.page)


def _holds(value: Any, document: Document) -> bool:
    citation = getattr(value, "citation", None)
    return isinstance(citation, Citation) and citation_holds(citation, document)


def verified(terms: ContractTerms, document: Document) -> ContractTerms:
    """A copy of `terms` keeping only values whose citation is verbatim in `document` (never repaired)."""
    kept: dict[str, Any] = {}
    for name in ContractTerms.model_fields:
        value = getattr(terms, name)
        if name == "clauses":
            kept[name] = [_verified_clause(finding, document) for finding in value]
        elif isinstance(value, list):
            kept[name] = [item for item in value if _holds(item, document)]
        elif isinstance(value, BaseModel):
            nested_money = getattr(value, "amount", None)
            if isinstance(nested_money, BaseModel) and not _holds(nested_money, document):
                continue
            kept[name] = value if _holds(value, document) else None
        else:
            kept[name] = value
    return ContractTerms.model_validate(kept)


def _verified_clause(finding: ClauseFinding, document: Document) -> ClauseFinding:
    """Only the quotes that hold; a clause left with none is no longer claimed present."""
    citations = [c for c in finding.citations if citation_holds(c, document)]
    return finding.model_copy(update={"citations": citations, "present": finding.present and bool(citations)})
