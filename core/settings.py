"""One settings object for the whole project, read from environment variables and one `.env` file.

A real org or tenant is selected by configuration alone: point the URLs and credentials at it.
With nothing set, everything defaults to the local sandbox.

Which `.env`: the file named by CONTRACTLOOP_ENV_FILE if that is set (empty = no file), else `<repo>/.env`,
whatever the working directory, so the CLI and the server it starts read the same file. Real environment
variables win over the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.rollout import Mode, Rollout

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_FILE_VARIABLE = "CONTRACTLOOP_ENV_FILE"


class ConfigurationError(ValueError):
    """The configuration itself is unusable (e.g. CONTRACTLOOP_ENV_FILE names no file)."""


def env_file() -> Path | None:
    """The `.env` file settings are read from (see the module docstring), or None for none."""
    named = os.environ.get(ENV_FILE_VARIABLE)
    if named is None:
        return PROJECT_ROOT / ".env"
    if not named.strip():
        return None
    path = Path(named).expanduser().resolve()
    if not path.is_file():
        raise ConfigurationError(f"{ENV_FILE_VARIABLE}={named} names no file")
    return path


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file_encoding="utf-8", extra="ignore")

    def __init__(self, **values: Any) -> None:
        # The file is chosen when settings are read, not at import, so CONTRACTLOOP_ENV_FILE set later counts.
        values.setdefault("_env_file", env_file())
        super().__init__(**values)

    # --- Salesforce -------------------------------------------------------------------------
    sf_instance_url: str = Field("https://127.0.0.1:8443", description="Org instance URL, no trailing slash.")
    sf_access_token: SecretStr | None = Field(None, description="A session id / OAuth access token, if already held.")
    sf_client_id: str | None = Field(None, description="Connected app consumer key (client credentials or JWT).")
    sf_client_secret: SecretStr | None = None
    sf_username: str | None = Field(None, description="Integration user, for the JWT bearer flow.")
    sf_private_key_file: Path | None = Field(None, description="PEM private key for the JWT bearer flow.")
    sf_login_domain: str = Field("login", description="'login', 'test' or a My Domain stem such as 'acme.my'.")
    sf_api_version: str = "59.0"
    sf_ca_bundle: Path | None = Field(None, description="CA bundle to trust (the sandbox's local CA).")
    sf_max_retries: int = 4

    # --- Ironclad ---------------------------------------------------------------------------
    ironclad_base_url: str = "http://127.0.0.1:8444"
    ironclad_client_id: str | None = None
    ironclad_client_secret: SecretStr | None = None
    ironclad_user_email: str | None = None
    ironclad_webhook_public_key_file: Path | None = None

    # --- Models -----------------------------------------------------------------------------
    openai_base_url: str | None = Field(None, description="Any OpenAI-compatible endpoint; unset = offline engine.")
    openai_api_key: SecretStr | None = None
    contractloop_model: str = "gpt-4o-mini"
    contractloop_tokenise_personal_data: bool = Field(
        True, description="Replace names, emails, phones and addresses by reversible tokens in every chat and "
                          "embeddings request, restored in the answer. Off only for an endpoint inside your own "
                          "boundary.")
    contractloop_tokenise_amounts: bool = Field(
        False, description="Tokenise currency amounts and price fields too. Off by default: amounts are not "
                           "personal data, and a model that sees a token cannot compare or add them (the risk "
                           "narrative's thresholds, revenue questions); turn on where pricing may not leave.")

    # --- Approvals ---------------------------------------------------------------------------
    contractloop_approvers: dict[str, str] = Field(
        default_factory=dict,
        description='Approver role -> Salesforce User Id that owns the approval Task, e.g. {"legal": "005..."}.')

    # --- Sync policy ---------------------------------------------------------------------------
    contractloop_auto_write_confidence: float | None = Field(
        None, ge=0.0, le=1.0,
        description="Calibrated confidence at or above which an extracted value is written to Salesforce without "
                    "review; unset = the threshold chosen in cross-validation (packaged with the calibrator).")

    # --- Rollout (core/rollout.py) ------------------------------------------------------------
    # Default bidirectional: with nothing set a user runs the sandbox demo, which should show the whole loop
    # (launch, signature, write-back). A real org's first deployment sets read_only, then assisted.
    contractloop_mode: Mode = Field(
        Mode.BIDIRECTIONAL, description="read_only: extraction insights only, no Account/Opportunity field, Task "
                                        "or Ironclad launch; assisted: a person approves every deal and write plan; "
                                        "bidirectional: policy decides.")
    contractloop_pilot_templates: Annotated[frozenset[str], NoDecode] = Field(
        default_factory=frozenset,
        description="Templates (contract types: nda, order_form, msa, dpa) contractloop may launch, comma-"
                    "separated; empty = all. Other deals are not launched.")

    # --- Deviation alerts to chat (each one set gets every alert; none = alerts are only recorded) -------
    contractloop_slack_webhook_url: SecretStr | None = Field(
        None, description="A Slack incoming webhook URL (the URL is the credential).")
    contractloop_slack_bot_token: SecretStr | None = Field(
        None, description="A Slack bot token with chat:write, for chat.postMessage; needs CONTRACTLOOP_SLACK_CHANNEL.")
    contractloop_slack_channel: str | None = Field(None, description="Channel id or name chat.postMessage posts to.")
    contractloop_slack_api_url: str = Field("https://slack.com/api", description="Slack's Web API (or the sandbox's).")
    contractloop_teams_webhook_url: SecretStr | None = Field(
        None, description="A Microsoft Teams Incoming Webhook or Workflows URL (the URL is the credential).")
    contractloop_chat_max_attempts: int = Field(5, ge=1, description="Attempts per alert and channel, retries included.")

    # --- Contract questions from Slack (the slash command and app mentions; the bot token and API URL above) --
    contractloop_slack_signing_secret: SecretStr | None = Field(
        None, description="The Slack app's signing secret (Basic Information): requests to /slack/* are verified "
                          "with it; unset = those routes answer 503. The bot token above needs chat:write, "
                          "users:read and users:read.email.")
    contractloop_slack_mention_replies: Literal["private", "thread"] = Field(
        "private", description="How an @mention is answered. private: chat.postEphemeral in the thread, seen by the "
                               "asker alone (the read access was checked for them, not for the channel); thread: "
                               "chat.postMessage in the thread, seen by everyone in the channel (only where every "
                               "member may read those contracts).")

    # --- Contract Q&A ----------------------------------------------------------------------
    contractloop_qa_retrieval: Literal["hybrid", "lexical"] = Field(
        "hybrid", description="hybrid: finder + BM25, reranked by passage embeddings kept in a chromadb index beside "
                              "the contract store (the offline MiniLM always: contract text is never sent out to "
                              "be embedded); lexical: without the dense rerank.")

    # --- Our own server ---------------------------------------------------------------------
    contractloop_api_key: SecretStr | None = None
    contractloop_api_url: str = "http://127.0.0.1:2024"
    contractloop_public_url: str | None = Field(
        None, description="The URL Ironclad reaches `serve` at (behind a proxy or tunnel); the webhook is "
                          "registered at <this>/ironclad/webhooks. Unset: the server's own URL.")
    contractloop_data_dir: Path = Field(PROJECT_ROOT / "var", description="Where local state (SQLite, indexes) lives.")
    contractloop_audit_path: Path | None = Field(
        None, description="The hash-chained audit log (SQLite); unset = <data dir>/audit.sqlite.")
    contractloop_audit_database_url: str | None = Field(
        None, description="The production database for the audit log, a postgresql:// URL; set, the log is "
                          "PostgreSQL and CONTRACTLOOP_AUDIT_PATH is not used.")

    # --- What the server accepts --------------------------------------------------------------
    contractloop_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser origins allowed to call the server, comma-separated (e.g. https://smith.langchain.com "
                    "for Studio); none by default.")
    contractloop_max_body_bytes: int = Field(
        1 << 20, ge=1024, description="Largest body the Flow routes and the Ironclad webhook read.")
    contractloop_max_api_body_bytes: int = Field(
        16 << 20, ge=1024, description="Largest body LangGraph's own API (threads, runs, store) reads.")
    ironclad_webhook_max_age_hours: float = Field(
        96, gt=0, description="Signed deliveries older than this are refused. Ironclad retries a delivery for up "
                              "to 3 days, so keep this above 72; a contract missed that way is found by backfill.")

    @field_validator("contractloop_cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("contractloop_audit_database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if not value:
            return None  # an empty variable is unset, not a database
        if not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("CONTRACTLOOP_AUDIT_DATABASE_URL must be a postgresql:// URL")
        return value

    @field_validator("contractloop_pilot_templates", mode="before")
    @classmethod
    def _comma_separated_templates(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(key.strip() for key in value.split(",") if key.strip())
        return value

    @property
    def rollout(self) -> Rollout:
        return Rollout(mode=self.contractloop_mode, pilot_templates=self.contractloop_pilot_templates)

    @property
    def model_configured(self) -> bool:
        return bool(self.openai_base_url)


def settings_from(env: Mapping[str, str], **overrides: Any) -> Settings:
    """Settings from explicit `KEY=value` pairs (what `sandbox up` prints), ignoring `.env` and the process env
    for those keys: how in-process tools point at one particular sandbox."""
    values: dict[str, Any] = {k.lower(): v for k, v in env.items()} | overrides
    return Settings(_env_file=None, **values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def current_rollout() -> Rollout:
    """The rollout of this process's settings (a client built without one works under this)."""
    return get_settings().rollout
