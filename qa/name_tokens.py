"""The words a counterparty is matched by: lower-cased letters and digits, and pairs of neighbouring words
("apollo endosurgery"), so a name matched as a phrase outweighs the same words scattered."""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-z0-9]+")


def name_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def text_words(text: str) -> set[str]:
    return set(name_words(text))


def pairs(words: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def head_keys(text: str) -> set[str]:
    words = name_words(text)
    return set(words) | set(pairs(words))
