"""The Q&A figures, from prediction lines and gold.

- contract: the contract answered from (first citation's, else the one read) is the gold one; all questions.
- evidence@3: answerable questions with a gold span overlapped by one of the first three citations (an
  abstention has none, so it counts as a miss).
- answer rate: answerable questions answered; abstention: unanswerable ones answered "not in the contract".
- cited-character precision (LegalBench-RAG): of the characters the first three citations cite on answered,
  answerable questions, the share inside gold spans.
- quotes verified: citations whose quote is the contract's text at their offsets.
- intent: the category the question was read as is the gold one (where the question file gives one).
- expected answer given: of the questions carrying expected values, those answered from the gold contract whose
  term value (the answer's text without a term or with a bare yes / no) states one of them, normalised
  (`answer_values.py`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from evals.qa.answer_values import states_value
from evals.qa.dataset import Question

TARGETS = {"contract": 0.95, "evidence_at_3": 0.85, "abstention": 0.80, "quotes_verified": 1.0}


class CategoryFigures(BaseModel):
    category: str
    questions: int
    evidence_at_3: float | None
    abstention: float | None


class QaFigures(BaseModel):
    questions: int
    answerable: int
    unanswerable: int
    contract: float
    evidence_at_3: float
    answer_rate: float
    abstention: float
    cited_char_precision: float
    quotes_verified: float
    intent: float | None
    expected_answer: float | None = None
    with_expected: int = 0
    categories: list[CategoryFigures]


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> int:
    return sum(max(0, min(end, e) - max(start, s)) for s, e in spans)


def _share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def expected_given(question: Question, line: dict[str, Any]) -> bool:
    """The answer comes from the gold contract and states one of the question's expected values."""
    if not question.expected or question.gold is None or not line.get("found"):
        return False
    citations = line.get("citations") or []
    doc = citations[0]["doc"] if citations else line.get("doc")
    # The term is the answer's headline when there is one: a wrong term over a quote that happens to hold the
    # value is a wrong answer. Without a term, or with a bare yes / no, the quote people read is the answer.
    term = str(line.get("term") or "")
    said = term if term and term.lower() not in ("yes", "no") else f"{term} {line.get('answer') or ''}"
    return doc == question.gold.doc and states_value(said, question.expected)


def score(questions: list[Question], lines: list[dict[str, Any]], texts: dict[str, str]) -> QaFigures:
    by_id = {line["qid"]: line for line in lines}
    gold = [q for q in questions if q.gold is not None]
    contract = evidence = answered = abstained = intents = intent_total = 0
    cited = cited_gold = quotes = quotes_ok = 0
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # evidence hits, answerable, abstained, unans.
    for question in gold:
        assert question.gold is not None
        line = by_id.get(question.qid, {"found": False, "citations": [], "doc": None})
        citations = line.get("citations") or []
        for c in citations:
            quotes += 1
            quotes_ok += texts.get(c["doc"], "")[c["start"]:c["end"]] == c["quote"]
        first = citations[0]["doc"] if citations else line.get("doc")
        contract += first == question.gold.doc
        if question.category is not None:
            intent_total += 1
            intents += line.get("category") == question.category
        spans = [tuple(s) for s in question.gold.spans]
        row = per[question.category or "-"]
        if spans:
            row[1] += 1
            answered += bool(line.get("found"))
            top = [c for c in citations[:3] if c["doc"] == question.gold.doc]
            hit = bool(line.get("found")) and any(_overlaps(c["start"], c["end"], spans) for c in top)  # type: ignore[arg-type]
            evidence += hit
            row[0] += hit
            if line.get("found"):
                for c in citations[:3]:
                    cited += c["end"] - c["start"]
                    if c["doc"] == question.gold.doc:
                        cited_gold += _inside(c["start"], c["end"], spans)  # type: ignore[arg-type]
        else:
            row[3] += 1
            hit = not line.get("found")
            abstained += hit
            row[2] += hit
    with_expected = [q for q in gold if q.expected]
    given = sum(expected_given(q, by_id.get(q.qid, {})) for q in with_expected)
    answerable = sum(1 for q in gold if q.gold and q.gold.spans)
    unanswerable = len(gold) - answerable
    categories = [CategoryFigures(category=name, questions=row[1] + row[3],
                                  evidence_at_3=_share(row[0], row[1]) if row[1] else None,
                                  abstention=_share(row[2], row[3]) if row[3] else None)
                  for name, row in sorted(per.items())]
    return QaFigures(questions=len(gold), answerable=answerable, unanswerable=unanswerable,
                     contract=_share(contract, len(gold)), evidence_at_3=_share(evidence, answerable),
                     answer_rate=_share(answered, answerable), abstention=_share(abstained, unanswerable),
                     cited_char_precision=_share(cited_gold, cited), quotes_verified=_share(quotes_ok, quotes) if
                     quotes else 1.0, intent=_share(intents, intent_total) if intent_total else None,
                     expected_answer=_share(given, len(with_expected)) if with_expected else None,
                     with_expected=len(with_expected), categories=categories)


def format_table(label: str, figures: QaFigures) -> str:
    def mark(name: str, value: float) -> str:
        target = TARGETS.get(name)
        return f"{value:.3f}" + ("" if target is None else f"  (target >= {target:.2f}{'' if value >= target else ', MISSED'})")
    rows = [f"{label}: {figures.questions} questions ({figures.answerable} answerable, "
            f"{figures.unanswerable} not in the contract)",
            f"  right contract first        {mark('contract', figures.contract)}",
            f"  evidence@3                  {mark('evidence_at_3', figures.evidence_at_3)}",
            f"  answer rate (answerable)    {figures.answer_rate:.3f}",
            f"  abstention (unanswerable)   {mark('abstention', figures.abstention)}",
            f"  cited-character precision   {figures.cited_char_precision:.3f}",
            f"  quotes verified             {mark('quotes_verified', figures.quotes_verified)}"]
    if figures.expected_answer is not None:
        rows.append(f"  expected answer given        {figures.expected_answer:.3f}  "
                    f"(of {figures.with_expected} with expected values)")
    if figures.intent is not None:
        rows.append(f"  question read as its category {figures.intent:.3f}")
    rows.append("  per category: evidence@3 / abstention")
    rows += [f"    {c.category:<36} {c.questions:>4}  "
             f"{'-' if c.evidence_at_3 is None else f'{c.evidence_at_3:.3f}':>6} / "
             f"{'-' if c.abstention is None else f'{c.abstention:.3f}'}" for c in figures.categories]
    return "\n".join(rows)
