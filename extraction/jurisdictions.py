"""Jurisdiction names -> the form CUAD writes ("Texas", "Ontario, Canada", "England, United Kingdom")."""

from __future__ import annotations

import re

US_STATES = [
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida",
    "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine",
    "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska",
    "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio",
    "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas",
    "Utah", "Vermont", "Virginia", "Washington", "West Virginia", "Wisconsin", "Wyoming", "District of Columbia",
    "Puerto Rico",
]
# Sub-national units outside the US are written "Unit, Country".
SUBNATIONAL = {
    **{p: "Canada" for p in ["Ontario", "Quebec", "British Columbia", "Alberta", "Manitoba", "Saskatchewan",
                             "Nova Scotia", "New Brunswick", "Newfoundland", "Prince Edward Island"]},
    **{s: "Australia" for s in ["New South Wales", "Victoria", "Queensland", "Western Australia",
                                "South Australia", "Tasmania"]},
    "England": "United Kingdom", "Scotland": "United Kingdom", "Wales": "United Kingdom",
    "Northern Ireland": "United Kingdom", "Bavaria": "Germany",
}
COUNTRIES = [
    "United States", "Canada", "Mexico", "Brazil", "Argentina", "Chile", "Colombia", "Peru", "Venezuela",
    "United Kingdom", "Ireland", "France", "Germany", "Italy", "Spain", "Portugal", "Netherlands", "Belgium",
    "Luxembourg", "Switzerland", "Austria", "Sweden", "Norway", "Denmark", "Finland", "Iceland", "Poland",
    "Czech Republic", "Hungary", "Greece", "Cyprus", "Malta", "Turkey", "Russia", "Ukraine", "Israel",
    "United Arab Emirates", "Saudi Arabia", "Qatar", "Egypt", "South Africa", "Nigeria", "Kenya", "India",
    "Pakistan", "China", "Hong Kong", "Taiwan", "Japan", "Korea", "Singapore", "Malaysia", "Thailand",
    "Vietnam", "Indonesia", "Philippines", "Australia", "New Zealand", "Papua New Guinea", "Bermuda",
    "Cayman Islands", "British Virgin Islands", "Barbados", "Bahamas", "Liechtenstein", "Monaco", "Jersey",
    "Guernsey", "Isle of Man", "Romania", "Bulgaria", "Estonia", "Latvia", "Lithuania", "Slovenia", "Croatia",
]
# Long official names and informal names, mapped to the name in COUNTRIES.
ALIASES = {
    "people's republic of china": "China", "peoples republic of china": "China", "prc": "China",
    "federal republic of germany": "Germany", "republic of korea": "Korea", "south korea": "Korea",
    "united states of america": "United States", "usa": "United States", "u.s.a.": "United States",
    "u.s.": "United States", "great britain": "United Kingdom", "uk": "United Kingdom",
    "the netherlands": "Netherlands", "holland": "Netherlands", "hong kong sar": "Hong Kong",
    "republic of singapore": "Singapore", "swiss confederation": "Switzerland", "the philippines": "Philippines",
    "republic of ireland": "Ireland", "kingdom of spain": "Spain", "republic of italy": "Italy",
    "italian republic": "Italy", "french republic": "France", "state of israel": "Israel",
}

# "Italian law", "the laws of England" in adjective form: the adjective names the legal system.
ADJECTIVES = {
    "american": "United States", "english": "England", "scottish": "Scotland", "british": "United Kingdom",
    "irish": "Ireland", "french": "France", "german": "Germany", "italian": "Italy", "spanish": "Spain",
    "portuguese": "Portugal", "dutch": "Netherlands", "belgian": "Belgium", "swiss": "Switzerland",
    "austrian": "Austria", "swedish": "Sweden", "norwegian": "Norway", "danish": "Denmark", "finnish": "Finland",
    "polish": "Poland", "greek": "Greece", "russian": "Russia", "turkish": "Turkey", "israeli": "Israel",
    "indian": "India", "chinese": "China", "japanese": "Japan", "korean": "Korea", "singaporean": "Singapore",
    "taiwanese": "Taiwan", "australian": "Australia", "canadian": "Canada", "mexican": "Mexico",
    "brazilian": "Brazil", "luxembourgish": "Luxembourg", "hungarian": "Hungary", "czech": "Czech Republic",
}


def _name_pattern(name: str) -> str:
    # EDGAR text often doubles spaces or breaks lines inside a name ("United  States of America").
    return r"\s+".join(re.escape(word) for word in name.split())


_NAMES = sorted({*US_STATES, *SUBNATIONAL, *COUNTRIES, *ALIASES}, key=len, reverse=True)
JURISDICTION = re.compile(r"(?<![\w])(?:" + "|".join(_name_pattern(n) for n in _NAMES) + r")(?![\w])", re.IGNORECASE)
ADJECTIVE_LAW = re.compile(r"\b(?P<adjective>" + "|".join(ADJECTIVES) + r")\s+(?:substantive\s+)?laws?\b",
                           re.IGNORECASE)
_CANONICAL = {n.lower(): n for n in [*US_STATES, *SUBNATIONAL, *COUNTRIES]}


def canonical_jurisdiction(name: str) -> str | None:
    """One recognised name (any case, official or informal) -> CUAD's form; None if not a jurisdiction."""
    key = re.sub(r"\s+", " ", name.strip().lower())
    key = re.sub(r"^(?:the\s+)?(?:state|province|commonwealth|territory)\s+of\s+", "", key)
    if key in ALIASES:
        return ALIASES[key]
    proper = _CANONICAL.get(key)
    if proper is None:
        return None
    if proper in SUBNATIONAL:
        return f"{proper}, {SUBNATIONAL[proper]}"
    return proper


def jurisdiction_key(text: str) -> str | None:
    """Comparable key for a jurisdiction written any way ("Province of Ontario, Canada" == "Ontario")."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    canonical = canonical_jurisdiction(parts[0])
    if canonical is None:
        canonical = canonical_jurisdiction(text)
    return canonical.lower() if canonical else re.sub(r"\s+", " ", text.strip().lower())
