"""Values Salesforce fills in itself on write, beyond what schema.yaml's formulas and rollups express.

Opportunity stage defaults (Probability, ForecastCategoryName), line items priced from their price book entry,
Contract activation date, Files (a new ContentVersion creates its ContentDocument and the link to its record),
campaign membership (a Contact or Lead, at most once per campaign) and one primary CPQ quote per Opportunity.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from .errors import SalesforceError, required_field_missing
from .field_values import format_datetime
from .schema import ObjectDef

if TYPE_CHECKING:
    from .store import OrgStore

_FILE_TYPES = {"pdf": "PDF", "docx": "WORD_X", "doc": "WORD", "txt": "TEXT", "xlsx": "EXCEL_X", "xls": "EXCEL",
               "png": "PNG", "jpg": "JPG", "jpeg": "JPG", "csv": "CSV", "html": "HTML", "json": "JSON"}


def before_insert(store: OrgStore, objdef: ObjectDef, rows: list[dict[str, Any]]) -> list[SalesforceError | None]:
    """Fill derived values into rows about to be inserted; returns one error (or None) per row."""
    errors: list[SalesforceError | None] = [None] * len(rows)
    if objdef.name == "Opportunity":
        for row in rows:
            _stage_defaults(store, row, row)
    elif objdef.name == "PricebookEntry":
        products = _lookup(store, "SELECT Id, Name, ProductCode FROM Product2", [r.get("Product2Id") for r in rows])
        for row in rows:
            name, code = products.get(str(row.get("Product2Id")), (None, None))
            row.update(Name=name, ProductCode=code)
    elif objdef.name == "OpportunityLineItem":
        _price_line_items(store, rows, errors)
    elif objdef.name == "Contract":
        for row in rows:
            if row.get("Status") == "Activated":
                row["ActivatedDate"] = format_datetime(store._clock())
    elif objdef.name == "ContentVersion":
        for row in rows:
            _describe_file(row)
    elif objdef.name == "CampaignMember":
        _check_campaign_members(store, rows, errors)
    return errors


def before_update(store: OrgStore, objdef: ObjectDef, current: dict[str, Any], changes: dict[str, Any]) -> None:
    if objdef.name == "Opportunity" and "StageName" in changes:
        _stage_defaults(store, changes, changes)
    if objdef.name == "Contract" and changes.get("Status") == "Activated" and current.get("Status") != "Activated":
        changes["ActivatedDate"] = format_datetime(store._clock())


def after_write(store: OrgStore, objdef: ObjectDef, ids: list[str]) -> None:
    if objdef.name == "ContentVersion" and ids:
        _publish_versions(store, ids)
    if objdef.name == "SBQQ__Quote__c" and ids:
        _one_primary_quote(store, ids)


def _one_primary_quote(store: OrgStore, ids: list[str]) -> None:
    """CPQ keeps one primary quote per Opportunity: a quote written as primary unmarks the others (of a batch
    naming several for one Opportunity, the last written stays primary)."""
    winners = [row[0] for row in store.sql(
        "SELECT Id FROM SBQQ__Quote__c WHERE rowid IN (SELECT max(rowid) FROM SBQQ__Quote__c "
        "WHERE Id IN (SELECT value FROM json_each(?)) AND SBQQ__Primary__c = 1 AND IsDeleted = 0 "
        "AND SBQQ__Opportunity2__c IS NOT NULL GROUP BY SBQQ__Opportunity2__c)", (json.dumps(ids),))]
    if not winners:
        return
    now = format_datetime(store._clock())
    store._conn.execute(
        "UPDATE SBQQ__Quote__c SET SBQQ__Primary__c = 0, LastModifiedDate = ?, SystemModstamp = ? "
        "WHERE IsDeleted = 0 AND SBQQ__Primary__c = 1 AND Id NOT IN (SELECT value FROM json_each(?)) "
        "AND SBQQ__Opportunity2__c IN (SELECT SBQQ__Opportunity2__c FROM SBQQ__Quote__c "
        "WHERE Id IN (SELECT value FROM json_each(?)))", (now, now, json.dumps(winners), json.dumps(winners)))


def _stage_defaults(store: OrgStore, given: dict[str, Any], target: dict[str, Any]) -> None:
    stage = store.schema.stages.get(given.get("StageName") or "")
    if stage is None:
        return
    if given.get("Probability") is None:
        target["Probability"] = stage.probability
    if given.get("ForecastCategoryName") is None:
        target["ForecastCategoryName"] = stage.forecast_category


def _price_line_items(store: OrgStore, rows: list[dict[str, Any]], errors: list[SalesforceError | None]) -> None:
    """Product, list price and name come from the price book entry (standard price book if only a product)."""
    entries = _lookup(
        store,
        "SELECT e.Id, e.Product2Id, e.UnitPrice, p.Name, p.ProductCode FROM PricebookEntry e "
        "JOIN Product2 p ON p.Id = e.Product2Id",
        [r.get("PricebookEntryId") for r in rows],
        key="e.Id",
    )
    standard = {
        product: (entry_id, price, name, code)
        for entry_id, product, price, name, code in store.sql(
            "SELECT e.Id, e.Product2Id, e.UnitPrice, p.Name, p.ProductCode FROM PricebookEntry e "
            "JOIN Product2 p ON p.Id = e.Product2Id WHERE e.IsDeleted = 0 AND e.Pricebook2Id = ? "
            "AND e.Product2Id IN (SELECT value FROM json_each(?))",
            (store.standard_pricebook_id, json.dumps([r.get("Product2Id") for r in rows if r.get("Product2Id")])),
        )
    }
    opportunities = _lookup(store, "SELECT Id, Name FROM Opportunity", [r.get("OpportunityId") for r in rows])
    for index, row in enumerate(rows):
        entry_id = row.get("PricebookEntryId")
        if entry_id in entries:
            product, list_price, name, code = entries[entry_id]
            if row.get("Product2Id") not in (None, product):
                errors[index] = SalesforceError(
                    400, "FIELD_INTEGRITY_EXCEPTION",
                    "field integrity exception: PricebookEntryId, Product2Id (pricebook entry has a different product)",
                    ["Product2Id"])
                continue
        elif entry_id is None and row.get("Product2Id") in standard:
            entry_id, list_price, name, code = standard[row["Product2Id"]]
            product = row["Product2Id"]
        elif entry_id is None:
            errors[index] = required_field_missing(["PricebookEntryId"])
            continue
        else:
            continue  # unknown entry: the reference check reports it
        opportunity_name = opportunities.get(str(row.get("OpportunityId")), ("",))[0]
        row.update(PricebookEntryId=entry_id, Product2Id=product, ListPrice=list_price, ProductCode=code,
                   Name=f"{opportunity_name} {name}".strip()[:376])
        if row.get("UnitPrice") is None:
            row["UnitPrice"] = list_price


def _check_campaign_members(store: OrgStore, rows: list[dict[str, Any]], errors: list[SalesforceError | None]) -> None:
    """A member is a Contact or a Lead (given both, Salesforce keeps the Contact), once per campaign."""
    held = {
        (campaign, person)
        for campaign, contact, lead in store.sql(
            "SELECT CampaignId, ContactId, LeadId FROM CampaignMember WHERE IsDeleted = 0 "
            "AND CampaignId IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted({str(r.get("CampaignId")) for r in rows if r.get("CampaignId")})),),
        )
        for person in (contact, lead) if person
    }
    for index, row in enumerate(rows):
        if row.get("ContactId"):
            row["LeadId"] = None
        person = row.get("ContactId") or row.get("LeadId")
        if person is None:
            errors[index] = errors[index] or required_field_missing(["ContactId", "LeadId"])
            continue
        key = (row.get("CampaignId"), person)
        if key in held:
            errors[index] = errors[index] or SalesforceError(400, "DUPLICATE_VALUE", "Already a campaign member.")
        held.add(key)


def _describe_file(row: dict[str, Any]) -> None:
    path = row.get("PathOnClient") or ""
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    data = row.get("VersionData") or ""
    row.update(ContentSize=len(base64.b64decode(data)) if data else 0, FileExtension=extension or None,
               FileType=_FILE_TYPES.get(extension, "UNKNOWN"), IsLatest=1)


def _publish_versions(store: OrgStore, ids: list[str]) -> None:
    """New versions without a document get one; the document points at its latest version; first publish links."""
    versions = store.sql(
        "SELECT Id, ContentDocumentId, Title, FileExtension, FileType, ContentSize, OwnerId, FirstPublishLocationId "
        "FROM ContentVersion WHERE Id IN (SELECT value FROM json_each(?)) ORDER BY rowid",
        (json.dumps(ids),),
    )
    document_def = store.schema.object("ContentDocument")
    link_def = store.schema.object("ContentDocumentLink")
    assert document_def is not None and link_def is not None
    for version_id, document_id, title, extension, file_type, size, owner, location in versions:
        if document_id is None:
            document_id = store._insert_prepared(document_def, [{
                "Title": title, "FileExtension": extension, "FileType": file_type, "ContentSize": size,
                "OwnerId": owner, "LatestPublishedVersionId": version_id}])[0]
            store._conn.execute("UPDATE ContentVersion SET ContentDocumentId = ?, VersionNumber = '1' WHERE Id = ?",
                                (document_id, version_id))
            if location:
                store._insert_prepared(link_def, [{"ContentDocumentId": document_id, "LinkedEntityId": location,
                                                   "ShareType": "I", "Visibility": "AllUsers"}])
            continue
        number = store.sql("SELECT COUNT(*) FROM ContentVersion WHERE ContentDocumentId = ? AND IsDeleted = 0",
                           (document_id,))[0][0]
        store._conn.execute("UPDATE ContentVersion SET IsLatest = 0 WHERE ContentDocumentId = ? AND Id != ?",
                            (document_id, version_id))
        store._conn.execute("UPDATE ContentVersion SET VersionNumber = ? WHERE Id = ?", (str(number), version_id))
        store._conn.execute(
            "UPDATE ContentDocument SET LatestPublishedVersionId = ?, Title = ?, FileExtension = ?, FileType = ?, "
            "ContentSize = ? WHERE Id = ?", (version_id, title, extension, file_type, size, document_id))


def _lookup(store: OrgStore, select: str, keys: list[Any], key: str = "Id") -> dict[str, tuple]:
    """Rows of `select` whose `key` is among `keys`, as {key: other columns}."""
    wanted = sorted({k for k in keys if k})
    if not wanted:
        return {}
    rows = store.sql(f"{select} WHERE {key} IN (SELECT value FROM json_each(?))", (json.dumps(wanted),))
    return {r[0]: tuple(r[1:]) for r in rows}
