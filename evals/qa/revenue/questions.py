"""The revenue questions file (`questions.yaml`) -> the Q&A eval's questions, gold spans found in the texts.

Gold is written as quotes, never offsets: each quote is looked up in the rendered contract (whitespace aside,
since the PDF's line breaks fall where they fall) and every place it occurs becomes a gold span. A quote that
is not in its contract is an error: the template or the deal changed, and the question must be re-checked.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from evals.qa.dataset import GoldAnswer, QaDataError, Question

QUESTIONS_PATH = Path(__file__).with_name("questions.yaml")
Kind = Literal["payment_terms", "notice", "renewal", "term", "liability_cap", "governing_law"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


class RevenueQuestion(BaseModel):
    qid: str = Field(pattern=r"^rev-\d{2}$")
    asker: Literal["rep", "finance", "csm"]
    kind: Kind
    category: str = Field(description="the intent the question asks about, as the engine names it")
    question: str = Field(min_length=5)
    doc: str
    expected: list[str] = Field(default_factory=list, description="accepted values; any one will do")
    quotes: list[str] = Field(default_factory=list, description="supporting text, verbatim in the contract")
    note: str | None = None

    @model_validator(mode="after")
    def _answer_and_support_together(self) -> RevenueQuestion:
        if bool(self.expected) != bool(self.quotes):
            raise ValueError(f"{self.qid}: give both expected values and quotes, or neither (not in the contract)")
        return self

    @property
    def answerable(self) -> bool:
        return bool(self.quotes)


class RevenueQuestions(BaseModel):
    questions: list[RevenueQuestion] = Field(min_length=1)


def load_revenue_questions(path: Path = QUESTIONS_PATH) -> list[RevenueQuestion]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        questions = RevenueQuestions.model_validate(raw).questions
    except OSError as exc:
        raise QaDataError(f"cannot read {path}: {exc}") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise QaDataError(f"{path}: not a revenue questions file ({exc})") from exc
    seen: set[str] = set()
    for question in questions:
        if question.qid in seen:
            raise QaDataError(f"{path}: question id {question.qid} repeated")
        seen.add(question.qid)
    return questions


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every (start, end) of `quote` in `text`, any run of whitespace matching any other."""
    words = quote.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def to_eval_question(question: RevenueQuestion, texts: dict[str, str]) -> Question:
    if question.doc not in texts:
        raise QaDataError(f"{question.qid}: no contract {question.doc} in the portfolio")
    spans: list[tuple[int, int]] = []
    for quote in question.quotes:
        found = quote_spans(texts[question.doc], quote)
        if not found:
            raise QaDataError(f"{question.qid}: quote not found in {question.doc}: {quote!r}")
        spans += found
    return Question(qid=question.qid, question=question.question, category=question.category,
                    gold=GoldAnswer(doc=question.doc, spans=sorted(set(spans))), expected=question.expected)
