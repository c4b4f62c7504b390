"""The trust suite: what the loop promises under duplicates, faults, forged webhooks, fuzzing, hostile documents,
prompt injection and personal data, measured as figures over real HTTP to the sandboxes and the Flow server.

Run `python -m benchmarks.trust` (add `--quick` for the CI variants, `--only NAME` for some); the scenarios are
listed in `registry.scenarios()` and asserted by tests/test_trust_suite.py.
"""
