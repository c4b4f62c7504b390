"""Readable terminal output for bundles, plans and results (rich), with one formatting rule for every value.

The rule: integral numbers without a decimal part and with thousands separators (150, 4,860), other numbers with
at most two decimals; money as "USD 862,000" (cents only when there are any: "USD 4,860.50"); dates as ISO
(2026-12-16); durations in words ("1 year", "36 months"); booleans as yes / no; missing values as "—".
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from tools.salesforce.models import OpportunityBundle

console = Console(highlight=False, soft_wrap=True)

ORG_CURRENCY = "USD"  # the sandbox org is single-currency, as orgs without multi-currency are
MISSING = "—"
_DURATION_UNITS = ("years", "months", "weeks", "days")
_NUMERIC_TEXT = re.compile(r"-?\d+(\.\d+)?")


def number(value: object) -> str:
    if value is None:
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    if amount.is_integer():
        return f"{int(amount):,}"
    return f"{amount:,.2f}".rstrip("0").rstrip(".")


def money(value: object, currency: str | None = ORG_CURRENCY) -> str:
    if value is None:
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    digits = f"{int(amount):,}" if amount.is_integer() else f"{amount:,.2f}"
    return f"{currency or ORG_CURRENCY} {digits}"


def duration(value: dict[str, Any]) -> str:
    words = [f"{number(value[unit])} {unit if value[unit] != 1 else unit[:-1]}"
             for unit in _DURATION_UNITS if value.get(unit)]
    return ", ".join(words) if words else "0 days"


def shown(value: Any, field_type: str | None = None) -> str:
    """Any value as the demo shows it. `field_type` is a Salesforce describe type (currency, double, boolean,
    date, ...) for values that arrive as text, such as the lines of a write plan."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, str) and field_type is not None:
        value = _typed(value, field_type)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field_type == "currency" and isinstance(value, (int, float, Decimal)):
        return money(value)
    if isinstance(value, (int, float, Decimal)):
        return number(value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M %Z}".strip()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict) and {"currency", "amount"} <= value.keys():
        return money(value["amount"], value["currency"])
    if isinstance(value, dict) and value and value.keys() <= set(_DURATION_UNITS):
        return duration(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value) or MISSING
    return str(value)


def _typed(text: str, field_type: str) -> Any:
    if field_type == "boolean" and text in ("True", "False", "true", "false"):
        return text.lower() == "true"
    if field_type in ("currency", "double", "int", "percent") and _NUMERIC_TEXT.fullmatch(text):
        return float(text)
    return text


def short(text: str, limit: int) -> str:
    """`text` on one line, cut at a word boundary with an ellipsis when longer than `limit`."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[:cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


# How a Salesforce value is spelled in a contract, most specific first (regexes, case-insensitive).
_BOOLEAN_PHRASES = {
    ("Auto_Renewal__c", True): (r"automatically\s+renew\w*", r"renew\w*\s+automatically", r"auto-?renew\w*"),
    ("Auto_Renewal__c", False): (r"(shall|will)\s+not\s+(automatically\s+)?renew", r"no\s+auto\w*\s+renewal"),
    ("Termination_For_Convenience__c", True): (r"for\s+convenience",),
}
QUOTE_WIDTH = 64


def value_spellings(field: str, value: Any) -> list[str]:
    """Regexes for the ways `value` of `field` can be written in a contract's text, most specific first."""
    if isinstance(value, bool) or (field, value) in _BOOLEAN_PHRASES:
        return list(_BOOLEAN_PHRASES.get((field, bool(value)), ()))
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        day = date.fromisoformat(value)
        return [rf"{day:%B}\s+{day.day},?\s+{day.year}", rf"{day.day}(st|nd|rd|th)?\s+(of\s+)?{day:%B},?\s+{day.year}",
                rf"{day:%b}\.?\s+{day.day},?\s+{day.year}", re.escape(value),
                rf"0?{day.month}/0?{day.day}/{day.year}", rf"0?{day.day}\.0?{day.month}\.{day.year}"]
    if isinstance(value, (int, float, Decimal)) and float(value).is_integer():
        n = int(value)
        forms = []
        for unit in ("month", "day", "year", "hour"):
            if unit.capitalize() in field:
                forms += [rf"(?<![\d,.]){n}\)?\s+{unit}s?\b"]
                if unit == "month" and n % 12 == 0:
                    forms += [rf"(?<![\d,.]){n // 12}\)?\s+years?\b"]
        return forms + [rf"(?<![\d,.]){n:,}(?!\d)", rf"(?<![\d,.]){n}(?!\d)"]
    if isinstance(value, (int, float, Decimal)):
        return [rf"(?<![\d,.]){re.escape(f'{float(value):,}')}", rf"(?<![\d,.]){re.escape(str(value))}"]
    text = str(value)
    multiple = re.match(r"(\d+(?:\.\d+)?)\s*x\b", text)
    forms = [rf"(?<![\d.]){re.escape(multiple.group(1))}\)?\s*(x|times)\b"] if multiple else []
    return forms + [re.escape(text)]


