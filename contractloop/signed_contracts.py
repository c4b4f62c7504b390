"""Receiving "contract signed" webhooks from Ironclad: verify, dedupe, fetch the executed PDF.

Used by the demo today; the extraction trigger on the server (issue 5) receives the same deliveries.
A delivery that does not verify is answered 401 and nothing else happens.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.http import BackgroundServer
from tools.ironclad import IroncladClient
from tools.ironclad.webhooks import WebhookVerificationError, WebhookVerifier

SIGNED_EVENTS = ["workflow_completed", "workflow_signature_packet_fully_signed"]


@dataclass
class SignedContract:
    event: str
    event_id: str
    workflow_id: str
    record_id: str
    record_name: str
    pdf_path: Path
    pdf_bytes: int


class SignedContractReceiver:
    """A local webhook endpoint registered with Ironclad for the signed-contract events."""

    def __init__(self, ironclad: IroncladClient, directory: Path) -> None:
        self._ironclad = ironclad
        self._directory = directory
        self._verifier = WebhookVerifier.from_client(ironclad)
        self._seen: set[str] = set()
        self._contracts: dict[str, SignedContract] = {}
        self._lock = threading.Lock()
        self._server = BackgroundServer(Starlette(routes=[Route("/ironclad", self._receive, methods=["POST"])]))
        self._webhook_id: str | None = None

    def __enter__(self) -> SignedContractReceiver:
        self._directory.mkdir(parents=True, exist_ok=True)
        self._server.start()
        self._webhook_id = self._ironclad.create_webhook(SIGNED_EVENTS, f"{self._server.url}/ironclad").id
        return self

    def __exit__(self, *exc: object) -> None:
        if self._webhook_id:
            self._ironclad.delete_webhook(self._webhook_id)
        self._server.stop()

    async def _receive(self, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            event = self._verifier.verify(request.headers, body)
        except WebhookVerificationError as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        with self._lock:
            duplicate = event.event_id in self._seen
            self._seen.add(event.event_id)
        if not duplicate and event.payload.workflow_id:
            threading.Thread(target=self._fetch, args=(event.payload.event, event.event_id,
                                                       event.payload.workflow_id), daemon=True).start()
        return JSONResponse({"received": True, "duplicate": duplicate})

    def _fetch(self, event: str, event_id: str, workflow_id: str) -> None:
        workflow = self._ironclad.get_workflow(workflow_id)
        if not workflow.record_ids:
            return  # signed but not yet archived: the completion event will bring the record
        record = self._ironclad.get_record(workflow.record_ids[0])
        pdf = self._ironclad.download_signed_copy(record.id)
        path = self._directory / f"{workflow.ironclad_id or workflow_id}-executed.pdf"
        path.write_bytes(pdf)
        with self._lock:
            self._contracts.setdefault(workflow_id, SignedContract(
                event=event, event_id=event_id, workflow_id=workflow_id, record_id=record.id,
                record_name=record.name, pdf_path=path, pdf_bytes=len(pdf)))

    def wait_for(self, workflow_id: str, timeout: float = 30.0) -> SignedContract:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if workflow_id in self._contracts:
                    return self._contracts[workflow_id]
            time.sleep(0.1)
        raise TimeoutError(f"no signed contract for workflow {workflow_id} within {timeout:.0f} s")
