"""Salesforce record ids: 15-char case-sensitive ids plus the 3-char case-safe checksum suffix."""

from __future__ import annotations

import re
from functools import lru_cache

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
POD = "5g"  # the two "instance" characters real ids carry after the key prefix
_ID_CHARS = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")


def checksum(id15: str) -> str:
    """Each 5-char chunk maps to one letter whose bits mark the uppercase positions."""
    out = []
    for start in (0, 5, 10):
        bits = 0
        for offset, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << offset
        out.append(SUFFIX_ALPHABET[bits])
    return "".join(out)


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


@lru_cache(maxsize=262_144)  # the same parent ids recur across many rows of a bulk insert
def normalize_id(value: str) -> str | None:
    """The canonical 18-char form of a 15- or 18-char id, or None when it is not a well-formed id.

    An 18-char id is case-insensitive: its suffix says which letters are uppercase, so case is restored from it.
    """
    if not isinstance(value, str) or not _ID_CHARS.match(value):
        return None
    if len(value) == 15:
        return value + checksum(value)
    suffix = value[15:].upper()
    restored = []
    for chunk, letter in enumerate(suffix):
        bits = SUFFIX_ALPHABET.find(letter)
        if bits < 0:
            return None
        for offset in range(5):
            char = value[chunk * 5 + offset]
            restored.append(char.upper() if bits & (1 << offset) else char.lower())
    id15 = "".join(restored)
    if checksum(id15) != suffix:
        return None
    return id15 + suffix


def key_prefix(record_id: str) -> str:
    return record_id[:3]
