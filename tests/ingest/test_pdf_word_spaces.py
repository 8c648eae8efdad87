"""Words of a PDF whose glyphs are drawn one at a time, with no space glyph between them
(Chromium printing small type: 8-point serif, a table's cells, bold headers), read apart
where their glyphs stand a word apart; letter-spaced text reads as it did."""

from __future__ import annotations

import io
import os
import shutil

import pytest

from sources.ingest import pdf

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM) or shutil.which("chromium") is None, reason="needs Debian's Chromium at /usr/bin/chromium")

# A cash flow statement in 8-point serif: Chromium draws each of its glyphs as a text object
# of its own, and PDFium's reading of a block had run its words together
# ("Netcashusedinactivities").
STATEMENT = (
    "<!doctype html><html><head><meta charset=utf-8><style>body{font-family:serif;font-size:8pt;margin:30px}"
    "td,th{padding:3px 6px}.r{text-align:right}</style></head><body><h2>Cash flow statement</h2>"
    "<table style='width:80%'><tr><th></th><th class=r>2026<br>$000</th><th class=r>2025<br>$000</th></tr>"
    "<tr><td colspan=3><b>Cash flows from operating activities</b></td></tr>"
    "<tr><td style='padding-left:16px'>Goodwill</td><td class=r>$6,160</td><td class=r>($4,363)</td></tr>"
    "<tr><td>Net cash used in activities</td><td class=r style='border-top:1px solid'>$5,333</td>"
    "<td class=r style='border-top:1px solid'>($5,231)</td></tr>"
    "<tr><td>Revenue and receivables</td><td class=r>$838</td><td class=r>$4,709</td></tr></table>"
    "<p>Net cash used in financing activities fell by a third.</p>"
    "<p><b>Bold headers are drawn a glyph at a time too</b></p></body></html>"
)


def _printed(html: str) -> bytes:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True)
        try:
            tab = browser.new_page()
            tab.set_content(html)
            return tab.pdf(format="A4")
        finally:
            browser.close()


def _read_as_before(data: bytes, **kwargs) -> str:
    """The reading with no gap taken for a word space, as before they were."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "_word_gaps", lambda line: [], raising=False)
        return pdf.read_pdf(io.BytesIO(data), **kwargs)[0]


@needs_chromium
def test_words_of_glyphs_drawn_one_at_a_time_are_read_apart():
    data = _printed(STATEMENT)
    lines = pdf.read_pdf(io.BytesIO(data))[0].split("\n")
    for words in ("Cash flows from operating activities", "Net cash used in activities", "Revenue and receivables",
                  "Net cash used in financing activities fell by a third.", "Bold headers are drawn a glyph at a time too"):
        assert words in lines
    assert "Netcashusedinactivities" in _read_as_before(data).split("\n")


@needs_chromium
def test_words_of_a_table_drawn_one_glyph_at_a_time_are_read_apart_in_its_rows():
    lines = pdf.read_pdf(io.BytesIO(_printed(STATEMENT)), tables=True)[0].split("\n")
    assert "Cash flows from operating activities" in lines
    assert "Net cash used in activities\t$5,333\t($5,231)" in lines
    assert "Revenue and receivables\t$838\t$4,709" in lines


@needs_chromium
@pytest.mark.parametrize("size", ["8pt", "10pt", "16px"])
def test_letter_spaced_text_reads_as_before(size):
    data = _printed(
        f"<body style='font-family:serif;font-size:{size}'><p style='letter-spacing:0.4em'>WARNING KEEP OUT</p>"
        "<p style='letter-spacing:2px'>Spaced a little apart</p><p>Net cash used in activities</p></body>"
    )
    text = pdf.read_pdf(io.BytesIO(data))[0]
    assert text == _read_as_before(data)
    assert "W A R N I N G" in text


def test_letters_set_evenly_apart_have_no_word_gap():
    letters = [(10.0 * number, 0.0, 10.0 * number + 6, 8.0, number) for number in range(7)]
    assert pdf._word_gaps(letters) == []
    # The same letters with a word's space (0.35 of their height) after the third.
    spaced = [(left + (2.8 if number > 2 else 0), bottom, right + (2.8 if number > 2 else 0), top, number) for left, bottom, right, top, number in letters]
    assert pdf._word_gaps(spaced) == [2]
