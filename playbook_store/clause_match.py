"""Does model-drafted clause text say what an approved position says? Wording similarity plus the numbers.

A model may reword an approved clause, but what it writes reaches the contract, so it is held to the library:
its words (numbers masked) must be close to one position of the clause's family, and every number it states
must be one that position writes or one of the position's parameters allows (a 2x cap where 1-2x is approved,
not 5x). `MATCH_THRESHOLD` was chosen on `benchmarks/clause_match_bench.py`: faithful rewordings (parameter
values in range, "two (2)" for "2", "will" for "shall", punctuation) score above it, and edits that change
meaning (a dropped sentence, one inserted from another position) below it; a "not" added or removed, which
moves the similarity by a word, is caught by counting negations.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from pydantic import BaseModel

from playbook_store.clauses import ClauseLibrary, ClausePosition

MATCH_THRESHOLD = 0.9

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100,
}
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+(?:-[a-z]+)?|%")
_SYNONYMS = {"will": "shall", "must": "shall", "agreement": "agreement"}
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class ClauseMatch(BaseModel):
    position_id: str | None
    similarity: float
    unapproved_numbers: list[float]
    negations_differ: bool  # one "not" flips a clause and barely moves the similarity
    matched: bool


# Bounds said with a negation are bounds, not negations: "no less than" is "at least".
_BOUNDS = [(re.compile(r"\b(?:not?\s+less\s+than|at\s+least|a\s+minimum\s+of)\b"), " at-least "),
           (re.compile(r"\b(?:not?\s+more\s+than|at\s+most|a\s+maximum\s+of|up\s+to)\b"), " at-most "),
           (re.compile(r"\bno(?:t)?\s+later\s+than\b"), " by ")]


def _tokens(text: str) -> list[str]:
    """Lower-case words, number words as digits, "two (2)" as one number, bounds as one word."""
    lowered = text.lower()
    for pattern, word in _BOUNDS:
        lowered = pattern.sub(word, lowered)
    raw = _TOKEN.findall(lowered)
    out: list[str] = []
    for token in raw:
        token = str(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else _SYNONYMS.get(token, token)
        token = "percent" if token == "%" else token
        if out and token[0].isdigit() and out[-1] == token:  # "two (2)"
            continue
        out.append(token)
    return out


_NEGATIONS = {"not", "no", "never", "neither", "nor", "without", "except", "nothing", "none"}


def _negations(tokens: list[str]) -> int:
    return sum(t in _NEGATIONS for t in tokens)


def _numbers(tokens: list[str]) -> list[float]:
    return [float(t) for t in tokens if t[0].isdigit()]


def _masked(tokens: list[str]) -> list[str]:
    return ["#" if t[0].isdigit() else t for t in tokens]


def similarity(a: str, b: str) -> float:
    """Word-sequence similarity (0-1) of two texts, numbers masked."""
    return SequenceMatcher(None, _masked(_tokens(a)), _masked(_tokens(b)), autojunk=False).ratio()


def _unit_word(word: str) -> str:
    return word.lower().rstrip("s")


def _allowed(number: float, next_word: str, position: ClausePosition) -> bool:
    """A number the position writes itself, or a value one of its parameters allows in that parameter's unit
    (so a 43-month renewal does not pass as a notice period in days)."""
    fixed = set(_numbers(_tokens(_PLACEHOLDER.sub(" ", position.text))))
    if number in fixed:
        return True
    return any(p.min is not None and p.max is not None and p.min <= number <= p.max
               and (not p.unit or _unit_word(p.unit.split()[0]) == _unit_word(next_word))
               for p in position.parameters.values())


def _number_problems(tokens: list[str], position: ClausePosition) -> list[float]:
    return [float(t) for i, t in enumerate(tokens) if t[0].isdigit()
            and not _allowed(float(t), tokens[i + 1] if i + 1 < len(tokens) else "", position)]


def match_clause(text: str, positions: list[ClausePosition]) -> ClauseMatch:
    """The position of `positions` that `text` holds to best, and whether it holds to it. Positions of one family
    often share their wording and differ in numbers, so one whose numbers and negations agree is preferred."""
    tokens = _tokens(text)
    candidates: list[ClauseMatch] = []
    for position in positions:
        rendered = _tokens(position.render())
        score = SequenceMatcher(None, _masked(tokens), _masked(rendered), autojunk=False).ratio()
        unapproved = _number_problems(tokens, position)
        negations_differ = _negations(tokens) != _negations(rendered)
        candidates.append(ClauseMatch(position_id=position.id, similarity=round(score, 4),
                                      unapproved_numbers=unapproved, negations_differ=negations_differ,
                                      matched=score >= MATCH_THRESHOLD and not unapproved and not negations_differ))
    if not candidates:
        return ClauseMatch(position_id=None, similarity=0.0, unapproved_numbers=[], negations_differ=False,
                           matched=False)
    return max(candidates, key=lambda m: (m.matched, not m.unapproved_numbers and not m.negations_differ,
                                          m.similarity))


def family_positions(library: ClauseLibrary, clause_id: str) -> list[ClausePosition]:
    """The standard position and fallbacks of the family `clause_id` belongs to (empty when unknown)."""
    for family in library.families.values():
        if any(p.id == clause_id for p in family.positions):
            return list(family.positions)
    return []
