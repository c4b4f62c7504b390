"""Deterministic, realistic org data: accounts (with health signals), contacts, catalog, opportunities with roles,
line items, CPQ quotes, the renewal email-sequence campaigns, and who may read them: a role hierarchy, profiles,
the people beyond the sales reps and a few manual shares (sandbox/salesforce/sharing.py has the rules).

Same (opportunities, seed) gives the same records and the same ids. Dates are relative to the store's `today`.
The account signals draw from their own random stream, so adding them left every other seeded value as it was.
"""

from __future__ import annotations

import random
import time
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .schema import Schema, load_schema
from .store import OrgStore

_META_KEY = "seed_parameters"

REGIONS: dict[str, list[tuple[str, str | None, str]]] = {
    # region: (country, state, governing law)
    "NA": [("United States", "CA", "State of California"), ("United States", "NY", "State of New York"),
           ("United States", "TX", "State of Delaware"), ("United States", "WA", "State of Delaware"),
           ("United States", "MA", "Commonwealth of Massachusetts"), ("Canada", "ON", "Province of Ontario")],
    "EMEA": [("United Kingdom", None, "England and Wales"), ("Germany", "BY", "Germany"), ("France", None, "France"),
             ("Netherlands", None, "The Netherlands"), ("Ireland", None, "Ireland"), ("Sweden", None, "Sweden")],
    "APAC": [("Australia", "NSW", "New South Wales, Australia"), ("Singapore", None, "Singapore"),
             ("Japan", None, "Japan"), ("India", "KA", "India")],
    "LATAM": [("Brazil", "SP", "Brazil"), ("Mexico", "CMX", "Mexico"), ("Chile", None, "Chile")],
}
# A city and postal code per (country, state), for realistic billing addresses on contracts.
_CITIES: dict[tuple[str, str | None], tuple[str, str]] = {
    ("United States", "CA"): ("San Francisco", "94105"), ("United States", "NY"): ("New York", "10017"),
    ("United States", "TX"): ("Austin", "78701"), ("United States", "WA"): ("Seattle", "98101"),
    ("United States", "MA"): ("Boston", "02110"), ("Canada", "ON"): ("Toronto", "M5H 2N2"),
    ("United Kingdom", None): ("London", "EC2V 7HH"), ("Germany", "BY"): ("Munich", "80331"),
    ("France", None): ("Paris", "75008"), ("Netherlands", None): ("Amsterdam", "1017 CE"),
    ("Ireland", None): ("Dublin", "D02 X285"), ("Sweden", None): ("Stockholm", "111 57"),
    ("Australia", "NSW"): ("Sydney", "2000"), ("Singapore", None): ("Singapore", "018989"),
    ("Japan", None): ("Tokyo", "100-0005"), ("India", "KA"): ("Bengaluru", "560001"),
    ("Brazil", "SP"): ("Sao Paulo", "01310-100"), ("Mexico", "CMX"): ("Mexico City", "06600"),
    ("Chile", None): ("Santiago", "8320000"),
}
_STREETS = ["Market Street", "Harbour Road", "King Street", "Park Avenue", "Station Road", "Commerce Way",
            "Riverside Drive", "High Street", "Innovation Boulevard", "Bridge Street"]
_REGION_WEIGHTS = {"NA": 45, "EMEA": 30, "APAC": 15, "LATAM": 10}
_INDUSTRIES = ["Technology", "Finance", "Healthcare", "Manufacturing", "Retail", "Insurance", "Education",
               "Telecommunications", "Energy", "Media", "Transportation", "Government", "Biotechnology", "Banking"]
_NAME_HEADS = ["North", "Blue", "Silver", "Granite", "Harbor", "Summit", "Cedar", "Bright", "Iron", "Lumen",
               "Pioneer", "Atlas", "Vertex", "Orchid", "Falcon", "Crescent", "Evergreen", "Quantum", "Sterling",
               "Meridian", "Copper", "Nimbus", "Aurora", "Keystone"]
