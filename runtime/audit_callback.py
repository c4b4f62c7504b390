"""Model requests, responses and tool calls on the audit trail, from LangChain callbacks.

Attached once to the top-level graph, so every run inherits it. The correlation id comes from the nearest
enclosing node whose state carries one (the run tree is followed by parent run id). Only chat runs tagged
TOKENISED_CALL_TAG are recorded: the PII wrapper's inner call, whose text is tokenised; the wrapper's own run
(raw text) is not. Tool calls keep the tool's name and argument names with a digest of the values, since the
arguments come back detokenised.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from runtime import audit_trail
from runtime.model_tags import TOKENISED_CALL_TAG

_TEXT_LIMIT = 4000


def _cid_of(inputs: Any) -> str | None:
    value = inputs.get("correlation_id") if isinstance(inputs, dict) else getattr(inputs, "correlation_id", None)
    return value if isinstance(value, str) and value else None


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()[:16]


class AuditCallback(BaseCallbackHandler):
    run_inline = True  # starts must be seen before their children's, also under the async server

    def __init__(self) -> None:
        self._cids: dict[UUID, str | None] = {}
        self._tagged: set[UUID] = set()
        self._lock = threading.Lock()

    def _enter(self, run_id: UUID, parent: UUID | None, own: str | None = None) -> str | None:
        with self._lock:
            cid = own or (self._cids.get(parent) if parent else None)
            self._cids[run_id] = cid
            return cid

    def _leave(self, run_id: UUID) -> str | None:
        with self._lock:
            self._tagged.discard(run_id)
            return self._cids.pop(run_id, None)

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                       **kwargs: Any) -> None:
        self._enter(run_id, parent_run_id, _cid_of(inputs))

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._leave(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._leave(run_id)

    def on_chat_model_start(self, serialized: Any, messages: list[list[Any]], *, run_id: UUID,
                            parent_run_id: UUID | None = None, tags: list[str] | None = None,
                            metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        cid = self._enter(run_id, parent_run_id)
        if TOKENISED_CALL_TAG not in (tags or []):
            return
        with self._lock:
            self._tagged.add(run_id)
        model = (metadata or {}).get("ls_model_name") or (serialized or {}).get("name", "")
        audit_trail.record("model_request", cid or "unknown", "model", actor=str(model), subject="chat",
                           payload={"messages": [{"role": m.type, "content": str(m.content)[:_TEXT_LIMIT]}
                                                 for batch in messages for m in batch]})

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            tagged = run_id in self._tagged
        cid = self._leave(run_id)
        if not tagged:
            return
        out = []
        for batch in response.generations:
            for gen in batch:
                message = getattr(gen, "message", None)
                out.append({"content": str(getattr(message, "content", gen.text))[:_TEXT_LIMIT],
                            "tool_calls": [{"name": c["name"], "args": c["args"]}
                                           for c in getattr(message, "tool_calls", None) or []]})
        audit_trail.record("model_response", cid or "unknown", "model", subject="chat", payload={"generations": out})

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._leave(run_id)

    def on_tool_start(self, serialized: Any, input_str: str, *, run_id: UUID, parent_run_id: UUID | None = None,
                      inputs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        cid = self._enter(run_id, parent_run_id)
        if cid is None:
            return  # a tool outside a contractloop run
        name = (serialized or {}).get("name", "tool")
        audit_trail.record("tool_call", cid, "contractloop", actor="agent", subject=name,
                           payload={"args": sorted((inputs or {}).keys()), "digest": _digest(inputs or input_str)})

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._leave(run_id)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._leave(run_id)


AUDIT_CALLBACK = AuditCallback()
