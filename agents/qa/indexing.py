"""An executed contract as the Q&A store keeps it: text and pages, the names people use for it, its records.
Indexed at every sync and backfill (the extractor's plan step, which has the text and the Salesforce snapshot);
an unchanged contract is not rewritten."""

from __future__ import annotations

from typing import Any

from qa import ContractStore, IndexedContract
from runtime.state import ExecutedContract
from tools.document_model import Document


def indexed_contract(contract: ExecutedContract, document: Document, opportunity: dict[str, Any] | None,
                     account: dict[str, Any] | None) -> IndexedContract:
    parties = [p.name for p in contract.terms.parties] if contract.terms else []
    names = [str(n) for n in [(account or {}).get("Name"), (opportunity or {}).get("Name"), contract.record_name,
                              contract.document_name, *parties] if n]
    unique = list(dict.fromkeys(names))
    return IndexedContract(doc=contract.workflow_id, text=document.text, pages=document.pages,
                           name=unique[0] if unique else None, aliases=unique[1:],
                           account_id=contract.account_id, opportunity_id=contract.opportunity_id,
                           link=(opportunity or {}).get("Ironclad_Workflow_Link__c"), terms=contract.terms)


def index_executed(store: ContractStore, contract: ExecutedContract, document: Document | None,
                   opportunity: dict[str, Any] | None, account: dict[str, Any] | None) -> str:
    """Index the contract for questions; a log line saying what happened."""
    if document is None:
        return "qa: nothing to index (no readable document)"
    changed = store.upsert(indexed_contract(contract, document, opportunity, account))
    return f"qa: contract {contract.workflow_id} {'indexed' if changed else 'already indexed'} for questions"
