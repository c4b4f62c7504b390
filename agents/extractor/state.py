"""The extractor subgraph's working state: the run's state plus the parsed document's text for this run."""

from __future__ import annotations

from runtime.state import RunState


class ExtractorState(RunState):
    document_text: str | None = None  # kept only inside the subgraph, never in the checkpointed run state
