"""Contract-terms extraction: `ContractTerms` with verified citations, and the engines that produce them."""

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
from extraction.citations import citation_holds, cite, verified
from extraction.engine import Extractor
from extraction.offline import OfflineExtractor

__all__ = [
    "Citation", "Cited", "ClauseFinding", "ContractTerms", "Extractor", "LiabilityCap", "Money", "Obligation", "OfflineExtractor",
    "Party", "citation_holds", "cite", "verified",
]
