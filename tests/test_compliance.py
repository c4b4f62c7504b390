"""Required-clause compliance: deal profiles from the CRM, and each required clause attested by a verbatim quote
with its offsets and page, or missing with a blocking finding that names it, on drafts and executed contracts."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from core.contract_terms import Citation, ClauseFinding
from extraction.clause_finder import load_finder
from playbook_store.compliance import ComplianceReport, check_compliance, profiles_for
from playbook_store.compliance_rules import ComplianceDeal, ComplianceRules
from playbook_store.loader import RULES_DIR, PlaybookError, load_compliance_rules
from playbook_store.templates import load_templates
from tools.document_model import Document
from tools.salesforce.models import AccountInfo, LineItem, OpportunityBundle

MSA = load_templates()["msa"].body
DPA = load_templates()["dpa"].body
BAA_TERMS = ("Business Associate Agreement. Provider, as a business associate of Customer, shall use and disclose "
             "protected health information only as permitted by 45 C.F.R. Part 164, Subpart E.")


def _profile_ids(**deal: object) -> list[str]:
    return [p.id for p in profiles_for(ComplianceDeal.model_validate(deal))]


def _draft(special_terms: str = "", *addenda: str) -> str:
    """A draft as the drafter has it: the template text, its addenda, and the special terms."""
    return "\n\n".join([MSA, *addenda, *([f"Special terms: {special_terms}"] if special_terms else [])])


def _assert_verbatim(report: ComplianceReport, text: str) -> None:
    for check in report.attested:
        cited = check.attestation
        assert cited is not None and text[cited.start:cited.end] == cited.quote, check.requirement
        assert cited.quote == cited.quote.strip() and len(cited.quote) <= 500


# --- rules and profiles ---------------------------------------------------------------------------------------


def test_shipped_rules_name_only_categories_the_clause_finder_knows() -> None:
    rules = load_compliance_rules()
    assert {p.id for p in rules.profiles} == {"healthcare", "financial_services", "eu_personal_data", "standard"}
    named = {r.category for p in rules.profiles for r in p.requires if r.category}
    assert named and named <= set(load_finder().categories)


@pytest.mark.parametrize(("deal", "expected"), [
    ({"industry": "Healthcare", "billing_country": "United States"}, ["healthcare"]),
    ({"industry": "banking"}, ["financial_services"]),
    ({"industry": "Insurance", "billing_country": "Canada"}, ["financial_services"]),
    ({"industry": "Retail", "billing_country": "Germany"}, ["eu_personal_data"]),
    ({"industry": "Retail", "billing_country": " the  Netherlands "}, ["eu_personal_data"]),
    ({"industry": "Retail", "billing_country": "DE"}, ["eu_personal_data"]),
    ({"industry": "Healthcare", "billing_country": "France"}, ["healthcare", "eu_personal_data"]),
    ({"industry": "Retail", "billing_country": "United States"}, ["standard"]),
    ({"industry": "Retail", "billing_country": "Norway"}, ["eu_personal_data"]),  # YAML would read NO as false
    ({}, ["standard"]),
])
def test_profiles_come_from_account_industry_and_billing_country(deal: dict, expected: list[str]) -> None:
    assert _profile_ids(**deal) == expected


def test_profiles_from_the_opportunity_bundle() -> None:
    bundle = OpportunityBundle(
        id="006000000000001AAA", name="Deal", stage="Contracting",
        account=AccountInfo(id="001000000000001AAA", name="St. Mary Health", industry="Healthcare",
                            billing_country="Ireland"),
        line_items=[LineItem(id="00k000000000001AAA", product_name="Core", product_family="Platform",
                             quantity=Decimal(1), unit_price=Decimal(100), total_price=Decimal(100))])
    assert [p.id for p in profiles_for(bundle)] == ["healthcare", "eu_personal_data"]
    assert ComplianceDeal.from_bundle(bundle, data_processing=True).product_families == ["Platform"]


def test_a_profile_can_be_recognised_by_product_family_or_flag() -> None:
    rules = ComplianceRules.model_validate({"profiles": [
        {"id": "phi", "name": "PHI", "when": [{"product_families_any": ["Health Cloud"]}, {"data_processing": True}],
         "requires": [{"id": "baa", "clause": "BAA", "reason": "r", "phrases": ["Business Associate"]}]},
        {"id": "standard", "name": "Standard", "when": []}]})
    assert [p.id for p in rules.profiles_for(ComplianceDeal(product_families=["health cloud"]))] == ["phi"]
    assert [p.id for p in rules.profiles_for(ComplianceDeal(data_processing=True))] == ["phi"]
    assert [p.id for p in rules.profiles_for(ComplianceDeal(product_families=["Support"]))] == ["standard"]


def _broken_rules(tmp_path: Path, change: str) -> Path:
    directory = tmp_path / "rules"
    shutil.copytree(RULES_DIR, directory)
    path = directory / "compliance.yaml"
    data = yaml.safe_load(path.read_text())
    if change == "two fallbacks":
        data["profiles"][0]["when"] = []
    elif change == "unrecognisable clause":
        data["profiles"][0]["requires"][0]["phrases"] = []
    elif change == "empty condition":
        data["profiles"][0]["when"] = [{}]
    path.write_text(yaml.safe_dump(data))
    return directory


@pytest.mark.parametrize(("change", "complaint"), [
    ("two fallbacks", "exactly one profile must have no conditions"),
    ("unrecognisable clause", "can never be found"),
    ("empty condition", "would match every deal"),
])
def test_malformed_compliance_rules_fail_naming_the_file(tmp_path: Path, change: str, complaint: str) -> None:
    directory = _broken_rules(tmp_path, change)
    with pytest.raises(PlaybookError, match="compliance.yaml") as raised:
        load_compliance_rules(directory)
    assert complaint in str(raised.value)


# --- healthcare -----------------------------------------------------------------------------------------------


def test_healthcare_draft_without_a_baa_is_blocked_naming_it() -> None:
    report = check_compliance(profiles_for(ComplianceDeal(industry="Healthcare")), _draft())
    assert not report.compliant
    assert [b.message for b in report.blocking] == ["Healthcare deal: no Business Associate Agreement (BAA) found"]
    assert report.blocking[0].reason.startswith("HIPAA")
    assert [c.requirement for c in report.missing] == ["baa"]


def test_healthcare_draft_with_a_baa_in_the_special_terms_is_attested_verbatim() -> None:
    text = _draft(BAA_TERMS)
    report = check_compliance(profiles_for(ComplianceDeal(industry="Healthcare")), text)
    assert report.compliant and report.blocking == []
    (check,) = report.checks
    assert check.found_by == "phrases" and check.attestation is not None
    assert check.attestation.page == 1  # a draft is one page
    assert "protected health information" in check.attestation.quote
    assert set(check.evidence) >= {"Business Associate", "protected health information", "45 C.F.R."}
    _assert_verbatim(report, text)


def test_a_passing_mention_of_phi_is_no_baa() -> None:
    text = _draft("Customer shall not upload protected health information to the Services.")
    report = check_compliance(profiles_for(ComplianceDeal(industry="Healthcare")), text)
    assert [c.requirement for c in report.missing] == ["baa"]


# --- financial services ---------------------------------------------------------------------------------------

_EXECUTED_PAGES = [
    "MASTER SERVICES AGREEMENT\nThis Agreement is made between First Harbor Bank, N.A. (\"Bank\") and Acme "
    "Cloud Ltd (\"Supplier\").\n1. Services. Supplier shall provide the hosted services described in Exhibit A.",
    "2. Fees. Bank shall pay the fees in Exhibit B within thirty (30) days of invoice.\n"
    "3. Information Security. Supplier shall maintain a written information security program with\n"
    "administrative, technical and physical safeguards, and shall comply with the Security Addendum\n"
    "attached as Exhibit C.",
    "4. Term. This Agreement runs for three (3) years from the Effective Date.\n"
    "5. Records. Supplier shall keep complete books and records of the Services for six (6) years.",
]


def test_financial_services_contract_missing_audit_rights_is_blocked_naming_them() -> None:
    document = Document.from_pages(_EXECUTED_PAGES, media_type="application/pdf")
    report = check_compliance(profiles_for(ComplianceDeal(industry="Banking")), document.text, [], document.pages)
    assert [b.message for b in report.blocking] == ["Financial services deal: no Audit rights found"]
    security = next(c for c in report.checks if c.requirement == "security_addendum")
    assert security.attestation is not None and security.attestation.page == 2
    assert "information security program" in security.attestation.quote
    assert security.attestation.quote.startswith("3. Information Security.")
    _assert_verbatim(report, document.text)


def test_audit_rights_found_by_the_clause_finder_alone_cite_its_page() -> None:
    pages = [*_EXECUTED_PAGES, "6. Examination. Upon ten (10) days' notice the Bank and its regulators may examine "
                               "Supplier's facilities, systems and records relating to the Services."]
    document = Document.from_pages(pages, media_type="application/pdf")
    start = document.text.index("6. Examination.")
    end = document.text.index("the Services.", start) + len("the Services.")
    finding = ClauseFinding(category="Audit Rights", present=True, score=0.91, citations=[
        Citation(page=document.page_of(start), start=start, end=end, quote=document.text[start:end])])
    report = check_compliance(profiles_for(ComplianceDeal(industry="Finance")), document.text, [finding],
                              document.pages)
    audit = next(c for c in report.checks if c.requirement == "audit_rights")
    assert audit.found_by == "clause finder" and audit.attestation is not None
    assert audit.attestation.page == 4 and audit.evidence == ["Audit Rights (score 0.91)"]
    assert report.compliant
    _assert_verbatim(report, document.text)


def test_a_finding_whose_quote_is_not_in_this_text_attests_nothing() -> None:
    document = Document.from_pages(_EXECUTED_PAGES, media_type="application/pdf")
    stale = ClauseFinding(category="Audit Rights", present=True, score=0.9, citations=[
        Citation(page=1, start=0, end=25, quote="Bank may audit Supplier..")])
    absent = ClauseFinding(category="Audit Rights", present=False, score=0.1)
    for findings in ([stale], [absent]):
        report = check_compliance(profiles_for(ComplianceDeal(industry="Banking")), document.text, findings,
                                  document.pages)
        assert [c.requirement for c in report.missing] == ["audit_rights"]


def test_the_real_clause_finder_attests_audit_rights_in_the_msa() -> None:
    """The checker reads the finder's own findings: a rule that knows only the category still finds the clause."""
    rules = ComplianceRules.model_validate({"profiles": [
        {"id": "bank", "name": "Bank", "when": [{"industries": ["Banking"]}], "requires": [
            {"id": "audit", "clause": "Audit rights", "reason": "r", "category": "Audit Rights"}]},
        {"id": "standard", "name": "Standard", "when": []}]})
    document = Document.from_text(MSA)
    report = check_compliance(profiles_for(ComplianceDeal(industry="Banking"), rules), document.text,
                              load_finder().find(document), document.pages)
    (check,) = report.checks
    assert check.found_by == "clause finder" and check.attestation is not None
    assert "Customer may audit" in check.attestation.quote
    _assert_verbatim(report, document.text)


