"""Test-wide setup: offline environment, and every fixture module under tests/fixtures/."""

import atexit
import os
import pkgutil
import shutil
import tempfile
from pathlib import Path

_AUDIT_DIR = tempfile.mkdtemp(prefix="contractloop-audit-")
atexit.register(shutil.rmtree, _AUDIT_DIR, True)  # each test session's log goes with it

for _key, _value in {
    "LANGSMITH_TRACING": "false",
    "LANGSMITH_TEST_TRACKING": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "LANGGRAPH_NO_VERSION_CHECK": "true",
    "HF_HUB_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    # A developer's own .env (a model endpoint, a real org) must not reach the tests or the servers they start.
    "CONTRACTLOOP_ENV_FILE": "",
    # Runs in tests append to a throwaway audit log, never the developer's <data dir>/audit.sqlite.
    "CONTRACTLOOP_AUDIT_PATH": str(Path(_AUDIT_DIR) / "audit.sqlite"),
}.items():
    os.environ[_key] = _value
os.environ.pop("LANGSMITH_API_KEY", None)
os.environ.pop("OPENAI_BASE_URL", None)
os.environ.pop("OPENAI_API_KEY", None)

# Each specialist area keeps its fixtures in its own module; load them all as plugins.
pytest_plugins = [
    f"tests.fixtures.{m.name}"
    for m in pkgutil.iter_modules([str(Path(__file__).parent / "fixtures")])
    if not m.name.startswith("_")
]
