"""Where the Q&A contract store lives for a run: the context's path, else `<data dir>/contracts.sqlite`; its
passage embeddings (hybrid retrieval) in `<store>-passages/` beside it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.settings import get_settings
from playbook_store.embeddings import MiniLMInt8Embeddings
from qa import ContractQA, ContractStore
from qa.dense_passages import DensePassages
from runtime.context import Context


def store_path(ctx: Context | None) -> Path:
    if ctx is not None and ctx.contract_store_path:
        return Path(ctx.contract_store_path)
    return get_settings().contractloop_data_dir / "contracts.sqlite"


@lru_cache(maxsize=8)
def _open(path: str) -> ContractStore:
    return ContractStore.open(path)


def contract_store(ctx: Context | None) -> ContractStore:
    """One open store per path and process (SQLite in WAL mode: the server and a backfill can share it)."""
    return _open(str(store_path(ctx)))


def passages_path(store: Path) -> Path:
    return store.with_name(f"{store.stem}-passages")


@lru_cache(maxsize=8)
def _engine(path: str) -> ContractQA:
    dense = None
    if get_settings().contractloop_qa_retrieval == "hybrid":
        # The offline MiniLM whatever model is configured: contract passages are not sent out to be embedded.
        dense = DensePassages.open(passages_path(Path(path)), MiniLMInt8Embeddings())
    return ContractQA(_open(path), dense=dense)


def contract_qa(ctx: Context | None) -> ContractQA:
    """One answer engine per store and process: it keeps the clause finder and the last contracts it read."""
    return _engine(str(store_path(ctx)))
