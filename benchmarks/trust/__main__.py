"""`python -m benchmarks.trust [--quick] [--only NAME ...]`: run the trust suite and print its table of figures.

Each row is one figure: the scenario, what was measured, its value, what it must be, and whether it is. Exits 1
when any figure fails or a scenario could not run. The scenarios that need the Flow server share one.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack

# Offline, like the tests: no tracing, no telemetry, and no developer's .env or model endpoint.
for _key, _value in {"LANGSMITH_TRACING": "false", "LANGSMITH_TEST_TRACKING": "false",
                     "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "true", "HF_HUB_OFFLINE": "1",
                     "ANONYMIZED_TELEMETRY": "False", "CONTRACTLOOP_ENV_FILE": ""}.items():
    os.environ[_key] = _value
for _key in ("LANGSMITH_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_KEY"):
    os.environ.pop(_key, None)

from benchmarks.trust.harness import Harness  # noqa: E402
from benchmarks.trust.registry import ScenarioResult, scenarios  # noqa: E402


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table(results: list[ScenarioResult]) -> str:
    rows = [("scenario", "figure", "value", "expected", "pass")]
    for result in results:
        for figure in result.figures:
            rows.append((result.scenario, figure.name, _cell(figure.value), figure.expected,
                         "" if figure.expected == "info" else ("yes" if figure.passed else "NO")))
        if result.error:
            rows.append((result.scenario, "error", result.error[:100], "none", "NO"))
        rows.append((result.scenario, "scenario", f"{result.seconds:.1f} s", "all pass",
                     "yes" if result.passed else "NO"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    known = scenarios()
    parser = argparse.ArgumentParser(prog="python -m benchmarks.trust", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smaller variants the CI tests assert")
    parser.add_argument("--only", nargs="+", choices=sorted(known), metavar="NAME",
                        help=f"run only these scenarios ({', '.join(known)})")
    args = parser.parse_args(argv)
    chosen = [known[name] for name in known if not args.only or name in args.only]
    results: list[ScenarioResult] = []
    with ExitStack() as stack:
        harness = stack.enter_context(Harness.start()) if any(s.needs_server for s in chosen) else None
        for scenario in chosen:
            print(f"running {scenario.name}: {scenario.proves}", file=sys.stderr, flush=True)
            results.append(scenario.run(quick=args.quick, harness=harness))
    print(table(results))
    failed = [r.scenario for r in results if not r.passed]
    print(f"\n{len(results) - len(failed)} of {len(results)} scenarios pass" +
          (f"; failing: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
