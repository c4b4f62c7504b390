"""Who may read which record (issue 13): the sandbox's sharing model and UserRecordAccess, over real HTTPS,
and the client's `readable_records` and `user_by_email` on top of them.

The seeded org (sandbox/salesforce/seed.py): CEO Margaret Hale above VP Sales Ava Nguyen (rep 0), above two
sales managers (Rosa Castillo, Americas: reps 1-4; Henrik Larsen, International: reps 5-7 and Nina Brooks, who
owns nothing); Legal (Samira Qureshi, View All Data; Owen Price, paralegal, sees nothing) under the CEO; Victor
Osei, a former Americas manager, inactive.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError as SimpleSalesforceError

from core.settings import settings_from
from sandbox.salesforce.server import SalesforceSandbox
from sandbox.salesforce.sharing import MAX_RECORD_IDS
from tools.salesforce import SalesforceClient, SalesforceUser
from tools.salesforce.errors import InvalidRequest
from tools.salesforce.files import MalformedSalesforceId

EMAILS = {
    "vp": "ava.nguyen@contractloop.sandbox",
    "ethan": "ethan.dubois@contractloop.sandbox",  # rep 1, Americas
    "amara": "amara.haddad@contractloop.sandbox",  # rep 2, Americas: Ethan's peer
    "jonas": "jonas.schmidt@contractloop.sandbox",  # rep 3, Americas
    "priya": "priya.garcia@contractloop.sandbox",  # rep 6, International
    "mateo": "mateo.kowalski@contractloop.sandbox",  # rep 7, International
    "ceo": "margaret.hale@contractloop.sandbox",
    "rosa": "rosa.castillo@contractloop.sandbox",  # Sales Manager, Americas
    "henrik": "henrik.larsen@contractloop.sandbox",  # Sales Manager, International
    "legal": "samira.qureshi@contractloop.sandbox",  # View All Data
    "paralegal": "owen.price@contractloop.sandbox",
    "nina": "nina.brooks@contractloop.sandbox",  # International rep who owns nothing
    "victor": "victor.osei@contractloop.sandbox",  # inactive
}


@pytest.fixture(scope="module")
def people(sf_sandbox: SalesforceSandbox) -> dict[str, str]:
    """Seeded users by nickname -> 18-char id (the inactive one included, read straight from the org)."""
    rows = sf_sandbox.store.query("SELECT Id, Email FROM User").records
    by_email = {row["Email"]: row["Id"] for row in rows}
    return {nick: by_email[email] for nick, email in EMAILS.items()}


@pytest.fixture
def client(sf_sandbox: SalesforceSandbox) -> SalesforceClient:
    sf_sandbox.faults.clear()
    return SalesforceClient.from_settings(settings_from(sf_sandbox.env()))


def _owned(sf_sandbox: SalesforceSandbox, owner: str, obj: str = "Opportunity") -> list[str]:
    rows = sf_sandbox.store.query(f"SELECT Id FROM {obj} WHERE OwnerId = '{owner}' ORDER BY Id").records
    assert rows, f"the seed must give {owner} some {obj} records"
    return [row["Id"] for row in rows]


def _shared_ids(sf_sandbox: SalesforceSandbox) -> set[str]:
    store = sf_sandbox.store
    opportunities = {r["OpportunityId"] for r in store.query("SELECT OpportunityId FROM OpportunityShare").records}
    accounts = {r["AccountId"] for r in store.query("SELECT AccountId FROM AccountShare").records}
    in_shared_accounts = {r["Id"] for r in store.query("SELECT Id, AccountId FROM Opportunity").records
                          if r["AccountId"] in accounts}
    return opportunities | accounts | in_shared_accounts


@pytest.fixture(scope="module")
def ethans_deal(sf_sandbox: SalesforceSandbox, people: dict[str, str]) -> str:
    """An opportunity Ethan owns that no seeded share touches."""
    return next(i for i in _owned(sf_sandbox, people["ethan"]) if i not in _shared_ids(sf_sandbox))


def _access(sf: Salesforce, user_id: str, record_ids: list[str]) -> dict[str, dict[str, Any]]:
    quoted = ", ".join(f"'{i}'" for i in record_ids)
    rows = sf.query(f"SELECT RecordId, HasReadAccess, HasEditAccess, MaxAccessLevel FROM UserRecordAccess "
                    f"WHERE UserId = '{user_id}' AND RecordId IN ({quoted})")["records"]
    return {row["RecordId"]: row for row in rows}


def _error(call: Any) -> dict[str, Any]:
    with pytest.raises(SimpleSalesforceError) as caught:
        call()
    body = caught.value.content
    assert isinstance(body, list) and set(body[0]) == {"message", "errorCode", "fields"}
    return body[0]


# ----- the sharing model -------------------------------------------------------------------------------------------
def test_the_owner_reads_their_own_records(client: SalesforceClient, people: dict[str, str], ethans_deal: str,
                                           sf_sandbox: SalesforceSandbox) -> None:
    account = _owned(sf_sandbox, people["ethan"], "Account")[0]
    assert client.readable_records(people["ethan"], [ethans_deal, account]) == {ethans_deal, account}
    row = _access(sf_sandbox.client(), people["ethan"], [ethans_deal])[ethans_deal]
    assert row["HasReadAccess"] and row["HasEditAccess"] and row["MaxAccessLevel"] == "All"


def test_users_above_the_owner_in_the_role_hierarchy_read_but_other_branches_do_not(
        client: SalesforceClient, people: dict[str, str], ethans_deal: str) -> None:
    for boss in ("rosa", "vp", "ceo"):
        assert client.readable_records(people[boss], [ethans_deal]) == {ethans_deal}, boss
    for outsider in ("henrik", "nina", "paralegal"):
        assert client.readable_records(people[outsider], [ethans_deal]) == set(), outsider


def test_a_peer_rep_in_the_same_role_is_denied(client: SalesforceClient, people: dict[str, str],
                                               ethans_deal: str, sf_sandbox: SalesforceSandbox) -> None:
    ethans = [i for i in _owned(sf_sandbox, people["ethan"]) if i not in _shared_ids(sf_sandbox)]
    assert client.readable_records(people["amara"], ethans) == set()
    row = _access(sf_sandbox.client(), people["amara"], [ethans_deal])[ethans_deal]
    assert row == {"attributes": {"type": "UserRecordAccess"}, "RecordId": ethans_deal, "HasReadAccess": False,
                   "HasEditAccess": False, "MaxAccessLevel": "None"}


def test_view_all_data_reads_everything_and_the_paralegal_nothing(
        client: SalesforceClient, people: dict[str, str], sf_sandbox: SalesforceSandbox) -> None:
    store = sf_sandbox.store
    everything = [r["Id"] for obj in ("Opportunity", "Account", "Contact")
                  for r in store.query(f"SELECT Id FROM {obj}").records]
    assert client.readable_records(people["legal"], everything) == set(everything)
    assert client.readable_records(people["paralegal"], everything) == set()
    assert client.readable_records(people["nina"], everything) == set()
    deal = everything[0]
    row = _access(sf_sandbox.client(), people["legal"], [deal])[deal]
    assert row["MaxAccessLevel"] == "Read" and row["HasEditAccess"] is False  # View All, not Modify All


def test_a_manual_share_grants_its_user_and_those_above_them(
        client: SalesforceClient, people: dict[str, str], ethans_deal: str, sf_sandbox: SalesforceSandbox) -> None:
    sf = sf_sandbox.client()
    assert client.readable_records(people["nina"], [ethans_deal]) == set()
    share = sf.OpportunityShare.create({"OpportunityId": ethans_deal, "UserOrGroupId": people["nina"],
                                        "OpportunityAccessLevel": "Edit"})
    try:
        assert client.readable_records(people["nina"], [ethans_deal]) == {ethans_deal}
        assert _access(sf, people["nina"], [ethans_deal])[ethans_deal]["MaxAccessLevel"] == "Edit"
        assert client.readable_records(people["henrik"], [ethans_deal]) == {ethans_deal}  # Nina's manager
        assert client.readable_records(people["priya"], [ethans_deal]) == set()  # Nina's peer
    finally:
        sf.OpportunityShare.delete(share["id"])
    assert client.readable_records(people["nina"], [ethans_deal]) == set()


def test_an_account_share_opens_opportunities_only_when_its_opportunity_access_level_says_so(
        client: SalesforceClient, people: dict[str, str], sf_sandbox: SalesforceSandbox) -> None:
    store = sf_sandbox.store
    shares = {r["UserOrGroupId"]: r for r in store.query(
        "SELECT AccountId, UserOrGroupId, OpportunityAccessLevel FROM AccountShare").records}
    closed, opened = shares[people["amara"]], shares[people["jonas"]]
    assert (closed["OpportunityAccessLevel"], opened["OpportunityAccessLevel"]) == ("None", "Read")

    def deals(account: str) -> list[str]:
        return [r["Id"] for r in store.query(f"SELECT Id FROM Opportunity WHERE AccountId = '{account}'").records]

    # Amara reads Priya's account but none of its opportunities; its owner's peers see neither.
    assert client.readable_records(people["amara"], [closed["AccountId"], *deals(closed["AccountId"])]) == {
        closed["AccountId"]}
    assert client.readable_records(people["mateo"], [closed["AccountId"]]) == set()
    # Jonas reads Mateo's account and its opportunities, read-only.
    opened_deals = deals(opened["AccountId"])
    assert client.readable_records(people["jonas"], [opened["AccountId"], *opened_deals]) == {
        opened["AccountId"], *opened_deals}
    access = _access(sf_sandbox.client(), people["jonas"], opened_deals)
    assert {row["MaxAccessLevel"] for row in access.values()} == {"Read"}


def test_who_sees_an_opportunity_reads_its_account(client: SalesforceClient, people: dict[str, str],
                                                   sf_sandbox: SalesforceSandbox) -> None:
    share = sf_sandbox.store.query("SELECT OpportunityId, Opportunity.AccountId, UserOrGroupId "
                                   "FROM OpportunityShare").records[0]
    account = share["Opportunity"]["AccountId"]
    assert share["UserOrGroupId"] == people["ethan"]
    assert client.readable_records(people["ethan"], [share["OpportunityId"], account]) == {
        share["OpportunityId"], account}
    assert _access(sf_sandbox.client(), people["ethan"], [account])[account]["MaxAccessLevel"] == "Read"


def test_contract_records_follow_their_opportunity(client: SalesforceClient, people: dict[str, str],
                                                   ethans_deal: str, sf_sandbox: SalesforceSandbox) -> None:
    sf = sf_sandbox.client()
    insight = sf.Contract_Insight__c.create({"External_Key__c": "perm-test-insight", "Opportunity__c": ethans_deal})
    try:
        obligation = sf.Contract_Obligation__c.create({"Contract_Insight__c": insight["id"],
                                                       "Description__c": "Quarterly business review"})
        records = [insight["id"], obligation["id"]]
        assert client.readable_records(people["ethan"], records) == set(records)
        assert client.readable_records(people["rosa"], records) == set(records)
        assert client.readable_records(people["amara"], records) == set()
        assert client.readable_records(people["legal"], records) == set(records)
    finally:
        sf.Contract_Insight__c.delete(insight["id"])


def test_inactive_users_read_nothing_even_what_they_own(client: SalesforceClient, people: dict[str, str],
                                                        ethans_deal: str, sf_sandbox: SalesforceSandbox) -> None:
    assert client.readable_records(people["victor"], [ethans_deal]) == set()  # would be his as Americas manager
    sf = sf_sandbox.client()
    user = sf.User.create({"Username": "leaving.rep@contractloop.sandbox", "LastName": "Leaving",
                           "Email": "leaving.rep@contractloop.sandbox", "IsActive": True})
    account = sf.Account.create({"Name": "Leaving Rep Co", "OwnerId": user["id"]})
    assert client.readable_records(user["id"], [account["id"]]) == {account["id"]}
    sf.User.update(user["id"], {"IsActive": False})
    assert client.readable_records(user["id"], [account["id"]]) == set()
    assert _access(sf, user["id"], [account["id"]])[account["id"]]["MaxAccessLevel"] == "None"


# ----- the client: ids and batches ----------------------------------------------------------------------------------
def test_more_than_200_ids_are_sent_in_batches_and_15_char_ids_come_back_long(
        client: SalesforceClient, people: dict[str, str], sf_sandbox: SalesforceSandbox) -> None:
    store = sf_sandbox.store
    ids = [r["Id"] for obj in ("Opportunity", "Account", "Contact")
           for r in store.query(f"SELECT Id FROM {obj} ORDER BY Id").records][:250]
    assert len(ids) == 250
    short = [i[:15] for i in ids[:10]] + ids[10:] + ids[:5]  # 15-char forms and repeats count once
    before = client.calls
    assert client.readable_records(people["legal"], short) == set(ids)
    assert client.calls - before == 2  # 200 + 50 distinct ids
    readable = client.readable_records(people["ethan"], ids)
    assert set(_owned(sf_sandbox, people["ethan"])) & set(ids) <= readable
    assert not readable & set(_owned(sf_sandbox, people["amara"]))
    assert readable == client.readable_records(people["ethan"], ids[:100]) | client.readable_records(
        people["ethan"], ids[100:])
    before = client.calls
    assert client.readable_records(people["ethan"], []) == set() and client.calls == before


@pytest.mark.parametrize("user_id, record_id", [
    ("not-an-id", "0065g0000000001AAA"),
    ("0015g0000000001AAA", "0065g0000000001AAA"),  # an Account id where a User id belongs
    ("0055g0000000002AAA", "0065g0000000001AAX"),  # a wrong checksum
    ("0055g0000000002AAA", "0065g00000000' OR 1"),
])
def test_malformed_ids_are_refused_before_any_call(client: SalesforceClient, user_id: str, record_id: str) -> None:
    before = client.calls
    with pytest.raises(MalformedSalesforceId):
        client.readable_records(user_id, [record_id])
    assert client.calls == before


# ----- the sandbox's UserRecordAccess refusals ----------------------------------------------------------------------
def test_201_record_ids_in_one_query_is_limit_exceeded(sf_sandbox: SalesforceSandbox, people: dict[str, str],
                                                       client: SalesforceClient) -> None:
    store = sf_sandbox.store
    ids = [r["Id"] for obj in ("Opportunity", "Account", "Contact")
           for r in store.query(f"SELECT Id FROM {obj} ORDER BY Id").records][:MAX_RECORD_IDS + 1]
    quoted = ", ".join(f"'{i}'" for i in ids)
    soql = f"SELECT RecordId FROM UserRecordAccess WHERE UserId = '{people['legal']}' AND RecordId IN ({quoted})"
    error = _error(lambda: sf_sandbox.client().query(soql))
    assert error["errorCode"] == "LIMIT_EXCEEDED"
    assert error["message"] == "Number of records exceeds limit: 200"
    with pytest.raises(InvalidRequest) as caught:
        client.query(soql)
    assert caught.value.error_code == "LIMIT_EXCEEDED"
    assert len(_access(sf_sandbox.client(), people["legal"], ids[:MAX_RECORD_IDS])) == MAX_RECORD_IDS


@pytest.mark.parametrize("where, code", [
    ("RecordId = '{deal}'", "MALFORMED_QUERY"),  # no UserId
    ("UserId = '{user}'", "MALFORMED_QUERY"),  # no RecordId
    ("UserId IN ('{user}') AND RecordId = '{deal}'", "MALFORMED_QUERY"),  # one UserId, by =
    ("UserId = '{user}' AND UserId = '{user}' AND RecordId = '{deal}'", "MALFORMED_QUERY"),
    ("UserId = '{user}' AND (RecordId = '{deal}' OR RecordId = '{deal}')", "MALFORMED_QUERY"),
    ("UserId = '{user}' AND RecordId = 'nonsense'", "INVALID_QUERY_FILTER_OPERATOR"),
    ("UserId = '{user}' AND RecordId = '{deal}' AND MaxAccessLevel = 'All'", "INVALID_FIELD"),
])
def test_a_query_not_shaped_as_salesforce_requires_is_refused(
        sf_sandbox: SalesforceSandbox, people: dict[str, str], ethans_deal: str, where: str, code: str) -> None:
    soql = "SELECT RecordId FROM UserRecordAccess WHERE " + where.format(user=people["ethan"], deal=ethans_deal)
    assert _error(lambda: sf_sandbox.client().query(soql))["errorCode"] == code


def test_without_where_clause_or_with_an_access_filter_and_other_fields(
        sf_sandbox: SalesforceSandbox, people: dict[str, str], ethans_deal: str) -> None:
    sf = sf_sandbox.client()
    assert _error(lambda: sf.query("SELECT RecordId FROM UserRecordAccess"))["errorCode"] == "MALFORMED_QUERY"
    base = f"FROM UserRecordAccess WHERE UserId = '{people['ethan']}' AND RecordId = '{ethans_deal}'"
    assert _error(lambda: sf.query(f"SELECT UserId {base}"))["errorCode"] == "INVALID_FIELD"
    assert _error(lambda: sf.query(f"SELECT HasReadAccess {base}"))["errorCode"] == "MALFORMED_QUERY"
    refused = _error(lambda: sf.query(f"SELECT RecordId, HasReadAccess {base} AND HasReadAccess = true"))
    assert refused["errorCode"] == "MALFORMED_QUERY"
    assert sf.query(f"SELECT RecordId {base} AND HasReadAccess = true")["records"] == [
        {"attributes": {"type": "UserRecordAccess"}, "RecordId": ethans_deal}]
    assert sf.query(f"SELECT RecordId {base} AND HasEditAccess = false")["totalSize"] == 0


def test_user_record_access_is_query_only(sf_sandbox: SalesforceSandbox, people: dict[str, str],
                                          ethans_deal: str) -> None:
    sf = sf_sandbox.client()
    error = _error(lambda: sf.UserRecordAccess.create({"UserId": people["ethan"], "RecordId": ethans_deal}))
    assert error["errorCode"] == "INVALID_TYPE_FOR_OPERATION"
    describe = sf.UserRecordAccess.describe()
    assert (describe["createable"], describe["updateable"], describe["deletable"]) == (False, False, False)
    assert describe["queryable"] is True


def test_a_record_that_does_not_exist_comes_back_with_no_access(sf_sandbox: SalesforceSandbox,
                                                                people: dict[str, str]) -> None:
    ghost = "0065g0000000zzzAAA"
    row = _access(sf_sandbox.client(), people["legal"], [ghost])
    assert list(row) == [ghost] and row[ghost]["HasReadAccess"] is False and row[ghost]["MaxAccessLevel"] == "None"


# ----- user_by_email ------------------------------------------------------------------------------------------------
def test_user_by_email_is_case_insensitive_and_typed(client: SalesforceClient, people: dict[str, str]) -> None:
    found = client.user_by_email("  Ethan.DUBOIS@ContractLoop.Sandbox ")
    assert found == SalesforceUser(id=people["ethan"], name="Ethan Dubois", email=EMAILS["ethan"], is_active=True)
    assert client.user_by_email("nobody@contractloop.sandbox") is None
    assert client.user_by_email("") is None and client.user_by_email("   ") is None


def test_user_by_email_finds_no_inactive_user(client: SalesforceClient) -> None:
    assert client.user_by_email(EMAILS["victor"]) is None


@pytest.mark.parametrize("hostile", [
    "x' OR Email != '",
    "x\\' OR Email != \\'",
    "ethan.dubois@contractloop.sandbox' OR IsActive = false OR Email = '",
    "\\",
    "'",
    "%@contractloop.sandbox",
    "ethan.dubois@contractloop.sandbox\nOR Email != ''",
])
def test_hostile_email_input_is_a_literal_value(client: SalesforceClient, hostile: str) -> None:
    assert client.user_by_email(hostile) is None


def test_an_email_with_quotes_and_backslashes_is_matched_exactly(client: SalesforceClient,
                                                                 sf_sandbox: SalesforceSandbox) -> None:
    email = "o'brien\\legal@contractloop.sandbox"
    created = sf_sandbox.client().User.create({"Username": "obrien.legal@contractloop.sandbox", "FirstName": "Aoife",
                                               "LastName": "O'Brien", "Email": email, "IsActive": True})
    found = client.user_by_email(email.upper())
    assert found is not None and found.id == created["id"] and found.email == email
    assert client.user_by_email("o'brien@contractloop.sandbox") is None


def test_two_active_users_with_one_email_are_nobody(client: SalesforceClient, sf_sandbox: SalesforceSandbox) -> None:
    sf = sf_sandbox.client()
    for handle in ("twin.one", "twin.two"):
        sf.User.create({"Username": f"{handle}@contractloop.sandbox", "LastName": handle,
                        "Email": "shared.inbox@contractloop.sandbox", "IsActive": True})
    assert client.user_by_email("shared.inbox@contractloop.sandbox") is None


@pytest.fixture(scope="module", autouse=True)
def _org_is_seeded_as_documented(sf_sandbox: SalesforceSandbox) -> Iterator[None]:
    roles = {r["Name"]: (r["ParentRole"] or {}).get("Name") for r in sf_sandbox.store.query(
        "SELECT Name, ParentRole.Name FROM UserRole").records}
    assert roles["Account Executive, Americas"] == "Sales Manager, Americas"
    assert roles["Sales Manager, Americas"] == "VP Sales" and roles["VP Sales"] == "CEO"
    assert roles["Legal"] == "CEO" and roles["CEO"] is None
    yield


def test_a_file_is_as_visible_as_the_records_it_is_linked_to(client: SalesforceClient, people: dict[str, str],
                                                             ethans_deal: str, sf_sandbox: SalesforceSandbox) -> None:
    sf = sf_sandbox.client()
    version = sf.ContentVersion.create({"Title": "Signed MSA", "PathOnClient": "msa.pdf",
                                        "VersionData": "JVBERi0xLjQK", "FirstPublishLocationId": ethans_deal})
    document = sf.ContentVersion.get(version["id"])["ContentDocumentId"]
    records = [document, version["id"]]
    assert client.readable_records(people["ethan"], records) == set(records)
    assert client.readable_records(people["rosa"], records) == set(records)
    assert client.readable_records(people["amara"], records) == set()


def test_rows_can_be_ordered_by_a_selected_field(sf_sandbox: SalesforceSandbox, people: dict[str, str],
                                                 ethans_deal: str) -> None:
    amaras = _owned(sf_sandbox, people["amara"])[0]
    rows = sf_sandbox.client().query(
        f"SELECT RecordId, MaxAccessLevel FROM UserRecordAccess WHERE UserId = '{people['ethan']}' "
        f"AND RecordId IN ('{amaras}', '{ethans_deal}') ORDER BY MaxAccessLevel DESC")["records"]
    assert [(r["RecordId"], r["MaxAccessLevel"]) for r in rows] == [(ethans_deal, "All"), (amaras, "None")]
    refused = _error(lambda: sf_sandbox.client().query(
        f"SELECT RecordId FROM UserRecordAccess WHERE UserId = '{people['ethan']}' AND RecordId = '{amaras}' "
        "ORDER BY HasReadAccess"))
    assert refused["errorCode"] == "MALFORMED_QUERY"
