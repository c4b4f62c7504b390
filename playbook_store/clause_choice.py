"""Offline clause choice: for each special-terms request, the closest approved clause, rendered.

The first position (standard, then fallbacks in order) whose parameters allow the request wins. When none does,
the position whose range comes closest is used at its nearest allowed value (an unlimited request takes the
furthest fallback at its maximum), with a finding that the request exceeds the playbook.
Jurisdictions have no "nearest", so an unknown one falls back to the standard clause at its default.
"""

from __future__ import annotations

from collections.abc import Sequence

from playbook_store.clauses import ClauseLibrary, ClausePosition
from playbook_store.loader import load_clause_library
from playbook_store.models import ClauseChoice, Evidence, Finding, TermRequest

EXCEEDS_PLAYBOOK_RULE = "PLAYBOOK-EXCEEDED"


def choose_clause(request: TermRequest, library: ClauseLibrary | None = None) -> ClauseChoice:
    library = library or load_clause_library()
    family = library.families[request.clause_type]
    candidates = [p for p in family.positions if request.parameter in p.parameters]
    if not candidates:
        raise ValueError(f"no {request.clause_type} position has a parameter {request.parameter!r}")

    if request.value is None and not request.unlimited:
        return _choice(request, candidates[0], {}, within=True)  # e.g. "terminate for convenience", no period
    if request.value is not None:
        for position in candidates:
            if position.parameters[request.parameter].allows(request.value):
                return _choice(request, position, {request.parameter: request.value}, within=True)

    parameter_type = candidates[0].parameters[request.parameter].type
    if parameter_type == "jurisdiction":
        position = family.standard
    elif request.unlimited or request.value is None:
        position = candidates[-1]
    else:
        # The position whose allowed range comes closest to the request; the more standard one on a tie.
        # A request below every range ("cap at 0.5x") lands on the standard, one above it on the furthest fallback.
        position = min(candidates, key=lambda p: _distance(p.parameters[request.parameter], request.value))
    parameter = position.parameters[request.parameter]
    if request.unlimited or request.value is None:
        value = parameter.default if parameter.max is None else parameter.max
    else:
        value = parameter.nearest_allowed(request.value)
    asked = "unlimited" if request.unlimited else str(request.value)
    finding = Finding(
        rule_id=EXCEEDS_PLAYBOOK_RULE,
        severity="high",
        title=f"{family.title} request beyond the playbook",
        message=(
            f"Requested {request.parameter.replace('_', ' ')} {asked} is not allowed by any approved "
            f"{family.title.lower()} position; drafted {position.id} with {parameter.render(value)} instead."
        ),
        evidence=[Evidence(field=f"special_terms.{request.clause_type}", value=asked, span=request.span)],
    )
    return _choice(request, position, {request.parameter: value}, within=False, finding=finding)


def _distance(parameter, value) -> float:
    low = parameter.min if parameter.min is not None else value
    high = parameter.max if parameter.max is not None else value
    return max(low - value, value - high, 0)


def _choice(
    request: TermRequest,
    position: ClausePosition,
    values: dict,
    *,
    within: bool,
    finding: Finding | None = None,
) -> ClauseChoice:
    chosen = {name: p.default for name, p in position.parameters.items()} | values
    return ClauseChoice(
        request=request,
        clause_id=position.id,
        clause_version=position.version,
        clause_title=position.title,
        approval=position.approval,
        values=chosen,
        text=position.render(chosen),
        within_playbook=within,
        finding=finding,
    )


def choose_clauses(
    requests: Sequence[TermRequest], library: ClauseLibrary | None = None
) -> list[ClauseChoice]:
    """One choice per request; for the same clause type and parameter, the first request in the text wins."""
    seen: set[tuple[str, str]] = set()
    choices: list[ClauseChoice] = []
    for request in requests:
        key = (request.clause_type, request.parameter)
        if key not in seen:
            seen.add(key)
            choices.append(choose_clause(request, library))
    return choices


def negotiated_clauses_text(choices: Sequence[ClauseChoice]) -> str:
    """The `negotiatedClauses` attribute value: lettered paragraphs headed by the clause family title."""
    library = load_clause_library()
    if not choices:
        return "None."
    paragraphs = [
        f"({chr(ord('a') + i)}) {library.families[c.request.clause_type].title}. {c.text}"
        for i, c in enumerate(choices)
    ]
    return "\n".join(paragraphs)
