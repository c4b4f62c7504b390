"""Loads and validates the playbook data (clauses and rules). Anything malformed fails loudly, naming the file.

Call `validate_playbook()` at start-up so a bad edit stops the service instead of a contract mid-draft.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from playbook_store.clauses import CLAUSE_TYPES, ClauseFamily, ClauseLibrary
from playbook_store.compliance_rules import ComplianceRules
from playbook_store.positions import Positions
from playbook_store.renewal_rules import RenewalRules
from playbook_store.risk_checks import CHECKS
from playbook_store.rules import ApprovalPolicy, RiskRules, SelectionRules
from playbook_store.templates import load_templates

PLAYBOOK_DIR = Path(__file__).parent
CLAUSES_DIR = PLAYBOOK_DIR / "clauses"
RULES_DIR = PLAYBOOK_DIR / "rules"

M = TypeVar("M", bound=BaseModel)


class PlaybookError(ValueError):
    """The playbook data is malformed; the message names the file and the problem."""


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlaybookError(f"cannot read playbook file {path}: {exc}") from exc


def _validate(model: type[M], path: Path) -> M:
    try:
        return model.model_validate(_read_yaml(path))
    except ValidationError as exc:
        raise PlaybookError(f"invalid playbook file {path}: {exc}") from exc


@lru_cache(maxsize=4)
def load_clause_library(directory: Path = CLAUSES_DIR) -> ClauseLibrary:
    """Every clause type's standard and fallbacks; each clause id unique; every clause type present."""
    paths = sorted(directory.glob("*.yaml"))
    families: dict[str, ClauseFamily] = {}
    seen_ids: set[str] = set()
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        family = _validate(ClauseFamily, path)
        if family.clause_type in families:
            raise PlaybookError(f"{path}: clause type {family.clause_type} is defined twice")
        for position in family.positions:
            if position.id in seen_ids:
                raise PlaybookError(f"{path}: clause id {position.id} is defined twice")
            seen_ids.add(position.id)
        families[family.clause_type] = family
    missing = sorted(set(CLAUSE_TYPES) - set(families))
    if missing:
        raise PlaybookError(f"clause library in {directory} lacks clause types {missing}")
    return ClauseLibrary(families=families, content_hash=digest.hexdigest())


@lru_cache(maxsize=4)
def load_selection_rules(directory: Path = RULES_DIR) -> SelectionRules:
    path = directory / "selection.yaml"
    rules = _validate(SelectionRules, path)
    known = set(load_templates())
    all_rules = rules.primary + rules.addenda
    for rule in all_rules:
        if rule.template not in known:
            raise PlaybookError(f"{path}: rule {rule.id} names unknown template {rule.template!r}")
    if len({r.id for r in all_rules}) != len(all_rules):
        raise PlaybookError(f"{path}: duplicate rule ids")
    if any(not r.when.model_dump(exclude_none=True) for r in rules.addenda):
        raise PlaybookError(
            f"{path}: an addendum rule without conditions would add its template to every deal"
        )
    return rules


@lru_cache(maxsize=4)
def load_risk_rules(directory: Path = RULES_DIR) -> RiskRules:
    path = directory / "risk.yaml"
    rules = _validate(RiskRules, path)
    if len({r.id for r in rules.rules}) != len(rules.rules):
        raise PlaybookError(f"{path}: duplicate rule ids")
    for rule in rules.rules:
        if rule.check not in CHECKS:
            raise PlaybookError(
                f"{path}: rule {rule.id} uses unknown check {rule.check!r}; known: {sorted(CHECKS)}"
            )
        try:
            CHECKS[rule.check][0].model_validate(rule.params)
        except ValidationError as exc:
            raise PlaybookError(f"{path}: rule {rule.id} has bad params: {exc}") from exc
    if set(rules.scoring) != {"low", "medium", "high"}:
        raise PlaybookError(f"{path}: scoring needs a weight for low, medium and high")
    return rules


@lru_cache(maxsize=4)
def load_policy(directory: Path = RULES_DIR) -> ApprovalPolicy:
    return _validate(ApprovalPolicy, directory / "policy.yaml")


@lru_cache(maxsize=4)
def load_renewal_rules(directory: Path = RULES_DIR) -> RenewalRules:
    return _validate(RenewalRules, directory / "renewal.yaml")


@lru_cache(maxsize=4)
def load_positions(directory: Path = RULES_DIR, clauses_dir: Path = CLAUSES_DIR) -> Positions:
    """The positions on inbound paper; every fallback names a clause-library position."""
    path = directory / "positions.yaml"
    positions = _validate(Positions, path)
    library = load_clause_library(clauses_dir)
    fallbacks = [p.fallback_clause for p in positions.nda] + [p.fallback_clause for p in positions.commercial]
    for clause_id in filter(None, fallbacks):
        try:
            library.position(clause_id)
        except KeyError:
            raise PlaybookError(f"{path}: fallback_clause {clause_id} is not in the clause library") from None
    return positions


@lru_cache(maxsize=4)
def load_compliance_rules(directory: Path = RULES_DIR) -> ComplianceRules:
    """Deal profiles and the clauses each requires (`compliance.yaml`)."""
    return _validate(ComplianceRules, directory / "compliance.yaml")


def validate_playbook() -> None:
    """Load everything once; raises PlaybookError (or ValueError for templates) on the first problem."""
    load_templates()
    load_clause_library()
    load_selection_rules()
    load_risk_rules()
    load_policy()
    load_renewal_rules()
    load_positions()
    load_compliance_rules()
