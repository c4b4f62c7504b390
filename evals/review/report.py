"""`summary.json` and a self-contained `index.html` (tables only, no scripts) for the review eval."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from evals.review.scoring import ReviewFigures

# Published figures on ContractNLI's test set (Koreeda & Manning 2021; GPT-4 as reported since), for context.
PUBLISHED = (("Span NLI BERT-large (trained on 423 NDAs)", 0.875, 0.357),
             ("Span NLI DeBERTa-xlarge (trained on 423 NDAs)", 0.885, 0.360),
             ("GPT-4 (reported)", 0.87, 0.70))


def render_html(figures: ReviewFigures, hypotheses: dict[str, str], how: str) -> str:
    classes = "".join(f"<tr><td>{escape(c.label)}</td><td>{c.precision:.3f}</td><td>{c.recall:.3f}</td>"
                      f"<td><b>{c.f1:.3f}</b></td><td>{c.gold}</td><td>{c.predicted}</td></tr>"
                      for c in figures.classes)
    per = "".join(f"<tr><td>{escape(h)}</td><td>{escape(hypotheses.get(h, ''))}</td><td>{a:.3f}</td></tr>"
                  for h, a in figures.per_hypothesis.items())
    published = "".join(f"<tr><td>{escape(name)}</td><td>{acc:.3f}</td><td>{c:.3f}</td></tr>"
                        for name, acc, c in PUBLISHED)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>NDA review on ContractNLI</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:2px 10px;text-align:left}}</style></head><body>
<h1>NDA review on ContractNLI</h1>
<p>{figures.documents} documents, {figures.pairs} pairs; {escape(how)}.</p>
<h2>Labels</h2><p>Accuracy <b>{figures.accuracy:.3f}</b></p>
<table><tr><th>class</th><th>P</th><th>R</th><th>F1</th><th>gold</th><th>predicted</th></tr>{classes}</table>
<h2>Evidence</h2><p>Spans, micro over (document, hypothesis, span): P {figures.evidence_precision:.3f},
R {figures.evidence_recall:.3f}, F1 <b>{figures.evidence_f1:.3f}</b></p>
<h2>Accuracy per hypothesis</h2><table><tr><th>id</th><th>hypothesis</th><th>accuracy</th></tr>{per}</table>
<h2>Published, on the test set</h2><table><tr><th>system</th><th>accuracy</th><th>Contradiction F1</th></tr>
{published}</table></body></html>
"""


def write_report(figures: ReviewFigures, hypotheses: dict[str, str], directory: Path, how: str,
                 seconds: float) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "summary.json").write_text(json.dumps({"how": how, "seconds": round(seconds, 2),
                                                        **figures.model_dump()}, indent=2) + "\n",
                                            encoding="utf-8")
    path = directory / "index.html"
    path.write_text(render_html(figures, hypotheses, how), encoding="utf-8")
    return path
