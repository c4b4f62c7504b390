"""Retrieval quality of the playbook index on paraphrased special-terms requests.

    .venv/bin/python -m evals.playbook.retrieval

Prints recall@1, recall@3 and MRR for dense, bm25 and hybrid search, scored two ways: by clause type (any position
of the right family counts) and by clause id (only queries that name one). Uses a throwaway index directory.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from pydantic import BaseModel

from playbook_store.clauses import ClauseType
from playbook_store.index import PlaybookIndex, SearchMode

QUERIES_PATH = Path(__file__).with_name("queries.yaml")
MODES: tuple[SearchMode, ...] = ("dense", "bm25", "hybrid")


class RetrievalQuery(BaseModel):
    query: str
    type: ClauseType
    id: str | None = None


class Scores(BaseModel):
    queries: int
    recall_at_1: float
    recall_at_3: float
    mrr: float


def load_queries(path: Path = QUERIES_PATH) -> list[RetrievalQuery]:
    return [RetrievalQuery.model_validate(q) for q in yaml.safe_load(path.read_text())["queries"]]


def _score(ranks: list[int | None]) -> Scores:
    """ranks are 1-based positions of the first relevant hit, None when it was not retrieved at all."""
    n = len(ranks)
    return Scores(
        queries=n,
        recall_at_1=sum(r == 1 for r in ranks) / n,
        recall_at_3=sum(r is not None and r <= 3 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r is not None) / n,
    )


def evaluate(index: PlaybookIndex, queries: list[RetrievalQuery], mode: SearchMode) -> dict[str, Scores]:
    type_ranks: list[int | None] = []
    id_ranks: list[int | None] = []
    total = len(index.library.all_positions())
    for q in queries:
        hits = index.search(q.query, k=total, mode=mode)
        type_ranks.append(next((i + 1 for i, h in enumerate(hits) if h.clause_type == q.type), None))
        if q.id is not None:
            id_ranks.append(next((i + 1 for i, h in enumerate(hits) if h.clause_id == q.id), None))
    return {"by type": _score(type_ranks), "by id": _score(id_ranks)}


def main() -> None:
    queries = load_queries()
    covered = {q.type for q in queries}
    with tempfile.TemporaryDirectory() as directory:
        index = PlaybookIndex.open(Path(directory))
        missing = set(index.library.families) - covered
        if missing:
            raise SystemExit(f"eval set lacks queries for {sorted(missing)}")
        print(f"{len(queries)} queries over {len(index.library.all_positions())} clauses, {len(covered)} clause types")
        print(f"{'mode':8} {'level':8} {'n':>3} {'R@1':>6} {'R@3':>6} {'MRR':>6}")
        for mode in MODES:
            for level, s in evaluate(index, queries, mode).items():
                print(f"{mode:8} {level:8} {s.queries:>3} {s.recall_at_1:6.3f} {s.recall_at_3:6.3f} {s.mrr:6.3f}")


if __name__ == "__main__":
    main()
