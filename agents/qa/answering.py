"""A question answered for one asker: only from contracts on records that asker may read in Salesforce.

Only the contracts that could answer are checked (those the question names, the record's, the conversation's
last), so a question costs one `UserRecordAccess` call however many contracts are stored. A question that names
no visible contract is answered "no contract you can see", the same whether an invisible one exists or none
does. A follow-up that names no contract ("and the notice period?") reads the conversation's last contract, if
the asker may still see it.
"""

from __future__ import annotations

from core.contract_answer import ContractAnswer
from core.salesforce_ids import id18
from qa import ContractQA, ContractStore
from tools.salesforce import SalesforceClient


def visible_docs(store: ContractStore, salesforce: SalesforceClient, asker_id: str, docs: list[str]) -> set[str]:
    """Which of `docs` the asker may read: one UserRecordAccess query for up to 200 records."""
    records = store.owning_records(docs)
    ids = sorted({record for record in records.values() if record})
    readable = salesforce.readable_records(asker_id, ids) if ids else set()
    return {doc for doc, record in records.items() if record and id18(record) in readable}


def answer_for(qa: ContractQA, salesforce: SalesforceClient, question: str, asker_id: str,
               record_id: str | None = None, previous_doc: str | None = None) -> ContractAnswer:
    store = qa.store
    record_docs = store.docs_for_record(id18(record_id) or record_id) if record_id else None
    could_answer = record_docs if record_docs is not None else qa.named_candidates(question)
    visible = visible_docs(store, salesforce, asker_id, [*could_answer, *([previous_doc] if previous_doc else [])])
    answer = qa.answer(question, visible=visible, record_docs=record_docs)
    if answer.outcome == "no_contract_visible" and previous_doc in visible:
        answer = qa.answer(question, visible=visible, record_docs=[previous_doc])
    return answer
