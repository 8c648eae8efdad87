"""A PDF's text is stored as the page reads: the lines of a block top to bottom whatever
order they were drawn in, a table's row on one line (its cells separated by tabs, as the
HTML path writes a table), a line with a wide space in it one line, the lines of
double-spaced text one paragraph, and a page of any height read (the cut of the page into
blocks is a loop, not a recursion). Two columns are still read one after the other. See
``sources.ingest.pdf._reading_order`` and ``_block_lines``."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract, pdf
from tests.documents import pdf_bytes, report_paragraphs, sentence_scores, two_column_pdf


def _text(drawn, **kwargs) -> str:
    return extract(io.BytesIO(pdf_bytes([drawn], **kwargs))).text


@pytest.mark.parametrize("order", [(1, 0, 2), (2, 1, 0), (0, 2, 1)])
def test_the_lines_of_a_block_are_read_top_to_bottom_whatever_order_they_are_drawn_in(order):
    lines = [(72, 720, "Line one of the paragraph"), (72, 706, "line two of the paragraph"), (72, 692, "line three of it.")]
    drawn = [lines[number] for number in order]
    assert _text(drawn, font_size=12) == "Line one of the paragraph\nline two of the paragraph\nline three of it."


def test_the_pieces_of_a_line_drawn_right_first_are_read_left_to_right():
    drawn = [(72, 706, "second line"), (130, 720, "the rest of line one,"), (72, 720, "Line one,")]
    assert _text(drawn, font_size=12) == "Line one, the rest of line one,\nsecond line"


ROWS = [("Country", "Votes", "Year"), ("Russia", "6", "2010"), ("China", "4", "2011"), ("India", "2", "2012")]


def test_a_table_drawn_row_by_row_is_read_a_row_a_line_its_cells_separated_by_tabs():
    drawn = [(x, 720 - 14 * number, cell) for number, row in enumerate(ROWS) for x, cell in zip((72, 200, 328), row)]
    assert _text(drawn) == "\n".join("\t".join(row) for row in ROWS)


def test_a_table_drawn_column_by_column_is_read_a_row_a_line_too():
    drawn = [(x, 720 - 14 * number, row[column]) for column, x in enumerate((72, 200, 328)) for number, row in enumerate(ROWS)]
    assert _text(drawn) == "\n".join("\t".join(row) for row in ROWS)


def test_a_line_with_a_wide_space_in_it_is_one_line():
    # "The minister" ends at x=138 in Helvetica 12: 12 points of white before "signed".
    text = _text([(72, 700, "The minister"), (150, 700, "signed the treaty in 2001.")], font_size=12)
    assert "\n" not in text and text.startswith("The minister") and text.endswith("signed the treaty in 2001.")


@pytest.mark.parametrize("interleaved", [True, False])
def test_two_columns_are_still_read_one_after_the_other(interleaved):
    paragraphs = report_paragraphs(12)
    text = extract(io.BytesIO(two_column_pdf(paragraphs, interleaved=interleaved))).text
    assert sentence_scores(text, paragraphs, []) == (1.0, 1.0)


DOUBLE_SPACED = ["The defendant breached", "the agreement on 3 May", "and did not cure it within", "thirty days of notice."]


def test_the_lines_of_double_spaced_text_are_one_paragraph():
    drawn = [(72, 720 - 24 * number, line) for number, line in enumerate(DOUBLE_SPACED)]
    assert _text(drawn, font_size=12) == "\n".join(DOUBLE_SPACED)


def test_paragraphs_of_double_spaced_text_set_apart_by_a_blank_line_stay_apart():
    drawn = [(72, 720 - 24 * number, line) for number, line in enumerate(DOUBLE_SPACED[:2])]
    drawn += [(72, 720 - 24 * (number + 4), line) for number, line in enumerate(DOUBLE_SPACED[2:])]
    assert _text(drawn, font_size=12) == "\n".join(DOUBLE_SPACED[:2]) + "\n\n" + "\n".join(DOUBLE_SPACED[2:])


def test_a_page_of_a_thousand_lines_is_read():
    lines = [f"Line {number} of a very tall page." for number in range(1150)]
    drawn = [(20, 14380 - 12.5 * number, line) for number, line in enumerate(lines)]
    assert _text(drawn, page_size=(400, 14400)).split() == " ".join(lines).split()


def test_a_page_of_a_thousand_paragraphs_cut_one_at_a_time_is_read():
    # Each gap a little wider than the one above it: a cut at the widest gap first takes one
    # paragraph at a time, and the recursion went 1,150 calls deep.
    tops = [50000 - 30 * number - 0.01 * number * (number - 1) / 2 for number in range(1150)]
    boxes = [(20.0, top - 6, 80.0, top, number) for number, top in enumerate(tops)]
    assert pdf._reading_order(boxes, 6.0) == [[box] for box in boxes]
