"""What Salesforce knows about the people of the contract a question is about, for the PII vault: the contacts of
its Account (names and emails). A contract names its notice contacts and signatories in prose the detector's cues
do not always cover ("questions go to Dana Whitfield"); the CRM's own list catches them before a model reads it."""

from __future__ import annotations

from core.contract_answer import ContractRef
from core.salesforce_ids import id18
from tools.pii.detector import KnownValue
from tools.pii.known_values import known_values_of_people
from tools.salesforce import SalesforceClient

CONTACTS_READ = 200  # an Account's contacts read for one question (the largest accounts hold more; enough here)


def contract_known_values(salesforce: SalesforceClient, contract: ContractRef | None) -> list[KnownValue]:
    account_id = id18(contract.account_id) if contract is not None and contract.account_id else None
    if account_id is None:  # no Account, or not an Id (never interpolated into SOQL)
        return []
    rows = salesforce.query(f"SELECT Name, Email FROM Contact WHERE AccountId = '{account_id}' LIMIT {CONTACTS_READ}")
    return known_values_of_people([(r.get("Name"), r.get("Email")) for r in rows])
