"""Stable, reversible tokens for the personal data of one run: `⟦PERSON_1⟧` out, the value back in.

The same value gets the same token for the vault's life (one specialist run), so a model can still tell that
two mentions are one person, and its answer can refer to them. Tokens map to the exact text they replaced, so a
restored quote is verbatim in the document again. The mapping never leaves the process.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Iterable
from typing import Any

import regex as re

from tools.pii.detector import Kind, KnownValue, detect

OPEN, CLOSE = "⟦", "⟧"  # brackets no contract or CRM text uses, so a token is never confused with the text
TOKEN = re.compile(rf"{OPEN}(?P<kind>PERSON|EMAIL|PHONE|ADDRESS|AMOUNT)_(?P<n>\d+){CLOSE}")
# Structured tool results: values under these keys are commercial fields, tokenised whole when amounts are on.
AMOUNT_KEYS = re.compile(r"(?:^|_)(?:amount|price|total|revenue|arr|acv|tcv|value)(?:_|$)", re.IGNORECASE)

_live: weakref.WeakSet[Vault] = weakref.WeakSet()
_live_lock = threading.Lock()


class Vault:
    def __init__(self, known: Iterable[KnownValue] = (), amounts: bool = False) -> None:
        self.known = [k for k in known if k.value and k.value.strip()]
        self.amounts = amounts
        self._by_value: dict[str, str] = {}
        self._by_token: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        with _live_lock:
            _live.add(self)

    @property
    def tokens(self) -> dict[str, str]:
        """token -> the value it stands for."""
        return dict(self._by_token)

    def token_for(self, kind: Kind, value: str) -> str:
        with self._lock:
            if value not in self._by_value:
                label = kind.upper()
                self._counts[label] = self._counts.get(label, 0) + 1
                token = f"{OPEN}{label}_{self._counts[label]}{CLOSE}"
                self._by_value[value], self._by_token[token] = token, value
            return self._by_value[value]

    def tokenise(self, text: str) -> str:
        """`text` with every detected value replaced by its token; text already tokenised is left as it is."""
        if not text:
            return text
        # Values seen earlier in the run count as known: a name found by its signature block in one message is
        # found bare in the next.
        learned = [KnownValue(kind=_kind(t), value=v) for t, v in self.tokens.items() if " " in v or "@" in v]
        pieces, last = [], 0
        for span in detect(text, [*self.known, *learned], amounts=self.amounts):
            if TOKEN.search(text[span.start:span.end]) or OPEN in span.text or CLOSE in span.text:
                continue
            pieces += [text[last:span.start], self.token_for(span.kind, span.text)]
            last = span.end
        return "".join([*pieces, text[last:]])

    def tokenise_data(self, value: Any, key: str = "") -> Any:
        """Every string in a JSON-like value, walked; a commercial field's whole value when amounts are on."""
        if isinstance(value, str):
            if self.amounts and AMOUNT_KEYS.search(key) and re.fullmatch(r"-?[\d,]+(?:\.\d+)?", value.strip()):
                return self.token_for("amount", value)
            return self.tokenise(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self.amounts \
                and AMOUNT_KEYS.search(key):
            return self.token_for("amount", json.dumps(value))
        if isinstance(value, dict):
            return {k: self.tokenise_data(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.tokenise_data(v, key) for v in value]
        return value

    def tokenise_json_text(self, text: str) -> str:
        """A tool result: JSON is walked value by value (its \\u escapes would hide a name from the patterns),
        anything else is tokenised as text."""
        stripped = text.strip()
        if stripped[:1] in "[{":
            try:
                parsed = json.loads(stripped)
            except ValueError:
                return self.tokenise(text)
            return json.dumps(self.tokenise_data(parsed), ensure_ascii=False)
        return self.tokenise(text)

    def restore(self, text: str) -> str:
        """`text` with this vault's tokens put back; a token it never issued is left as written."""
        if not text or OPEN not in text:
            return text
        tokens = self._by_token
        return TOKEN.sub(lambda m: tokens.get(m.group(0), m.group(0)), text)

    def restore_data(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.restore(value)
        if isinstance(value, dict):
            return {k: self.restore_data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.restore_data(v) for v in value]
        return value


def _kind(token: str) -> Kind:
    match = TOKEN.fullmatch(token)
    return match.group("kind").lower() if match else "person"  # type: ignore[return-value]


def live_known_values() -> list[KnownValue]:
    """What the vaults of the runs now in progress know: an embeddings request made from inside a run (a playbook
    search with the model's query) is tokenised with its run's known values, though it holds no vault itself."""
    with _live_lock:
        vaults = list(_live)
    seen: dict[tuple[str, str], KnownValue] = {}
    for vault in vaults:
        for item in vault.known:
            seen.setdefault((item.kind, item.value), item)
        for token, value in vault.tokens.items():
            seen.setdefault((_kind(token), value), KnownValue(kind=_kind(token), value=value))
    return list(seen.values())
