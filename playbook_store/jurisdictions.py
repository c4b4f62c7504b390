"""Jurisdiction names and how contracts phrase them ("the State of New York", "England and Wales").

The single source is the MSA template's `governingLawPhrase` wording, so clauses and templates never disagree.
"""

from __future__ import annotations

from functools import lru_cache

from playbook_store.templates import load_templates


@lru_cache(maxsize=1)
def jurisdiction_phrases() -> dict[str, str]:
    return dict(load_templates()["msa"].phrases["governingLawPhrase"].values)


def supported_jurisdictions() -> list[str]:
    return list(jurisdiction_phrases())


def jurisdiction_phrase(name: str) -> str:
    try:
        return jurisdiction_phrases()[name]
    except KeyError:
        raise ValueError(
            f"unknown jurisdiction {name!r}; supported: {', '.join(jurisdiction_phrases())}"
        ) from None
