"""Which of a question's words may be part of a counterparty's name, for the coverage check of `counterparty.py`.

The check refuses a contract that holds too little of the question's rare-word weight: the question then names
some party the store does not hold. Words a question uses to *ask* ("capped", "governs", "roll over", "NDA")
are rare in contracts too, and a question worded in them would be refused though it names its counterparty
plainly. So the stems of the intents' keywords and phrasings and the document kinds (`intents.yaml`) do not
count against a contract. Every other word may be a name and counts, lower-case everyday words included: an
exemption for those (tried: the tokenizer's English vocabulary) changed no figure and would let a party typed
in lower case ("orion widgets") that the store does not hold be answered from a contract holding one of its
words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qa.question_intent import load_intent_file, stems

_WRITTEN = re.compile(r"[A-Za-z0-9]+")


@lru_cache(maxsize=1)
def asking_stems() -> frozenset[str]:
    intents = load_intent_file()
    texts = [*intents.document_kinds, *intents.document_kind_titles,
             *(t for i in intents.intents for t in [*i.keywords, *i.phrasings])]
    return frozenset(s for text in texts for s in stems(text))


def may_name(question: str) -> set[str]:
    """The lower-cased words of `question` that may be part of a name."""
    asking = asking_stems()
    return {word for word in (w.lower() for w in _WRITTEN.findall(question)) if not set(stems(word)) & asking}
