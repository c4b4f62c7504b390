"""Out-of-sample check on Kleister-NDA (EDGAR NDAs with gold party, effective date, jurisdiction and term).

`python -m evals.extraction.kleister [--data DIR] [--split dev-0|train] [--limit N]` runs the offline engine on
each document's `text_best` column and prints per-field figures. Nobody tuned the extractor on these texts.

How values compare (each field is one decision per document, parties one per party, as in `scoring.py`):
- party: our names against the gold names with the CUAD party rule (word overlap after dropping legal forms);
  the upstream rule (exact upper-cased string) is printed beside it as `party (exact)`.
- effective_date: our effective date (else agreement date) as ISO, equal to the gold ISO date.
- jurisdiction: the governing law, compared by `jurisdiction_key` ("New_York" == "New York").
- term: our initial term against the gold "{number}_{unit}" as durations (12_months == 1 year), so the
  upstream distinction between equal lengths in different units is not kept.
"""

from __future__ import annotations

import argparse
import csv
import lzma
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from core.contract_terms import ContractTerms
from evals.extraction.scoring import FieldCounts, party_counts
from evals.shared_data import shared_path
from extraction.durations import duration_key
from extraction.jurisdictions import jurisdiction_key
from extraction.offline import OfflineExtractor
from tools.documents import Document

FIELDS = ["party", "party (exact)", "effective_date", "jurisdiction", "term"]
csv.field_size_limit(sys.maxsize)


class KleisterDocument(BaseModel):
    filename: str
    text: str
    gold: dict[str, list[str]]


def _unescape(cell: str) -> str:
    return cell.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")


def load_split(data: Path, split: str) -> list[KleisterDocument]:
    expected = (data / split / "expected.tsv").read_text(encoding="utf-8").splitlines()
    documents: list[KleisterDocument] = []
    with lzma.open(data / split / "in.tsv.xz", "rt", encoding="utf-8") as handle:
        rows = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row, line in zip(rows, expected, strict=True):
            gold: dict[str, list[str]] = {}
            for pair in line.split():
                key, _, value = pair.partition("=")
                gold.setdefault(key, []).append(value.replace("_", " "))
            documents.append(KleisterDocument(filename=row[0], text=_unescape(row[5]), gold=gold))
    return documents


def predicted_values(terms: ContractTerms) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {"party": [p.name for p in terms.parties]}
    dated = terms.effective_date or terms.agreement_date
    if dated is not None:
        values["effective_date"] = [dated.value.isoformat()]
    if terms.governing_law is not None:
        values["jurisdiction"] = [terms.governing_law.value]
    if terms.initial_term is not None:
        values["term"] = [terms.initial_term.value]
    return values


def _gold_term(value: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d+)\s+(year|month|week|day)s?", value.strip(), re.IGNORECASE)
    if not match:
        return None
    return duration_key(f"P{match.group(1)}{match.group(2)[0].upper()}")


def _same(field: str, predicted: str, gold: str) -> bool:
    if field == "effective_date":
        return predicted == gold
    if field == "jurisdiction":
        return jurisdiction_key(predicted) == jurisdiction_key(gold)
    if field == "term":
        return duration_key(predicted) == _gold_term(gold)
    raise ValueError(field)


def score_document(predicted: dict[str, list[str]], gold: dict[str, list[str]]) -> dict[str, FieldCounts]:
    counts = {"party": party_counts(predicted.get("party", []), gold.get("party", []))}
    exact_gold = {g.upper() for g in gold.get("party", [])}
    exact_hits = sum(p.upper() in exact_gold for p in set(predicted.get("party", [])))
    counts["party (exact)"] = FieldCounts(tp=exact_hits, fp=len(set(predicted.get("party", []))) - exact_hits,
                                          fn=len(exact_gold) - exact_hits)
    for field in ["effective_date", "jurisdiction", "term"]:
        value, golds = next(iter(predicted.get(field, [])), None), gold.get(field, [])
        correct = value is not None and any(_same(field, value, g) for g in golds)
        counts[field] = FieldCounts(tp=1) if correct else FieldCounts(fp=int(value is not None), fn=int(bool(golds)))
    return counts


def evaluate(documents: list[KleisterDocument]) -> Iterator[tuple[KleisterDocument, dict[str, list[str]],
                                                                  dict[str, FieldCounts]]]:
    extractor = OfflineExtractor()
    for document in documents:
        predicted = predicted_values(extractor.extract(Document.from_text(document.text, source=document.filename)))
        yield document, predicted, score_document(predicted, document.gold)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.extraction.kleister", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_path("data", "kleister-nda"),
                        help="default: ../shared/data/kleister-nda beside the repository, or under $CONTRACTLOOP_SHARED_DATA")
    parser.add_argument("--split", default="dev-0", choices=["dev-0", "train"])
    parser.add_argument("--limit", type=int, help="score only the first N documents")
    parser.add_argument("--errors", action="store_true", help="print each wrong or missed value")
    args = parser.parse_args(argv)
    if not (args.data / args.split / "expected.tsv").is_file():
        print(f"no Kleister-NDA split at {args.data / args.split}", file=sys.stderr)
        return 2
    documents = load_split(args.data, args.split)[:args.limit]
    totals = {field: FieldCounts() for field in FIELDS}
    started = time.perf_counter()
    for document, predicted, counts in evaluate(documents):
        for field, count in counts.items():
            totals[field].add(count)
            if args.errors and (count.fp or count.fn) and field != "party (exact)":
                key = field.split()[0]
                print(f"{document.filename} {field}: gold={document.gold.get(key)} predicted={predicted.get(key)}")
    seconds = time.perf_counter() - started
    print(f"{'field':16} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'FP':>4} {'FN':>4}")
    for field, c in totals.items():
        print(f"{field:16} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.tp:4} {c.fp:4} {c.fn:4}")
    scored = [totals[f].f1 for f in FIELDS if f != "party (exact)"]
    print(f"{'macro F1':16} {'':13} {sum(scored) / len(scored):6.3f}  (party, effective_date, jurisdiction, term)")
    print(f"{len(documents)} documents ({args.split}) in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
