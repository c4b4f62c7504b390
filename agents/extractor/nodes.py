"""The extractor specialist's steps: fetch the signed contract, read its terms, plan the Salesforce writes.

Reading goes through the typed Ironclad client and `tools.documents`; a document that cannot be read is a
typed error that flags the record for human review in Salesforce, never a crash.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from langgraph.runtime import Runtime

from agents.extractor.compliance import executed_compliance, packet_deal
from agents.extractor.context import ContractContext, parse_snapshot, snapshot_query
from agents.extractor.model_engine import ModelExtractor
from agents.extractor.plan import build_plan
from agents.extractor.policy import review_reasons
from agents.extractor.state import ExtractorState
from agents.qa.indexing import index_executed
from agents.qa.store import contract_store
from core.contract_terms import ContractTerms
from extraction import OfflineExtractor, verified
from extraction.confidence import load_calibrator
from runtime import context as services
from runtime.context import Context
from runtime.state import ExecutedContract, RunState
from tools.documents import Document, DocumentError, claimed_media_type, parse_document
from tools.pii.known_values import known_values_of_workflow
from tools.write_plan import WriteOp, WritePlan, diff

OPPORTUNITY_ATTRIBUTE = "salesforceOpportunityId"


def fetch_contract(state: RunState, runtime: Runtime[Context]) -> dict[str, Any]:
    """The workflow, its record and the signed PDF, through the typed Ironclad client."""
    assert state.task.workflow_id
    ironclad = services.ironclad(runtime.context)
    workflow = ironclad.get_workflow(state.task.workflow_id)
    contract = ExecutedContract(workflow_id=workflow.id,
                                opportunity_id=workflow.attributes.get(OPPORTUNITY_ATTRIBUTE) or None)
    if not workflow.record_ids:
        return {"status": "failed", "contract": contract,
                "error": f"workflow {workflow.ironclad_id} has no executed record yet (status {workflow.status})",
                "log": [f"extractor: workflow {workflow.ironclad_id} has no record yet"]}
    record = ironclad.get_record(workflow.record_ids[0])
    contract.record_id, contract.record_name = record.id, record.name
    attachment = record.attachments.get("signedCopy")
    claimed = claimed_media_type(attachment.filename, attachment.content_type) if attachment else None
    try:
        # Bounded: a hostile or broken file is refused within the document limits and flagged for review;
        # the download itself is cut off at the size cap.
        pdf = ironclad.download_signed_copy(record.id)
        contract.document_sha256 = hashlib.sha256(pdf).hexdigest()
        contract.document_name = attachment.filename if attachment else f"{record.name}.pdf"
        document = parse_document(pdf, source=f"Ironclad record {record.id} signedCopy", claimed=claimed)
    except DocumentError as exc:
        contract.document_error = f"{exc.reason}: {exc}"
        return {"contract": contract, "log": [f"extractor: signed copy unreadable ({exc.reason})"]}
    contract.pages = len(document.pages)
    return {"contract": contract, "document_text": document.model_dump_json(),
            "signatories": known_values_of_workflow(workflow.attributes),
            "log": [f"extractor: fetched {record.name} ({contract.pages} pages)"]}


def extract_terms(state: Any, runtime: Runtime[Context]) -> dict[str, Any]:
    """Terms with citations; any value whose quote is not verbatim in the document is dropped.

    With a model configured, its verified values win field by field and the offline reading fills the rest,
    so a model that misses or invents a value never costs a term the patterns read correctly.
    """
    contract: ExecutedContract = state.contract
    if contract.document_error or state.document_text is None:
        return {}
    document = Document.model_validate_json(state.document_text)
    terms = verified(OfflineExtractor().extract(document), document)
    engine: Literal["offline", "model"] = "offline"
    notes = []
    model = services.model(runtime.context, known=state.signatories)
    if model is not None:
        try:
            reader = ModelExtractor(model)
            read = verified(reader.extract(document), document)
            # Model values carry no confidence of their own: score the merged reading with the same calibrator.
            terms, engine = load_calibrator().apply(merge_terms(read, terms), document), "model"
            notes += [f"extractor: model reading {note}" for note in reader.notes]
        except Exception as exc:  # the model engine is optional; the offline reading stands
            notes.append(f"extractor: model engine failed ({type(exc).__name__}: {str(exc)[:300]}); "
                         "offline terms used")
    found = sum(1 for name in ContractTerms.model_fields if getattr(terms, name))
    return {"contract": contract.model_copy(update={"terms": terms, "engine": engine}),
            "log": [*notes, f"extractor: {found} term fields with verified citations ({engine} engine)"]}


def merge_terms(preferred: ContractTerms, fallback: ContractTerms) -> ContractTerms:
    """Field by field: the preferred reading where it has a value, else the fallback's."""
    return ContractTerms.model_validate({
        name: getattr(preferred, name) if getattr(preferred, name) else getattr(fallback, name)
        for name in ContractTerms.model_fields})


