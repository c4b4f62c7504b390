"""One Salesforce record, one key: a 15- and an 18-character Id name the same record, and the first 15
characters are its case-sensitive key. Everything that matches or dedupes by Id compares keys.

An 18-character Id adds a 3-character suffix that encodes which of the first 15 characters are uppercase, so the
long form survives case-insensitive systems; `id18` turns either form into the canonical long one (or None).
"""

from __future__ import annotations

import re
from functools import lru_cache

SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_CHARS = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")


def record_key(record_id: str) -> str:
    return record_id[:15]


def checksum(id15: str) -> str:
    """The 18-char suffix: each 5-char chunk maps to one letter whose bits mark the uppercase positions."""
    out = []
    for start in (0, 5, 10):
        bits = 0
        for offset, char in enumerate(id15[start : start + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << offset
        out.append(SUFFIX_ALPHABET[bits])
    return "".join(out)


@lru_cache(maxsize=262_144)  # the same parent ids recur across many rows of a bulk insert
def id18(value: str) -> str | None:
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
