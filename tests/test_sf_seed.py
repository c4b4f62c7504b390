"""Seed data: deterministic, internally consistent, realistic, and reusable across runs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from sandbox.salesforce.schema import load_schema
from sandbox.salesforce.seed import RENEWAL_CAMPAIGNS, SPECIAL_TERMS, open_seeded_store, seed_org
from sandbox.salesforce.store import OrgStore

TODAY = date(2025, 3, 12)
_BUNDLE = ("SELECT Id, Name, Amount, StageName, CloseDate, Region__c, Deal_Type__c, Governing_Law__c, "
           "Account.Name, Account.BillingCountry, (SELECT Role, IsPrimary, ContactId FROM OpportunityContactRoles), "
           "(SELECT Quantity, UnitPrice, TotalPrice, PricebookEntryId FROM OpportunityLineItems) FROM Opportunity")


def _seeded(path, opportunities: int, seed: int) -> OrgStore:
    store = OrgStore(path, load_schema(), today=TODAY, clock=lambda: datetime(2025, 3, 12, tzinfo=UTC))
    seed_org(store, opportunities, seed)
    return store


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> OrgStore:
    store = _seeded(tmp_path_factory.mktemp("seed") / "org.db", 300, 7)
    yield store
    store.close()


def test_same_seed_gives_same_records_and_ids(tmp_path):
    first, second = _seeded(tmp_path / "a.db", 40, 3), _seeded(tmp_path / "b.db", 40, 3)
    other = _seeded(tmp_path / "c.db", 40, 4)
    assert first.query(_BUNDLE).records == second.query(_BUNDLE).records
    assert first.query(_BUNDLE).records != other.query(_BUNDLE).records


def test_counts_and_shape_of_the_book(org):
    assert org.count("Opportunity") == 300
    assert org.count("Account") == 100
    assert org.count("Product2") == 15
    assert org.count("SBQQ__Quote__c") == 300
    families = {r["Family"] for r in org.query("SELECT Family FROM Product2").records}
    assert families == {"Platform", "Add-ons", "Professional Services", "Support"}
    stages = {r["StageName"]: r["n"] for r in org.query(
        "SELECT StageName, COUNT(Id) n FROM Opportunity GROUP BY StageName").records}
    assert 0.06 <= stages["Contracting"] / 300 <= 0.15
    assert len(stages) >= 9
    special = [r["Special_Terms__c"] for r in org.query("SELECT Special_Terms__c FROM Opportunity").records
               if r["Special_Terms__c"]]
    assert 0.05 <= len(special) / 300 <= 0.25 and set(special) <= set(SPECIAL_TERMS)


def test_amounts_match_line_items_and_primary_quote(org):
    opportunities = org.query("SELECT Id, Amount, Payment_Terms_Days__c, Contract_Term_Months__c, "
                              "(SELECT TotalPrice FROM OpportunityLineItems) FROM Opportunity").records
    quotes = {q["SBQQ__Opportunity2__c"]: q for q in org.query(
        "SELECT SBQQ__Opportunity2__c, SBQQ__NetAmount__c, SBQQ__PaymentTerms__c, SBQQ__SubscriptionTerm__c, "
        "SBQQ__Primary__c, (SELECT SBQQ__NetTotal__c FROM SBQQ__LineItems__r) FROM SBQQ__Quote__c").records}
    for opportunity in opportunities:
        lines = opportunity["OpportunityLineItems"]["records"]
        assert opportunity["Amount"] == pytest.approx(sum(line["TotalPrice"] for line in lines))
        quote = quotes[opportunity["Id"]]
        assert quote["SBQQ__Primary__c"] is True
        assert quote["SBQQ__NetAmount__c"] == pytest.approx(opportunity["Amount"])
        assert quote["SBQQ__LineItems__r"]["totalSize"] == len(lines)
        assert quote["SBQQ__PaymentTerms__c"] == f"Net {int(opportunity['Payment_Terms_Days__c'])}"
        assert quote["SBQQ__SubscriptionTerm__c"] == opportunity["Contract_Term_Months__c"]


def test_each_opportunity_has_exactly_one_primary_contact_from_its_account(org):
    rows = org.query("SELECT AccountId, (SELECT IsPrimary, Contact.AccountId FROM OpportunityContactRoles) "
                     "FROM Opportunity").records
    for row in rows:
        roles = row["OpportunityContactRoles"]["records"]
        assert sum(role["IsPrimary"] for role in roles) == 1
        assert all(role["Contact"]["AccountId"] == row["AccountId"] for role in roles)


def test_regions_countries_and_close_dates_are_consistent(org):
    countries = {"NA": {"United States", "Canada"}, "EMEA": {"United Kingdom", "Germany", "France", "Netherlands",
                 "Ireland", "Sweden"}, "APAC": {"Australia", "Singapore", "Japan", "India"},
                 "LATAM": {"Brazil", "Mexico", "Chile"}}
    for row in org.query("SELECT Region__c, Account.BillingCountry, IsClosed, CloseDate FROM Opportunity").records:
        assert row["Account"]["BillingCountry"] in countries[row["Region__c"]]
        assert (date.fromisoformat(row["CloseDate"]) < TODAY) == row["IsClosed"]


_SIGNALS = "SELECT Id, Name, Open_Support_Cases__c, Usage_Trend__c, Days_Payment_Late_Avg__c FROM Account ORDER BY Id"
_CAMPAIGNS = ("SELECT Id, Name, Type, Status, IsActive, Agreement_Type__c, Value_Band__c, Contractloop_Key__c "
              "FROM Campaign ORDER BY Contractloop_Key__c")


def test_accounts_carry_varied_health_signals(org):
    accounts = org.query(_SIGNALS).records
    assert all(a["Usage_Trend__c"] in {"Growing", "Flat", "Declining"} for a in accounts)
    assert {a["Usage_Trend__c"] for a in accounts} == {"Growing", "Flat", "Declining"}
    cases = [a["Open_Support_Cases__c"] for a in accounts]
    late = [a["Days_Payment_Late_Avg__c"] for a in accounts]
    assert min(cases) == 0 and max(cases) >= 5 and len(set(cases)) >= 5
    assert min(late) == 0 and max(late) >= 10 and len(set(late)) >= 8

    def mean(trend, field):
        values = [a[field] for a in accounts if a["Usage_Trend__c"] == trend]
        return sum(values) / len(values)

    assert mean("Declining", "Open_Support_Cases__c") > mean("Growing", "Open_Support_Cases__c")
    assert mean("Declining", "Days_Payment_Late_Avg__c") > mean("Growing", "Days_Payment_Late_Avg__c")


def test_renewal_campaigns_are_seeded_with_stable_keys(org):
    campaigns = org.query(_CAMPAIGNS).records
    assert [(c["Contractloop_Key__c"], c["Name"]) for c in campaigns] == sorted(
        (key, name) for key, name, *_ in RENEWAL_CAMPAIGNS)
    assert {c["Name"] for c in campaigns} == {
        "Renewal — Enterprise MSA", "Renewal — Mid-market Order Form", "Renewal — NDA/other"}
    assert all(c["Type"] == "Email" and c["IsActive"] is True and c["Status"] == "In Progress" for c in campaigns)
    assert {(c["Agreement_Type__c"], c["Value_Band__c"]) for c in campaigns} == {
        ("MSA", "Enterprise"), ("Order Form", "Mid-market"), ("NDA", "Any")}
    by_key = org.get_by_external_id("Campaign", "Contractloop_Key__c", "renewal-seq:enterprise-msa")
    assert by_key["Name"] == "Renewal — Enterprise MSA"


def test_signals_and_campaigns_are_deterministic(tmp_path):
    first, second = _seeded(tmp_path / "a.db", 40, 3), _seeded(tmp_path / "b.db", 40, 3)
    other = _seeded(tmp_path / "c.db", 40, 4)
    assert first.query(_SIGNALS).records == second.query(_SIGNALS).records
    assert first.query(_CAMPAIGNS).records == second.query(_CAMPAIGNS).records
    signals = [{k: v for k, v in r.items() if k not in ("attributes", "Id", "Name")} for r in first.query(_SIGNALS).records]
    assert signals != [{k: v for k, v in r.items() if k not in ("attributes", "Id", "Name")}
                       for r in other.query(_SIGNALS).records]
    assert [r["Contractloop_Key__c"] for r in other.query(_CAMPAIGNS).records] == [
        r["Contractloop_Key__c"] for r in first.query(_CAMPAIGNS).records]


def test_open_seeded_store_reuses_matching_database(tmp_path):
    path = tmp_path / "org.db"
    store = open_seeded_store(path, opportunities=12, seed=5, today=TODAY)
    first_ids = [r["Id"] for r in store.query("SELECT Id FROM Opportunity").records]
    store.create("Account", {"Name": "Added after seeding"})
    store.close()
    reused = open_seeded_store(path, opportunities=12, seed=5, today=TODAY)
    assert reused.query("SELECT COUNT() FROM Account WHERE Name = 'Added after seeding'").total_size == 1
    reused.close()
    rebuilt = open_seeded_store(path, opportunities=15, seed=5, today=TODAY)
    assert rebuilt.count("Opportunity") == 15
    assert rebuilt.query("SELECT COUNT() FROM Account WHERE Name = 'Added after seeding'").total_size == 0
    assert [r["Id"] for r in rebuilt.query("SELECT Id FROM Opportunity LIMIT 12").records] == first_ids
    rebuilt.close()
