"""Search of the approved clause library, and which clause ids a run's searches returned (the grounding)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from langchain.tools import tool
from langchain_core.messages import BaseMessage, ToolMessage

HITS = 3


@lru_cache(maxsize=1)
def _index() -> Any:
    from playbook_store.index import PlaybookIndex  # chromadb takes seconds to import: only when searched

    return PlaybookIndex.open()


@tool(response_format="content_and_artifact")
def search_playbook(query: str) -> tuple[str, list[dict[str, Any]]]:
    """Search the approved clause library with a request in plain words (e.g. 'liability cap of two times
    fees'); returns clause ids, versions, titles and texts."""
    index = _index()
    hits = [hit.model_dump(include={"clause_id", "version", "title", "text"}) for hit in index.search(query, k=HITS)]
    if index.degraded:  # said to the model and kept in the run's messages, so the trace shows the fallback
        return json.dumps({"note": index.degraded, "clauses": hits}), hits
    return json.dumps(hits), hits


def retrieved_clause_ids(messages: Sequence[BaseMessage]) -> set[str]:
    """Every clause id a `search_playbook` call returned in this conversation (from the tool's artifact)."""
    return {hit["clause_id"] for m in messages
            if isinstance(m, ToolMessage) and m.name == search_playbook.name and isinstance(m.artifact, list)
            for hit in m.artifact}
