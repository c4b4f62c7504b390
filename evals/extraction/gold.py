"""CUAD's human-normalised answers -> comparable gold values. The rules here are the eval's definition.

- Empty (`null`/blank) answers mean "no gold value", even when a span exists: predicting a value there is a
  false positive. An answer without a span still counts as gold.
- Dates: `m/d/yy` or `m/d/yyyy`; two-digit years 50-99 are 19yy, 00-49 are 20yy. A redacted part (`[]`) is a
  wildcard that matches anything; a fully redacted date `[]/[]/[]` is not a gold value. `perpetual` (any case).
  An answer written day first ("31/01/2025": first part above 12) is read as such.
  A prediction may be an ISO reduced-precision date ("2004", "2017-02") when the contract itself leaves the
  day (or day and month) blank: it matches only a gold answer that redacts the same parts or more
  (`[]/[]/2004`, `02/[]/2017`), never a gold answer that states them.
- Renewal Term / Notice Period: alternatives split on `;`. Each is reduced to its last "number unit" pair
  ("successive 1 year" -> P1Y, "2 successive 10 years" -> P10Y, "0.5 year" -> P6M); words like "successive"
  (and its misspellings) are ignored; `perpetual` stays. A redacted number (`[]`) matches any duration.
  Durations compare in (months, days): P1Y == P12M, P2W == P14D, but P3M != P90D.
- Governing Law: alternatives split on `;`; "Delaware, Illinois" (only US states) splits on `,` too. Each is
  keyed by `jurisdiction_key` ("Province of Ontario, Canada" == "Ontario, Canada", "Federal Republic of
  Germany" == "Germany"). A fully redacted answer is not a gold value.
- Cap On Liability: `Yes` is a gold value `true`; `No` is no gold value (a predicted `true` is then a false
  positive). Only a predicted `true` counts as a prediction.
- Parties: split on top-level `;`; each item's name is the text before its first parenthesis or quote. Items
  that only restate the collective ("A and B (each a "Party")"), have no name ("[]", "_____") or name only a
  role are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extraction.dates import parse_gold_date
from extraction.jurisdictions import US_STATES, jurisdiction_key

Wildcard = None


@dataclass(frozen=True)
class GoldDate:
    month: int | None
    day: int | None
    year: int | None


@dataclass(frozen=True)
class GoldDuration:
    months: int | None  # None when the number is redacted
    days: int | None
    unit: str


def gold_date(answer: str) -> GoldDate | str | None:
    answer = answer.strip()
    if answer.lower() == "perpetual":
        return "perpetual"
    parsed = parse_gold_date(answer)
    if parsed is None or all(part is None for part in parsed):
        return None
    return GoldDate(*parsed)


_PAIR = re.compile(r"(\[\]|\d+(?:\.\d+)?)\s*(years?|months?|weeks?|days?)\b", re.IGNORECASE)


def gold_durations(answer: str) -> list[GoldDuration | str]:
    values: list[GoldDuration | str] = []
    for part in answer.split(";"):
        part = part.strip()
        if not part:
            continue
        if "perpetual" in part.lower():
            values.append("perpetual")
            continue
        pairs = _PAIR.findall(part)
        if pairs:
            number, unit = pairs[-1]
            unit = unit.lower().rstrip("s")
        elif "[]" in part:
            number, unit = "[]", "any"
        else:
            continue
        if number == "[]":
            values.append(GoldDuration(None, None, unit))
            continue
        amount = float(number)
        months = {"year": amount * 12, "month": amount}.get(unit)
        days = {"week": amount * 7, "day": amount}.get(unit)
        values.append(GoldDuration(round(months) if months is not None else 0,
                                   round(days) if days is not None else 0, unit))
    return values


def gold_jurisdictions(answer: str) -> list[str]:
    parts = [p.strip() for p in answer.split(";") if p.strip()]
    keys: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if len(pieces) > 1 and all(p in US_STATES for p in pieces):
            keys.extend(k for p in pieces if (k := jurisdiction_key(p)))
        elif re.search(r"[A-Za-z]", part) and (key := jurisdiction_key(part)):
            keys.append(key)
    return keys


_COLLECTIVE = re.compile(r"\b(?:party|parties|collectively|individually|each)\b", re.IGNORECASE)
# Words that only restate the collective ("each a", "individually as a", "hereinafter referred to collectively
# the"): an item made of nothing else names no party.
_COLLECTIVE_ONLY = {"each", "a", "an", "the", "as", "to", "individually", "collectively", "jointly", "severally",
                    "together", "hereinafter", "herein", "referred", "sometimes", "party", "parties", "and", "or"}


def gold_parties(answer: str) -> list[str]:
    answer = answer.strip()
    if answer.startswith("(") and answer.endswith(")"):
        answer = answer[1:-1]
    items: list[str] = []
    depth = 0
    current = ""
    for char in answer:
        depth += char == "("
        depth -= char == ")" and depth > 0
        if char == ";" and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    names: list[str] = []
    for item in items:
        item = item.strip().lstrip("(").strip()
        name = re.split(r"\s*[(\"“”]", item, maxsplit=1)[0].strip(" ,;.")
        alias = item[len(name):]
        if not re.search(r"[A-Za-z]{2}", name) or re.fullmatch(r"[\[\]_X\s]*", name):
            continue
        if " and " in f" {name} " and _COLLECTIVE.search(alias):
            continue
        if set(re.findall(r"[a-z]+", name.lower())) <= _COLLECTIVE_ONLY:
            continue
        names.append(name)
    return names
