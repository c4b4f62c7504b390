"""The model engine over real HTTP to the local OpenAI-compatible stub: quotes are located, fabrications dropped."""

from __future__ import annotations

import json
from datetime import date

from agents.extractor.model_engine import ModelExtractor
from extraction import Extractor
from extraction.chunks import chunk_document, locate_quote, select_chunks
from extraction.clause_finder import load_finder
from tests.support.openai_stub import OpenAIStub, tool_call
from tools.documents import Document

CONTRACT = """SUPPLY AGREEMENT

This Supply Agreement (the "Agreement") is entered into as of June 1, 2020 by and between Alder Components, Inc.
("Supplier") and Birchwood Devices LLC ("Buyer").

1. Term. This Agreement shall commence on the Effective Date and continue for a period of two (2) years.

2. Governing Law. This Agreement shall be governed by the laws of the State of Delaware.
""" + "\n".join(f"{n}. Miscellaneous. Clause {n} of the boilerplate says nothing about the term." for n in range(3, 60))


def _answer(**fields: object) -> dict[str, object]:
    empty: dict[str, object] = {name: None for name in [
        "agreement_date", "effective_date", "expiration_date", "initial_term", "renewal_term", "automatic_renewal",
        "notice_period_to_terminate_renewal", "governing_law", "liability_cap", "termination_for_convenience",
        "payment_terms_net_days"]}
    return {"parties": [], **empty, **fields}


def test_fabricated_quote_is_sent_back_once_then_dropped_and_true_quote_kept_with_its_span(
        openai_stub: OpenAIStub, stub_chat_model) -> None:
    # The model re-flows the line break inside the preamble quote; the law quote is invented, and the model
    # repeats it after being told.
    answer = _answer(
        agreement_date={"value": "2020-06-01",
                        "quote": "is entered into as of June 1, 2020 by and between Alder Components, Inc. (\"Supplier\")"},
        governing_law={"value": "California", "quote": "This Agreement shall be governed by the laws of California."},
    )
    openai_stub.script(tool_call("ReportTerms", answer), tool_call("ReportTerms", answer))
    document = Document.from_text(CONTRACT)
    extractor = ModelExtractor(stub_chat_model)
    assert isinstance(extractor, Extractor)

    terms = extractor.extract(document)

    assert terms.governing_law is None
    assert terms.agreement_date is not None and terms.agreement_date.value == date(2020, 6, 1)
    citation = terms.agreement_date.citation
    assert CONTRACT[citation.start:citation.end] == citation.quote
    assert citation.quote.startswith("is entered into as of June 1, 2020") and "\n" in citation.quote
    # The agent binds its read-only tools and answers through ReportTerms; the excerpts, not the boilerplate.
    first, second = openai_stub.requests
    assert {t["function"]["name"] for t in first["tools"]} == {"search_contract", "read_contract", "ReportTerms"}
    prompt = json.dumps(first["messages"])
    assert "Alder Components" in prompt and len(prompt) < len(CONTRACT) * 1.2
    # One correction: the problem is named, the good value is not.
    feedback = second["messages"][-1]
    assert feedback["role"] == "user" and "governing_law" in feedback["content"]
    assert "agreement_date" not in feedback["content"]
    assert any("values dropped" in note and "governing_law" in note for note in extractor.notes)


def test_a_corrected_answer_is_taken_after_one_round(openai_stub: OpenAIStub, stub_chat_model) -> None:
    openai_stub.script(
        tool_call("ReportTerms", _answer(initial_term={"value": "two years", "quote": "for a term of two years"})),
        tool_call("ReportTerms", _answer(initial_term={"value": "P2Y",
                                                       "quote": "continue for a period of two (2) years"})))
    extractor = ModelExtractor(stub_chat_model)

    terms = extractor.extract(Document.from_text(CONTRACT))

    assert terms.initial_term is not None and terms.initial_term.value == "P2Y"
    assert len(openai_stub.requests) == 2 and extractor.notes == ["accepted after one correction"]


