"""A `ContractAnswer` as a Slack Block Kit message: what the asker reads in reply to `/contract` or a mention.

- answered: the answer, the extracted term (when one applies), up to three verbatim quotes with their pages, a
  button to the Ironclad record, and the contract's name.
- not_in_contract: "The contract with X does not address this", and a button to escalate to Legal.
- no_contract_visible: that no contract the asker can see matches, and nothing else: no name, no link, no quote,
  so a person without access learns nothing about what exists.
- ambiguous_contract: the names of the candidates (all visible to the asker), to ask again with one of them.

Every text from the contract or the engine is escaped (a quote holding `<!channel>` must not ping a channel)
and cut to Slack's limits after escaping, with the helpers the deviation alerts use.
"""

from __future__ import annotations

from typing import Any

from core.contract_answer import AnswerCitation, ContractAnswer, ContractRef
from tools.chat.slack import (
    BUTTON_CHARS,
    FALLBACK_CHARS,
    FIELD_CHARS,
    SECTION_CHARS,
    URL_CHARS,
    escape,
    mrkdwn,
)
from tools.chat.text import clip, one_line

ESCALATE_ACTION = "escalate_to_legal"
OPEN_ACTION = "open_contract"
MAX_QUOTES = 3
QUOTE_CHARS = 900  # each of three quotes; a reader skims them, the record has the rest
QUESTION_CHARS = 300
NAME_CHARS = 150
MAX_CANDIDATES = 10
BUTTON_VALUE_CHARS = 2000  # Slack's limit on a button's value
CONTEXT_CHARS = 2000  # Slack's limit on a context element's text

NOT_VISIBLE = "No contract you can see matches this question."
Block = dict[str, Any]


def _section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text, SECTION_CHARS)}


def _context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t, CONTEXT_CHARS) for t in texts[:10]]}


def _web_link(url: str | None) -> str | None:
    # A button opens whatever it is given: only a web link of a length Slack takes may be one.
    if url and url.startswith(("https://", "http://")) and len(url) <= URL_CHARS:
        return url
    return None


def _name(contract: ContractRef | None) -> str:
    if contract is None:
        return "this contract"
    return clip(one_line(contract.name or contract.doc), NAME_CHARS)


def _quote(citation: AnswerCitation) -> Block:
    text = "> " + escape(clip(one_line(citation.quote), QUOTE_CHARS))
    if citation.page is not None:
        text += f"\n_page {citation.page}_"
    return _section(text)


def _buttons(contract: ContractRef | None, escalation_value: str | None) -> list[Block]:
    elements: list[Block] = []
    if escalation_value is not None and len(escalation_value) <= BUTTON_VALUE_CHARS:
        elements.append({"type": "button", "action_id": ESCALATE_ACTION, "value": escalation_value,
                         "style": "primary", "text": {"type": "plain_text", "text": "Escalate to Legal"}})
    link = _web_link(contract.link) if contract else None
    if link:
        elements.append({"type": "button", "action_id": OPEN_ACTION, "url": link,
                         "text": {"type": "plain_text", "text": clip("Open in Ironclad", BUTTON_CHARS)}})
    return [{"type": "actions", "elements": elements}] if elements else []


def _footer(answer: ContractAnswer, correlation_id: str | None, *, named: bool) -> list[Block]:
    notes = []
    if named and answer.contract is not None:
        notes.append(f"From *{escape(_name(answer.contract))}*")
    if answer.escalation_task_id:
        notes.append(f"Escalated to Legal (Task `{escape(answer.escalation_task_id)}`)")
    if correlation_id:
        notes.append(f"Ref `{escape(correlation_id)}`")
    return [_context(*notes)] if notes else []


def answer_message(answer: ContractAnswer, *, escalation_value: str | None = None,
                   correlation_id: str | None = None) -> dict[str, Any]:
    """`{"text": fallback, "blocks": [...]}` within Slack's limits however long the answer, quotes or candidates.

    `escalation_value` is what the "Escalate to Legal" button carries back (offered only on a not-found answer);
    `correlation_id` is shown so a person can quote it to support."""
    blocks: list[Block] = [_context(f"*Q:* {escape(clip(one_line(answer.question), QUESTION_CHARS))}")]
    if answer.outcome == "answered":
        text = answer.answer or (answer.term.value if answer.term else "") or "The contract says, in its own words:"
        blocks.append(_section(escape(text)))
        if answer.term is not None:
            blocks.append({"type": "section", "fields": [
                mrkdwn(f"*{escape(answer.term.name)}*\n{escape(answer.term.value)}", FIELD_CHARS)]})
        blocks.extend(_quote(c) for c in answer.citations[:MAX_QUOTES])
        blocks.extend(_buttons(answer.contract, None))
        blocks.extend(_footer(answer, correlation_id, named=True))
        fallback = text
    elif answer.outcome == "not_in_contract":
        fallback = f"The contract with {_name(answer.contract)} does not address this."
        blocks.append(_section(f"The contract with *{escape(_name(answer.contract))}* does not address this."))
        offer = None if answer.escalation_task_id else escalation_value
        if offer is not None:
            blocks.append(_section("Legal can answer it from the whole file: escalate and they get a Task."))
        blocks.extend(_buttons(answer.contract, offer))
        blocks.extend(_footer(answer, correlation_id, named=True))
    elif answer.outcome == "ambiguous_contract":
        names = [f"• {escape(_name(c))}" for c in answer.candidates[:MAX_CANDIDATES]]
        hidden = len(answer.candidates) - len(names)
        if hidden > 0:
            names.append(f"…and {hidden} more")
        fallback = "Several contracts you can see match. Which one do you mean?"
        blocks.append(_section(f"{fallback}\n" + "\n".join(names)))
        blocks.append(_context("Ask again naming the counterparty or the contract."))
        blocks.extend(_footer(answer, correlation_id, named=False))
    else:  # no_contract_visible: not a word of any contract
        fallback = NOT_VISIBLE
        blocks.append(_section(NOT_VISIBLE))
        blocks.extend(_footer(answer.model_copy(update={"escalation_task_id": None}), correlation_id, named=False))
    return {"text": mrkdwn(escape(fallback) or "…", FALLBACK_CHARS)["text"], "blocks": blocks}


def escalated(blocks: list[Block], task_id: str, slack_user_id: str) -> list[Block]:
    """The answer's blocks with the escalate button replaced by who escalated and the Task it made."""
    note = _context(f"Escalated to Legal by <@{slack_user_id}> (Task `{escape(task_id)}`)")
    kept: list[Block] = []
    for block in blocks:
        if block.get("type") == "actions":
            others = [e for e in block.get("elements", []) if e.get("action_id") != ESCALATE_ACTION]
            if len(others) != len(block.get("elements", [])):
                kept.append(note)
                if others:
                    kept.append({**block, "elements": others})
                continue
        kept.append(block)
    return kept


def plain_message(text: str, correlation_id: str | None = None) -> dict[str, Any]:
    """A short notice (usage, no access, an apology), escaped like everything else."""
    blocks = [_section(escape(text))]
    if correlation_id:
        blocks.append(_context(f"Ref `{escape(correlation_id)}`"))
    return {"text": mrkdwn(escape(text), FALLBACK_CHARS)["text"], "blocks": blocks}
