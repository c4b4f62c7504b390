"""`ContractStore`: the executed contracts Q&A can read, in one SQLite file that every sync and backfill updates.

Per contract: its text and pages (citations are checked against them), the names people call it by (account,
counterparties, title), the Salesforce records it belongs to (permissions are checked on those), the Ironclad
link, and the extracted terms. Beside them, what finds a contract by name among thousands without reading
them all: an inverted index of the words and word pairs of each contract's names and opening text, a full-text
index (SQLite FTS5, contentless: the text is stored once) that scores how much a whole contract speaks of a
phrase, and each word's document frequency over whole texts, so words every contract uses ("agreement",
"terminate") weigh nothing when a question is matched to a counterparty.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from core.contract_terms import ContractTerms
from qa.background_words import PRIOR_CONTRACTS, background_shares
from qa.name_tokens import head_keys, text_words
from tools.document_model import Document, Page

_PHRASE = re.compile(r"[a-z0-9]+( [a-z0-9]+)*")
HEAD_CHARS = 3000  # where contracts name their parties; a longer head adds other names (tested 1.5k-20k)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contracts (
    doc TEXT PRIMARY KEY, sha256 TEXT NOT NULL, name TEXT, aliases TEXT NOT NULL, account_id TEXT,
    opportunity_id TEXT, link TEXT, text TEXT NOT NULL, pages TEXT NOT NULL, terms TEXT, words TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS head_keys (key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS word_df (word TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS head_keys_by_doc ON head_keys (doc);
CREATE VIRTUAL TABLE IF NOT EXISTS text_index USING fts5(text, content='', tokenize='unicode61');
CREATE INDEX IF NOT EXISTS contracts_by_account ON contracts (account_id);
CREATE INDEX IF NOT EXISTS contracts_by_opportunity ON contracts (opportunity_id);
"""


class IndexedContract(BaseModel):
    doc: str = Field(min_length=1, description="the contract's key: Ironclad workflow id, or a dataset's id")
    text: str
    pages: list[Page] = Field(default_factory=list, description="empty: one page")
    name: str | None = Field(None, description="what people call it: the counterparty or the title")
    aliases: list[str] = Field(default_factory=list, description="other names: account, parties, title")
    account_id: str | None = None
    opportunity_id: str | None = None
    link: str | None = None
    terms: ContractTerms | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def document(self) -> Document:
        pages = self.pages or [Page(number=1, start=0, end=len(self.text))]
        return Document(text=self.text, pages=pages, source=self.doc)

    @property
    def names(self) -> list[str]:
        """What people call it: the name, then the aliases."""
        return [n for n in [self.name, *self.aliases] if n]

    def profile(self) -> str:
        """The text a question's counterparty is matched against: names first, then the opening text."""
        return "\n".join([*self.names, self.text[:HEAD_CHARS]])


