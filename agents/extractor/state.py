"""The extractor subgraph's working state: the run's state plus the parsed document's text for this run."""

from __future__ import annotations

from pydantic import Field

from runtime.state import RunState
from tools.pii.detector import KnownValue


class ExtractorState(RunState):
    document_text: str | None = None  # kept only inside the subgraph, never in the checkpointed run state
    # The signer and billing contact the workflow was launched with: tokenised if a model reads the contract.
    signatories: list[KnownValue] = Field(default_factory=list)
