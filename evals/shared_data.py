"""Where the shared evaluation data (CUAD, Kleister NDA, ...) lives: `../shared` beside the repository.

The data is too big to commit, so it sits next to the checkout (`<repo>/../shared/data/...`); set
`CONTRACTLOOP_SHARED_DATA` to point elsewhere. Callers that cannot work without it get an error naming the
directory that was searched, never a silent skip.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.settings import PROJECT_ROOT

ENV_VAR = "CONTRACTLOOP_SHARED_DATA"


class SharedDataMissingError(FileNotFoundError):
    """The shared data is not where we looked; the message says where and how to point elsewhere."""


def shared_root() -> Path:
    """`$CONTRACTLOOP_SHARED_DATA` if set, else `../shared` from the repository root."""
    configured = os.environ.get(ENV_VAR)
    return Path(configured).expanduser() if configured else PROJECT_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path inside the shared data, e.g. `shared_path("data", "cuad", "dev100")`; it may not exist."""
    return shared_root().joinpath(*parts)


def require_shared(*parts: str, marker: str | None = None) -> Path:
    """Like `shared_path`, but raise `SharedDataMissingError` unless it (or `marker` inside it) exists."""
    path = shared_path(*parts)
    probe = path / marker if marker else path
    if not probe.exists():
        how = (f"${ENV_VAR} is {os.environ[ENV_VAR]!r}" if os.environ.get(ENV_VAR)
               else f"../shared beside the repository; set ${ENV_VAR} to look elsewhere")
        raise SharedDataMissingError(f"shared data not found: looked for {probe} ({how})")
    return path
