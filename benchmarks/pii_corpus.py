"""A seeded corpus of contract-like and CRM-like texts with their personal data marked, for benchmarks/pii_bench.

Every document is generated from a seed (no shared data is read): preambles naming an individual party,
notice clauses, signature blocks ("By: /s/", "Name:", "Email:"), CRM special terms and notes mentioning the
deal's contacts (some bare, which only Salesforce's known values can catch), e-mail threads. Each carries
distractors that are no one's data (companies, dates, section numbers, amounts, product codes), so precision
means something.
"""

from __future__ import annotations

import random

from pydantic import BaseModel, Field

from tools.pii.detector import Kind, KnownValue

FIRST = ["Priya", "Jonathan", "Marta", "Hans", "Aisha", "Kenji", "Olivia", "Mateo", "Fatima", "Liam", "Chloé",
         "Dmitri", "Ngozi", "Sofia", "Rahul", "Ingrid", "Tomás", "Mei", "Oluwaseun", "Hannah", "Yusuf", "Elena",
         "Björn", "Camille", "Diego", "Zara", "Patrick", "Leilani", "Arjun", "Noor"]
LAST = ["Raman", "Ellis", "Oliveira", "Müller", "Bello", "Tanaka", "Whitfield", "García", "Haddad", "O'Brien",
        "Dubois", "Volkov", "Okafor", "Rossi", "Mehta", "Lindqvist", "Ferreira", "Chen", "Adeyemi", "Schmidt",
        "Kaya", "Petrova", "Nilsson", "Laurent", "Castillo", "Hussain", "McAllister", "Kahale", "Iyer", "Farouk"]
STREETS = ["Harbor", "Maple", "Lexington", "Baker", "Juniper", "Willow Creek", "Kingsway", "Elm", "Sunset",
           "Cedar Ridge", "Market", "Oak Hollow"]
SUFFIX = ["Street", "Avenue", "Boulevard", "Road", "Lane", "Drive", "Way", "Court", "Parkway"]
CITIES = [("Oakland", "CA", "94607"), ("Austin", "TX", "78701"), ("Denver", "CO", "80202"),
          ("Boston", "MA", "02110"), ("Seattle", "WA", "98101"), ("Chicago", "IL", "60601")]
UK_CITIES = [("London", "EC1A 1BB"), ("Manchester", "M1 1AE"), ("Leeds", "LS1 4AP"), ("Bristol", "BS1 5TR")]
DOMAINS = ["northwind.example", "contoso.example", "fabrikam.example", "tailspin.example", "example.org"]
COMPANIES = ["Harbor Analytics Corp.", "Alder Components, Inc.", "Birchwood Devices LLC", "Quartz Systems Ltd",
             "Meridian Health Partners", "Bluefin Logistics GmbH", "Northwind Traders", "Contoso Retail Group"]
TITLES = ["Chief Financial Officer", "General Counsel", "VP Procurement", "Head of Legal", "Director of Finance"]


class Mark(BaseModel):
    kind: Kind
    value: str


class CorpusDocument(BaseModel):
    source: str  # contract or crm
    text: str
    marks: list[Mark]
    known: list[KnownValue] = Field(default_factory=list, description="what the deal's Salesforce bundle holds")


class _Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng, self.parts, self.marks = rng, [], []

    def add(self, text: str) -> None:
        self.parts.append(text)

    def pii(self, kind: Kind, value: str) -> str:
        self.marks.append(Mark(kind=kind, value=value))
        return value

    def text(self) -> str:
        return "".join(self.parts)


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    middle = f" {rng.choice('ABCDEJKLMR')}." if rng.random() < 0.25 else ""
    return f"{first}{middle} {last}", f"{first} {last}"


def _email(rng: random.Random, name: str) -> str:
    first, last = name.split()[0], name.split()[-1]
    ascii_name = {"é": "e", "á": "a", "ö": "o", "ü": "u", "í": "i", "'": ""}
    clean = "".join(ascii_name.get(c, c) for c in f"{first}.{last}".lower())
    local = rng.choice([clean, clean.replace(".", ""), clean[0] + clean.split(".", 1)[1]])
    return local + "@" + rng.choice(DOMAINS)


def _phone(rng: random.Random) -> str:
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(0, 9999)
    return rng.choice([f"({a}) {b}-{c:04d}", f"+1 {a} {b} {c:04d}", f"{a}.{b}.{c:04d}", f"{a}-{b}-{c:04d}",
                       f"+44 20 {rng.randint(7000, 7999)} {c:04d}", f"+49 30 {rng.randint(100000, 999999)}",
                       f"020 {rng.randint(7000, 7999)} {c:04d}"])


