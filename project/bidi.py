"""Text people typed, shown among other text: a name, a claim or a title that holds
explicit direction controls (U+202A-U+202E, U+2066-U+2069: what the Trojan Source attacks
use) is isolated (FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE), so that wherever it is
joined into a line (a list of entities, an admin message, a select's label) it cannot
reorder the text around it. Text without such controls is returned as it is."""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
FSI, PDI = "\u2068", "\u2069"


def isolated(text: str) -> str:
    return f"{FSI}{text}{PDI}" if _CONTROLS.search(text) else text