class ContractStore:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path) -> ContractStore:
        """A store at `path` (created if missing); ":memory:" for a throwaway one."""
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(str(path), check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL") if str(path) != ":memory:" else None
        had_text_index = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'text_index'").fetchone()
        try:
            connection.executescript(_SCHEMA)
        except sqlite3.OperationalError as exc:
            if "fts5" not in str(exc):
                raise
            raise RuntimeError(f"this Python's SQLite ({sqlite3.sqlite_version}) has no FTS5, which the contract "
                               "store's full-text index needs: use a Python built with it (python.org, Debian "
                               "and Ubuntu builds are)") from exc
        if not had_text_index:  # a store written before the full-text index: index what it holds, once
            with connection:
                connection.execute("INSERT INTO text_index (rowid, text) SELECT rowid, text FROM contracts")
        return cls(connection)

    def close(self) -> None:
        self._db.close()

    def upsert(self, contract: IndexedContract) -> bool:
        """Store or replace `contract`; False when the same text, names and records are already stored."""
        words = sorted(text_words(contract.text))
        keys = sorted(head_keys(contract.profile()))
        row = (contract.doc, contract.sha256, contract.name, json.dumps(contract.aliases), contract.account_id,
               contract.opportunity_id, contract.link, contract.text,
               json.dumps([p.model_dump() for p in contract.pages]),
               contract.terms.model_dump_json() if contract.terms else None, json.dumps(words))
        with self._lock, self._db:
            old = self._db.execute("SELECT sha256, name, aliases, account_id, opportunity_id, link, terms, words "
                                   "FROM contracts WHERE doc = ?", (contract.doc,)).fetchone()
            if old is not None and tuple(old[:7]) == (row[1], *row[2:7], row[9]):
                return False
            if old is not None:
                self._forget(contract.doc, json.loads(old[7]))
            rowid = self._db.execute("INSERT INTO contracts VALUES (?,?,?,?,?,?,?,?,?,?,?)", row).lastrowid
            self._db.execute("INSERT INTO text_index (rowid, text) VALUES (?, ?)", (rowid, contract.text))
            self._db.executemany("INSERT OR IGNORE INTO head_keys VALUES (?, ?)", ((k, contract.doc) for k in keys))
            self._db.executemany("INSERT INTO word_df VALUES (?, 1) ON CONFLICT(word) DO UPDATE SET docs = docs + 1",
                                 ((w,) for w in words))
        return True

    def remove(self, doc: str) -> bool:
        with self._lock, self._db:
            old = self._db.execute("SELECT words FROM contracts WHERE doc = ?", (doc,)).fetchone()
            if old is None:
                return False
            self._forget(doc, json.loads(old[0]))
        return True

    def _forget(self, doc: str, words: list[str]) -> None:
        rowid, text = self._db.execute("SELECT rowid, text FROM contracts WHERE doc = ?", (doc,)).fetchone()
        # a contentless index forgets a row when told the text it indexed
        self._db.execute("INSERT INTO text_index (text_index, rowid, text) VALUES ('delete', ?, ?)", (rowid, text))
        self._db.execute("DELETE FROM contracts WHERE doc = ?", (doc,))
        self._db.execute("DELETE FROM head_keys WHERE doc = ?", (doc,))
        # by key, never by scan: a resync or removal must not cost more as the store grows
        self._db.executemany("UPDATE word_df SET docs = docs - 1 WHERE word = ?", ((w,) for w in words))
        self._db.executemany("DELETE FROM word_df WHERE word = ? AND docs <= 0", ((w,) for w in words))

    def get(self, doc: str) -> IndexedContract | None:
        row = self._db.execute("SELECT doc, text, pages, name, aliases, account_id, opportunity_id, link, terms "
                               "FROM contracts WHERE doc = ?", (doc,)).fetchone()
        if row is None:
            return None
        return IndexedContract(doc=row[0], text=row[1], pages=[Page(**p) for p in json.loads(row[2])], name=row[3],
                               aliases=json.loads(row[4]), account_id=row[5], opportunity_id=row[6], link=row[7],
                               terms=ContractTerms.model_validate_json(row[8]) if row[8] else None)

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM contracts").fetchone()[0])

    def owning_records(self, docs: Sequence[str]) -> dict[str, str | None]:
        """doc -> the Salesforce record a permission check reads it by (its Opportunity, else its Account)."""
        out: dict[str, str | None] = {}
        for chunk in _chunks(sorted(set(docs)), 500):
            marks = ",".join("?" * len(chunk))
            out.update(self._db.execute("SELECT doc, COALESCE(opportunity_id, account_id) FROM contracts "
                                        f"WHERE doc IN ({marks})", chunk))
        return out

    def docs_for_record(self, record_id: str) -> list[str]:
        rows = self._db.execute("SELECT doc FROM contracts WHERE account_id = ? OR opportunity_id = ? ORDER BY doc",
                                (record_id, record_id))
        return [r[0] for r in rows]

    def idf(self, words: Iterable[str]) -> dict[str, float]:
        """log((N + 1) / (df + 0.5)) for each word, counting the background's virtual contracts in N and df
        (`background_words.py`); a word no contract holds gets the highest weight."""
        wanted = sorted(set(words))
        n = self.count() + PRIOR_CONTRACTS
        found: dict[str, int] = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            found.update(self._db.execute(f"SELECT word, docs FROM word_df WHERE word IN ({marks})", chunk))
        prior = background_shares()
        return {w: math.log((n + 1) / (found.get(w, 0) + PRIOR_CONTRACTS * prior.get(w, 0.0) + 0.5))
                for w in wanted}

    def docs_with_keys(self, keys: Iterable[str]) -> dict[str, set[str]]:
        """doc -> which of `keys` (name words and word pairs) its names and opening text hold."""
        out: dict[str, set[str]] = {}
        for chunk in _chunks(sorted(set(keys)), 500):
            marks = ",".join("?" * len(chunk))
            for key, doc in self._db.execute(f"SELECT key, doc FROM head_keys WHERE key IN ({marks})", chunk):
                out.setdefault(doc, set()).add(key)
        return out

    def phrase_scores(self, phrases: Iterable[str], limit: int = 50) -> dict[str, dict[str, float]]:
        """phrase -> {doc: BM25 of the phrase over the doc's whole text} for the `limit` contracts that use it
        most (a phrase is lower-case words separated by single spaces)."""
        hits: dict[str, list[tuple[int, float]]] = {}
        for phrase in sorted(set(phrases)):
            if not _PHRASE.fullmatch(phrase):
                raise ValueError(f"not a phrase of index words: {phrase!r}")
            found = self._db.execute("SELECT rowid, -bm25(text_index) FROM text_index WHERE text_index MATCH ? "
                                     "ORDER BY rank LIMIT ?", (f'"{phrase}"', limit)).fetchall()
            if found:
                hits[phrase] = found
        rowids = sorted({r for found in hits.values() for r, _ in found})
        docs = dict(self._db.execute(f"SELECT rowid, doc FROM contracts WHERE rowid IN ({','.join('?' * len(rowids))})",
                                     rowids)) if rowids else {}
        return {phrase: {docs[r]: float(score) for r, score in found if r in docs} for phrase, found in hits.items()}


def _chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


__all__ = ["ContractStore", "HEAD_CHARS", "IndexedContract"]