def plan_writes(state: ExtractorState, runtime: Runtime[Context]) -> dict[str, Any]:
    """One read of what Salesforce holds now, then the write plan and its diff."""
    contract = state.contract
    assert contract is not None and contract.record_id
    sf = services.salesforce(runtime.context)
    ctx = ContractContext(ironclad_record_id=contract.record_id, workflow_id=contract.workflow_id,
                          opportunity_id=contract.opportunity_id)
    if contract.opportunity_id:
        rows = sf.query(snapshot_query(contract.opportunity_id, ctx.key))
        if not rows:
            return {"status": "failed", "error": f"Opportunity {contract.opportunity_id} not found in Salesforce"}
        snapshot = parse_snapshot(rows[0])
        ctx = ctx.model_copy(update={"snapshot": snapshot, "account_id": snapshot.opportunity.get("AccountId"),
                                     "owner_id": snapshot.opportunity.get("OwnerId"),
                                     "opportunity_amount": snapshot.opportunity.get("Amount")})
    if contract.document_error or contract.terms is None:
        plan, current = unreadable_plan(contract, ctx, state.correlation_id)
        reasons: list[str] = []
    else:
        reasons = review_reasons(contract.terms, ctx, services.auto_write_confidence(runtime.context))
        plan, current = build_plan(contract.terms, ctx, state.correlation_id, needs_review=bool(reasons))
    changes = diff(plan, current)
    document = None if contract.document_error or state.document_text is None \
        else Document.model_validate_json(state.document_text)  # parsed once: compliance and the Q&A index
    compliance = executed_compliance(ctx.snapshot, contract, document)
    deal = packet_deal(ctx.snapshot) if compliance is not None and ctx.snapshot is not None else None
    updated = contract.model_copy(update={"account_id": ctx.account_id, "plan": plan, "current": current,
                                          "changes": changes, "review_reasons": reasons, "compliance": compliance,
                                          "packet_deal": deal})
    log = [f"extractor: write plan of {len(plan.operations)} operations, {len(changes)} field changes"
           + (f"; review needed: {' '.join(reasons)}" if reasons else "")]
    if compliance is not None:
        log.append(f"extractor: compliance ({', '.join(compliance.profiles)}): "
                   f"{len(compliance.attested)} required clause(s) attested, {len(compliance.missing)} missing")
    try:  # questions are answered from the store; a failure to index must not stop the sync
        log.append(index_executed(contract_store(runtime.context), updated, document,
                                  ctx.snapshot.opportunity if ctx.snapshot else None,
                                  ctx.snapshot.account if ctx.snapshot else None))
    except Exception as exc:
        log.append(f"qa: contract not indexed for questions ({type(exc).__name__}: {str(exc)[:200]})")
    return {"contract": updated, "status": "extracted", "log": log}


def unreadable_plan(contract: ExecutedContract, ctx: ContractContext,
                    correlation_id: str) -> tuple[WritePlan, dict[str, Any]]:
    """Nothing can be extracted: record the contract as needing review, and ask a person to read it."""
    ops = [WriteOp(ref="insight", action="upsert", sobject="Contract_Insight__c", external_id=ctx.key, fields={
        k: v for k, v in {"Opportunity__c": ctx.opportunity_id, "Account__c": ctx.account_id,
                          "Ironclad_Record_Id__c": ctx.ironclad_record_id, "Needs_Review__c": True}.items()
        if v is not None})]
    current: dict[str, Any] = {"insight": ctx.snapshot.insight}
    what = ctx.opportunity_id or ctx.account_id
    if what:
        key = f"{ctx.key}-task-unreadable"
        ops.append(WriteOp(ref="reviewTask", action="upsert", sobject="Task", external_id=key, fields={
            k: v for k, v in {"Subject": "Executed contract could not be read: review it by hand", "WhatId": what,
                              "OwnerId": ctx.owner_id, "Status": "Not Started", "Priority": "High",
                              "Description": f"Ironclad record {ctx.ironclad_record_id} "
                                             f"({contract.record_name}): {contract.document_error}"}.items()
            if v is not None}))
        current["reviewTask"] = ctx.snapshot.tasks.get(key)
    return WritePlan(correlation_id=correlation_id, operations=ops, summary="unreadable executed contract"), current
