"""Salesforce record ids: 15-char case-sensitive ids plus the 3-char case-safe checksum suffix."""

from __future__ import annotations

from core.salesforce_ids import SUFFIX_ALPHABET, checksum
from core.salesforce_ids import id18 as normalize_id

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
POD = "5g"  # the two "instance" characters real ids carry after the key prefix
__all__ = ["BASE62", "POD", "SUFFIX_ALPHABET", "checksum", "key_prefix", "make_id", "normalize_id"]


def make_id(key_prefix: str, counter: int) -> str:
    """The `counter`-th id of an object: prefix + pod + '0' + 9 base-62 digits + checksum."""
    digits = []
    value = counter
    for _ in range(9):
        value, remainder = divmod(value, 62)
        digits.append(BASE62[remainder])
    if value:
        raise ValueError(f"id counter {counter} overflows 9 base-62 digits")
    id15 = f"{key_prefix}{POD}0{''.join(reversed(digits))}"
    return id15 + checksum(id15)


def key_prefix(record_id: str) -> str:
    return record_id[:3]
