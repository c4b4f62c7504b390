"""`ContractQA`: a question to a cited answer from the one executed contract it is about, or an honest no.

1. Which contract: the counterparty the question names (`counterparty.py`), among those the asker may read; or
   the record's contracts when asked from a Salesforce record. Several near-equal candidates (one counterparty,
   several contracts) are told apart by the kind the question names ("the Kestrel MSA": `document_kinds.py`),
   then by which of them addresses the question.
2. What it asks: the closest intent (`question_intent.py`), a CUAD category or a term.
3. Whether the contract addresses it: the clause finder's calibrated presence for the category, at its own
   threshold moved by `PRESENCE_OFFSET` (chosen in cross-validation for Q&A, where a wrong "not addressed" and
   a wrong answer cost alike: evidence@3 + abstention moved under 0.01 from -0.5 to +0.25 logit, so the
   finder's own threshold stands); for a term, whether the extracted terms hold it (the passages, only for a
   contract whose terms were never extracted).
4. Which passages: finder score plus keywords, reranked densely (`passage_ranking.py`); the first three cited,
   each checked verbatim against the text. The extracted term, when the intent maps to one, comes first.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from core.contract_answer import AnswerCitation, ContractAnswer, ContractRef
from extraction.citations import cite
from extraction.clause_finder import ClauseFinder, load_finder
from extraction.clause_finder.passages import split_passages
from qa.answer_text import extractive_answer, not_addressed_answer
from qa.contract_store import ContractStore, IndexedContract
from qa.counterparty import close_seconds, named_contracts
from qa.dense_passages import DensePassages
from qa.document_kinds import named_titles, of_kind
from qa.passage_ranking import KeywordIndex, rank, rerank_candidates
from qa.question_intent import IntentMatch, QuestionReader, load_reader
from qa.term_values import term_for

MAX_CITATIONS = 3
PRESENCE_OFFSET = 0.0  # logits added to each category's presence threshold (see the module's note)
TERM_KEYWORD_FLOOR = 0.0  # a term question on a contract never extracted needs some shared word in a passage
_CACHE_SIZE = 64


@dataclass(frozen=True)
class _ReadContract:
    contract: IndexedContract
    spans: list[tuple[int, int]]
    logits: np.ndarray        # (passages, categories)
    presence: np.ndarray      # calibrated per category
    keywords: KeywordIndex    # BM25 over the passages, built once per contract text


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


class ContractQA:
    def __init__(self, store: ContractStore, finder: ClauseFinder | None = None,
                 reader: QuestionReader | None = None, dense: DensePassages | None = None) -> None:
        self.store = store
        self.finder = finder or load_finder()
        self.reader = reader or load_reader()
        self.dense = dense
        self._read: OrderedDict[tuple[str, str], _ReadContract] = OrderedDict()

    def read_contract(self, doc: str) -> _ReadContract | None:
        contract = self.store.get(doc)
        if contract is None:
            return None
        key = (doc, contract.sha256)
        if key in self._read:
            self._read.move_to_end(key)
            return self._read[key]
        passages = split_passages(contract.text)
        logits = self.finder.passage_logits(contract.text, passages)
        spans = [(p.start, p.end) for p in passages]
        read = _ReadContract(contract, spans, logits, self.finder.presence_scores(logits),
                             KeywordIndex([contract.text[s:e] for s, e in spans]))
        self._read[key] = read
        if len(self._read) > _CACHE_SIZE:
            self._read.popitem(last=False)
        return read

    def named_candidates(self, question: str) -> list[str]:
        """Every contract that could answer `question` by name, whoever asks: `answer` with any `visible` set
        picks among these only, so a permission check need look at no other."""
        return [c.doc for c in close_seconds(named_contracts(self.store, question.strip()))]

    def addresses(self, read: _ReadContract, category: str) -> tuple[bool, float]:
        column = self.finder.categories.index(category)
        presence = float(read.presence[column])
        threshold = float(self.finder.presence_threshold[column])
        return _logit(presence) >= _logit(threshold) + PRESENCE_OFFSET, presence

    def answer(self, question: str, visible: set[str] | None = None,
               record_docs: list[str] | None = None) -> ContractAnswer:
        """`visible`: the contracts the asker may read (None: all, for the eval); `record_docs`: the contracts
        of the record the question was asked from, which then scope it."""
        question = question.strip()
        intent = self.reader.read(question)
        if record_docs is not None:
            candidates = [d for d in record_docs if visible is None or d in visible]
        else:
            candidates = [c.doc for c in close_seconds(named_contracts(self.store, question, visible))]
        reads = [r for r in (self.read_contract(d) for d in candidates) if r is not None]
        if not reads:
            return ContractAnswer(question=question, found=False, outcome="no_contract_visible",
                                  category=intent.intent.name,
                                  answer="No executed contract you can see matches this question.")
        pool = reads
        if len(reads) > 1 and (titles := named_titles(question)):
            # "the Kestrel MSA": among one counterparty's near-equal contracts, the one of the kind named
            pool = [r for r in reads if of_kind(titles, r.contract.names, r.contract.text)] or reads
        chosen = self._choose(pool, intent)
        others = [_ref(r.contract) for r in reads if r is not chosen]
        return self._answer_from(question, intent, chosen, others)

    def _choose(self, reads: list[_ReadContract], intent: IntentMatch) -> _ReadContract:
        category = intent.intent.category
        if len(reads) == 1:
            return reads[0]
        if category is None:  # a term: the contract whose extracted terms hold it (first, best named, on ties)
            name = intent.intent.name
            return next((r for r in reads if term_for(name, r.contract.terms, r.contract.doc) is not None), reads[0])
        column = self.finder.categories.index(category)
        return max(reads, key=lambda r: float(r.presence[column]))  # max keeps the first (best named) on ties

    def _answer_from(self, question: str, intent: IntentMatch, read: _ReadContract,
                     others: list[ContractRef]) -> ContractAnswer:
        contract = read.contract
        category = intent.intent.category
        term = term_for(intent.intent.name, contract.terms, contract.doc)
        prior = read.logits[:, self.finder.categories.index(category)] if category else None
        keywords = None
        if category is not None:
            found, confidence = self.addresses(read, category)
        else:
            keywords = read.keywords.scores(question)
            if term is not None:
                found = True
            elif contract.terms is not None:
                # The extractor read this contract and found no such term. A passage sharing a word with the
                # question proves nothing: the counterparty's own name is one of those words.
                found = False
            else:
                found = bool(keywords.max(initial=0.0) > TERM_KEYWORD_FLOOR)
            confidence = 0.9 if term is not None else float(keywords.max(initial=0.0)) * 0.5
        ref = _ref(contract)
        if not found:
            return ContractAnswer(question=question, found=False, outcome="not_in_contract", category=intent.intent.name,
                                  contract=ref, candidates=others, confidence=round(1 - confidence, 6),
                                  answer=not_addressed_answer(ref, intent.intent.name))
        if keywords is None:
            keywords = read.keywords.scores(question)
        dense = None
        if self.dense is not None:
            pool = rerank_candidates(prior, keywords)
            dense = np.full(len(read.spans), np.nan)
            dense[pool] = self.dense.similarities(contract.doc, contract.sha256, contract.text,
                                                  [read.spans[i] for i in pool], question)
        ranked = rank(prior, keywords, dense)
        citations: list[AnswerCitation] = []
        if term is not None and term.citation is not None:
            citations.append(term.citation)
        document = contract.document()
        for passage in ranked:
            if len(citations) >= MAX_CITATIONS:
                break
            start, end = read.spans[passage.index]
            if any(c.start < end and start < c.end for c in citations):
                continue
            citations.append(AnswerCitation(doc=contract.doc, score=round(passage.score, 6),
                                            **cite(document, start, end).model_dump()))
        return ContractAnswer(question=question, found=True, outcome="answered", category=intent.intent.name,
                              contract=ref, candidates=others, citations=citations, term=term,
                              confidence=round(confidence, 6),
                              answer=extractive_answer(ref, intent.intent.name, term, citations))


def _ref(contract: IndexedContract) -> ContractRef:
    return ContractRef(doc=contract.doc, name=contract.name, account_id=contract.account_id,
                       opportunity_id=contract.opportunity_id, link=contract.link)
