"""The title and publication date a file gives a source: a value a program wrote for want of
a title (a printed page's address, "Document1") is no title and the file's name stands in;
a PDF's CreationDate on the day it is read is the moment it was printed, not published, and
one without its day, or the Unix epoch, is no date either; a plain text file's first line
names it when it is set apart as a title. Metadata never changes the text."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from sources import ingestion
from sources.ingest import extract
from sources.ingest.extract import document_title
from sources.ingest.pdf import publication_date
from sources.ingest.text import SPOOLED_FROM
from tests.documents import one_column_pdf, pdf_bytes, report_paragraphs

PARAGRAPHS = report_paragraphs(3)


def pdf_date(day: date) -> str:
    return day.strftime("D:%Y%m%d%H%M%S+01'00'")


@pytest.mark.parametrize("written", [
    "127.0.0.1:8311/admin/",
    "localhost:8000",
    "https://example.org/reports/2024",
    "example.org/reports/annual",
    "www.example.org",
    "about:blank",
    "file:///home/ana/report.html",
    "C:\\Users\\ana\\Documents\\report.docx",
    "/home/ana/exports/report",
    "report.docx",
    "Annual report 2023.pdf",
    "untitled",
    "Untitled-1",
    "Untitled document",
    "Document1",
    "Document 2",
    "Book1",
    "PowerPoint Presentation",
    "Presentation1",
    "Microsoft Word - Document1",
    "Microsoft Word - untitled.docx",
])
def test_what_a_program_writes_for_want_of_a_title_is_no_title(written):
    assert document_title(written) == ""


@pytest.mark.parametrize("written, title", [
    ("Microsoft Word - report.docx", "report"),
    ("Microsoft PowerPoint - Board update Q3.pptx", "Board update Q3"),
    ("Quarterly", "Quarterly"),
    ("Booking.com annual report", "Booking.com annual report"),
    ("Booking.com", "Booking.com"),
    ("TCP/IP in practice", "TCP/IP in practice"),
    ("Document management in public archives", "Document management in public archives"),
    ("Untitled: a history of anonymous art", "Untitled: a history of anonymous art"),
    ("Node.js security review", "Node.js security review"),
])
def test_a_title_is_kept_and_a_word_documents_name_is_its_title(written, title):
    assert document_title(written) == title


def test_a_pdf_printed_from_a_browser_is_titled_by_the_uploaded_files_name():
    data = one_column_pdf(PARAGRAPHS, info={"Title": "127.0.0.1:8311/admin/", "CreationDate": pdf_date(date.today())})
    assert extract(io.BytesIO(data)).metadata.title == ""


@pytest.mark.django_db
def test_the_file_name_stands_in_for_a_pdf_title_that_is_an_address():
    data = one_column_pdf(PARAGRAPHS, info={"Title": "127.0.0.1:8311/admin/", "Author": "Ana"})
    source = ingestion.source_create_from_file(stream=io.BytesIO(data), filename="Site administration.pdf")
    assert (source.title, source.authors) == ("Site administration", "Ana")


def test_a_word_documents_pdf_is_titled_by_the_documents_name():
    data = one_column_pdf(PARAGRAPHS, info={"Title": "Microsoft Word - report.docx"})
    assert extract(io.BytesIO(data)).metadata.title == "report"


@pytest.mark.parametrize("days_before", [-1, 0, 1])
def test_a_pdf_made_the_day_it_is_read_has_no_publication_date(days_before):
    """Printed (or exported) just before the upload: its CreationDate is that moment."""
    created = pdf_date(date.today() - timedelta(days=days_before))
    data = one_column_pdf(PARAGRAPHS, info={"Title": "Quarterly", "CreationDate": created})
    metadata = extract(io.BytesIO(data)).metadata
    assert (metadata.title, metadata.published_on) == ("Quarterly", None)


@pytest.mark.parametrize("day", [date(2019, 6, 30), date.today() - timedelta(days=2)])
def test_an_older_pdfs_creation_date_is_its_publication_date(day):
    data = one_column_pdf(PARAGRAPHS, info={"CreationDate": pdf_date(day)})
    assert extract(io.BytesIO(data)).metadata.published_on == day


def test_the_day_a_pdf_is_read_is_the_one_its_creation_date_is_compared_with():
    read_on = date(2026, 12, 5)
    assert publication_date("D:20261205103100+01'00'", read_on=read_on) == ""
    assert publication_date("D:20261204", read_on=read_on) == ""
    assert publication_date("D:20261203", read_on=read_on) == "2026-12-03"
    assert publication_date("D:20191231", read_on=read_on) == "2019-12-31"
    assert publication_date("not a date", read_on=read_on) == ""


@pytest.mark.parametrize("created", ["D:2019", "D:201905", "2019", "D:201905+01'00'"])
def test_a_creation_date_without_its_day_gives_no_publication_date(created):
    """The first of the month (or of January) would be a day made up, as the HTML path
    refuses to make one up."""
    assert publication_date(created, read_on=date(2026, 12, 5)) == ""
    data = one_column_pdf(PARAGRAPHS, info={"CreationDate": created})
    assert extract(io.BytesIO(data)).metadata.published_on is None


@pytest.mark.parametrize("created", ["D:19700101000000Z", "D:19700101", "D:19691231190000-05'00'"])
def test_the_unix_epoch_is_no_publication_date(created):
    """What writers without a time put in CreationDate; no PDF was made in 1970."""
    assert publication_date(created, read_on=date(2026, 12, 5)) == ""
    data = one_column_pdf(PARAGRAPHS, info={"CreationDate": created})
    assert extract(io.BytesIO(data)).metadata.published_on is None


@pytest.mark.parametrize("created", ["D:00010101000000Z", "D:00010101000000+14'00'", "D:01000101", "D:14990101", "D:19000101", "D:19700102", "D:19921231235959Z"])
def test_a_creation_date_before_the_format_existed_is_no_publication_date(created):
    """Year 1 (a writer's zero date) was stored as 0001-01-01, and a claim quoting "two
    years ago" from the source could not be saved; no PDF was written before 1993."""
    assert publication_date(created, read_on=date(2026, 12, 5)) == ""
    data = one_column_pdf(PARAGRAPHS, info={"Title": "Old", "CreationDate": created})
    metadata = extract(io.BytesIO(data)).metadata
    assert (metadata.title, metadata.published_on) == ("Old", None)


def test_a_day_from_the_formats_first_year_on_is_a_date():
    assert publication_date("D:19930101", read_on=date(2026, 12, 5)) == "1993-01-01"
    assert publication_date("D:20190501", read_on=date(2026, 12, 5)) == "2019-05-01"


def test_metadata_does_not_change_a_pdfs_text():
    bare = extract(io.BytesIO(one_column_pdf(PARAGRAPHS))).text
    info = {"Title": "Microsoft Word - report.docx", "CreationDate": pdf_date(date.today())}
    assert extract(io.BytesIO(one_column_pdf(PARAGRAPHS, info=info))).text == bare


BODY = "The committee met on 4 March and agreed the budget.\nIt will report again in June.\n"


@pytest.mark.parametrize("first, title", [
    ("Budget committee, March meeting", "Budget committee, March meeting"),
    ("Minutes of the 4 March meeting", "Minutes of the 4 March meeting"),
    ("What went wrong in 2023?", "What went wrong in 2023?"),
])
def test_a_text_files_first_line_set_apart_is_its_title(first, title):
    data = f"{first}\n\n{BODY}".encode()
    extraction = extract(io.BytesIO(data), filename="notes.txt")
    assert (extraction.metadata.title, extraction.text) == (title, data.decode())


@pytest.mark.parametrize("text", [
    BODY,  # no blank line after the first
    "Line one  \r\nLine  two\t\r\n\r\nMore.\n",
    "Dear Anna,\n\n" + BODY,
    "The committee met on 4 March and agreed the budget.\n\n" + BODY,
    "Notes:\n\n" + BODY,
    "Budget committee\n\n",  # nothing after it: the line is the text, not its title
    "Budget committee\n",
    "- first point\n\n" + BODY,
    "# Budget committee\n\n" + BODY,
    "[00:00:01] Chair: welcome.\n\n" + BODY,
    "Name\tRole\tVote\n\n" + BODY,
    "Name     Role     Vote\n\n" + BODY,
    "2024-03-04\n\n" + BODY,
    "https://example.org/minutes/2024-03\n\n" + BODY,
    "Untitled\n\n" + BODY,
    "minutes.docx\n\n" + BODY,
    "B" * 121 + "\n\n" + BODY,
])
def test_a_text_file_without_a_title_line_is_named_by_its_file(text):
    assert extract(io.BytesIO(text.encode()), filename="notes.txt").metadata.title == ""


def test_a_markdown_files_first_line_is_not_its_title():
    """Markdown names itself in its front matter; its first line is markup."""
    for text in ("Budget committee\n\n" + BODY, "# Budget committee\n\n" + BODY):
        assert extract(io.BytesIO(text.encode()), filename="notes.md").metadata.title == ""
    front = "---\ntitle: From the front matter\n---\nBudget committee\n\n" + BODY
    assert extract(io.BytesIO(front.encode()), filename="notes.md").metadata.title == "From the front matter"


def test_a_long_text_files_first_line_is_its_title():
    text = "Budget committee transcript\n\n" + BODY * (SPOOLED_FROM // len(BODY) + 1)
    extraction = extract(io.BytesIO(text.encode()), filename="notes.txt")
    try:
        assert extraction.metadata.title == "Budget committee transcript"
        assert extraction.text.read() == text
    finally:
        extraction.text.close()


@pytest.mark.django_db
def test_a_text_files_title_line_wins_over_its_file_name_and_a_given_title_over_both():
    data = f"Budget committee, March meeting\n\n{BODY}".encode()
    assert ingestion.source_create_from_file(stream=io.BytesIO(data), filename="notes.txt").title == "Budget committee, March meeting"
    other = data + b"More.\n"
    given = ingestion.source_create_from_file(stream=io.BytesIO(other), filename="notes.txt", title="Typed")
    assert given.title == "Typed"
    plain = ingestion.source_create_from_file(stream=io.BytesIO(BODY.encode()), filename="notes.txt")
    assert plain.title == "notes"


FRENCH = [(72, 700, "Le traité a été signé en 2001.")]


@pytest.mark.parametrize(("declared", "language"), [(b"fr-FR", "fr-FR"), (b"de", "de"), (b"pt_BR", "pt-BR")])
def test_a_pdfs_declared_language_is_its_language(declared, language):
    # Too short for its language to be read from its text: "en" was the source's default.
    data = pdf_bytes([FRENCH], catalog_entries=b"/Lang (%s)" % declared)
    assert extract(io.BytesIO(data)).metadata.language == language


def test_a_pdf_that_declares_no_language_is_given_none_from_a_short_text():
    assert extract(io.BytesIO(pdf_bytes([FRENCH]))).metadata.language == ""


@pytest.mark.parametrize("declared", [b"(not a language!)", b"()", b"<FEFFD800>"], ids=["no-tag", "empty", "lone-surrogate"])
def test_a_language_a_pdf_declares_that_is_no_tag_is_left_blank(declared):
    data = pdf_bytes([FRENCH], catalog_entries=b"/Lang " + declared)
    assert extract(io.BytesIO(data)).metadata.language == ""


@pytest.mark.django_db
def test_a_pdfs_declared_language_fills_a_blank_language_and_not_one_given():
    data = pdf_bytes([FRENCH], catalog_entries=b"/Lang (fr-FR)")
    assert ingestion.source_create_from_file(stream=io.BytesIO(data), filename="traite.pdf").language == "fr-FR"
    other = pdf_bytes([FRENCH + [(72, 680, "Une autre page.")]], catalog_entries=b"/Lang (fr-FR)")
    assert ingestion.source_create_from_file(stream=io.BytesIO(other), filename="autre.pdf", language="de").language == "de"
