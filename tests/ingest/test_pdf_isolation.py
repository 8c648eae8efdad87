"""A PDF is read in a child process, within a memory and a time limit: a small file whose
pages draw millions of things, or one that crashes PDFium, is a refusal (400), never a
server process out of memory or dead."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from sources.ingest import ExtractionError, extract, pdf
from tests.documents import one_column_pdf, pdf_bytes, report_paragraphs

# One drawing of a line of text: PDFium builds an object for each, about 12 bytes of memory
# for each byte of these operators.
DRAWING = b"BT /F1 12 Tf 72 720 Td (Sanctions were tightened.) Tj ET\n"


def _bomb(megabytes: int) -> bytes:
    return pdf_bytes([[(72, 700, "Sanctions were tightened in 2010.")]],
                     extra_page_content=DRAWING * (megabytes * 2**20 // len(DRAWING)))


def test_a_pdf_is_read_in_a_child_process_as_in_this_one(monkeypatch):
    data = one_column_pdf(report_paragraphs(3), info={"Title": "A report", "Author": "Jane Doe"})
    read_here = pdf.read_pdf(io.BytesIO(data))

    def not_here(stream):
        raise AssertionError("the PDF was read in the server's process")

    monkeypatch.setattr(pdf, "read_pdf", not_here)  # the child process imports its own
    assert pdf.extract_pdf(io.BytesIO(data)) == read_here


def test_a_small_pdf_whose_page_needs_more_memory_than_allowed_is_refused(monkeypatch):
    bomb = _bomb(40)  # about 500 MB to load its page
    assert len(bomb) < 2**20
    monkeypatch.setattr(pdf, "MEMORY_MB", 256)
    tracemalloc.start()
    try:
        with pytest.raises(ExtractionError) as error:
            extract(io.BytesIO(bomb), declared_type="application/pdf", filename="bomb.pdf")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.value.code == "too_complex"
    assert "within 256 MB of memory" in error.value.message
    assert peak < 16 * 2**20  # this process held the file, not its pages


def test_a_crash_of_the_reader_is_a_refusal(monkeypatch):
    monkeypatch.setattr(pdf, "_CHILD", "import os; os.abort()")
    with pytest.raises(ExtractionError) as error:
        pdf.extract_pdf(io.BytesIO(one_column_pdf(report_paragraphs(1))))
    assert error.value.code == "too_complex"


def test_a_pdf_that_takes_too_long_is_refused(monkeypatch):
    monkeypatch.setattr(pdf, "_CHILD", "import time; time.sleep(30)")
    monkeypatch.setattr(pdf, "SECONDS", 0)
    with pytest.raises(ExtractionError) as error:
        pdf.extract_pdf(io.BytesIO(one_column_pdf(report_paragraphs(1))))
    assert error.value.code == "too_complex"
    assert "took more than 0 seconds" in error.value.message


def test_a_refusal_in_the_child_keeps_its_code_and_words():
    with pytest.raises(ExtractionError) as error:
        pdf.extract_pdf(io.BytesIO(b"%PDF-1.4\nnot a PDF at all"))
    assert error.value.code == "unreadable_pdf"
    assert error.value.message.startswith("The PDF could not be read")


def test_a_pdf_without_a_page_is_refused_saying_so():
    """PDFium loads no such document and names no error: the message had read "Failed to
    load document (PDFium: Success)"."""
    with pytest.raises(ExtractionError) as error:
        pdf.extract_pdf(io.BytesIO(pdf_bytes([])))
    assert (error.value.code, error.value.message) == ("unreadable_pdf", "The PDF could not be read: it has no page that loads.")
