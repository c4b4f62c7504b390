"""Contract questions from Slack over real HTTP: the app (api/app.py, behind its ServerGuard) on a free port, the
chat receiver as Slack's Web API and response_urls, and the sandbox workspace signing what Slack would send.

A signed `/contract` is acknowledged at once and answered with quotes at its response_url; forged or stale
requests get 401 and nothing else happens; mentions are answered in their thread, to the asker alone unless the
channel is configured for it, once however often Slack redelivers them; a person who maps to no Salesforce user hears why and reads no contract text; "Escalate to
Legal" escalates once however often it is clicked; answers stay inside Slack's Block Kit limits."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from agents.qa.escalation import ESCALATION_REFUSED_REPLY
from api.app import build_app
from api.slack_payloads import question_of
from api.slack_routes import ESCALATION_FAILED
from api.slack_users import SalesforceUserDirectory
from core.contract_answer import ContractAnswer
from core.settings import get_settings, settings_from
from sandbox.chat import ChatSandbox, Received, SlackWorkspace
from sandbox.chat.validation import slack_problem
from sandbox.http import BackgroundServer
from tests.support.scripted_questions import (
    ACME,
    GOVERNING_QUOTE,
    HIDDEN_QUOTE,
    TASK_ID,
    DictDirectory,
    ScriptedQuestions,
    script,
)
from tools.chat import channels_from_settings
from tools.chat.answer_blocks import ESCALATE_ACTION, NOT_VISIBLE, answer_message
from tools.slack_signature import SlackSignatureError, signature, verify

ASKER = "U0SANDBOX1"  # integration@contractloop.sandbox, a Salesforce user
OUTSIDER = "U0OUTSIDER"  # an email no Salesforce user has
ASKER_SF_ID = "005000000000001AAA"


@dataclass
class SlackApp:
    url: str
    chat: ChatSandbox
    workspace: SlackWorkspace
    engine: ScriptedQuestions

    @property
    def commands(self) -> str:
        return self.url + "/slack/commands"

    @property
    def events(self) -> str:
        return self.url + "/slack/events"

    @property
    def interactions(self) -> str:
        return self.url + "/slack/interactions"


def _serve(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           engine: ScriptedQuestions | None) -> BackgroundServer:
    for key, value in {"CONTRACTLOOP_API_KEY": "a-key-slack-never-sends", "CONTRACTLOOP_DATA_DIR": str(tmp_path),
                       **env}.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    directory = DictDirectory({"integration@contractloop.sandbox": ASKER_SF_ID}) if engine else None
    return BackgroundServer(build_app(tmp_path / "ledger.sqlite", contract_questions=engine,
                                      user_directory=directory))


@pytest.fixture
def slack_app(chat_sandbox: ChatSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackApp]:
    engine = ScriptedQuestions()
    env = chat_sandbox.env(slack_webhook=False, slack_api=False, teams=False, slack_questions=True)
    with _serve(env, tmp_path, monkeypatch, engine) as server:
        yield SlackApp(server.url, chat_sandbox, chat_sandbox.workspace(), engine)
    get_settings.cache_clear()


def wait_for(found: Callable[[], list[Received]], count: int = 1, timeout: float = 10.0) -> list[Received]:
    deadline = time.monotonic() + timeout
    while True:
        got = found()
        if len(got) >= count:
            return got
        assert time.monotonic() < deadline, f"waited {timeout}s for {count}, got {got}"
        time.sleep(0.05)


def text_of(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


# --- the signature ------------------------------------------------------------------------------------------

def test_the_signature_is_slacks_documented_example() -> None:
    body = (b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
            b"channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&"
            b"response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXa"
            b"IFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    secret, stamp = "8f742231b10e8888abcd99yyyzzz85a5", "1531420618"
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert signature(secret, stamp, body) == expected
    verify(secret, body, stamp, expected, clock=lambda: 1531420618 + 299)
    for stamp_, presented, now in ((stamp, expected, 1531420618 + 301), (stamp, expected, 1531420618 - 301),
                                   (stamp, expected[:-1] + "0", 1531420618), (" " + stamp, expected, 1531420618),
                                   (None, expected, 1531420618), (stamp, None, 1531420618)):
        with pytest.raises(SlackSignatureError):
            verify(secret, body, stamp_, presented, clock=lambda now=now: now)
    with pytest.raises(SlackSignatureError):
        verify(secret, body + b" ", stamp, expected, clock=lambda: 1531420618)


# --- slash commands -----------------------------------------------------------------------------------------

def test_a_signed_command_is_acknowledged_at_once_and_answered_with_quotes(slack_app: SlackApp) -> None:
    slack_app.engine.gate = threading.Event()  # the answer waits until the acknowledgement is in hand
    sent = slack_app.workspace.slash_command(slack_app.commands, "What is the governing law of the Acme MSA?",
                                             user_id=ASKER)
    assert sent.response.status_code == 200 and sent.elapsed < 3
    assert sent.response.json() == {"response_type": "ephemeral", "text": "Looking that up…"}
    assert slack_app.chat.received("slack_response") == []
    slack_app.engine.gate.set()

    [answer] = wait_for(lambda: slack_app.chat.received("slack_response"))
    assert sent.response_url and sent.response_url.endswith(answer.path)
    body, shown = answer.body, text_of(answer.body)
    assert body["response_type"] == "ephemeral"
    assert "governed by Delaware law" in body["text"]
    assert f"> {GOVERNING_QUOTE}" in shown and "_page 7_" in shown and "_page 12_" in shown
    buttons = [e for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b.get("url") for b in buttons] == [ACME.link]
    assert "Acme Robotics MSA" in shown and "Ref `slack-" in shown
    assert slack_app.engine.asked == [("What is the governing law of the Acme MSA?", ASKER_SF_ID,
                                       "slack:T0SANDBOX:C0SANDBOX:U0SANDBOX1")]


@pytest.mark.parametrize("forgery", ["wrong secret", "stale", "future", "unsigned", "body changed"])
@pytest.mark.parametrize("route", ["commands", "events", "interactions"])
def test_a_forged_or_stale_request_gets_401_and_nothing_happens(slack_app: SlackApp, forgery: str,
                                                                 route: str) -> None:
    workspace = slack_app.workspace
    signing: dict[str, Any] = {"wrong secret": {"secret": "not-the-apps-secret"},
                               "stale": {"timestamp": int(time.time()) - 301},
                               "future": {"timestamp": int(time.time()) + 400}}.get(forgery, {})
    if forgery in ("unsigned", "body changed"):
        body = urlencode({"team_id": "T0SANDBOX", "channel_id": "C0SANDBOX", "user_id": ASKER, "text": "law?",
                          "response_url": workspace.response_url()}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forgery == "body changed":
            stamp = str(int(time.time()))
            headers |= {"X-Slack-Request-Timestamp": stamp,
                        "X-Slack-Signature": signature(workspace.signing_secret, stamp, body + b"&x=1")}
        response = httpx.post(f"{slack_app.url}/slack/{route}", content=body, headers=headers)
    elif route == "commands":
        response = workspace.slash_command(slack_app.commands, "governing law?", user_id=ASKER, **signing).response
    elif route == "events":
        response = workspace.mention(slack_app.events, "governing law?", user_id=ASKER, **signing).response
    else:
        response = workspace.click(slack_app.interactions, user_id=ASKER, action_id=ESCALATE_ACTION,
                                   value="slack:T0SANDBOX:C0SANDBOX:1.2|x", **signing).response
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_signature"
    time.sleep(0.3)
    assert slack_app.engine.asked == [] and slack_app.engine.escalations == []
    assert slack_app.chat.received() == [] and "slack_users" not in slack_app.chat.requests()


def test_an_empty_command_gets_usage_help_and_asks_nothing(slack_app: SlackApp) -> None:
    for text in ("", "   ", "help"):
        sent = slack_app.workspace.slash_command(slack_app.commands, text, user_id=ASKER)
        assert sent.response.status_code == 200
        assert sent.response.json()["response_type"] == "ephemeral"
        assert "/contract what is the governing law" in sent.response.json()["text"]
    time.sleep(0.2)
    assert slack_app.engine.asked == [] and slack_app.chat.received() == []


@pytest.mark.parametrize(("user", "why"), [(OUTSIDER, "matches no active Salesforce user"),
                                           ("U0NOEMAIL", "no email I can read"),
                                           ("U0NOBODY", "can't tell who you are")])
def test_someone_without_a_salesforce_user_is_told_why_and_reads_no_contract(slack_app: SlackApp, user: str,
                                                                             why: str) -> None:
    slack_app.workspace.slash_command(slack_app.commands, "What is the governing law of the Acme MSA?", user_id=user)
    [notice] = wait_for(lambda: slack_app.chat.received("slack_response"))
    assert why in notice.body["text"] and notice.body["response_type"] == "ephemeral"
    assert "Delaware" not in text_of(notice.body) and "Acme" not in text_of(notice.body)
    assert slack_app.engine.asked == []
    if user == "U0NOBODY":
        return  # no member of the workspace can mention the app

    slack_app.workspace.mention(slack_app.events, "governing law of Acme?", user_id=user)
    [ephemeral] = wait_for(lambda: slack_app.chat.received("slack_ephemeral"))
    assert ephemeral.body["user"] == user and why in ephemeral.body["text"]
    time.sleep(0.2)
    assert slack_app.chat.received("slack_api") == [] and slack_app.engine.asked == []


def test_no_visible_contract_renders_no_contract_text(slack_app: SlackApp) -> None:
    slack_app.workspace.slash_command(slack_app.commands, "What is the termination fee?", user_id=ASKER)
    [answer] = wait_for(lambda: slack_app.chat.received("slack_response"))
    shown = text_of(answer.body)
    assert NOT_VISIBLE in shown
    for leaked in ("Hidden Holdings", HIDDEN_QUOTE, "9,000,000", "ironcladapp", ESCALATE_ACTION):
        assert leaked not in shown


def test_an_engine_failure_is_apologised_for_with_a_reference(slack_app: SlackApp,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="api.slack_routes"):
        slack_app.workspace.slash_command(slack_app.commands, "boom", user_id=ASKER)
        [apology] = wait_for(lambda: slack_app.chat.received("slack_response"))
    assert apology.body["text"].startswith("Sorry")
    reference = next(e["text"] for b in apology.body["blocks"] if b["type"] == "context" for e in b["elements"])
    correlation_id = reference.split("`")[1]
    assert any(correlation_id in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_rate_limited_response_url_is_retried_after_its_retry_after(slack_app: SlackApp) -> None:
    slack_app.chat.fail(status=429, count=1, retry_after=0.4, kind="slack_response")
    started = time.monotonic()
    slack_app.workspace.slash_command(slack_app.commands, "governing law of Acme?", user_id=ASKER)
    [answer] = wait_for(lambda: slack_app.chat.received("slack_response"))
    assert time.monotonic() - started >= 0.4
    assert slack_app.chat.requests()["slack_response"] == 2 and "Delaware" in answer.body["text"]


# --- events -------------------------------------------------------------------------------------------------

def test_url_verification_echoes_the_challenge(slack_app: SlackApp) -> None:
    sent = slack_app.workspace.url_verification(slack_app.events, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7")
    assert sent.response.status_code == 200
    assert sent.response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7"}


def test_a_mention_is_answered_to_the_asker_alone_in_its_thread_and_a_follow_up_keeps_the_conversation(
        slack_app: SlackApp) -> None:
    first = slack_app.workspace.mention(slack_app.events, "what is the governing law of the Acme MSA?",
                                        user_id=ASKER)
    assert first.response.status_code == 200 and first.elapsed < 3
    [posted] = wait_for(lambda: slack_app.chat.received("slack_ephemeral"))
    # read access was checked for the asker, not for the channel: the quotes go to them alone
    assert posted.body["channel"] == "C0SANDBOX" and posted.body["thread_ts"] == first.ts
    assert posted.body["user"] == ASKER and GOVERNING_QUOTE in text_of(posted.body)

    slack_app.workspace.mention(slack_app.events, "and the force majeure clause?", user_id=ASKER,
                                thread_ts=first.ts)
    follow_up = wait_for(lambda: slack_app.chat.received("slack_ephemeral"), count=2)[1]
    assert follow_up.body["thread_ts"] == first.ts
    assert "does not address this" in text_of(follow_up.body)
    conversation = f"slack:T0SANDBOX:C0SANDBOX:{first.ts}"
    assert slack_app.engine.asked == [("what is the governing law of the Acme MSA?", ASKER_SF_ID, conversation),
                                      ("and the force majeure clause?", ASKER_SF_ID, conversation)]
    assert slack_app.chat.received("slack_api") == []  # nothing posted for the channel


def test_a_channel_configured_for_it_gets_mention_answers_in_the_thread(
        chat_sandbox: ChatSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = ScriptedQuestions()
    env = {**chat_sandbox.env(slack_webhook=False, slack_api=False, teams=False, slack_questions=True),
           "CONTRACTLOOP_SLACK_MENTION_REPLIES": "thread"}
    try:
        with _serve(env, tmp_path, monkeypatch, engine) as server:
            sent = chat_sandbox.workspace().mention(f"{server.url}/slack/events", "governing law of Acme?",
                                                    user_id=ASKER)
            [posted] = wait_for(lambda: chat_sandbox.received("slack_api"))
            assert posted.body["thread_ts"] == sent.ts and "user" not in posted.body
            assert GOVERNING_QUOTE in text_of(posted.body)
    finally:
        get_settings.cache_clear()


def test_a_redelivered_event_is_answered_once(slack_app: SlackApp) -> None:
    slack_app.engine.gate = threading.Event()  # Slack retries because the first answer is slow
    first = slack_app.workspace.mention(slack_app.events, "governing law of Acme?", user_id=ASKER)
    for retry in (1, 2, 3):
        again = slack_app.workspace.mention(slack_app.events, "governing law of Acme?", user_id=ASKER,
                                            ts=first.ts, event_id=first.event_id, retry_num=retry)
        assert again.response.status_code == 200
    slack_app.engine.gate.set()
    wait_for(lambda: slack_app.chat.received("slack_ephemeral"))
    time.sleep(0.3)
    assert len(slack_app.chat.received("slack_ephemeral")) == 1 and len(slack_app.engine.asked) == 1


def test_question_of_strips_the_bot_mention_and_slack_markup() -> None:
    text = "<@U0CONTRACTS> what does &lt;Acme&gt; &amp; <@U0OTHER> say about <https://x.example/a|the SOW>?"
    assert question_of(text, {"U0CONTRACTS"}) == "what does <Acme> & <@U0OTHER> say about the SOW?"
    assert question_of("<@U0CONTRACTS|contracts>: notice period?", set()) == "notice period?"


# --- escalation ---------------------------------------------------------------------------------------------

def test_escalate_on_a_not_found_answer_escalates_once_however_often_it_is_clicked(slack_app: SlackApp) -> None:
    mention = slack_app.workspace.mention(slack_app.events, "what does Acme say about force majeure?",
                                          user_id=ASKER)
    [posted] = wait_for(lambda: slack_app.chat.received("slack_ephemeral"))
    button = next(e for b in posted.body["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == ESCALATE_ACTION)
    message = {"text": posted.body["text"], "blocks": posted.body["blocks"]}
    hook = slack_app.workspace.response_url("actions")
    clicks = [threading.Thread(target=slack_app.workspace.click, args=(slack_app.interactions,),
                               kwargs={"user_id": ASKER, "action_id": ESCALATE_ACTION, "value": button["value"],
                                       "message": message, "response_url": hook}) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join()
    [update] = wait_for(lambda: slack_app.chat.received("slack_response"))
    time.sleep(0.5)
    assert slack_app.engine.escalations == [(f"slack:T0SANDBOX:C0SANDBOX:{mention.ts}", ASKER_SF_ID)]
    assert len(slack_app.chat.received("slack_response")) == 1
    assert update.body["replace_original"] is True
    shown = text_of(update.body)
    assert f"Escalated to Legal by <@{ASKER}> (Task `{TASK_ID}`)" in shown and ESCALATE_ACTION not in shown


def test_escalate_from_an_ephemeral_answer_confirms_in_a_new_message(slack_app: SlackApp) -> None:
    slack_app.workspace.slash_command(slack_app.commands, "force majeure in the Acme MSA?", user_id=ASKER)
    [answer] = wait_for(lambda: slack_app.chat.received("slack_response"))
    value = next(e["value"] for b in answer.body["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == ESCALATE_ACTION)
    assert slack_app.workspace.click(slack_app.interactions, user_id=ASKER, action_id=ESCALATE_ACTION,
                                     value=value).response.status_code == 200
    confirmation = wait_for(lambda: slack_app.chat.received("slack_response"), count=2)[1]
    assert TASK_ID in confirmation.body["text"] and confirmation.body["replace_original"] is False
    assert slack_app.engine.escalations == [("slack:T0SANDBOX:C0SANDBOX:U0SANDBOX1", ASKER_SF_ID)]


def test_a_read_only_deployment_says_the_escalation_was_not_made_and_a_later_click_may_try_again(
        slack_app: SlackApp) -> None:
    slack_app.engine.refuse_escalations = "read_only mode writes extraction insights only; refused: Task"
    slack_app.workspace.slash_command(slack_app.commands, "force majeure in the Acme MSA?", user_id=ASKER)
    [answer] = wait_for(lambda: slack_app.chat.received("slack_response"))
    value = next(e["value"] for b in answer.body["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == ESCALATE_ACTION)
    for expected in (2, 3):  # released after a refusal: a second click is handled (and refused) again
        slack_app.workspace.click(slack_app.interactions, user_id=ASKER, action_id=ESCALATE_ACTION, value=value)
        reply = wait_for(lambda: slack_app.chat.received("slack_response"), count=expected)[-1]
        assert ESCALATION_REFUSED_REPLY in text_of(reply.body) and reply.body["replace_original"] is False
        assert ESCALATION_FAILED not in text_of(reply.body)
    assert len(slack_app.engine.escalations) == 2


# --- configuration ------------------------------------------------------------------------------------------

def test_without_a_signing_secret_the_routes_answer_503(chat_sandbox: ChatSandbox, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTRACTLOOP_SLACK_SIGNING_SECRET", raising=False)
    env = chat_sandbox.env(slack_webhook=False, slack_api=False, teams=False)
    with _serve(env, tmp_path, monkeypatch, ScriptedQuestions()) as server:
        sent = chat_sandbox.workspace().slash_command(server.url + "/slack/commands", "law?", user_id=ASKER)
    get_settings.cache_clear()
    assert sent.response.status_code == 503
    assert "CONTRACTLOOP_SLACK_SIGNING_SECRET" in sent.response.json()["detail"]


def test_without_an_engine_the_signed_routes_answer_503(chat_sandbox: ChatSandbox, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    env = chat_sandbox.env(slack_webhook=False, slack_api=False, teams=False, slack_questions=True)
    with _serve(env, tmp_path, monkeypatch, None) as server:
        workspace = chat_sandbox.workspace()
        command = workspace.slash_command(server.url + "/slack/commands", "law?", user_id=ASKER)
        challenge = workspace.url_verification(server.url + "/slack/events", "abc")
    get_settings.cache_clear()
    assert command.response.status_code == 503 and "answer engine" in command.response.json()["detail"]
    assert challenge.response.json() == {"challenge": "abc"}  # Slack can still verify the URL


def test_the_salesforce_adapter_takes_any_client_with_user_by_email() -> None:
    class User:
        def __init__(self, id: str) -> None:
            self.id = id

    class Client:
        def user_by_email(self, email: str) -> User | None:
            return User("005000000000009AAA") if email == "a@b.example" else None

    directory = SalesforceUserDirectory(Client())
    assert directory.salesforce_user_id("a@b.example") == "005000000000009AAA"
    assert directory.salesforce_user_id("c@d.example") is None


# --- Block Kit ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("question", ["a huge answer", "force majeure", "which contract?", "termination fee",
                                      "governing law"])
def test_every_answer_fits_slacks_limits(question: str) -> None:
    message = answer_message(script(question), escalation_value="slack:T1:C1:U1|slack-abc",
                             correlation_id="slack-abc")
    assert slack_problem(message) is None, slack_problem(message)
    assert len(message["text"]) <= 3000 and len(message["blocks"]) <= 50
    for block in message["blocks"]:
        for element in block.get("elements", []):
            assert len(element.get("text", "") if isinstance(element.get("text"), str) else "") <= 2000


def test_a_huge_answer_is_cut_escaped_and_quotes_at_most_three() -> None:
    message = answer_message(script("a huge answer"))
    shown = text_of(message)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert sum(1 for b in message["blocks"] if b.get("text", {}).get("text", "").startswith("&gt;")
               or b.get("text", {}).get("text", "").startswith("> ")) == 3
    assert not any(b["type"] == "actions" for b in message["blocks"])  # a 4000-character link is no button


def test_ambiguous_lists_the_candidates_and_a_long_list_is_cut() -> None:
    answer = script("which contract?")
    assert "Acme Robotics SOW #2" in text_of(answer_message(answer))
    many = answer.model_copy(update={"candidates": [ACME.model_copy(update={"name": f"Acme {i}"}) for i in range(40)]})
    shown = text_of(answer_message(many))
    assert "Acme 9" in shown and "Acme 10" not in shown and "…and 30 more" in shown


def test_an_escalated_answer_says_so_instead_of_offering_the_button() -> None:
    answer = ContractAnswer.model_validate({**script("force majeure").model_dump(), "escalation_task_id": TASK_ID})
    shown = text_of(answer_message(answer, escalation_value="slack:T1:C1:U1|x"))
    assert ESCALATE_ACTION not in shown and TASK_ID in shown


@pytest.mark.slow
def test_the_langgraph_server_mounts_the_routes_outside_the_api_key(flow_server: Any) -> None:
    """No API key (Slack has none to send), and the route's own answer, not the key check's: no secret there."""
    response = httpx.post(flow_server.url + "/slack/commands", content=b"text=hi",
                          headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)
    assert response.status_code == 503, response.text
    assert "CONTRACTLOOP_SLACK_SIGNING_SECRET" in response.json()["detail"]


def test_a_bot_token_for_questions_alone_is_no_half_configured_alert_channel() -> None:
    token = {"CONTRACTLOOP_SLACK_BOT_TOKEN": "xoxb-1-abcdefgh"}
    assert channels_from_settings(settings_from(token | {"CONTRACTLOOP_SLACK_SIGNING_SECRET": "s" * 32})) == []
    with pytest.raises(ValueError, match="CONTRACTLOOP_SLACK_CHANNEL"):
        channels_from_settings(settings_from(token))
