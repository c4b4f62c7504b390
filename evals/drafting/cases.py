"""The drafting eval's cases: typed, loaded from cases.yaml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field

from sandbox.salesforce.deals import DealSpec

CASES_FILE = Path(__file__).with_name("cases.yaml")


class Expectation(BaseModel):
    templates: list[str]
    route: Literal["auto_approve", "deal_desk", "legal"]
    findings: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)


class Case(BaseModel):
    id: str
    deal: DealSpec
    expect: Expectation


@lru_cache(maxsize=2)
def load_cases(path: Path = CASES_FILE) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = data.get("defaults", {})
    addresses = data.get("addresses", {})
    cases = []
    for raw in data["cases"]:
        deal = {**defaults, **raw["deal"]}
        address = deal.pop("address", None)
        if address:
            deal.update(addresses[address])
        cases.append(Case(id=raw["id"], deal=DealSpec.model_validate(deal), expect=raw["expect"]))
    ids = [c.id for c in cases]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate case ids in the drafting eval")
    return cases
