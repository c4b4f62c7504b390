"""`contractloop renewals plan`: every executed contract on file planned for renewal as of a date.

Prints each plan as a diff against Salesforce (old -> new); without `--dry-run` it writes the plans that change
something and that the playbook does not hold for approval, once: a second run with nothing new writes nothing.
"""

from __future__ import annotations

import argparse
import re
import uuid
from datetime import date, timedelta

from rich.console import Console


def _horizon(value: str) -> timedelta:
    match = re.fullmatch(r"(\d{1,4})d", value.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{value!r}: give days, e.g. 180d")
    return timedelta(days=int(match.group(1)))


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r}: give a date as YYYY-MM-DD") from exc


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("renewals", help="plan renewals of the executed contracts on file in Salesforce")
    actions = parser.add_subparsers(dest="renewals_command", required=True)
    plan = actions.add_parser("plan", help="renewal Opportunities, deadline Tasks and Events, as a diff")
    plan.add_argument("--as-of", type=_day, default=None, help="plan as of this date (default: today)")
    plan.add_argument("--horizon", type=_horizon, default=timedelta(days=180),
                      help="create renewals that fall due within this many days (default 180d); renewals "
                           "already on file are kept up to date whatever their date")
    plan.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    plan.add_argument("--approve-held", action="store_true",
                      help="also write the plans the playbook holds for approval (you have read them in a dry run)")
    plan.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    from agents.renewal_planner.portfolio import read_portfolio
    from agents.renewal_planner.scan import plan_all, write_plans
    from core.settings import get_settings
    from playbook_store.loader import load_renewal_rules
    from tools.salesforce import SalesforceClient

    console = Console()
    as_of = args.as_of or date.today()
    salesforce = SalesforceClient.from_settings(get_settings())
    correlation_id = f"renewals-{uuid.uuid4().hex[:16]}"
    calls_before = salesforce.calls
    plans = plan_all(salesforce, read_portfolio(salesforce), as_of, args.horizon, load_renewal_rules(), correlation_id)
    read_calls = salesforce.calls - calls_before
    changing = [p for p in plans if p.changes]
    for p in changing:
        note = f"  [yellow]held for approval: {'; '.join(p.approval_reasons)}[/yellow]" if p.approval_reasons else ""
        who = p.contract.account_name or p.contract.opportunity_name or p.contract.insight_id
        console.print(f"[bold]{who}[/bold] ({p.contract.insight_id}): {p.outcome}{note}")
        if p.likelihood:
            console.print(f"  likelihood {p.likelihood.probability:.0%} ({p.likelihood.forecast_category}): "
                          f"{'; '.join(p.likelihood.reasons)}")
        for change in p.changes:
            console.print(f"  {change.sobject} {change.record}  {change.field}: {change.old!r} -> {change.new!r}")
    held = [p for p in changing if p.approval_reasons]
    console.print(f"{len(plans)} contracts as of {as_of.isoformat()}; {len(changing)} with changes, "
                  f"{len(held)} held for approval; {read_calls} Salesforce call(s) to read")
    if args.dry_run or (len(held) == len(changing) and not args.approve_held):
        console.print("dry run: nothing written" if args.dry_run else
                      "nothing to write" + (" (--approve-held writes the held plans)" if held else ""))
        return 0
    written, failures, calls = write_plans(salesforce, plans, approved_held=args.approve_held)
    for failure in failures:
        console.print(f"[red]{failure.sobject} for {failure.contract} ({failure.ref}) failed: {failure.errors}[/red]")
    console.print(f"wrote {written} renewal plan(s) in {calls} Salesforce call(s); correlation id {correlation_id}")
    return 1 if failures else 0
