"""Labelled contracts for training the finder: texts and CUAD's gold clause segments, per category.

Reads the CUAD layout (`labels.jsonl` + `texts/`, see ../shared/data/cuad/README.md): for each contract and
each of the 41 categories, whether CUAD gives a span (`present`) and the code-point segments of its spans.
Only training code reads this; the packaged finder never touches ../shared at run time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path


class TrainingDataError(ValueError):
    pass


@dataclass(frozen=True)
class LabelledText:
    id: str
    text: str
    present: dict[str, bool]                                   # category -> CUAD gives a span
    segments: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # category -> gold (start, end)


def read_text(path: Path) -> str:
    # CUAD offsets are code points into the UTF-8 text with "\n" line ends: never translate newlines.
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def load_categories(path: str | Path) -> list[str]:
    """The 41 category names of `categories.json`, in file order."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return [row["category"] for row in rows]


def load_labelled(dirs: Iterable[str | Path]) -> list[LabelledText]:
    """Every contract of each CUAD-layout directory, in labels.jsonl order, directories in the order given."""
    examples: list[LabelledText] = []
    for directory in map(Path, dirs):
        labels = directory / "labels.jsonl"
        if not labels.is_file():
            raise TrainingDataError(f"{directory} has no labels.jsonl")
        for number, line in enumerate(labels.read_text(encoding="utf-8").split("\n"), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text_path = directory / row.get("text_file", f"texts/{row['id']}.txt")
                present: dict[str, bool] = {}
                segments: dict[str, list[tuple[int, int]]] = {}
                for category, label in row["labels"].items():
                    spans = label.get("spans") or []
                    present[category] = bool(label.get("present", bool(spans)))
                    segments[category] = [(int(s["start"]), int(s["end"])) for span in spans
                                          for s in span.get("segments", [])]
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as exc:
                raise TrainingDataError(f"{labels} line {number}: {exc}") from exc
            if not text_path.is_file():
                raise TrainingDataError(f"{labels} line {number}: missing text {text_path}")
            examples.append(LabelledText(id=row["id"], text=read_text(text_path), present=present,
                                         segments=segments))
    return examples
