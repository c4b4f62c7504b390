"""What a question asks about: the closest intent of `intents.yaml`, by sentence embedding and shared keywords.

An intent names a CUAD category (the clause finder then ranks passages) or a term the finder has no category for
(retrieval alone). Keywords count as stemmed phrases, weighted by their length in words, because an embedding of
a whole question is pulled about by the counterparty's name in it (alone it read 74 % of the eval's questions
right, with keywords 99 %; see `contractloop eval qa`, which reports intent accuracy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import Stemmer
import yaml
from chromadb import EmbeddingFunction
from pydantic import BaseModel, Field, model_validator

from playbook_store.embeddings import embedding_function

INTENTS_PATH = Path(__file__).with_name("intents.yaml")
KEYWORD_WEIGHT = 0.1  # per keyword word matched, against cosine similarities in [-1, 1]
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_STEMMER = Stemmer.Stemmer("english")


def stems(text: str) -> list[str]:
    return [_STEMMER.stemWord(word) for word in _WORD.findall(text.lower())]


class Intent(BaseModel):
    category: str | None = Field(None, description="a CUAD category of the clause finder")
    term: str | None = Field(None, description="a term with no CUAD category, e.g. Payment Terms")
    keywords: list[str]
    phrasings: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_name(self) -> Intent:
        if (self.category is None) == (self.term is None):
            raise ValueError("an intent names exactly one of category or term")
        return self

    @property
    def name(self) -> str:
        return self.category or self.term or ""


class IntentFile(BaseModel):
    document_kinds: list[str] = Field(default_factory=list, description="what a contract is called by its kind")
    document_kind_titles: dict[str, list[str]] = Field(
        default_factory=dict, description="a kind a question may name -> the titles a contract of it may carry")
    intents: list[Intent] = Field(min_length=1)


@dataclass(frozen=True)
class IntentMatch:
    intent: Intent
    score: float
    runner_up: str | None


def load_intent_file(path: Path = INTENTS_PATH) -> IntentFile:
    return IntentFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_intents(path: Path = INTENTS_PATH) -> list[Intent]:
    return load_intent_file(path).intents


class QuestionReader:
    def __init__(self, intents: list[Intent], embedding: EmbeddingFunction) -> None:
        self.intents = intents
        self._embedding = embedding
        texts = [(k, p) for k, intent in enumerate(intents) for p in [*intent.phrasings, intent.name]]
        self._owner = np.array([k for k, _ in texts])
        self._vectors = np.asarray(embedding([p for _, p in texts]), dtype=np.float32)
        self._keywords = [[stems(k) for k in intent.keywords] for intent in intents]

    def scores(self, question: str) -> np.ndarray:
        vector = np.asarray(self._embedding([question]), dtype=np.float32)[0]
        similarity = self._vectors @ vector
        dense = np.array([similarity[self._owner == k].max() for k in range(len(self.intents))])
        words = stems(question)
        lexical = np.array([sum(len(k) for k in keywords if _contains(words, k)) for keywords in self._keywords])
        return dense + KEYWORD_WEIGHT * lexical

    def read(self, question: str) -> IntentMatch:
        scores = self.scores(question)
        order = np.argsort(-scores, kind="stable")
        runner_up = self.intents[int(order[1])].name if len(order) > 1 else None
        return IntentMatch(self.intents[int(order[0])], float(scores[order[0]]), runner_up)


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


@lru_cache(maxsize=1)
def load_reader() -> QuestionReader:
    return QuestionReader(load_intents(), embedding_function())
