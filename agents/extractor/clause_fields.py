"""Clause findings -> the contract insight: which CUAD clause categories the contract states, with score and quote.

Two fields on Contract_Insight__c: `Clauses_Present__c` (multi-select picklist, so Legal Ops can filter
`INCLUDES ('Change Of Control')` in a report or SOQL) and `Clauses__c` (long text, one line per present clause:
category, score, page, span and the start of the quote). Their citations also go into `Citations__c` as
`Clauses__c:<category>`. Only present findings are listed; a category the finder scored absent is never written
as present. Scores are rounded so a rerun of the same document and model changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from core.contract_terms import Citation, ClauseFinding, ContractTerms

QUOTE_EXCERPT = 160  # characters of the quote shown per clause; the full span is in Citations__c
SCORE_DIGITS = 2


class ClauseFields:
    """The insight's clause values, and the citation behind each present clause."""

    def __init__(self, values: dict[str, Any], citations: dict[str, Citation]) -> None:
        self.values = values
        self.citations = citations


def present(terms: ContractTerms) -> list[ClauseFinding]:
    """Present findings in the finder's order (categories.json), each with its best citation first."""
    return [finding for finding in terms.clauses if finding.present and finding.citations]


def clause_line(finding: ClauseFinding) -> str:
    best = finding.citations[0]
    excerpt = " ".join(best.quote.split())
    if len(excerpt) > QUOTE_EXCERPT:
        excerpt = excerpt[:QUOTE_EXCERPT - 1].rstrip() + "…"
    more = f" (+{len(finding.citations) - 1} more)" if len(finding.citations) > 1 else ""
    score = f"{round(finding.score, SCORE_DIGITS):g}"  # 0.93, 0.9, 1: no trailing zeros, as other numbers
    return (f"{finding.category} — score {score} — p.{best.page} "
            f"[{best.start}:{best.end}] \"{excerpt}\"{more}")


def clauses_text(terms: ContractTerms) -> str:
    found = present(terms)
    head = f"{len(found)} of {len(terms.clauses)} CUAD clause categories found"
    return "\n".join([head + (":" if found else "."), *(clause_line(f) for f in found)])


def clause_fields(terms: ContractTerms, held: dict[str, Any] | None) -> ClauseFields:
    """Nothing when no clause finder read the contract (what Salesforce holds stays); else both fields,
    clearing `Clauses_Present__c` only when it held categories that are no longer found."""
    if not terms.clauses:
        return ClauseFields({}, held_clause_citations(held))
    found = present(terms)
    values: dict[str, Any] = {"Clauses__c": clauses_text(terms)}
    if found:
        values["Clauses_Present__c"] = ";".join(f.category for f in found)
    elif (held or {}).get("Clauses_Present__c"):
        values["Clauses_Present__c"] = ""  # Salesforce stores an empty value as null
    return ClauseFields(values, {f"Clauses__c:{f.category}": f.citations[0] for f in found})


def held_clause_citations(held: dict[str, Any] | None) -> dict[str, Citation]:
    """The clause citations Salesforce holds in Citations__c, kept when this reading has no clause findings."""
    try:
        cited = json.loads((held or {}).get("Citations__c") or "{}")
    except ValueError:
        return {}
    if not isinstance(cited, dict):
        return {}
    kept = {}
    for key, value in cited.items():
        if key.startswith("Clauses__c:"):
            try:
                kept[key] = Citation.model_validate(value)
            except ValueError:  # edited by hand into something else: not ours to keep
                continue
    return kept
