"""Focus-field F1 on the two hash halves of a dataset, from a predictions file (`eval extraction --cv 5`'s
out-of-fold lines, so every contract is read by a finder trained without it).

The halves are fixed by the contract id: sha256(id) even is the half whose errors rules were written from
("studied"), odd the one kept apart ("held-out"). On train150 the held-out half is the honest estimate for
contracts nobody has seen; the README's cross-validated table prints its column from here.

    python -m evals.extraction.halves --predictions oof.jsonl --dataset ../shared/data/cuad/train150
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from evals.extraction.dataset import Contract, load_dataset
from evals.extraction.runner import Prediction, score

HALVES = ("studied", "held-out")


def half_of(contract_id: str) -> str:
    return HALVES[int(hashlib.sha256(contract_id.encode()).hexdigest(), 16) % 2]


def half_scores(contracts: list[Contract], predictions: list[Prediction]) -> dict[str, dict[str, float]]:
    """Per half: each focus field's F1 and the macro, over the contracts of that half."""
    out: dict[str, dict[str, float]] = {}
    for half in HALVES:
        members = [c for c in contracts if half_of(c.id) == half]
        totals = score(members, predictions)
        row = {field: round(counts.f1, 3) for field, counts in totals.items()}
        row["macro"] = round(sum(counts.f1 for counts in totals.values()) / len(totals), 3)
        row["contracts"] = len(members)
        out[half] = row
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.extraction.halves", description=__doc__.split("\n")[0])
    parser.add_argument("--predictions", required=True, type=Path)
    parser.add_argument("--dataset", required=True, type=Path)
    args = parser.parse_args(argv)
    contracts = load_dataset(args.dataset)
    with open(args.predictions, encoding="utf-8") as handle:
        predictions = [Prediction.model_validate_json(line) for line in handle if line.strip()]
    scores = half_scores(contracts, predictions)
    fields = [f for f in scores["studied"] if f not in ("macro", "contracts")]
    print(f"{'field':<40}" + "".join(f"{h:>12}" for h in HALVES))
    for field in [*fields, "macro", "contracts"]:
        print(f"{field:<40}" + "".join(f"{scores[h][field]:>12}" for h in HALVES))
    print(json.dumps(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
