"""A resume sent through LangGraph's own API (Studio, the SDK) is checked before the run is created.

Every interrupt in our graphs (the launch approval, the write-plan review) takes an `ApprovalResponse`.
A resume that is not one is answered 422 naming what is wrong, and the run stays where it was, waiting;
without this check the run would be created, fail on the resume, and leave the thread in error.
"""

from __future__ import annotations

from typing import Any

from core.approval_schemas import response_problems


def resume_problems(resume: Any) -> list[str]:
    """What is wrong with a resume value: the plain value, or a map of interrupt id to value."""
    if isinstance(resume, dict) and resume and all(_looks_like_interrupt_id(k) for k in resume):
        return [f"{interrupt_id}: {p}" for interrupt_id, value in resume.items() for p in response_problems(value)]
    return response_problems(resume)


def _looks_like_interrupt_id(key: str) -> bool:
    # Interrupt ids are 32 hex characters; our response's own keys are words.
    return len(key) == 32 and all(c in "0123456789abcdef" for c in key)
