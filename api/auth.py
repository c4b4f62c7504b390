"""API-key authentication, as a Salesforce Named Credential sends it (a custom `X-API-Key` header).

One check guards both our Flow routes and LangGraph's own API (`auth` in langgraph.json), so a caller who
cannot use the Flow routes cannot resume a run through `/threads/.../runs` either. With no key configured
the server fails closed. Studio's own scheme is switched off (`disable_studio_auth` in langgraph.json), so
Studio sends the key like any other client; `api.http_guard` checks it again in front of every route.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from langgraph_sdk import Auth

from api.resume_check import resume_problems
from core.settings import get_settings

API_KEY_HEADER = "X-API-Key"


class ApiKeyProblem(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def configured_key() -> str | None:
    key = get_settings().contractloop_api_key
    return key.get_secret_value() if key and key.get_secret_value() else None


def check_api_key(presented: str | None) -> None:
    """Raise ApiKeyProblem unless `presented` equals the configured key (compared in constant time)."""
    expected = configured_key()
    if expected is None:
        raise ApiKeyProblem(503, "the server has no CONTRACTLOOP_API_KEY configured; refusing all callers")
    if not presented:
        raise ApiKeyProblem(401, f"missing {API_KEY_HEADER} header")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise ApiKeyProblem(401, f"invalid {API_KEY_HEADER}")


def header_value(headers: Mapping[bytes, bytes] | Mapping[str, str], name: str = API_KEY_HEADER) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        key_text = key.decode("latin-1") if isinstance(key, bytes) else key
        if key_text.lower() == wanted:
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


auth = Auth()
RESUME_REFUSED = 422


@auth.authenticate
async def authenticate(headers: dict[bytes, bytes]) -> Auth.types.MinimalUserDict:
    try:
        check_api_key(header_value(headers))
    except ApiKeyProblem as problem:
        raise Auth.exceptions.HTTPException(status_code=problem.status_code, detail=problem.detail) from None
    return {"identity": "api-key", "display_name": "API key holder"}


@auth.on.threads.create_run
async def check_resume(ctx: Auth.types.AuthContext, value: Auth.types.RunsCreate) -> None:
    """A run that resumes an interrupt must carry a valid decision; anything else is refused before it starts."""
    command = (value.get("kwargs") or {}).get("command") or {}
    if isinstance(command, dict) and "resume" in command:
        problems = resume_problems(command["resume"])
        if problems:
            raise Auth.exceptions.HTTPException(
                status_code=RESUME_REFUSED,
                detail="resume refused; the run is still waiting: " + "; ".join(problems)[:2000])
