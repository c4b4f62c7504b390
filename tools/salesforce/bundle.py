"""The Opportunity bundle: one SOQL query (parents by path, children by subquery) and its parsing."""

from __future__ import annotations

from typing import Any

from tools.salesforce.models import (
    AccountInfo,
    ContactRole,
    LineItem,
    OpportunityBundle,
    PrimaryQuote,
    QuoteLine,
)

_OPPORTUNITY_FIELDS = (
    "Id, Name, StageName, Amount, CloseDate, Type, Deal_Type__c, Region__c, Contract_Term_Months__c, "
    "Payment_Terms_Days__c, Special_Terms__c, Governing_Law__c, Description, Ironclad_Workflow_Id__c, "
    "Ironclad_Status__c, LastModifiedDate, Owner.Name, Owner.Email, "
    "Account.Id, Account.Name, Account.Industry, Account.Region__c, Account.BillingStreet, Account.BillingCity, "
    "Account.BillingState, Account.BillingPostalCode, Account.BillingCountry"
)
_CONTACT_ROLES = (
    "(SELECT ContactId, Role, IsPrimary, Contact.Name, Contact.Email, Contact.Title "
    "FROM OpportunityContactRoles ORDER BY IsPrimary DESC)"
)
_LINE_ITEMS = (
    "(SELECT Id, Quantity, UnitPrice, ListPrice, TotalPrice, Discount, Product2Id, Product2.Name, "
    "Product2.ProductCode, Product2.Family FROM OpportunityLineItems ORDER BY TotalPrice DESC)"
)
# Parent-to-child subqueries may nest (API v58+), so the quote's lines come in the same call.
_PRIMARY_QUOTE = (
    "(SELECT Id, SBQQ__Status__c, SBQQ__StartDate__c, SBQQ__EndDate__c, SBQQ__SubscriptionTerm__c, "
    "SBQQ__NetAmount__c, SBQQ__GrandTotal__c, SBQQ__PaymentTerms__c, SBQQ__BillingFrequency__c, "
    "(SELECT Id, SBQQ__ProductName__c, SBQQ__Quantity__c, SBQQ__ListPrice__c, SBQQ__NetPrice__c, "
    "SBQQ__Discount__c, SBQQ__NetTotal__c FROM SBQQ__LineItems__r) "
    "FROM SBQQ__Quotes2__r WHERE SBQQ__Primary__c = true LIMIT 1)"
)


def bundle_query(opportunity_id: str) -> str:
    safe_id = opportunity_id.replace("\\", "\\\\").replace("'", "\\'")
    return (
        f"SELECT {_OPPORTUNITY_FIELDS}, {_CONTACT_ROLES}, {_LINE_ITEMS}, {_PRIMARY_QUOTE} "
        f"FROM Opportunity WHERE Id = '{safe_id}'"
    )


def _children(record: dict[str, Any], relationship: str) -> list[dict[str, Any]]:
    child = record.get(relationship)
    return list(child.get("records", [])) if isinstance(child, dict) else []


def _parent(record: dict[str, Any], relationship: str) -> dict[str, Any]:
    value = record.get(relationship)
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def parse_bundle(record: dict[str, Any]) -> OpportunityBundle:
    account = _parent(record, "Account")
    owner = _parent(record, "Owner")
    quotes = _children(record, "SBQQ__Quotes2__r")
    quote = None
    if quotes:
        q = quotes[0]
        quote = PrimaryQuote(
            id=q["Id"],
            status=q.get("SBQQ__Status__c"),
            start_date=q.get("SBQQ__StartDate__c"),
            end_date=q.get("SBQQ__EndDate__c"),
            subscription_term_months=_int(q.get("SBQQ__SubscriptionTerm__c")),
            net_amount=q.get("SBQQ__NetAmount__c"),
            grand_total=q.get("SBQQ__GrandTotal__c"),
            payment_terms=q.get("SBQQ__PaymentTerms__c"),
            billing_frequency=q.get("SBQQ__BillingFrequency__c"),
            lines=[
                QuoteLine(
                    id=ql["Id"],
                    product_name=ql.get("SBQQ__ProductName__c"),
                    quantity=ql.get("SBQQ__Quantity__c"),
                    list_price=ql.get("SBQQ__ListPrice__c"),
                    net_price=ql.get("SBQQ__NetPrice__c"),
                    discount_percent=ql.get("SBQQ__Discount__c"),
                    net_total=ql.get("SBQQ__NetTotal__c"),
                )
                for ql in _children(q, "SBQQ__LineItems__r")
            ],
        )
    return OpportunityBundle(
        id=record["Id"],
        name=record["Name"],
        stage=record["StageName"],
        amount=record.get("Amount"),
        close_date=record.get("CloseDate"),
        type=record.get("Type"),
        deal_type=record.get("Deal_Type__c"),
        region=record.get("Region__c"),
        contract_term_months=_int(record.get("Contract_Term_Months__c")),
        payment_terms_days=_int(record.get("Payment_Terms_Days__c")),
        special_terms=record.get("Special_Terms__c"),
        governing_law=record.get("Governing_Law__c"),
        description=record.get("Description"),
        owner_name=owner.get("Name"),
        owner_email=owner.get("Email"),
        ironclad_workflow_id=record.get("Ironclad_Workflow_Id__c"),
        ironclad_status=record.get("Ironclad_Status__c"),
        last_modified=record.get("LastModifiedDate"),
        account=AccountInfo(
            id=account.get("Id") or "",
            name=account.get("Name") or "",
            industry=account.get("Industry"),
            region=account.get("Region__c"),
            billing_street=account.get("BillingStreet"),
            billing_city=account.get("BillingCity"),
            billing_state=account.get("BillingState"),
            billing_postal_code=account.get("BillingPostalCode"),
            billing_country=account.get("BillingCountry"),
        ),
        contacts=[
            ContactRole(
                contact_id=c["ContactId"],
                name=_parent(c, "Contact").get("Name") or "",
                email=_parent(c, "Contact").get("Email"),
                title=_parent(c, "Contact").get("Title"),
                role=c.get("Role"),
                is_primary=bool(c.get("IsPrimary")),
            )
            for c in _children(record, "OpportunityContactRoles")
        ],
        line_items=[
            LineItem(
                id=li["Id"],
                product_id=li.get("Product2Id"),
                product_name=_parent(li, "Product2").get("Name") or "",
                product_code=_parent(li, "Product2").get("ProductCode"),
                product_family=_parent(li, "Product2").get("Family"),
                quantity=li.get("Quantity") or 0,
                unit_price=li.get("UnitPrice") or 0,
                list_price=li.get("ListPrice"),
                total_price=li.get("TotalPrice") or 0,
                discount_percent=li.get("Discount"),
            )
            for li in _children(record, "OpportunityLineItems")
        ],
        quote=quote,
    )
