"""The revenue eval's executed contracts, built through the loop's own code, never committed as files.

Each deal of `deals.py` goes into a throwaway sandbox org (`create_deal`), is read back as the drafter reads it
(`bundle_query` + `parse_bundle`), drafted by the drafter's own steps (`plan_terms`, `map_to_templates`: playbook
terms, template choice, attribute mapping and validation), stored as the Ironclad sandbox stores a launch
(`validate_launch_attributes`), rendered as its executed PDF (`render_executed_pdf`), read back by our parser
(`parse_document`) and extractor (`OfflineExtractor`, `verified`), and indexed for questions as a sync indexes it
(`indexed_contract`: the account and Opportunity names, the record name, the terms). Deterministic: fixed org
date, ids and signature dates, so the same texts every run.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from agents.drafter.nodes import map_to_templates, plan_terms
from agents.drafter.state import DrafterState
from agents.qa.indexing import indexed_contract
from evals.qa.revenue.deals import PORTFOLIO_DEALS, PORTFOLIO_TODAY, PortfolioDeal
from extraction import OfflineExtractor, verified
from playbook_store.clause_choice import negotiated_clauses_text
from playbook_store.templates import ContractTemplate, load_templates
from qa import IndexedContract
from runtime.state import ExecutedContract, Task
from sandbox.ironclad.attributes import validate_launch_attributes
from sandbox.ironclad.config import SandboxConfig
from sandbox.ironclad.pdf import render_executed_pdf
from sandbox.salesforce.deals import create_deal
from sandbox.salesforce.schema import load_schema
from sandbox.salesforce.seed import seed_org
from sandbox.salesforce.store import OrgStore
from tools.documents import PDF, Document, parse_document
from tools.salesforce.bundle import bundle_query, parse_bundle
from tools.salesforce.models import OpportunityBundle

FIRST_IRONCLAD_NUMBER = 4101


class PortfolioError(RuntimeError):
    """A deal of the portfolio could not be drafted: the playbook or templates changed under it."""


class PortfolioContract(BaseModel):
    doc: str
    deal: str
    template: str
    title: str
    indexed: IndexedContract

    @property
    def text(self) -> str:
        return self.indexed.text


def _drafted_documents(bundle: OpportunityBundle, key: str) -> list[tuple[str, dict[str, Any]]]:
    """(template key, attributes) as the drafter maps them, offline."""
    state = DrafterState(task=Task(kind="draft_contract", event_id=f"revenue-eval-{key}", opportunity_id=bundle.id),
                         correlation_id=f"cl-revenue-{key}", bundle=bundle)
    planned = plan_terms(state)
    if planned.get("error"):
        raise PortfolioError(f"deal {key}: {planned['error']}")
    state = state.model_copy(update=planned)
    # draft_clauses without a model: the approved clause text of the special terms' requests
    requested = [c for c in state.clauses if c.request.span.end > 0]
    state = state.model_copy(update={"negotiated_text": negotiated_clauses_text(requested)})
    mapped = map_to_templates(state)
    if mapped.get("error"):
        raise PortfolioError(f"deal {key}: {mapped['error']}")
    return [(d.template_key, d.launch_attributes()) for d in mapped["draft"].documents]


def _signers(attributes: dict[str, Any], effective: date) -> list[dict[str, Any]]:
    """The sandbox's default signers (counterparty, then company), signed on fixed days before the start."""
    company = SandboxConfig().users[1]
    signed = [(effective - timedelta(days=3)).isoformat() + "T15:00:00Z",
              (effective - timedelta(days=2)).isoformat() + "T09:30:00Z"]
    return [{"roleName": "Counterparty Signer", "name": attributes["counterpartySignerName"],
             "email": attributes["counterpartySignerEmail"], "title": attributes.get("counterpartySignerTitle", ""),
             "signedAt": signed[0]},
            {"roleName": "Company Signer", "name": company.display_name, "email": company.email,
             "title": company.title, "signedAt": signed[1]}]


def _executed(template: ContractTemplate, attributes: dict[str, Any], doc: str, number: int) -> tuple[str, Document]:
    stored = validate_launch_attributes(template, {**attributes, "contractloopKey": f"cl-revenue-{doc}"})
    title = f"{template.name} with {stored['counterpartyName']}"  # as the sandbox titles a launch
    workflow = {"id": hashlib.sha256(doc.encode()).hexdigest()[:24], "ironcladId": f"IC-{number}",
                "title": title, "attributes": stored}
    pdf = render_executed_pdf(template, workflow, _signers(stored, date.fromisoformat(stored["effectiveDate"][:10])))
    return title, parse_document(pdf, source=f"revenue eval {doc}", claimed=PDF)


def _contracts_of(org: OrgStore, deal: PortfolioDeal, templates: dict[str, ContractTemplate],
                  number: int) -> list[PortfolioContract]:
    opportunity_id = create_deal(org, deal.spec, today=PORTFOLIO_TODAY)
    bundle = parse_bundle(org.query(bundle_query(opportunity_id)).records[0])
    out: list[PortfolioContract] = []
    for template_key, attributes in _drafted_documents(bundle, deal.key):
        doc = f"{deal.key}-{template_key.replace('_', '-')}"
        title, document = _executed(templates[template_key], attributes, doc, number + len(out))
        terms = verified(OfflineExtractor().extract(document), document)
        contract = ExecutedContract(workflow_id=doc, record_name=title, document_name=f"{title}.pdf",
                                    opportunity_id=bundle.id, account_id=bundle.account.id, terms=terms)
        indexed = indexed_contract(contract, document, {"Name": bundle.name}, {"Name": bundle.account.name})
        out.append(PortfolioContract(doc=doc, deal=deal.key, template=template_key, title=title, indexed=indexed))
    return out


def build_portfolio(deals: list[PortfolioDeal] | None = None) -> list[PortfolioContract]:
    """Every deal's executed contracts, in deal order."""
    templates = load_templates()
    contracts: list[PortfolioContract] = []
    with tempfile.TemporaryDirectory(prefix="contractloop-revenue-org-") as scratch:
        org = OrgStore(Path(scratch) / "org.db", load_schema(), today=PORTFOLIO_TODAY)
        try:
            seed_org(org, opportunities=0)  # the price book and users only: the portfolio's deals are its own
            for deal in deals or PORTFOLIO_DEALS:
                contracts += _contracts_of(org, deal, templates, FIRST_IRONCLAD_NUMBER + len(contracts))
        finally:
            org.close()
    return contracts


def write_texts(contracts: list[PortfolioContract], directory: Path) -> Path:
    """The CUAD layout (`texts/<doc>.txt`), so `contractloop eval qa --dataset` reads the portfolio too."""
    folder = directory / "texts"
    folder.mkdir(parents=True, exist_ok=True)
    for contract in contracts:
        (folder / f"{contract.doc}.txt").write_text(contract.text, encoding="utf-8")
    return folder
