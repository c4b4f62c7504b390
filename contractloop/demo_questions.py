"""Step 8 of `contractloop demo`: questions about the signed contracts, from Slack and from the Opportunity.

Slack is the chat sandbox's workspace: it signs a `/contract` command and an app mention as Slack does, and the
answers arrive where Slack would show them (the command's `response_url`; `chat.postEphemeral` in the thread, for
the asker alone).
The askers are Slack members whose emails are Salesforce users': the integration user, who can read every
record, and a sales rep who owns none of these deals and so gets no contract text at all.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from contractloop.render import console, short
from sandbox.chat import ChatSandbox
from sandbox.chat.inbox import Received
from tools.salesforce import SalesforceClient

INTEGRATION_MEMBER = "U0SANDBOX1"  # integration@contractloop.sandbox in the sandbox workspace
OUTSIDER_MEMBER = "U0NINABROOKS"


def _wait(chat: ChatSandbox, kind: str, seen: int, timeout: float = 60.0) -> Received | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = chat.received(kind)  # type: ignore[arg-type]
        if len(got) > seen:
            return got[seen]
        time.sleep(0.1)
    return None


def _print_message(body: dict[str, Any]) -> None:
    """The Block Kit message as a person reads it: the answer, the term, the quotes, the buttons."""
    for block in body.get("blocks", []):
        if block.get("type") == "section" and block.get("text"):
            for line in block["text"]["text"].splitlines():
                console.print(f"      {short(line, 150)}", highlight=False)
        elif block.get("type") == "section":
            for field in block.get("fields", []):
                console.print(f"      {short(field['text'].replace(chr(10), ': '), 150)}", highlight=False)
        elif block.get("type") == "actions":
            labels = [e["text"]["text"] for e in block.get("elements", []) if e.get("text")]
            console.print(f"      [buttons: {', '.join(labels)}]", highlight=False)


def _slack_command(chat: ChatSandbox, server_url: str, who: str, question: str) -> None:
    seen = len(chat.received("slack_response"))
    sent = chat.workspace().slash_command(f"{server_url}/slack/commands", question, user_id=who)
    console.print(f"  Slack: {who} types  /contract {question}")
    console.print(f"    acknowledged in {sent.elapsed * 1000:.0f} ms ({sent.response.status_code}, "
                  f"\u201c{sent.response.json().get('text', '')}\u201d); the answer, posted to its response_url:")
    answer = _wait(chat, "slack_response", seen)
    if answer is None:
        console.print("    [red]no answer arrived within 60 s[/red]")
        return
    _print_message(answer.body)


def _slack_mention(chat: ChatSandbox, server_url: str, who: str, question: str) -> None:
    seen = len(chat.received("slack_ephemeral"))
    sent = chat.workspace().mention(f"{server_url}/slack/events", question, user_id=who)
    console.print(f"  Slack: {who} mentions the app in #contracts: @contracts {question}")
    console.print(f"    acknowledged in {sent.elapsed * 1000:.0f} ms; the answer, in the thread for {who} alone "
                  "(chat.postEphemeral: access was checked for the asker, not the channel):")
    answer = _wait(chat, "slack_ephemeral", seen)
    if answer is None:
        console.print("    [red]no answer arrived within 60 s[/red]")
        return
    _print_message(answer.body)


def show_questions(chat: ChatSandbox, flow: httpx.Client, sf: SalesforceClient,
                   deals: list[tuple[str, str, str]]) -> bool:
    """`deals`: (Opportunity Id, Opportunity name, Account name) of the signed ones. False if the record's
    question failed."""
    if not deals:
        console.print("  no signed contract to ask about")
        return True
    integration = sf.query("SELECT Id FROM User WHERE Email = 'integration@contractloop.sandbox'")[0]["Id"]
    nina = sf.query("SELECT Email FROM User WHERE FirstName = 'Nina' AND LastName = 'Brooks'")[0]["Email"]
    chat.add_slack_user(OUTSIDER_MEMBER, nina, name="nina.brooks")
    server_url = str(flow.base_url).rstrip("/")
    first_account = deals[0][2]
    last_opportunity, last_name, last_account = deals[-1]
    _slack_command(chat, server_url, INTEGRATION_MEMBER, f"What's the payment term for {first_account}?")
    _slack_mention(chat, server_url, INTEGRATION_MEMBER,
                   f"Which law governs the {last_account} agreement, and where are disputes heard?")
    console.print(f"\n  The same first question from Nina Brooks ({nina}), a rep who owns none of these deals:")
    _slack_command(chat, server_url, OUTSIDER_MEMBER, f"What's the payment term for {first_account}?")
    question = "Do we have a cap on liability?"
    console.print(f"\n  Salesforce: asked on Opportunity {last_name} ({last_opportunity}) by the integration user:")
    console.print(f"    POST /flow/contract-questions  {question}")
    response = flow.post("/flow/contract-questions", json={"question": question, "asked_by": integration,
                                                           "record_id": last_opportunity}, timeout=60)
    if response.status_code != 200:
        console.print(f"    [red]{response.status_code}: {short(response.text, 200)}[/red]")
        return False
    answer = response.json()
    console.print(f"    → {answer['outcome']} from {answer['contract_name']} ({answer['category']}, "
                  f"confidence {answer['confidence_percent']} %)")
    console.print(f"      {short(answer['answer'] or '', 300)}", highlight=False)
    for citation in answer["citations"]:
        console.print(f"      {short(citation, 200)}", highlight=False)
    return True
