"""Required clauses of a regulated deal, attested in its executed contract (the audit packet's content).

The deal's profiles come from the Account the plan's snapshot already read (industry, billing country), and so
does what the packet names of the deal; a deal no profile requires anything of gets no report, and so no packet.
"""

from __future__ import annotations

from agents.extractor.context import SalesforceSnapshot
from playbook_store.compliance import ComplianceReport, check_compliance, profiles_for
from playbook_store.compliance_rules import ComplianceDeal
from runtime.state import ExecutedContract, PacketDeal
from tools.documents import Document


def executed_compliance(snapshot: SalesforceSnapshot | None, contract: ExecutedContract,
                        document: Document | None) -> ComplianceReport | None:
    if snapshot is None or document is None or contract.document_error or contract.terms is None:
        return None
    account = snapshot.account
    deal = ComplianceDeal(industry=account.get("Industry"), billing_country=account.get("BillingCountry"))
    profiles = [p for p in profiles_for(deal) if p.requires]
    if not profiles:
        return None
    return check_compliance(profiles, document.text, contract.terms.clauses, document.pages)


def packet_deal(snapshot: SalesforceSnapshot) -> PacketDeal:
    opportunity = snapshot.opportunity
    return PacketDeal(opportunity_name=str(opportunity.get("Name") or ""),
                      account_name=str(snapshot.account.get("Name") or ""),
                      workflow_link=opportunity.get("Ironclad_Workflow_Link__c"),
                      risk_summary=opportunity.get("Contract_Risk_Summary__c"))
