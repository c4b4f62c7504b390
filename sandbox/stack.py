"""Both emulators together: what `contractloop sandbox up`, `serve` and `demo` start.

The Salesforce org is served over TLS (simple-salesforce insists on https) with a local CA whose PEM is
handed to clients as SF_CA_BUNDLE; Ironclad is served over plain http on loopback.

Credentials, keys, sessions and the CA live in `data_dir` with the data: a restart on the same directory
prints the same settings and every token handed out still works; `fresh` discards all of it and makes new ones.
"""

from __future__ import annotations

from pathlib import Path

from sandbox.ironclad.config import SandboxConfig as IroncladConfig
from sandbox.ironclad.server import IroncladSandbox
from sandbox.salesforce.server import SalesforceSandbox

DEFAULT_SF_PORT = 8443
DEFAULT_IRONCLAD_PORT = 8444


class SandboxStack:
    def __init__(
        self,
        data_dir: Path,
        *,
        opportunities: int = 100,
        seed: int = 7,
        sf_port: int | None = DEFAULT_SF_PORT,
        ironclad_port: int | None = DEFAULT_IRONCLAD_PORT,
        fresh: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.salesforce = SalesforceSandbox(data_dir / "salesforce", opportunities=opportunities, seed=seed,
                                            host=host, port=sf_port, fresh=fresh)
        ironclad_db = data_dir / "ironclad.sqlite"
        if fresh:  # the tenant's data, credentials, tokens and signing key all live in its database
            for stale in (ironclad_db, ironclad_db.with_name(ironclad_db.name + "-wal"),
                          ironclad_db.with_name(ironclad_db.name + "-shm")):
                stale.unlink(missing_ok=True)
        self.ironclad = IroncladSandbox(IroncladConfig(db_path=ironclad_db), host=host, port=ironclad_port)

    def start(self) -> SandboxStack:
        self.salesforce.start()
        try:
            self.ironclad.start()
        except Exception:
            self.salesforce.stop()
            raise
        return self

    def stop(self) -> None:
        self.ironclad.stop()
        self.salesforce.stop()

    def __enter__(self) -> SandboxStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        """Everything a client process needs, as environment variables."""
        return {**self.salesforce.env(), **self.ironclad.env()}
