"""How much personal data reaches a model: the detector's recall and precision per kind on a seeded corpus, and
every document sent through the tokenising wrapper and the real ChatOpenAI wire path to a local stub.

The stub answers each request by echoing what it received (tokens included) and the wrapper restores it, so
the run also counts answers that come back exactly as the original text. A value "reaches the model" when it,
or any word of a person's name of four letters or more, is in a request body. Recall counts a marked value as
found when a detected span of the same kind covers it; precision counts a detected span as right when it
overlaps a marked value of any kind.

Run: .venv/bin/python -m benchmarks.pii_bench [--seed 0] [--documents 200]
The trust suite (python -m benchmarks.trust) registers `run` as its `pii` scenario.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from benchmarks.pii_corpus import CorpusDocument, corpus
from tools.pii.detector import Span, detect

KINDS = ("person", "email", "phone", "address")


class KindScore(BaseModel):
    marked: int
    found: int
    detected: int
    correct: int

    @property
    def recall(self) -> float:
        return self.found / self.marked if self.marked else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.detected if self.detected else 1.0


class PiiBenchResult(BaseModel):
    seed: int
    documents: int
    values: int  # personal values marked in the corpus (each mention counted)
    detector: dict[str, KindScore]  # with the deal's known values, as the specialists run
    detector_without_known: dict[str, KindScore]  # patterns and cues alone
    requests: int
    values_reaching_model: int
    reached: list[str]  # which, for a failing run
    restored_exactly: int  # echoed answers that came back as the original text
    seconds: float

    @property
    def passed(self) -> bool:
        return self.values_reaching_model == 0 and self.restored_exactly == self.documents


def _marked_spans(document: CorpusDocument) -> list[Span]:
    spans, taken = [], []
    for mark in document.marks:
        for found in re.finditer(re.escape(mark.value), document.text):
            if (found.start(), found.end()) not in taken:
                spans.append(Span(start=found.start(), end=found.end(), kind=mark.kind, text=mark.value))
                taken.append((found.start(), found.end()))
                break
    return spans


def _score(documents: list[CorpusDocument], with_known: bool) -> dict[str, KindScore]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"marked": 0, "found": 0, "detected": 0, "correct": 0})
    for document in documents:
        marked = _marked_spans(document)
        detected = detect(document.text, document.known if with_known else ())
        for span in marked:
            counts[span.kind]["marked"] += 1
            counts[span.kind]["found"] += any(d.kind == span.kind and d.start <= span.start and d.end >= span.end
                                              for d in detected)
        for span in detected:
            counts[span.kind]["detected"] += 1
            counts[span.kind]["correct"] += any(span.start < m.end and m.start < span.end for m in marked)
    return {kind: KindScore(**counts[kind]) for kind in KINDS}


def _leaks(document: CorpusDocument, sent: str) -> list[str]:
    leaked = []
    for mark in document.marks:
        words = [w for w in mark.value.split() if len(w.strip(".,")) >= 4] if mark.kind == "person" else []
        if mark.value in sent or any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", sent) for w in words):
            leaked.append(f"{mark.kind}: {mark.value}")
    return leaked


def _echo(body: dict[str, Any]) -> dict[str, Any]:
    return {"content": body["messages"][-1]["content"]}


def run(seed: int = 0, documents: int = 200) -> PiiBenchResult:
    """The corpus through the detector, then through TokenisingChatModel -> ChatOpenAI -> the local stub."""
    from langchain_core.messages import HumanMessage, SystemMessage
    from langchain_openai import ChatOpenAI

    from tests.support.openai_stub import OpenAIStub
    from tools.pii.chat import TokenisingChatModel
    from tools.pii.vault import Vault

    started = time.perf_counter()
    docs = corpus(seed, documents)
    with_known, without_known = _score(docs, True), _score(docs, False)
    stub = OpenAIStub().start()
    reached: list[str] = []
    restored = 0
    try:
        chat = ChatOpenAI(model="stub-model", base_url=stub.base_url, api_key="bench", max_retries=0, timeout=10)
        for document in docs:
            stub.requests.clear()
            stub.script(_echo)
            model = TokenisingChatModel(inner=chat, vault=Vault(known=document.known))
            answer = model.invoke([SystemMessage("Repeat the text."), HumanMessage(document.text)])
            restored += answer.content == document.text
            reached += _leaks(document, json.dumps(stub.requests, ensure_ascii=False))
    finally:
        stub.stop()
    return PiiBenchResult(seed=seed, documents=len(docs), values=sum(len(d.marks) for d in docs),
                          detector=with_known, detector_without_known=without_known, requests=len(docs),
                          values_reaching_model=len(reached), reached=reached[:20], restored_exactly=restored,
                          seconds=round(time.perf_counter() - started, 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--documents", type=int, default=200)
    args = parser.parse_args()
    result = run(args.seed, args.documents)
    print(f"PII corpus: seed {result.seed}, {result.documents} documents, {result.values} personal values")
    print(f"{'kind':10s}{'recall':>9s}{'precision':>11s}{'recall, patterns only':>24s}{'marked':>8s}")
    for kind in KINDS:
        score, alone = result.detector[kind], result.detector_without_known[kind]
        print(f"{kind:10s}{score.recall:9.3f}{score.precision:11.3f}{alone.recall:24.3f}{score.marked:8d}")
    print(f"personal values reaching the model: {result.values_reaching_model} "
          f"(over {result.requests} requests through ChatOpenAI to the local stub)")
    print(f"answers restored exactly: {result.restored_exactly} of {result.documents}; {result.seconds} s")
    for leak in result.reached:
        print(f"  reached: {leak}")


if __name__ == "__main__":
    main()
