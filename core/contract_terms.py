"""`ContractTerms`: what we read from an executed contract. Every value carries the citation that proves it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args

from pydantic import Field, StringConstraints, model_validator

from core.state_model import StateModel

T = TypeVar("T")

# ISO-8601 period of one unit ("P1Y", "P90D"), or "perpetual" for a term that runs until terminated.
Duration = str
DateOrPerpetual = date | Literal["perpetual"]
# ISO-8601 reduced precision ("2004", "2017-02") for a date written with blanks: "this ___ day of ____, 2004".
PartialIsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}(?:-\d{2})?$")]


class Citation(StateModel):
    """Where a value comes from: the verbatim quote and its character span in `Document.text`."""

    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    quote: str = Field(min_length=1)

    @model_validator(mode="after")
    def _span_fits_quote(self) -> Citation:
        if self.end - self.start != len(self.quote):
            raise ValueError("citation span length differs from the quote length")
        return self


# A calibrated probability that a value is right (None: no calibrated model covers it yet). The sync policy
# writes a value without review only at or above the threshold chosen in cross-validation.
Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class Cited(StateModel, Generic[T]):
    value: T
    citation: Citation
    confidence: Confidence | None = None


class Party(StateModel):
    name: str
    role: str | None = Field(default=None, description="the defined term the contract gives it, e.g. Licensee")
    citation: Citation
    confidence: Confidence | None = None


class Money(StateModel):
    amount: Decimal
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    citation: Citation


class LiabilityCap(StateModel):
    """CUAD's broad notion: a monetary cap, a multiple of fees, an exclusion of damages or a claim time limit."""

    kind: Literal["amount", "multiple_of_fees", "fees_paid", "excluded_damages", "claim_time_limit", "uncapped"]
    amount: Money | None = None
    multiple: Decimal | None = None
    citation: Citation
    confidence: Confidence | None = None


class Obligation(StateModel):
    description: str
    obligated_party: str | None = None
    due: str | None = Field(default=None, description="ISO-8601 period after a trigger, e.g. P30D or PT4H")
    recurrence: Literal["daily", "weekly", "monthly", "quarterly", "annually"] | None = None
    sla_percent: Decimal | None = Field(default=None, description="availability / uptime commitment")
    citation: Citation


class ClauseFinding(StateModel):
    """Whether the contract states one CUAD clause category (e.g. "Anti-Assignment"), how likely, and where."""

    category: str
    present: bool
    score: Confidence = Field(description="probability that the contract states this category")
    citations: list[Citation] = Field(default_factory=list, description="best passage first")

    @model_validator(mode="after")
    def _present_is_cited(self) -> ClauseFinding:
        if self.present and not self.citations:
            raise ValueError(f"clause {self.category!r} is present but has no citation")
        return self


class ContractTerms(StateModel):
    parties: list[Party] = Field(default_factory=list)
    agreement_date: Cited[date] | None = None
    effective_date: Cited[date] | None = None
    expiration_date: Cited[DateOrPerpetual] | None = None
    # Set only when the contract leaves the day (and maybe the month) blank, so the full date above is None.
    partial_agreement_date: Cited[PartialIsoDate] | None = None
    partial_effective_date: Cited[PartialIsoDate] | None = None
    partial_expiration_date: Cited[PartialIsoDate] | None = None
    initial_term: Cited[Duration] | None = None
    auto_renewal: Cited[bool] | None = None
    renewal_term: Cited[Duration] | None = None
    notice_period_to_terminate_renewal: Cited[Duration] | None = None
    termination_for_convenience: Cited[bool] | None = None
    governing_law: Cited[str] | None = None
    payment_terms_net_days: Cited[int] | None = None
    fees: list[Money] = Field(default_factory=list)
    total_contract_value: Money | None = None
    liability_cap: LiabilityCap | None = None
    obligations: list[Obligation] = Field(default_factory=list)
    clauses: list[ClauseFinding] = Field(default_factory=list, description="one per CUAD category the finder knows")


def _name_parametrised_models() -> None:
    """Pickle finds a class by module and qualified name, and pydantic names a parametrised model "Cited[date]",
    which is no attribute of this module: LangGraph's in-memory server (`contractloop serve`) could not save a
    run holding contract terms, so its threads were lost at shutdown. Each parametrisation used here gets its
    name in the module."""
    for field in ContractTerms.model_fields.values():
        for model in _cited_models(field.annotation):
            globals().setdefault(model.__qualname__, model)


def _cited_models(annotation: Any) -> list[type]:
    found = [annotation] if isinstance(annotation, type) and issubclass(annotation, Cited) and annotation is not Cited \
        else []
    return found + [m for arg in get_args(annotation) for m in _cited_models(arg)]


_name_parametrised_models()
