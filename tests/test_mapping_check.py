"""Mapping-as-code is checked against the live Ironclad schemas and Salesforce describe: a renamed or mistyped
field fails loudly, naming it, instead of syncing null."""

from __future__ import annotations

from typing import Any

import pytest

from agents.drafter.mapping import MappingError
from agents.drafter.mapping_check import check_live_mapping, check_mapping
from playbook_store.templates import load_templates
from tests.fixtures.loop import Loop


def test_the_mapping_matches_the_sandbox_org_and_tenant(loop: Loop) -> None:
    loop.stack.salesforce.reset_usage()
    check_live_mapping(loop.salesforce, loop.ironclad)
    assert loop.stack.salesforce.api_calls <= 8  # one describe per object the mapping reads


def _schemas(loop: Loop) -> dict[str, dict[str, dict[str, Any]]]:
    return {t.id: {n: {"type": f.type, "required": f.required, "options": f.options.values if f.options else None}
                   for n, f in loop.ironclad.get_schema(t.id).fields.items()} for t in load_templates().values()}


def test_a_renamed_salesforce_field_fails_loudly(loop: Loop) -> None:
    schemas = _schemas(loop)

    def describe(sobject: str) -> dict[str, Any]:
        described = loop.salesforce.describe(sobject)
        if sobject == "Opportunity":  # an admin renamed Region__c to Sales_Region__c
            described["fields"] = [f for f in described["fields"] if f["name"] != "Region__c"]
        return described

    with pytest.raises(MappingError, match=r"Opportunity\.Region__c"):
        check_mapping(load_templates().values(), schemas.__getitem__, describe)


def test_a_retyped_ironclad_attribute_fails_loudly(loop: Loop) -> None:
    schemas = _schemas(loop)
    msa = load_templates()["msa"].id
    schemas[msa]["paymentTermsDays"]["type"] = "string"  # someone republished the template with a text field
    with pytest.raises(MappingError, match="msa.paymentTermsDays: mapping produces number but Ironclad expects string"):
        check_mapping(load_templates().values(), schemas.__getitem__, loop.salesforce.describe)
