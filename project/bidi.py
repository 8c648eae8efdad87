"""Text people typed, shown among other text: a name, a claim or a title that holds
explicit direction controls (U+202A-U+202E, U+2066-U+2069: what the Trojan Source attacks
use) is isolated (FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE), so that wherever it is
joined into a line (a list of entities, an admin message, a select's label) it cannot
reorder the text around it. Text without such controls is returned as it is."""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
FSI, PDI = "\u2068", "\u2069"
# The direction controls and marks (U+200E, U+200F, U+061C), which reorder a line as shown
# and say nothing: "report\u202etxt.exe" shows as "reportexe.txt".
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def isolated(text: str) -> str:
    return f"{FSI}{text}{PDI}" if _CONTROLS.search(text) else text


def without_direction_controls(text: str) -> str:
    """A name (a file's, as a title) without direction controls or marks."""
    return DIRECTION_CONTROLS.sub("", text)
