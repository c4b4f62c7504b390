"""Documents: hostile and broken files, sent through the running server by both ways a document comes in, are
refused with their reason and flagged for a person, within a time bound; nothing is extracted from them.

The corpus (built in memory, `tests/support/hostile_documents.py`): a zero-byte file, a blank text file, a PDF
Flate bomb, a million-page PDF page tree, a PDF nested 200,000 deep, a DOCX zip bomb, a DOCX whose directory lies
about its sizes, a DOCX with "billion laughs" entities, an HTML page named signed.pdf, an encrypted PDF, a scan
without a text layer, a truncated PDF, and one ordinary contract as the control. Each goes through:
1. the executed-contract path: a deal drafted and launched through the Flow API, its Ironclad workflow completed
   in the sandbox (`POST /_sandbox/workflows/{id}/complete`), the record's signed copy replaced by the file (as
   Ironclad serves an uploaded one), and a signed `workflow_completed` delivery to `/ironclad/webhooks`. The sync
   must end, with Contract_Insight__c.Needs_Review__c and a High-priority Task naming the reason, and write no
   extracted value (no term on the insight, no obligation, no Account or Opportunity update);
2. the inbound-paper path: the file attached to an Opportunity (a ContentVersion) and `POST /flow/document-reviews`.
   The review must end with the reason: the run's status says it, and Contract_Review__c is "Unreadable" with a
   High-priority Task. (Salesforce refuses a zero-byte upload, so the blank file stands for it on this path.)
Every answer of the server is watched for a 5xx; afterwards it must still answer, and the memory its process tree
(`langgraph dev` and its document reader) gained is shown.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.trust.harness import (
    SYNC_FINAL,
    FlowServer,
    Harness,
    event,
    poll_until,
    record_updates,
    settle,
    sync_to_end,
)
from benchmarks.trust.registry import Figure, Scenario, at_most, equal, info
from sandbox.salesforce.deals import DealSpec, LineSpec, create_deal
from tests.support import hostile_documents as hostile

MiB = 1024 * 1024
SLOWEST_BOUND_SECONDS = 60.0  # the reader's own wall-clock budget per document is 60 s: a run must end within it
RUN_TIMEOUT_SECONDS = 180.0  # past this a run counts as hung
REVIEW_FINAL = ("completed", "failed", "rejected", "not_launched")
# Contract_Insight__c fields that hold a value read from the document (the rest say whose contract it is).
EXTRACTED_INSIGHT_FIELDS = (
    "Agreement_Date__c", "Effective_Date__c", "Expiration_Date__c", "Initial_Term_Months__c", "Auto_Renewal__c",
    "Renewal_Term_Months__c", "Notice_Period_Days__c", "Termination_For_Convenience__c", "Governing_Law__c",
    "Payment_Terms_Days__c", "Total_Contract_Value__c", "Currency__c", "Liability_Cap__c", "Citations__c",
    "Clauses_Present__c", "Clauses__c")


@dataclass(frozen=True)
class Sample:
    kind: str
    build: Callable[[], bytes]
    filename: str  # the name it is stored under: it claims the type (signed.pdf, signed.docx)
    reasons: frozenset[str]  # the refusal reasons that are right for it; empty for the control
    attachable: bool = True  # Salesforce stores it as a File (it refuses a zero-byte upload: VersionData required)

    @property
    def control(self) -> bool:
        return not self.reasons


def _sample(kind: str, build: Callable[[], bytes], filename: str, *reasons: str, attachable: bool = True) -> Sample:
    return Sample(kind, build, filename, frozenset(reasons), attachable)


CORPUS = [
    _sample("zero-byte", lambda: b"", "signed.pdf", "empty", attachable=False),
    _sample("blank-text", lambda: b"  \n\n ", "signed.txt", "empty"),
    _sample("pdf-flate-bomb", lambda: hostile.pdf_flate_bomb(256 * MiB), "signed.pdf", "too_large"),
    _sample("pdf-million-pages", hostile.pdf_huge_page_tree, "signed.pdf", "too_many_pages"),
    # pypdf gives up on the nested resources; what is left of the page has no text: either is a refusal
    _sample("pdf-nested-200k", hostile.pdf_deeply_nested, "signed.pdf", "corrupt", "no_text"),
    _sample("docx-zip-bomb", lambda: hostile.docx_zip_bomb(128 * MiB), "signed.docx", "too_large"),
    _sample("docx-lying-sizes", lambda: hostile.docx_lying_sizes(64 * MiB), "signed.docx", "corrupt"),
    _sample("docx-billion-laughs", hostile.docx_billion_laughs, "signed.docx", "unsafe"),
    _sample("html-as-pdf", hostile.html_claiming_pdf, "signed.pdf", "wrong_type"),
    _sample("encrypted-pdf", hostile.encrypted_pdf, "signed.pdf", "encrypted"),
    _sample("image-only-pdf", hostile.image_only_pdf, "signed.pdf", "no_text"),
    _sample("truncated-pdf", hostile.truncated_pdf, "signed.pdf", "corrupt"),
    _sample("control", hostile.contract_pdf, "signed.pdf"),
]
CONTENT_TYPES = {"pdf": "application/pdf", "txt": "text/plain",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
QUICK_EXECUTED = ("pdf-flate-bomb", "html-as-pdf", "encrypted-pdf", "control")  # a workflow each: the costly path


@dataclass
class Outcome:
    """What one document's run ended as, read back from the server and the sandboxes."""

    sample: Sample
    seconds: float = 0.0
    ended: bool = False
    status: str = ""
    reason: str | None = None  # the reason the server's status answer gives (None: it gives none)
    flagged_reason: str | None = None  # the reason the Salesforce records give (Task, review)
    values_written: int = 0
    processed: bool = False  # the control: read and written normally
    notes: list[str] = field(default_factory=list)

    @property
    def refused_rightly(self) -> bool:
        return (self.ended and self.reason in self.sample.reasons and self.flagged_reason in self.sample.reasons)


