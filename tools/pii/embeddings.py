"""Embeddings requests tokenised like chat requests: the provider embeds `⟦PERSON_1⟧`, never the name.

Nothing comes back to restore (a vector holds no text). A query embedded from inside a run (the model's playbook
search, a question) is tokenised with what the runs now in progress know (`live_known_values`), on top of what
the detector finds: the bare name a model restored into its search query is still the deal's contact.
"""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from tools.pii.vault import Vault, live_known_values


class TokenisingEmbeddings(Embeddings):
    def __init__(self, inner: Embeddings, amounts: bool = False) -> None:
        self.inner = inner
        self.amounts = amounts

    def _vault(self) -> Vault:
        # One vault per request: token numbers only need to be stable within the texts embedded together.
        return Vault(known=live_known_values(), amounts=self.amounts)

    def tokenised(self, texts: list[str]) -> list[str]:
        vault = self._vault()
        return [vault.tokenise(t) for t in texts]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(self.tokenised(list(texts)))

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(self.tokenised([text])[0])

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await self.inner.aembed_documents(self.tokenised(list(texts)))

    async def aembed_query(self, text: str) -> list[float]:
        return await self.inner.aembed_query(self.tokenised([text])[0])
