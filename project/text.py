"""Text cut to the room it is shown in: at a word boundary, with an ellipsis."""

from __future__ import annotations

import re

ELLIPSIS = "…"
# What a cut does not end on: the space before it, and punctuation that joins the words
# left out ("in 2023, officials…" rather than "in 2023,…").
_DANGLING = " \t\n,;:–—-"
_LAST_SPACE = re.compile(r"\s(?=\S*$)")


def shortened(text: str, limit: int) -> str:
    """``text`` whole if it has at most ``limit`` characters; else its first words, cut at a
    word boundary, and "…", at most ``limit`` characters in all. A first word longer than
    two thirds of the room (a URL, a run without spaces) is cut inside itself instead."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if not text[limit - 1].isspace():
        space = _LAST_SPACE.search(head)
        if space is not None and space.start() >= (limit * 2) // 3:
            head = head[: space.start()]
    return head.rstrip(_DANGLING) + ELLIPSIS
