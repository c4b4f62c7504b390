"""The trust suite's scenarios: each proves one claim, measured as named figures with the value each must have.

A `Scenario` names what it proves and runs (`quick` for the CI variant, smaller but asserting the same rules);
its `ScenarioResult` holds `Figure`s, each with its measured value, what is expected, and whether it passed.
Scenarios that need the Flow server share one `Harness` when one is given (the command and the CI tests do).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks.trust.harness import Harness


@dataclass(frozen=True)
class Figure:
    name: str
    value: Any
    expected: str  # as printed: "0", "= 20", "<= 30 s", "info"
    passed: bool = True


def equal(name: str, value: Any, expected: Any) -> Figure:
    return Figure(name, value, f"= {expected}", value == expected)


def at_most(name: str, value: float, bound: float, unit: str = "") -> Figure:
    return Figure(name, value, f"<= {bound:g}{unit}", value <= bound)


def at_least(name: str, value: float, bound: float, unit: str = "") -> Figure:
    return Figure(name, value, f">= {bound:g}{unit}", value >= bound)


def info(name: str, value: Any) -> Figure:
    """A figure shown for context (what was sent, how long it took); it has no pass rule."""
    return Figure(name, value, "info", True)


@dataclass
class ScenarioResult:
    scenario: str
    figures: list[Figure] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None  # the scenario could not run to the end; it fails

    @property
    def passed(self) -> bool:
        return self.error is None and all(f.passed for f in self.figures)

    def figure(self, name: str) -> Figure:
        return next(f for f in self.figures if f.name == name)

    def value(self, name: str) -> Any:
        return self.figure(name).value


Runner = Callable[..., list[Figure]]


@dataclass(frozen=True)
class Scenario:
    name: str
    proves: str
    runner: Runner  # runner(quick, harness) -> figures
    needs_server: bool = False  # uses the Flow server (`langgraph dev` over the sandboxes)

    def run(self, quick: bool = False, harness: Harness | None = None) -> ScenarioResult:
        started = time.monotonic()
        result = ScenarioResult(self.name)
        try:
            if self.needs_server and harness is None:
                from benchmarks.trust.harness import Harness

                with Harness.start() as own:
                    result.figures = self.runner(quick, own)
            else:
                result.figures = self.runner(quick, harness)
        except Exception as exc:  # a scenario that crashes fails, with its reason, and the others still run
            result.error = f"{type(exc).__name__}: {exc}"[:500]
        result.seconds = time.monotonic() - started
        return result


def scenarios() -> dict[str, Scenario]:
    """Every scenario, in the order the table prints them."""
    from benchmarks.trust import (
        documents,
        faults,
        fuzz,
        idempotency,
        injection_scenario,
        pii_scenario,
        webhooks,
    )

    found = [idempotency.SCENARIO, faults.SCENARIO, webhooks.SCENARIO, fuzz.SCENARIO, injection_scenario.SCENARIO,
             pii_scenario.SCENARIO, documents.SCENARIO]
    return {s.name: s for s in found}
