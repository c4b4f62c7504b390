"""How well `clause_match` tells faithful rewordings of approved clauses from edits that change their meaning.

From every position of the clause library, seeded variants are generated:
- faithful: parameter values drawn inside their approved range, "shall" as "will", numbers written as words
  with digits ("two (2)"), punctuation and spacing changed, two or three small rewordings ("prior to" as
  "before", "the Agreement" as "this Agreement"), and pairs of these;
- unfaithful: a sentence dropped, a sentence of another family inserted, a negation removed or added, a number
  moved outside every approved range.
Prints, for each threshold, the share of faithful variants accepted and of each unfaithful kind refused.

Run: .venv/bin/python -m benchmarks.clause_match_bench [--seed 0] [--per-position 20]
"""

from __future__ import annotations

import argparse
import random
import re
from collections import defaultdict

from playbook_store.clause_match import MATCH_THRESHOLD, family_positions, match_clause, similarity
from playbook_store.clauses import ClausePosition
from playbook_store.loader import load_clause_library

_WORDS = {1: "one", 2: "two", 3: "three", 5: "five", 7: "seven", 10: "ten", 12: "twelve", 30: "thirty",
          60: "sixty", 90: "ninety"}
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z])")


def _in_range(position: ClausePosition, rng: random.Random) -> str:
    values: dict[str, int | float | str] = {}
    for name, p in position.parameters.items():
        if p.type == "jurisdiction" or p.min is None or p.max is None:
            continue
        values[name] = rng.randint(int(p.min), int(p.max)) if p.type == "integer" else \
            min(float(p.max), round(rng.uniform(float(p.min), float(p.max)), 2))
    return position.render(values)


def _worded_numbers(text: str) -> str:
    return re.sub(r"(?<![\d.])(\d+)(?![\d.])", lambda m: f"{_WORDS[int(m.group(1))]} ({m.group(1)})"
                  if int(m.group(1)) in _WORDS else m.group(1), text)


def _punctuation(text: str, rng: random.Random) -> str:
    text = text.replace(", ", " , " if rng.random() < 0.5 else ",  ")
    return text.replace(";", ".") if rng.random() < 0.5 else text


_REWORDINGS = [("the Agreement", "this Agreement"), ("Provider", "the Provider"), ("shall", "will"),
               ("the Customer", "Customer"), ("written notice", "notice in writing"), ("terminate", "end"),
               ("at least", "no less than"), ("prior to", "before"), ("either party", "each party")]


def _light_rewording(text: str, rng: random.Random) -> str:
    """Two or three small edits a careful drafter might make without changing what the clause says."""
    for old, new in rng.sample(_REWORDINGS, 3):
        text = re.sub(rf"(?<![A-Za-z]){re.escape(old.strip())}(?![A-Za-z])", new.strip(), text, count=1) \
            if old.strip() else text
    return re.sub(r"\s{2,}", " ", text)


FAITHFUL = {
    "light rewording": lambda t, p, r: _light_rewording(t, r),
    "parameters in range": lambda t, p, r: _in_range(p, r),
    "will for shall": lambda t, p, r: t.replace("shall", "will"),
    "numbers in words": lambda t, p, r: _worded_numbers(t),
    "punctuation": lambda t, p, r: _punctuation(t, r),
    "pair": lambda t, p, r: _light_rewording(_worded_numbers(_in_range(p, r)), r),
}


def _drop_sentence(text: str, rng: random.Random) -> str | None:
    sentences = _SENTENCE.split(text)
    if len(sentences) < 2:
        return None
    sentences.pop(rng.randrange(len(sentences)))
    return " ".join(sentences)


def _insert_foreign(text: str, position: ClausePosition, others: list[str], rng: random.Random) -> str:
    foreign = _SENTENCE.split(rng.choice(others))
    return f"{text} {rng.choice(foreign)}"


def _flip_negation(text: str, rng: random.Random) -> str:
    if " not " in text and rng.random() < 0.5:
        return text.replace(" not ", " ", 1)
    return text.replace(" shall ", " shall not ", 1) if " shall " in text else f"{text} This does not apply."


def _out_of_range(position: ClausePosition, rng: random.Random) -> str | None:
    """One parameter moved above everything its family approves for it (the fallbacks included)."""
    names = [n for n, p in position.parameters.items() if p.type != "jurisdiction" and p.max is not None and p.max > 0]
    if not names:
        return None
    name = rng.choice(names)
    highest = max(float(p.parameters[name].max or 0) for p in family_positions(load_clause_library(), position.id)
                  if name in p.parameters)
    return position.render({name: int(highest * 2 + 7)})


def run(seed: int = 0, per_position: int = 20) -> dict[str, dict[float, float]]:
    library = load_clause_library()
    rng = random.Random(seed)
    scored: dict[str, list[tuple[float, bool]]] = defaultdict(list)  # kind -> (similarity, other checks pass)
    for clause_type, position in library.all_positions():
        positions = family_positions(library, position.id)
        others = [p.render() for t, p in library.all_positions() if t != clause_type]
        base = position.render()
        for _ in range(per_position):
            variants: list[tuple[str, str | None]] = [(k, f(base, position, rng)) for k, f in FAITHFUL.items()]
            variants += [("unfaithful: sentence dropped", _drop_sentence(base, rng)),
                         ("unfaithful: foreign sentence", _insert_foreign(base, position, others, rng)),
                         ("unfaithful: negation flipped", _flip_negation(base, rng)),
                         ("unfaithful: number out of range", _out_of_range(position, rng))]
            for kind, text in variants:
                if text is None:
                    continue
                found = match_clause(text, positions)
                scored[kind].append((found.similarity, not found.unapproved_numbers and not found.negations_differ))
    thresholds = [0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
    table: dict[str, dict[float, float]] = {}
    for kind, rows in scored.items():
        accepted = {t: sum(s >= t and ok for s, ok in rows) / len(rows) for t in thresholds}
        table[kind] = accepted if not kind.startswith("unfaithful") else {t: 1 - a for t, a in accepted.items()}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-position", type=int, default=20)
    args = parser.parse_args()
    table = run(args.seed, args.per_position)
    thresholds = sorted(next(iter(table.values())))
    print(f"clause match (shipped threshold {MATCH_THRESHOLD}); faithful rows: share accepted, unfaithful rows: "
          "share refused")
    print(f"{'variant':36s}" + "".join(f"{t:>7.2f}" for t in thresholds))
    for kind, row in table.items():
        print(f"{kind:36s}" + "".join(f"{row[t]:7.3f}" for t in thresholds))
    assert similarity("x", "x") == 1.0


if __name__ == "__main__":
    main()
