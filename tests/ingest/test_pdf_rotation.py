"""A page turned for display (``/Rotate``) with its text drawn level on it is read in the
order its lines are drawn: PDFium, reading the turned page, gave a page turned a quarter
clockwise its lines last first. See ``sources.ingest.pdf._drawn_level``."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract

LINES = ["The first line of the turned page.", "The second line of it.", "And the third."]


def _turned_page(rotate: int) -> bytes:
    shown = b" ".join(b"(%s) Tj T*" % line.encode() for line in LINES)
    content = b"BT /F1 12 Tf 72 720 Td 14 TL " + shown + b" ET"
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
