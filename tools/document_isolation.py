"""Parse an untrusted document in another process, with a memory limit, a CPU limit and a wall-clock timeout.

pypdf and python-docx are pure-Python parsers with their own caps, but a crafted file can still make them spend
minutes or gigabytes inside one call, where no check of ours runs. So the parse runs elsewhere: a *reader worker*
(`python -m tools.document_isolation`, started on first use and reused) is a clean, single-threaded process with
the parsers imported and warmed up. Per document it sets its own RLIMIT_AS (its baseline after warm-up plus
`max_memory_bytes`) and RLIMIT_CPU (what it has used plus the time budget), and parses with `read_in_process`
under the caps. The caller waits `timeout_seconds` (+ a small grace) and otherwise kills it; a worker that ran out
of memory answers (or dies) and is replaced. Every such end is a `DocumentError` for the caller, never a hang.

A reused worker keeps its heap warm, so a normal document costs about what it costs in-process (a fork per
document measured ~25 ms more on a 15-page PDF, mostly page faults on fresh memory).
"""

from __future__ import annotations

import atexit
import contextlib
import io
import math
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, NamedTuple

from tools.document_errors import ERRORS_BY_REASON, DocumentError, DocumentTimeoutError, DocumentTooLargeError
from tools.document_limits import DocumentLimits
from tools.document_model import Document
from tools.document_reader import read_in_process

_HEADER = struct.Struct(">Q")
_GRACE_SECONDS = 2.0  # the reader's own deadline (checked between pages) fires first; the kill is the backstop
_STARTUP_SECONDS = 120.0  # a cold start on a loaded machine: interpreter, parsers, warm-up
_MAX_IDLE_WORKERS = max(2, os.cpu_count() or 2)
_PROJECT_ROOT = Path(__file__).resolve().parent.parent

Outcome = tuple[str, str, str]  # ("ok", document JSON, "") or ("refused", reason, message)


class ReaderStats(NamedTuple):
    """What one isolated read cost, as the worker saw it (for benchmarks and logs)."""

    seconds: float           # request to answer, in the worker
    peak_rss_bytes: int      # the worker's peak resident set while reading (its baseline included)


# --- the caller's side ---------------------------------------------------------------------------------------

class _Worker:
    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen([sys.executable, "-m", "tools.document_isolation"], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.pid = os.getpid()
        assert self.process.stdout is not None
        try:  # the worker says when it has warmed up, so its start never counts against a document's budget
            _read_frame(self.process.stdout.fileno(), time.monotonic() + _STARTUP_SECONDS)
        except (OSError, EOFError, TimeoutError) as exc:
            self.close()
            raise DocumentError(f"the document reader did not start ({type(exc).__name__}: {exc})") from exc

    def ask(self, request: tuple[bytes, str | None, str], wait: float) -> tuple[Outcome, ReaderStats, bool]:
        assert self.process.stdin is not None and self.process.stdout is not None
        _write_frame(self.process.stdin, request)
        outcome, stats, retire = _read_frame(self.process.stdout.fileno(), time.monotonic() + wait)
        return outcome, ReaderStats(*stats), retire

    def close(self) -> int:
        """Stop the worker (killing it if it is still reading); its exit status, negative for a signal."""
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        return code


_idle: list[_Worker] = []
_idle_lock = threading.Lock()


def read_isolated(data: bytes, source: str | None, limits: DocumentLimits) -> Document:
    """`read_in_process` in a limited child process; returns a `Document` or raises the `DocumentError`."""
    return read_isolated_with_stats(data, source, limits)[0]


def read_isolated_with_stats(data: bytes, source: str | None, limits: DocumentLimits) -> tuple[Document, ReaderStats]:
    """As `read_isolated`, with what the read cost; a refusal is still raised (its `stats` set when known)."""
    worker = _take_worker()
    started = time.monotonic()
    try:
        (status, first, second), stats, retire = worker.ask((data, source, limits.model_dump_json()),
                                                            limits.timeout_seconds + _GRACE_SECONDS)
    except TimeoutError as exc:
        worker.close()
        error: DocumentError = DocumentTimeoutError(
            f"reading took longer than the {limits.timeout_seconds:g} s budget and was stopped", source=source)
        error.stats = ReaderStats(time.monotonic() - started, 0)
        raise error from exc
    except (OSError, EOFError, pickle.UnpicklingError) as exc:
        error = _death(worker.close(), limits, source)
        error.stats = ReaderStats(time.monotonic() - started, 0)
        raise error from exc
    if retire:
        worker.close()
    else:
        _return_worker(worker)
    if status == "ok":
        return Document.model_validate_json(first), stats
    error = ERRORS_BY_REASON.get(first, DocumentError)(second, source=source)
    error.stats = stats
    raise error


def _death(code: int, limits: DocumentLimits, source: str | None) -> DocumentError:
    """The worker died while reading: out of CPU (SIGXCPU) is the time budget, anything else the memory one."""
    if code == -signal.SIGXCPU:
        return DocumentTimeoutError(f"reading used more than its {_cpu_seconds(limits)} s of CPU and was stopped",
                                    source=source)
    how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
    return DocumentTooLargeError(f"reading it exceeded the reader's memory budget ({how})", source=source)


def _take_worker() -> _Worker:
    with _idle_lock:
        while _idle:
            worker = _idle.pop()
            if worker.pid == os.getpid() and worker.process.poll() is None:
                return worker
    return _Worker()  # concurrent callers each get their own worker; they are kept for reuse


def _return_worker(worker: _Worker) -> None:
    with _idle_lock:
        keep = len(_idle) < _MAX_IDLE_WORKERS
        if keep:
            _idle.append(worker)
    if not keep:  # a burst of concurrent readers leaves at most a few warm workers behind
        worker.close()


@atexit.register
def _close_workers() -> None:
    with _idle_lock:
        workers = [w for w in _idle if w.pid == os.getpid()]
        _idle.clear()
    for worker in workers:
        worker.close()


# --- framing: an 8-byte length, then a pickle (both ends are this module) -------------------------------------

def _write_frame(stream: IO[bytes], value: Any) -> None:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError("no answer from the document reader in time")
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the document reader closed its pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int, deadline: float | None) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size, deadline))
    return pickle.loads(_read_exactly(fd, size, deadline))


