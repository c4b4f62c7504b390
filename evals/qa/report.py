"""`summary.json` and a self-contained `index.html` (tables only) for the Q&A eval."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from evals.qa.scoring import TARGETS, QaFigures


def render_html(figures: QaFigures, how: str) -> str:
    def row(label: str, key: str, value: float) -> str:
        target = TARGETS.get(key)
        return (f"<tr><td>{escape(label)}</td><td><b>{value:.3f}</b></td>"
                f"<td>{'' if target is None else f'&ge; {target:.2f}'}</td></tr>")
    main = "".join([row("right contract first", "contract", figures.contract),
                    row("evidence@3", "evidence_at_3", figures.evidence_at_3),
                    row("answer rate (answerable)", "answer_rate", figures.answer_rate),
                    row("abstention (unanswerable)", "abstention", figures.abstention),
                    row("cited-character precision", "cited_char_precision", figures.cited_char_precision),
                    row("quotes verified", "quotes_verified", figures.quotes_verified),
                    *([row(f"expected answer given (of {figures.with_expected})", "expected_answer",
                           figures.expected_answer)] if figures.expected_answer is not None else [])])
    per = "".join(f"<tr><td>{escape(c.category)}</td><td>{c.questions}</td>"
                  f"<td>{'' if c.evidence_at_3 is None else f'{c.evidence_at_3:.3f}'}</td>"
                  f"<td>{'' if c.abstention is None else f'{c.abstention:.3f}'}</td></tr>" for c in figures.categories)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Contract Q&amp;A</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:2px 10px;text-align:left}}</style></head><body>
<h1>Contract Q&amp;A</h1><p>{figures.questions} questions ({figures.answerable} answerable,
{figures.unanswerable} not in the contract); {escape(how)}.</p>
<table><tr><th>figure</th><th>value</th><th>target</th></tr>{main}</table>
<h2>Per category</h2><table><tr><th>category</th><th>questions</th><th>evidence@3</th><th>abstention</th></tr>
{per}</table></body></html>
"""


def write_report(figures: QaFigures, directory: Path, how: str, seconds: float) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.json").write_text(json.dumps({"how": how, "seconds": round(seconds, 2),
                                                        **figures.model_dump()}, indent=2) + "\n", encoding="utf-8")
    path = directory / "index.html"
    path.write_text(render_html(figures, how), encoding="utf-8")
    return path
