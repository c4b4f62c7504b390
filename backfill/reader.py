"""Signed copy -> terms for the backfill: the CPU-bound part, run inline or in a pool of worker processes.

`read_signed_copy` takes and returns plain, picklable values so a `ProcessPoolExecutor` can run it. A file that
cannot be read, or an extractor that trips over it, is a reason on the result, never an exception. With a
`ReadingCache`, bytes this engine has already read are not parsed again.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager

from pydantic import BaseModel

from backfill.reading_cache import ReadingCache, document_sha256, worth_keeping
from core.contract_terms import ContractTerms
from extraction import OfflineExtractor, verified
from tools.documents import DocumentError, parse_document


class ContractReading(BaseModel):
    record_id: str
    terms: ContractTerms | None = None
    pages: int = 0
    document_error: str | None = None
    from_cache: bool = False  # read earlier from the same bytes by the same engine: no PDF was parsed


def read_signed_copy(record_id: str, pdf: bytes | None, fetch_error: str | None = None) -> ContractReading:
    """Parse the signed copy and extract its terms, keeping only values whose quotes are verbatim."""
    if pdf is None:
        return ContractReading(record_id=record_id, document_error=fetch_error or "no signed copy")
    try:
        document = parse_document(pdf, source=f"Ironclad record {record_id} signedCopy")
    except DocumentError as exc:
        return ContractReading(record_id=record_id, document_error=f"{exc.reason}: {exc}")
    try:
        terms = verified(OfflineExtractor().extract(document), document)
    except Exception as exc:  # one odd document must not stop a backfill of thousands
        return ContractReading(record_id=record_id, pages=len(document.pages),
                               document_error=f"extraction failed: {type(exc).__name__}: {exc}")
    return ContractReading(record_id=record_id, terms=terms, pages=len(document.pages))


def _read_as_json(record_id: str, pdf: bytes | None, fetch_error: str | None) -> str:
    """For worker processes: generic pydantic models (Cited[date]) do not pickle, their JSON does."""
    return read_signed_copy(record_id, pdf, fetch_error).model_dump_json()


class PendingReading:
    """A reading under way in a worker process, or already done in this one; kept in the cache once done."""

    def __init__(self, done: ContractReading | None = None, future: Future[str] | None = None,
                 keep: Callable[[ContractReading], None] | None = None, parses: bool = False) -> None:
        self._done, self._future, self._keep = done, future, keep
        self.parses = parses  # a PDF is (or was) parsed for it, rather than taken from the cache
        if done is not None:
            self._kept(done)

    def result(self) -> ContractReading:
        if self._done is None:
            assert self._future is not None
            self._done = ContractReading.model_validate_json(self._future.result())
            self._kept(self._done)
        return self._done

    def _kept(self, reading: ContractReading) -> None:
        if self._keep is not None and not reading.from_cache and worth_keeping(reading.terms is not None,
                                                                                reading.document_error):
            self._keep(reading)


class Readers:
    """Reads signed copies, in `workers` processes when more than one is asked for: `submit` returns at once,
    so the caller can download the next file (or write the previous batch) while the workers parse."""

    def __init__(self, executor: Executor | None, cache: ReadingCache | None = None, reread: bool = False) -> None:
        self._executor, self._cache, self._reread = executor, cache, reread

    def submit(self, record_id: str, pdf: bytes | None, fetch_error: str | None) -> PendingReading:
        keep = None
        if pdf is not None and self._cache is not None:
            cache, digest = self._cache, document_sha256(pdf)
            held = None if self._reread else cache.get(digest)
            if held is not None:
                reading = ContractReading.model_validate_json(held)
                error = reading.document_error  # a kept refusal names the record it was first read for
                return PendingReading(done=reading.model_copy(update={
                    "record_id": record_id, "from_cache": True,
                    "document_error": error.replace(reading.record_id, record_id) if error else None}))

            def keep(reading: ContractReading) -> None:
                cache.put(digest, reading.model_dump_json())
        if self._executor is None:
            return PendingReading(done=read_signed_copy(record_id, pdf, fetch_error), keep=keep,
                                  parses=pdf is not None)
        return PendingReading(future=self._executor.submit(_read_as_json, record_id, pdf, fetch_error), keep=keep,
                              parses=pdf is not None)


@contextmanager
def readers(workers: int, cache: ReadingCache | None = None, reread: bool = False) -> Iterator[Readers]:
    """`reread`: parse every file even when the cache holds its reading (the fresh reading replaces it)."""
    if workers <= 1:
        yield Readers(None, cache, reread)
        return
    # spawn, not fork: the parent may hold locks in other threads (HTTP clients, in-process sandboxes)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield Readers(pool, cache, reread)
