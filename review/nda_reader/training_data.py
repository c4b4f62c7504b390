"""ContractNLI documents as labelled examples: text, span offsets and, per hypothesis, the label and evidence.

Reads the released JSON layout (`documents[]` with `text`, `spans` and `annotation_sets[0].annotations`, and
`labels` with each hypothesis's text; see ../shared/data/contract-nli/README.md). A document without annotations
(an unlabelled file, or the hidden test set read for prediction only) loads with empty `labels`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

LABELS = ("NotMentioned", "Entailment", "Contradiction")


class NliDataError(ValueError):
    pass


@dataclass(frozen=True)
class Evidence:
    label: str               # one of LABELS
    spans: tuple[int, ...]   # indices into the document's spans


@dataclass(frozen=True)
class LabelledNda:
    id: str
    text: str
    spans: list[tuple[int, int]]
    labels: dict[str, Evidence] = field(default_factory=dict)  # hypothesis id -> gold


@dataclass(frozen=True)
class NliDataset:
    hypotheses: dict[str, str]    # id ("nda-1") -> hypothesis text, in numeric order
    documents: list[LabelledNda]


def hypothesis_order(key: str) -> tuple[int, str]:
    tail = key.rsplit("-", 1)[-1]
    return (int(tail), key) if tail.isdigit() else (10**6, key)


def load_contract_nli(path: str | Path) -> NliDataset:
    """The documents of a ContractNLI JSON file, in file order; a malformed file raises `NliDataError`."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NliDataError(f"no ContractNLI file at {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NliDataError(f"{path}: not a ContractNLI JSON file ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("documents"), list):
        raise NliDataError(f"{path}: expected an object with a 'documents' list (the ContractNLI layout)")
    hypotheses = {key: str(value.get("hypothesis", "")) for key, value in sorted(
        (raw.get("labels") or {}).items(), key=lambda item: hypothesis_order(item[0]))}
    documents: list[LabelledNda] = []
    for number, doc in enumerate(raw["documents"], start=1):
        try:
            text = str(doc["text"])
            spans = [(int(start), int(end)) for start, end in doc["spans"]]
            if any(not 0 <= start <= end <= len(text) for start, end in spans):
                raise ValueError("a span lies outside the text")
            labels: dict[str, Evidence] = {}
            for annotation_set in (doc.get("annotation_sets") or [])[:1]:
                for key, annotation in annotation_set["annotations"].items():
                    choice = str(annotation["choice"])
                    if choice not in LABELS:
                        raise ValueError(f"{key}: unknown label {choice!r}")
                    evidence = tuple(int(i) for i in annotation.get("spans") or [])
                    if any(not 0 <= i < len(spans) for i in evidence):
                        raise ValueError(f"{key}: evidence index outside the spans")
                    labels[key] = Evidence(choice, evidence)
        except (KeyError, TypeError, ValueError) as exc:
            raise NliDataError(f"{path}: document {number}: {exc}") from exc
        documents.append(LabelledNda(id=str(doc.get("id", number)), text=text, spans=spans, labels=labels))
    if not hypotheses:
        hypotheses = {key: "" for key in sorted({k for d in documents for k in d.labels}, key=hypothesis_order)}
    return NliDataset(hypotheses=hypotheses, documents=documents)
