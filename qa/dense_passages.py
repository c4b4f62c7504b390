"""Sentence embeddings of contract passages in a persistent chromadb collection, keyed by contract, text hash
and offsets, so a passage is embedded once however often it is asked about or re-synced.

Embedding every passage of a contract costs about 7 s on two CPU cores with the offline MiniLM (a contract has
~500 passages), so only a question's reranking candidates are embedded, on first use (`similarities`), and
kept. A changed text gets new keys; the old text's vectors stay unread. chromadb is always given our embedding
function; its own default would download a model.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import chromadb
import numpy as np
from chromadb import Documents, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings

COLLECTION = "contract_passages"


def passage_id(doc: str, sha256: str, start: int, end: int) -> str:
    return f"{doc}:{sha256[:16]}:{start}-{end}"


class DensePassages:
    def __init__(self, collection: chromadb.Collection, embedding: EmbeddingFunction[Documents]) -> None:
        self._collection = collection
        self._embedding = embedding

    @classmethod
    def open(cls, path: str | Path, embedding: EmbeddingFunction[Documents]) -> DensePassages:
        client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
        name = f"{COLLECTION}_{hashlib.sha256(embedding.name().encode()).hexdigest()[:8]}"  # one per model
        return cls(client.get_or_create_collection(name, embedding_function=embedding,  # type: ignore[arg-type]
                                                   metadata={"hnsw:space": "cosine"}), embedding)

    def count(self) -> int:
        """How many passage vectors are kept."""
        return int(self._collection.count())

    def _ensure(self, doc: str, sha256: str, text: str, spans: list[tuple[int, int]]) -> dict[str, np.ndarray]:
        ids = [passage_id(doc, sha256, s, e) for s, e in spans]
        found = self._collection.get(ids=ids, include=["embeddings"])
        stored = found["embeddings"]  # chromadb may return a numpy array, whose truth value is an error
        vectors = {i: np.asarray(v, dtype=np.float32) for i, v in zip(found["ids"], [] if stored is None else stored,
                                                                        strict=False)}
        missing = [(i, span) for i, span in zip(ids, spans, strict=True) if i not in vectors]
        if missing:
            texts = [text[s:e] for _, (s, e) in missing]
            embedded = self._embedding(texts)
            self._collection.upsert(ids=[i for i, _ in missing], documents=texts,
                                    embeddings=[np.asarray(v, dtype=np.float32) for v in embedded],  # type: ignore[arg-type]
                                    metadatas=[{"doc": doc, "start": s, "end": e} for _, (s, e) in missing])
            vectors.update({i: np.asarray(v, dtype=np.float32) for (i, _), v in zip(missing, embedded, strict=True)})
        return {i: vectors[i] for i in ids}

    def similarities(self, doc: str, sha256: str, text: str, spans: list[tuple[int, int]],
                     question: str) -> np.ndarray:
        """Cosine similarity of the question to each passage span."""
        if not spans:
            return np.zeros(0)
        vectors = self._ensure(doc, sha256, text, spans)
        query = np.asarray(self._embedding([question]), dtype=np.float32)[0]
        return np.array([float(vectors[passage_id(doc, sha256, s, e)] @ query) for s, e in spans])

