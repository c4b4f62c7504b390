"""Running headers and footers ("Executed via Ironclad ... | page 3", "CONFIDENTIAL") removed from PDF pages.

A PDF's text layer has them inside the flow of the contract, so a sentence that runs across a page break
would read "... for the rest of the Executed via Ironclad workflow IC-1 | page 1 Initial Term ...", and that
is what would be written into Salesforce as an obligation. A line counts as page furniture when it stands
among the first or last lines of most pages, the same text each time, or the same apart from a page counter
("page 3", "- 3 -"); headings that merely look alike ("Schedule 2", "Schedule 5") stay. Nothing is recognised
on a one-page document: with one page there is nothing to compare.
"""

from __future__ import annotations

import re

EDGE_LINES = 2  # how many lines at the top and at the bottom of a page can be furniture
MIN_SHARE = 0.5  # on at least this share of the pages (and on two of them at least)
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"[\W#]*#[\W#]*")  # "3", "- 3 -", "[3]": a bare page number


def _shape(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split())).lower()


def _edges(lines: list[str]) -> list[list[int]]:
    """The first and the last few non-blank lines, each side listed from the page's edge inwards."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return [filled[:EDGE_LINES], filled[::-1][:EDGE_LINES]]


def _is_counter(lines: list[tuple[int, str]]) -> bool:
    """Lines of one shape are a running title only if they are the same text, or differ by a page counter:
    one of their numbers minus the page's index is the same on every page ("page 3", "- 3 -", "3 of 12")."""
    if len({text for _, text in lines}) == 1:
        return True
    numbers = [(index, [int(n) for n in _DIGITS.findall(text)]) for index, text in lines]
    width = {len(found) for _, found in numbers}
    if len(width) != 1:
        return False
    return any(len({found[k] - index for index, found in numbers}) == 1 for k in range(width.pop()))


def strip_running_lines(page_texts: list[str]) -> list[str]:
    if len(page_texts) < 2:
        return page_texts
    pages = [text.split("\n") for text in page_texts]
    by_shape: dict[str, list[tuple[int, str]]] = {}
    for index, lines in enumerate(pages):
        for i in {i for side in _edges(lines) for i in side}:
            found = by_shape.setdefault(_shape(lines[i]), [])
            if not found or found[-1][0] != index:  # once per page
                found.append((index, " ".join(lines[i].split())))
    needed = max(2, MIN_SHARE * len(pages))
    furniture = {shape for shape, found in by_shape.items()
                 if len(found) >= needed and (len(shape) >= 4 or _PAGE_NUMBER.fullmatch(shape)) and _is_counter(found)}
    if not furniture:
        return page_texts
    cleaned = []
    for lines in pages:
        drop: set[int] = set()
        for side in _edges(lines):  # from the edge inwards, stopping at the first line of the contract itself
            for i in side:
                if _shape(lines[i]) not in furniture:
                    break
                drop.add(i)
        cleaned.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return cleaned
