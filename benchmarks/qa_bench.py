"""Contract Q&A speed offline (`qa/`, as `ContractQuestionService` runs it: `ContractQA(store)`, packaged clause
finder, no dense rerank): question -> answer latency over the 250 real CUAD contracts, the cost of building and
updating the contract store at 10,000 contracts, answer latency on that store, peak RSS and the store's size.

1. Real corpus: dev100 + train150 (250 contract texts) upserted as the eval does (doc id and text only) into a
   SQLite store in a temporary directory; every question of `qa/dev100-questions.jsonl` and
   `qa/train150-questions.jsonl` (863) asked in file order, then asked again at once. A question is *cold* when
   answering it had the clause finder score a contract (first question on a contract: read, split and scored),
   *warm* when every contract it read was already in ContractQA's cache of 64 (a later question on the same
   contract, and every repeat). Counted by wrapping the finder, not guessed from the order.
2. Index build: `--contracts` copies of the 250 texts upserted one by one into a fresh store, as syncs and
   backfills do. Copy k is real contract k mod 250 with its parties renamed: the rare words of its CUAD
   "Parties" spans and of its title's company part (a word is rare when `qa/background_words.json` does not
   list it, i.e. it is in under 5 % of CUAD contracts; at least 3 letters) are each replaced everywhere in the
   text by an invented word (2-3 syllables + an ending, fixed-seed RNG per copy, UPPER/Title/lower case kept),
   so "Apollo Endosurgery" becomes, say, "Velmaron Tridrix" in that copy's names, opening text and body. Each
   copy gets a distinct doc id, a name (its renamed title company, plus an invented word when none of its words
   were rare), its renamed title as alias, and Salesforce-like Account/Opportunity ids. The inverted index of
   names then holds thousands of distinct counterparties, while common words ("Inc", "Bank", "Company") are
   shared as in a real portfolio. A copy's text is made when it is upserted (not all held in memory); only the
   upsert calls are timed.
3. Incremental: every copy upserted again unchanged (upsert must return False each time); 1 % updated with
   changed text (an amendment paragraph appended); 0.5 % removed. The update and remove phases stop at
   `--budget` seconds each and say so (a removal scans the name index: see the printed per-call times).
4. On the big store: `--questions` real questions that name a renamed party, each put to a random copy of its
   contract with that copy's names: counterparty resolution alone (`named_candidates`), the answer (the copy is
   almost never cached: cold), and the same question again (warm); right copy chosen and quotes verified.
5. Peak RSS (ru_maxrss) and the store's files on disk (database + WAL while open, database after close).

Run: .venv/bin/python -m benchmarks.qa_bench [--contracts 10000] [--questions 300] [--budget 60] [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.contract_answer import ContractAnswer
from evals.qa.dataset import Question, load_questions, load_texts
from evals.shared_data import require_shared
from extraction.clause_finder import ClauseFinder, load_finder
from extraction.clause_finder.passages import Passage
from qa import ContractQA, ContractStore, IndexedContract
from qa.background_words import background_shares
from qa.name_tokens import head_keys, name_words, text_words

SETS = ("dev100", "train150")
_SYLLABLES = ("ba", "ce", "di", "fo", "ga", "ka", "le", "lo", "ma", "mi", "na", "no", "ra", "ri", "sa", "so", "ta",
              "te", "va", "ve", "xo", "za", "zu", "qui", "tor", "vel", "dra", "bri", "cor", "lan", "mer", "nix",
              "pol", "ser", "tri", "ven", "wor", "yel", "zan", "pho")
_ENDINGS = ("", "", "n", "x", "r", "s", "t", "ia", "on", "ex", "tek", "ium")
AMENDMENT = ("\n\nAMENDMENT No. {n}. With effect from the date of the last signature below, the Term of this "
             "Agreement is extended by twelve (12) months and the fees in Schedule {n} are increased by three "
             "percent (3%). All other terms remain in full force and effect.\n")


# --- the corpus and its renamed copies ------------------------------------------------------------------------

@dataclass(frozen=True)
class RealContract:
    doc: str
    text: str
    title: str
    rare: tuple[str, ...]             # the party words each copy renames (lower case)
    pattern: re.Pattern[str] | None   # matches any of them as a whole word, any case
    pieces: tuple[str, ...]           # the text split by `pattern`: odd pieces are the words to rename


def _rare_words(texts: Iterable[str]) -> tuple[str, ...]:
    common = background_shares()
    return tuple(sorted({w for t in texts for w in name_words(t)
                         if w not in common and len(w) >= 3 and not w.isdigit()}))


def load_corpus(dirs: list[Path], limit: int | None = None) -> list[RealContract]:
    texts = load_texts(dirs)
    labels: dict[str, dict[str, Any]] = {}
    for directory in dirs:
        for line in (directory / "labels.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                labels[row["id"]] = row
    corpus = []
    for doc, text in texts.items():
        row = labels.get(doc, {})
        title = str(row.get("title") or doc)
        parties = [s["text"] for s in row.get("labels", {}).get("Parties", {}).get("spans", [])]
        rare = _rare_words([*parties, title_parts(title)[0]])
        pattern = (re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(w) for w in sorted(rare, key=len, reverse=True))
                              + r")(?![A-Za-z0-9])", re.IGNORECASE) if rare else None)
        corpus.append(RealContract(doc, text, title, rare, pattern,
                                   tuple(pattern.split(text)) if pattern else (text,)))
    return corpus[:limit] if limit else corpus


def title_parts(title: str) -> tuple[str, str]:
    """A CUAD title's company and kind of agreement: "Apollo Endosurgery - Manufacturing and Supply Agreement",
    "XpresspaGroupInc_20190401_10-K_EX-10.28_11599457_EX-10.28_Marketing Agreement",
    "FIBROGENINC_10_01_2014-EX-10.11-COLLABORATION AGREEMENT"."""
    title = re.sub(r"_Part\d+$", "", title)
    company = re.split(r" - |_", title)[0]
    kind = title.split(" - ")[-1].split("_")[-1]
    exhibit = re.search(r"-EX-[^-]*-(.+)$", kind)
    return company, (exhibit.group(1) if exhibit else kind)


def _invented(rng: random.Random, common: dict[str, float]) -> str:
    while True:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 3)))) + rng.choice(_ENDINGS)
        if word not in common:
            return word


def _cased(like: str, word: str) -> str:
    if like.isupper():
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word


@dataclass(frozen=True)
class Copy:
    contract: IndexedContract
    real: RealContract
    mapping: dict[str, str]

    def rename(self, text: str) -> str:
        if self.real.pattern is None:
            return text
        return self.real.pattern.sub(lambda m: _cased(m.group(0), self.mapping[m.group(0).lower()]), text)


class Copies:
    """Copy k of the corpus: real contract k mod len(corpus), its parties renamed with RNG seed (seed, k)."""

    def __init__(self, corpus: list[RealContract], seed: int) -> None:
        self.corpus = corpus
        self.seed = seed
        self._common = background_shares()

    def doc(self, k: int) -> str:
        return f"{self.corpus[k % len(self.corpus)].doc}-copy{k:05d}"

    def make(self, k: int, amendments: int = 0) -> Copy:
        real = self.corpus[k % len(self.corpus)]
        rng = random.Random(f"{self.seed}:{k}")
        mapping = {w: _invented(rng, self._common) for w in real.rare}
        made = Copy(IndexedContract(doc="-", text=""), real, mapping)
        text = "".join(piece if i % 2 == 0 else _cased(piece, mapping[piece.lower()])
                       for i, piece in enumerate(real.pieces))  # = made.rename(real.text), without a regex pass
        text += "".join(AMENDMENT.format(n=n) for n in range(1, amendments + 1))
        company, kind = title_parts(real.title)
        name = made.rename(company)
        if name == company:  # nothing rare to rename: the account still has a name of its own
            name = f"{company} {_invented(rng, self._common).capitalize()}"
        doc = self.doc(k)
        contract = IndexedContract(doc=doc, text=text, name=name, aliases=[f"{name} - {made.rename(kind)}"],
                                   account_id=f"001BENCH{k:010d}", opportunity_id=f"006BENCH{k:010d}",
                                   link=f"https://ironclad.example/workflow/{doc}")
        return Copy(contract, real, mapping)


# --- measuring ------------------------------------------------------------------------------------------------

class CountingFinder(ClauseFinder):
    """The packaged finder (shared, not modified), counting and timing the contracts it scores."""

    def __init__(self, finder: ClauseFinder) -> None:
        self.__dict__.update(finder.__dict__)  # the loaded model's state, shared read-only
        self.reads = 0
        self.seconds = 0.0

    def passage_logits(self, text: str, passages: list[Passage]) -> np.ndarray:
        started = time.perf_counter()
        try:
            return super().passage_logits(text, passages)
        finally:
            self.reads += 1
            self.seconds += time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def spread(ms: list[float]) -> str:
    if not ms:
        return "none"
    return (f"p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, max {max(ms):.1f} ms "
            f"(n={len(ms)})")


@dataclass
class Timed:
    """One store phase: per-call times, how many calls returned True, whether the budget cut it short."""

    planned: int
    ms: list[float] = field(default_factory=list)
    changed: int = 0

    @property
    def done(self) -> int:
        return len(self.ms)

    @property
    def seconds(self) -> float:
        return sum(self.ms) / 1000

    def describe(self, what: str) -> str:
        if not self.ms:
            return f"{what}: none"
        rate = self.done / self.seconds if self.seconds else math.inf
        text = (f"{self.done:,} {what} in {self.seconds:.2f} s ({rate:,.0f}/s; per call {spread(self.ms)}); "
                f"returned True {self.changed:,}")
        if self.done < self.planned:
            text += (f" -- SAMPLED: {self.done:,} of {self.planned:,} within the budget; all {self.planned:,} "
                     f"would take ~{self.seconds * self.planned / self.done:,.0f} s")
        return text


def timed_calls(count: int, call: Callable[[int], bool], budget: float | None = None) -> Timed:
    timed = Timed(planned=count)
    for i in range(count):
        started = time.perf_counter()
        changed = call(i)
        timed.ms.append((time.perf_counter() - started) * 1000)
        timed.changed += changed
        if (i + 1) % 2000 == 0:
            progress(f"  {i + 1:,} of {count:,}: {timed.seconds:.1f} s")
        if budget is not None and timed.seconds > budget:
            break
    return timed


def verified(answer: ContractAnswer, text_of: Callable[[str], str]) -> bool:
    return all(text_of(c.doc)[c.start:c.end] == c.quote for c in answer.citations)


def store_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the phases -----------------------------------------------------------------------------------------------

def real_corpus_latency(corpus: list[RealContract], questions: list[Question], qa: ContractQA,
                        finder: CountingFinder) -> dict[str, Any]:
    """Each question once, in file order (a contract's questions are together): cold when it had the finder
    score a contract, warm when every contract it read was cached."""
    texts = {c.doc: c.text for c in corpus}
    cold: list[float] = []
    warm: list[float] = []
    resolve: list[float] = []
    finder_ms: list[float] = []
    outcomes: dict[str, int] = {}
    right = unverified = 0
    for question in questions:
        reads, spent = finder.reads, finder.seconds
        started = time.perf_counter()
        answer = qa.answer(question.question)
        ms = (time.perf_counter() - started) * 1000
        if finder.reads > reads:
            cold.append(ms)
            finder_ms.append((finder.seconds - spent) * 1000)
        else:
            warm.append(ms)
        outcomes[answer.outcome] = outcomes.get(answer.outcome, 0) + 1
        right += bool(question.gold and answer.contract and answer.contract.doc == question.gold.doc)
        unverified += not verified(answer, texts.__getitem__)
        started = time.perf_counter()
        qa.named_candidates(question.question)
        resolve.append((time.perf_counter() - started) * 1000)
    return {"questions": len(questions), "cold_ms": cold, "warm_ms": warm, "finder_ms": finder_ms,
            "resolve_ms": resolve, "outcomes": outcomes, "right_contract": right, "unverified": unverified}


def bulk_fill(path: Path, contracts: Iterable[IndexedContract], chunk: int = 250) -> int:
    """Write `contracts` into the store file at `path` as `ContractStore.upsert` writes them (the same rows, name
    keys, full-text index and word counts), a chunk per transaction on a connection of its own: the untimed
    middle of a sampled build. `check_filled` then has the real upsert confirm some of them. Returns how many were written."""
    db = sqlite3.connect(str(path))
    counts: Counter[str] = Counter()
    rows: list[tuple[Any, ...]] = []
    keys: list[tuple[str, str]] = []
    written = 0

    def flush() -> None:
        with db:
            before = db.execute("SELECT COALESCE(MAX(rowid), 0) FROM contracts").fetchone()[0]
            db.executemany("INSERT INTO contracts VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
            db.execute("INSERT INTO text_index (rowid, text) SELECT rowid, text FROM contracts WHERE rowid > ?",
                       (before,))
            db.executemany("INSERT OR IGNORE INTO head_keys VALUES (?, ?)", keys)
        rows.clear()
        keys.clear()

    for contract in contracts:
        words = sorted(text_words(contract.text))
        counts.update(words)
        keys.extend((key, contract.doc) for key in head_keys(contract.profile()))
        rows.append((contract.doc, contract.sha256, contract.name, json.dumps(contract.aliases), contract.account_id,
                     contract.opportunity_id, contract.link, contract.text,
                     json.dumps([p.model_dump() for p in contract.pages]),
                     contract.terms.model_dump_json() if contract.terms else None, json.dumps(words)))
        written += 1
        if len(rows) >= chunk:
            flush()
    flush()
    with db:
        db.executemany("INSERT INTO word_df VALUES (?, ?) ON CONFLICT(word) DO UPDATE SET docs = docs + excluded.docs",
                       counts.items())
    db.close()
    return written


def check_filled(store: ContractStore, copies: Copies, ks: list[int]) -> None:
    """The bulk-filled rows are what upsert would have written: it finds them unchanged, and their names' keys."""
    for k in ks:
        contract = copies.make(k).contract
        if store.upsert(contract):
            raise SystemExit(f"bulk-filled {contract.doc} differs from what upsert writes")
        held = store.docs_with_keys(head_keys(contract.profile())).get(contract.doc, set())
        if held != head_keys(contract.profile()):
            raise SystemExit(f"bulk-filled {contract.doc}: {len(held)} name keys indexed, expected "
                             f"{len(head_keys(contract.profile()))}")


@dataclass
class Build:
    contracts: int
    timed: Timed                  # the upserts timed (all of them, or the first and last samples)
    first: int                    # how many of those were the first upserts into the empty store
    filled: int = 0               # bulk-filled between the samples (untimed)
    fill_seconds: float = 0.0

    @property
    def sampled(self) -> bool:
        return self.filled > 0

    @property
    def seconds(self) -> float:
        """Upsert time for all `contracts`: measured, or from the samples (the mean of the two ends' means)."""
        if not self.sampled:
            return self.timed.seconds
        head, tail = self.timed.ms[:self.first], self.timed.ms[self.first:]
        return self.contracts * (statistics.fmean(head) + statistics.fmean(tail)) / 2 / 1000

    def describe(self) -> str:
        rate = self.contracts / self.seconds
        if not self.sampled:
            return (f"{self.seconds:.1f} s in upsert ({rate:,.0f} contracts/s; per call {spread(self.timed.ms)})")
        head, tail = self.timed.ms[:self.first], self.timed.ms[self.first:]
        return (f"~{self.seconds:.0f} s in upsert (~{rate:,.0f} contracts/s) -- SAMPLED: the first {len(head):,} "
                f"upserts into the empty store {spread(head)}, the last {len(tail):,} (store at "
                f"{self.contracts - len(tail):,}+) {spread(tail)}; the {self.filled:,} between written in bulk "
                f"with the same rows ({self.fill_seconds:.0f} s, not upserts; --full-build times every upsert)")


def big_store_latency(copies: Copies, present: list[int], questions: list[Question], count: int, seed: int,
                      qa: ContractQA, finder: CountingFinder, store: ContractStore) -> dict[str, Any]:
    by_real: dict[str, list[int]] = {}
    for k in present:
        by_real.setdefault(copies.corpus[k % len(copies.corpus)].doc, []).append(k)
    rng = random.Random(f"questions:{seed}")
    pool = [q for q in questions if q.gold and q.gold.doc in by_real]
    rng.shuffle(pool)
    asked: list[tuple[str, str]] = []  # (question as renamed for a copy, that copy's doc)
    for question in pool:
        k = rng.choice(by_real[question.gold.doc])  # type: ignore[union-attr]
        made = copies.make(k)
        renamed = made.rename(question.question)
        if renamed != question.question:  # it names a renamed party
            asked.append((renamed, made.contract.doc))
        if len(asked) >= count:
            break
    resolve: list[float] = []
    first: list[float] = []
    again: list[float] = []
    candidates: list[int] = []
    cold = right = unverified = answered = 0

    def text_of(doc: str) -> str:
        contract = store.get(doc)
        return contract.text if contract else ""

    for asking, doc in asked:
        started = time.perf_counter()
        named = qa.named_candidates(asking)
        resolve.append((time.perf_counter() - started) * 1000)
        candidates.append(len(named))
        reads = finder.reads
        started = time.perf_counter()
        answer = qa.answer(asking)
        first.append((time.perf_counter() - started) * 1000)
        cold += finder.reads > reads
        started = time.perf_counter()
        qa.answer(asking)
        again.append((time.perf_counter() - started) * 1000)
        right += bool(answer.contract and answer.contract.doc == doc)
        answered += answer.outcome in ("answered", "not_in_contract")
        unverified += not verified(answer, text_of)
    return {"asked": len(asked), "pool": len(pool), "resolve_ms": resolve, "first_ms": first, "again_ms": again,
            "cold": cold, "candidates": candidates, "right_contract": right, "answered": answered,
            "unverified": unverified}


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"{'measure'.ljust(width)} | figure")
    print(f"{'-' * width}-|-------")
    for label, value in rows:
        print(f"{label.ljust(width)} | {value}")


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every phase; prints the figures and returns them (the test reads the returned ones)."""
    data = require_shared("data", "cuad")
    dirs = [data / name for name in SETS]
    corpus = load_corpus(dirs, args.real or None)
    docs = {c.doc for c in corpus}
    questions = [q for q in load_questions([data / "qa" / f"{name}-questions.jsonl" for name in SETS])
                 if q.gold and q.gold.doc in docs]
    real_questions = questions[:args.real_questions] if args.real_questions else questions
    n = args.contracts
    figures: dict[str, Any] = {"contracts": n}
    print(f"qa_bench: {len(corpus)} CUAD contracts ({sum(len(c.text) for c in corpus) / len(corpus):,.0f} "
          f"characters on average), {len(real_questions)} of {len(questions)} real questions; {os.cpu_count()} "
          f"CPUs, load average {os.getloadavg()[0]:.1f}")

    with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
        started = time.perf_counter()
        finder = CountingFinder(load_finder())
        real_store = ContractStore.open(Path(scratch) / "real.sqlite")
        for contract in corpus:
            real_store.upsert(IndexedContract(doc=contract.doc, text=contract.text))
        qa = ContractQA(real_store, finder=finder)
        qa.reader.read("warm up the question reader")
        print(f"setup (not measured): models loaded and {len(corpus)} real contracts stored in "
              f"{time.perf_counter() - started:.1f} s")

        progress(f"1/4 answering {len(real_questions)} questions over the real corpus")
        real = real_corpus_latency(corpus, real_questions, qa, finder)
        figures["real"] = real
        real_store.close()

        path = Path(scratch) / "contracts.sqlite"
        store = ContractStore.open(path)
        copies = Copies(corpus, args.seed)

        def upsert_copy(k: int, amendments: int = 0) -> bool:
            return store.upsert(copies.make(k, amendments).contract)

        sample = args.build_sample
        progress(f"2/4 building a store of {n:,} contracts"
                 + ("" if args.full_build or n <= 2 * sample else f" ({2 * sample:,} upserts timed)"))
        if args.full_build or n <= 2 * sample:
            build = Build(n, timed_calls(n, upsert_copy), first=n)
        else:
            head = timed_calls(sample, upsert_copy)
            fill_started = time.perf_counter()
            filled = bulk_fill(path, (copies.make(k).contract for k in range(sample, n - sample)))
            fill_seconds = time.perf_counter() - fill_started
            check_filled(store, copies, [sample, n // 2, n - sample - 1])
            tail = timed_calls(sample, lambda i: upsert_copy(n - sample + i))
            head.ms += tail.ms
            head.changed += tail.changed
            build = Build(n, head, first=sample, filled=filled, fill_seconds=fill_seconds)
        built_bytes = store_bytes(path)
        figures["build"] = build
        if store.count() != n or build.timed.changed != build.timed.done:
            raise SystemExit(f"store holds {store.count()} contracts after the build, expected {n}")

        progress("3/4 re-upserting unchanged, updating 1 %, removing 0.5 %")
        unchanged = timed_calls(n, upsert_copy, args.budget)
        rng = random.Random(f"incremental:{args.seed}")
        picked = rng.sample(range(n), max(2, n * 3 // 200))
        to_update, to_remove = picked[:max(1, n // 100)], picked[max(1, n // 100):]
        updated = timed_calls(len(to_update), lambda i: upsert_copy(to_update[i], amendments=1), args.budget)
        removed = timed_calls(len(to_remove), lambda i: store.remove(copies.doc(to_remove[i])), args.budget)
        gone = set(to_remove[:removed.done])
        present = [k for k in range(n) if k not in gone]
        figures.update(unchanged=unchanged, updated=updated, removed=removed, stored=store.count())
        if store.count() != len(present):
            raise SystemExit(f"store holds {store.count()} contracts, expected {len(present)}")

        progress(f"4/4 asking {args.questions} questions on the {store.count():,}-contract store")
        big_qa = ContractQA(store, finder=finder, reader=qa.reader)
        big = big_store_latency(copies, present, questions, args.questions, args.seed, big_qa, finder, store)
        figures["big"] = big
        open_bytes = store_bytes(path)
        store.close()
        closed_bytes = store_bytes(path)
        figures.update(store_bytes=closed_bytes, peak_rss_mib=peak_rss_mib())

    print_table([
        ("real corpus", f"{len(corpus)} contracts, {real['questions']} questions, each asked once in file order"),
        ("  cold answer (contract read + scored)", spread(real["cold_ms"])),
        ("    of which clause finder", spread(real["finder_ms"])),
        ("  warm answer (contract cached)", spread(real["warm_ms"])),
        ("  counterparty resolution alone", spread(real["resolve_ms"])),
        ("  outcomes", ", ".join(f"{k} {v}" for k, v in sorted(real["outcomes"].items()))
         + f"; right contract {real['right_contract']}/{real['questions']}; quotes not verbatim "
         f"{real['unverified']}"),
        (f"index build ({n:,} contracts)", build.describe()),
        ("  after the build", f"store {built_bytes / 2**20:,.0f} MiB with its WAL; "
         f"{sum(1 for c in corpus if c.rare)} of {len(corpus)} real texts have rare party words to rename"),
        ("re-upsert unchanged", unchanged.describe("upserts")),
        ("update 1 % (text changed)", updated.describe("upserts")),
        ("remove 0.5 %", removed.describe("removals")),
        (f"{figures['stored']:,}-contract store",
         f"{big['asked']} questions naming a renamed party (of {big['pool']} with a stored copy)"),
        ("  counterparty resolution alone", spread(big["resolve_ms"])),
        ("  candidates per question", f"mean {sum(big['candidates']) / max(1, len(big['candidates'])):.2f}, "
         f"max {max(big['candidates'], default=0)}"),
        (f"  first answer ({big['cold']} cold)", spread(big["first_ms"])),
        ("  same question again (warm)", spread(big["again_ms"])),
        ("  outcomes", f"right copy {big['right_contract']}/{big['asked']}; answered or said absent "
         f"{big['answered']}/{big['asked']}; quotes not verbatim {big['unverified']}"),
        ("store on disk", f"{open_bytes / 2**20:,.0f} MiB open (database + WAL), {closed_bytes / 2**20:,.0f} MiB "
         f"after close ({closed_bytes / max(1, len(present)) / 1024:,.0f} KiB per contract)"),
        ("peak RSS", f"{figures['peak_rss_mib']:,.0f} MiB"),
    ])
    return figures


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--contracts", type=int, default=10_000, help="contracts in the big store")
    parser.add_argument("--questions", type=int, default=300, help="questions asked on the big store")
    parser.add_argument("--real-questions", type=int, default=0, help="real-corpus questions to ask (0: all 863)")
    parser.add_argument("--real", type=int, default=0, help="real contracts to use (0: all 250)")
    parser.add_argument("--build-sample", type=int, default=500,
                        help="upserts timed at each end of the build; the rest written in bulk")
    parser.add_argument("--full-build", action="store_true", help="time every upsert of the build (~10 min)")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds each for the unchanged, update and remove phases before they are sampled")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 40 real contracts, 30 of their questions, 200 copies, 20 questions")
    args = parser.parse_args(argv)
    if args.quick:
        args.real = args.real or 40
        args.real_questions = args.real_questions or 30
        args.contracts = min(args.contracts, 200)
        args.questions = min(args.questions, 20)
        args.budget = min(args.budget, 10.0)
        args.build_sample = min(args.build_sample, 50)
    if args.contracts < 2 or args.build_sample < 1:
        parser.error("--contracts needs at least 2 and --build-sample at least 1")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