def test_the_standard_msa_states_audit_rights_but_no_security_addendum() -> None:
    report = check_compliance(profiles_for(ComplianceDeal(industry="Banking")), _draft())
    assert [b.message for b in report.blocking] == ["Financial services deal: no Security addendum found"]
    audit = next(c for c in report.checks if c.requirement == "audit_rights")
    assert audit.attestation is not None and audit.attestation.quote.startswith("8.3 Audit Rights. Once in any")
    _assert_verbatim(report, _draft())


# --- EU personal data -----------------------------------------------------------------------------------------


def test_eu_draft_with_the_dpa_is_attested() -> None:
    text = _draft("", DPA)
    report = check_compliance(profiles_for(ComplianceDeal(billing_country="Germany")), text)
    assert report.compliant
    (check,) = report.checks
    assert check.requirement == "dpa" and check.attestation is not None and check.attestation.page == 1
    assert check.attestation.start > len(MSA)  # in the DPA itself, not the MSA's reference to it
    assert len(check.evidence) >= 2
    _assert_verbatim(report, text)


def test_an_msa_that_only_names_the_dpa_does_not_attest_one() -> None:
    """The MSA says "the Data Processing Addendum forms part of this Agreement": a mention, not the addendum."""
    assert "Data Processing Addendum" in MSA
    report = check_compliance(profiles_for(ComplianceDeal(billing_country="France")), _draft())
    assert [b.message for b in report.blocking] == ["EU personal data deal: no Data Processing Addendum (DPA) found"]


