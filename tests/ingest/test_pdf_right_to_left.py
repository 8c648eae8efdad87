"""A PDF's right-to-left text (Hebrew here) is read in the order it is typed, whatever
order its glyphs are drawn in: a line's pieces or glyphs left to right by their places, then
the Unicode bidirectional algorithm run back (``sources.ingest.pdf._pieces_in_typed_order``,
``_typed_order``; ``sources.ingest.bidi``). A line PDFium already reads from the right is
read as PDFium reads it, without asking for its glyphs' places; two lines whose glyph boxes
overlap stay two lines.

The PDFs are written here by PDFium itself, in DejaVu Sans (embedded): each line given as
it shows, left to right, drawn a glyph or a word to a text object (as Chromium draws Arabic
and a word processor may draw Hebrew), or in one object."""

from __future__ import annotations

import ctypes
import io
import shutil
import time
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.ingest import bidi, pdf

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
pytestmark = pytest.mark.skipif(not FONT.exists(), reason="DejaVu Sans (fonts-dejavu-core) is not installed")


def _pdf(lines: list[tuple[str, float, float]], *, per: str = "glyph", width: float = 612) -> bytes:
    """A page ``width`` points wide of ``(visual, y, size)`` lines from x = 72, each text
    object a glyph (``per="glyph"``), a word (``"word"``) or the whole line (``"line"``),
    drawn left to right; a space the width of DejaVu's."""
    document = pdfium.PdfDocument.new()
    page = document.new_page(width, 792)
    data = FONT.read_bytes()
    font = pdfium_raw.FPDFText_LoadFont(document.raw, (ctypes.c_uint8 * len(data)).from_buffer_copy(data), len(data), pdfium_raw.FPDF_FONT_TRUETYPE, True)
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for visual, y, size in lines:
        x = 72.0
        pieces = list(visual) if per == "glyph" else visual.split(" ") if per == "word" else [visual]
        for piece in pieces:
            if piece in ("", " "):
                x += 0.318 * size
                continue
            drawn = pdfium_raw.FPDFPageObj_CreateTextObj(document.raw, font, size)
            pdfium_raw.FPDFText_SetText(drawn, (ctypes.c_ushort * (len(piece) + 1))(*map(ord, piece), 0))
            pdfium_raw.FPDFPageObj_Transform(drawn, 1, 0, 0, 1, x, y)
            pdfium_raw.FPDFPageObj_GetBounds(drawn, left, bottom, right, top)
            pdfium_raw.FPDFPage_InsertObject(page.raw, drawn)
            x = right.value + (0.08 if per == "glyph" else 0.35) * size
    pdfium_raw.FPDFPage_GenerateContent(page.raw)
    written = io.BytesIO()
    document.save(written)
    document.close()
    return written.getvalue()


def _read(lines, **kwargs) -> str:
    return pdf.read_pdf(io.BytesIO(_pdf(lines, **kwargs)))[0]


def test_a_number_in_a_hebrew_line_drawn_a_glyph_at_a_time_keeps_its_digits_together_and_in_order():
    assert _read([("ןאכ 1,250,000 רפסמה", 700, 10)]) == "המספר 1,250,000 כאן"


def test_english_words_in_a_hebrew_line_drawn_a_word_at_a_time_keep_their_order():
    assert _read([("ןאכ english words תא האר", 700, 10)], per="word") == "ראה את english words כאן"


def test_english_words_in_a_hebrew_line_drawn_a_glyph_at_a_time_keep_their_order():
    assert _read([("ןאכ english words תא האר", 700, 10)]) == "ראה את english words כאן"


def test_brackets_and_code_in_a_hebrew_line_keep_their_places():
    # PDFium turns the brackets it reads as right to left: "(x(f" and "(בסוגריים)" as read.
    assert _read([("(םיירגוסב) הריזחמ f(x) היצקנופה", 700, 10)]) == "הפונקציה f(x) מחזירה (בסוגריים)"


def test_two_hebrew_lines_whose_glyph_boxes_overlap_are_not_read_as_one():
    # 20-point glyphs on baselines 9 points apart: each box reaches far into the other line.
    assert _read([("םלוע םולש", 700, 20), ("ךורב ןוילע", 691, 20)]).split("\n") == ["שלום עולם", "עליון ברוך"]


def test_a_line_of_one_direction_pdfium_reads_from_the_right_keeps_its_reading_without_glyph_places(monkeypatch):
    def refuse(*arguments):
        raise AssertionError("glyph places asked for")

    monkeypatch.setattr(pdf, "_rect_characters", refuse)
    monkeypatch.setattr(pdf, "_typed_order", refuse)
    monkeypatch.setattr(pdf, "_pieces_in_typed_order", refuse)
    assert _read([("ךורב םלוע םולש", 700, 10), ("ןוילע םויה", 686, 10)], per="line") == "שלום עולם ברוך\nהיום עליון"


