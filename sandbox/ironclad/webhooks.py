"""Webhook deliveries, signed the way Ironclad signs them, sent by a background worker with retries.

Signature: RSA PKCS#1 v1.5 over SHA-256 of `eventId + JSON.stringify(body) + nonce`, base64, in the
`X-Ironclad-Webhook-Verification` header as `{nonce, signAlgorithm, signature, encoding}`; the public key is
served at `GET /webhooks/verification-key`. The body we send is exactly the compact serialisation we sign.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import BaseModel

from sandbox.ironclad.config import SandboxConfig
from sandbox.ironclad.store import Store

EVENTS: frozenset[str] = frozenset({
    "*", "workflow_launched", "workflow_updated", "workflow_cancelled", "workflow_completed", "workflow_paused",
    "workflow_resumed", "workflow_step_updated", "workflow_changed_turn", "workflow_roles_assigned",
    "workflow_approval_status_changed", "workflow_attribute_updated", "workflow_comment_added",
    "workflow_comment_removed", "workflow_comment_updated", "workflow_comment_reaction_added",
    "workflow_comment_reaction_removed", "workflow_counterparty_invite_sent", "workflow_counterparty_invite_revoked",
    "workflow_documents_added", "workflow_documents_removed", "workflow_documents_updated",
    "workflow_documents_renamed", "workflow_document_edited", "workflow_signature_packet_sent",
    "workflow_signature_packet_uploaded", "workflow_signature_packet_signer_first_viewed",
    "workflow_signature_packet_signer_viewed", "workflow_signature_packet_signatures_collected",
    "workflow_signature_packet_fully_signed", "workflow_signature_packet_cancelled",
    "workflow_signature_packet_document_moved", "workflow_signer_added", "workflow_signer_removed",
    "workflow_signer_reassigned", "record_contract_status_changed", "workflow_deleted",
})


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def compact_json(body: Any) -> str:
    """What Node's JSON.stringify produces for our bodies: no spaces, non-ASCII kept."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


class DeliveryAttempt(BaseModel):
    delivery_id: int
    event_id: str
    webhook_id: str
    event: str
    target_url: str
    attempt: int
    status_code: int | None
    error: str | None
    started: float
    elapsed_ms: float


class WebhookSigner:
    def __init__(self, private_key_pem: str | None = None) -> None:
        """A new key, or the tenant's kept one (`identity.settle_identity`)."""
        if private_key_pem is None:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            loaded = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
            if not isinstance(loaded, rsa.RSAPrivateKey):
                raise ValueError("the webhook signing key must be an RSA private key")
            self._key = loaded
        self.public_pem = self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def headers(self, event_id: str, body_text: str) -> dict[str, str]:
        nonce = secrets.token_hex(16)
        signature = self._key.sign((event_id + body_text + nonce).encode("utf-8"), padding.PKCS1v15(),
                                   hashes.SHA256())
        verification = {"nonce": nonce, "signAlgorithm": "RSA-SHA256",
                        "signature": base64.b64encode(signature).decode(), "encoding": "base64"}
        return {"Content-Type": "application/json", "X-Ironclad-Webhook-Event-Id": event_id,
                "X-Ironclad-Webhook-Verification": json.dumps(verification), "User-Agent": "Ironclad-Webhooks"}


