"""The address a page gives itself (a canonical link, ``og:url``): a relative one is read
against the page's address and its ``<base href>``, as HTML reads it, then taken or left
as an absolute one is; one carrying a user name or password is never taken, and no
publisher ever holds one."""

from __future__ import annotations

import io

import pytest

from sources import ingestion
from sources.ingest import extract
from sources.ingest.html import host_name

ARTICLE = "<article><p>" + "Words of an article that is long enough to be its main text. " * 5 + "</p></article>"
READ_FROM = "https://news.example.com/file/read-here.html"


def read(head: str, url: str | None = READ_FROM):
    data = f"<html><head><title>A story</title>{head}</head><body>{ARTICLE}</body></html>".encode()
    return extract(io.BytesIO(data), declared_type="text/html", url=url).metadata


# (the head, the page's address, the URL the page gives itself)
RELATIVE = [
    ('<link rel="canonical" href="/news/story-1">', READ_FROM, "https://news.example.com/news/story-1"),
    ('<link rel="canonical" href="story-1?page=2&amp;s=3">', READ_FROM, "https://news.example.com/file/story-1?page=2&s=3"),
    ('<base href="https://news.example.com/deep/dir/"><link rel="canonical" href="page-1">', READ_FROM, "https://news.example.com/deep/dir/page-1"),
    ('<base href="/deep/dir/"><link rel="canonical" href="page-1">', READ_FROM, "https://news.example.com/deep/dir/page-1"),
    ('<base href="https://news.example.com/deep/dir/"><link rel="canonical" href="page-1">', None, "https://news.example.com/deep/dir/page-1"),
    ('<link rel="canonical" href="/news/story-1">', None, ""),
    ('<base href="/deep/dir/"><link rel="canonical" href="page-1">', None, ""),
    # As a browser reads them (the WHATWG URL standard): a scheme-relative link takes the
    # page's scheme, and in an http(s) URL a backslash is a slash, before its query.
    ('<link rel="canonical" href="//news.example.com/news/story-1">', "http://news.example.com/file", "http://news.example.com/news/story-1"),
    ('<link rel="canonical" href="//news.example.com/news/story-1">', READ_FROM, "https://news.example.com/news/story-1"),
    ('<link rel="canonical" href="/\\evil.example/real-c6.html">', "http://news.example.com/file", "http://evil.example/real-c6.html"),
    ('<link rel="canonical" href="\\\\evil.example\\story">', READ_FROM, "https://evil.example/story"),
    ('<link rel="canonical" href="news\\story-1?q=a\\b">', READ_FROM, "https://news.example.com/file/news/story-1?q=a\\b"),
    ('<link rel="canonical" href=" /news/\tstory-1 ">', READ_FROM, "https://news.example.com/news/story-1"),
]


@pytest.mark.parametrize(("head", "address", "url"), RELATIVE, ids=[f"{head}@{address}" for head, address, _ in RELATIVE])
def test_a_relative_canonical_link_is_read_against_the_page_and_its_base(head, address, url):
    assert read(head, address).url == (url or address or "")


# (the head: a URL with a user name and password the page gives itself)
WITH_CREDENTIALS = [
    '<link rel="canonical" href="http://admin:hunter2@news.example.com/story/1">',
    '<meta property="og:url" content="https://bob:pw@news.example.com/a/story">',
    '<link rel="canonical" href="https://user@news.example.com/story/1">',
    '<base href="https://admin:hunter2@news.example.com/dir/"><link rel="canonical" href="story-1">',
]
# An address a source cannot record: ``:99999`` had been recorded from an upload (refused as
# a field), and the host of a refused canonical URL (``exa mple.org``) made the publisher.
NOT_RECORDED = [
    '<link rel="canonical" href="http://news.example.com:99999/story/1">',
    '<link rel="canonical" href="http://exa mple.org/a">',
    '<meta property="og:url" content="https://news.example.com:70000/a/story">',
]


@pytest.mark.parametrize("head", WITH_CREDENTIALS + NOT_RECORDED)
@pytest.mark.parametrize("address", [READ_FROM, None], ids=["fetched", "uploaded"])
def test_an_address_a_source_cannot_record_is_not_taken_nor_is_its_host_the_publisher(head, address):
    metadata = read(head, address)
    assert metadata.url == (address or "")
    assert not any(part in metadata.publisher for part in ("@", "hunter2", "99999", "70000", "exa mple"))


def test_a_publisher_named_by_the_host_holds_no_user_information():
    assert host_name("http://admin:hunter2@news.example.com:8080/story") == "news.example.com:8080"
    assert host_name("https://www.example.org/a@b") == "example.org"


@pytest.mark.parametrize("canonical, secret", [("http://admin:hunter2@news.example.com/story/9", "hunter2"), ("http://example.org:99999/a", "99999")])
@pytest.mark.django_db
def test_an_uploaded_page_whose_canonical_a_source_cannot_record_is_stored_without_it(canonical, secret):
    data = (
        f'<html><head><title>Creds</title><link rel="canonical" href="{canonical}">'
        f"</head><body>{ARTICLE}</body></html>"
    ).encode()
    source = ingestion.source_create_from_file(stream=io.BytesIO(data), filename="creds.html")
    assert source.url is None and secret not in (source.publisher or "")


@pytest.mark.parametrize(
    "head",
    [
        '<base href="http://[bad/"><link rel="canonical" href="story">',
        '<link rel="canonical" href="//[::1">',
        '<base href="http://news.example.com/"><link rel="canonical" href="http://[x/story">',
    ],
)
def test_an_address_no_parser_reads_is_ignored_not_an_error(head):
    assert read(head).url == READ_FROM


# (the head: an absolute address written with white space around it or in it)
SPACED = [
    '<link rel="canonical" href=" https://news.example.com/news/story-1  ">',
    '<link rel="canonical" href="https://news.example.com/news/\nstory-1\t">',
    '<meta property="og:url" content="  https://news.example.com/news/story-1 ">',
]


@pytest.mark.parametrize("head", SPACED)
def test_an_absolute_address_is_read_without_the_white_space_a_browser_ignores(head):
    assert read(head, None).url == "https://news.example.com/news/story-1"


@pytest.mark.django_db
def test_a_markdown_files_front_matter_url_with_an_impossible_port_is_left_out():
    data = b"---\ntitle: Port\nurl: http://example.org:99999/a\n---\n\nWords of a note long enough to be read.\n"
    source = ingestion.source_create_from_file(stream=io.BytesIO(data), filename="port.md")
    assert source.url is None and source.title == "Port"