_NAME_TAILS = ["wind", "field", "stone", "bridge", "point", "gate", "line", "works", "crest", "haven", "ridge", "path"]
_NAME_KINDS = ["Analytics", "Logistics", "Health", "Bank", "Systems", "Retail Group", "Energy", "Insurance",
               "Labs", "Manufacturing", "Media", "Partners", "Holdings", "Software", "Foods"]
_FIRST = ["Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Priya", "Lucas", "Sofia", "Kenji", "Amara", "Mateo",
          "Hannah", "Omar", "Elena", "Jonas", "Chloe", "Ravi", "Isabel", "Tomas", "Grace", "Felix", "Leila", "Marcus"]
_LAST = ["Nguyen", "Schmidt", "Garcia", "Okafor", "Tanaka", "Rossi", "Johnson", "Dubois", "Patel", "Kowalski",
         "Silva", "Andersson", "Murphy", "Cohen", "Haddad", "Fischer", "Lopez", "Chen", "Walker", "Novak"]
_CONTACT_TITLES = [("Chief Financial Officer", "Economic Buyer"), ("VP Operations", "Decision Maker"),
                   ("General Counsel", "Legal"), ("Head of Procurement", "Procurement"),
                   ("IT Director", "Technical Buyer"), ("Operations Manager", "Evaluator"),
                   ("Chief Executive Officer", "Executive Sponsor")]
# name, code, family, list price, unit
CATALOG: list[tuple[str, str, str, float, str]] = [
    ("Contractloop Platform - Standard", "PLT-STD", "Platform", 600.0, "User"),
    ("Contractloop Platform - Professional", "PLT-PRO", "Platform", 1200.0, "User"),
    ("Contractloop Platform - Enterprise", "PLT-ENT", "Platform", 1800.0, "User"),
    ("Advanced Analytics", "ADD-ANL", "Add-ons", 240.0, "User"),
    ("AI Clause Review", "ADD-AIR", "Add-ons", 360.0, "User"),
    ("E-Signature Bundle", "ADD-ESG", "Add-ons", 120.0, "User"),
    ("Sandbox Environment", "ADD-SBX", "Add-ons", 15000.0, "Each"),
    ("Additional Storage (1 TB)", "ADD-STO", "Add-ons", 3000.0, "Each"),
    ("Implementation Package", "PS-IMPL", "Professional Services", 25000.0, "Each"),
    ("Data Migration", "PS-MIG", "Professional Services", 12000.0, "Each"),
    ("Admin Training (per day)", "PS-TRN", "Professional Services", 2500.0, "Day"),
    ("Solution Architect (per day)", "PS-ARC", "Professional Services", 2200.0, "Day"),
    ("Premier Support", "SUP-PRM", "Support", 20000.0, "Year"),
    ("Standard Support", "SUP-STD", "Support", 8000.0, "Year"),
    ("Dedicated Technical Account Manager", "SUP-TAM", "Support", 45000.0, "Year"),
]
_STAGE_WEIGHTS = {"Prospecting": 12, "Qualification": 12, "Needs Analysis": 8, "Value Proposition": 8,
                  "Id. Decision Makers": 6, "Perception Analysis": 5, "Proposal/Price Quote": 10,
                  "Negotiation/Review": 9, "Contracting": 10, "Closed Won": 12, "Closed Lost": 8}
_DEAL_TYPES = {"New Logo": ("New Business", 45), "Expansion": ("Existing Business - Upgrade", 25),
               "Renewal": ("Renewal", 22), "Evaluation": ("New Business", 8)}
_QUOTE_STATUS = {"Prospecting": "Draft", "Qualification": "Draft", "Needs Analysis": "Draft",
                 "Value Proposition": "Draft", "Id. Decision Makers": "In Review", "Perception Analysis": "In Review",
                 "Proposal/Price Quote": "Presented", "Negotiation/Review": "Presented", "Contracting": "Approved",
                 "Closed Won": "Accepted", "Closed Lost": "Rejected"}
