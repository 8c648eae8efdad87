"""A PDF's words are stored as its pages draw them: a hyphen ending a line stays, with the
line break, whether it joins a compound ("Russia-" / "Iran") or splits a word ("nego-" /
"tiations"). PDFium joins such lines and marks the hyphen with a control character, which
had left "RussiaIran", a word the document does not hold, and no quote of the compound
could be anchored. See ``sources.ingest.pdf._HYPHEN_AT_LINE_END``."""

from __future__ import annotations

import io

from sources.ingest import extract
from tests.documents import LEADING, PAGE_HEIGHT, pdf_bytes

LINES = [
    "Relations between Russia-",
    "Iran and the so-",
    "called West improved in 2019-",
    "2020, said the nego-",
    "tiations team.",
]


def _text() -> str:
    drawn = [(72, PAGE_HEIGHT - 72 - number * LEADING, line) for number, line in enumerate(LINES)]
    return extract(io.BytesIO(pdf_bytes([drawn]))).text


def test_a_hyphen_ending_a_line_stays_with_its_line_break():
    assert _text() == "\n".join(LINES)


def test_a_quote_of_a_compound_split_across_lines_is_found_in_the_text():
    text = _text()
    assert "Russia-\nIran" in text and "so-\ncalled" in text
    assert "RussiaIran" not in text and "socalled" not in text