class WebhookDispatcher:
    """Queues one delivery per (event, matching webhook) and works the queue in the background."""

    def __init__(self, store: Store, config: SandboxConfig, signer: WebhookSigner) -> None:
        self.store, self.config, self.signer = store, config, signer
        self.policy = config.webhooks
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="ironclad-webhook")
        self._http = httpx.Client(timeout=self.policy.timeout_seconds, follow_redirects=False)
        self._thread = threading.Thread(target=self._run, name="ironclad-webhook-dispatcher", daemon=True)

    def start(self) -> None:
        with self.store.lock:  # attempts cut short by a previous stop are due again
            self.store.conn.execute("UPDATE deliveries SET state = 'pending' WHERE state = 'in_flight'")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._http.close()

    # --- producing ----------------------------------------------------------------------------
    def emit(self, event: str, payload: dict[str, Any]) -> list[str]:
        """Queue `event` for every enabled webhook subscribed to it; returns the event ids."""
        event_ids = []
        for hook in self.store.all("webhook"):
            if hook["status"] != "enabled" or not ({event, "*"} & set(hook["events"])):
                continue
            event_id = str(uuid.uuid4())
            body = {"companyID": self.config.company_id, "timestamp": now_iso(), "webhookID": hook["id"],
                    "payload": {"event": event, **payload}}
            with self.store.lock:
                self.store.conn.execute(
                    "INSERT INTO deliveries (webhook_id, event_id, event, target_url, body, next_attempt_at, created)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (hook["id"], event_id, event, hook["targetURL"], compact_json(body), time.time(), time.time()))
            event_ids.append(event_id)
        if event_ids:
            self._wake.set()
        return event_ids

    def attempts(self) -> list[DeliveryAttempt]:
        with self.store.lock:
            rows = self.store.conn.execute("SELECT * FROM delivery_attempts ORDER BY id").fetchall()
        return [DeliveryAttempt.model_validate(dict(r)) for r in rows]

    # --- consuming ----------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            for row in self._claim_due():
                self._pool.submit(self._attempt, row)
            self._wake.wait(timeout=self._next_wait())
            self._wake.clear()

    def _next_wait(self) -> float:
        with self.store.lock:
            row = self.store.conn.execute(
                "SELECT MIN(next_attempt_at) AS due FROM deliveries WHERE state = 'pending'").fetchone()
        if row["due"] is None:
            return 1.0
        return min(1.0, max(0.0, row["due"] - time.time()))

    def _claim_due(self) -> list[dict[str, Any]]:
        with self.store.lock:
            rows = [dict(r) for r in self.store.conn.execute(
                "SELECT * FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id",
                (time.time(),)).fetchall()]
            for row in rows:
                self.store.conn.execute("UPDATE deliveries SET state = 'in_flight' WHERE id = ?", (row["id"],))
        return rows

    def _attempt(self, row: dict[str, Any]) -> None:
        attempt = row["attempts"] + 1
        started = time.time()
        status_code: int | None = None
        error: str | None = None
        try:
            response = self._http.post(row["target_url"], content=row["body"].encode("utf-8"),
                                       headers=self.signer.headers(row["event_id"], row["body"]))
            status_code = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        elapsed_ms = (time.time() - started) * 1000
        with self.store.lock:
            self.store.conn.execute(
                "INSERT INTO delivery_attempts (delivery_id, event_id, webhook_id, event, target_url, attempt,"
                " status_code, error, started, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row["id"], row["event_id"], row["webhook_id"], row["event"], row["target_url"], attempt,
                 status_code, error, started, elapsed_ms))
            self._settle(row, attempt, status_code)
        self._wake.set()

    def _settle(self, row: dict[str, Any], attempt: int, status_code: int | None) -> None:
        hook = self.store.get("webhook", row["webhook_id"])
        ok = status_code is not None and 200 <= status_code < 300
        if ok:
            state, next_at = "delivered", row["next_attempt_at"]
        elif status_code == 410:  # the receiver says it is gone: stop sending to it
            state, next_at = "gone", row["next_attempt_at"]
        elif attempt > self.policy.max_retries:
            state, next_at = "failed", row["next_attempt_at"]
        else:
            delay = self.policy.base_delay_seconds * self.policy.backoff_factor ** (attempt - 1)
            state, next_at = "pending", time.time() + delay
        self.store.conn.execute("UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ? WHERE id = ?",
                                (state, attempt, next_at, row["id"]))
        if hook is not None:
            self._update_health(hook, ok, status_code)

    def _update_health(self, hook: dict[str, Any], ok: bool, status_code: int | None) -> None:
        if ok:
            hook["consecutiveFailureCount"], hook["firstConsecutiveFailure"] = 0, None
        else:
            hook["consecutiveFailureCount"] += 1
            hook["firstConsecutiveFailure"] = hook["firstConsecutiveFailure"] or now_iso()
            first = datetime.fromisoformat(hook["firstConsecutiveFailure"].replace("Z", "+00:00")).timestamp()
            long_streak = (hook["consecutiveFailureCount"] >= self.policy.disable_after_failures
                           and time.time() - first >= self.policy.disable_after_seconds)
            if status_code == 410 or long_streak:
                hook["status"] = "disabled" if status_code == 410 else "disabledBySystem"
                hook["statusLastUpdatedAt"], hook["statusLastUpdatedBy"] = now_iso(), "system"
                self.store.conn.execute(
                    "UPDATE deliveries SET state = 'dropped' WHERE webhook_id = ? AND state = 'pending'",
                    (hook["id"],))
        self.store.put("webhook", hook["id"], hook)
