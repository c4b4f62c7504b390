"""The workflow lifecycle: Review (approvals in order) -> Sign -> Archive -> completed, with the INVALID_STATE
errors the real API returns off-step, the record and executed PDF produced on completion, and webhook events.

Documents are stored in their public API shape; bookkeeping lives under keys starting with `_`, stripped by
`public()`.
"""

from __future__ import annotations

import re
import secrets
import threading
import uuid
from datetime import datetime
from functools import partial
from typing import Any

from sandbox.ironclad.attributes import check_value, parse_iso_datetime, validate_launch_attributes
from sandbox.ironclad.config import SandboxConfig, SandboxUser
from sandbox.ironclad.errors import ApiError, invalid, invalid_state, missing, not_found
from sandbox.ironclad.filters import parse_filter
from sandbox.ironclad.pdf import render_executed_pdf
from sandbox.ironclad.records import build_record_from_workflow
from sandbox.ironclad.schemas import TemplateCatalog
from sandbox.ironclad.store import Store
from sandbox.ironclad.webhooks import WebhookDispatcher, now_iso

API = "/public/api/v1"
STATUSES = ("active", "paused", "completed", "cancelled")
_IRONCLAD_ID = re.compile(r"^IC-(\d+)$")


def public(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def _user_json(user: SandboxUser) -> dict[str, Any]:
    return {"id": user.id, "displayName": user.display_name, "email": user.email, "title": user.title,
            "username": user.email, "metadata": {}}


def _workflow_field(doc: dict[str, Any], name: str) -> Any:
    """Filters address attributes first, then top-level fields such as `title`."""
    return doc["attributes"].get(name, doc.get(name))


def page_of(items: list[dict[str, Any]], page: int, page_size: int) -> dict[str, Any]:
    start = page * page_size
    return {"page": page, "pageSize": page_size, "count": len(items), "list": items[start:start + page_size]}


class WorkflowEngine:
    def __init__(self, store: Store, config: SandboxConfig, catalog: TemplateCatalog,
                 dispatcher: WebhookDispatcher) -> None:
        self.store, self.config, self.catalog, self.dispatcher = store, config, catalog, dispatcher

    # --- lookup -------------------------------------------------------------------------------
    def get(self, workflow_id: str, internal_only: bool = False) -> dict[str, Any]:
        doc = self.store.get("workflow", workflow_id)
        match = _IRONCLAD_ID.match(workflow_id)
        if doc is None and match and not internal_only:
            doc = next((w for w in self.store.all("workflow") if w["ironcladId"] == workflow_id), None)
        if doc is None:
            raise not_found("workflow", "workflowId")
        return doc

    def list_workflows(self, status: str | None, template: str | None, last_updated: str | None, filter_text: str | None,
             page: int, page_size: int) -> dict[str, Any]:
        statuses = {"active"}
        if status:
            statuses = {s.strip() for s in status.split(",") if s.strip()}
            unknown = sorted(statuses - set(STATUSES))
            if unknown:
                raise invalid("status", f"status must be a comma-separated list of {', '.join(STATUSES)}")
        since: datetime | None = None
        if last_updated:
            try:
                since = parse_iso_datetime(last_updated)
            except ValueError:
                raise invalid("lastUpdated", "lastUpdated must be an ISO 8601 datetime") from None
        predicate = parse_filter(filter_text) if filter_text else None
        found = []
        for doc in self.store.all("workflow"):
            if doc["status"] not in statuses or (template and doc["template"] != template):
                continue
            if since and parse_iso_datetime(doc["lastUpdated"]) < since:
                continue
            if predicate and not predicate(partial(_workflow_field, doc)):
                continue
            found.append(public(doc))
        return page_of(found, page, page_size)

    # --- launch -------------------------------------------------------------------------------
    def launch(self, body: Any, user: SandboxUser) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise invalid("body", "request body must be a JSON object")
        if not body.get("template"):
            raise missing("template")
        if "attributes" not in body:
            raise missing("attributes")
        template = self.catalog.get(str(body["template"])) if isinstance(body["template"], str) else None
        if template is None:
            raise invalid("template", "template must be a template id string")
        attributes = validate_launch_attributes(template, body["attributes"])
        with self.store.lock:
            number = self.store.next_value("ironcladId")
            now = now_iso()
            workflow_id = secrets.token_hex(12)
            counterparty = attributes.get("counterpartyName")
            doc: dict[str, Any] = {
                "id": workflow_id, "ironcladId": f"IC-{number}",
                "title": f"{template.name} with {counterparty}" if counterparty else template.name,
                "template": template.id, "step": "Review", "status": "active",
                "isCancelled": False, "isComplete": False, "attributes": attributes,
                "schema": {k: {"type": s.type, "displayName": s.display_name, "propertyKey": k, "readOnly": False}
                           for k, s in template.attributes.items()},
                "creator": _user_json(user), "created": now, "lastUpdated": now,
                "roles": [{"id": r.id, "displayName": r.display_name,
                           "assignees": [self._assignee(r.assignee_email)]} for r in self.config.approval_roles],
                "approvals": {"state": "in_progress", "url": f"{API}/workflows/{workflow_id}/approvals"},
                "signatures": {"state": "not_started"}, "recordIds": [], "isRevertibleToReview": False,
                "_approvals": {r.id: "pending" for r in self.config.approval_roles},
                "_signers": [],
            }
            if not self.config.approval_roles:
                doc["approvals"] = {"state": "not_applicable", "message": "no approvals are required"}
            self.store.put("workflow", workflow_id, doc)
        self._emit("workflow_launched", doc)
        return public(doc)

    def _assignee(self, email: str) -> dict[str, Any]:
        user = self.config.user_by_email(email)
        return {"userName": user.display_name if user else email, "userId": user.id if user else None,
                "email": email}

    # --- Review step --------------------------------------------------------------------------
    def update_attributes(self, workflow_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("updates"), list) or not body["updates"]:
            raise missing("updates", "updates must be a non-empty list of {action, path, value}")
        with self.store.lock:
            doc = self.get(workflow_id)
            self._require_review(doc, "attributes can only be updated in the Review step")
            template = self.catalog.get(doc["template"])
            attributes = dict(doc["attributes"])
            unknown = [u.get("path") for u in body["updates"]
                       if not isinstance(u, dict) or u.get("path") not in template.attributes]
            if unknown:
                raise invalid("updates", f"non-existent attribute(s) specified: {', '.join(map(str, unknown))}")
            for index, update in enumerate(body["updates"]):
                path, action = update["path"], update.get("action")
                if action == "set":
                    check_value(f"updates[{index}].value", template.attributes[path], update.get("value"))
                    attributes[path] = update["value"]
                elif action == "remove":
                    if template.attributes[path].required == "always":
                        raise invalid(f"updates[{index}].path", "form validation failed, please check schema: "
                                      f"{path} is required")
                    attributes.pop(path, None)
                else:
                    raise invalid(f"updates[{index}].action", "action must be 'set' or 'remove'")
            if attributes == doc["attributes"]:
                raise invalid("updates", "No information changed; the workflow was not updated")
            doc["attributes"] = attributes
            counterparty = attributes.get("counterpartyName")
            doc["title"] = f"{template.name} with {counterparty}" if counterparty else template.name
            self._touch(doc)
        self._emit("workflow_attribute_updated", doc)
        self._emit("workflow_updated", doc)
        return public(doc)

    def approvals(self, workflow_id: str) -> dict[str, Any]:
        doc = self.get(workflow_id)
        groups, turn_found = [], False
        for order, role in enumerate(self.config.approval_roles, start=1):
            state = doc["_approvals"][role.id]
            if state == "approved":
                group_status = "approved"
            elif not turn_found and doc["step"] == "Review":
                group_status, turn_found = "active", True
            else:
                group_status = "pending"
            groups.append({"order": order, "status": group_status,
                           "reviewers": [{"role": role.id, "displayName": role.display_name,
                                          "reviewerType": "role", "status": state}]})
        return {"workflowId": doc["id"], "title": doc["title"], "approvalGroups": groups,
                "roles": [{"id": r["id"], "displayName": r["displayName"], "assignees": r["assignees"]}
                          for r in doc["roles"]]}

    def set_approval(self, workflow_id: str, role_id: str, body: Any, user: SandboxUser) -> bool:
        status = body.get("status") if isinstance(body, dict) else None
        if status not in ("approved", "pending"):
            raise invalid("status", "status must be 'approved' or 'pending'")
        with self.store.lock:
            doc = self.get(workflow_id)
            if role_id not in doc["_approvals"]:
                raise invalid("roleId", "This role does not exist in this workflow")
            self._require_review(doc, "approvals can only be changed in the Review step")
            order = [r.id for r in self.config.approval_roles]
            earlier = order[:order.index(role_id)]
            if status == "approved" and any(doc["_approvals"][r] != "approved" for r in earlier):
                raise invalid_state("This approval cannot be approved out of order")
            if doc["_approvals"][role_id] == status:
                return True
            doc["_approvals"][role_id] = status
            if status == "pending":  # withdrawing an approval re-opens every later group too
                for later in order[order.index(role_id) + 1:]:
                    doc["_approvals"][later] = "pending"
            self._touch(doc)
        role = next(r for r in self.config.approval_roles if r.id == role_id)
        self._emit("workflow_approval_status_changed", doc, approvalID=role.id, approvalName=role.display_name,
                   status=status, userEmail=user.email, userID=user.id)
        if all(v == "approved" for v in doc["_approvals"].values()):
            self._enter_sign(doc["id"])
        return True

    def _enter_sign(self, workflow_id: str) -> None:
        with self.store.lock:
            doc = self.get(workflow_id)
            doc["approvals"] = {"state": "completed"}
            doc["step"] = "Sign"
            doc["signatures"] = {"state": "in_progress", "url": f"{API}/workflows/{doc['id']}/signatures"}
            doc["isRevertibleToReview"] = True
            doc["_signers"] = self._default_signers(doc)
            self._touch(doc)
        self._emit("workflow_step_updated", doc, step="Sign")
        self._emit("workflow_signature_packet_sent", doc)

    def _default_signers(self, doc: dict[str, Any]) -> list[dict[str, Any]]:
        attrs = doc["attributes"]
        counterparty = str(attrs.get("counterpartyName") or "Counterparty")
        slug = re.sub(r"[^a-z0-9]+", "", counterparty.lower()) or "counterparty"
        company_signer = self.config.users[1] if len(self.config.users) > 1 else self.config.users[0]
        return [
            {"roleName": "Counterparty Signer",
             "name": str(attrs.get("counterpartySignerName") or f"Authorized Signatory of {counterparty}"),
             "email": str(attrs.get("counterpartySignerEmail") or f"signatory@{slug}.example"),
             "title": str(attrs.get("counterpartySignerTitle") or ""), "status": "sent", "signedAt": None},
            {"roleName": "Company Signer", "name": company_signer.display_name, "email": company_signer.email,
             "title": company_signer.title, "status": "sent", "signedAt": None},
        ]

    def signatures(self, workflow_id: str) -> dict[str, Any]:
        doc = self.get(workflow_id)
        if doc["step"] != "Sign":
            raise invalid_state("signatures are only available in the Sign step")
        return {"workflowId": doc["id"], "title": doc["title"],
                "signers": [{"name": s["name"], "email": s["email"], "roleName": s["roleName"],
                             "signatureStatus": {"status": s["status"]}} for s in doc["_signers"]]}

    def revert_to_review(self, workflow_id: str) -> dict[str, Any]:
        with self.store.lock:
            doc = self.get(workflow_id)
            if doc["step"] != "Sign" or doc["status"] != "active":
                raise invalid_state("Only active workflows in the Sign step can be reverted to review")
            doc["step"], doc["isRevertibleToReview"] = "Review", False
            doc["_approvals"] = {r: "pending" for r in doc["_approvals"]}
            doc["_signers"] = []
            doc["approvals"] = {"state": "in_progress", "url": f"{API}/workflows/{doc['id']}/approvals"}
            doc["signatures"] = {"state": "not_started"}
            self._touch(doc)
        self._emit("workflow_step_updated", doc, step="Review")
        return public(doc)

    # --- comments, cancel, pause, resume ------------------------------------------------------
    def add_comment(self, workflow_id: str, body: Any, user: SandboxUser) -> dict[str, Any]:
        text = body.get("comment") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            raise missing("comment", "comment must be a non-empty string")
        doc = self.get(workflow_id)
        comment = {"id": secrets.token_hex(12), "commentMessage": text, "timestamp": now_iso(), "isExternal": False,
                   "author": {"type": "integration", "userId": user.id, "displayName": user.display_name,
                              "email": user.email},
                   "mentionedUserDetails": [], "addedParticipants": [], "reactions": [],
                   "_workflowId": doc["id"]}
        self.store.put("comment", comment["id"], comment)
        self._emit("workflow_comment_added", doc, commentID=comment["id"])
        return public(comment)

    def comments(self, workflow_id: str, page: int, page_size: int) -> dict[str, Any]:
        doc = self.get(workflow_id)
        items = [public(c) for c in self.store.all("comment") if c["_workflowId"] == doc["id"]]
        return page_of(items, page, page_size)

    def change_status(self, workflow_id: str, action: str, body: Any, user: SandboxUser) -> None:
        comment = body.get("comment") if isinstance(body, dict) else None
        if not (isinstance(comment, dict) and isinstance(comment.get("message"), str) and comment["message"].strip()):
            raise missing("comment.message", f"{action} requires a body {{\"comment\": {{\"message\": \"...\"}}}}")
        with self.store.lock:
            doc = self.get(workflow_id, internal_only=True)
            if action == "cancel":
                if doc["status"] in ("completed", "cancelled"):
                    raise invalid_state(f"a {doc['status']} workflow cannot be cancelled")
                doc["status"], doc["isCancelled"] = "cancelled", True
            elif action == "pause":
                if doc["status"] != "active" or doc["step"] != "Review":
                    raise invalid_state("Only active workflows in the review step can be paused.")
                doc["status"] = "paused"
            else:
                if doc["status"] != "paused":
                    raise invalid_state("Only paused workflows can be resumed.")
                doc["status"] = "active"
            self._touch(doc)
        self.add_comment(doc["id"], {"comment": comment["message"]}, user)
        self._emit({"cancel": "workflow_cancelled", "pause": "workflow_paused", "resume": "workflow_resumed"}[action],
                   doc)

    # --- the humans (sandbox control) ---------------------------------------------------------
    def approve_all(self, workflow_id: str) -> dict[str, Any]:
        doc = self.get(workflow_id)
        self._require_review(doc, "approvals can only be given in the Review step")
        for role in self.config.approval_roles:
            if self.get(workflow_id)["_approvals"][role.id] != "approved":
                approver = self.config.user_by_email(role.assignee_email) or self.config.integration_user
                self.set_approval(workflow_id, role.id, {"status": "approved"}, approver)
        if not self.config.approval_roles:
            self._enter_sign(doc["id"])
        return public(self.get(workflow_id))

    def sign(self, workflow_id: str, signers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        with self.store.lock:
            doc = self.get(workflow_id)
            if doc["step"] != "Sign" or doc["status"] != "active":
                raise invalid_state("only an active workflow in the Sign step can be signed")
            if signers:
                doc["_signers"] = [{"roleName": s.get("roleName", f"Signer {i + 1}"), "name": s["name"],
                                    "email": s["email"], "title": s.get("title", ""), "status": "sent",
                                    "signedAt": None} for i, s in enumerate(signers)]
            for signer in doc["_signers"]:
                signer["status"], signer["signedAt"] = "signed", now_iso()
            doc["signatures"] = {"state": "completed"}
            doc["step"], doc["isRevertibleToReview"] = "Archive", False
            self._touch(doc)
        self._emit("workflow_signature_packet_fully_signed", doc)
        self._emit("workflow_step_updated", doc, step="Archive")
        return public(doc)

    def archive(self, workflow_id: str) -> dict[str, Any]:
        """Archive completes the workflow: render the executed PDF and file it on a new record."""
        with self.store.lock:
            doc = self.get(workflow_id)
            if doc["step"] != "Archive" or doc["status"] != "active":
                raise invalid_state("only an active workflow in the Archive step can be archived")
            template = self.catalog.get(doc["template"])
            executed_at = max(s["signedAt"] for s in doc["_signers"]) if doc["_signers"] else now_iso()
            record = build_record_from_workflow(template, doc, doc["_signers"], executed_at)
            pdf = render_executed_pdf(template, doc, doc["_signers"])
            self.store.put("record", record["id"], record)
            self.store.put_file(record["id"], "signedCopy", record["attachments"]["signedCopy"]["filename"],
                                "application/pdf", pdf)
            doc["recordIds"] = [record["id"]]
            doc["step"], doc["status"], doc["isComplete"] = "Complete", "completed", True
            self._touch(doc)
        self._emit("workflow_step_updated", doc, step="Complete")
        self._emit("workflow_completed", doc)
        return public(doc)

    def complete(self, workflow_id: str) -> dict[str, Any]:
        """Everything a human would do from here to a completed workflow, in order."""
        doc = self.get(workflow_id)
        if doc["status"] != "active":
            raise invalid_state(f"a {doc['status']} workflow cannot be completed")
        if doc["step"] == "Review":
            self.approve_all(workflow_id)
        if self.get(workflow_id)["step"] == "Sign":
            self.sign(workflow_id)
        return self.archive(workflow_id)

    # --- helpers ------------------------------------------------------------------------------
    def _require_review(self, doc: dict[str, Any], message: str) -> None:
        if doc["step"] != "Review" or doc["status"] != "active":
            raise invalid_state(f"{message} (workflow is {doc['status']} at {doc['step']})")

    def _touch(self, doc: dict[str, Any]) -> None:
        doc["lastUpdated"] = now_iso()
        self.store.put("workflow", doc["id"], doc)

    def _emit(self, event: str, doc: dict[str, Any], **extra: Any) -> None:
        self.dispatcher.emit(event, {"templateID": doc["template"], "workflowID": doc["id"], **extra})


class AsyncLaunches:
    """`POST /workflows/async`: the launch runs after a short delay; the job is polled by id."""

    def __init__(self, store: Store, engine: WorkflowEngine, delay: float) -> None:
        self.store, self.engine, self.delay = store, engine, delay

    def submit(self, body: Any, user: SandboxUser) -> dict[str, Any]:
        job_id = "jobId" + uuid.uuid4().hex
        self.store.put("job", job_id, {"status": "in_progress", "requestPayload": body})
        timer = threading.Timer(self.delay, self._run, args=(job_id, body, user))
        timer.daemon = True
        timer.start()
        return {"asyncJobId": job_id, "asyncJobStatusUrl": f"{API}/workflows/async/{job_id}"}

    def _run(self, job_id: str, body: Any, user: SandboxUser) -> None:
        job: dict[str, Any] = {"requestPayload": body}
        try:
            workflow = self.engine.launch(body, user)
            job.update(status="success", workflow=workflow,
                       workflowUrls={"browserUrl": f"/workflow/{workflow['id']}",
                                     "apiUrl": f"{API}/workflows/{workflow['id']}"})
        except ApiError as exc:
            job.update(status="failed", error={**exc.body(), "redirectUrl": None})
        self.store.put("job", job_id, job)

    def get(self, job_id: str) -> dict[str, Any]:
        job = self.store.get("job", job_id)
        if job is None:
            raise not_found("async job", "asyncJobId")
        return job

