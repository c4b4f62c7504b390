"""`IroncladSandbox`: the emulator on a loopback port, with the credentials a client needs to reach it."""

from __future__ import annotations

from typing import Any

from sandbox.http import BackgroundServer, TlsFiles
from sandbox.ironclad.app import Services, create_app
from sandbox.ironclad.config import SandboxConfig
from sandbox.ironclad.faults import Faults
from sandbox.ironclad.identity import settle_identity
from sandbox.ironclad.oauth import TokenAuthority
from sandbox.ironclad.ratelimit import RateLimiter
from sandbox.ironclad.records import record_type_for
from sandbox.ironclad.repository import RecordRepository
from sandbox.ironclad.schemas import TemplateCatalog
from sandbox.ironclad.store import Store
from sandbox.ironclad.webhooks import DeliveryAttempt, WebhookDispatcher, WebhookSigner
from sandbox.ironclad.workflows import AsyncLaunches, WorkflowEngine


def build_services(config: SandboxConfig, store: Store | None = None,
                   signing_key_pem: str | None = None) -> Services:
    store = store or Store(config.db_path)
    catalog = TemplateCatalog(config.templates_dir)
    signer = WebhookSigner(signing_key_pem)
    dispatcher = WebhookDispatcher(store, config, signer)
    engine = WorkflowEngine(store, config, catalog, dispatcher)
    record_types = {"contract", *(record_type_for(t) for t in catalog.all())}
    return Services(store=store, auth=TokenAuthority(config, store), limiter=RateLimiter(config.rate_limits),
                    faults=Faults(), catalog=catalog, engine=engine,
                    launches=AsyncLaunches(store, engine, config.async_launch_delay_seconds),
                    records=RecordRepository(store, record_types), dispatcher=dispatcher, signer=signer)


class IroncladSandbox:
    """Usage: `with IroncladSandbox() as ic: IroncladClient(ic.base_url, ic.client_id, ic.client_secret,
    ic.user_email)`. Keyword arguments override `SandboxConfig` fields (e.g. `rate_limits=RateLimits(...)`)."""

    def __init__(self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int | None = None,
                 tls: TlsFiles | None = None, **overrides: Any) -> None:
        base = config or SandboxConfig()
        wanted = base.model_copy(update=overrides) if overrides else base
        store = Store(wanted.db_path)
        # With a database file, a restart keeps the tenant's credentials, users and signing key.
        self.config, signing_key = settle_identity(store, wanted)
        self.services = build_services(self.config, store, signing_key)
        self._server = BackgroundServer(create_app(self.services), host=host, port=port, tls=tls)

    @property
    def base_url(self) -> str:
        """The origin; the API is at `{base_url}/public/api/v1`, OAuth at `{base_url}/oauth`."""
        return self._server.url

    @property
    def client_id(self) -> str:
        return self.config.client_id

    @property
    def client_secret(self) -> str:
        return self.config.client_secret

    @property
    def user_email(self) -> str:
        return self.config.integration_user.email

    @property
    def company_id(self) -> str:
        return self.config.company_id

    @property
    def verification_key_pem(self) -> str:
        return self.services.signer.public_pem

    def env(self) -> dict[str, str]:
        """The settings a client process needs (what `contractloop sandbox up` prints)."""
        return {"IRONCLAD_BASE_URL": self.base_url, "IRONCLAD_CLIENT_ID": self.client_id,
                "IRONCLAD_CLIENT_SECRET": self.client_secret, "IRONCLAD_USER_EMAIL": self.user_email}

    def delivery_attempts(self) -> list[DeliveryAttempt]:
        return self.services.dispatcher.attempts()

    def start(self) -> IroncladSandbox:
        self.services.dispatcher.start()
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
        self.services.dispatcher.stop()

    def __enter__(self) -> IroncladSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
