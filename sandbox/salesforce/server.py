"""`SalesforceSandbox`: one emulated org served over real TLS on a loopback port.

    with SalesforceSandbox(opportunities=100) as org:
        sf = org.client()                     # an unmodified simple_salesforce.Salesforce
        sf.query("SELECT Id FROM Opportunity")

Credentials (password, security token, connected-app key/secret, a JWT signing key, the long-lived
access token, the TLS CA) are generated on the first start and kept in the sandbox's own data directory, so a
restart on the same directory keeps them (and every unexpired session) as a real org would; `fresh` makes new
ones. They are never written anywhere else.
Run standalone with `python -m sandbox.salesforce.server --port 8443`.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import tempfile
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel
from simple_salesforce import Salesforce

from sandbox.http import BackgroundServer, free_port
from sandbox.salesforce.app import SalesforceApi, build_api
from sandbox.salesforce.auth import OrgCredentials, SessionStore
from sandbox.salesforce.faults import FaultInjector, FaultKind, FaultRule
from sandbox.salesforce.limits import DEFAULT_DAILY_API_LIMIT
from sandbox.salesforce.requests_adapter import redirecting_session
from sandbox.salesforce.schema import load_schema
from sandbox.salesforce.seed import open_seeded_store
from sandbox.salesforce.store import OrgStore
from sandbox.tls import make_local_ca

LONG_LIVED_SECONDS = 10 * 365 * 24 * 3600
DEFAULT_VERSION = "59.0"
SECRETS_FILE = "credentials.json"
SESSIONS_FILE = "sessions.sqlite"
JWT_KEY_FILE = "jwt-signing-key.pem"


class OrgSecrets(BaseModel):
    """What a restart must not change: the logins and connected app, and the session handed out as
    SF_ACCESS_TOKEN."""

    password: str
    security_token: str
    client_id: str
    client_secret: str
    access_token: str | None = None

    @classmethod
    def generate(cls) -> OrgSecrets:
        return cls(password=secrets.token_urlsafe(12), security_token=secrets.token_urlsafe(18),
                   client_id="3MVG9" + secrets.token_urlsafe(60), client_secret=secrets.token_hex(32))

    @classmethod
    def load_or_generate(cls, path: Path) -> OrgSecrets:
        if path.is_file():
            return cls.model_validate_json(path.read_text())
        fresh = cls.generate()
        fresh.save(path)
        return fresh

    def save(self, path: Path) -> None:
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(self.model_dump_json(indent=2))


class SalesforceSandbox:
    """A seeded org behind the emulator's HTTPS API. Use as a context manager or call start()/stop()."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        opportunities: int = 100,
        seed: int = 7,
        daily_api_limit: int = DEFAULT_DAILY_API_LIMIT,
        session_ttl_seconds: int = 7200,
        host: str = "127.0.0.1",
        port: int | None = None,
        tls: bool = True,
        fresh: bool = True,
    ) -> None:
        self._owns_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="sf-sandbox-"))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self.port = port or free_port(host)
        self.tls = tls
        db_path = self.data_dir / "org.sqlite"
        if fresh:
            _discard_state(self.data_dir)
        self.schema = load_schema()
        self.store: OrgStore = open_seeded_store(db_path, opportunities, seed)

        self.jwt_private_key_file = self.data_dir / JWT_KEY_FILE
        public_pem = _signing_key(self.jwt_private_key_file)
        self._secrets_file = self.data_dir / SECRETS_FILE
        self._secrets = OrgSecrets.load_or_generate(self._secrets_file)
        org_id, user_id, username = self._org_identity()
        self.credentials = OrgCredentials(
            org_id=org_id,
            user_id=user_id,
            username=username,
            password=self._secrets.password,
            security_token=self._secrets.security_token,
            client_id=self._secrets.client_id,
            client_secret=self._secrets.client_secret,
            jwt_public_key_pem=public_pem,
            session_ttl_seconds=session_ttl_seconds,
        )
        self._ca = make_local_ca(self.data_dir / "tls") if tls else None
        scheme = "https" if tls else "http"
        self._sessions = SessionStore(org_id, session_ttl_seconds, self.data_dir / SESSIONS_FILE)
        self.api: SalesforceApi = build_api(
            self.store, self.schema, self.credentials, daily_api_limit, public_url=f"{scheme}://{host}:{self.port}",
            sessions=self._sessions,
        )
        self._server = BackgroundServer(self.api.asgi(), host=host, port=self.port,
                                        tls=self._ca.server if self._ca else None)

    def _org_identity(self) -> tuple[str, str, str]:
        """Use the store's Organization and integration User so ids in tokens match the data."""
        user_id = self.store.integration_user_id
        username = self.store.get("User", user_id, ["Username"])["Username"]
        return self.store.organization_id, user_id, username

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> SalesforceSandbox:
        self._server.start()
        return self

    def stop(self) -> None:
        # Clients keep idle TLS keep-alive connections open, and uvicorn would wait for each to close
        # until the join timeout; nothing is in flight when we stop, so skip that wait.
        self._server._server.force_exit = True
        self._server.stop()
        close = getattr(self.store, "close", None)
        if callable(close):
            close()
        self._sessions.close()
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> SalesforceSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what clients need ------------------------------------------------------------------------

    @property
    def access_token(self) -> str:
        """A long-lived session (for `SF_ACCESS_TOKEN`), the same across restarts; re-issued (and kept) if
        sessions were expired on purpose."""
        token = self._secrets.access_token
        if token is None or not self.api.sessions.is_valid(token):
            token = self.api.sessions.issue(ttl_seconds=LONG_LIVED_SECONDS)
            self._secrets = self._secrets.model_copy(update={"access_token": token})
            self._secrets.save(self._secrets_file)
        return token

    @property
    def instance_url(self) -> str:
        return self._server.url

    @property
    def ca_pem(self) -> Path | None:
        return self._ca.ca_pem if self._ca else None

    @property
    def username(self) -> str:
        return self.credentials.username

    @property
    def password(self) -> str:
        return self.credentials.password

    @property
    def security_token(self) -> str:
        return self.credentials.security_token

    @property
    def client_id(self) -> str:
        return self.credentials.client_id

    @property
    def client_secret(self) -> str:
        return self.credentials.client_secret

    @property
    def faults(self) -> FaultInjector:
        return self.api.faults

    @property
    def api_calls(self) -> int:
        return self.api.usage.used

    def reset_usage(self, daily_limit: int | None = None) -> None:
        self.api.usage.reset(daily_limit)

    def inject(self, kind: FaultKind | str, count: int = 1, path: str | None = None, method: str | None = None,
               latency_ms: int = 0, rate: float = 1.0, seed: int | None = None) -> None:
        """Shorthand for `faults.add(FaultRule(...))`."""
        self.faults.add(FaultRule(kind=FaultKind(kind), count=count, path=path, method=method, latency_ms=latency_ms,
                                  rate=rate, seed=seed))

    def requests_session(self) -> requests.Session:
        """Trusts the sandbox CA and sends `*.salesforce.com` login traffic to the sandbox."""
        return redirecting_session(self.instance_url, str(self.ca_pem) if self.ca_pem else None)

    def client(self, version: str = DEFAULT_VERSION) -> Salesforce:
        """An unmodified simple-salesforce client holding the pre-issued long-lived session."""
        return Salesforce(instance_url=self.instance_url, session_id=self.access_token,
                          session=self.requests_session(), version=version)

    def env(self) -> dict[str, str]:
        """`SF_*` settings that point `core.settings.Settings` at this sandbox."""
        values = {
            "SF_INSTANCE_URL": self.instance_url,
            "SF_ACCESS_TOKEN": self.access_token,
            "SF_CLIENT_ID": self.client_id,
            "SF_CLIENT_SECRET": self.client_secret,
            "SF_USERNAME": self.username,
            "SF_PRIVATE_KEY_FILE": str(self.jwt_private_key_file),
            "SF_API_VERSION": DEFAULT_VERSION,
        }
        if self.ca_pem:
            values["SF_CA_BUNDLE"] = str(self.ca_pem)
        return values


def _signing_key(path: Path) -> str:
    """The connected app's JWT key pair, created on first use; return the public half's PEM."""
    if not path.is_file():
        created = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.touch(mode=0o600, exist_ok=True)
        path.write_bytes(created.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _discard_state(data_dir: Path) -> None:
    """`fresh`: the org's data and every credential, key, session and certificate go; new ones are made."""
    for name in ("org.sqlite", "org.sqlite-wal", "org.sqlite-shm", SECRETS_FILE, SESSIONS_FILE, JWT_KEY_FILE):
        (data_dir / name).unlink(missing_ok=True)
    shutil.rmtree(data_dir / "tls", ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a seeded Salesforce sandbox org over HTTPS.")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--data-dir", type=Path, default=Path("var/salesforce"))
    parser.add_argument("--opportunities", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with SalesforceSandbox(args.data_dir, opportunities=args.opportunities, seed=args.seed,
                           host=args.host, port=args.port) as org:
        for name, value in org.env().items():
            print(f"{name}={value}")
        print("Serving; Ctrl-C to stop.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
