"""A write plan narrowed to what the rollout mode allows, for a run that should go on without the rest.

The Salesforce client refuses a plan with any refused operation (core/rollout.py); a run that would rather write
what it may (read-only: the insight and its obligations, not the Account or Opportunity fields) narrows its plan
here first and records each refused operation with its reason in the run's state.
"""

from __future__ import annotations

import re

from core.rollout import Rollout
from tools.write_plan import WriteOp, WritePlan

_REFERENCE_USE = re.compile(r"@\{([A-Za-z][A-Za-z0-9_]*)\.")


def narrow_plan(plan: WritePlan, rollout: Rollout) -> tuple[WritePlan | None, list[str]]:
    """(the plan with only the operations the mode allows, or None if none is left; why each other one is not)."""
    kept: list[WriteOp] = []
    dropped: set[str] = set()
    refusals: list[str] = []
    for op in plan.operations:
        reason = rollout.write_refusal(op.sobject, op.fields)
        used = set(_REFERENCE_USE.findall(" ".join(str(v) for v in op.fields.values())))
        if reason is None and used & dropped:  # it points at a record that will not be written
            reason = f"refers to {', '.join(sorted(used & dropped))}, which the rollout mode refused"
        if reason:
            dropped.add(op.ref)
            refusals.append(f"{op.ref} ({op.sobject}): {reason}")
        else:
            kept.append(op)
    if not kept:
        return None, refusals
    return plan.model_copy(update={"operations": kept}), refusals
