"""The risk checks: what each threshold in `rules/risk.yaml` means, and the evidence for a hit.

The loader validates each rule's `check` and params against `CHECKS`; `playbook_store.risk` applies them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from playbook_store.jurisdictions import supported_jurisdictions
from playbook_store.models import DealFacts, Evidence, TextSpan
from playbook_store.special_terms import unmatched_fragments


@dataclass(frozen=True)
class Hit:
    value: str
    limit: str
    evidence: list[Evidence]


Spans = dict[str, TextSpan]


def _evidence(field: str, value: object, spans: Spans) -> list[Evidence]:
    return [Evidence(field=field, value=_fmt(value), span=spans.get(field))]


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _NoParams(BaseModel):
    model_config = {"extra": "forbid"}


class _Multiple(_NoParams):
    multiple: float


class _Days(_NoParams):
    days: int
    up_to: int | None = None


class _Percent(_NoParams):
    percent: float


class _Months(_NoParams):
    months: int


class _Hours(_NoParams):
    hours: int


class _Years(_NoParams):
    years: int


class _ApprovedLaw(_NoParams):
    approved: dict[str, list[str]]


def _liability_cap_below(f: DealFacts, p: _Multiple, s: Spans) -> Hit | None:
    cap = f.requested_liability_cap_multiple
    if cap is not None and cap < p.multiple:
        return Hit(_fmt(cap), _fmt(p.multiple), _evidence("requested_liability_cap_multiple", cap, s))
    return None


def _liability_cap_above(f: DealFacts, p: _Multiple, s: Spans) -> Hit | None:
    cap = f.requested_liability_cap_multiple
    if cap is not None and cap > p.multiple:
        return Hit(_fmt(cap), _fmt(p.multiple), _evidence("requested_liability_cap_multiple", cap, s))
    return None


def _uncapped_liability(f: DealFacts, p: _NoParams, s: Spans) -> Hit | None:
    if f.uncapped_liability_requested:
        return Hit("unlimited liability", "", _evidence("uncapped_liability_requested", True, s))
    return None


def _uncapped_indemnity(f: DealFacts, p: _NoParams, s: Spans) -> Hit | None:
    if f.uncapped_indemnity_requested:
        return Hit("an uncapped indemnity", "", _evidence("uncapped_indemnity_requested", True, s))
    return None


def _payment_terms_over(f: DealFacts, p: _Days, s: Spans) -> Hit | None:
    days = f.payment_terms_days
    if days is not None and days > p.days and (p.up_to is None or days <= p.up_to):
        return Hit(str(days), str(p.days), _evidence("payment_terms_days", days, s))
    return None


def _discount_over(f: DealFacts, p: _Percent, s: Spans) -> Hit | None:
    discount = f.max_discount_percent
    if discount is not None and discount > p.percent:
        return Hit(_fmt(discount), _fmt(p.percent), _evidence("max_discount_percent", discount, s))
    return None


def _governing_law_not_approved(f: DealFacts, p: _ApprovedLaw, s: Spans) -> Hit | None:
    law = f.governing_law_requested
    approved = p.approved.get(f.region, [])
    # A jurisdiction we cannot paper at all is a separate, higher-severity rule.
    if law is None or law in approved or law not in supported_jurisdictions():
        return None
    evidence = _evidence("governing_law_requested", law, s) + [Evidence(field="region", value=f.region)]
    return Hit(law, ", ".join(approved), evidence)


def _governing_law_unsupported(f: DealFacts, p: _NoParams, s: Spans) -> Hit | None:
    law = f.governing_law_requested
    if law is None or law in supported_jurisdictions():
        return None
    return Hit(law, ", ".join(supported_jurisdictions()), _evidence("governing_law_requested", law, s))


def _auto_renewal_term_over(f: DealFacts, p: _Months, s: Spans) -> Hit | None:
    months = f.requested_auto_renewal_term_months
    if months is not None and months > p.months:
        return Hit(str(months), str(p.months), _evidence("requested_auto_renewal_term_months", months, s))
    return None


def _sla_above(f: DealFacts, p: _Percent, s: Spans) -> Hit | None:
    uptime = f.sla_uptime_requested
    if uptime is not None and uptime > p.percent:
        return Hit(_fmt(uptime), _fmt(p.percent), _evidence("sla_uptime_requested", uptime, s))
    return None


def _term_over(f: DealFacts, p: _Months, s: Spans) -> Hit | None:
    if f.term_months > p.months:
        return Hit(str(f.term_months), str(p.months), _evidence("term_months", f.term_months, s))
    return None


def _termination_for_convenience(f: DealFacts, p: _NoParams, s: Spans) -> Hit | None:
    if not (f.termination_for_convenience_requested or f.termination_for_convenience_days is not None):
        return None
    days = f.termination_for_convenience_days
    value = f"on {days} days' notice" if days is not None else "notice period not stated"
    field = (
        "termination_for_convenience_days" if days is not None else "termination_for_convenience_requested"
    )
    return Hit(value, "", _evidence(field, days if days is not None else True, s))


def _breach_notice_under(f: DealFacts, p: _Hours, s: Spans) -> Hit | None:
    hours = f.breach_notice_hours_requested
    if hours is not None and hours < p.hours:
        return Hit(str(hours), str(p.hours), _evidence("breach_notice_hours_requested", hours, s))
    return None


def _confidentiality_over(f: DealFacts, p: _Years, s: Spans) -> Hit | None:
    years = f.confidentiality_years_requested
    if years is not None and years > p.years:
        return Hit(str(years), str(p.years), _evidence("confidentiality_years_requested", years, s))
    return None


def _special_terms_unmatched(f: DealFacts, p: _NoParams, s: Spans) -> Hit | None:
    fragments = unmatched_fragments(f.special_terms)
    if not fragments:
        return None
    quoted = "; ".join(f'"{frag.text}"' for frag in fragments)
    return Hit(quoted, "", [Evidence(field="special_terms", value=frag.text, span=frag) for frag in fragments])


# name -> (parameter model, check). The loader validates each rule's params against its model.
CHECKS: dict[str, tuple[type[BaseModel], Callable[[DealFacts, Any, Spans], Hit | None]]] = {
    "liability_cap_below": (_Multiple, _liability_cap_below),
    "liability_cap_above": (_Multiple, _liability_cap_above),
    "uncapped_liability": (_NoParams, _uncapped_liability),
    "uncapped_indemnity": (_NoParams, _uncapped_indemnity),
    "payment_terms_over": (_Days, _payment_terms_over),
    "discount_over": (_Percent, _discount_over),
    "governing_law_not_approved": (_ApprovedLaw, _governing_law_not_approved),
    "governing_law_unsupported": (_NoParams, _governing_law_unsupported),
    "auto_renewal_term_over": (_Months, _auto_renewal_term_over),
    "sla_above": (_Percent, _sla_above),
    "term_over": (_Months, _term_over),
    "termination_for_convenience": (_NoParams, _termination_for_convenience),
    "breach_notice_under": (_Hours, _breach_notice_under),
    "confidentiality_over": (_Years, _confidentiality_over),
    "special_terms_unmatched": (_NoParams, _special_terms_unmatched),
}