def test_an_executed_dpa_is_attested_on_its_page() -> None:
    pages = ["MASTER AGREEMENT\n1. Scope. The parties agree as follows.",
             "EXHIBIT D - DATA PROCESSING AGREEMENT\nThe Processor shall process personal data only on\n"
             "documented instructions from the Controller, as required by Article 28 of Regulation (EU)\n"
             "2016/679."]
    document = Document.from_pages(pages, media_type="application/pdf")
    report = check_compliance(profiles_for(ComplianceDeal(billing_country="Spain")), document.text, [],
                              document.pages)
    (check,) = report.checks
    assert check.attestation is not None and check.attestation.page == 2
    assert "Article 28" in check.attestation.quote and "documented instructions" in check.attestation.quote
    _assert_verbatim(report, document.text)


# --- default --------------------------------------------------------------------------------------------------


def test_the_default_profile_requires_nothing() -> None:
    profiles = profiles_for(ComplianceDeal(industry="Manufacturing", billing_country="United States"))
    assert [p.id for p in profiles] == ["standard"] and profiles[0].requires == []
    report = check_compliance(profiles, "Any text at all.")
    assert report.compliant and report.checks == [] and report.blocking == []
    assert report.profiles == ["standard"]


def test_a_report_survives_a_json_round_trip() -> None:
    report = check_compliance(profiles_for(ComplianceDeal(industry="Healthcare")), _draft(BAA_TERMS))
    assert ComplianceReport.model_validate_json(report.model_dump_json()) == report
