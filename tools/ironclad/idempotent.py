"""At most one Ironclad workflow per correlation key, however often a launch is retried.

Ironclad has no idempotency key, so ours travels in the `contractloopKey` attribute and is looked up with
`filter=Equals([contractloopKey], '<key>')` across every status:
1. before launching: an existing workflow is returned (`created=False`);
2. after an ambiguous failure (5xx, timeout, dropped connection once the request was sent) the launch may
   have happened, so we look again, giving the server time to settle, before sending it once more;
3. after launching: if a concurrent launcher (another process) also got through, the oldest workflow stands
   and the newer one is cancelled with a comment, so every racer converges on the same workflow.
A key whose workflows were all cancelled (a person withdrew the contract in Ironclad) launches anew.

contractloop keys a launch by the Salesforce Opportunity, not by the event that asked for it
(`opportunity_launch_key`): whatever events a Flow sends, an Opportunity has at most one live agreement.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any, Protocol

from core.salesforce_ids import record_key
from tools.ironclad.errors import IroncladServerError
from tools.ironclad.models import LaunchResult, Workflow, WorkflowSchema

KEY_ATTRIBUTE = "contractloopKey"
ALL_STATUSES = "active,paused,completed,cancelled"
# Keys stay inside a character set that needs no escaping in Ironclad's filter strings.
_SAFE_KEY = re.compile(r"^[A-Za-z0-9._:/@+\-]{1,255}$")
_key_locks: dict[str, threading.Lock] = {}
_key_locks_guard = threading.Lock()


class WorkflowLauncher(Protocol):
    """What an idempotent launch needs of the Ironclad client (`tools.ironclad.client.IroncladClient`)."""

    keyed_templates: set[str]  # templates known to carry the key attribute
    max_retries: int

    def iter_workflows(self, *, status: str | None = ..., filter: str | None = ...) -> Iterator[Workflow]: ...

    def get_schema(self, template_id: str) -> WorkflowSchema: ...

    def launch_workflow(self, template_id: str, attributes: dict[str, Any]) -> Workflow: ...

    def cancel_workflow(self, workflow_id: str, message: str) -> None: ...

    def backoff_delay(self, attempt: int) -> float: ...


def _lock_for(key: str) -> threading.Lock:
    with _key_locks_guard:
        return _key_locks.setdefault(key, threading.Lock())


def opportunity_launch_key(opportunity_id: str, addendum: str | None = None) -> str:
    """The key of the agreement launched for an Opportunity (or of one addendum, e.g. its DPA).

    The first 15 characters of a Salesforce Id name the record, so a 15- and an 18-character Id agree."""
    return f"opp:{record_key(opportunity_id)}" + (f":{addendum}" if addendum else "")


def _age(workflow: Workflow) -> tuple[int, str]:
    number = workflow.ironclad_id.removeprefix("IC-")
    return (int(number) if number.isdigit() else 0, workflow.created.isoformat() if workflow.created else "")


def find_by_key(client: WorkflowLauncher, key: str) -> list[Workflow]:
    found = client.iter_workflows(status=ALL_STATUSES, filter=f"Equals([{KEY_ATTRIBUTE}], '{key}')")
    # Exact match on our side too, in case a tenant's Equals is looser than ours.
    return sorted((w for w in found if w.attributes.get(KEY_ATTRIBUTE) == key), key=_age)


def _standing(workflows: list[Workflow]) -> Workflow | None:
    """The oldest workflow that was not cancelled (active, paused or completed), if any."""
    live = [w for w in workflows if w.status != "cancelled"]
    return live[0] if live else None


def find_standing(client: WorkflowLauncher, key: str) -> Workflow | None:
    """The workflow of record for `key`: the oldest one not cancelled."""
    return _standing(find_by_key(client, key))


def launch_idempotent(client: WorkflowLauncher, template_id: str, attributes: dict[str, Any], key: str, *,
                      settle_timeout: float = 5.0, poll_interval: float = 0.25) -> LaunchResult:
    if not _SAFE_KEY.match(key):
        raise ValueError(f"correlation key {key!r} must be 1-255 characters of A-Z a-z 0-9 . _ : / @ + -")
    if attributes.get(KEY_ATTRIBUTE) not in (None, key):
        raise ValueError(f"attributes.{KEY_ATTRIBUTE} is {attributes[KEY_ATTRIBUTE]!r}, not the key {key!r}")
    _require_key_attribute(client, template_id)
    payload = {**attributes, KEY_ATTRIBUTE: key}
    with _lock_for(key):  # racers in this process queue up; other processes are handled by step 3
        existing = _standing(find_by_key(client, key))
        if existing is not None:
            return LaunchResult(workflow=existing, created=False)
        launched = _launch_once(client, template_id, payload, key, settle_timeout, poll_interval)
        standing = _standing(find_by_key(client, key)) or launched
        if standing.id != launched.id:
            client.cancel_workflow(launched.id, f"Duplicate launch for contractloop key {key}; "
                                                f"{standing.ironclad_id} is the workflow of record.")
            return LaunchResult(workflow=standing, created=False)
        return LaunchResult(workflow=launched, created=True)


def _require_key_attribute(client: WorkflowLauncher, template_id: str) -> None:
    """Ironclad accepts unknown attribute keys without storing them; a template without our key attribute
    would silently defeat the lookup, so refuse to launch on it."""
    if template_id in client.keyed_templates:
        return
    if KEY_ATTRIBUTE not in client.get_schema(template_id).fields:
        raise ValueError(f"template {template_id} has no {KEY_ATTRIBUTE!r} string attribute; add it to the "
                         "template so launches can be made idempotent")
    client.keyed_templates.add(template_id)


def _launch_once(client: WorkflowLauncher, template_id: str, payload: dict[str, Any], key: str,
                 settle_timeout: float, poll_interval: float) -> Workflow:
    attempts = 0
    while True:
        try:
            return client.launch_workflow(template_id, payload)
        except IroncladServerError:
            attempts += 1
            found = _await_key(client, key, settle_timeout, poll_interval)
            if found is not None:
                return found
            if attempts > client.max_retries:
                raise
            time.sleep(client.backoff_delay(attempts))


def _await_key(client: WorkflowLauncher, key: str, timeout: float, interval: float) -> Workflow | None:
    """After an ambiguous failure: did the launch land? Poll while the server may still be writing it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = _standing(find_by_key(client, key))
        except IroncladServerError:
            found = None
        if found is not None or time.monotonic() >= deadline:
            return found
        time.sleep(interval)
