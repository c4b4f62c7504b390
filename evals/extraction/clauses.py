"""How `ContractTerms.clauses` projects onto a prediction line's `clauses`: one entry per CUAD category.

    "clauses": {"Anti-Assignment": {"present": true, "score": 0.97,
                                    "quotes": [{"quote": "...", "start": 1234, "end": 1400}]}, ...}

Every category the finder knows gets an entry (an engine that found nothing for it says absent, score 0).
"""

from __future__ import annotations

from typing import Any

from core.contract_terms import ContractTerms


def cuad_clauses(terms: ContractTerms, categories: list[str]) -> dict[str, dict[str, Any]]:
    found = {finding.category: finding for finding in terms.clauses}
    entries: dict[str, dict[str, Any]] = {}
    for category in [*categories, *(c for c in found if c not in categories)]:
        finding = found.get(category)
        if finding is None:
            entries[category] = {"present": False, "score": 0.0, "quotes": []}
            continue
        entries[category] = {
            "present": finding.present,
            "score": round(finding.score, 4),
            "quotes": [{"quote": c.quote, "start": c.start, "end": c.end} for c in finding.citations],
        }
    return entries
