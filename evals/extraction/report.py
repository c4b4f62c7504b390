"""A self-contained HTML report: per-field figures as a table and an inline SVG bar chart (no scripts, no CDN)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from evals.extraction.runner import Summary

_BAR_HEIGHT = 22
_LABEL_WIDTH = 300
_CHART_WIDTH = 420


def _chart(summary: Summary) -> str:
    rows = []
    for index, row in enumerate(summary.fields):
        y = index * (_BAR_HEIGHT + 8)
        width = round(row.f1 * _CHART_WIDTH)
        rows.append(
            f'<text x="0" y="{y + 15}" font-size="13">{escape(row.field)}</text>'
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{_CHART_WIDTH}" height="{_BAR_HEIGHT}" fill="#eee"/>'
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{width}" height="{_BAR_HEIGHT}" fill="#3b6ea8">'
            f"<title>F1 {row.f1:.3f}</title></rect>"
            f'<text x="{_LABEL_WIDTH + width + 6}" y="{y + 15}" font-size="12">{row.f1:.3f}</text>'
        )
    height = len(summary.fields) * (_BAR_HEIGHT + 8)
    width = _LABEL_WIDTH + _CHART_WIDTH + 60
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
            f'aria-label="F1 per field">{"".join(rows)}</svg>')


def render_html(summary: Summary, title: str = "Contract-terms extraction on CUAD") -> str:
    table = "".join(
        f"<tr><td>{escape(r.field)}</td><td>{r.precision:.3f}</td><td>{r.recall:.3f}</td><td><b>{r.f1:.3f}</b></td>"
        f"<td>{r.tp}</td><td>{r.fp}</td><td>{r.fn}</td></tr>"
        for r in summary.fields
    )
    quoted = (summary.values_with_verbatim_quote / summary.values_emitted * 100) if summary.values_emitted else 100.0
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 10px;text-align:right}}td:first-child,th:first-child{{text-align:left}}</style>
</head><body>
<h1>{escape(title)}</h1>
<p>{summary.contracts} contracts, {summary.characters:,} characters, extracted in {summary.seconds:.1f} s.
Macro F1 <b>{summary.macro_f1:.3f}</b>. {summary.values_with_verbatim_quote} of {summary.values_emitted} emitted values
({quoted:.1f} %) carry a verbatim quote of three words or more at their cited span.</p>
{_chart(summary)}
<table><thead><tr><th>field</th><th>precision</th><th>recall</th><th>F1</th><th>TP</th><th>FP</th><th>FN</th></tr>
</thead><tbody>{table}</tbody></table>
<p>Scoring: a wrong value counts as a false positive and a false negative; parties are matched one to one by
word overlap; see <code>evals/extraction/gold.py</code> and <code>scoring.py</code> for the exact rules.</p>
</body></html>
"""


def write_report(summary: Summary, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "index.html"
    path.write_text(render_html(summary), encoding="utf-8")
    return path


def format_table(summary: Summary) -> str:
    lines = [f"{'field':38} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}"]
    lines += [f"{r.field:38} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f} {r.tp:4} {r.fp:4} {r.fn:4}"
              for r in summary.fields]
    lines.append(f"{'macro F1':38} {'':6} {'':6} {summary.macro_f1:6.3f}")
    lines.append(f"{summary.contracts} contracts, {summary.characters:,} chars in {summary.seconds:.1f} s; "
                 f"verbatim quotes {summary.values_with_verbatim_quote}/{summary.values_emitted}")
    return "\n".join(lines)
