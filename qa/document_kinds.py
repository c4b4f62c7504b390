"""The kind of contract a question names ("the Kestrel DPA", "their MSA"), to pick among one counterparty's
several contracts the one of that kind: a contract whose names or opening line carry one of the kind's titles
(`document_kind_titles` in `intents.yaml`). A question naming no kind, or a kind none of them carries, leaves
the choice as it was."""

from __future__ import annotations

import re
from functools import lru_cache

from qa.question_intent import load_intent_file

TITLE_CHARS = 300  # the opening line, where a contract says what it is

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> str:
    return f" {' '.join(_NOT_WORD.sub(' ', text.lower()).split())} "


@lru_cache(maxsize=1)
def _titles() -> dict[str, tuple[str, ...]]:
    kinds = load_intent_file().document_kind_titles
    return {_words(kind): tuple(_words(t) for t in titles) for kind, titles in kinds.items()}


def named_titles(question: str) -> set[str]:
    """The titles of every kind the question names."""
    said = _words(question)
    return {title for kind, titles in _titles().items() if kind in said for title in titles}


def of_kind(titles: set[str], names: list[str], text: str) -> bool:
    """Whether a contract with these names and text carries one of `titles`."""
    carried = _words(" ".join([*names, text[:TITLE_CHARS]]))
    return any(title in carried for title in titles)
