"""The extracted term a question's intent maps to, as people read it, with the term's own citation."""

from __future__ import annotations

from collections.abc import Callable

from core.contract_answer import AnswerCitation, AnswerTerm
from core.contract_terms import Citation, Cited, ContractTerms

_UNITS = {"D": "day", "W": "week", "M": "month", "Y": "year"}


def duration_text(iso: str) -> str:
    """"P90D" -> "90 days", "P1Y" -> "1 year"; "perpetual" stays as it is."""
    if iso == "perpetual" or not iso.startswith("P") or iso[-1] not in _UNITS:
        return iso
    number = iso[1:-1]
    unit = _UNITS[iso[-1]]
    return f"{number} {unit}{'' if number == '1' else 's'}"


def _cited(value: Cited | None, render: Callable[[object], str] = str) -> tuple[str, Citation] | None:
    return None if value is None else (render(value.value), value.citation)


def _renewal(terms: ContractTerms) -> tuple[str, Citation] | None:
    if terms.renewal_term is not None:
        return f"renews for {duration_text(terms.renewal_term.value)}", terms.renewal_term.citation
    if terms.auto_renewal is not None:
        return ("renews automatically" if terms.auto_renewal.value else "does not renew automatically",
                terms.auto_renewal.citation)
    return None


def _cap(terms: ContractTerms) -> tuple[str, Citation] | None:
    cap = terms.liability_cap
    if cap is None:
        return None
    if cap.amount is not None:
        return f"capped at {cap.amount.currency} {cap.amount.amount:,}", cap.citation
    if cap.multiple is not None:
        return f"capped at {cap.multiple}x the fees", cap.citation
    return cap.kind.replace("_", " "), cap.citation


_TERMS: dict[str, Callable[[ContractTerms], tuple[str, Citation] | None]] = {
    "Expiration Date": lambda t: _cited(t.expiration_date),
    "Effective Date": lambda t: _cited(t.effective_date),
    "Agreement Date": lambda t: _cited(t.agreement_date),
    "Renewal Term": _renewal,
    "Notice Period To Terminate Renewal": lambda t: _cited(t.notice_period_to_terminate_renewal,
                                                           lambda v: f"{duration_text(str(v))} before renewal"),
    "Governing Law": lambda t: _cited(t.governing_law),
    "Termination For Convenience": lambda t: _cited(t.termination_for_convenience,
                                                    lambda v: "yes" if v else "no"),
    "Cap On Liability": _cap,
    "Payment Terms": lambda t: _cited(t.payment_terms_net_days, lambda v: f"net {v} days"),
    "Contract Value": lambda t: None if t.total_contract_value is None else (
        f"{t.total_contract_value.currency} {t.total_contract_value.amount:,}", t.total_contract_value.citation),
    "Parties": lambda t: (", ".join(p.name for p in t.parties), t.parties[0].citation) if t.parties else None,
}


def term_for(name: str, terms: ContractTerms | None, doc: str) -> AnswerTerm | None:
    """The term named by the intent, when the contract's extracted terms hold it."""
    if terms is None or name not in _TERMS:
        return None
    found = _TERMS[name](terms)
    if found is None:
        return None
    value, citation = found
    return AnswerTerm(name=name, value=value,
                      citation=AnswerCitation(doc=doc, start=citation.start, end=citation.end, quote=citation.quote,
                                              page=citation.page, score=1.0))
