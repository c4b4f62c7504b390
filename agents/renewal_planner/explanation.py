"""The renewal likelihood explained by a tool-calling model, above the playbook's reasons it explains.

The weights decide the likelihood and the contract decides the dates; the model only puts them in words for
the account owner. An explanation written without reading the facts, or quoting a date or a number the facts
do not hold, is refused (after one correction) and the owner sees the reasons alone. The explanation is kept
on file while the reasons under it stay the same, so a rescan does not ask the model again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, ToolMessage
from pydantic import BaseModel, Field

from agents.agent_tools.renewal_facts import read_renewal_facts
from agents.agent_tools.tool_context import ToolContext
from agents.checked_agent import Specialist, run_checked
from agents.prompts.renewal_planner import RENEWAL_EXPLAINER_SYSTEM, RENEWAL_EXPLAINER_TASK
from playbook_store.renewal_likelihood import EXPLANATION_BREAK
from runtime.renewals import RenewalPlan
from tools.write_plan import diff

FIELD = "Renewal_Likelihood_Reasons__c"
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_WORD_DATE = re.compile(r"\b(?:(?P<d1>\d{1,2})\s+(?P<m1>[A-Z][a-z]+)\s+(?P<y1>\d{4})|(?P<m2>[A-Z][a-z]+)\s+"
                        r"(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4}))\b")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b")


class SubmitExplanation(BaseModel):
    """Submit the explanation for the account owner and finish."""

    text: str = Field(min_length=1, max_length=800)


def renewal_explainer(model: BaseChatModel) -> Specialist[SubmitExplanation]:
    return Specialist(name="renewal_planner", model=model, tools=[read_renewal_facts],
                      answer_schema=SubmitExplanation, system_prompt=RENEWAL_EXPLAINER_SYSTEM)


def renewal_facts(plan: RenewalPlan) -> dict[str, Any]:
    """What the model may read: no contact, no person; the account by its business name."""
    c, s, likelihood = plan.contract, plan.schedule, plan.likelihood
    return {"account": c.account_name, "kind": s.kind, "term_end": s.term_end, "renewal_date": s.renewal_date,
            "renewal_term": s.renewal_term, "renewal_term_months": c.renewal_term_months,
            "notice_period": s.notice_period, "notice_period_days": c.notice_period_days,
            "notice_deadline": s.notice_deadline,
            "renewal_amount": plan.amount, "currency": c.currency,
            "likelihood_percent": round(likelihood.probability * 100) if likelihood else None,
            "forecast_category": likelihood.forecast_category if likelihood else None,
            "reasons": likelihood.reasons if likelihood else [],
            "signals": {"open_support_cases": c.open_support_cases, "usage_trend": c.usage_trend,
                        "days_payment_late": c.days_payment_late,
                        "termination_for_convenience": c.termination_for_convenience}}


def explain(model: BaseChatModel, plan: RenewalPlan) -> tuple[str | None, list[str]]:
    """(the explanation, notes on how it went). None when it cannot be trusted."""
    facts = renewal_facts(plan)
    task = RENEWAL_EXPLAINER_TASK.format(account=facts["account"] or "the customer",
                                         renewal_date=facts["renewal_date"],
                                         probability=f"{facts['likelihood_percent']}%")

    def check(answer: SubmitExplanation, messages: Sequence[BaseMessage]) -> list[str]:
        return explanation_problems(answer.text, facts, messages)

    checked = run_checked(renewal_explainer(model), task, ToolContext(renewal_facts=facts), check)
    if checked.answer is None:
        return None, checked.problems
    return checked.answer.text.strip(), ["accepted after one correction"] if checked.rounds > 1 else []


def explanation_problems(text: str, facts: dict[str, Any], messages: Sequence[BaseMessage]) -> list[str]:
    problems = []
    if not any(isinstance(m, ToolMessage) and m.name == read_renewal_facts.name for m in messages):
        problems.append(f"the explanation was written without calling {read_renewal_facts.name}")
    known_dates = {v for v in facts.values() if isinstance(v, date)}
    invented = [d for d in _dates(text) if d not in known_dates]
    if invented:
        problems.append("the explanation gives dates the facts do not hold: "
                        + ", ".join(sorted(d.isoformat() for d in set(invented))))
    known_numbers = set(_numbers(str(facts)))
    undated = _WORD_DATE.sub(" ", _ISO_DATE.sub(" ", text))
    numbers = sorted(n for n in set(_numbers(undated)) - known_numbers)
    if numbers:
        problems.append(f"the explanation gives numbers the facts do not hold: {', '.join(numbers)}")
    if _CONTACT.search(undated):
        problems.append("the explanation carries contact details")
    return problems


def with_explanation(plan: RenewalPlan, text: str) -> RenewalPlan:
    """The plan with the explanation above the reasons on the renewal Opportunity, and its diff again."""
    if plan.plan is None or plan.likelihood is None:
        return plan
    value = text + EXPLANATION_BREAK + "\n".join(plan.likelihood.reasons)
    operations = [op.model_copy(update={"fields": {**op.fields, FIELD: value}}) if op.ref == "renewal" else op
                  for op in plan.plan.operations]
    written = plan.plan.model_copy(update={"operations": operations})
    return plan.model_copy(update={"plan": written, "changes": diff(written, plan.current)})


def explains_anew(plan: RenewalPlan) -> bool:
    """The plan writes the renewal's reasons (new, or changed since the explanation on file)."""
    return any(c.ref == "renewal" and c.field == FIELD for c in plan.changes)


def _dates(text: str) -> list[date]:
    found = [date.fromisoformat(d) for d in _ISO_DATE.findall(text) if _valid_iso(d)]
    for m in _WORD_DATE.finditer(text):
        day, month, year = (m["d1"], m["m1"], m["y1"]) if m["d1"] else (m["d2"], m["m2"], m["y2"])
        try:
            found.append(datetime.strptime(f"{day} {month[:3]} {year}", "%d %b %Y").date())
        except ValueError:
            continue
    return found


def _valid_iso(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _numbers(text: str) -> list[str]:
    """Numbers as written, thousands separators dropped and trailing zeros of decimals trimmed."""
    out = []
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.append(value)
    return out
