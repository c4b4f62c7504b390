"""Whether a generated answer says only what its quotes say: the check a model's answer must pass.

Numbers (digits or words), months and negations are the facts a paraphrase can get wrong while sounding right,
so each one the answer states must be in a quote; and most of its content words must come from the quotes or
the question, so an answer cannot wander off into text the contract does not have.
"""

from __future__ import annotations

import re

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_NEGATIONS = {"not", "no", "never", "none", "neither", "nor", "without", "cannot", "doesn't", "isn't", "won't"}
_STOP = {
    "the", "and", "for", "that", "this", "with", "from", "shall", "will", "which", "their", "there", "these",
    "those", "have", "has", "been", "being", "into", "than", "then", "them", "they", "such", "each", "other", "any",
    "all", "may", "must", "under", "upon", "within", "after", "before", "contract", "agreement", "says", "states",
    "provides", "party", "parties", "also", "only", "does", "your", "yours", "our", "ours", "you", "are", "was",
    "were", "its", "per", "about", "what", "when", "where", "how", "who", "can", "would", "could", "should",
}
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
MIN_CONTENT_SUPPORT = 0.6  # share of the answer's content words found in the quotes or the question
_STEM = 5  # words compared on their first letters, so "terminates" matches "termination"


def _word_number(word: str) -> int | None:
    """"thirty" -> 30, "forty-five" -> 45; None for a word that is not a number."""
    parts = word.split("-")
    if not all(p in _NUMBER_WORDS for p in parts):
        return None
    return sum(_NUMBER_WORDS[p] for p in parts)


def _numbers(text: str) -> set[float]:
    lowered = text.lower()
    found = {float(m.group().replace(",", "")) for m in _DIGITS.finditer(lowered)}
    found |= {float(n) for n in map(_word_number, _TOKEN.findall(lowered)) if n is not None}
    return found


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in _TOKEN.findall(text.lower())}


def support_problems(answer: str, quotes: list[str], question: str) -> list[str]:
    """Why `answer` is not supported by `quotes` (empty when it is)."""
    evidence = " ".join(quotes)
    problems = []
    missing = sorted(_numbers(answer) - _numbers(evidence))
    if missing:
        shown = (f"{n:,.0f}" if n.is_integer() else f"{n:g}" for n in missing)
        problems.append("the answer states numbers no quote has: " + ", ".join(shown))
    words = _TOKEN.findall(answer.lower())
    months = sorted({w for w in words if w in _MONTHS} - set(_TOKEN.findall(evidence.lower())))
    if months:
        problems.append("the answer names months no quote has: " + ", ".join(months))
    if _NEGATIONS & set(words) and not _NEGATIONS & set(_TOKEN.findall(evidence.lower())):
        problems.append("the answer denies something, but no quote says so")
    content = [w for w in words if len(w) >= 4 and w not in _STOP and not w[0].isdigit()]
    if len(content) >= 3:
        known = _stems(evidence) | _stems(question)
        supported = sum(w[:_STEM] in known for w in content) / len(content)
        if supported < MIN_CONTENT_SUPPORT:
            problems.append(f"only {supported:.0%} of the answer's words are in its quotes or the question "
                            f"(at least {MIN_CONTENT_SUPPORT:.0%} needed): say only what the quotes say")
    return problems
