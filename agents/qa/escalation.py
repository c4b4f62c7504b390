"""A question the contract could not answer, handed to Legal: one Task per conversation and question (upserted
on its key, so a double click or a retried escalation never makes a second Task)."""

from __future__ import annotations

import hashlib

from core.contract_answer import ContractAnswer
from runtime import audit_trail
from tools.salesforce import SalesforceClient
from tools.write_plan import OpResult, WriteOp, WritePlan


class EscalationRefused(PermissionError):
    """The rollout mode does not write Tasks (read_only): the question is not handed to Legal by contractloop,
    and the asker is told so instead of seeing a failure."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


ESCALATION_REFUSED_REPLY = ("Not escalated: contractloop runs read-only here and writes no Tasks. "
                            "Please ask Legal directly.")


def send_escalation(salesforce: SalesforceClient, plan: WritePlan, answer: ContractAnswer,
                    conversation_id: str) -> list[OpResult]:
    """Write the escalation Task and put it on the audit trail, or (read_only) put the refusal there and raise
    `EscalationRefused`. The graph's node and the in-process service both send through here."""
    refs = [answer.contract.opportunity_id if answer.contract else None, conversation_id]
    if refusal := salesforce.rollout.write_refusal("Task", plan.operations[0].fields):
        audit_trail.record_refusals(plan.correlation_id, [refusal], "qa_escalation", refs)
        raise EscalationRefused(refusal)
    return audit_trail.apply_recorded(salesforce, plan, "qa_escalation", refs)


def escalation_key(conversation_id: str, question: str) -> str:
    return "qa:" + hashlib.sha256(f"{conversation_id}\n{question}".encode()).hexdigest()[:32]


def escalation_plan(answer: ContractAnswer, asker_id: str, conversation_id: str, correlation_id: str,
                    legal_owner_id: str | None) -> WritePlan:
    contract = answer.contract
    what = (contract.opportunity_id or contract.account_id) if contract else None
    found = "\n".join(f"- p.{c.page}: {c.quote[:500]}" for c in answer.citations) or "- nothing cited"
    description = (f"Question from Salesforce user {asker_id}: {answer.question}\n\n"
                   f"Contract: {contract.name or contract.doc if contract else 'none identified'}\n"
                   f"What the assistant answered: {answer.answer or '(no answer)'}\n\nWhat it found:\n{found}")
    fields = {"Subject": f"[Legal] Contract question: {answer.question}"[:255], "Status": "Not Started",
              "Priority": "Normal", "Description": description[:32000]}
    if what:
        fields["WhatId"] = what
    if legal_owner_id:
        fields["OwnerId"] = legal_owner_id
    return WritePlan(correlation_id=correlation_id, summary="contract question escalated to Legal", operations=[
        WriteOp(ref="qaTask", action="upsert", sobject="Task", external_id=escalation_key(conversation_id,
                                                                                          answer.question),
                fields=fields)])
