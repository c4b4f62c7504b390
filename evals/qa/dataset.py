"""A Q&A eval's inputs: the contract texts of CUAD-layout directories (one corpus) and question files.

Question lines: `{"qid", "question", "category"?, "gold"?: {"doc", "spans": [[start, end], ...]}, "expected"?: [...]}`;
`spans: []` means the contract has no such clause; `expected` lists the values a right answer states (any one,
compared normalised: `answer_values.py`). A file without gold is answered, not scored.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from extraction.clause_finder.training_data import read_text


class QaDataError(ValueError):
    pass


class GoldAnswer(BaseModel):
    doc: str
    spans: list[tuple[int, int]] = Field(default_factory=list)


class Question(BaseModel):
    qid: str
    question: str = Field(min_length=1)
    category: str | None = None
    gold: GoldAnswer | None = None
    expected: list[str] = Field(default_factory=list, description="accepted answer values; empty: not checked")


def load_texts(dirs: list[Path]) -> dict[str, str]:
    """doc id -> text for every `texts/*.txt` under each directory (a later directory may not repeat an id)."""
    texts: dict[str, str] = {}
    for directory in dirs:
        folder = directory / "texts"
        if not folder.is_dir():
            raise QaDataError(f"{directory}: no texts/ folder (expected the CUAD layout)")
        for path in sorted(folder.glob("*.txt")):
            if path.stem in texts:
                raise QaDataError(f"{path}: contract id {path.stem} appears in two datasets")
            texts[path.stem] = read_text(path)
    if not texts:
        raise QaDataError("no contract texts found")
    return texts


def load_questions(paths: list[Path]) -> list[Question]:
    questions: list[Question] = []
    seen: set[str] = set()
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise QaDataError(f"cannot read {path}: {exc}") from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                question = Question.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValidationError) as exc:
                raise QaDataError(f"{path}:{number}: not a question line ({exc})") from exc
            if question.qid in seen:
                raise QaDataError(f"{path}:{number}: question id {question.qid} repeated")
            seen.add(question.qid)
            questions.append(question)
    if not questions:
        raise QaDataError("no questions found")
    return questions
