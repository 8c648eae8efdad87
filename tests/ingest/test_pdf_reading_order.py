"""A PDF's block is read as the page shows it, whatever order its content stream draws it in:
its lines top to bottom, each line's pieces left to right. A drop cap is read once, before
the line it opens; a footnote mark or a subscript stays in its line; running heads and page
numbers are still told apart and dropped. A block drawn in reading order is read as PDFium
reads it, in one call. See ``sources.ingest.pdf._block_lines`` and ``_page_blocks``."""

from __future__ import annotations

import io
import itertools

import pypdfium2 as pdfium
import pytest

from sources.ingest import extract, pdf
from tests.documents import PAGE_HEIGHT, pdf_bytes


def _text(drawn, **kwargs) -> str:
    return extract(io.BytesIO(pdf_bytes([drawn], **kwargs))).text


def _read(pages, **kwargs) -> str:
    """The text as the child process of ``extract`` reads it, read here (faster)."""
    return pdf.read_pdf(io.BytesIO(pdf_bytes(pages, **kwargs)))[0]


def _right(text: str, size: float, x: float) -> float:
    """Where ``text`` in Helvetica of ``size`` drawn at ``x`` ends, as PDFium boxes it."""
    document = pdfium.PdfDocument(pdf_bytes([[(x, 700, text, size)]]))
    try:
        textpage = document[0].get_textpage()
        textpage.count_rects()
        return textpage.get_rect(0)[2]
    finally:
        document.close()


LINES = [(72, 720, "Line one of the paragraph", 12), (72, 706, "line two of the paragraph", 12), (72, 692, "line three of it.", 12)]
PARAGRAPH = "Line one of the paragraph\nline two of the paragraph\nline three of it."


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_the_lines_of_a_block_are_read_top_to_bottom_whatever_order_they_are_drawn_in(order):
    assert _text([LINES[number] for number in order]) == PARAGRAPH


def test_the_pieces_of_a_line_are_read_left_to_right_whatever_order_they_are_drawn_in():
    drawn = [(72, 706, "second line", 12), (130, 720, "the rest of line one,", 12), (72, 720, "Line one,", 12)]
    assert _text(drawn) == "Line one, the rest of line one,\nsecond line"


def test_a_hyphen_ending_a_line_stays_with_its_line_break_in_a_block_drawn_out_of_order():
    drawn = [(72, 706, "tiations team.", 12), (72, 720, "said the nego-", 12)]
    assert _text(drawn) == "said the nego-\ntiations team."


# A drop cap: a "T" three lines tall, its top level with the first line's capitals, its
# foot on the third line's baseline, the first three lines set beside it.
DROP_CAP = (72, 692, "T", 51)
BESIDE = [
    (112, 720, "he treaty was signed in the", 12),
    (112, 706, "spring of 2001 by both of", 12),
    (112, 692, "the parties, and ratified", 12),
    (72, 678, "later that year by the assembly.", 12),
]


@pytest.mark.parametrize("where", [0, 1, 2, 3, 4])
def test_a_drop_cap_is_read_once_before_its_line_wherever_it_is_drawn(where):
    drawn = [*BESIDE[:where], DROP_CAP, *BESIDE[where:]]
    text = _text(drawn)
    assert text == "T\nhe treaty was signed in the\nspring of 2001 by both of\nthe parties, and ratified\nlater that year by the assembly."


def test_a_drop_cap_in_a_paragraph_drawn_last_line_first_is_read_once():
    text = _text([DROP_CAP, *BESIDE[::-1]])
    assert text.split("\n") == ["T", "he treaty was signed in the", "spring of 2001 by both of", "the parties, and ratified", "later that year by the assembly."]


def _with_mark(order):
    """A line with a footnote mark after "signed", then a second line; drawn in ``order``."""
    end = _right("The treaty was signed", 12, 72)
    mark_end = _right("1", 7, end + 0.3)
    pieces = [
        (72, 720, "The treaty was signed", 12),
        (end + 0.3, 726, "1", 7),
        (mark_end + 3.5, 720, "in May by both.", 12),
        (72, 706, "Second line here.", 12),
    ]
    return [pieces[number] for number in order]


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (3, 2, 1, 0), (3, 0, 2, 1), (1, 3, 0, 2)])
def test_a_footnote_mark_stays_in_its_line_after_its_word(order):
    lines = _text(_with_mark(order)).split("\n")
    assert "signed1" in "".join(lines[:-1])  # PDFium's own reading breaks the line after the mark
    assert lines[-1] == "Second line here."
    assert _text(_with_mark(order)).count("1") == 1


def test_a_subscript_stays_in_its_line_after_its_letter():
    end = _right("Water is H", 12, 72)
    sub_end = _right("2", 7, end + 0.3)
    drawn = [(72, 706, "Second line.", 12), (sub_end + 0.3, 720, "O at sea level.", 12), (end + 0.3, 717, "2", 7), (72, 720, "Water is H", 12)]
    assert _text(drawn) == "Water is H2O at sea level.\nSecond line."


PAGES = 5


def _report(page: int, *, drawn_last_first: bool) -> list:
    """A page of a report: a running head (a title, and the page's number at the right
    margin of the same line), six lines of body, "Page n" at the foot."""
    body = [
        (72, PAGE_HEIGHT - 100 - 14 * line, f"Clause {page}.{line} binds both parties to cooperate on energy, trade and transport.")
        for line in range(1, 7)
    ]
    furniture = [(72, PAGE_HEIGHT - 60, "Annual report 2024"), (520, PAGE_HEIGHT - 60, str(page)), (290, 40, f"Page {page}")]
    return furniture[::-1] + body[::-1] if drawn_last_first else body + furniture


