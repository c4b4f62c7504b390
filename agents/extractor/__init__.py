"""Contract-terms extraction: `ContractTerms` with verified citations, and the engines that produce them."""

from agents.extractor.citations import citation_holds, cite, verified
from agents.extractor.engine import Extractor
from agents.extractor.offline import OfflineExtractor
from core.contract_terms import (
    Citation,
    Cited,
    ClauseFinding,
    ContractTerms,
    LiabilityCap,
    Money,
    Obligation,
    Party,
)

__all__ = [
    "Citation", "Cited", "ClauseFinding", "ContractTerms", "Extractor", "LiabilityCap", "Money", "Obligation", "OfflineExtractor",
    "Party", "citation_holds", "cite", "verified",
]
