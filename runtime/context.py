"""Runtime context of a run: the clients and model it uses, injected so tests pass scripted ones.

Under `langgraph dev` no context is passed, and each field falls back to a per-process client built from
settings (env vars / `.env`), so a real org is selected by configuration alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from core.settings import get_settings
from runtime.model_tags import TOKENISED_CALL_TAG
from tools.chat import AlertDispatcher, dispatcher_from_settings
from tools.ironclad import IroncladClient
from tools.pii.chat import tokenising
from tools.pii.detector import KnownValue
from tools.pii.vault import Vault
from tools.salesforce import SalesforceClient


class Context(BaseModel):
    """What a run uses. Keys it does not know are ignored: the LangGraph server passes its own (the cron that
    started a scheduled run, the authenticated user) into the context of the runs it creates."""

    model_config = ConfigDict(arbitrary_types_allowed=True, extra="ignore")

    # Clients are injected in-process (tests, the CLI); Studio and the server API see only the plain settings.
    salesforce: SkipJsonSchema[SalesforceClient] | None = Field(None, description="Salesforce client")
    ironclad: SkipJsonSchema[IroncladClient] | None = Field(None, description="Ironclad client")
    model: SkipJsonSchema[BaseChatModel] | None = Field(None, description="Chat model for the specialists; None = "
                                                                          "configured or offline")
    alerts: SkipJsonSchema[AlertDispatcher] | None = Field(None, description="Deviation alerts to chat")
    offline: bool = Field(False, description="Force the deterministic engine")
    approvers: dict[str, str] | None = Field(None, description="Approver role -> Salesforce User Id; None = from "
                                                               "settings")
    contract_store_path: str | None = Field(None, description="The Q&A contract store (SQLite); None = "
                                                              "<data dir>/contracts.sqlite")
    auto_write_confidence: float | None = Field(
        None, description="Confidence at or above which extracted values sync without review; None = settings, "
                          "else the cross-validated threshold")


@lru_cache(maxsize=1)
def default_salesforce() -> SalesforceClient:
    return SalesforceClient.from_settings(get_settings())

@lru_cache(maxsize=1)
def default_ironclad() -> IroncladClient:
    return IroncladClient.from_settings(get_settings())

def configured_model() -> Any:
    """The OpenAI-compatible chat model from settings (any base URL), or None: the deterministic engine."""
    settings = get_settings()
    if not settings.model_configured:
        return None
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return _chat_model(str(settings.openai_base_url), settings.contractloop_model, key)

@lru_cache(maxsize=4)
def _chat_model(base_url: str, model_name: str, api_key: str) -> Any:
    """One client per endpoint and model, reused across runs (keyed, so changed settings take effect)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=model_name, base_url=base_url, api_key=api_key, temperature=0,
                      timeout=120,  # a long contract's extraction request takes a while
                      max_retries=2)

@lru_cache(maxsize=1)
def default_alerts() -> AlertDispatcher:
    return dispatcher_from_settings(get_settings())


def alerts(ctx: Context | None) -> AlertDispatcher:
    """Where deviation alerts go (Slack / Teams as configured; recorded as not configured otherwise)."""
    return (ctx.alerts if ctx and ctx.alerts else None) or default_alerts()


def salesforce(ctx: Context | None) -> SalesforceClient:
    return (ctx.salesforce if ctx and ctx.salesforce else None) or default_salesforce()

def ironclad(ctx: Context | None) -> IroncladClient:
    return (ctx.ironclad if ctx and ctx.ironclad else None) or default_ironclad()

def model(ctx: Context | None, known: Sequence[KnownValue] | None = None) -> BaseChatModel | None:
    """The chat model to use, or None for the deterministic engine.

    Whichever model it is (configured or injected), it is returned behind a fresh PII vault: personal data the
    detector finds, plus `known` (what Salesforce holds about the deal: `known_values_of(bundle)`), leaves as
    tokens and comes back restored. One vault per call, so token numbers are stable for one specialist's run.
    """
    if ctx and ctx.offline:
        return None
    chosen = ctx.model if ctx and ctx.model is not None else configured_model()
    if chosen is None:
        return None
    settings = get_settings()
    if not settings.contractloop_tokenise_personal_data:
        return chosen
    vault = Vault(known=known or (), amounts=settings.contractloop_tokenise_amounts)
    return tokenising(chosen, vault, call_tags=[TOKENISED_CALL_TAG])

def approver_user(ctx: Context | None, role: str) -> str | None:
    """The Salesforce user who owns approval Tasks for `role`, if one is configured."""
    approvers = ctx.approvers if ctx and ctx.approvers is not None else get_settings().contractloop_approvers
    return approvers.get(role)

def auto_write_confidence(ctx: Context | None) -> float | None:
    """The run's auto-write threshold override, or None for the sync policy's configured one."""
    return ctx.auto_write_confidence if ctx else None