def find_value(text: str, field: str, value: Any) -> tuple[int, int] | None:
    for pattern in value_spellings(field, value):
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return match.span()
    return None


def window(text: str, span: tuple[int, int], width: int = QUOTE_WIDTH) -> str:
    """About `width` characters of `text` centred on `span`, cut at word boundaries, with ellipses where cut."""
    if len(text) <= width:
        return text
    start, end = span
    room = max(width - (end - start), 0)
    left = max(0, start - room // 2)
    right = min(len(text), end + room - (start - left))
    left = max(0, min(left, right - width))
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


def quote_around(quote: str, field: str, value: Any, record: dict[str, Any]) -> tuple[str, str | None]:
    """The part of a citation's quote that shows `value`, and a note when the value is computed from it.

    An expiration date is usually computed (effective date + initial term), so the quote is centred on the term.
    A value that cannot be found is shown with the whole quote (cut only when very long) and a note."""
    text = " ".join(quote.split())
    span = find_value(text, field, value)
    note = None
    if span is None and field == "Expiration_Date__c" and record.get("Initial_Term_Months__c"):
        months = record["Initial_Term_Months__c"]
        span = find_value(text, "Initial_Term_Months__c", months)
        note = f"computed: effective date {shown(record.get('Effective_Date__c'))} + {number(months)} months"
    if span is None:
        return short(text, QUOTE_WIDTH * 3), "the value is not spelled out in this quote"
    return window(text, span), note


def print_bundle(bundle: OpportunityBundle) -> None:
    head = Table(title=f"Opportunity {bundle.name}", show_header=False, title_justify="left")
    head.add_column("field", style="bold")
    head.add_column("value")
    for label, value in [
        ("Id", bundle.id),
        ("Stage", bundle.stage),
        ("Amount", money(bundle.amount)),
        ("Close date", shown(bundle.close_date)),
        ("Type / deal type", f"{bundle.type or MISSING} / {bundle.deal_type or MISSING}"),
        ("Region", bundle.region),
        ("Term", f"{bundle.contract_term_months} months" if bundle.contract_term_months else None),
        ("Payment terms", f"net {bundle.payment_terms_days} days" if bundle.payment_terms_days else None),
        ("Governing law", bundle.governing_law),
        ("Special terms", bundle.special_terms),
        ("Owner", f"{bundle.owner_name or MISSING} <{bundle.owner_email or MISSING}>"),
        ("Account", f"{bundle.account.name} ({bundle.account.industry or MISSING}), {bundle.account.billing_address}"),
    ]:
        head.add_row(label, shown(value))
    console.print(head)

    contacts = Table(title="Contact roles", title_justify="left")
    for col in ("Name", "Email", "Title", "Role", "Primary"):
        contacts.add_column(col)
    for c in bundle.contacts:
        contacts.add_row(c.name, c.email or MISSING, c.title or MISSING, c.role or MISSING,
                         "yes" if c.is_primary else "")
    console.print(contacts)

    items = Table(title="Line items", title_justify="left")
    for col in ("Product", "Family", "Qty", f"Unit price ({ORG_CURRENCY})", "Discount", f"Total ({ORG_CURRENCY})"):
        items.add_column(col, justify="right" if col not in ("Product", "Family") else "left")
    for li in bundle.line_items:
        items.add_row(li.product_name, li.product_family or MISSING, number(li.quantity), number(li.unit_price),
                      MISSING if li.discount_percent is None else f"{number(li.discount_percent)} %",
                      number(li.total_price))
    console.print(items)

    if bundle.quote:
        q = bundle.quote
        term = f"{q.subscription_term_months} months" if q.subscription_term_months else MISSING
        console.print(
            f"[bold]Primary CPQ quote[/bold] {q.id}: status {q.status or MISSING}, net {money(q.net_amount)}, "
            f"{term} from {shown(q.start_date)}, payment terms {q.payment_terms or MISSING}, "
            f"billed {q.billing_frequency or MISSING}, {len(q.lines)} lines"
        )
    else:
        console.print("[bold]Primary CPQ quote[/bold]: none")
