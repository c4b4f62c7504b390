"""Run one function from several threads at once and hand back what they raised (a test asserts none)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def failures_in_threads(target: Callable[[int], object], workers: int) -> list[BaseException]:
    """`target(n)` for n in range(workers), all started before any is joined."""
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            target(n)
        except BaseException as exc:  # surfaced to the caller
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures
