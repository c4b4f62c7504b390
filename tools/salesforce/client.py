"""The typed Salesforce client: a thin layer over an unmodified simple-salesforce.

What it adds: pydantic models in and out, typed errors, retries with backoff on UNABLE_TO_LOCK_ROW and
503, transparent re-login when a session expires, the API usage Salesforce reports on every call, and
files attached to records read as bytes (sObject Blob Get, streamed under the document size cap).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError as _SimpleSalesforceError
from simple_salesforce.util import exception_handler

from core.rollout import Rollout
from core.salesforce_ids import id18
from core.settings import Settings, current_rollout
from tools.capped_read import read_capped
from tools.document_errors import DocumentTooLargeError
from tools.document_limits import DocumentLimits
from tools.salesforce.auth import TokenProvider
from tools.salesforce.bundle import bundle_query, parse_bundle
from tools.salesforce.errors import (
    FileNotFound,
    RecordNotFound,
    SalesforceApiError,
    SalesforceAuthError,
    WritePlanFailed,
    error_from_body,
)
from tools.salesforce.files import (
    MalformedSalesforceId,
    SalesforceFile,
    check_content_document_id,
    declared_size,
    latest_version_query,
    version_data_path,
)
from tools.salesforce.models import OpportunityBundle, SalesforceUser
from tools.salesforce.soql_rows import soql_in, soql_string
from tools.salesforce.transport import make_session
from tools.write_plan import OpResult, WritePlan, compile_composite, parse_composite_results

T = TypeVar("T")
USER_PREFIX = "005"
RECORD_ACCESS_BATCH = 200  # UserRecordAccess answers at most 200 RecordIds per query (LIMIT_EXCEEDED beyond)


@dataclass(frozen=True)
class ApiUsage:
    used: int
    limit: int

    @property
    def remaining(self) -> int:
        return self.limit - self.used


class SalesforceClient:
    def __init__(
        self,
        tokens: TokenProvider,
        session: requests.Session,
        api_version: str = "59.0",
        max_retries: int = 4,
        backoff_base: float = 0.2,
        rollout: Rollout | None = None,
    ) -> None:
        self._tokens = tokens
        # Every write this client sends is checked against the rollout mode (core/rollout.py), here rather than
        # in callers, so no caller can write what the mode refuses. None = this process's settings.
        self.rollout = rollout or current_rollout()
        self._session = session
        self.api_version = api_version
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self._sf: Salesforce | None = None
        self.calls = 0  # HTTP calls this client made (each counts against the org's daily limit)

    @classmethod
    def from_settings(cls, settings: Settings) -> SalesforceClient:
        session = make_session(str(settings.sf_ca_bundle) if settings.sf_ca_bundle else None)
        tokens = TokenProvider(
            instance_url=settings.sf_instance_url,
            session=session,
            access_token=settings.sf_access_token.get_secret_value() if settings.sf_access_token else None,
            client_id=settings.sf_client_id,
            client_secret=settings.sf_client_secret.get_secret_value() if settings.sf_client_secret else None,
            username=settings.sf_username,
            private_key_file=settings.sf_private_key_file,
            login_domain=settings.sf_login_domain,
        )
        return cls(tokens, session, api_version=settings.sf_api_version, max_retries=settings.sf_max_retries,
                   rollout=settings.rollout)

    # --- connection -------------------------------------------------------------------------

    @property
    def sf(self) -> Salesforce:
        """The underlying simple-salesforce connection (for anything this class does not wrap)."""
        if self._sf is None:
            token = self._tokens.token()
            self._sf = Salesforce(instance_url=token.instance_url, session_id=token.value,
                                  session=self._session, version=self.api_version)
        return self._sf

    @property
    def api_usage(self) -> ApiUsage | None:
        usage = self._sf.api_usage.get("api-usage") if self._sf else None
        return ApiUsage(used=usage.used, limit=usage.total) if usage else None

    def _relogin(self) -> None:
        token = self._tokens.refresh()
        sf = self.sf
        sf.session_id = token.value
        sf.headers["Authorization"] = f"Bearer {token.value}"

    def _back_off(self, attempt: int) -> None:
        """Exponential backoff with jitter, so retrying clients do not collide again."""
        time.sleep(self.backoff_base * (2**attempt) * (0.5 + random.random()))

    def _call(self, fn: Callable[[Salesforce], T]) -> T:
        """Run one API call with typed errors, re-login on expiry and backoff on transient faults."""
        relogged = False
        for attempt in range(self.max_retries + 1):
            self.calls += 1
            try:
                return fn(self.sf)
            except _SimpleSalesforceError as exc:
                error = error_from_body(exc.status, exc.content)
            if isinstance(error, SalesforceAuthError) and error.status == 401 and not relogged:
                self._relogin()
                relogged = True
                continue
            if error.transient and attempt < self.max_retries:
                self._back_off(attempt)
                continue
            raise error
        raise AssertionError("unreachable")

    # --- reads ------------------------------------------------------------------------------

    def query(self, soql: str) -> list[dict[str, Any]]:
        """All records of a query, following nextRecordsUrl (one API call per 2,000 records)."""
        return list(self.iter_query(soql))

    def iter_query(self, soql: str) -> Iterator[dict[str, Any]]:
        page = self._call(lambda sf: sf.query(soql))
        while True:
            yield from page.get("records", [])
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return
            page = self.query_more(next_url)

    def query_more(self, next_records_url: str) -> dict[str, Any]:
        """The next page of a query, from its host-relative `nextRecordsUrl`."""
        return self._call(partial(_query_more, url=next_records_url))

    def composite(self, body: dict[str, Any]) -> dict[str, Any]:
        """One `/composite` request (up to 25 subrequests; one API call), with retries and re-login.

        Its write subrequests are refused (RolloutRefused, before any call) when the rollout mode forbids them."""
        self.rollout.check_subrequests(body.get("compositeRequest") or [])
        return dict(self._call(lambda sf: sf.restful("composite", method="POST", json=body)) or {})

    def read_opportunity_bundle(self, opportunity_id: str) -> OpportunityBundle:
        """Opportunity, account, contact roles, line items and the primary CPQ quote with lines: one SOQL call."""
        result = self._call(lambda sf: sf.query(bundle_query(opportunity_id)))
        records = result.get("records", [])
        if not records:
            raise RecordNotFound(404, "NOT_FOUND", f"no Opportunity with Id {opportunity_id}")
        return parse_bundle(records[0])

    def download_file(self, content_document_id: str, max_bytes: int | None = None) -> SalesforceFile:
        """The latest version of a Salesforce File (ContentDocument, 069...) with its bytes: two API calls.

        The id is checked before any call (MalformedSalesforceId). No visible version is FileNotFound; a file
        over `max_bytes` (default: the document limits' input cap) is DocumentTooLargeError, refused from its
        declared ContentSize before downloading, and cut off while streaming should the bytes run longer.
        """
        check_content_document_id(content_document_id)
        cap = max_bytes or DocumentLimits().max_bytes
        source = f"Salesforce ContentDocument {content_document_id}"
        records = self.query(latest_version_query(content_document_id))
        if not records:
            raise FileNotFound(404, "NOT_FOUND", f"no ContentVersion of ContentDocument {content_document_id}")
        version = records[0]
        declared = declared_size(version)
        if declared is not None and declared > cap:
            raise DocumentTooLargeError(f"{declared:,} bytes, over the {cap:,}-byte limit", source=source)
        data = self._call(partial(_download_blob, path=version_data_path(version["Id"]), cap=cap, source=source))
        return SalesforceFile(
            content_document_id=content_document_id, content_version_id=version["Id"], title=version.get("Title") or "",
            file_extension=version.get("FileExtension"), size=len(data), sha256=hashlib.sha256(data).hexdigest(),
            data=data,
        )

    # --- who may read what --------------------------------------------------------------------

    def readable_records(self, user_id: str, record_ids: Sequence[str]) -> set[str]:
        """The 18-character ids, among `record_ids`, of the records the user can read, as Salesforce decides it
        (UserRecordAccess: ownership, role hierarchy, sharing, View All Data; an inactive user reads nothing).

        Ids may be 15 or 18 characters; each is checked before any call (MalformedSalesforceId), and `user_id` must
        be a User id (005...). One query per 200 distinct ids; none when `record_ids` is empty.
        """
        user = _checked_id(user_id, USER_PREFIX)
        wanted = list(dict.fromkeys(_checked_id(record_id) for record_id in record_ids))
        readable: set[str] = set()
        for start in range(0, len(wanted), RECORD_ACCESS_BATCH):
            batch = wanted[start: start + RECORD_ACCESS_BATCH]
            rows = self.query(f"SELECT RecordId, HasReadAccess FROM UserRecordAccess WHERE UserId = '{user}' "
                              f"AND RecordId IN ({soql_in(batch)})")
            readable.update(id18(str(row["RecordId"])) or str(row["RecordId"])
                            for row in rows if row.get("HasReadAccess") is True)
        return readable & set(wanted)

    def user_by_email(self, email: str) -> SalesforceUser | None:
        """The active user with this email (compared case-insensitively, as SOQL compares text), or None: when no
        active user has it, or when several do (the asker cannot be told apart, so nothing should be read as one).
        """
        address = email.strip()
        if not address:
            return None
        rows = self.query("SELECT Id, Name, Email, IsActive FROM User "
                          f"WHERE Email = '{soql_string(address)}' AND IsActive = true ORDER BY Id LIMIT 2")
        if len(rows) != 1 or str(rows[0].get("Email") or "").lower() != address.lower():
            return None
        row = rows[0]
        return SalesforceUser(id=id18(str(row["Id"])) or str(row["Id"]), name=str(row.get("Name") or ""),
                              email=str(row["Email"]), is_active=bool(row.get("IsActive")))

    # --- writes -----------------------------------------------------------------------------

    def apply(self, plan: WritePlan) -> list[OpResult]:
        """Apply a write plan as ONE all-or-none Composite call; raise WritePlanFailed if it rolled back.

        A rollback caused by UNABLE_TO_LOCK_ROW is transient, so the whole plan is sent again with backoff;
        that is safe because every operation is an update or an upsert by external id.
        An operation the rollout mode refuses refuses the whole plan (RolloutRefused) before any call.
        """
        for op in plan.operations:
            self.rollout.check_write(op.sobject, op.fields)
        body = compile_composite(plan, self.api_version)
        for attempt in range(self.max_retries + 1):
            results = parse_composite_results(plan, self.composite(body))
            failed = [r for r in results if not r.success]
            if not failed:
                return results
            root = next((r for r in failed if not _is_rollback(r)), failed[0])
            code = root.errors[0].get("errorCode", "UNKNOWN") if root.errors else "UNKNOWN"
            if code == "UNABLE_TO_LOCK_ROW" and attempt < self.max_retries:
                self._back_off(attempt)
                continue
            message = root.errors[0].get("message", "") if root.errors else "operation failed"
            raise WritePlanFailed(f"write plan rolled back: {root.ref} ({root.sobject}) {code}: {message}", results,
                                  root_code=code)
        raise AssertionError("unreachable")

    def describe(self, sobject: str) -> dict[str, Any]:
        """Salesforce's describe of one object (fields, types, picklists, relationships)."""
        return dict(self._call(lambda sf: getattr(sf, sobject).describe()))

    def get(self, sobject: str, record_id: str) -> dict[str, Any]:
        return self._call(lambda sf: getattr(sf, sobject).get(record_id))


def _checked_id(value: str, prefix: str | None = None) -> str:
    """The 18-character form of a 15- or 18-character id (of the object with `prefix`, when given)."""
    canonical = id18(value) if isinstance(value, str) else None
    if canonical is None:
        raise MalformedSalesforceId(f"not a Salesforce id (15 or 18 letters and digits): {value!r}")
    if prefix and not canonical.startswith(prefix):
        raise MalformedSalesforceId(f"not the id of the object asked for (those start with {prefix}): {value!r}")
    return canonical


def _query_more(sf: Salesforce, url: str) -> dict[str, Any]:
    return dict(sf.query_more(url, identifier_is_url=True))


def _download_blob(sf: Salesforce, path: str, cap: int, source: str) -> bytes:
    """GET a blob field's bytes with the connection's session and headers, streamed and cut off at `cap`.

    Errors are raised as simple-salesforce raises them, so `_call` maps, retries and re-logs in as for any call.
    """
    response = sf.session.get(sf.base_url + path, headers={**sf.headers, "Accept": "*/*"}, stream=True)
    try:
        if response.status_code >= 300:
            exception_handler(response, name=path)
        limit_info = response.headers.get("Sforce-Limit-Info")
        if limit_info:
            sf.api_usage = sf.parse_api_usage(limit_info)
        return read_capped(response.headers.get("Content-Length"), response.iter_content(chunk_size=64 * 1024),
                           cap, source)
    finally:
        response.close()


def _is_rollback(result: OpResult) -> bool:
    return bool(result.errors) and result.errors[0].get("errorCode") in {"PROCESSING_HALTED",
                                                                         "ALL_OR_NONE_OPERATION_ROLLED_BACK"}


__all__ = ["ApiUsage", "SalesforceClient", "SalesforceApiError"]
