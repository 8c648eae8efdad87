"""A PDF's text is what a viewer shows of its pages: text drawn off the page, or outside its
crop box, and text of an optional content group (a layer) that is off unless a reader turns
it on, are no text of the document as read. Text that is on the page but not seen (white,
clipped, drawn invisible as an OCR layer over a scan is) stays: it is the page's text, and
an OCR layer is the only text of a scanned page. See ``sources.ingest.pdf._shown`` and
``_without_hidden_layers``."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract
from tests.documents import pdf_bytes

SHOWN = (72, 720, "The treaty was signed in 2001.")


def _text(data: bytes) -> str:
    return extract(io.BytesIO(data)).text


@pytest.mark.parametrize("where", [(900, 700), (72, -300), (72, 900), (-400, 700)], ids=["right", "below", "above", "left"])
def test_text_drawn_off_the_page_is_left_out(where):
    assert _text(pdf_bytes([[SHOWN, (*where, "Drawn where no viewer shows it.")]])) == SHOWN[2]


def test_text_outside_the_crop_box_is_left_out():
    data = pdf_bytes([[SHOWN, (72, 60, "Printer's marks outside the crop box.")]], page_entries=b"/CropBox [36 100 576 756]")
    assert _text(data) == SHOWN[2]


def test_text_on_the_page_that_is_white_clipped_or_drawn_invisible_is_kept():
    drawn = (
        b"BT /F1 10 Tf 1 g 72 690 Td (White on white.) Tj ET\n"
        b"q 0 0 10 10 re W n BT /F1 10 Tf 72 660 Td (Clipped away.) Tj ET Q\n"
        b"BT /F1 10 Tf 3 Tr 72 630 Td (An OCR layer, drawn invisible.) Tj ET\n"
    )
    text = _text(pdf_bytes([[SHOWN]], extra_page_content=drawn))
    assert text.replace("\n\n", "\n").split("\n") == [SHOWN[2], "White on white.", "Clipped away.", "An OCR layer, drawn invisible."]


def _layered(default: bytes) -> bytes:
    """A page of a shown line and a line in an optional content group, ``/ON`` or ``/OFF``
    by default."""
    content = (
        b"BT /F1 12 Tf 72 720 Td (The treaty was signed in 2001.) Tj ET\n"
        b"/OC /oc1 BDC BT /F1 12 Tf 72 690 Td (Draft note: check the date.) Tj ET EMC\n"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OCProperties << /OCGs [6 0 R] /D << %s [6 0 R] >> >> >>" % default,
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
        b"/Resources << /Font << /F1 3 0 R >> /Properties << /oc1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /OCG /Name (Draft notes) >>",
    ]
    out, offsets = b"%PDF-1.5\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 7\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def test_text_of_a_layer_off_by_default_is_left_out():
    assert _text(_layered(b"/OFF")) == "The treaty was signed in 2001."


def test_text_of_a_layer_on_by_default_is_kept():
    assert _text(_layered(b"/ON")).replace("\n\n", "\n") == "The treaty was signed in 2001.\nDraft note: check the date."
