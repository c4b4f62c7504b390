"""A chat model that sends the real one tokenised messages and hands back the answer with the values restored.

Everything that leaves the process goes through the vault: system, human and tool messages, earlier answers and
their tool-call arguments. The answer's content and tool-call arguments are restored, so the agent, its tools
and the checks that follow see real text (a quote is verbatim in the document again, a clause request is quoted
from the special terms again). Tools bind to the inner model (its own wire format) and the binding is replayed
through this wrapper, so `create_agent(..., response_format=ToolStrategy(...))` and `with_structured_output`
(tool calling) work unchanged.

The inner call runs with the caller's `call_tags` (runtime.context passes TOKENISED_CALL_TAG, which the audit
trail records: tokenised text only) and LangGraph's "nostream" tag, so a streamed run shows this wrapper's
restored message, not the tokenised one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableBinding
from pydantic import ConfigDict, Field, SkipValidation

from tools.pii.vault import Vault

NOSTREAM = "nostream"  # langgraph.constants.TAG_NOSTREAM, spelled out so tools/ does not import langgraph


class TokenisingChatModel(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: SkipValidation[BaseChatModel]
    vault: SkipValidation[Vault] = Field(default_factory=Vault)
    call_tags: list[str] = Field(default_factory=list, description="tags of the inner (tokenised) call")

    @property
    def _llm_type(self) -> str:
        return f"tokenising-{self.inner._llm_type}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"inner": self.inner._identifying_params}

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any) -> Any:
        bound = self.inner.bind_tools(tools, tool_choice=tool_choice, **kwargs)
        # The inner model formats the tools its own way; the wrapper replays those kwargs on every call.
        bound_kwargs = dict(bound.kwargs) if isinstance(bound, RunnableBinding) else {}
        return RunnableBinding(bound=self, kwargs=bound_kwargs, config={})

    # --- outgoing ---------------------------------------------------------------------------------------------
    def _tokenised(self, message: BaseMessage) -> BaseMessage:
        vault = self.vault
        update: dict[str, Any] = {}
        if isinstance(message.content, str):
            update["content"] = vault.tokenise_json_text(message.content) if isinstance(message, ToolMessage) \
                else vault.tokenise(message.content)
        else:  # content blocks: every text in them
            update["content"] = vault.tokenise_data(message.content)
        if isinstance(message, AIMessage):
            update["tool_calls"] = [{**call, "args": vault.tokenise_data(call["args"])}
                                    for call in message.tool_calls]
            update["invalid_tool_calls"] = [{**call, "args": vault.tokenise(call["args"] or "")}
                                            for call in message.invalid_tool_calls]
            update["additional_kwargs"] = _tokenised_kwargs(vault, message.additional_kwargs)
        return message.model_copy(update=update)

    def _inner_config(self, run_manager: Any) -> dict[str, Any]:
        config: dict[str, Any] = {"tags": [*self.call_tags, NOSTREAM]}
        if run_manager is not None:
            # An LLM run manager has no get_child(): the inner call is made this run's child by hand, inheriting
            # its handlers, tags and metadata (the correlation id), as a chain's child would.
            manager_type = AsyncCallbackManager if isinstance(run_manager, AsyncCallbackManagerForLLMRun) \
                else CallbackManager
            child = manager_type(handlers=[], parent_run_id=run_manager.run_id)
            child.set_handlers(run_manager.inheritable_handlers)
            child.add_tags(run_manager.inheritable_tags)
            child.add_metadata(run_manager.inheritable_metadata)
            config["callbacks"] = child
        return config

    # --- incoming ---------------------------------------------------------------------------------------------
    def _restored(self, message: BaseMessage) -> AIMessage:
        vault = self.vault
        assert isinstance(message, AIMessage), type(message)
        content = vault.restore(message.content) if isinstance(message.content, str) \
            else vault.restore_data(message.content)
        return message.model_copy(update={
            "content": content,
            "tool_calls": [{**call, "args": vault.restore_data(call["args"])} for call in message.tool_calls],
            "invalid_tool_calls": [{**call, "args": vault.restore(call["args"] or "")}
                                   for call in message.invalid_tool_calls],
            "additional_kwargs": _restored_kwargs(vault, message.additional_kwargs),
        })

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        sent = [self._tokenised(m) for m in messages]
        answer = self.inner.invoke(sent, config=self._inner_config(run_manager), stop=stop, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=self._restored(answer))])

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        sent = [self._tokenised(m) for m in messages]
        answer = await self.inner.ainvoke(sent, config=self._inner_config(run_manager), stop=stop, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=self._restored(answer))])


def _tokenised_kwargs(vault: Vault, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Raw provider tool calls carry their arguments as a JSON string: walked as JSON, like the parsed ones."""
    return _map_arguments(kwargs, vault.tokenise_data, vault.tokenise_json_text)


def _restored_kwargs(vault: Vault, kwargs: dict[str, Any]) -> dict[str, Any]:
    return _map_arguments(kwargs, vault.restore_data, vault.restore)


def _map_arguments(kwargs: dict[str, Any], on_data: Any, on_text: Any) -> dict[str, Any]:
    out = dict(kwargs)
    if isinstance(out.get("tool_calls"), list):
        calls = []
        for call in out["tool_calls"]:
            function = dict(call.get("function") or {})
            arguments = function.get("arguments")
            if isinstance(arguments, str):
                try:
                    function["arguments"] = json.dumps(on_data(json.loads(arguments)), ensure_ascii=False)
                except ValueError:
                    function["arguments"] = on_text(arguments)
            calls.append({**call, "function": function} if function else call)
        out["tool_calls"] = calls
    if isinstance(out.get("function_call"), dict):
        out["function_call"] = {**out["function_call"], "arguments":
                                on_text(str(out["function_call"].get("arguments", "")))}
    if "parsed" in out:  # structured output some providers return parsed: restored, it is data like the rest
        out["parsed"] = on_data(out["parsed"]) if isinstance(out["parsed"], (dict, list, str)) else out["parsed"]
    if "refusal" in out and isinstance(out["refusal"], str):
        out["refusal"] = on_text(out["refusal"])
    return out


def tokenising(model: BaseChatModel, vault: Vault, call_tags: Sequence[str] = ()) -> BaseChatModel:
    """`model` behind `vault`; a model already tokenising is returned as it is (never wrapped twice)."""
    if isinstance(model, TokenisingChatModel):
        return model
    return TokenisingChatModel(inner=model, vault=vault, call_tags=list(call_tags))
