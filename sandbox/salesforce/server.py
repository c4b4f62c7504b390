"""`SalesforceSandbox`: one emulated org served over real TLS on a loopback port.

    with SalesforceSandbox(opportunities=100) as org:
        sf = org.client()                     # an unmodified simple_salesforce.Salesforce
        sf.query("SELECT Id FROM Opportunity")

Credentials (password, security token, connected-app key/secret, a JWT signing key) are generated
at start-up and never written outside the sandbox's own data directory.
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
from simple_salesforce import Salesforce

from sandbox.http import BackgroundServer, free_port
from sandbox.salesforce.app import SalesforceApi, build_api
from sandbox.salesforce.auth import OrgCredentials
from sandbox.salesforce.faults import FaultInjector, FaultKind, FaultRule
from sandbox.salesforce.limits import DEFAULT_DAILY_API_LIMIT
from sandbox.salesforce.requests_adapter import redirecting_session
from sandbox.salesforce.schema import load_schema
from sandbox.salesforce.seed import open_seeded_store
from sandbox.salesforce.store import OrgStore
from sandbox.tls import make_local_ca

LONG_LIVED_SECONDS = 10 * 365 * 24 * 3600
DEFAULT_VERSION = "59.0"


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
        if fresh and db_path.exists():
            db_path.unlink()
        self.schema = load_schema()
        self.store: OrgStore = open_seeded_store(db_path, opportunities, seed)

        self.jwt_private_key_file = self.data_dir / "jwt-signing-key.pem"
        public_pem = _write_signing_key(self.jwt_private_key_file)
        org_id, user_id, username = self._org_identity()
        self.credentials = OrgCredentials(
            org_id=org_id,
            user_id=user_id,
            username=username,
            password=secrets.token_urlsafe(12),
            security_token=secrets.token_urlsafe(18),
            client_id="3MVG9" + secrets.token_urlsafe(60),
            client_secret=secrets.token_hex(32),
            jwt_public_key_pem=public_pem,
            session_ttl_seconds=session_ttl_seconds,
        )
        self._ca = make_local_ca(self.data_dir / "tls") if tls else None
        scheme = "https" if tls else "http"
        self.api: SalesforceApi = build_api(
            self.store, self.schema, self.credentials, daily_api_limit, public_url=f"{scheme}://{host}:{self.port}"
        )
        self._server = BackgroundServer(self.api.asgi(), host=host, port=self.port,
                                        tls=self._ca.server if self._ca else None)
        self._access_token = self.api.sessions.issue(ttl_seconds=LONG_LIVED_SECONDS)

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
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> SalesforceSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what clients need ------------------------------------------------------------------------

    @property
    def access_token(self) -> str:
        """A long-lived session (for `SF_ACCESS_TOKEN`); re-issued if sessions were expired on purpose."""
        if not self.api.sessions.is_valid(self._access_token):
            self._access_token = self.api.sessions.issue(ttl_seconds=LONG_LIVED_SECONDS)
        return self._access_token

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
               latency_ms: int = 0) -> None:
        """Shorthand for `faults.add(FaultRule(...))`."""
        self.faults.add(FaultRule(kind=FaultKind(kind), count=count, path=path, method=method, latency_ms=latency_ms))

    def requests_session(self) -> requests.Session:
        """Trusts the sandbox CA and sends `*.salesforce.com` login traffic to the sandbox."""
        return redirecting_session(self.instance_url, str(self.ca_pem) if self.ca_pem else None)

    def client(self, version: str = DEFAULT_VERSION) -> Salesforce:
        """An unmodified simple-salesforce client holding the pre-issued long-lived session."""
        return Salesforce(instance_url=self.instance_url, session_id=self.access_token,
                          session=self.requests_session(), version=version)

    def env(self) -> dict[str, str]:
        """`SF_*` settings that point `contractloop.settings.Settings` at this sandbox."""
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


def _write_signing_key(path: Path) -> str:
    """Create the connected app's JWT key pair; return the public half's PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


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
