"""The confidence section of the HTML report: threshold, precision at it, share to review, reliability (inline SVG
diagram and table, no scripts) and the per-field lines. Self-contained: styles inline, so any page can embed it."""

from __future__ import annotations

from html import escape

from evals.extraction.calibration import CalibrationFigures

_SIZE = 240
_CELL = "border:1px solid #ccc;padding:3px 8px;text-align:right"


def _diagram(figures: CalibrationFigures) -> str:
    """Observed share right against mean predicted probability per bin; the diagonal is perfect calibration."""
    dots = []
    for b in figures.reliability:
        if not b.values:
            continue
        x, y = b.mean_predicted * _SIZE, _SIZE - b.observed * _SIZE
        radius = 2 + min(b.values, 400) ** 0.5 / 2
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="#3b6ea8" fill-opacity="0.7">'
                    f"<title>{b.low:.1f}-{b.high:.1f}: {b.values} values, predicted {b.mean_predicted:.3f}, "
                    f"observed {b.observed:.3f}</title></circle>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_SIZE + 20}" height="{_SIZE + 20}" role="img" '
            f'aria-label="reliability diagram"><g transform="translate(10,10)">'
            f'<rect width="{_SIZE}" height="{_SIZE}" fill="none" stroke="#ccc"/>'
            f'<line x1="0" y1="{_SIZE}" x2="{_SIZE}" y2="0" stroke="#999" stroke-dasharray="4 3"/>'
            f'{"".join(dots)}</g></svg>')


def calibration_section(figures: CalibrationFigures) -> str:
    precision = (f"{figures.precision_at_threshold:.3f}" if figures.precision_at_threshold is not None else "–")
    contract_precision = ("–" if figures.contract_level_precision is None
                          else f"{figures.contract_level_precision:.3f}")
    bins = "".join(
        f'<tr><td style="{_CELL}">{b.low:.1f}–{b.high:.1f}</td><td style="{_CELL}">{b.values}</td>'
        f'<td style="{_CELL}">{b.mean_predicted:.3f}</td><td style="{_CELL}">{b.observed:.3f}</td></tr>'
        for b in figures.reliability)
    rows = "".join(
        f'<tr><td style="{_CELL};text-align:left">{escape(r.field)}</td><td style="{_CELL}">{r.values}</td>'
        f'<td style="{_CELL}">{r.right}</td><td style="{_CELL}">{r.mean_confidence:.3f}</td>'
        f'<td style="{_CELL}">{"–" if r.threshold is None else f"{r.threshold:.3f}"}</td>'
        f'<td style="{_CELL}">{r.written}</td>'
        f'<td style="{_CELL}">{"–" if r.precision_written is None else f"{r.precision_written:.3f}"}</td>'
        f'<td style="{_CELL}">{r.share_to_review:.3f}</td></tr>'
        for r in [*figures.fields, *figures.by_dataset.values()])
    head = "".join(f'<th style="{_CELL}">{h}</th>' for h in
                   ("field", "values", "right", "mean confidence", "threshold", "written", "precision written",
                    "to review"))
    return f"""<section id="confidence">
<h2>Calibrated confidence and the auto-write threshold</h2>
<p>{figures.folds}-fold cross-validation grouped by contract over {figures.contracts} contracts, calibrated to and
judged on {figures.judged_contracts} of them; every figure is on held-out contracts, with each fold's threshold
chosen on the other folds. Auto-write threshold <b>{figures.threshold:.3f}</b>, and each field's own at or
above it (column "threshold"; target precision {figures.target:.2f}). Values written without review are right <b>{precision}</b> of the time
({figures.written_right} of {figures.written}); <b>{figures.share_to_review * 100:.1f} %</b> of the
{figures.sync_values} synced values go to review. ECE <b>{figures.ece:.3f}</b>, Brier {figures.brier:.3f}.
One value under the threshold sends the whole plan to review: {figures.contracts_written} of
{figures.contracts_with_values} contracts would be written without review, their synced values right
{contract_precision}.</p>
{_diagram(figures)}
<table style="border-collapse:collapse"><thead><tr><th style="{_CELL}">confidence</th><th style="{_CELL}">values</th>
<th style="{_CELL}">mean predicted</th><th style="{_CELL}">observed right</th></tr></thead><tbody>{bins}</tbody></table>
<table style="border-collapse:collapse;margin-top:1em"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>
<p>Parties get a confidence but are not written to Salesforce, so none counts as written. Dataset lines count the
values the sync writes.</p>
</section>
"""
