"""Retrieval over the clause library: a persistent chromadb collection (dense) plus an in-memory BM25 (keyword),
fused by reciprocal rank for the default hybrid search.

The collection lives under the settings' data dir and records the clause library's content hash and the
embedding function's name; when either changes the collection is rebuilt, so the index never serves stale clauses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import bm25s
import chromadb
import Stemmer
from chromadb import Documents, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings
from pydantic import BaseModel

from core.settings import get_settings
from playbook_store.clauses import ClauseLibrary, ClausePosition, ClauseType
from playbook_store.embeddings import embedding_function
from playbook_store.loader import load_clause_library

SearchMode = Literal["dense", "bm25", "hybrid"]
# Chosen by evals/playbook (python -m evals.playbook.retrieval): hybrid has the best MRR on paraphrased requests.
DEFAULT_MODE: SearchMode = "hybrid"
COLLECTION = "playbook_clauses"
_RRF_K = 60  # the usual reciprocal-rank-fusion constant; damps the influence of any single ranking


class ClauseHit(BaseModel):
    clause_id: str
    clause_type: ClauseType
    version: int
    title: str
    score: float
    text: str


def _failure(exc: Exception) -> str:
    return f"embeddings unavailable ({type(exc).__name__}: {str(exc)[:200]}); keyword ranking used"


def clause_document(family_title: str, position: ClausePosition) -> str:
    """What gets embedded for one clause: its family, title, when to use it, and its text at default values."""
    return f"{family_title}. {position.title}. {position.use_when} {position.render()}"


class PlaybookIndex:
    """Open (building or rebuilding as needed) with `PlaybookIndex.open()`; then `search()`."""

    def __init__(
        self,
        collection: chromadb.Collection | None,
        library: ClauseLibrary,
        rebuilt: bool,
        degraded: str | None = None,
    ) -> None:
        self._collection = collection
        # Why dense retrieval is off (an embeddings endpoint that failed), or None; keyword ranking stands in.
        self.degraded = degraded
        self.library = library
        self.rebuilt = rebuilt
        self._ids = [p.id for _, p in library.all_positions()]
        self._stemmer = Stemmer.Stemmer("english")
        corpus = [clause_document(library.families[t].title, p) for t, p in library.all_positions()]
        self._bm25 = bm25s.BM25()
        self._bm25.index(
            bm25s.tokenize(corpus, stopwords="en", stemmer=self._stemmer, show_progress=False),
            show_progress=False,
        )

    @classmethod
    def open(
        cls,
        directory: Path | None = None,
        ef: EmbeddingFunction[Documents] | None = None,
        library: ClauseLibrary | None = None,
    ) -> PlaybookIndex:
        directory = directory or get_settings().contractloop_data_dir / "playbook_index"
        directory.mkdir(parents=True, exist_ok=True)
        library = library or load_clause_library()
        ef = ef or embedding_function()
        client = chromadb.PersistentClient(
            path=str(directory), settings=ChromaSettings(anonymized_telemetry=False)
        )
        wanted = {"library_hash": library.content_hash, "embedder": ef.name(), "hnsw:space": "cosine"}
        existing = next((c for c in client.list_collections() if c.name == COLLECTION), None)
        if existing is not None:
            collection = client.get_collection(COLLECTION, embedding_function=ef)  # type: ignore[arg-type]
            meta = collection.metadata or {}
            current = meta.get("library_hash") == wanted["library_hash"] and meta.get("embedder") == ef.name()
            if current and collection.count() == len(library.all_positions()):
                return cls(collection, library, rebuilt=False)
            client.delete_collection(COLLECTION)
        collection = client.create_collection(COLLECTION, embedding_function=ef, metadata=wanted)  # type: ignore[arg-type]
        positions = library.all_positions()
        try:
            collection.add(
                ids=[p.id for _, p in positions],
                documents=[clause_document(library.families[t].title, p) for t, p in positions],
                metadatas=[{"clause_type": t, "version": p.version, "title": p.title} for t, p in positions],
            )
        except Exception as exc:  # an embeddings endpoint down or without the route: search by keywords
            client.delete_collection(COLLECTION)  # not left half-built for the next open
            return cls(None, library, rebuilt=True, degraded=_failure(exc))
        return cls(collection, library, rebuilt=True)

    def dense_ranking(self, query: str) -> list[tuple[str, float]]:
        """Clauses by embedding similarity; by keywords when the embeddings endpoint fails (`degraded` says so)."""
        if self._collection is None:
            return self.bm25_ranking(query)
        try:
            result = self._collection.query(query_texts=[query], n_results=len(self._ids))
        except Exception as exc:  # the endpoint went away after the index was built
            self.degraded = _failure(exc)
            return self.bm25_ranking(query)
        distances = (result["distances"] or [[]])[0]
        return [(cid, 1.0 - d) for cid, d in zip(result["ids"][0], distances, strict=True)]

    def bm25_ranking(self, query: str) -> list[tuple[str, float]]:
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False)
        docs, scores = self._bm25.retrieve(tokens, k=len(self._ids), show_progress=False)
        # Clauses sharing no word with the query score 0: they are not ranked at all.
        return [(self._ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def search(self, query: str, k: int = 3, mode: SearchMode = DEFAULT_MODE) -> list[ClauseHit]:
        if not query.strip():
            raise ValueError("empty query")
        if mode == "dense":
            ranking = self.dense_ranking(query)
        elif mode == "bm25":
            ranking = self.bm25_ranking(query)
        else:
            fused: dict[str, float] = {}
            for ranked in (self.dense_ranking(query), self.bm25_ranking(query)):
                for rank, (cid, _) in enumerate(ranked):
                    fused[cid] = fused.get(cid, 0.0) + 1.0 / (_RRF_K + rank + 1)
            ranking = sorted(fused.items(), key=lambda item: item[1], reverse=True)
        return [self._hit(cid, score) for cid, score in ranking[:k]]

    def _hit(self, clause_id: str, score: float) -> ClauseHit:
        position = self.library.position(clause_id)
        clause_type = next(t for t, p in self.library.all_positions() if p.id == clause_id)
        return ClauseHit(
            clause_id=clause_id,
            clause_type=clause_type,
            version=position.version,
            title=position.title,
            score=round(score, 6),
            text=position.render(),
        )
