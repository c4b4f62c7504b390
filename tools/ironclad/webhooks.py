"""Verifying Ironclad webhook deliveries on our receiving side.

Ironclad signs `eventId + JSON.stringify(body) + nonce` with RSA (`signAlgorithm`, e.g. RSA-SHA256) and sends
the event id in `X-Ironclad-Webhook-Event-Id` and `{nonce, signAlgorithm, signature, encoding}` as JSON in
`X-Ironclad-Webhook-Verification`. We check the raw body first, then its compact re-serialisation (what
JSON.stringify gives when a proxy re-formatted the bytes). Anything unsigned, forged or altered is rejected,
and so is a signed delivery whose envelope `timestamp` is outside the freshness window: a captured delivery
cannot be replayed years later (Ironclad documents no timestamp window; its retries span at most 3 days).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import ValidationError

from core.settings import Settings
from tools.ironclad.models import WebhookEvent
from tools.json_body import JsonBodyError, json_body

if TYPE_CHECKING:
    from tools.ironclad.client import IroncladClient

EVENT_ID_HEADER = "X-Ironclad-Webhook-Event-Id"
VERIFICATION_HEADER = "X-Ironclad-Webhook-Verification"
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "RSA-SHA256": hashes.SHA256(), "SHA256": hashes.SHA256(), "RSA-SHA384": hashes.SHA384(),
    "SHA384": hashes.SHA384(), "RSA-SHA512": hashes.SHA512(), "SHA512": hashes.SHA512()}


DEFAULT_MAX_AGE = timedelta(hours=96)
CLOCK_SKEW = timedelta(minutes=5)  # a sender's clock slightly ahead of ours is not an attack


class WebhookVerificationError(Exception):
    """The delivery is not provably from Ironclad (or is stale); answer 401 and do not act on it."""


class WebhookBodyError(ValueError):
    """The delivery's body is not JSON we can read (or is nested absurdly deep); answer 400."""


class WebhookVerifier:
    def __init__(self, public_key_pem: str | bytes, max_age: timedelta = DEFAULT_MAX_AGE) -> None:
        pem = public_key_pem.encode() if isinstance(public_key_pem, str) else public_key_pem
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("the Ironclad webhook verification key must be an RSA public key")
        self._key = key
        self.max_age = max_age

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookVerifier:
        if settings.ironclad_webhook_public_key_file is None:
            raise ValueError("set IRONCLAD_WEBHOOK_PUBLIC_KEY_FILE, or build the verifier with from_client()")
        return cls(settings.ironclad_webhook_public_key_file.read_bytes(),
                   timedelta(hours=settings.ironclad_webhook_max_age_hours))

    @classmethod
    def from_client(cls, client: IroncladClient, max_age: timedelta = DEFAULT_MAX_AGE) -> WebhookVerifier:
        """Fetch the key from `GET /webhooks/verification-key`."""
        return cls(client.verification_key(), max_age)

    def verify(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """The typed event if the delivery is authentic; raises `WebhookVerificationError` otherwise."""
        lowered = {k.lower(): v for k, v in headers.items()}
        event_id = lowered.get(EVENT_ID_HEADER.lower())
        raw_verification = lowered.get(VERIFICATION_HEADER.lower())
        if not event_id or not raw_verification:
            raise WebhookVerificationError("unsigned delivery: Ironclad webhook signature headers are missing")
        try:
            verification = json.loads(raw_verification)
            nonce, algorithm = str(verification["nonce"]), str(verification["signAlgorithm"])
            signature = _decode(str(verification["signature"]), str(verification.get("encoding", "base64")))
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise WebhookVerificationError(f"malformed {VERIFICATION_HEADER} header: {exc}") from None
        hash_algorithm = _HASHES.get(algorithm.upper())
        if hash_algorithm is None:
            raise WebhookVerificationError(f"unsupported signAlgorithm {algorithm!r}")
        try:
            parsed = json_body(body)
        except JsonBodyError as exc:
            raise WebhookBodyError(f"delivery body is not JSON: {exc}") from None
        raw_text = body.decode("utf-8", "replace")
        if not self._valid(signature, (event_id + raw_text + nonce).encode(), hash_algorithm):
            compact = json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)
            if not self._valid(signature, (event_id + compact + nonce).encode(), hash_algorithm):
                raise WebhookVerificationError("signature does not match: forged or altered delivery")
        try:
            event = WebhookEvent.model_validate({**parsed, "eventId": event_id})
        except (ValidationError, TypeError) as exc:
            raise WebhookVerificationError(f"signed, but not an Ironclad webhook envelope: {exc}") from None
        self._check_fresh(event)
        return event

    def _check_fresh(self, event: WebhookEvent, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        signed_at = event.timestamp if event.timestamp.tzinfo else event.timestamp.replace(tzinfo=UTC)
        if signed_at < now - self.max_age:
            raise WebhookVerificationError(
                f"stale delivery: signed at {signed_at.isoformat()}, more than {self.max_age} ago")
        if signed_at > now + CLOCK_SKEW:
            raise WebhookVerificationError(f"delivery signed in the future ({signed_at.isoformat()})")

    def _valid(self, signature: bytes, data: bytes, hash_algorithm: hashes.HashAlgorithm) -> bool:
        try:
            self._key.verify(signature, data, padding.PKCS1v15(), hash_algorithm)
        except InvalidSignature:
            return False
        return True


def _decode(signature: str, encoding: str) -> bytes:
    if encoding.lower() == "base64":
        return base64.b64decode(signature, validate=True)
    if encoding.lower() == "hex":
        return bytes.fromhex(signature)
    raise ValueError(f"unsupported encoding {encoding!r}")
