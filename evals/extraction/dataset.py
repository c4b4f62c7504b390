"""A CUAD-layout dataset directory: `labels.jsonl` (one contract per line) and the texts it points to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class DatasetError(Exception):
    pass


class Contract(BaseModel):
    id: str
    text_path: Path
    answers: dict[str, str | None]

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
    for number, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row: dict[str, Any] = json.loads(line)
            text_path = directory / row.get("text_file", f"texts/{row['id']}.txt")
            answers = {name: label.get("answer") for name, label in row.get("labels", {}).items()}
            contracts.append(Contract(id=row["id"], text_path=text_path, answers=answers))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
            raise DatasetError(f"labels.jsonl line {number}: {exc}") from exc
        if not text_path.is_file():
            raise DatasetError(f"labels.jsonl line {number}: missing text {text_path}")
    return contracts
