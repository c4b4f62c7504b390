"""Deviation alerts over real HTTP to the chat receiver: Slack (incoming webhook and chat.postMessage) and Teams
content, retries through outages, 5xx and 429, sending once, nothing configured, limits, and no secret in a log
line or the record."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

from core.settings import settings_from
from sandbox.chat import ChatSandbox
from sandbox.chat.validation import slack_problem
from sandbox.http import free_port
from tests.fixtures.chat import FAST
from tools.chat import (
    AlertDispatcher,
    AlertRecord,
    Deviation,
    DeviationAlert,
    RetryPolicy,
    channels_from_settings,
    slack_message,
    teams_message,
)
from tools.chat.teams import message_bytes

Make = Callable[..., AlertDispatcher]
OPP_15, OPP_18 = "006Dn00000AbCdE", "006Dn00000AbCdEFGH"
RECORD_URL = "https://acme.my.salesforce.com/lightning/r/Opportunity/006Dn00000AbCdEFGH/view"


def alert(**overrides: Any) -> DeviationAlert:
    values: dict[str, Any] = {
        "correlation_id": "cl-3f2a9c41d07b5e8a6c12", "opportunity_id": OPP_18,
        "opportunity_name": "Globex <Platform> & Analytics", "account_name": "Globex Corporation",
        "risk_score": 72, "route": "legal", "headline": "Uncapped liability and a 30-day termination for convenience.",
        "record_url": RECORD_URL,
        "deviations": [
            Deviation(title="Uncapped liability", severity="high", quote="Supplier's liability shall be unlimited.",
                      negotiation_point="Offer a cap of 2x annual fees, the playbook's fallback."),
            Deviation(title="Payment terms Net 90", severity="medium", quote="payment within 90 days",
                      negotiation_point="Hold at Net 45."),
            Deviation(title="Termination for convenience", severity="high", quote="on thirty days notice",
                      negotiation_point="Ninety days' notice, after the first year."),
        ]}
    values.update(overrides)
    return DeviationAlert(**values)


def many_deviations(count: int) -> list[Deviation]:
    return [Deviation(title=f"Deviation {i:02d}", severity=("high", "medium", "low")[i % 3],
                      quote=f"clause {i} " + "x" * 280, negotiation_point="Hold the standard position. " * 15)
            for i in range(count)]


def settled(dispatcher: AlertDispatcher, timeout: float = 10.0) -> None:
    assert dispatcher.flush(timeout), "deliveries still queued after the timeout"


def started_at(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


# --- content ---------------------------------------------------------------------------------------------------

def test_slack_webhook_delivers_block_kit(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    dispatcher = make_dispatcher(chat_sandbox.env(slack_api=False, teams=False))
    sent = alert()
    assert dispatcher.submit(sent) == sent.dedupe_key
    settled(dispatcher)

    [message] = chat_sandbox.received("slack_webhook")
    body = message.body
    assert body["text"].startswith(
        "Contract deviation: Globex &lt;Platform&gt; &amp; Analytics, risk 72/100, route Legal: Uncapped")
    blocks = body["blocks"]
    assert [b["type"] for b in blocks] == ["header", "section", "divider", "section", "section", "section",
                                           "context", "actions"]
    assert blocks[0]["text"] == {"type": "plain_text", "emoji": True,
                                 "text": "Contract deviation: Globex <Platform> & Analytics"}
    fields = [f["text"] for f in blocks[1]["fields"]]
    assert "*Risk score*\n72/100" in fields and "*Route*\nLegal" in fields and "*Deviations*\n3 (2 high)" in fields
    assert "*Opportunity*\nGlobex &lt;Platform&gt; &amp; Analytics" in fields  # mrkdwn escaped, plain_text not
    # most severe first, the high ones in the order given
    titles = [b["text"]["text"].split("\n")[0] for b in blocks[3:6]]
    assert ["Uncapped liability" in titles[0], "Termination" in titles[1], "Net 90" in titles[2]] == [True] * 3
    assert "> Supplier's liability shall be unlimited.\n*Negotiate:* Offer a cap of 2x" in blocks[3]["text"]["text"]
    assert blocks[6]["elements"][0]["text"] == "Correlation id `cl-3f2a9c41d07b5e8a6c12`"
    assert blocks[7]["elements"][0]["url"] == RECORD_URL

    [delivery] = dispatcher.deliveries()
    assert (delivery.channel, delivery.status, delivery.attempts, delivery.last_error) == \
        ("slack_webhook", "delivered", 1, None)
    assert delivery.correlation_id == sent.correlation_id and delivery.risk_score == 72


def test_chat_post_message_with_bot_token(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    dispatcher = make_dispatcher(chat_sandbox.env(slack_webhook=False, teams=False))
    dispatcher.submit(alert())
    settled(dispatcher)
    [message] = chat_sandbox.received("slack_api")
    assert message.body["channel"] == chat_sandbox.slack_channel
    assert message.body["blocks"][0]["type"] == "header" and message.body["text"].startswith("Contract deviation")
    assert dispatcher.deliveries()[0].status == "delivered"

    # A wrong token is refused for good (200 {"ok": false}): one attempt, not retried.
    env = chat_sandbox.env(slack_webhook=False, teams=False) | {"CONTRACTLOOP_SLACK_BOT_TOKEN": "xoxb-wrong-token"}
    refused = make_dispatcher(env)
    refused.submit(alert(risk_score=73))
    settled(refused)
    failed = next(d for d in refused.deliveries() if d.risk_score == 73)
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 1, "200: invalid_auth")
    assert len(chat_sandbox.received("slack_api")) == 1


def test_teams_adaptive_card(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    dispatcher = make_dispatcher(chat_sandbox.env(slack_webhook=False, slack_api=False))
    dispatcher.submit(alert())
    settled(dispatcher)

    [message] = chat_sandbox.received("teams")
    assert message.body["type"] == "message"
    [attachment] = message.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["body"][0]["text"] == "Contract deviation: Globex <Platform> & Analytics"
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts == {"Account": "Globex Corporation", "Opportunity": "Globex <Platform> & Analytics",
                     "Risk score": "72/100", "Route": "Legal", "Deviations": "3 (2 high)"}
    first = card["body"][3]
    assert first["type"] == "Container" and first["items"][0]["color"] == "Attention"
    assert first["items"][1]["text"] == "“Supplier's liability shall be unlimited.”"
    assert card["body"][-1]["text"] == "Correlation id cl-3f2a9c41d07b5e8a6c12"
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open in Salesforce", "url": RECORD_URL}]
    assert dispatcher.deliveries()[0].status == "delivered"


def test_every_configured_channel_gets_the_alert(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    dispatcher = make_dispatcher(chat_sandbox.env())
    dispatcher.submit(alert())
    settled(dispatcher)
    assert sorted(d.channel for d in dispatcher.deliveries()) == ["slack_api", "slack_webhook", "teams"]
    assert {d.status for d in dispatcher.deliveries()} == {"delivered"}
    assert chat_sandbox.requests() == {"slack_webhook": 1, "slack_api": 1, "teams": 1}


# --- failures and retries ----------------------------------------------------------------------------------------

def test_receiver_down_never_holds_up_or_fails_the_caller(make_dispatcher: Make) -> None:
    nothing_there = f"http://127.0.0.1:{free_port()}"
    env = {"CONTRACTLOOP_SLACK_WEBHOOK_URL": f"{nothing_there}/services/T0/B0/abcdefghijkl",
           "CONTRACTLOOP_TEAMS_WEBHOOK_URL": f"{nothing_there}/teams/abcdefghijklmnop"}
    policy = RetryPolicy(max_attempts=4, backoff_base=0.05, max_backoff=0.1, timeout=1.0)
    dispatcher = make_dispatcher(env, policy=policy)

    began = time.monotonic()
    key = dispatcher.submit(alert())
    assert time.monotonic() - began < 0.5  # recorded and queued, not sent, by the time submit returns
    assert {d.status for d in dispatcher.deliveries()} == {"pending"}
    settled(dispatcher)

    for delivery in dispatcher.deliveries():
        assert (delivery.status, delivery.attempts) == ("failed", 4)
        assert delivery.last_error and "ConnectError" in delivery.last_error
    attempts = dispatcher.attempts(key)
    assert len(attempts) == 8
    assert [a.outcome for a in attempts if a.channel == "teams"] == ["retry", "retry", "retry", "failed"]


def test_an_outage_is_waited_out(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    dispatcher = make_dispatcher(chat_sandbox.env(slack_api=False, teams=False),
                                 policy=RetryPolicy(max_attempts=20, backoff_base=0.1, max_backoff=0.2))
    chat_sandbox.down()
    key = dispatcher.submit(alert())
    deadline = time.monotonic() + 5
    while not dispatcher.attempts(key):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    chat_sandbox.up()
    settled(dispatcher)
    [delivery] = dispatcher.deliveries()
    assert delivery.status == "delivered" and delivery.attempts >= 2
    assert len(chat_sandbox.received("slack_webhook")) == 1


def test_server_error_then_success_is_delivered_on_a_retry(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    chat_sandbox.fail(status=500, count=2, kind="teams")
    dispatcher = make_dispatcher(chat_sandbox.env(slack_webhook=False, slack_api=False))
    key = dispatcher.submit(alert())
    settled(dispatcher)
    [delivery] = dispatcher.deliveries()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert [(a.outcome, a.status_code) for a in dispatcher.attempts(key)] == \
        [("retry", 500), ("retry", 500), ("delivered", None)]
    assert chat_sandbox.requests() == {"teams": 3} and len(chat_sandbox.received("teams")) == 1

    # More failures than attempts: given up, with the last answer kept.
    chat_sandbox.fail(status=503, count=10, kind="teams")
    dispatcher.submit(alert(risk_score=80))
    settled(dispatcher)
    failed = next(d for d in dispatcher.deliveries() if d.risk_score == 80)
    assert (failed.status, failed.attempts, failed.last_status_code) == ("failed", FAST.max_attempts, 503)


@pytest.mark.parametrize("kind", ["slack_webhook", "slack_api"])
def test_rate_limit_waits_for_retry_after(chat_sandbox: ChatSandbox, make_dispatcher: Make, kind: str) -> None:
    chat_sandbox.fail(status=429, count=1, retry_after=0.4, kind=kind)
    env = chat_sandbox.env(slack_webhook=kind == "slack_webhook", slack_api=kind == "slack_api", teams=False)
    dispatcher = make_dispatcher(env)  # backoff alone would wait at most 0.05 s
    key = dispatcher.submit(alert())
    settled(dispatcher)
    first, second = dispatcher.attempts(key)
    assert (first.outcome, first.status_code, second.outcome) == ("retry", 429, "delivered")
    assert started_at(second.started_at) - started_at(first.started_at) >= 0.4


def test_a_long_retry_after_is_capped(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    chat_sandbox.fail(status=429, count=1, retry_after=3600, kind="slack_webhook")
    policy = FAST.model_copy(update={"max_retry_after": 0.1})
    dispatcher = make_dispatcher(chat_sandbox.env(slack_api=False, teams=False), policy=policy)
    dispatcher.submit(alert())
    settled(dispatcher, timeout=5)
    assert dispatcher.deliveries()[0].status == "delivered"


def test_a_refused_message_is_not_retried(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    unknown_hook = chat_sandbox.base_url + "/services/T0SANDBOX/B0SANDBOX/not-a-hook-we-issued"
    dispatcher = make_dispatcher({"CONTRACTLOOP_SLACK_WEBHOOK_URL": unknown_hook})
    dispatcher.submit(alert())
    settled(dispatcher)
    [delivery] = dispatcher.deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 1, "404: no_service")


def test_submit_never_raises(chat_sandbox: ChatSandbox, make_dispatcher: Make, caplog: pytest.LogCaptureFixture) -> None:
    dispatcher = make_dispatcher(chat_sandbox.env(slack_api=False, teams=False))
    dispatcher.record.close()  # the record cannot be written: the alert is lost, the run is not
    with caplog.at_level(logging.ERROR, logger="tools.chat.dispatcher"):
        assert dispatcher.submit(alert()) is None
    assert "was not queued" in caplog.text
    assert chat_sandbox.requests() == {}


# --- once, and only where configured -----------------------------------------------------------------------------

def test_the_same_alert_twice_is_sent_once(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    env = chat_sandbox.env(slack_api=False, teams=False)
    dispatcher = make_dispatcher(env)
    first = alert()
    dispatcher.submit(first)
    dispatcher.submit(alert())  # the same alert built again (a node re-run after an interrupt)
    dispatcher.submit(alert(opportunity_id=OPP_15))  # the same Opportunity by its 15-character Id
    settled(dispatcher)
    # another process sharing the data directory finds it in the record too
    again = make_dispatcher(env)
    again.submit(alert())
    settled(again)
    assert len(chat_sandbox.received("slack_webhook")) == 1
    assert len(dispatcher.deliveries()) == 1

    dispatcher.submit(alert(risk_score=85))  # new content is a new alert
    dispatcher.submit(alert(correlation_id="cl-another-run"))  # and so is another run's
    settled(dispatcher)
    assert len(chat_sandbox.received("slack_webhook")) == 3
    assert alert().dedupe_key == alert(opportunity_id=OPP_15).dedupe_key == first.dedupe_key
    assert alert(risk_score=85).dedupe_key != first.dedupe_key


def test_not_configured_is_recorded_and_nothing_is_sent(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    dispatcher = make_dispatcher({})
    assert not dispatcher.configured
    key = dispatcher.submit(alert())
    dispatcher.submit(alert())
    assert dispatcher.flush(0)
    [delivery] = dispatcher.deliveries()
    assert (delivery.dedupe_key, delivery.channel, delivery.status, delivery.attempts) == \
        (key, "none", "not_configured", 0)
    assert dispatcher.attempts() == [] and chat_sandbox.requests() == {}


def test_settings_choose_the_channels() -> None:
    assert channels_from_settings(settings_from({})) == []
    env = {"CONTRACTLOOP_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T1/B1/abcdefghijkl",
           "CONTRACTLOOP_TEAMS_WEBHOOK_URL": "https://example.webhook.office.com/webhookb2/abcdefghijkl"}
    assert [c.name for c in channels_from_settings(settings_from(env))] == ["slack_webhook", "teams"]
    with pytest.raises(ValueError, match="CONTRACTLOOP_SLACK_CHANNEL"):
        channels_from_settings(settings_from({"CONTRACTLOOP_SLACK_BOT_TOKEN": "xoxb-1-abcdefgh"}))
    with pytest.raises(ValueError, match="CONTRACTLOOP_SLACK_BOT_TOKEN"):
        channels_from_settings(settings_from({"CONTRACTLOOP_SLACK_CHANNEL": "C123"}))


# --- limits, data and secrets -----------------------------------------------------------------------------------

def test_many_deviations_are_cut_to_the_limits(chat_sandbox: ChatSandbox, make_dispatcher: Make) -> None:
    crowded = alert(deviations=many_deviations(80), headline="h" * 5000, opportunity_name="N" * 400)
    assert len(crowded.headline) == 300 and crowded.headline.endswith("…")

    slack = slack_message(crowded, max_deviations=100)  # asked for more than Slack can take
    assert len(slack["blocks"]) == 50
    assert slack["blocks"][-3]["elements"][0]["text"] == "…and 36 more deviations not shown"
    assert len(slack["blocks"][0]["text"]["text"]) == 150
    assert len(slack_message(crowded)["blocks"]) == 3 + 10 + 3

    teams = teams_message(crowded, max_deviations=80)
    assert message_bytes(teams) <= 28 * 1024
    card = teams["attachments"][0]["content"]
    shown = sum(1 for element in card["body"] if element["type"] == "Container")
    assert 0 < shown < 80 and card["body"][-2]["text"] == f"…and {80 - shown} more deviations not shown"

    # The receiver enforces the same limits, and takes both messages.
    dispatcher = make_dispatcher(chat_sandbox.env(slack_api=False))
    dispatcher.submit(crowded)
    settled(dispatcher)
    assert {d.status for d in dispatcher.deliveries()} == {"delivered"}
    over = {"text": "x", "blocks": [{"type": "divider"}] * 51}
    assert slack_problem(over) == ("invalid_blocks", "blocks must be a list of at most 50")


def test_the_alert_holds_no_personal_data_and_short_text() -> None:
    with pytest.raises(ValidationError, match="contact_email"):
        alert(contact_email="hank@globex.example")
    with pytest.raises(ValidationError):
        alert(risk_score=101)
    with pytest.raises(ValidationError):
        alert(record_url="javascript:alert(1)")
    quoted = Deviation(title="Long\nquote", severity="low", quote="word " * 200)
    assert quoted.title == "Long quote" and len(quoted.quote) == 300 and quoted.quote.endswith("…")


def test_no_secret_in_logs_or_the_record(chat_sandbox: ChatSandbox, make_dispatcher: Make,
                                         caplog: pytest.LogCaptureFixture) -> None:
    chat_sandbox.fail(status=500, count=1)
    with caplog.at_level(logging.DEBUG):
        dispatcher = make_dispatcher(chat_sandbox.env())
        dispatcher.submit(alert())
        settled(dispatcher)
    assert {d.status for d in dispatcher.deliveries()} == {"delivered"}
    assert "HTTP Request: POST" in caplog.text  # httpx did log each request...
    secrets = [chat_sandbox.config.slack_webhook_path, chat_sandbox.config.teams_webhook_path,
               chat_sandbox.bot_token]
    record = AlertRecord(dispatcher.record.path)
    stored = json.dumps([d.model_dump() for d in record.deliveries()] + [a.model_dump() for a in record.attempts()])
    record.close()
    for secret in secrets:  # ...but never where to, or with what
        assert secret not in caplog.text and secret not in stored
