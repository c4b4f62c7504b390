"""SOQL over the org store: the queries contractloop runs, each filter feature, and Salesforce's error messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.salesforce.errors import SalesforceError
from sandbox.salesforce.schema import load_schema
from sandbox.salesforce.seed import seed_org
from sandbox.salesforce.store import OrgStore

TODAY = date(2025, 3, 12)  # a Wednesday


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> OrgStore:
    store = OrgStore(tmp_path_factory.mktemp("soql") / "org.db", load_schema(), today=TODAY,
                     clock=lambda: datetime(2025, 3, 12, 9, 0, tzinfo=UTC))
    seed_org(store, opportunities=150, seed=11)
    yield store
    store.close()


@pytest.fixture
def small(tmp_path) -> OrgStore:
    """A hand-built org whose every value the tests know."""
    store = OrgStore(tmp_path / "small.db", load_schema(), today=TODAY)
    acme = store.create("Account", {"Name": "Acme", "BillingCountry": "Germany", "Industry": "Technology"})
    globex = store.create("Account", {"Name": "Globex", "BillingCountry": "France"})
    rows = [
        ("Acme - 100% Renewal", acme, "Contracting", "2025-03-12", 500.0),
        ("Acme_Expansion", acme, "Closed Won", "2025-03-11", 250.0),
        ("Globex New", globex, "Prospecting", "2025-04-02", None),
        ("Orphan", None, "Closed Lost", "2024-12-31", 50.0),
    ]
    for name, account, stage, close, amount in rows:
        store.create("Opportunity", {"Name": name, "AccountId": account, "StageName": stage, "CloseDate": close,
                                     "Amount": amount})
    return store


def _names(result) -> list[str]:
    return [r["Name"] for r in result.records]


def _error(store: OrgStore, soql: str) -> SalesforceError:
    with pytest.raises(SalesforceError) as caught:
        store.query(soql)
    return caught.value


def test_acceptance_query_top_contracting_opportunities_with_line_items(org):
    result = org.query(
        "SELECT Id, Name, Account.Name, (SELECT Quantity, UnitPrice, Product2.Name FROM OpportunityLineItems) "
        "FROM Opportunity WHERE StageName = 'Contracting' ORDER BY Amount DESC LIMIT 5")
    assert result.total_size == 5
    amounts = [org.get("Opportunity", r["Id"], ["Amount"])["Amount"] for r in result.records]
    assert amounts == sorted(amounts, reverse=True)
    all_contracting = org.query("SELECT Amount FROM Opportunity WHERE StageName = 'Contracting'").records
    assert amounts[0] == max(r["Amount"] for r in all_contracting)
    first = result.records[0]
    assert list(first) == ["attributes", "Id", "Name", "Account", "OpportunityLineItems"]
    assert first["Account"]["attributes"]["type"] == "Account" and first["Account"]["Name"]
    lines = first["OpportunityLineItems"]
    assert lines["done"] is True and lines["totalSize"] == len(lines["records"]) > 0
    assert sum(line["Quantity"] * line["UnitPrice"] for line in lines["records"]) == pytest.approx(amounts[0])
    assert all(line["Product2"]["Name"] for line in lines["records"])
    assert list(lines["records"][0]) == ["attributes", "Quantity", "UnitPrice", "Product2"]


def test_opportunity_bundle_in_one_query(org):
    target = org.query("SELECT Id FROM Opportunity WHERE StageName = 'Contracting' LIMIT 1").records[0]["Id"]
    result = org.query(
        "SELECT Id, Name, Amount, CloseDate, StageName, Region__c, Deal_Type__c, Contract_Term_Months__c, "
        "Payment_Terms_Days__c, Governing_Law__c, Special_Terms__c, Account.Name, Account.BillingCountry, "
        "Owner.Email, "
        "(SELECT Role, IsPrimary, Contact.Email, Contact.Name FROM OpportunityContactRoles), "
        "(SELECT Quantity, UnitPrice, TotalPrice, Product2.Name, Product2.Family FROM OpportunityLineItems), "
        "(SELECT Id, SBQQ__Primary__c, SBQQ__NetAmount__c, SBQQ__PaymentTerms__c FROM SBQQ__Quotes2__r "
        f"WHERE SBQQ__Primary__c = true) FROM Opportunity WHERE Id = '{target}'")
    assert result.total_size == 1
    bundle = result.records[0]
    assert bundle["Owner"]["Email"].endswith("@contractloop.sandbox")
    roles = bundle["OpportunityContactRoles"]["records"]
    assert sum(role["IsPrimary"] for role in roles) == 1 and all("@" in role["Contact"]["Email"] for role in roles)
    lines = bundle["OpportunityLineItems"]["records"]
    assert sum(line["TotalPrice"] for line in lines) == pytest.approx(bundle["Amount"])
    quote = bundle["SBQQ__Quotes2__r"]["records"]
    assert len(quote) == 1 and quote[0]["SBQQ__Primary__c"] is True
    assert quote[0]["SBQQ__NetAmount__c"] == pytest.approx(bundle["Amount"])
    assert quote[0]["SBQQ__PaymentTerms__c"] == f"Net {int(bundle['Payment_Terms_Days__c'])}"
    # the same query by a 15-char id finds the same record
    assert org.query(f"SELECT Id FROM Opportunity WHERE Id = '{target[:15]}'").records[0]["Id"] == target


def test_null_parent_and_empty_child_subquery(small):
    record = small.query("SELECT Name, Account.Name, (SELECT Id FROM OpportunityLineItems) FROM Opportunity "
                         "WHERE Name = 'orphan'").records[0]
    assert record["Account"] is None and record["OpportunityLineItems"] is None


def test_comparisons_are_case_insensitive_and_not_equal_keeps_nulls(small):
    assert _names(small.query("SELECT Name FROM Opportunity WHERE Account.Name = 'ACME' ORDER BY Name")) == [
        "Acme - 100% Renewal", "Acme_Expansion"]
    assert _names(small.query("SELECT Name FROM Opportunity WHERE Account.Name != 'acme' ORDER BY Name")) == [
        "Globex New", "Orphan"]
    assert _names(small.query("SELECT Name FROM Opportunity WHERE Amount = null")) == ["Globex New"]
    assert small.query("SELECT Id FROM Opportunity WHERE Amount != null").total_size == 3


def test_boolean_logic_with_parentheses_and_not(small):
    soql = ("SELECT Name FROM Opportunity WHERE (StageName = 'Contracting' OR Amount < 100) AND NOT "
            "(Account.BillingCountry = 'France') ORDER BY Name")
    assert _names(small.query(soql)) == ["Acme - 100% Renewal", "Orphan"]
    assert _names(small.query("SELECT Name FROM Opportunity WHERE IsWon = TRUE")) == ["Acme_Expansion"]


def test_in_not_in_and_semi_join(small, org):
    assert _names(small.query("SELECT Name FROM Opportunity WHERE StageName IN ('contracting', 'Closed Lost') "
                              "ORDER BY Name")) == ["Acme - 100% Renewal", "Orphan"]
    assert _names(small.query("SELECT Name FROM Opportunity WHERE StageName NOT IN ('Contracting', 'Closed Lost', "
                              "'Closed Won')")) == ["Globex New"]
    with_legal = org.query("SELECT Id FROM Opportunity WHERE Id IN (SELECT OpportunityId FROM "
                           "OpportunityContactRole WHERE Role = 'Legal')")
    legal_roles = org.query("SELECT OpportunityId FROM OpportunityContactRole WHERE Role = 'Legal'").records
    assert {r["Id"] for r in with_legal.records} == {r["OpportunityId"] for r in legal_roles}
    without = org.query("SELECT COUNT() FROM Opportunity WHERE Id NOT IN (SELECT OpportunityId FROM "
                        "OpportunityContactRole WHERE Role = 'Legal')")
    assert without.total_size + with_legal.total_size == org.count("Opportunity")


def test_like_wildcards_and_escapes(small):
    assert _names(small.query("SELECT Name FROM Opportunity WHERE Name LIKE 'acme%' ORDER BY Name")) == [
        "Acme - 100% Renewal", "Acme_Expansion"]
    assert _names(small.query("SELECT Name FROM Opportunity WHERE Name LIKE '%100\\%%'")) == ["Acme - 100% Renewal"]
    assert _names(small.query("SELECT Name FROM Opportunity WHERE Name LIKE 'Acme\\_%'")) == ["Acme_Expansion"]
    assert _names(small.query("SELECT Name FROM Opportunity WHERE Name LIKE 'G_obex%'")) == ["Globex New"]


def test_date_literals_relative_to_today(small):
    def names(condition: str) -> list[str]:
        return _names(small.query(f"SELECT Name FROM Opportunity WHERE {condition} ORDER BY Name"))

    assert names("CloseDate = TODAY") == ["Acme - 100% Renewal"]
    assert names("CloseDate = YESTERDAY") == ["Acme_Expansion"]
    assert names("CloseDate = THIS_MONTH") == ["Acme - 100% Renewal", "Acme_Expansion"]
    assert names("CloseDate = NEXT_MONTH") == ["Globex New"]
    assert names("CloseDate = LAST_YEAR") == ["Orphan"]
    assert names("CloseDate = LAST_N_DAYS:1") == ["Acme - 100% Renewal", "Acme_Expansion"]
    assert names("CloseDate = NEXT_N_DAYS:30") == ["Globex New"]
    assert names("CloseDate = N_DAYS_AGO:1") == ["Acme_Expansion"]
    assert names("CloseDate > TODAY") == ["Globex New"]
    assert names("CloseDate < THIS_QUARTER") == ["Orphan"]
    assert names("CloseDate >= 2025-03-11 AND CloseDate <= 2025-03-12") == ["Acme - 100% Renewal", "Acme_Expansion"]
    assert len(names("CreatedDate = THIS_WEEK")) == 0  # created by the real clock, not the fixed `today`
    assert small.query("SELECT COUNT() FROM Opportunity WHERE CreatedDate > 2020-01-01T00:00:00Z").total_size == 4


def test_order_by_nulls_limit_offset_and_parent_paths(small):
    assert _names(small.query("SELECT Name FROM Opportunity ORDER BY Amount ASC NULLS LAST")) == [
        "Orphan", "Acme_Expansion", "Acme - 100% Renewal", "Globex New"]
    assert _names(small.query("SELECT Name FROM Opportunity ORDER BY Amount DESC NULLS FIRST LIMIT 2")) == [
        "Globex New", "Acme - 100% Renewal"]
    assert _names(small.query("SELECT Name FROM Opportunity ORDER BY Name LIMIT 2 OFFSET 1")) == [
        "Acme_Expansion", "Globex New"]
    ordered = small.query("SELECT Name FROM Opportunity WHERE AccountId != null ORDER BY Account.Name DESC, Name")
    assert _names(ordered) == ["Globex New", "Acme - 100% Renewal", "Acme_Expansion"]


def test_child_subquery_filters_orders_and_limits_per_parent(org):
    result = org.query("SELECT Id, (SELECT UnitPrice FROM OpportunityLineItems WHERE UnitPrice > 0 "
                       "ORDER BY UnitPrice DESC LIMIT 2) FROM Opportunity")
    for record in result.records:
        lines = record["OpportunityLineItems"]["records"]
        prices = [line["UnitPrice"] for line in lines]
        assert len(lines) <= 2 and prices == sorted(prices, reverse=True)
    deep = org.query("SELECT Opportunity.Account.Owner.Name, Contact.Account.Owner.Email FROM OpportunityContactRole "
                     "LIMIT 1").records[0]
    assert deep["Opportunity"]["Account"]["Owner"]["Name"]
    assert deep["Contact"]["Account"]["Owner"]["Email"]


def test_count_and_aggregates(org):
    total = org.query("SELECT COUNT() FROM Opportunity")
    assert total.total_size == 150 and total.records == []
    grouped = org.query("SELECT StageName, COUNT(Id) n, SUM(Amount) FROM Opportunity GROUP BY StageName "
                        "ORDER BY COUNT(Id) DESC")
    assert sum(r["n"] for r in grouped.records) == 150
    assert grouped.records[0]["attributes"] == {"type": "AggregateResult"}
    counts = [r["n"] for r in grouped.records]
    assert counts == sorted(counts, reverse=True) and "expr0" in grouped.records[0]
    assert org.query("SELECT COUNT() FROM Opportunity LIMIT 7").total_size == 7


def test_fields_function_and_polymorphic_what(small):
    opportunity = small.query("SELECT Id FROM Opportunity WHERE Name = 'Orphan'").records[0]["Id"]
    small.create("Task", {"Subject": "Approve discount", "WhatId": opportunity, "Contractloop_Key__c": "a-1"})
    task = small.query("SELECT Subject, What.Name FROM Task").records[0]
    assert task["What"]["attributes"]["type"] == "Opportunity" and task["What"]["Name"] == "Orphan"
    record = small.query("SELECT FIELDS(ALL) FROM Account ORDER BY Name LIMIT 1").records[0]
    assert record["Name"] == "Acme" and "Region__c" in record and "BillingCountry" in record
    assert _error(small, "SELECT FIELDS(ALL) FROM Account").error_code == "MALFORMED_QUERY"


@pytest.mark.parametrize(
    ("soql", "code", "fragment"),
    [
        ("SELECT Id FROM", "MALFORMED_QUERY", "unexpected token: '<EOF>'"),
        ("SELECT Id Name FROM Account", "MALFORMED_QUERY", "ERROR at Row:1:Column:11\nunexpected token: 'Name'"),
        ("SELECT Id FROM Account WHERE Name = \"Acme\"", "MALFORMED_QUERY", "unexpected token: '\"'"),
        ("SELECT Id FROM Account LIMIT ten", "MALFORMED_QUERY", "unexpected token: 'ten'"),
        ("SELECT Id FROM Account WHERE Name = 'x' ORDER Name", "MALFORMED_QUERY", "unexpected token: 'Name'"),
        ("SELECT Nmae FROM Account", "INVALID_FIELD", "No such column 'Nmae' on entity 'Account'. If you are"),
        ("SELECT Acount.Name FROM Opportunity", "INVALID_FIELD", "Didn't understand relationship 'Acount'"),
        ("SELECT Id FROM Acount", "INVALID_TYPE", "sObject type 'Acount' is not supported."),
        ("SELECT Id, (SELECT Id FROM LineItems) FROM Opportunity", "INVALID_TYPE",
         "Didn't understand relationship 'LineItems' in FROM part of query call"),
        ("SELECT Id FROM Opportunity WHERE CloseDate = '2025-01-01'", "INVALID_FIELD",
         "must be of type date and should not be enclosed in quotes"),
        ("SELECT Id FROM Opportunity WHERE Id = 'nope'", "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: nope"),
        ("SELECT Id FROM Opportunity WHERE Description = 'x'", "INVALID_FIELD", "can not be filtered"),
        ("SELECT Name, COUNT(Id) FROM Opportunity GROUP BY StageName", "MALFORMED_QUERY",
         "Field must be grouped or aggregated: Name"),
    ],
)
def test_query_errors_match_salesforce(small, soql, code, fragment):
    error = _error(small, soql)
    assert error.status == 400 and error.error_code == code
    assert fragment in error.message


def test_syntax_error_echoes_query_with_caret(small):
    message = _error(small, "SELECT Id, FROM Account").message
    assert message.startswith("\nSELECT Id, FROM Account\n")
    caret_line = message.split("\n")[2]
    assert caret_line.index("^") == len("SELECT Id, ")  # under FROM
    assert "ERROR at Row:1:Column:12\nunexpected token: 'FROM'" in message
