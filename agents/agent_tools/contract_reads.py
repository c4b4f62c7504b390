"""Reads of the executed contract for a model: search it by words, or read a span at an offset.

Both return text with its character offset, so a quote the model copies can be checked against the document.
"""

from __future__ import annotations

import json

from langchain.tools import ToolRuntime, tool

from agents.agent_tools.tool_context import ToolContext, ToolUnavailable
from extraction.chunks import search_chunks
from tools.documents import Document

MAX_READ_CHARS = 4000
SEARCH_HITS = 3


def _document(runtime: ToolRuntime[ToolContext]) -> Document:
    if runtime.context is None or runtime.context.document is None:
        raise ToolUnavailable("this run has no contract document")
    return runtime.context.document


@tool
def search_contract(query: str, runtime: ToolRuntime[ToolContext]) -> str:
    """Search the executed contract for passages about `query` (plain words, e.g. 'automatic renewal notice');
    returns up to three passages, each with its character offset."""
    document = _document(runtime)
    hits = search_chunks(document.text, query, k=SEARCH_HITS)
    return json.dumps([{"offset": c.start, "text": c.text} for c in hits] or {"none": f"no passage matches {query!r}"})


@tool
def read_contract(offset: int, length: int, runtime: ToolRuntime[ToolContext]) -> str:
    """Read the executed contract from character `offset`, `length` characters (at most 4000)."""
    document = _document(runtime)
    start = max(0, min(offset, len(document.text)))
    end = min(len(document.text), start + max(0, min(length, MAX_READ_CHARS)))
    return json.dumps({"offset": start, "end": end, "of": len(document.text), "text": document.text[start:end]})
