"""A local certificate authority for the sandbox, so clients that hard-code https (simple-salesforce)
talk to the emulator over real TLS. The CA is generated at run time and never committed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trustme

from sandbox.http import TlsFiles


@dataclass
class LocalCA:
    ca_pem: Path
    server: TlsFiles


def make_local_ca(directory: Path, hostnames: tuple[str, ...] = ("127.0.0.1", "localhost")) -> LocalCA:
    """Create (or reuse) a CA and a server certificate for `hostnames` under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_pem = directory / "sandbox-ca.pem"
    cert = directory / "sandbox-server.pem"
    key = directory / "sandbox-server-key.pem"
    if not (ca_pem.exists() and cert.exists() and key.exists()):
        ca = trustme.CA(organization_name="contractloop sandbox CA")
        leaf = ca.issue_cert(*hostnames)
        ca.cert_pem.write_to_path(str(ca_pem))
        leaf.cert_chain_pems[0].write_to_path(str(cert))
        for extra in leaf.cert_chain_pems[1:]:
            with open(cert, "ab") as fh:
                fh.write(extra.bytes())
        leaf.private_key_pem.write_to_path(str(key))
    return LocalCA(ca_pem=ca_pem, server=TlsFiles(certfile=cert, keyfile=key))
