"""Training examples for the confidence calibrator: one per emitted value of a prediction file, with its features
and whether the eval's own scoring calls it right.

Right means: for a field, `score_field` counts it a true positive; for a party, its name matches a gold party
by the eval's party rule (each name judged on its own, so two predicted names for one gold party are both right).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from evals.extraction.dataset import Contract, DatasetError
from evals.extraction.gold import gold_parties
from evals.extraction.scoring import party_counts, score_field
from extraction.confidence_features import PARTIES, value_features
from extraction.confidence_features import emitted_values as record_values


class ValueExample(BaseModel):
    contract_id: str
    field: str
    index: int
    value: Any
    features: dict[str, float]
    right: bool


def read_prediction_lines(path: Path) -> list[dict[str, Any]]:
    """The prediction file's lines (`id`, `fields`, optional `clauses`); a malformed line is a clear error."""
    if not path.is_file():
        raise DatasetError(f"no predictions file {path}")
    lines: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row.get("id"), str) or not isinstance(row.get("fields"), dict):
                raise ValueError("needs an 'id' string and a 'fields' object")
        except (json.JSONDecodeError, ValueError, AttributeError) as exc:
            raise DatasetError(f"{path} line {number}: {exc}") from exc
        lines.append(row)
    return lines


def is_right(field: str, index: int, answer: str | None, entry: dict[str, Any]) -> bool:
    if field == PARTIES:
        name = str(entry["value"][index])
        return party_counts([name], gold_parties(answer.strip()) if answer and answer.strip() else []).tp == 1
    return score_field(field, answer, entry).tp == 1


def value_examples(lines: list[dict[str, Any]], contracts: list[Contract]) -> list[ValueExample]:
    """Examples for every calibrated value of every predicted contract; each line must name a dataset contract."""
    by_id = {c.id: c for c in contracts}
    examples: list[ValueExample] = []
    for line in lines:
        contract = by_id.get(line["id"])
        if contract is None:
            raise DatasetError(f"prediction for {line['id']!r} names no contract of the datasets given")
        text = contract.read_text()
        fields, clauses = line["fields"], line.get("clauses")
        for item in record_values(fields):
            examples.append(ValueExample(
                contract_id=contract.id, field=item.field, index=item.index, value=item.value,
                features=value_features(item, fields, text, clauses),
                right=is_right(item.field, item.index, contract.answers.get(item.field), fields[item.field])))
    return examples
