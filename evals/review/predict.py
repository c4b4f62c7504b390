"""Prediction lines for ContractNLI documents, in the issue's layout:

    {"id": "<document id>", "hypotheses": {"nda-1": {"label": "Entailment", "evidence": [12, 13],
                                                     "mentioned": 0.93, "contradiction": 0.08}, ...}}

`evidence` indexes the document's own `spans` (the dataset's), as the gold annotations do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from review.nda_reader.model import NdaReader
from review.nda_reader.spans import given_spans
from review.nda_reader.training_data import LabelledNda


def predict_line(reader: NdaReader, document: LabelledNda) -> dict[str, Any]:
    verdicts = reader.read(document.text, given_spans(document.text, document.spans))
    return {"id": document.id, "hypotheses": {
        v.hypothesis: {"label": v.label, "evidence": v.evidence, "mentioned": round(v.mentioned, 4),
                       "contradiction": round(v.stance, 4)} for v in verdicts}}


def predict_all(reader: NdaReader, documents: Sequence[LabelledNda]) -> list[dict[str, Any]]:
    return [predict_line(reader, d) for d in documents]


def write_lines(lines: Sequence[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
