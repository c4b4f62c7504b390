"""The clause library: for each clause type a standard position and ranked fallbacks, with the parameters each allows.

Data lives in `playbook_store/clauses/*.yaml` (one file per clause type); `loader.load_clause_library()` validates it.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from playbook_store.jurisdictions import jurisdiction_phrase

ClauseType = Literal[
    "limitation_of_liability",
    "payment_terms",
    "auto_renewal",
    "termination",
    "indemnity",
    "governing_law",
    "sla",
    "data_protection",
    "confidentiality",
]
CLAUSE_TYPES: tuple[ClauseType, ...] = ClauseType.__args__  # type: ignore[attr-defined]
ApprovalLevel = Literal["none", "deal_desk", "legal"]
ParameterValue = float | int | str

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


class ClauseParameter(BaseModel):
    """One value a clause position may take, and the range the playbook allows."""

    type: Literal["number", "integer", "jurisdiction"]
    min: float | None = None
    max: float | None = None
    default: ParameterValue
    choices: list[str] | None = None
    unit: str = ""

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _range_or_choices(self) -> ClauseParameter:
        if self.type == "jurisdiction":
            if not self.choices or self.default not in self.choices:
                raise ValueError("a jurisdiction parameter needs choices that include its default")
            for choice in self.choices:
                jurisdiction_phrase(choice)  # unknown jurisdictions fail at load time
        else:
            if self.min is None or self.max is None or self.min > self.max:
                raise ValueError("a numeric parameter needs min <= max")
            if not isinstance(self.default, int | float) or not self.min <= self.default <= self.max:
                raise ValueError(f"default {self.default!r} outside [{self.min}, {self.max}]")
        return self

    def allows(self, value: ParameterValue) -> bool:
        if self.type == "jurisdiction":
            return value in (self.choices or [])
        if isinstance(value, str):
            return False
        assert self.min is not None and self.max is not None
        return self.min <= value <= self.max

    def nearest_allowed(self, value: ParameterValue) -> ParameterValue:
        """The allowed value closest to a request (the default when the request is not comparable)."""
        if self.allows(value):
            return value
        if self.type == "jurisdiction" or isinstance(value, str):
            return self.default
        assert self.min is not None and self.max is not None
        clamped = min(max(value, self.min), self.max)
        return int(clamped) if self.type == "integer" else clamped

    def render(self, value: ParameterValue) -> str:
        if self.type == "jurisdiction":
            return jurisdiction_phrase(str(value))
        number = float(value)
        return str(int(number)) if number.is_integer() else f"{number:g}"


class ClausePosition(BaseModel):
    """A standard clause or one of its fallbacks."""

    id: str = Field(pattern=r"^[A-Z]+-(STD|FB\d)$")
    version: int = Field(ge=1)
    title: str
    approval: ApprovalLevel = Field(description="Who must approve using this position.")
    use_when: str
    parameters: dict[str, ClauseParameter] = Field(default_factory=dict)
    text: str

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _placeholders_are_parameters(self) -> ClausePosition:
        used = set(_PLACEHOLDER.findall(self.text))
        if used != set(self.parameters) - self._unrendered():
            raise ValueError(
                f"{self.id}: text placeholders {sorted(used)} do not match parameters {sorted(self.parameters)}"
            )
        return self

    def _unrendered(self) -> set[str]:
        # A parameter with a single allowed value of zero (e.g. "no renewal") selects the position without
        # appearing in its text.
        return {n for n, p in self.parameters.items() if p.type != "jurisdiction" and p.min == p.max == 0}

    @property
    def is_standard(self) -> bool:
        return self.id.endswith("-STD")

    def render(self, values: dict[str, ParameterValue] | None = None) -> str:
        chosen = {name: param.default for name, param in self.parameters.items()} | (values or {})
        return _PLACEHOLDER.sub(lambda m: self.parameters[m.group(1)].render(chosen[m.group(1)]), self.text)


class ClauseFamily(BaseModel):
    """All approved positions for one clause type, standard first then fallbacks in order of preference."""

    clause_type: ClauseType
    title: str
    positions: list[ClausePosition] = Field(min_length=1)

    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _standard_first_then_ranked(self) -> ClauseFamily:
        if not self.positions[0].is_standard:
            raise ValueError(f"{self.clause_type}: the first position must be the standard (-STD)")
        prefix = self.positions[0].id.split("-")[0]
        for rank, position in enumerate(self.positions[1:], start=1):
            if position.id != f"{prefix}-FB{rank}":
                raise ValueError(
                    f"{self.clause_type}: expected fallback {prefix}-FB{rank}, found {position.id}"
                )
        return self

    @property
    def standard(self) -> ClausePosition:
        return self.positions[0]

    @property
    def fallbacks(self) -> list[ClausePosition]:
        return self.positions[1:]


class ClauseLibrary(BaseModel):
    families: dict[ClauseType, ClauseFamily]
    content_hash: str = Field(description="SHA-256 of the source files; changes whenever the library does.")

    def position(self, clause_id: str) -> ClausePosition:
        for family in self.families.values():
            for position in family.positions:
                if position.id == clause_id:
                    return position
        raise KeyError(clause_id)

    def all_positions(self) -> list[tuple[ClauseType, ClausePosition]]:
        return [(t, p) for t, family in self.families.items() for p in family.positions]