SPECIAL_TERMS = [
    "Customer requests liability cap of 2x fees and net 75 payment",
    "Needs 99.95% uptime SLA with service credits",
    "Mutual termination for convenience on 60 days notice",
    "German governing law required by customer",
    "Customer requires data residency in the EU and a signed DPA",
    "Price increase at renewal capped at 3% per year",
    "Customer asks for unlimited liability for data breaches",
    "Auto-renewal must be removed; renewal by mutual written agreement only",
    "Net 90 payment terms requested by customer procurement",
    "Source code escrow requested for the on-premise connector",
]
_LEAD_SOURCES = ["Web", "Partner Referral", "Trade Show", "Phone Inquiry", "Other"]
_USAGE_TRENDS = {"Growing": 4, "Flat": 4, "Declining": 2}
# The renewal email sequences: (Contractloop_Key__c, Name, agreement type, value band, description).
RENEWAL_CAMPAIGNS: list[tuple[str, str, str, str, str]] = [
    ("renewal-seq:enterprise-msa", "Renewal — Enterprise MSA", "MSA", "Enterprise",
     "Executive check-in, value review and renewal terms for MSA customers above the enterprise threshold"),
    ("renewal-seq:midmarket-order-form", "Renewal — Mid-market Order Form", "Order Form", "Mid-market",
     "Usage summary, renewal quote and e-signature reminders for order-form customers"),
    ("renewal-seq:nda-other", "Renewal — NDA/other", "NDA", "Any",
     "Short notice-of-expiry sequence for NDAs and other agreements without a commercial renewal"),
]

# The role hierarchy: (DeveloperName, Name, parent DeveloperName), parents first. A user sees what the users in
# the roles below theirs own; peers in one role do not see each other's records. Legal sits outside the sales
# branch (under the CEO).
ROLES: list[tuple[str, str, str | None]] = [
    ("CEO", "CEO", None),
    ("VP_Sales", "VP Sales", "CEO"),
    ("Sales_Manager_Americas", "Sales Manager, Americas", "VP_Sales"),
    ("Sales_Manager_International", "Sales Manager, International", "VP_Sales"),
    ("AE_Americas", "Account Executive, Americas", "Sales_Manager_Americas"),
    ("AE_International", "Account Executive, International", "Sales_Manager_International"),
    ("Legal", "Legal", "CEO"),
]
# Profile name -> (description, View All Data). The org's System Administrator profile is made with the org.
_PROFILES: dict[str, tuple[str, bool]] = {
    "Standard User": ("Reads what the role hierarchy and sharing give it", False),
    "Legal": ("View All Data: legal reads every contract in the org", True),
}
# The people beyond the eight sales reps (who own the book): (first, last, title, department, role, profile,
# active). They own nothing. The CEO and the managers see their branches; Legal Counsel sees everything (View All
# Data); the paralegal and the new account executive see nothing of the book; the former manager is inactive and
# sees nothing at all.
PEOPLE: list[tuple[str, str, str, str, str, str, bool]] = [
    ("Margaret", "Hale", "Chief Executive Officer", "Executive", "CEO", "Standard User", True),
    ("Rosa", "Castillo", "Sales Manager, Americas", "Sales", "Sales_Manager_Americas", "Standard User", True),
    ("Henrik", "Larsen", "Sales Manager, International", "Sales", "Sales_Manager_International", "Standard User",
     True),
    ("Samira", "Qureshi", "Legal Counsel", "Legal", "Legal", "Legal", True),
    ("Owen", "Price", "Paralegal", "Legal", "Legal", "Standard User", True),
    ("Nina", "Brooks", "Account Executive", "Sales", "AE_International", "Standard User", True),
    ("Victor", "Osei", "Sales Manager, Americas (former)", "Sales", "Sales_Manager_Americas", "Standard User",
     False),
]
# Part of the reuse check of `open_seeded_store`: an org seeded by an older revision of this module is rebuilt.
SEED_REVISION = 2


@dataclass
class SeedSummary:
    opportunities: int
    seed: int
    counts: dict[str, int]
    seconds: float

    @property
    def total_records(self) -> int:
        return sum(self.counts.values())


