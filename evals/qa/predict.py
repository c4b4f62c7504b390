"""Answer every question over one store of the dataset's contracts; one JSON line per question."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.contract_answer import ContractAnswer
from evals.qa.dataset import Question
from qa import ContractQA, ContractStore, IndexedContract


def build_store(texts: dict[str, str], path: str | Path = ":memory:") -> ContractStore:
    store = ContractStore.open(path)
    for doc, text in texts.items():
        store.upsert(IndexedContract(doc=doc, text=text))
    return store


def prediction_line(question: Question, answer: ContractAnswer) -> dict[str, Any]:
    return {"qid": question.qid, "answer": answer.answer if answer.found else None, "found": answer.found,
            "outcome": answer.outcome, "category": answer.category,
            "term": answer.term.value if answer.term else None,
            "doc": answer.contract.doc if answer.contract else None,
            "citations": [{"doc": c.doc, "start": c.start, "end": c.end, "quote": c.quote, "page": c.page}
                          for c in answer.citations]}


def answer_all(qa: ContractQA, questions: list[Question]) -> list[dict[str, Any]]:
    return [prediction_line(q, qa.answer(q.question)) for q in questions]


def write_lines(lines: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