# --- the worker's side -----------------------------------------------------------------------------------------

def _serve() -> None:
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a parser prints goes to stderr, never into the reply pipe
    _warm_up()
    baseline = _address_space_bytes()
    _write_frame(replies, "ready")
    requests = sys.stdin.buffer.fileno()
    while True:
        try:
            data, source, limits_json = _read_frame(requests, None)
        except EOFError:
            return  # the caller went away
        limits = DocumentLimits.model_validate_json(limits_json)
        _limit_resources(limits, baseline)
        _reset_peak_rss()
        started = time.monotonic()
        outcome, retire = _outcome(data, source, limits)
        stats = ReaderStats(time.monotonic() - started, _peak_rss())
        _write_frame(replies, (outcome, tuple(stats), retire))
        if retire:
            return  # after a MemoryError a fresh worker is cheaper than trusting this heap


def _warm_up() -> None:
    """Read a tiny PDF and DOCX once, so every module the parsers import lazily (fonts, codecs, unicodedata) is
    loaded before any memory limit applies: a document must not fail on an import."""
    import docx

    content = b"BT /F1 12 Tf 72 720 Td (warm) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    pdf = b"%PDF-1.4\n" + b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, o) for n, o in enumerate(objects, start=1))
    word = docx.Document()
    word.add_paragraph("warm")
    buffer = io.BytesIO()
    word.save(buffer)
    for data in (pdf + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n", buffer.getvalue()):
        with contextlib.suppress(Exception):  # warming up is best effort
            read_in_process(data)


def _outcome(data: bytes, source: str | None, limits: DocumentLimits) -> tuple[Outcome, bool]:
    """The answer for one document, and whether this worker should retire after it."""
    try:
        return _read_outcome(data, source, limits), False
    except MemoryError:
        return ("refused", "too_large", f"reading it needed more than the {limits.max_memory_bytes:,}-byte "
                                        "memory budget"), True


def _read_outcome(data: bytes, source: str | None, limits: DocumentLimits) -> Outcome:
    try:
        document = read_in_process(data, source=None, limits=limits)
    except DocumentError as exc:
        if exc.reason == "too_large" and isinstance(exc.__cause__, MemoryError):
            raise MemoryError from exc  # the heap may be damaged: retire this worker
        return ("refused", exc.reason, exc.detail)
    except MemoryError:
        raise
    except RecursionError:
        return ("refused", "corrupt", "unreadable (structures nested too deeply)")
    except Exception as exc:  # noqa: BLE001  (any parser failure on this input means the file is unreadable)
        return ("refused", "corrupt", f"unreadable ({type(exc).__name__}: {exc})")
    return ("ok", document.model_copy(update={"source": source}).model_dump_json(), "")


def _limit_resources(limits: DocumentLimits, baseline: int | None) -> None:
    """Soft limits for the next document; the hard limits stay open so the next request can set its own."""
    import resource

    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(used.ru_utime + used.ru_stime) + _cpu_seconds(limits)
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu if cpu_hard == resource.RLIM_INFINITY else min(cpu, cpu_hard),
                                             cpu_hard))
    if baseline is not None:
        _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = baseline + limits.max_memory_bytes
        # Some platforms (macOS) refuse or ignore RLIMIT_AS; the caps and the timeout still hold there.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (cap if as_hard == resource.RLIM_INFINITY
                                                    else min(cap, as_hard), as_hard))


def _reset_peak_rss() -> None:
    with contextlib.suppress(OSError):  # Linux: "5" resets VmHWM, the peak resident set
        Path("/proc/self/clear_refs").write_text("5")


def _peak_rss() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _cpu_seconds(limits: DocumentLimits) -> int:
    return int(limits.timeout_seconds + _GRACE_SECONDS)


def _address_space_bytes() -> int | None:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


if __name__ == "__main__":
    _serve()
