"""An embeddings endpoint that fails never fails a run: the playbook is searched by keywords, and it says so."""

from __future__ import annotations

from pathlib import Path

from playbook_store.embeddings import ProviderEmbeddings
from playbook_store.index import PlaybookIndex
from tests.support.openai_stub import OpenAIStub


def test_playbook_search_falls_back_to_keywords_when_the_embeddings_route_is_missing(
        tmp_path: Path, openai_stub: OpenAIStub) -> None:
    index = PlaybookIndex.open(directory=tmp_path / "idx", ef=ProviderEmbeddings(base_url=openai_stub.base_url))

    hits = index.search("liability cap of two times annual fees", k=3)

    assert index.degraded and "keyword ranking used" in index.degraded
    assert hits and hits[0].clause_id.startswith("LOL-")
    # Reopened once the endpoint is back (here: the offline embedder), the index is whole again.
    again = PlaybookIndex.open(directory=tmp_path / "idx")
    assert again.degraded is None and again.search("liability cap", k=1)[0].clause_id.startswith("LOL-")
