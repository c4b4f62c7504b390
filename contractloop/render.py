"""Readable terminal output for bundles, plans and results (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tools.salesforce.models import OpportunityBundle

console = Console(highlight=False, soft_wrap=True)


def money(value: object) -> str:
    return "—" if value is None else f"{float(value):,.2f}"  # type: ignore[arg-type]


def print_bundle(bundle: OpportunityBundle) -> None:
    head = Table(title=f"Opportunity {bundle.name}", show_header=False, title_justify="left")
    head.add_column("field", style="bold")
    head.add_column("value")
    for label, value in [
        ("Id", bundle.id),
        ("Stage", bundle.stage),
        ("Amount", money(bundle.amount)),
        ("Close date", bundle.close_date),
        ("Type / deal type", f"{bundle.type or '—'} / {bundle.deal_type or '—'}"),
        ("Region", bundle.region),
        ("Term (months)", bundle.contract_term_months),
        ("Payment terms (days)", bundle.payment_terms_days),
        ("Governing law", bundle.governing_law),
        ("Special terms", bundle.special_terms),
        ("Owner", f"{bundle.owner_name or '—'} <{bundle.owner_email or '—'}>"),
        ("Account", f"{bundle.account.name} ({bundle.account.industry or '—'}), {bundle.account.billing_address}"),
    ]:
        head.add_row(label, "—" if value in (None, "") else str(value))
    console.print(head)

    contacts = Table(title="Contact roles", title_justify="left")
    for col in ("Name", "Email", "Title", "Role", "Primary"):
        contacts.add_column(col)
    for c in bundle.contacts:
        contacts.add_row(c.name, c.email or "—", c.title or "—", c.role or "—", "yes" if c.is_primary else "")
    console.print(contacts)

    items = Table(title="Line items", title_justify="left")
    for col in ("Product", "Family", "Qty", "Unit price", "Discount %", "Total"):
        items.add_column(col, justify="right" if col not in ("Product", "Family") else "left")
    for li in bundle.line_items:
        items.add_row(li.product_name, li.product_family or "—", str(li.quantity), money(li.unit_price),
                      "—" if li.discount_percent is None else str(li.discount_percent), money(li.total_price))
    console.print(items)

    if bundle.quote:
        q = bundle.quote
        console.print(
            f"[bold]Primary CPQ quote[/bold] {q.id}: status {q.status or '—'}, net {money(q.net_amount)}, "
            f"{q.subscription_term_months or '—'} months from {q.start_date or '—'}, "
            f"payment {q.payment_terms or '—'}, billed {q.billing_frequency or '—'}, {len(q.lines)} lines"
        )
    else:
        console.print("[bold]Primary CPQ quote[/bold]: none")
