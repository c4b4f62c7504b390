"""Template selection: which template(s) a deal is papered on, with the rule ids and reasons that decided it."""

from __future__ import annotations

from playbook_store.loader import load_selection_rules
from playbook_store.models import DealFacts, TemplateSelection


def select_templates(facts: DealFacts) -> TemplateSelection:
    """Primary template by the first matching rule in priority order, then every matching addendum.

    Raises ValueError when no primary rule matches: a deal we have no paper for must not be drafted on a guess.
    """
    rules = load_selection_rules()
    primary = next(
        (rule for rule in sorted(rules.primary, key=lambda r: r.priority) if rule.when.matches(facts)), None
    )
    if primary is None:
        raise ValueError(f"no template selection rule matches a {facts.deal_type} deal in {facts.region}")
    keys, rule_ids, reasons = [primary.template], [primary.id], [primary.explain(facts)]
    for addendum in rules.addenda:
        if addendum.when.matches(facts, primary_template=primary.template) and addendum.template not in keys:
            keys.append(addendum.template)
            rule_ids.append(addendum.id)
            reasons.append(addendum.explain(facts))
    return TemplateSelection(template_keys=keys, rule_ids=rule_ids, reasons=reasons)
