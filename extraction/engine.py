"""The seam between engines: anything that turns a `Document` into verified `ContractTerms`."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from core.contract_terms import ContractTerms
from tools.documents import Document


@runtime_checkable
class Extractor(Protocol):
    """Implementations must return only values whose citation is verbatim in `document` (see `verified`)."""

    def extract(self, document: Document) -> ContractTerms: ...