def test_an_english_line_above_a_hebrew_line_is_read_as_before():
    text = _read([("The treaty (2024) was signed.", 714, 10), ("ןאכ 1,250,000 רפסמה", 700, 10)], per="word")
    assert text.split("\n") == ["The treaty (2024) was signed.", "המספר 1,250,000 כאן"]


_VISUAL = "אבגדהוזחטיכלמנסעפצקרשת" * 2 + "abcxyz0123456789 ()[].,:-+%"


def _canonical(text: str) -> Counter:
    return Counter(min(character, bidi.MIRRORED.get(character, character)) for character in text if not character.isspace())


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=_VISUAL, min_size=1, max_size=40).filter(lambda text: any(character.isalnum() for character in text)), st.sampled_from(["glyph", "word"]))
def test_a_mixed_line_read_in_typed_order_loses_and_adds_no_character(visual, per):
    assert _canonical(_read([(visual, 700, 10)], per=per)) == _canonical(visual)


def test_a_hebrew_line_of_thousands_of_glyphs_drawn_one_at_a_time_is_read_in_little_time():
    visual = ("םלוע םולש 2024 (abc) " * 150)[:3000]
    data = _pdf([(visual, 700, 0.2)])
    started = time.process_time()
    text = pdf.read_pdf(io.BytesIO(data))[0]
    assert time.process_time() - started < 3
    assert _canonical(text) == _canonical(visual)


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's Chromium (/usr/bin/chromium) is not installed")
def test_a_page_chromium_prints_in_hebrew_and_arabic_is_read_as_chromium_shows_it():
    from playwright.sync_api import sync_playwright

    html = (
        "<html dir=rtl><body style=\"font-family: 'DejaVu Sans'\">"
        "<p>שלום עולם, זהו טקסט (בסוגריים) עם המספר 1,250,000 ו-English words כאן.</p>"
        "<p>הפונקציה f(x) מחזירה 28% מהערך +98 21.</p>"
        "<p>قالت الوزارة إن الاتفاق لا يزال قائما.</p>"
        "<p>قالت (إن) بحضور 46% إيران «وروسيا» في الطاقة.</p></body></html>"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        tab = browser.new_page()
        tab.set_content(html)
        data, shown = tab.pdf(), tab.evaluate("document.body.innerText")
        browser.close()
    assert pdf.read_pdf(io.BytesIO(data))[0].split() == shown.split()


def test_a_percentage_among_arabic_pieces_keeps_its_sign_where_chromium_shows_it():
    # Digits after Arabic letters are Arabic numbers (W2), which take no percent sign: the
    # sign stands left of the number as shown, and after it as typed. A piece of Arabic
    # letters must say it is Arabic for the rule to see it.
    shown = ["إيران", " ", "%", "46", " ", "بحضور"]  # each piece as PDFium reads it, in typed order
    kinds = [pdf._piece_direction(piece) for piece in shown]
    assert "".join(bidi.logical_order(shown, True, kinds)) == "بحضور 46% إيران"


def test_a_line_that_cannot_be_put_in_typed_order_is_read_as_pdfium_reads_it_not_refused(monkeypatch):
    def broken(*arguments, **keywords):
        raise ValueError("no order")

    monkeypatch.setattr(bidi, "logical_order", broken)
    assert _canonical(_read([("ןאכ 1,250,000 רפסמה", 700, 10)])) == _canonical("ןאכ 1,250,000 רפסמה")


def test_letters_stacked_over_one_another_keep_pdfiums_order():
    # Amiri draws a lam over a meem, each its own piece: by their middles the meem came
    # first ("الحمادثات" for "المحادثات").
    pieces = [["ل", 10.0, 14.0, 0.0, "AL"], ["م", 11.5, 14.5, 0.0, "AL"], ["ح", 4.0, 9.0, 0.0, "AL"]]
    shown = pdf._stacked_together(pieces)
    assert "".join(bidi.logical_order([piece[0] for piece in shown], True, [piece[4] for piece in shown])) == "لمح"


def test_a_space_pdfium_generates_between_two_words_side_by_side_stands_between_them():
    # Typed order, drawn from the right: "مجال" then "ال...", the gap after the alef wider
    # than the word space (Amiri's).
    items = [
        ["م", 40.0, 45.0, 0.0, "AL"],
        ["ج", 35.0, 40.0, 0.0, "AL"],
        ["ا", 33.0, 34.0, 0.0, "AL"],
        ["ل", 28.0, 32.0, 0.0, "AL"],
        [" ", None, None, None, "WS"],
        ["ا", 24.0, 25.0, 0.0, "AL"],
        ["ل", 17.0, 20.5, 0.0, "AL"],
    ]
    pdf._place_generated_spaces(items)
    assert items[4][1] == 26.5


def _seconds_to_read(letters: int) -> float:
    data = _pdf([(("םלוע םולש 2024 (abc) f(x) " * (letters // 20 + 1))[:letters], 700, 0.2)], per="word", width=14_000)
    started = time.process_time()
    assert len(pdf.read_pdf(io.BytesIO(data))[0]) == letters
    return time.process_time() - started


def test_a_line_of_a_hundred_thousand_letters_costs_in_proportion_to_its_length():
    # A space PDFium generates found its baseline by copying the line: 100,000 letters in
    # 19,000 words took 3.9 s against main's 0.7 s, 16 times a line a quarter as long; in
    # proportion it takes 4 to 5 times. The two lengths take turns and each keeps its
    # fastest of three readings, so that a busy machine's pause in one is not taken for
    # the reader's cost (one reading of each had once measured 8.2 times).
    quarter, whole = [], []
    for _ in range(3):
        quarter.append(_seconds_to_read(25_000))
        whole.append(_seconds_to_read(100_000))
    assert min(whole) < 10 * min(quarter)


def test_a_typed_order_that_reads_other_characters_than_pdfium_is_not_taken(monkeypatch, caplog):
    """Vowel marks stacked over their letters once had a letter and its mark read twice in
    typed order: a line whose typed order does not hold PDFium's characters, each as many
    times (a bracket turned aside), is read as PDFium reads it: never a character the
    document does not hold."""
    lines = [("ןאכ 1,250,000 רפסמה", 700, 10)]
    as_pdfium_reads = _read(lines)
    monkeypatch.setattr(pdf, "_pieces_in_typed_order", lambda *args: "המספר 1,250,000 כאןן")
    monkeypatch.setattr(pdf, "TYPED_ORDER_CHARACTERS", 0)
    kept_in_pdfiums_order = _read(lines)
    monkeypatch.setattr(pdf, "TYPED_ORDER_CHARACTERS", 10**6)
    with caplog.at_level("INFO", logger="sources.ingest.pdf"):
        assert _read(lines) == kept_in_pdfiums_order != as_pdfium_reads
    assert "other characters" in caplog.text


def test_a_turned_bracket_is_the_same_character_to_that_check():
    assert pdf._same_characters("(טקסט)") == pdf._same_characters(")טקסט(")
    assert pdf._same_characters("“שלום”") != pdf._same_characters("“שלום“")


def test_past_the_documents_budget_a_line_is_read_as_pdfium_gives_it(monkeypatch):
    """Putting lines in typed order costs processor time in proportion to their characters:
    a document's first ``TYPED_ORDER_CHARACTERS`` are so read, the rest as PDFium gives
    them, so that no document is refused for the time its right-to-left lines take."""
    lines = [("ןאכ 1,250,000 רפסמה", 700 - 20 * number, 10) for number in range(4)]
    monkeypatch.setattr(pdf, "TYPED_ORDER_CHARACTERS", 0)
    as_pdfium_gives = [line for line in _read(lines).split("\n") if line]
    monkeypatch.setattr(pdf, "TYPED_ORDER_CHARACTERS", 2 * len("המספר 1,250,000 כאן"))
    assert [line for line in _read(lines).split("\n") if line] == ["המספר 1,250,000 כאן"] * 2 + as_pdfium_gives[2:]
    assert as_pdfium_gives[2] != "המספר 1,250,000 כאן"


@pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's Chromium (/usr/bin/chromium) is not installed")
def test_a_line_printed_upside_down_is_read_as_pdfium_reads_it_not_reversed():
    """A line turned upside down (``transform: rotate(180deg)``): its glyphs left to right
    by their places are its letters last first, and the typed order read from them was
    the line reversed letter by letter; PDFium's reading of a turned block is kept."""
    from playwright.sync_api import sync_playwright

    html = ("<html lang=he dir=rtl><body style=\"font-family:'DejaVu Sans';font-size:16px\"><p>שורה רגילה לפני הטקסט</p>"
            "<div style='transform:rotate(180deg);width:300px'>טקסט הפוך שלום עולם 123</div><p>שורה רגילה אחרי</p></body></html>")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            tab = browser.new_page()
            tab.set_content(html)
            data = tab.pdf(format="A4")
        finally:
            browser.close()
    lines = [line for line in pdf.read_pdf(io.BytesIO(data))[0].split("\n") if line]
    assert lines[0] == "שורה רגילה לפני הטקסט" and lines[2] == "שורה רגילה אחרי"
    assert "טקסט הפוך שלום עולם" in lines[1] and "םלוע" not in lines[1]
