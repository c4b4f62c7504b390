"""Playbook rules as a drafter and risk reviewer see them: loaders, selection, risk, policy, special terms, clauses."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from playbook_store.clause_choice import (
    EXCEEDS_PLAYBOOK_RULE,
    choose_clause,
    choose_clauses,
    negotiated_clauses_text,
)
from playbook_store.loader import (
    CLAUSES_DIR,
    RULES_DIR,
    PlaybookError,
    load_clause_library,
    load_risk_rules,
    load_selection_rules,
    validate_playbook,
)
from playbook_store.models import DealFacts
from playbook_store.policy import decide_approval
from playbook_store.risk import assess_risk
from playbook_store.selection import select_templates
from playbook_store.special_terms import parse_special_terms


def facts(**overrides: Any) -> DealFacts:
    base: dict[str, Any] = {"region": "North America", "deal_type": "new_business", "total_contract_value": 60000.0}
    return DealFacts(**(base | overrides))


# --- loaders ---------------------------------------------------------------------------------------------------


def test_shipped_playbook_validates_and_covers_every_clause_type() -> None:
    validate_playbook()
    library = load_clause_library()
    assert len(library.families) == 9
    assert all(len(f.fallbacks) >= 1 for f in library.families.values())


def _copy(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target)
    return target


def test_clause_file_with_out_of_range_default_fails_naming_the_file(tmp_path: Path) -> None:
    directory = _copy(tmp_path, CLAUSES_DIR)
    path = directory / "payment_terms.yaml"
    data = yaml.safe_load(path.read_text())
    data["positions"][0]["parameters"]["days"]["default"] = 90
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(PlaybookError, match="payment_terms.yaml"):
        load_clause_library(directory)


def test_clause_text_placeholder_without_parameter_fails(tmp_path: Path) -> None:
    directory = _copy(tmp_path, CLAUSES_DIR)
    path = directory / "sla.yaml"
    path.write_text(path.read_text().replace("{{uptime_percent}}%", "{{uptime}}%", 1))
    with pytest.raises(PlaybookError, match="SLA-STD"):
        load_clause_library(directory)


def test_missing_clause_type_fails(tmp_path: Path) -> None:
    directory = _copy(tmp_path, CLAUSES_DIR)
    (directory / "indemnity.yaml").unlink()
    with pytest.raises(PlaybookError, match="indemnity"):
        load_clause_library(directory)


def test_unparseable_yaml_fails(tmp_path: Path) -> None:
    directory = _copy(tmp_path, CLAUSES_DIR)
    (directory / "sla.yaml").write_text("clause_type: sla\npositions: [unclosed\n")
    with pytest.raises(PlaybookError, match="sla.yaml"):
        load_clause_library(directory)


def test_risk_rule_with_unknown_check_or_bad_params_fails(tmp_path: Path) -> None:
    directory = _copy(tmp_path, RULES_DIR)
    path = directory / "risk.yaml"
    original = path.read_text()
    path.write_text(original.replace("check: sla_above", "check: sla_way_above"))
    with pytest.raises(PlaybookError, match="sla_way_above"):
        load_risk_rules(directory)
    path.write_text(original.replace("params: {percent: 99.9}", "params: {pct: 99.9}"))
    with pytest.raises(PlaybookError, match="RISK-SLA-ABOVE-STANDARD"):
        load_risk_rules(directory)


def test_selection_rule_naming_unknown_template_or_field_fails(tmp_path: Path) -> None:
    directory = _copy(tmp_path, RULES_DIR)
    path = directory / "selection.yaml"
    original = path.read_text()
    path.write_text(original.replace("template: nda", "template: sow"))
    with pytest.raises(PlaybookError, match="sow"):
        load_selection_rules(directory)
    path.write_text(original.replace("{deal_type} deal: evaluations", "{deal_kind} deal: evaluations"))
    with pytest.raises(PlaybookError, match="deal_kind"):
        load_selection_rules(directory)


# --- template selection ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deal", "templates", "first_rule"),
    [
        (facts(deal_type="evaluation", region="EMEA"), ["nda"], "SEL-EVAL-NDA"),
        (facts(deal_type="new_business"), ["msa"], "SEL-NEW-BUSINESS-MSA"),
        (facts(deal_type="new_business", region="EMEA"), ["msa", "dpa"], "SEL-NEW-BUSINESS-MSA"),
        (facts(deal_type="new_business", product_families=["Analytics"]), ["msa", "dpa"], "SEL-NEW-BUSINESS-MSA"),
        (facts(deal_type="expansion", has_existing_msa=True, region="EMEA"), ["order_form"], "SEL-UNDER-MSA-ORDER-FORM"),
        (facts(deal_type="renewal", has_existing_msa=True), ["order_form"], "SEL-UNDER-MSA-ORDER-FORM"),
        (facts(deal_type="expansion", has_existing_msa=False), ["msa"], "SEL-NO-MSA-ON-FILE"),
    ],
)
def test_selection_picks_templates_with_rule_and_reason(deal: DealFacts, templates: list[str], first_rule: str) -> None:
    selection = select_templates(deal)
    assert selection.template_keys == templates
    assert selection.rule_ids[0] == first_rule
    assert len(selection.reasons) == len(templates) and all(selection.reasons)


def test_selection_reason_names_the_deal() -> None:
    reason = select_templates(facts(total_contract_value=180000.0)).reasons[0]
    assert "USD 180,000" in reason


# --- risk rules --------------------------------------------------------------------------------------------------

RISK_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("RISK-LOL-BELOW-FLOOR", {"requested_liability_cap_multiple": 0.5}, {"requested_liability_cap_multiple": 1.0}),
    ("RISK-LOL-ABOVE-FALLBACK", {"requested_liability_cap_multiple": 3}, {"requested_liability_cap_multiple": 2}),
    ("RISK-LOL-UNCAPPED", {"special_terms": "Unlimited liability for data breaches."}, {"special_terms": "Cap liability at 1x."}),
    ("RISK-IND-UNCAPPED", {"uncapped_indemnity_requested": True}, {"requested_indemnity_cap_multiple": 2}),
    ("RISK-PAY-BEYOND-60", {"payment_terms_days": 75}, {"payment_terms_days": 60}),
    ("RISK-PAY-BEYOND-30", {"payment_terms_days": 45}, {"payment_terms_days": 75}),
    ("RISK-DISCOUNT-OVER-30", {"max_discount_percent": 31}, {"max_discount_percent": 30}),
    ("RISK-LAW-NONSTANDARD", {"governing_law_requested": "Germany"}, {"governing_law_requested": "New York"}),
    ("RISK-LAW-UNSUPPORTED", {"governing_law_requested": "Brazil"}, {"governing_law_requested": "Germany"}),
    ("RISK-RENEWAL-OVER-12", {"requested_auto_renewal_term_months": 24}, {"requested_auto_renewal_term_months": 12}),
    ("RISK-SLA-ABOVE-STANDARD", {"sla_uptime_requested": 99.95}, {"sla_uptime_requested": 99.9}),
    ("RISK-TERM-OVER-36", {"term_months": 48}, {"term_months": 36}),
    ("RISK-TFC-REQUESTED", {"special_terms": "Customer may terminate for convenience."}, {"special_terms": "Termination for cause only."}),
    ("RISK-BREACH-NOTICE-SHORT", {"breach_notice_hours_requested": 24}, {"breach_notice_hours_requested": 72}),
    ("RISK-CONFIDENTIALITY-LONG", {"confidentiality_years_requested": 7}, {"confidentiality_years_requested": 5}),
    ("RISK-SPECIAL-TERMS-UNREAD", {"special_terms": "Source code escrow is requested for the connector."},
     {"special_terms": "Net 45 payment terms; thanks."}),
]


def test_every_risk_rule_has_a_case() -> None:
    assert {r.id for r in load_risk_rules().rules} == {case[0] for case in RISK_CASES}


@pytest.mark.parametrize(("rule_id", "firing", "quiet"), RISK_CASES, ids=[c[0] for c in RISK_CASES])
def test_risk_rule_fires_and_stays_quiet(rule_id: str, firing: dict[str, Any], quiet: dict[str, Any]) -> None:
    fired = {f.rule_id: f for f in assess_risk(facts(**firing)).findings}
    assert rule_id in fired
    assert fired[rule_id].evidence and fired[rule_id].message
    assert rule_id not in {f.rule_id for f in assess_risk(facts(**quiet)).findings}


def test_standard_deal_has_no_findings_and_zero_score() -> None:
    assessment = assess_risk(facts(payment_terms_days=30, governing_law_requested="Delaware", term_months=12))
    assert assessment.findings == [] and assessment.score == 0


def test_findings_from_special_terms_point_at_their_text() -> None:
    text = "Standard paper except: net 75 and 99.95% uptime."
    findings = {f.rule_id: f for f in assess_risk(facts(special_terms=text)).findings}
    span = findings["RISK-PAY-BEYOND-60"].evidence[0].span
    assert span is not None and text[span.start : span.end] == "net 75"
    assert findings["RISK-SLA-ABOVE-STANDARD"].evidence[0].span.text == "99.95% uptime"


def test_crm_field_wins_over_special_terms() -> None:
    assessment = assess_risk(facts(payment_terms_days=30, special_terms="net 90"))
    assert not [f for f in assessment.findings if f.rule_id.startswith("RISK-PAY")]


def test_region_decides_which_governing_law_is_standard() -> None:
    assert not assess_risk(facts(region="EMEA", governing_law_requested="Ireland")).findings
    ids = {f.rule_id for f in assess_risk(facts(region="APAC", governing_law_requested="Ireland")).findings}
    assert ids == {"RISK-LAW-NONSTANDARD"}


# --- approval policy --------------------------------------------------------------------------------------------


def test_standard_small_deal_is_auto_approved() -> None:
    deal = facts()
    decision = decide_approval(deal, assess_risk(deal))
    assert decision.route == "auto_approve" and decision.approver_role is None


def test_medium_finding_goes_to_deal_desk() -> None:
    deal = facts(max_discount_percent=35)
    decision = decide_approval(deal, assess_risk(deal))
    assert decision.route == "deal_desk" and decision.approver_role == "deal_desk"
    assert any("RISK-DISCOUNT-OVER-30" in r for r in decision.reasons)


def test_high_finding_goes_to_legal() -> None:
    deal = facts(uncapped_liability_requested=True, max_discount_percent=35)
    decision = decide_approval(deal, assess_risk(deal))
    assert decision.route == "legal" and decision.approver_role == "legal"
    assert any("RISK-LOL-UNCAPPED" in r for r in decision.reasons)
    assert any("RISK-DISCOUNT-OVER-30" in r for r in decision.reasons)


@pytest.mark.parametrize(("value", "route"), [(249999.99, "auto_approve"), (250000.0, "legal")])
def test_contract_value_threshold_goes_to_legal(value: float, route: str) -> None:
    deal = facts(total_contract_value=value)
    assert decide_approval(deal, assess_risk(deal)).route == route


def test_fallback_clause_approval_level_raises_the_route() -> None:
    deal = facts(special_terms="Liability cap 1.5x fees.")
    choices = choose_clauses(parse_special_terms(deal.special_terms))
    assert [c.clause_id for c in choices] == ["LOL-FB1"]
    decision = decide_approval(deal, assess_risk(deal), choices)
    assert decision.route == "deal_desk"
    assert any("LOL-FB1" in r for r in decision.reasons)


# --- special terms ----------------------------------------------------------------------------------------------

PARSE_CASES = [
    ("liability cap 2x fees", "limitation_of_liability", 2, False),
    ("cap our liability at two (2) times annual fees", "limitation_of_liability", 2, False),
    ("uncapped liability", "limitation_of_liability", None, True),
    ("net 75", "payment_terms", 75, False),
    ("payment within forty-five days of invoice", "payment_terms", 45, False),
    ("99.95% uptime", "sla", 99.95, False),
    ("availability commitment of 99.99%", "sla", 99.99, False),
    ("termination for convenience on 60 days' notice", "termination", 60, False),
    ("German law", "governing_law", "Germany", False),
    ("governed by the laws of the State of Texas", "governing_law", "Texas", False),
    ("auto-renew for 2 years", "auto_renewal", 24, False),
    ("no auto-renewal", "auto_renewal", 0, False),
    ("uncapped indemnity for IP claims", "indemnity", None, True),
    ("indemnity capped at 3x fees", "indemnity", 3, False),
    ("notify us of any breach within 24 hours", "data_protection", 24, False),
    ("confidentiality to survive seven (7) years", "confidentiality", 7, False),
]


@pytest.mark.parametrize(("phrase", "clause_type", "value", "unlimited"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES])
def test_special_term_is_parsed_with_its_span(phrase: str, clause_type: str, value: Any, unlimited: bool) -> None:
    text = f"Per customer redlines: {phrase}. Everything else standard."
    [request] = parse_special_terms(text)
    assert (request.clause_type, request.value, request.unlimited) == (clause_type, value, unlimited)
    assert text[request.span.start : request.span.end] == request.span.text
    assert request.span.text.lower() in phrase.lower() or phrase.lower() in request.span.text.lower()


def test_several_terms_come_back_in_reading_order_without_overlap() -> None:
    text = "Indemnity capped at 3x; liability cap 2x fees; net 45; English law."
    requests = parse_special_terms(text)
    assert [r.clause_type for r in requests] == ["indemnity", "limitation_of_liability", "payment_terms", "governing_law"]
    starts = [r.span.start for r in requests]
    assert starts == sorted(starts)


@pytest.mark.parametrize("text", ["", "Please send the order form by Friday.", "Case law applies.", "net new logo"])
def test_text_without_requests_yields_none(text: str) -> None:
    assert parse_special_terms(text) == []


# --- clause choice ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "clause_id", "within"),
    [
        ("liability cap 1x fees", "LOL-STD", True),
        ("liability cap 2x fees", "LOL-FB1", True),
        ("liability cap 3x fees", "LOL-FB2", True),
        ("unlimited liability", "LOL-FB2", False),
        ("net 30", "PAY-STD", True),
        ("net 45", "PAY-FB1", True),
        ("net 90", "PAY-FB2", False),
        ("no auto-renewal", "REN-FB1", True),
        ("auto-renew for 36 months", "REN-FB2", False),
        ("German law", "LAW-FB1", True),
        ("governed by the laws of Brazil", "LAW-STD", False),
        ("terminate for convenience", "TERM-FB1", True),
        ("99.99% uptime", "SLA-FB2", True),
    ],
)
def test_closest_approved_clause_is_chosen(phrase: str, clause_id: str, within: bool) -> None:
    [request] = parse_special_terms(phrase)
    choice = choose_clause(request)
    assert (choice.clause_id, choice.within_playbook) == (clause_id, within)
    assert choice.clause_version >= 1 and "{{" not in choice.text
    assert (choice.finding is None) == within
    if not within:
        assert choice.finding is not None and choice.finding.rule_id == EXCEEDS_PLAYBOOK_RULE
        assert choice.finding.evidence[0].span == request.span


def test_chosen_clause_is_rendered_with_the_requested_value() -> None:
    [request] = parse_special_terms("net 45")
    assert "net 45 days" in choose_clause(request).text
    [request] = parse_special_terms("net 90")
    assert "net 60 days" in choose_clause(request).text  # furthest fallback, at its limit


def test_governing_law_clause_reads_like_a_contract() -> None:
    [request] = parse_special_terms("Customer insists on German law")
    assert "the laws of the Federal Republic of Germany" in choose_clause(request).text


def test_negotiated_clauses_text_letters_each_clause() -> None:
    choices = choose_clauses(parse_special_terms("net 45; 99.95% uptime"))
    text = negotiated_clauses_text(choices)
    assert text.startswith("(a) Payment Terms.") and "\n(b) Service Level Agreement." in text
    assert negotiated_clauses_text([]) == "None."
