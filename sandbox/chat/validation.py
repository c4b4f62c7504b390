"""The payload checks the real services make that matter to us: shape, and Slack's documented Block Kit limits.

Slack answers a message over a limit with `invalid_blocks` instead of shortening it, so the receiver does the
same: a renderer that forgets to cut fails its tests here rather than in a customer's workspace.
"""

from __future__ import annotations

from typing import Any

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_BLOCKS = 50
_TEXT_LIMITS = {"header": 150, "section": 3000}


def _text_of(obj: Any) -> str | None:
    if isinstance(obj, dict) and obj.get("type") in ("plain_text", "mrkdwn") and isinstance(obj.get("text"), str):
        return str(obj["text"])
    return None


def _block_problem(block: Any) -> str | None:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return "a block without a type"
    kind = block["type"]
    if kind == "header" and not (isinstance(block.get("text"), dict) and block["text"].get("type") == "plain_text"):
        return "a header's text must be plain_text"
    if kind in _TEXT_LIMITS and "text" in block:
        text = _text_of(block["text"])
        if text is None or len(text) > _TEXT_LIMITS[kind]:
            return f"{kind} text missing or over {_TEXT_LIMITS[kind]} characters"
    if kind == "section":
        fields = block.get("fields")
        if "text" not in block and not fields:
            return "a section needs text or fields"
        if fields is not None and (not isinstance(fields, list) or len(fields) > 10
                                   or any(len(_text_of(f) or "x" * 2001) > 2000 for f in fields)):
            return "section fields: at most 10, each at most 2000 characters"
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
            return "a context block has 1 to 10 elements"
    if kind == "actions":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= 25:
            return "an actions block has 1 to 25 elements"
        for element in elements:
            label = _text_of(element.get("text")) if isinstance(element, dict) else None
            if label is None or len(label) > 75 or len(str(element.get("url", ""))) > 3000:
                return "a button's label is 1 to 75 characters and its URL at most 3000"
    return None


def slack_problem(body: Any) -> tuple[str, str | None] | None:
    """None for a message Slack would take, else (error code, why)."""
    if not isinstance(body, dict):
        return "invalid_payload", "the body is not a JSON object"
    text, blocks = body.get("text"), body.get("blocks")
    if text is not None and not isinstance(text, str):
        return "invalid_payload", "text must be a string"
    if not text and not blocks:
        return "no_text", None
    if blocks is not None:
        if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
            return "invalid_blocks", f"blocks must be a list of at most {MAX_BLOCKS}"
        for index, block in enumerate(blocks):
            problem = _block_problem(block)
            if problem:
                return "invalid_blocks", f"block {index}: {problem}"
    return None


def teams_problem(body: Any) -> str | None:
    """None for a message with an Adaptive Card Teams would post, else why not."""
    if not isinstance(body, dict) or body.get("type") != "message":
        return "the body must be an object of type 'message'"
    attachments = body.get("attachments")
    if not isinstance(attachments, list) or not attachments:
        return "attachments must be a non-empty list"
    for attachment in attachments:
        if not isinstance(attachment, dict) or attachment.get("contentType") != ADAPTIVE_CARD:
            return f"each attachment's contentType must be {ADAPTIVE_CARD}"
        card = attachment.get("content")
        if not isinstance(card, dict) or card.get("type") != "AdaptiveCard" or not isinstance(card.get("version"), str):
            return "each attachment's content must be an AdaptiveCard with a version"
        elements = card.get("body")
        if not isinstance(elements, list) or not all(isinstance(e, dict) and "type" in e for e in elements):
            return "the card's body must be a list of typed elements"
        for action in card.get("actions") or []:
            if not isinstance(action, dict) or (action.get("type") == "Action.OpenUrl" and not action.get("url")):
                return "an Action.OpenUrl needs a url"
    return None
