"""Contract Q&A: which executed contract a question is about, which of its passages answer it, and whether it
answers at all, with every quote verbatim at its offsets.

    store = ContractStore.open(path)               # SQLite: indexed contracts (text, names, terms, record ids)
    store.upsert(IndexedContract(...))             # every sync and backfill; unchanged text is skipped
    qa = ContractQA(store)                          # the packaged clause finder and question reader
    qa.answer("When does the Acme deal expire?", visible=docs_the_asker_may_read)
"""

from qa.contract_store import ContractStore, IndexedContract
from qa.engine import ContractQA

__all__ = ["ContractQA", "ContractStore", "IndexedContract"]
