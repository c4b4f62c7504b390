"""Which of a question's words may be part of a counterparty's name, for the coverage check of `counterparty.py`.

The check refuses a contract that holds too little of the question's rare-word weight: the question then names
some party the store does not hold. Words a question uses to *ask* ("capped", "governs", "roll over", "NDA")
are rare in contracts too, and a question worded in them would be refused though it names its counterparty
plainly. So these do not count against a contract: the stems of the intents' keywords and phrasings and the
document kinds (`intents.yaml`), and everyday words written in lower case (whole words of the packaged MiniLM
tokenizer's English vocabulary: "walk", "want", "breach"). A capitalised word, or one outside that vocabulary
("acme", "zyxwv"), may be a name and always counts.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

from playbook_store.embeddings import TOKENIZER_PATH
from qa.question_intent import load_intent_file, stems

_WRITTEN = re.compile(r"[A-Za-z0-9]+")


@lru_cache(maxsize=1)
def asking_stems() -> frozenset[str]:
    intents = load_intent_file()
    texts = [*intents.document_kinds, *(t for i in intents.intents for t in [*i.keywords, *i.phrasings])]
    return frozenset(s for text in texts for s in stems(text))


@lru_cache(maxsize=1)
def everyday_words() -> frozenset[str]:
    vocabulary = json.loads(TOKENIZER_PATH.read_text(encoding="utf-8"))["model"]["vocab"]
    return frozenset(w for w in vocabulary if w.isalpha() and w.islower())


def may_name(question: str) -> set[str]:
    """The lower-cased words of `question` that may be part of a name."""
    asking, everyday = asking_stems(), everyday_words()
    out: set[str] = set()
    for written in _WRITTEN.findall(question):
        word = written.lower()
        if stems(word) and stems(word)[0] in asking:
            continue
        if written.islower() and word in everyday:
            continue
        out.add(word)
    return out
