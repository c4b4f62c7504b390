"""Required clauses on a draft: the deal's compliance profiles checked against what will launch.

The draft's text is every document's template body (the agreement and its addenda, such as the DPA) with the
drafted clauses. A required clause it does not contain is a high finding naming it, so the draft cannot be
approved by policy: the approver sees what is missing before anything goes to Ironclad.
"""

from __future__ import annotations

from playbook_store.compliance import ComplianceReport, check_compliance, profiles_for
from playbook_store.models import Evidence, Finding
from playbook_store.templates import load_templates
from runtime.state import Draft
from tools.salesforce.models import OpportunityBundle


def draft_text(draft: Draft) -> str:
    templates = load_templates()
    parts = [templates[d.template_key].body for d in draft.documents if d.template_key in templates]
    parts += [clause.text for clause in draft.drafted_clauses]
    return "\n\n".join(parts)


def draft_compliance(bundle: OpportunityBundle, draft: Draft) -> ComplianceReport:
    return check_compliance(profiles_for(bundle), draft_text(draft))


def compliance_findings(report: ComplianceReport) -> list[Finding]:
    return [Finding(rule_id=f"COMPLIANCE-{b.profile}-{b.requirement}".upper(), severity="high",
                    title=f"Required clause missing: {b.clause}", message=f"{b.message}. {b.reason}",
                    evidence=[Evidence(field="compliance_profile", value=b.profile)])
            for b in report.blocking]
