"""The clause retrieval index: builds offline, persists across processes, rebuilds on change, refuses bad models."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from playbook_store import embeddings
from playbook_store.embeddings import MiniLMInt8Embeddings, ModelIntegrityError
from playbook_store.index import PlaybookIndex
from playbook_store.loader import CLAUSES_DIR, load_clause_library


@pytest.fixture(scope="module")
def minilm() -> MiniLMInt8Embeddings:
    return MiniLMInt8Embeddings(threads=1)


@pytest.fixture(scope="module")
def built_index(
    tmp_path_factory: pytest.TempPathFactory, minilm: MiniLMInt8Embeddings
) -> tuple[Path, PlaybookIndex]:
    directory = tmp_path_factory.mktemp("playbook_index")
    return directory, PlaybookIndex.open(directory, ef=minilm)


@pytest.mark.parametrize(
    ("query", "clause_type"),
    [
        ("Customer wants to walk away from the contract early without giving a reason", "termination"),
        ("they need longer to pay our invoices", "payment_terms"),
        ("tell us about security incidents involving personal data faster", "data_protection"),
        ("limit how much either party can owe the other if things go wrong", "limitation_of_liability"),
    ],
)
@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_paraphrased_request_retrieves_its_clause_type(
    built_index: tuple[Path, PlaybookIndex], query: str, clause_type: str, mode: str
) -> None:
    _, index = built_index
    hits = index.search(query, k=3, mode=mode)  # type: ignore[arg-type]
    assert hits[0].clause_type == clause_type, [h.clause_id for h in hits]
    assert hits[0].version >= 1 and "{{" not in hits[0].text


def test_keyword_search_finds_exact_terms(built_index: tuple[Path, PlaybookIndex]) -> None:
    _, index = built_index
    assert index.search("service credits uptime", mode="bm25")[0].clause_type == "sla"
    assert index.search("zzzz qqqq", mode="bm25") == []


def test_empty_query_is_rejected(built_index: tuple[Path, PlaybookIndex]) -> None:
    with pytest.raises(ValueError):
        built_index[1].search("  ")


def test_index_survives_reopening_in_a_new_process(built_index: tuple[Path, PlaybookIndex]) -> None:
    directory, index = built_index
    assert index.rebuilt
    script = (
        "import json, sys; from pathlib import Path\n"
        "from playbook_store.embeddings import MiniLMInt8Embeddings\n"
        "from playbook_store.index import PlaybookIndex\n"
        "ix = PlaybookIndex.open(Path(sys.argv[1]), ef=MiniLMInt8Embeddings(threads=1))\n"
        "print(json.dumps({'rebuilt': ix.rebuilt, 'top': ix.search('net 45 payment terms')[0].clause_id}))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(directory),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    result = subprocess.run(
        [sys.executable, "-c", script, str(directory)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer == {"rebuilt": False, "top": "PAY-FB1"}


def test_changed_clause_library_rebuilds_the_index(tmp_path: Path, minilm: MiniLMInt8Embeddings) -> None:
    clauses = tmp_path / "clauses"
    shutil.copytree(CLAUSES_DIR, clauses)
    index_dir = tmp_path / "index"
    assert PlaybookIndex.open(index_dir, ef=minilm, library=load_clause_library(clauses)).rebuilt
    assert not PlaybookIndex.open(index_dir, ef=minilm, library=load_clause_library(clauses)).rebuilt

    path = clauses / "sla.yaml"
    path.write_text(path.read_text().replace("Standard availability commitment", "Standard uptime promise"))
    load_clause_library.cache_clear()  # the library is read once per process; an edit means a restart
    changed = load_clause_library(clauses)
    reopened = PlaybookIndex.open(index_dir, ef=minilm, library=changed)
    assert reopened.rebuilt
    assert reopened.search("standard uptime promise", k=1)[0].title.startswith("Standard uptime promise")


def test_tampered_tokenizer_refuses_to_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tampered = tmp_path / "tokenizer.json"
    tampered.write_bytes(embeddings.TOKENIZER_PATH.read_bytes() + b" ")
    monkeypatch.setattr(embeddings, "TOKENIZER_PATH", tampered)
    with pytest.raises(ModelIntegrityError, match="sha256"):
        MiniLMInt8Embeddings()


def _hashed_bag_of_words(text: str, dim: int = 64) -> list[float]:
    """A deterministic stand-in model for the provider endpoint: word counts hashed into `dim` buckets."""
    import hashlib as _hashlib

    vector = [0.0] * dim
    for word in text.lower().split():
        vector[int(_hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
    return vector


def test_configured_provider_embeddings_replace_the_local_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from core.settings import get_settings
    from playbook_store.embeddings import ProviderEmbeddings, embedding_function
    from sandbox.http import BackgroundServer

    calls: list[int] = []

    async def embeddings_route(request: Request) -> JSONResponse:
        body = await request.json()
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        calls.append(len(texts))
        data = [
            {"object": "embedding", "index": i, "embedding": _hashed_bag_of_words(t)}
            for i, t in enumerate(texts)
        ]
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        )

    app = Starlette(routes=[Route("/v1/embeddings", embeddings_route, methods=["POST"])])
    with BackgroundServer(app) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        get_settings.cache_clear()
        try:
            ef = embedding_function()
            assert isinstance(ef, ProviderEmbeddings)
            index = PlaybookIndex.open(tmp_path, ef=ef)
            assert index.rebuilt and calls
            assert (
                index.search("net 45 payment terms invoices", k=1, mode="dense")[0].clause_type
                == "payment_terms"
            )
        finally:
            get_settings.cache_clear()
