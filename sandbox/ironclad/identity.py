"""The tenant's identity: company id, OAuth client, users and the webhook signing key.

Kept in the tenant's store, so restarting the emulator on the same database changes none of it (clients keep
their credentials, receivers keep the verification key). What a caller sets explicitly in `SandboxConfig` wins
over what was kept, and is kept from then on; generated defaults give way to what was kept.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel

from sandbox.ironclad.config import SandboxConfig, SandboxUser
from sandbox.ironclad.store import Store

_KEPT_FIELDS = ("company_id", "client_id", "client_secret", "users")


class TenantIdentity(BaseModel):
    company_id: str
    client_id: str
    client_secret: str
    users: list[SandboxUser]
    webhook_signing_key_pem: str


def new_signing_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def settle_identity(store: Store, config: SandboxConfig) -> tuple[SandboxConfig, str]:
    """The config with the kept identity applied, and the webhook signing key (private PEM)."""
    saved = store.tenant()
    if saved is not None:
        kept = TenantIdentity.model_validate(saved)
        config = config.model_copy(update={name: getattr(kept, name) for name in _KEPT_FIELDS
                                           if name not in config.model_fields_set})
        signing_key = kept.webhook_signing_key_pem
    else:
        signing_key = new_signing_key_pem()
    identity = TenantIdentity(company_id=config.company_id, client_id=config.client_id,
                              client_secret=config.client_secret, users=config.users,
                              webhook_signing_key_pem=signing_key)
    store.save_tenant(identity.model_dump(mode="json"))
    return config, signing_key