@pytest.mark.parametrize("drawn_last_first", [False, True])
def test_running_heads_and_page_numbers_are_dropped_and_the_body_read_in_order(drawn_last_first):
    text = _read([_report(page, drawn_last_first=drawn_last_first) for page in range(1, PAGES + 1)])
    lines = text.split("\n")
    body = [f"Clause {page}.{line} binds both parties to cooperate on energy, trade and transport." for page in range(1, PAGES + 1) for line in range(1, 7)]
    assert [line for line in lines if line] == body


def test_the_lines_of_a_turned_page_drawn_out_of_order_are_read_top_to_bottom():
    # A page shown a quarter turn, its text drawn level on it: read as it is drawn.
    assert _text([LINES[2], LINES[0], LINES[1]], page_entries=b"/Rotate 90") == PARAGRAPH


def test_a_block_drawn_in_reading_order_is_read_without_looking_at_its_characters(monkeypatch):
    calls = []
    monkeypatch.setattr(pdf, "_rect_characters", lambda textpage: calls.append(textpage))
    assert _read([LINES, [*BESIDE]]) == PARAGRAPH + "\n\nhe treaty was signed in the\nspring of 2001 by both of\nthe parties, and ratified\nlater that year by the assembly."
    assert calls == []


def test_the_characters_of_a_page_are_looked_at_once_however_many_blocks_are_drawn_out_of_order(monkeypatch):
    calls = []
    looked_at = pdf._rect_characters
    monkeypatch.setattr(pdf, "_rect_characters", lambda textpage: calls.append(1) or looked_at(textpage))
    # Twenty paragraphs of two lines, each drawn second line first.
    drawn = [item for number in range(20) for item in ((72, 740 - 34 * number, f"and its end {number}."), (72, 753 - 34 * number, f"Paragraph {number} begins"))]
    text = _read([drawn])
    assert text.split("\n\n") == [f"Paragraph {number} begins\nand its end {number}." for number in range(20)]
    assert calls == [1]


# Hebrew letters by their glyph names (afii57664, alef, to afii57690, tav) at codes A to
# [: a font of no glyph program whose text PDFium reads as Hebrew.
HEBREW_FONT = b"/H << /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 65 /LastChar 91 /Widths [%s] /Encoding << /Type /Encoding /Differences [65 %s] >> >>" % (
    b" ".join([b"600"] * 27),
    b" ".join(b"/afii%d" % (57664 + number) for number in range(27)),
)
HEBREW_WORDS = ["שלום", "עולם", "ברוך"]  # "shalom olam barukh", read from the right


def _hebrew_line(y: float) -> bytes:
    """The Hebrew words, each its own text object, drawn in their reading order (the first
    at the right), 6 points apart."""
    drawn = b""
    for number, word in enumerate(HEBREW_WORDS):
        codes = "".join(chr(65 + ord(letter) - 0x5D0) for letter in word).encode()
        drawn += b"BT /H 10 Tf %d %g Td (%s) Tj ET\n" % (132 - 30 * number, y, codes)
    return drawn


def test_a_right_to_left_line_drawn_a_word_at_a_time_in_reading_order_is_read_in_one_call_with_its_spaces(monkeypatch):
    calls = []
    monkeypatch.setattr(pdf, "_rect_characters", lambda textpage: calls.append(textpage))
    text = _read([[(72, 740, "English line above.")]], fonts=HEBREW_FONT, extra_page_content=_hebrew_line(686))
    # PDFium's text, as before: the words in the order they stand on the page, left to right.
    assert text == "English line above.\n\nםולש םלוע ךורב"
    assert calls == []


def test_the_words_of_a_right_to_left_line_in_a_block_drawn_out_of_order_keep_their_spaces():
    drawn = [(72, 670, "Last English line."), (72, 684, "English line below."), (72, 706, "English line above."), (72, 720, "Beginning English line.")]
    text = _read([drawn], fonts=HEBREW_FONT, extra_page_content=_hebrew_line(697))
    assert text == "Beginning English line.\nEnglish line above.\nםולש םלוע ךורב\nEnglish line below.\nLast English line."


def test_a_left_to_right_line_drawn_a_word_at_a_time_from_the_right_is_read_left_to_right():
    drawn, x = [], 72.0
    for word in ["The", "treaty", "was", "signed."]:
        drawn.insert(0, (x, 720, word, 12))
        x = _right(word, 12, x) + 3.5
    assert _read([drawn]) == "The treaty was signed."


def test_lines_each_with_a_lowered_glyph_reaching_the_next_line_stay_lines_of_their_own():
    # A 6-point "i" lowered 4 points before each 10-point line at 10-point leading: each
    # reaches into the line above and the line below it.
    drawn = [item for line in range(4) for item in ((140.4, 696 - 10 * line, "i", 6), (145.4, 700 - 10 * line, "and more words after it", 10))]
    lines = _read([drawn]).split("\n")
    assert [line for line in lines if "words" in line] == ["and more words after it"] * 4


def test_a_tall_symbol_within_a_line_stays_in_its_line():
    # A 30-point "S" in the middle of the second line, reaching into the first and the third.
    sum_end = _right("Then the sum", 10, 72)
    symbol_end = _right("S", 30, sum_end + 3)
    drawn = [
        (72, 720, "The first line of the paragraph ends here.", 10),
        (72, 708, "Then the sum", 10),
        (sum_end + 3, 700, "S", 30),
        (symbol_end + 10, 708, "over all terms is one.", 10),
        (72, 696, "The third line closes it.", 10),
    ]
    assert _read([drawn]) == "The first line of the paragraph ends here.\nThen the sum S over all terms is one.\nThe third line closes it."