def seed_org(store: OrgStore, opportunities: int = 100, seed: int = 7) -> SeedSummary:
    """Fill `store` with a realistic book of business; deterministic for a given (opportunities, seed)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    today = store.today
    with store.transaction():
        def insert(obj: str, rows: list[dict[str, Any]]) -> list[str]:
            ids = store.insert_many(obj, rows)
            counts[obj] = counts.get(obj, 0) + len(ids)
            return ids

        role_ids = _insert_roles(insert)
        profiles = dict(zip(_PROFILES, insert("Profile", [
            {"Name": name, "Description": description, "PermissionsViewAllData": view_all}
            for name, (description, view_all) in _PROFILES.items()]), strict=True))
        reps = insert("User", [{**_sales_rep(index), "UserRoleId": role_ids[_rep_role(index)],
                                "ProfileId": profiles["Standard User"]} for index in range(8)])
        insert("User", [{**_person(first, last, title, department, active), "UserRoleId": role_ids[role],
                         "ProfileId": profiles[profile]}
                        for first, last, title, department, role, profile, active in PEOPLE])
        products = insert("Product2", [
            {"Name": name, "ProductCode": code, "Family": family, "IsActive": True, "QuantityUnitOfMeasure": unit,
             "Description": f"{family}: {name}"} for name, code, family, _, unit in CATALOG])
        entries = insert("PricebookEntry", [
            {"Pricebook2Id": store.standard_pricebook_id, "Product2Id": product, "UnitPrice": price,
             "IsActive": True} for product, (_, _, _, price, _) in zip(products, CATALOG, strict=True)])

        accounts = [_account(rng, index, reps) for index in range(max(1, opportunities // 3))]
        signals = random.Random(f"account-signals:{seed}")
        for account in accounts:
            account.update(_account_signals(signals))
        account_ids = insert("Account", accounts)
        contacts: list[dict[str, Any]] = []
        contacts_by_account: dict[int, list[tuple[int, str]]] = {}
        for index, account in enumerate(accounts):
            for title, role in rng.sample(_CONTACT_TITLES, rng.randint(2, 4)):
                contacts_by_account.setdefault(index, []).append((len(contacts), role))
                contacts.append(_contact(rng, account, account_ids[index], title, len(contacts)))
        contact_ids = insert("Contact", contacts)

        plans = [_opportunity(rng, index, accounts, account_ids, today) for index in range(opportunities)]
        opportunity_ids = insert("Opportunity", [plan["record"] for plan in plans])

        roles, items, quotes, quote_lines = [], [], [], []
        for plan, opportunity_id in zip(plans, opportunity_ids, strict=True):
            people = contacts_by_account[plan["account_index"]]
            ranked = sorted(people, key=lambda p: (p[1] not in ("Economic Buyer", "Decision Maker"), p[0]))
            primary_contact = contact_ids[ranked[0][0]]
            for position, (contact_index, role) in enumerate(ranked[: rng.randint(1, 3)]):
                roles.append({"OpportunityId": opportunity_id, "ContactId": contact_ids[contact_index],
                              "Role": role, "IsPrimary": position == 0})
            lines = _line_items(rng, plan)
            for line in lines:
                items.append({"OpportunityId": opportunity_id, "PricebookEntryId": entries[line["catalog"]],
                              "Quantity": line["quantity"], "UnitPrice": line["unit_price"],
                              "Discount": line["discount"], "ServiceDate": plan["record"]["CloseDate"]})
            quotes.append(_quote(rng, plan, opportunity_id, primary_contact, store.standard_pricebook_id))
            quote_lines.append([(line, products[line["catalog"]]) for line in lines])
        insert("OpportunityContactRole", roles)
        insert("OpportunityLineItem", items)
        quote_ids = insert("SBQQ__Quote__c", quotes)
        insert("SBQQ__QuoteLine__c", [
            {"SBQQ__Quote__c": quote_id, "SBQQ__Product__c": product, "SBQQ__ProductName__c": CATALOG[line["catalog"]][0],
             "SBQQ__Quantity__c": line["quantity"], "SBQQ__ListPrice__c": CATALOG[line["catalog"]][3],
             "SBQQ__Discount__c": line["discount"], "SBQQ__NetPrice__c": line["unit_price"]}
            for quote_id, lines in zip(quote_ids, quote_lines, strict=True) for line, product in lines])
        insert("Campaign", _renewal_campaigns(today, reps[0]))
        shares = _manual_shares(reps, [plan["record"] for plan in plans], opportunity_ids, account_ids)
        for obj, rows in shares.items():
            insert(obj, rows)
    return SeedSummary(opportunities, seed, counts, time.perf_counter() - started)


def open_seeded_store(
    db_path: str | Path, opportunities: int = 100, seed: int = 7, schema: Schema | None = None, **store_options: Any
) -> OrgStore:
    """Open the org at `db_path`, reusing it if it was seeded with these parameters, else rebuilding it."""
    path = Path(db_path)
    schema = schema or load_schema()
    wanted = f"opportunities={opportunities};seed={seed};revision={SEED_REVISION}"
    if path.exists():
        store = OrgStore(path, schema, **store_options)
        if store.meta(_META_KEY) == wanted:
            return store
        store.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = OrgStore(path, schema, **store_options)
    seed_org(store, opportunities, seed)
    store.set_meta(_META_KEY, wanted)
    return store


def _rep_role(index: int) -> str:
    """Rep 0 is the sales director (VP Sales); reps 1-4 sell in the Americas, 5-7 internationally."""
    return "VP_Sales" if index == 0 else "AE_Americas" if index <= 4 else "AE_International"


def _insert_roles(insert: Any) -> dict[str, str]:
    """The role hierarchy, parents first; DeveloperName -> Id."""
    ids: dict[str, str] = {}
    for developer_name, name, parent in ROLES:
        ids[developer_name] = insert("UserRole", [{"Name": name, "DeveloperName": developer_name,
                                                   "ParentRoleId": ids[parent] if parent else None}])[0]
    return ids


def _person(first: str, last: str, title: str, department: str, active: bool) -> dict[str, Any]:
    handle = f"{first}.{last}".lower()
    return {"Username": f"{handle}@contractloop.sandbox", "FirstName": first, "LastName": last,
            "Email": f"{handle}@contractloop.sandbox", "Alias": (first[:1] + last[:4]).lower(), "Title": title,
            "Department": department, "IsActive": active}


def _manual_shares(reps: list[str], opportunities: list[dict], opportunity_ids: list[str],
                   account_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """A few manual shares across the two sales teams (none when the org is too small to have the owners):

    - the first opportunity an international rep (5-7) owns is shared Read with rep 1 (Americas);
    - the first account rep 6 owns is shared Read with rep 2, its opportunities not (OpportunityAccessLevel None);
    - the first account rep 7 owns is shared Read with rep 3, its opportunities too (OpportunityAccessLevel Read).
    """
    international = set(reps[5:8])
    shared_opportunity = next((oid for record, oid in zip(opportunities, opportunity_ids, strict=True)
                               if record["OwnerId"] in international), None)
    owner_of_account: dict[str, str] = {}
    for record in opportunities:
        owner_of_account.setdefault(record["AccountId"], record["OwnerId"])
    first_account = {owner: next((a for a in account_ids if owner_of_account.get(a) == owner), None)
                     for owner in reps}
    shares: dict[str, list[dict[str, Any]]] = {"OpportunityShare": [], "AccountShare": []}
    if shared_opportunity:
        shares["OpportunityShare"].append({"OpportunityId": shared_opportunity, "UserOrGroupId": reps[1],
                                           "OpportunityAccessLevel": "Read", "RowCause": "Manual"})
    for owner, grantee, opportunity_access in ((reps[6], reps[2], "None"), (reps[7], reps[3], "Read")):
        account = first_account[owner]
        if account:
            shares["AccountShare"].append({"AccountId": account, "UserOrGroupId": grantee,
                                           "AccountAccessLevel": "Read", "OpportunityAccessLevel": opportunity_access,
                                           "RowCause": "Manual"})
    return {obj: rows for obj, rows in shares.items() if rows}


def _sales_rep(index: int) -> dict[str, Any]:
    first, last = _FIRST[(index * 5) % len(_FIRST)], _LAST[(index * 7) % len(_LAST)]
    handle = f"{first}.{last}".lower()
    return {"Username": f"{handle}@contractloop.sandbox", "FirstName": first, "LastName": last,
            "Email": f"{handle}@contractloop.sandbox", "Alias": (first[:1] + last[:4]).lower(),
            "Title": "Account Executive" if index else "Sales Director", "Department": "Sales", "IsActive": True}


def _account(rng: random.Random, index: int, reps: list[str]) -> dict[str, Any]:
    region = rng.choices(list(_REGION_WEIGHTS), weights=list(_REGION_WEIGHTS.values()))[0]
    country, state, _ = rng.choice(REGIONS[region])
    base = f"{rng.choice(_NAME_HEADS)}{rng.choice(_NAME_TAILS)} {rng.choice(_NAME_KINDS)}"
    name = base if index < 200 else f"{base} {index}"  # keeps names unique-ish in big orgs without looking odd
    domain = base.split()[0].lower() + ".example.com"
    employees = rng.choice([120, 450, 900, 2500, 8000, 20000, 60000])
    renewal = rng.random() < 0.5
    return {"Name": name, "Type": rng.choices(["Customer - Direct", "Prospect", "Customer - Channel"], [6, 3, 1])[0],
            "Industry": rng.choice(_INDUSTRIES), "Region__c": region, "BillingCountry": country,
            "BillingState": state, "BillingCity": _CITIES[(country, state)][0],
            "BillingPostalCode": _CITIES[(country, state)][1],
            "BillingStreet": f"{(index * 37) % 480 + 1} {_STREETS[index % len(_STREETS)]}",
            "Website": f"https://www.{domain}",
            "Phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}", "NumberOfEmployees": employees,
            "AnnualRevenue": float(employees * rng.randint(150, 400) * 1000), "OwnerId": rng.choice(reps),
            "Auto_Renewal__c": renewal, "Renewal_Notice_Days__c": rng.choice([30, 60, 90]) if renewal else None,
            "AccountNumber": f"ACC-{index + 1:06d}"}


def _account_signals(rng: random.Random) -> dict[str, Any]:
    """Service, usage and billing signals; a declining account tends to have more cases and pay later."""
    trend = rng.choices(list(_USAGE_TRENDS), weights=list(_USAGE_TRENDS.values()))[0]
    strain = {"Growing": 0, "Flat": 1, "Declining": 3}[trend]
    return {"Usage_Trend__c": trend,
            "Open_Support_Cases__c": float(rng.randint(0, 3) + rng.randint(0, 2 * strain)),
            "Days_Payment_Late_Avg__c": float(rng.choice([0, 0, 0, 2, 5, 9]) + rng.randint(0, 6 * strain))}


def _renewal_campaigns(today: date, owner: str) -> list[dict[str, Any]]:
    return [{"Contractloop_Key__c": key, "Name": name, "Type": "Email", "Status": "In Progress", "IsActive": True,
             "StartDate": date(today.year, 1, 1).isoformat(), "Agreement_Type__c": agreement, "Value_Band__c": band,
             "Description": description, "OwnerId": owner}
            for key, name, agreement, band, description in RENEWAL_CAMPAIGNS]


def _contact(rng: random.Random, account: dict, account_id: str, title: str, index: int) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    domain = account["Website"].removeprefix("https://www.")
    return {"AccountId": account_id, "FirstName": first, "LastName": last, "Title": title,
            "Email": f"{first}.{last}{index}@{domain}".lower(), "Phone": account["Phone"],
            "MailingCountry": account["BillingCountry"], "MailingState": account["BillingState"],
            "OwnerId": account["OwnerId"]}


def _opportunity(rng: random.Random, index: int, accounts: list[dict], account_ids: list[str], today: date) -> dict:
    account_index = index if index < len(accounts) else rng.randrange(len(accounts))
    account = accounts[account_index]
    stage = rng.choices(list(_STAGE_WEIGHTS), weights=list(_STAGE_WEIGHTS.values()))[0]
    deal_type = rng.choices(list(_DEAL_TYPES), weights=[w for _, w in _DEAL_TYPES.values()])[0]
    closed = stage.startswith("Closed")
    close_date = today + timedelta(days=-rng.randint(1, 330) if closed else rng.randint(3, 180))
    term = rng.choice([12, 12, 24, 36])
    payment_days = rng.choices([30, 45, 60, 90], [5, 2, 2, 1])[0]
    _, _, law = next(r for r in REGIONS[account["Region__c"]] if r[0] == account["BillingCountry"])
    special = rng.choice(SPECIAL_TERMS) if rng.random() < 0.12 else None
    edition = rng.choices([0, 1, 2], [3, 4, 2])[0]
    seats = rng.choice([10, 25, 50, 75, 100, 150, 250, 400]) * (1 if deal_type != "Evaluation" else 0) or 5
    label = {"New Logo": "New Logo", "Expansion": "Expansion", "Renewal": f"Renewal {close_date.year}",
             "Evaluation": "Pilot"}[deal_type]
    record = {
        "Name": f"{account['Name']} - {label}", "AccountId": account_ids[account_index], "StageName": stage,
        "CloseDate": close_date.isoformat(), "Type": _DEAL_TYPES[deal_type][0], "LeadSource": rng.choice(_LEAD_SOURCES),
        "Region__c": account["Region__c"], "Deal_Type__c": deal_type, "Contract_Term_Months__c": term,
        "Payment_Terms_Days__c": payment_days, "Governing_Law__c": law, "Special_Terms__c": special,
        "OwnerId": account["OwnerId"], "NextStep": None if closed else rng.choice(
            ["Send order form", "Legal review of MSA", "Security questionnaire", "Pricing call", "Exec sponsor meeting"]),
    }
    return {"record": record, "account_index": account_index, "term": term, "payment_days": payment_days,
            "edition": edition, "seats": seats, "deal_type": deal_type, "close_date": close_date}


def _line_items(rng: random.Random, plan: dict) -> list[dict[str, Any]]:
    """Platform seats, then a few add-ons, services (new logos) and support; prices after a line discount."""
    chosen = [(plan["edition"], plan["seats"])]
    for addon in rng.sample(range(3, 8), rng.randint(0, 2)):
        quantity = plan["seats"] if CATALOG[addon][4] == "User" else 1
        chosen.append((addon, quantity))
    if plan["deal_type"] in ("New Logo", "Evaluation") and rng.random() < 0.7:
        service = rng.choice(range(8, 12))
        chosen.append((service, 1 if CATALOG[service][4] == "Each" else rng.choice([3, 5, 10])))
    if rng.random() < 0.6:
        chosen.append((rng.choice(range(12, 15)), 1))
    years = plan["term"] / 12
    lines = []
    for catalog_index, quantity in chosen:
        _, _, family, list_price, _ = CATALOG[catalog_index]
        discount = float(rng.choice([0, 0, 5, 10, 15, 20, 25])) if family != "Professional Services" else 0.0
        recurring = family != "Professional Services"
        unit_price = round(list_price * (years if recurring else 1) * (1 - discount / 100), 2)
        lines.append({"catalog": catalog_index, "quantity": float(quantity), "unit_price": unit_price,
                      "discount": discount})
    return lines


def _quote(rng: random.Random, plan: dict, opportunity_id: str, contact_id: str, pricebook_id: str) -> dict:
    record = plan["record"]
    start = plan["close_date"] + timedelta(days=1)
    end = _add_months(start, plan["term"]) - timedelta(days=1)
    return {"SBQQ__Opportunity2__c": opportunity_id, "SBQQ__Account__c": record["AccountId"],
            "SBQQ__PrimaryContact__c": contact_id, "SBQQ__Primary__c": True,
            "SBQQ__Status__c": _QUOTE_STATUS[record["StageName"]],
            "SBQQ__Type__c": "Renewal" if plan["deal_type"] == "Renewal" else "Quote",
            "SBQQ__StartDate__c": start.isoformat(), "SBQQ__EndDate__c": end.isoformat(),
            "SBQQ__ExpirationDate__c": (plan["close_date"] + timedelta(days=30)).isoformat(),
            "SBQQ__SubscriptionTerm__c": plan["term"], "SBQQ__PaymentTerms__c": f"Net {plan['payment_days']}",
            "SBQQ__BillingFrequency__c": rng.choices(["Annual", "Quarterly", "Monthly"], [6, 3, 1])[0],
            "SBQQ__PricebookId__c": pricebook_id, "OwnerId": record["OwnerId"]}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
