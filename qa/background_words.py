"""How common each word is in contracts at large, so a store of a few contracts still weighs words sensibly:
with one contract indexed, every word it holds would otherwise look as rare as a counterparty's name.

`background_words.json` holds, for words in at least 5 % of the CUAD contracts it was built from (dev100 and
train150 texts only: word statistics, no labels), the share of contracts containing the word. The store adds
`PRIOR_CONTRACTS` virtual contracts with these shares to its own counts. Rebuild with
`python -m qa.background_words ../shared/data/cuad/dev100 ../shared/data/cuad/train150`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

from qa.name_tokens import text_words

PATH = Path(__file__).with_name("background_words.json")
PRIOR_CONTRACTS = 50
MIN_SHARE = 0.05


@lru_cache(maxsize=1)
def background_shares() -> dict[str, float]:
    shares: dict[str, float] = json.loads(PATH.read_text(encoding="utf-8"))["shares"]
    return shares


def build(dirs: list[Path]) -> dict[str, object]:
    texts = [p.read_text(encoding="utf-8") for d in dirs for p in sorted((d / "texts").glob("*.txt"))]
    counts = Counter(w for t in texts for w in text_words(t))
    shares = {w: round(c / len(texts), 3) for w, c in sorted(counts.items()) if c / len(texts) >= MIN_SHARE}
    return {"contracts": len(texts), "min_share": MIN_SHARE, "shares": shares}


if __name__ == "__main__":
    PATH.write_text(json.dumps(build([Path(a) for a in sys.argv[1:]]), sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PATH}")
