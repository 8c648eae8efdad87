"""What a Markdown file's front matter says of it, read as a page's own metadata is read: a
date only as a calendar day (not an ISO week or a day made of a compact time), a language
tag written as a locale (``en_US``) as the tag it names (``en-US``, as a page's
``lang="pt_BR"`` is ``pt-BR``), the publisher as text and the URL as the canonical one only
when it is an http(s) address. The file is kept as it is."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from sources.ingest import extract
from sources.ingest.extract import front_matter
from sources.language import as_tag

BODY = "Russia voted six times against the draft resolution.\n"


def metadata(header: str):
    return extract(io.BytesIO(f"---\ntitle: T\n{header}\n---\n{BODY}".encode()), filename="notes.md").metadata


@pytest.mark.parametrize(
    "written, published_on",
    [
        ("2024-03-10", "2024-03-10"),
        ("2024-03-10T12:00:00Z", "2024-03-10"),
        ("2024-03-10 12:00:00 +0100", "2024-03-10"),
        ("'2024-03-10'", "2024-03-10"),
        ("2024-W10", None),  # an ISO week: date.fromisoformat made it its Monday, 2024-03-04
        ("2024-W10-1", None),
        ("2024W10", None),
        ("2024W101", None),
        ("2024-100", None),  # an ordinal day
        ("20240310T1200", None),
        ("2024-03", None),
        ("2024", None),
        ("2024-02-30", None),
        ("2024-03-100", None),
        ("March 10, 2024", None),
    ],
)
def test_only_a_calendar_day_is_a_publication_date(written, published_on):
    found = metadata(f"date: {written}").published_on
    assert (found.isoformat() if found else None) == published_on


@pytest.mark.parametrize(
    "written",
    # A site generator's zero date (Go's, .NET's), Windows', SQL Server's and the
    # spreadsheets' zero days, the Unix epoch, and days before printing.
    ["0001-01-01", "0001-01-01T00:00:00Z", "1601-01-01", "1753-01-01", "1899-12-30", "1900-01-01", "1904-01-01", "1970-01-01", "0100-06-01", "1449-12-31"],
)
def test_a_zero_or_absurd_date_is_no_publication_date(written):
    assert metadata(f"date: {written}").published_on is None


@pytest.mark.parametrize("written", ["1450-01-01", "1863-11-19", "1900-01-02", "1970-01-02"])
def test_an_old_date_that_is_a_day_is_kept(written):
    """A transcript of a speech of 1863 is dated so; only the zero days go."""
    assert metadata(f"date: {written}").published_on.isoformat() == written


@pytest.mark.parametrize(
    "written, language",
    # No tag: no language from the front matter (the text is too short to tell its own).
    [("en_US", "en-US"), ("pt_BR", "pt-BR"), ("zh_Hant_TW", "zh-Hant-TW"), ("en-GB", "en-GB"), ("fr", "fr"), (" de_AT ", "de-AT"),
     ("english!!", ""), ("en_", ""), ("_US", ""), ("e", "")],
)
def test_a_language_written_as_a_locale_is_the_tag_it_names(written, language):
    assert metadata(f"lang: '{written}'").language == language
    assert metadata(f"language: '{written}'").language == language


def test_front_matter_and_a_pages_lang_name_a_language_alike():
    page = (
        '<html lang="pt_BR"><head><title>T</title></head><body><article><p>'
        + "The words of an article, long enough to be the main text of its page. " * 3
        + "</p></article></body></html>"
    )
    from_page = extract(io.BytesIO(page.encode()), filename="page.html").metadata.language
    assert from_page == metadata("lang: pt_BR").language == as_tag("pt_BR") == "pt-BR"


@pytest.mark.parametrize(
    "written, url",
    [
        ("https://www.example.org/news/votes", "https://www.example.org/news/votes"),
        ("http://example.org/x", "http://example.org/x"),
        ("/blog/votes/", ""),  # Hugo's url: a path on the site
        ("votes.html", ""),
        ("javascript:alert(1)", ""),
        ("ftp://example.org/votes", ""),
        ("https://", ""),
        ("[https://example.org/a, https://example.org/b]", ""),
    ],
)
def test_front_matter_names_the_canonical_url_only_as_an_http_address(written, url):
    assert metadata(f"url: {written}").url == url


@pytest.mark.parametrize("written, publisher", [("Reuters", "Reuters"), ("'1:30 Press'", "1:30 Press"), ("[A, B]", ""), ("", "")])
def test_front_matter_names_the_publisher_as_text(written, publisher):
    assert metadata(f"publisher: {written}").publisher == publisher


@pytest.mark.parametrize(
    "written, authors",
    [
        ('["van der Berg, Anna", "AT&T Research"]', "van der Berg, Anna; AT&T Research"),
        ("\n  - Smith, John\n  - Doe, Jane", "Smith, John; Doe, Jane"),
        ("danah boyd", "danah boyd"),
    ],
)
def test_front_matter_authors_are_joined_as_a_page_s_are_each_as_written(written, authors):
    # "; " between people, as for a page: joined with ", ", "van der Berg, Anna, AT&T
    # Research" could not be told from three authors.
    assert metadata(f"authors: {written}").authors == authors


def test_front_matter_reads_publisher_and_url_with_the_rest():
    start = "---\ntitle: T\nauthor: [Ana, Li]\ndate: 2010-06-09\nlang: en_GB\npublisher: The Wire\nurl: https://example.org/a\n---\nText"
    assert front_matter(start) == {
        "title": "T",
        "authors": "Ana; Li",
        "published_on": "2010-06-09",
        "language": "en_GB",
        "publisher": "The Wire",
        "url": "https://example.org/a",
    }


@pytest.mark.django_db
def test_an_uploaded_markdown_files_front_matter_fills_the_source_and_stays_in_its_text(analyst):
    data = (
        "---\ntitle: Votes\ndate: 2024-W10\nlang: en_US\npublisher: The Wire\nurl: https://example.org/news/votes\n---\n" + BODY
    ).encode()
    client = APIClient()
    client.force_authenticate(analyst)
    response = client.post("/api/v1/sources/", {"file": SimpleUploadedFile("notes.md", data, "text/markdown")}, format="multipart")
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert (body["title"], body["published_on"], body["language"], body["publisher"], body["url"]) == (
        "Votes", None, "en-US", "The Wire", "https://example.org/news/votes"
    )
    assert body["text"] == data.decode()