def test_the_model_may_search_the_contract_before_it_answers(openai_stub: OpenAIStub, stub_chat_model) -> None:
    def answer_from_search(body: dict[str, object]) -> dict[str, object]:
        found = json.loads(next(m["content"] for m in reversed(body["messages"]) if m["role"] == "tool"))
        assert "laws of the State of Delaware" in found[0]["text"]
        return tool_call("ReportTerms", _answer(governing_law={
            "value": "Delaware", "quote": "shall be governed by the laws of the State of Delaware"}))

    openai_stub.script(tool_call("search_contract", {"query": "governing law laws of the state"}), answer_from_search)

    terms = ModelExtractor(stub_chat_model).extract(Document.from_text(CONTRACT))

    assert terms.governing_law is not None and terms.governing_law.value == "Delaware"
    assert CONTRACT[terms.governing_law.citation.start:terms.governing_law.citation.end] == \
        terms.governing_law.citation.quote


def test_values_that_do_not_normalise_or_quote_too_little_are_dropped(openai_stub: OpenAIStub,
                                                                      stub_chat_model) -> None:
    openai_stub.script(tool_call("ReportTerms", _answer(
        parties=[{"name": "Alder Components, Inc.", "role": "Supplier", "quote": "Alder Components"},
                 {"name": "Ghost Holdings", "role": None, "quote": "Ghost Holdings plc"}],
        initial_term={"value": "P2Y", "quote": "continue for a period of two (2) years"},
        effective_date={"value": "sometime", "quote": "entered into as of June 1, 2020"},
    )))
    document = Document.from_text(CONTRACT)

    terms = ModelExtractor(stub_chat_model).extract(document)

    assert [p.name for p in terms.parties] == ["Alder Components, Inc."]
    # A two-word name is cited with the sentence that introduces it.
    assert "entered into as of June 1, 2020" in terms.parties[0].citation.quote
    assert terms.initial_term is not None and terms.initial_term.value == "P2Y"
    assert terms.effective_date is None


def test_chunks_keep_offsets_and_retrieval_finds_the_term_clause() -> None:
    filler = "\n".join(f"{n}. Notices. Notice {n} is sent by courier to the address above." for n in range(40))
    text = f"{CONTRACT[:300]}\n{filler}\n7. Term. This Agreement shall remain in effect for five (5) years.\n{filler}"
    chunks = chunk_document(text, size=300)
    assert "".join(c.text for c in chunks) == text
    assert all(text[c.start:c.end] == c.text for c in chunks)
    picked = select_chunks(text, budget=1200, size=300)
    assert sum(len(c.text) for c in picked) <= 1200 and picked[0].start == 0
    assert any("remain in effect for five (5) years" in c.text for c in picked)
    assert locate_quote(text, "shall remain in   effect for five (5) years") is not None
    assert locate_quote(text, "shall remain in effect for six (6) years") is None


def test_the_model_reads_the_passage_the_clause_finder_ranks_top_where_keywords_point_elsewhere(
        openai_stub: OpenAIStub, stub_chat_model) -> None:
    # The cap is written without the words keyword retrieval looks for ("liable", "exceed", "limitation"),
    # far from a run of pallet clauses full of them.
    pallets = "\n\n".join(f"{n}. Pallets. Buyer is liable for any damages to pallet lot {n} while it is in Buyer's "
                          "yard under this Agreement, and shall return damaged pallets in the aggregate each month."
                          for n in range(2, 40))
    tail = "\n\n".join(f"{n}. Interpretation. Words in the singular include the plural in clause {n} of this "
                       "Agreement." for n in range(41, 80))
    cap = ("40. Responsibility. Supplier's total responsibility for all claims of any kind under this Agreement is "
           "limited to the amounts Buyer paid Supplier in the twelve (12) months before the claim arose.")
    text = f"{CONTRACT[:250]}\n\n{pallets}\n\n{tail}\n\n{cap}\n\n{tail.replace('Words', 'Headings')}"
    finder = load_finder()
    scored = finder.score_passages(text)
    start, end = scored.passages[int(scored.column("Cap On Liability").argmax())]
    assert text[start:end] == cap  # what the finder ranks top for the cap field
    assert not any(cap in c.text for c in select_chunks(text))  # BM25 alone would not show it

    openai_stub.script(tool_call("ReportTerms", _answer(liability_cap={"kind": "fees_paid", "quote": cap[20:]})))
    terms = ModelExtractor(stub_chat_model, finder=finder).extract(Document.from_text(text))

    prompt = json.dumps(openai_stub.requests[0]["messages"])
    assert json.dumps(cap)[1:-1] in prompt
    assert terms.liability_cap is not None and terms.liability_cap.kind == "fees_paid"
    assert text[terms.liability_cap.citation.start:terms.liability_cap.citation.end] == cap[20:]