def _address(rng: random.Random) -> str:
    number, street = rng.randint(1, 9999), f"{rng.choice(STREETS)} {rng.choice(SUFFIX)}"
    unit = rng.choice(["", f", Suite {rng.randint(100, 900)}", f", Floor {rng.randint(2, 30)}"])
    if rng.random() < 0.3:
        city, postcode = rng.choice(UK_CITIES)
        return f"{number} {street}{unit}, {city} {postcode}"
    city, state, zip_code = rng.choice(CITIES)
    return f"{number} {street}{unit}, {city}, {state} {zip_code}"


def _distractors(rng: random.Random) -> str:
    return rng.choice([
        f" Fees of ${rng.randint(10, 900)},000.00 are due within {rng.choice([30, 45, 60])} days of invoice.",
        f" See Section {rng.randint(1, 20)}.{rng.randint(1, 9)}.{rng.randint(1, 9)} and Exhibit B.",
        f" The Effective Date is 2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}.",
        f" Product PLT-STD-{rng.randint(100, 999)} covers {rng.randint(5, 500)} seats.",
        f" {rng.choice(COMPANIES)} shall indemnify the Customer under the laws of the State of New York.",
        " The Agreement renews for successive twelve (12) month terms unless either party gives notice.",
    ])


def _contract(rng: random.Random) -> CorpusDocument:
    w = _Writer(rng)
    individual, _ = _person(rng)
    company = rng.choice(COMPANIES)
    signer, signer_short = _person(rng)
    w.add(f"CONSULTING AGREEMENT\n\nThis Agreement is made on March {rng.randint(1, 28)}, 2023 between {company} "
          f"(\"Company\") and {w.pii('person', individual)}, an individual (\"Consultant\").{_distractors(rng)}\n\n")
    notice, email, phone = _person(rng)[0], None, _phone(rng)
    email = _email(rng, notice)
    w.add(f"12. Notices. Notices shall be sent to Attn: {w.pii('person', notice)}, "
          f"{w.pii('address', _address(rng))}, email {w.pii('email', email)}, telephone "
          f"{w.pii('phone', phone)}.{_distractors(rng)}\n\n")
    w.add(f"IN WITNESS WHEREOF the parties have executed this Agreement.\n\n{company.upper()}\n"
          f"By: /s/ {w.pii('person', signer)}\nName: {w.pii('person', signer)}\nTitle: {rng.choice(TITLES)}\n"
          f"Email: {w.pii('email', _email(rng, signer_short))}\n\nCONSULTANT\nSignature: "
          f"{w.pii('person', individual)}\nDate: 2023-03-{rng.randint(10, 28)}\n")
    return CorpusDocument(source="contract", text=w.text(), marks=w.marks)


def _crm(rng: random.Random) -> CorpusDocument:
    w = _Writer(rng)
    contact, short = _person(rng)
    contact_email, other = _email(rng, short), _person(rng)[0]
    known = [KnownValue(kind="person", value=contact), KnownValue(kind="email", value=contact_email)]
    known += [KnownValue(kind="person", value=p) for p in contact.split() if len(p) >= 3 and p[0].isupper()]
    first = contact.split()[0]
    # Alternatives are lambdas: only the one chosen may mark its values.
    w.add(rng.choice([
        lambda: f"Customer requests a liability cap of 2x annual fees. {w.pii('person', contact)} will sign; ",
        lambda: f"Net 60 payment terms requested by {w.pii('person', contact)}. ",
        lambda: f"Mutual NDA needed before the pilot; {w.pii('person', first)} from procurement asked for it. ",
    ])())
    other_short = f"{other.split()[0]} {other.split()[-1]}"
    w.add(rng.choice([
        lambda: f"Call {w.pii('person', other)} on {w.pii('phone', _phone(rng))} before sending.",
        lambda: f"Send redlines to {w.pii('email', contact_email)} and cc Dr. {w.pii('person', other)}.",
        lambda: f"Invoices to {w.pii('address', _address(rng))}, contact {w.pii('person', other)} "
                f"<{w.pii('email', _email(rng, other_short))}>.",
        lambda: f"Per {w.pii('person', other)} ({w.pii('phone', _phone(rng))}), the DPA must list sub-processors.",
    ])())
    w.add(_distractors(rng))
    return CorpusDocument(source="crm", text=w.text(), marks=w.marks, known=known)


def corpus(seed: int = 0, documents: int = 200) -> list[CorpusDocument]:
    """Half contract text, half CRM text, in a fixed order for the seed."""
    rng = random.Random(seed)
    return [(_contract if i % 2 == 0 else _crm)(rng) for i in range(documents)]
