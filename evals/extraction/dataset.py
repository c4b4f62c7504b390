"""A CUAD-layout dataset directory: `labels.jsonl` (one contract per line) and the texts it points to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class DatasetError(Exception):
    pass


class ClauseGold(BaseModel):
    """One CUAD category in one contract: whether CUAD gives a span, and its segments (code-point offsets)."""

    present: bool
    segments: list[tuple[int, int]] = []


class Contract(BaseModel):
    id: str
    text_path: Path
    answers: dict[str, str | None]
    clauses: dict[str, ClauseGold] = {}

    def read_text(self) -> str:
        # CUAD offsets are code points into the UTF-8 text with "\n" line ends: never translate newlines.
        with open(self.text_path, encoding="utf-8", newline="") as handle:
            return handle.read()


def load_dataset(directory: str | Path) -> list[Contract]:
    directory = Path(directory)
    labels = directory / "labels.jsonl"
    if not labels.is_file():
        raise DatasetError(f"{directory} has no labels.jsonl")
    contracts: list[Contract] = []
    for number, line in enumerate(labels.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row: dict[str, Any] = json.loads(line)
            text_path = directory / row.get("text_file", f"texts/{row['id']}.txt")
            answers = {name: label.get("answer") for name, label in row.get("labels", {}).items()}
            clauses = {name: _clause_gold(label) for name, label in row.get("labels", {}).items()}
            contracts.append(Contract(id=row["id"], text_path=text_path, answers=answers, clauses=clauses))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as exc:
            raise DatasetError(f"labels.jsonl line {number}: {exc}") from exc
        if not text_path.is_file():
            raise DatasetError(f"labels.jsonl line {number}: missing text {text_path}")
    return contracts


def _clause_gold(label: dict[str, Any]) -> ClauseGold:
    spans = label.get("spans") or []
    segments = [(int(s["start"]), int(s["end"])) for span in spans for s in span.get("segments", [])]
    return ClauseGold(present=bool(label.get("present", bool(spans))), segments=segments)
