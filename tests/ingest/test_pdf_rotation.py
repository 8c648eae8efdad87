"""A page turned for display (``/Rotate``) is read line by line in order: with its text
drawn level on it, as it is drawn (PDFium, reading the turned page, gave a page turned a
quarter clockwise its lines last first); with its text drawn turned and the page turned to
show it level, as PDFium reads it (our cut of the boxes found one block, in which PDFium
ran two lines together). See ``sources.ingest.pdf._drawn_level``."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract

LINES = ["The first line of the turned page.", "The second line of it.", "And the third."]


def _turned_page(rotate: int, *, drawn_turned: bool = False) -> bytes:
    """A page of ``LINES`` turned ``rotate`` degrees for display; ``drawn_turned``: its text
    drawn a quarter turn anticlockwise (a landscape page set upright by the turn)."""
    shown = b" ".join(b"(%s) Tj T*" % line.encode() for line in LINES)
    content = b"BT /F1 12 Tf 72 720 Td 14 TL " + shown + b" ET"
    if drawn_turned:
        content = b"q 0 1 -1 0 612 0 cm BT /F1 12 Tf 72 540 Td 14 TL " + shown + b" ET Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
        b"/Contents 5 0 R /Rotate %d >>" % rotate,
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_the_lines_of_a_turned_page_are_read_in_the_order_they_are_drawn(rotate):
    assert extract(io.BytesIO(_turned_page(rotate))).text == "\n".join(LINES)


def test_the_lines_of_text_drawn_turned_on_a_page_turned_to_show_it_are_kept_apart():
    assert extract(io.BytesIO(_turned_page(90, drawn_turned=True))).text == "\n".join(LINES)
