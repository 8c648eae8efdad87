"""``SOURCE_PDF_TABLES``: a PDF's tables are read a row a line only when it is set (the
reader of tables still reads some layouts out of order: see the README); unset, a table is
read as before, a column at a time, by the reader's child process as by the reader."""

from __future__ import annotations

import io

from sources.ingest import extract, pdf
from tests.documents import pdf_bytes
from tests.ingest.test_pdf_tables import ROWS, _table

BY_ROWS = "\n".join("\t".join(row) for row in ROWS)


def read(data: bytes) -> str:
    return extract(io.BytesIO(data), declared_type="application/pdf").text


def test_unset_a_table_is_read_as_before(settings):
    settings.SOURCE_PDF_TABLES = False
    data = pdf_bytes([_table(ROWS)])
    text = read(data)
    assert text == pdf.read_pdf(io.BytesIO(data))[0] and "\t" not in text and text != BY_ROWS


def test_set_a_table_is_read_a_row_a_line_through_the_readers_process(settings):
    settings.SOURCE_PDF_TABLES = True
    assert read(pdf_bytes([_table(ROWS)])) == BY_ROWS
