"""One Salesforce record, one key: a 15- and an 18-character Id name the same record, and the first 15
characters are its case-sensitive key. Everything that matches or dedupes by Id compares keys."""

from __future__ import annotations


def record_key(record_id: str) -> str:
    return record_id[:15]
