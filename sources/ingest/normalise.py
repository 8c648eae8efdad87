"""Normalisation of extracted text, applied once before the text is stored: from then on
the text is kept verbatim and spans anchor to it."""

from __future__ import annotations

import re
import unicodedata

from project.validation import normalise_line_endings

# C0 and C1 control characters other than tab and line feed, and the replacement of a
# NUL: nothing a reader sees, and NUL cannot be stored by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0\u3000]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_SURROGATE = re.compile("[\ud800-\udfff]")


def line_endings(text: str) -> str:
    """CR LF and lone CR, and the Unicode line and paragraph separators, as ``\\n``: the
    line breaks of text extracted from a page or a PDF. (A text or Markdown file, kept as
    decoded, has its CR LF and CR made ``\\n`` alone, as text pasted has:
    ``project.validation.normalise_line_endings``.)"""
    return normalise_line_endings(text).replace("\u2028", "\n").replace("\u2029", "\n\n")


def without_lone_surrogates(text: str) -> str:
    """Valid Unicode: a surrogate pair becomes its character, a lone surrogate U+FFFD.
    Text without surrogates (nearly all) is returned as it is, not copied twice over."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def normalise_extracted(text: str) -> str:
    """Unicode NFC, ``\\n`` line endings, no trailing spaces, no control characters, at
    most one blank line in a row, no blank lines at either end.

    A step with nothing to change returns its input (``str.replace``, ``re.sub`` without a
    match and ``unicodedata.normalize`` of NFC text do), so text that is already normal is
    read, not copied, at every step."""
    text = without_lone_surrogates(text)
    text = line_endings(text)
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n")