class FiveXX:
    """Counts the server's 5xx answers on every client it is attached to."""

    def __init__(self) -> None:
        self.count = 0
        self.seen: list[str] = []

    def attach(self, client: httpx.Client) -> httpx.Client:
        client.event_hooks = {"response": [*client.event_hooks["response"], self._hook]}
        return client

    def _hook(self, response: httpx.Response) -> None:
        if response.status_code >= 500:
            self.count += 1
            self.seen.append(f"{response.status_code} {response.request.method} {response.request.url.path}")


@contextmanager
def _client(flow: FlowServer, watch: FiveXX, keyed: bool = True) -> Iterator[httpx.Client]:
    with (flow.http(timeout=60) if keyed else flow.raw(timeout=60)) as client:
        yield watch.attach(client)


def _reason(error: str | None) -> str | None:
    """`too_large: ...` -> `too_large` (a document error starts with its reason)."""
    return error.split(":", 1)[0].strip() if error else None


# --- process memory ------------------------------------------------------------------------------------------

def tree_rss_mib(pid: int) -> float:
    """Resident memory of `pid` and every descendant (the server's document reader among them), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


# --- 1. the executed-contract path ---------------------------------------------------------------------------

def _deal(flow: FlowServer, kind: str) -> str:
    return create_deal(flow.stack.salesforce.store, DealSpec(
        account_name=f"Documents {kind} {uuid.uuid4().hex[:6]} Ltd", region="NA", deal_type="Expansion",
        payment_terms_days=30, governing_law="State of New York",
        lines=[LineSpec(product_code="PLT-STD", quantity=10)]))


def _launched(flow: FlowServer, watch: FiveXX, kind: str) -> tuple[str, str]:
    """A deal drafted and launched through the Flow API: (Opportunity id, Ironclad workflow id)."""
    opportunity_id = _deal(flow, kind)
    with _client(flow, watch) as http:
        http.post("/flow/opportunity-events", json=event(opportunity_id)).raise_for_status()
        status = settle(http, opportunity_id)
    if status.get("status") != "launched":
        raise RuntimeError(f"{kind}: the draft did not launch ({status.get('status')}: {status.get('error')})")
    return opportunity_id, str(status["workflow_id"])


def _sign_with(flow: FlowServer, workflow_id: str, sample: Sample, data: bytes) -> str:
    """Complete the workflow in Ironclad; the record's signed copy becomes `data`, described as Ironclad describes
    an uploaded file. The harness registers no webhook, so nothing reads the copy before it is replaced."""
    httpx.post(f"{flow.stack.ironclad.base_url}/_sandbox/workflows/{workflow_id}/complete",
               timeout=60).raise_for_status()
    store = flow.stack.ironclad.services.store
    record_id = str(flow.stack.ironclad.services.engine.get(workflow_id)["recordIds"][0])
    if not sample.control:
        content_type = CONTENT_TYPES[sample.filename.rsplit(".", 1)[-1]]
        store.put_file(record_id, "signedCopy", sample.filename, content_type, data)
        record = store.get("record", record_id)
        assert record is not None
        record["attachments"]["signedCopy"].update({"filename": sample.filename, "contentType": content_type})
        store.put("record", record_id, record)
    return record_id


def _sync(flow: FlowServer, watch: FiveXX, workflow_id: str) -> tuple[dict[str, Any], float]:
    """The signed webhook, then the sync to its end: (its last status, seconds from the delivery)."""
    started = time.monotonic()
    with _client(flow, watch, keyed=False) as raw, _client(flow, watch) as http:
        status = sync_to_end(flow, raw, http, workflow_id, started + RUN_TIMEOUT_SECONDS, "evt-docs")
    return status, time.monotonic() - started


def _extracted_values(flow: FlowServer, opportunity_id: str, account_id: str | None,
                      updates: list[tuple[str, str, dict[str, Any]]]) -> int:
    """Values taken from the document that reached Salesforce: terms on the insight, obligations, and any
    update of the Account or the Opportunity while the sync ran."""
    store = flow.stack.salesforce.store
    insights = store.query(f"SELECT Id, {', '.join(EXTRACTED_INSIGHT_FIELDS)} FROM Contract_Insight__c "
                           f"WHERE Opportunity__c = '{opportunity_id}'").records
    terms = sum(1 for row in insights for name in EXTRACTED_INSIGHT_FIELDS if row.get(name) not in (None, "", False))
    ids = ", ".join(f"'{row['Id']}'" for row in insights)
    obligations = len(store.query(f"SELECT Id FROM Contract_Obligation__c WHERE Contract_Insight__c IN ({ids})")
                      .records) if ids else 0
    obligations += len(store.query(f"SELECT Id FROM Task WHERE WhatId = '{opportunity_id}' "
                                   "AND Subject LIKE 'Contract obligation:%'").records)
    ours = {opportunity_id[:15], (account_id or "")[:15]}
    crm = sum(len(fields) for obj, record_id, fields in updates
              if obj in ("Account", "Opportunity") and record_id in ours)
    return terms + obligations + crm


def _flagged_reason(flow: FlowServer, opportunity_id: str) -> str | None:
    """The reason the High-priority Task gives, when the insight is marked for review; else None."""
    store = flow.stack.salesforce.store
    insights = store.query("SELECT Needs_Review__c FROM Contract_Insight__c "
                           f"WHERE Opportunity__c = '{opportunity_id}'").records
    tasks = store.query("SELECT Priority, Description FROM Task WHERE WhatId = "
                        f"'{opportunity_id}' AND Subject LIKE 'Executed contract could not be read%'").records
    if len(insights) != 1 or insights[0].get("Needs_Review__c") is not True or len(tasks) != 1 \
            or tasks[0].get("Priority") != "High":
        return None
    # "Ironclad record <id> (<name>): <reason>: <detail>"
    return _reason(str(tasks[0].get("Description") or "").split("): ", 1)[-1])


def executed_path(flow: FlowServer, watch: FiveXX, samples: list[Sample]) -> list[Outcome]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        launched = list(pool.map(lambda s: _launched(flow, watch, s.kind), samples))
    files = [s.build() for s in samples]
    for sample, (_, workflow_id), data in zip(samples, launched, files, strict=True):
        _sign_with(flow, workflow_id, sample, data)
    store = flow.stack.salesforce.store
    with record_updates(flow) as updates, ThreadPoolExecutor(max_workers=len(samples)) as pool:
        synced = list(pool.map(lambda wf: _sync(flow, watch, wf[1]), launched))
    outcomes = []
    for sample, (opportunity_id, _), (status, seconds) in zip(samples, launched, synced, strict=True):
        account_id = store.get("Opportunity", opportunity_id, ["AccountId"]).get("AccountId")
        outcome = Outcome(sample, seconds=seconds, ended=not status.get("timed_out") and status.get(
            "status") in SYNC_FINAL, status=str(status.get("status")), reason=_reason(status.get("document_error")),
            flagged_reason=_flagged_reason(flow, opportunity_id),
            values_written=_extracted_values(flow, opportunity_id, account_id, updates))
        outcome.processed = (sample.control and outcome.status == "completed" and outcome.reason is None
                             and outcome.values_written > 0)
        if status.get("error"):
            outcome.notes.append(str(status["error"])[:120])
        outcomes.append(outcome)
    return outcomes


# --- 2. the inbound-paper review path ------------------------------------------------------------------------

def _attach(flow: FlowServer, opportunity_id: str, sample: Sample, data: bytes) -> str:
    """The file attached to the Opportunity as a Salesforce user would (a ContentVersion): its ContentDocumentId."""
    sf = flow.stack.salesforce.client()
    created = sf.ContentVersion.create({"Title": f"{sample.kind} paper", "PathOnClient": sample.filename,
                                        "FirstPublishLocationId": opportunity_id,
                                        "VersionData": base64.b64encode(data).decode()})
    rows = sf.query(f"SELECT ContentDocumentId FROM ContentVersion WHERE Id = '{created['id']}'")["records"]
    return str(rows[0]["ContentDocumentId"])


def _review(flow: FlowServer, watch: FiveXX, opportunity_id: str, sample: Sample, document_id: str) -> Outcome:
    started = time.monotonic()
    outcome = Outcome(sample)
    with _client(flow, watch) as http:
        answer = http.post("/flow/document-reviews", json={"opportunity_id": opportunity_id,
                                                           "content_document_id": document_id,
                                                           "event_id": f"docs-{uuid.uuid4().hex}"})
        if answer.status_code >= 300:  # the route never sees the bytes, so no answer here can give the reason
            outcome.seconds, outcome.ended, outcome.status = time.monotonic() - started, True, f"http {answer.status_code}"
            return outcome
        status = poll_until(http, f"/flow/threads/{answer.json()['thread_id']}", REVIEW_FINAL,
                       started + RUN_TIMEOUT_SECONDS)
    outcome.seconds = time.monotonic() - started
    outcome.status = str(status.get("status"))
    outcome.ended = not status.get("timed_out") and outcome.status in REVIEW_FINAL
    outcome.reason = _reason(status.get("document_error"))
    store = flow.stack.salesforce.store
    reviews = store.query("SELECT Status__c, Deviations__c, Risk_Score__c FROM Contract_Review__c "
                          f"WHERE Content_Document_Id__c = '{document_id}'").records
    if len(reviews) == 1 and reviews[0].get("Status__c") == "Unreadable":
        tasks = store.query(f"SELECT Priority FROM Task WHERE WhatId = '{opportunity_id}' "
                            f"AND Subject = '[Unreadable] Inbound paper: {sample.kind} paper'").records
        if [t.get("Priority") for t in tasks] == ["High"]:
            outcome.flagged_reason = _reason(reviews[0].get("Deviations__c"))
    outcome.processed = (sample.control and outcome.status == "completed" and outcome.reason is None
                         and len(reviews) == 1 and reviews[0].get("Status__c") != "Unreadable"
                         and reviews[0].get("Risk_Score__c") is not None)
    if status.get("error"):
        outcome.notes.append(str(status["error"])[:120])
    return outcome


def review_path(flow: FlowServer, watch: FiveXX, samples: list[Sample]) -> list[Outcome]:
    opportunity_id = _deal(flow, "inbound paper")
    attached = [(s, _attach(flow, opportunity_id, s, s.build())) for s in samples if s.attachable]
    with ThreadPoolExecutor(max_workers=len(samples)) as pool:
        return list(pool.map(lambda a: _review(flow, watch, opportunity_id, *a), attached))


# --- the figures -----------------------------------------------------------------------------------------------

def _figures(path: str, outcomes: list[Outcome], flagged_as: str) -> list[Figure]:
    bad = [o for o in outcomes if not o.sample.control]
    wrong = [f"{o.sample.kind} ({o.status}; said {o.reason}, flagged {o.flagged_reason}"
             + (f"; {o.notes[0]}" if o.notes else "") + ")" for o in bad if not o.refused_rightly]
    return [info(f"{path}: documents sent", len(outcomes)),
            equal(f"{path}: runs ended (none hung)", sum(o.ended for o in outcomes), len(outcomes)),
            equal(f"{path}: bad documents {flagged_as}", sum(o.refused_rightly for o in bad), len(bad)),
            info(f"{path}: not refused as expected", "; ".join(wrong)[:300] or "none"),
            equal(f"{path}: control processed normally", sum(o.processed for o in outcomes), 1),
            at_most(f"{path}: slowest document (s)", round(max(o.seconds for o in outcomes), 1),
                    SLOWEST_BOUND_SECONDS, " s")]


def run(quick: bool, harness: Harness | None) -> list[Figure]:
    assert harness is not None
    flow, started, watch = harness.flow, time.monotonic(), FiveXX()
    pid = harness.flow.server._process.pid if harness.flow.server._process else None
    rss_before = tree_rss_mib(pid) if pid else float("nan")
    executed = [s for s in CORPUS if not quick or s.kind in QUICK_EXECUTED]
    executed_outcomes = executed_path(flow, watch, executed)
    review_outcomes = review_path(flow, watch, CORPUS)
    with _client(flow, watch) as http, _client(flow, watch, keyed=False) as raw:
        answering = raw.get("/ok").status_code == 200 and http.get(
            f"/flow/opportunities/{_deal(flow, 'after')}").status_code == 404  # known route, unknown run: 404
    rss_after = tree_rss_mib(pid) if pid else float("nan")
    return [*_figures("executed", executed_outcomes, "flagged with the right reason"),
            equal("executed: values written from bad documents",
                  sum(o.values_written for o in executed_outcomes if not o.sample.control), 0),
            *_figures("review", review_outcomes, "refused with the right reason"),
            equal("5xx answers", watch.count, 0),
            info("5xx seen", "; ".join(watch.seen[:5]) or "none"),
            equal("server answering afterwards", answering, True),
            info("server memory growth (MiB)", round(rss_after - rss_before)),
            info("seconds", round(time.monotonic() - started, 1))]


SCENARIO = Scenario(
    name="documents",
    proves="bad documents through the server (signed copies and inbound paper): each refused with its reason and "
           "flagged, none hangs or 5xx, no value written from one",
    runner=run, needs_server=True)
