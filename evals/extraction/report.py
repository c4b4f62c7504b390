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


def render_html(summary: Summary, title: str = "Contract-terms extraction on CUAD",
                cross_validated: Summary | None = None, folds: int | None = None, extra_sections: str = "") -> str:
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
{_cross_validated_fields(summary, cross_validated, folds)}
{_clause_section(summary, cross_validated, folds)}
{extra_sections}
</body></html>
"""


def _cross_validated_fields(summary: Summary, cross_validated: Summary | None, folds: int | None) -> str:
    """Focus fields: the packaged engine's figures beside the pooled out-of-fold ones."""
    if cross_validated is None:
        return ""
    by_field = {r.field: r for r in cross_validated.fields}
    rows = "".join(
        f"<tr><td>{escape(r.field)}</td><td>{r.f1:.3f}</td><td>{cv.precision:.3f}</td><td>{cv.recall:.3f}</td>"
        f"<td><b>{cv.f1:.3f}</b></td><td>{cv.tp}</td><td>{cv.fp}</td><td>{cv.fn}</td></tr>"
        for r in summary.fields if (cv := by_field.get(r.field)) is not None)
    return f"""<h2>Cross-validated ({folds}-fold, grouped by contract, pooled over folds)</h2>
<p>Each fold's contracts are read by an engine whose clause finder was trained on the other folds only.
Macro F1 <b>{cross_validated.macro_f1:.3f}</b> (packaged engine: {summary.macro_f1:.3f}).</p>
<table><thead><tr><th>field</th><th>packaged F1</th><th>CV precision</th><th>CV recall</th><th>CV F1</th><th>TP</th>
<th>FP</th><th>FN</th></tr></thead><tbody>{rows}</tbody></table>"""


def _clause_section(summary: Summary, cross_validated: Summary | None, folds: int | None) -> str:
    """All CUAD categories as clause detection: presence P/R/F1 over contracts and evidence overlap."""
    plain = summary.clauses
    cv = cross_validated.clauses if cross_validated else None
    if plain is None:
        return ""
    cv_rows = {r.category: r for r in cv.categories} if cv else {}
    head = "<th>packaged P</th><th>R</th><th>F1</th><th>evidence</th>"
    if cv:
        head += f"<th>CV ({folds}-fold) P</th><th>R</th><th>F1</th><th>evidence</th>"
    rows = []
    for r in plain.categories:
        cells = (f"<td>{escape(r.category)}{'' if r.in_macro else ' *'}</td><td>{r.gold_positives}</td>"
                 f"<td>{r.precision:.3f}</td><td>{r.recall:.3f}</td><td><b>{r.f1:.3f}</b></td>"
                 f"<td>{r.evidence_overlap:.3f}</td>")
        if (c := cv_rows.get(r.category)) is not None:
            cells += (f"<td>{c.precision:.3f}</td><td>{c.recall:.3f}</td><td><b>{c.f1:.3f}</b></td>"
                      f"<td>{c.evidence_overlap:.3f}</td>")
        rows.append(f"<tr>{cells}</tr>")
    cv_line = (f" Cross-validated: macro F1 <b>{cv.macro_f1:.3f}</b>, evidence overlap "
               f"<b>{cv.evidence_overlap:.3f}</b>." if cv else "")
    return f"""<h2>Clause detection: {len(plain.categories)} CUAD categories</h2>
<p>Presence per contract (gold: CUAD gives a span). Packaged finder: macro F1 <b>{plain.macro_f1:.3f}</b> over
categories with at least 3 gold positives (* marks the rarer ones), evidence overlap <b>{plain.evidence_overlap:.3f}</b>
(true positives whose quote overlaps a gold segment); {plain.quotes_verbatim} of {plain.quotes_emitted} quotes
verbatim at their offsets.{cv_line}</p>
<table><thead><tr><th>category</th><th>gold</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>"""


def write_report(summary: Summary, directory: Path, cross_validated: Summary | None = None,
                 folds: int | None = None, extra_sections: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "index.html"
    path.write_text(render_html(summary, cross_validated=cross_validated, folds=folds,
                                extra_sections=extra_sections), encoding="utf-8")
    return path


def format_table(summary: Summary) -> str:
    lines = [f"{'field':38} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}"]
    lines += [f"{r.field:38} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f} {r.tp:4} {r.fp:4} {r.fn:4}"
              for r in summary.fields]
    lines.append(f"{'macro F1':38} {'':6} {'':6} {summary.macro_f1:6.3f}")
    lines.append(f"{summary.contracts} contracts, {summary.characters:,} chars in {summary.seconds:.1f} s; "
                 f"verbatim quotes {summary.values_with_verbatim_quote}/{summary.values_emitted}")
    lines += _clause_lines(summary)
    return "\n".join(lines)


def _clause_lines(summary: Summary) -> list[str]:
    figures = summary.clauses
    if figures is None:
        return []
    averaged = sum(r.in_macro for r in figures.categories)
    return [f"clauses ({len(figures.categories)} CUAD categories): presence macro F1 {figures.macro_f1:.3f} "
            f"over {averaged} categories with >= 3 gold, evidence overlap {figures.evidence_overlap:.3f}, "
            f"verbatim quotes {figures.quotes_verbatim}/{figures.quotes_emitted}"]


def format_clause_table(summary: Summary) -> str:
    """Per-category presence figures (printed by --cv, and available to anyone who wants all 41 rows)."""
    figures = summary.clauses
    if figures is None:
        return ""
    lines = [f"{'clause category':38} {'gold':>4} {'P':>6} {'R':>6} {'F1':>6} {'evid':>6}"]
    lines += [f"{r.category:38} {r.gold_positives:4} {r.precision:6.3f} {r.recall:6.3f} {r.f1:6.3f} "
              f"{r.evidence_overlap:6.3f}" for r in figures.categories]
    return "\n".join(lines)
