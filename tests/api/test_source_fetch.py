"""POST /api/v1/sources/fetch/: a page or document read now from a local HTTP server
(``SOURCE_FETCH_ALLOW_PRIVATE`` on), and every way a fetch fails answering 400 that says
what happened."""

from __future__ import annotations

import gzip
import time
from http.server import BaseHTTPRequestHandler

import pytest

from sources import ingestion
from sources.models import Source
from tests.documents import news_pages, one_column_pdf, report_paragraphs
from tests.support import drip, local_server

pytestmark = pytest.mark.django_db

FETCH = "/api/v1/sources/fetch/"
PAGE = news_pages()[0]
RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю."
PDF = one_column_pdf(report_paragraphs(4), info={"Title": "Fetched report"})


# Every path the local server was asked for.
ASKED: list[str] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        ASKED.append(self.path)
        port = self.server.server_port
        routes = {
            "/article": (200, PAGE.html.encode("utf-8"), "text/html; charset=utf-8"),
            "/article-here": (
                200,
                PAGE.html.replace("https://news.example.com/world/iran-russia", f"http://127.0.0.1:{port}/world/iran-russia").encode(),
                "text/html; charset=utf-8",
            ),
            "/latin1": (200, "<html><body><article><p>Caf\u00e9 r\u00e9sum\u00e9 na\u00efve: the words of a page sent in Latin-1, long enough to be the main text of it.</p></article></body></html>".encode("latin-1"), "text/html; charset=ISO-8859-1"),
            "/koi8-r": (
                200,
                f'<html><head><meta charset="utf-8"><title>Pangram</title></head><body><article><p>{RUSSIAN} {RUSSIAN}</p></article></body></html>'.encode("koi8_r"),
                "text/html; charset=koi8-r",
            ),
            "/claims-bbc": (
                200,
                b'<html><head><title>A page of this server</title><link rel="canonical" href="https://www.bbc.co.uk/news/x"></head>'
                b"<body><article><p>" + b"Words of a page that names another site's address as its own. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/claims-bbc-long": (
                200,
                b'<html><head><title>A page of this server</title><link rel="canonical" href="https://www.bbc.co.uk/news/'
                + b"x" * 2100 + b'"></head><body><article><p>'
                + b"Words of a page that names another site's overlong address as its own. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/names-itself": (
                200,
                b'<html><head><title>A page of this server</title><meta property="og:site_name" content="Node.js">'
                b'<link rel="canonical" href="https://www.bbc.co.uk/news/x"></head><body><article><p>'
                + b"Words of a page that names its publisher and another site's address. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/dated-elsewhere": (
                200,
                b'<html><head><title>A page of this server</title>'
                b'<link rel="canonical" href="https://www.nytimes.com/2024/01/01/world/story.html"></head><body><article><p>'
                + b"Words of a page that names another site's dated address as its own. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/dated-escaped": (
                200,
                b'<html><head><title>A page of this server</title>'
                b'<link rel="canonical" href="https://www.nytimes.com/2024/01/01/world/caf\xc3\xa9.html?a=1&amp;b=2"></head><body><article><p>'
                + b"Words of a page that names another site's dated address, escaped, as its own. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/dated-in-query": (
                200,
                b'<html><head><title>A page of this server</title>'
                b'<meta property="og:url" content="https://www.nytimes.com/story?date=2024-01-01"></head><body><article><p>'
                + b"Words of a page that names another site's address with a date in its query. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/dated-long": (
                200,
                b'<html><head><title>A page of this server</title>'
                b'<link rel="canonical" href="https://www.nytimes.com/2024/01/01/' + b"x" * 2100 + b'"></head><body><article><p>'
                + b"Words of a page that names another site's long dated address as its own. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/dated-linked": (
                200,
                b'<html><head><title>A page of this server</title>'
                b'<link rel="canonical" href="https://other.example/2024/01/15/story.html"></head><body><article><p>'
                + b"Words of a page that names another site's dated address and links it. " * 5
                + b'</p><p><a href="https://other.example/2024/01/15/story.html">Originally published there</a></p></article></body></html>',
                "text/html; charset=utf-8",
            ),
            "/dated-described": (
                200,
                b'<html><head><title>A page of this server</title><meta name="description" content="The canonical account, 2024-01-15">'
                b'<link rel="canonical" href="https://other.example/2024/01/15/story.html"></head><body><article><p>'
                + b"Words of a page that names another site's dated address and its own day. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/dated-here-too": (
                200,
                b'<html><head><title>A page of this server</title><meta property="article:published_time" content="2024-01-01">'
                b'<link rel="canonical" href="https://www.nytimes.com/2024/01/01/world/story.html"></head><body><article><p>'
                + b"Words of a page that names another site's dated address and its own day. " * 5 + b"</p></article></body></html>",
                "text/html; charset=utf-8",
            ),
            "/report.pdf": (200, PDF, "application/pdf"),
            "/named/sp%20ace%C3%A9.txt": (200, b"Notes read from an address written with a space.\n", "text/plain; charset=utf-8"),
            "/reports/annual%20review-2024.pdf": (200, one_column_pdf(report_paragraphs(2)), "application/pdf"),
            "/one-of-many": (200, canonical_page(f"http://127.0.0.1:{port}/", "One article of a site"), "text/html; charset=utf-8"),
            "/another-of-many": (200, canonical_page(f"http://127.0.0.1:{port}/", "Another article of it"), "text/html; charset=utf-8"),
            "/index.html": (200, canonical_page(f"http://127.0.0.1:{port}/", "The home page of a site"), "text/html; charset=utf-8"),
            "/index.html?utm_source=feed": (200, canonical_page(f"http://127.0.0.1:{port}/", "The home page, from a feed"),
                                            "text/html; charset=utf-8"),
            "/en/": (200, canonical_page(f"http://127.0.0.1:{port}/", "The home page in English"), "text/html; charset=utf-8"),
            "/part-1": (200, canonical_page(f"http://127.0.0.1:{port}/story", "The story's first part"), "text/html; charset=utf-8"),
            "/part-2": (200, canonical_page(f"http://127.0.0.1:{port}/story", "The story's second part"), "text/html; charset=utf-8"),
            "/amp/tale": (200, canonical_page("../news/tale?id=4", "A tale read through its mobile page"), "text/html; charset=utf-8"),
            "/relative-home": (200, canonical_page("/", "An article that names its home page"), "text/html; charset=utf-8"),
            "/with-credentials": (200, canonical_page(f"http://editor:hunter2@127.0.0.1:{port}/story-x", "A page naming a password"),
                                  "text/html; charset=utf-8"),
            "/notes.txt": (200, b"Plain notes, fetched.\r\n", "text/plain"),
            "/image": (200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png"),
            "/missing": (404, b"not here", "text/html"),
            "/error": (503, b"down", "text/html"),
            "/nothing": (204, b"", "text/html"),
            "/partial": (206, b"Part of a page, sent although no range was asked for.", "text/plain"),
            "/fake.pdf": (200, b"<html>Not a PDF at all.</html>", "application/pdf"),
            "/big": (200, b"x" * 20000, "text/plain"),
        }
        if self.path in routes:
            self._send(*routes[self.path])
        elif self.path == "/":
            self._send(302, b"", "text/html", Location="/en/")
        elif self.path == "/moved":
            self._send(302, b"", "text/html", Location=f"http://127.0.0.1:{port}/notes.txt")
        elif self.path == "/to-metadata":
            self._send(302, b"", "text/html", Location="http://169.254.169.254/latest/meta-data/")
        elif self.path == "/loop":
            self._send(302, b"", "text/html", Location="/loop")
        elif self.path == "/gzipped":  # encoded although the request asked for none
            self._send(200, gzip.compress(b"Notes sent gzipped.\n"), "text/plain", Content_Encoding="gzip")
        elif self.path == "/brotli":
            self._send(200, b"\x8b\x02\x80notes\x03", "text/plain", Content_Encoding="br")
        elif self.path == "/bad-location":
            self._send(302, b"", "text/html", Location="http://[::1")
        elif self.path == "/odd-length":
            # "\u00b2" is a digit to str.isdigit, not to int().
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "\u00b2")
            self.end_headers()
            self.wfile.write(b"Odd length.")
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            drip(self.wfile, 30)
        elif self.path == "/error-stalls":
            self.send_response(500)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            drip(self.wfile, 30)
        else:
            self._send(404, b"", "text/plain")


def canonical_page(canonical: str, words: str) -> bytes:
    return (
        f'<html><head><title>{words}</title><link rel="canonical" href="{canonical}"></head>'
        f"<body><article><p>{(words + ', told at the length of a main text. ') * 5}</p></article></body></html>"
    ).encode()


@pytest.fixture(scope="module")
def server():
    with local_server(Handler) as base:
        yield base


@pytest.fixture(autouse=True)
def _local_server_allowed(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True


def test_a_fetched_page_keeps_its_article_metadata_and_original(client_for, analyst, server):
    response = client_for(analyst).post(FETCH, {"url": server + "/article-here"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == PAGE.title
    assert body["url"] == server + "/world/iran-russia"  # the canonical URL, on the site read
    assert body["publisher"] == "Daily Example"
    assert body["original_media_type"] == "text/html"
    assert PAGE.article[1] in body["text"]
    assert "Accept all cookies" not in body["text"]
    source = Source.objects.get(pk=body["id"])
    assert source.retrieved_at is not None and source.original.read() == server_page(server).encode()
    assert body["original_size"] == len(server_page(server).encode())


def server_page(server: str) -> str:
    return PAGE.html.replace("https://news.example.com", server)


def test_a_page_claiming_another_sites_address_is_recorded_where_it_was_read(client_for, analyst, server):
    """Any page may name any canonical URL: taken from another site, it would stand for that
    site's page, and the real page's fetch would be refused as a duplicate of it."""
    body = client_for(analyst).post(FETCH, {"url": server + "/article"}).json()
    assert body["url"] == server + "/article"
    assert body["title"] == PAGE.title
    real = Source.objects.filter(url="https://news.example.com/world/iran-russia")
    assert not real.exists()


@pytest.mark.parametrize("path", ["/claims-bbc", "/claims-bbc-long"])
def test_a_page_claiming_another_sites_address_is_not_published_by_that_site(client_for, analyst, server, path):
    body = client_for(analyst).post(FETCH, {"url": server + path}).json()
    assert body["url"] == server + path
    assert body["publisher"] == "127.0.0.1:" + server.rsplit(":", 1)[1]


def test_a_day_only_another_sites_address_gives_goes_with_that_address(client_for, analyst, server):
    """The refused canonical URL had still dated the source (2024-01-01, from its path)."""
    body = client_for(analyst).post(FETCH, {"url": server + "/dated-elsewhere"}).json()
    assert (body["url"], body["published_on"]) == (server + "/dated-elsewhere", None)
    for path in ("/dated-escaped", "/dated-in-query", "/dated-long", "/dated-linked"):
        body = client_for(analyst).post(FETCH, {"url": server + path}).json()
        assert (body["url"], body["published_on"]) == (server + path, None), path
    body = client_for(analyst).post(FETCH, {"url": server + "/dated-here-too"}).json()
    assert (body["url"], body["published_on"]) == (server + "/dated-here-too", "2024-01-01")
    body = client_for(analyst).post(FETCH, {"url": server + "/dated-described"}).json()
    assert (body["url"], body["published_on"]) == (server + "/dated-described", "2024-01-15")


def test_a_publisher_the_page_names_is_kept_whatever_its_canonical_url(client_for, analyst, server):
    """Only a publisher taken from the refused URL's host goes with it: "Node.js" is a name."""
    body = client_for(analyst).post(FETCH, {"url": server + "/names-itself"}).json()
    assert (body["url"], body["publisher"]) == (server + "/names-itself", "Node.js")


@pytest.mark.parametrize("url, read_from, same", [
    ("https://www.example.com/a", "https://m.example.com/b", True),
    ("https://EXAMPLE.com./a", "http://www.example.com/", True),
    ("https://www.bbc.co.uk/news", "https://evil.co.uk/fake", False),
    ("https://a.github.io/x", "https://b.github.io/x", False),
    ("https://example.com.evil.org/x", "https://example.com/x", False),
    ("//evil.example/x", "https://example.com/x", False),
    ("http://127.0.0.1:9/a", "http://127.0.0.1:8000/b", True),
    ("http://127.0.0.2/a", "http://127.0.0.1/b", False),
    ("http://localhost/a", "http://127.0.0.1/b", False),
    ("https://example.com/a", "http://127.0.0.1/b", False),
])
def test_a_site_is_a_registrable_domain_or_else_a_host(url, read_from, same):
    assert ingestion.same_site(url, read_from) is same


def test_the_declared_charset_decodes_the_page(client_for, analyst, server):
    body = client_for(analyst).post(FETCH, {"url": server + "/latin1"}).json()
    assert "Café résumé naïve" in body["text"]


def test_a_page_read_in_its_http_charset_is_served_in_it_not_in_its_wrong_meta(client_for, analyst, server):
    """The page says ``<meta charset="utf-8">`` and is KOI8-R, as its server says: read as
    KOI8-R, its original is served saying so, or a browser would believe the meta."""
    client = client_for(analyst)
    body = client.post(FETCH, {"url": server + "/koi8-r"}).json()
    assert RUSSIAN in body["text"] and body["original_charset"] == "koi8-r"
    response = client.get(f"/api/v1/sources/{body['id']}/original/")
    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=koi8-r"


def test_a_fetched_pdf_has_no_charset(client_for, analyst, server):
    client = client_for(analyst)
    body = client.post(FETCH, {"url": server + "/report.pdf"}).json()
    assert body["original_charset"] == ""
    assert client.get(f"/api/v1/sources/{body['id']}/original/")["Content-Type"] == "application/pdf"


def test_a_fetched_pdf_is_read(client_for, analyst, server):
    body = client_for(analyst).post(FETCH, {"url": server + "/report.pdf"}).json()
    assert body["title"] == "Fetched report"
    assert body["original_media_type"] == "application/pdf"
    assert body["url"] == server + "/report.pdf"  # no canonical URL: where it was read


@pytest.mark.parametrize("written", ["/named/sp aceé.txt", "/named/sp%20ace%C3%A9.txt", "/named/sp a\tceé.txt "])
def test_an_address_written_with_spaces_is_recorded_as_it_was_requested(client_for, analyst, server, written):
    """Read at ``sp%20ace%C3%A9.txt`` (a space or a tab is no character of a request line),
    it was recorded with no URL at all: where it was read was lost, and a second fetch of it
    was no duplicate."""
    client = client_for(analyst)
    answer = client.post(FETCH, {"url": server + written})
    assert answer.status_code == 201, answer.content
    assert answer.json()["url"] == server + "/named/sp%20ace%C3%A9.txt"
    again = client.post(FETCH, {"url": server + "/named/sp ace\u00e9.txt"})
    assert again.status_code == 409 and again.json()["code"] == "duplicate_url"


def test_redirects_are_followed_and_the_final_address_recorded(client_for, analyst, server):
    body = client_for(analyst).post(FETCH, {"url": server + "/moved", "title": "Given"}).json()
    assert (body["title"], body["url"], body["text"]) == ("Given", server + "/notes.txt", "Plain notes, fetched.\n")


def test_a_page_sent_gzipped_is_decoded_and_kept_as_its_server_meant_it(client_for, analyst, server):
    body = client_for(analyst).post(FETCH, {"url": server + "/gzipped"}).json()
    assert body["text"] == "Notes sent gzipped.\n"
    assert body["original_size"] == len(b"Notes sent gzipped.\n")
    assert Source.objects.get(pk=body["id"]).original.read() == b"Notes sent gzipped.\n"


def test_a_content_length_that_is_not_a_number_is_no_server_error(client_for, analyst, server):
    response = client_for(analyst).post(FETCH, {"url": server + "/odd-length"})
    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()["code"] == "connection"


def test_fetching_a_url_already_recorded_is_a_conflict_naming_the_source(client_for, analyst, server):
    first = client_for(analyst).post(FETCH, {"url": server + "/notes.txt"}).json()
    response = client_for(analyst).post(FETCH, {"url": server + "/notes.txt"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_url"
    assert response.json()["existing_source"]["id"] == first["id"]


@pytest.mark.parametrize(
    "path, code, words",
    [
        ("/missing", "http_status", "HTTP 404: no page at this address."),
        ("/error", "http_status", "HTTP 503: the site is unavailable for now; try again later."),
        ("/nothing", "http_status", "HTTP 204: it sent no page to read"),
        ("/partial", "http_status", "HTTP 206: it sent part of the page"),
        ("/fake.pdf", "unsupported_type", "declared a PDF (application/pdf) but is not one"),
        ("/image", "unsupported_type", "PNG"),
        ("/loop", "too_many_redirects", "redirects"),
        ("/brotli", "unsupported_encoding", "'br'"),
        ("/bad-location", "bad_url", "redirected to an invalid URL"),
    ],
)
def test_a_failed_fetch_is_a_400_that_says_what_happened(client_for, analyst, server, path, code, words):
    response = client_for(analyst).post(FETCH, {"url": server + path})
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert words in response.json()["detail"]
    assert not Source.objects.exists()


def test_a_fetch_larger_than_max_source_mb_is_refused(client_for, analyst, server, settings):
    settings.MAX_SOURCE_MB = 0.01
    response = client_for(analyst).post(FETCH, {"url": server + "/big"})
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert "MAX_SOURCE_MB" in response.json()["detail"]


def test_a_fetch_that_takes_too_long_is_refused(client_for, analyst, server, settings):
    settings.SOURCE_FETCH_TIMEOUT = 0.5
    response = client_for(analyst).post(FETCH, {"url": server + "/slow"})
    assert response.status_code == 400
    assert response.json()["code"] == "timeout"


def test_an_error_status_whose_body_stalls_is_said_at_once(client_for, analyst, server, settings):
    """The server's 500 was recorded as no answer, once its body had been waited for
    until the timeout."""
    settings.SOURCE_FETCH_TIMEOUT = 2
    started = time.monotonic()
    response = client_for(analyst).post(FETCH, {"url": server + "/error-stalls"})
    assert time.monotonic() - started < 1.5
    assert response.status_code == 400 and response.json()["code"] == "http_status" and response.json()["status"] == 500


def test_private_addresses_are_refused_without_the_allowance(client_for, analyst, server, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    response = client_for(analyst).post(FETCH, {"url": server + "/article"})
    assert response.status_code == 400
    assert response.json()["code"] == "address_not_allowed"
    assert "not a public address" in response.json()["detail"]


def test_a_redirect_to_a_link_local_address_is_refused(client_for, analyst, server, monkeypatch):
    # The local server is allowed; the metadata address it redirects to never is.
    from project import net

    real_resolve = net.resolve

    def resolve(host, port, *, allow_private, **options):
        return real_resolve(host, port, allow_private=host == "127.0.0.1", **options)

    monkeypatch.setattr(net, "resolve", resolve)
    response = client_for(analyst).post(FETCH, {"url": server + "/to-metadata"})
    assert response.status_code == 400
    assert response.json()["code"] == "address_not_allowed"


@pytest.mark.parametrize("url", ["ftp://example.com/file", "file:///etc/passwd", "not a url", "http://user:pw@example.com/", "x" * 3000])
def test_urls_that_cannot_be_fetched_are_a_400(client_for, analyst, url):
    response = client_for(analyst).post(FETCH, {"url": url})
    assert response.status_code == 400
    assert response.json()["code"] in {"bad_url", "invalid"}


def test_a_url_with_a_password_is_refused_for_it_before_a_duplicate_message_could_repeat_it(client_for, analyst, server):
    first = client_for(analyst).post(FETCH, {"url": server + "/notes.txt"}).json()
    with_password = server.replace("http://", "http://reader:s3cret-pw@") + "/notes.txt"
    response = client_for(analyst).post(FETCH, {"url": with_password})
    assert response.status_code == 400 and response.json()["code"] == "bad_url"
    assert "s3cret-pw" not in response.content.decode()
    assert Source.objects.filter(pk=first["id"]).exists()


def test_an_address_without_its_scheme_is_told_how_to_write_it(client_for, analyst):
    response = client_for(analyst).post(FETCH, {"url": "www.example.org/report"})
    assert response.status_code == 400
    assert "Write the address whole, beginning with https://." in response.json()["detail"]


def test_a_url_longer_than_a_source_records_is_refused_before_it_is_fetched(client_for, analyst, server):
    url = server + "/notes.txt?" + "q" * (2000 - len(server + "/notes.txt?") + 1)
    ASKED.clear()
    response = client_for(analyst).post(FETCH, {"url": url})
    assert response.status_code == 400 and "url" in response.json()["errors"]
    assert ASKED == [] and not Source.objects.exists()


def test_a_url_that_grows_past_what_a_source_records_once_encoded_is_refused_before_it_is_fetched(client_for, analyst, server):
    """335 Cyrillic letters are 362 characters as typed and 2,000 odd percent-encoded: it
    was read, then recorded with no URL."""
    url = server + "/" + "ж" * 335
    ASKED.clear()
    response = client_for(analyst).post(FETCH, {"url": url})
    assert response.status_code == 400 and response.json()["code"] == "bad_url"
    assert "once written as it is sent (percent-encoded)" in response.json()["errors"]["url"][0]
    assert ASKED == [] and not Source.objects.exists()


@pytest.mark.parametrize("payload", [{}, {"url": 5}, {"url": None}, {"url": ["http://a"]}, {"url": "http://a", "colour": "x"}])
def test_malformed_fetch_requests_are_a_400(client_for, analyst, payload):
    assert client_for(analyst).post(FETCH, payload).status_code == 400


def test_anonymous_callers_cannot_fetch(anonymous, server):
    assert anonymous.post(FETCH, {"url": server + "/article"}).status_code == 401


def test_users_without_the_right_to_add_sources_cannot_fetch(client_for, outsider, server):
    assert client_for(outsider).post(FETCH, {"url": server + "/article"}).status_code == 403


def test_a_site_naming_its_home_page_as_every_pages_address_has_each_article_recorded_where_read(client_for, analyst, server):
    """Such a canonical URL would record the first article as the home page, and refuse
    every other as a duplicate of it."""
    for path in ("/one-of-many", "/another-of-many"):
        response = client_for(analyst).post(FETCH, {"url": server + path})
        assert response.status_code == 201, response.json()
        assert response.json()["url"] == server + path


@pytest.mark.parametrize("path", ["/index.html", "/index.html?utm_source=feed", "/"])
def test_the_home_page_read_by_any_spelling_keeps_its_canonical_url(client_for, analyst, server, path):
    """Read as ``/index.html``, with a tracker's parameter, or asked for at ``/`` and sent
    on to ``/en/``: the home page itself, whose canonical URL is its address."""
    response = client_for(analyst).post(FETCH, {"url": server + path})
    assert response.status_code == 201, response.json()
    assert response.json()["url"] == server + "/"


def test_a_canonical_url_already_recorded_is_a_409_that_says_the_page_gave_it(client_for, analyst, server):
    first = client_for(analyst).post(FETCH, {"url": server + "/part-1"}).json()
    assert first["url"] == server + "/story"
    response = client_for(analyst).post(FETCH, {"url": server + "/part-2"})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_url" and response.json()["existing_source"]["id"] == first["id"]
    assert response.json()["detail"] == (
        f"The page gives {server}/story as its address, and a source with it already exists: "
        f"#{first['id']} (“The story's first part”)."
    )


def test_a_relative_canonical_url_is_read_against_the_pages_address_and_meets_the_same_rules(client_for, analyst, server):
    response = client_for(analyst).post(FETCH, {"url": server + "/amp/tale"})
    assert response.status_code == 201, response.json()
    assert response.json()["url"] == server + "/news/tale?id=4"
    home = client_for(analyst).post(FETCH, {"url": server + "/relative-home"}).json()
    assert home["url"] == server + "/relative-home"  # a home page named by an article is not its address


def test_a_canonical_url_with_a_password_is_not_taken_nor_shown(client_for, analyst, anonymous, server):
    body = client_for(analyst).post(FETCH, {"url": server + "/with-credentials"}).json()
    assert body["url"] == server + "/with-credentials"
    shown = anonymous.get(f"/api/v1/sources/{body['id']}/").content.decode()
    assert "hunter2" not in shown and "editor" not in shown


def test_a_conflict_names_the_url_as_the_existing_source_records_it(client_for, analyst, server):
    recorded = Source.objects.create(title="Notes", text="Notes.", url=server + "/notes.txt?utm_source=feed")
    response = client_for(analyst).post(FETCH, {"url": server + "/notes.txt"})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"A source with the URL {server}/notes.txt already exists: #{recorded.pk} (“Notes”, recorded as {recorded.url})."
    )


def test_a_fetched_document_without_a_title_is_named_by_its_file_not_its_address(client_for, analyst, server):
    response = client_for(analyst).post(FETCH, {"url": server + "/reports/annual%20review-2024.pdf"})
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "annual review-2024"


@pytest.mark.parametrize(("url", "title"), [
    ("https://example.org/", "example.org"), ("https://example.org/data/table.csv", "table"),
    ("https://example.org/notes/", "notes"), ("https://example.org/.profile", ".profile"),
    # Direction controls (which turn a title's letters around), bytes that are no UTF-8
    # alone, and a type's extension alone name nothing of the document.
    ("https://example.org/named/%E2%80%AEfdp.exe", "fdp"), ("https://example.org/named/%FF%FE.pdf", "example.org"),
    ("https://example.org/caf%E9-notes.txt", "caf\ufffd-notes"), ("https://example.org/d/.pdf", "example.org"),
])
def test_what_names_a_fetched_document(url, title):
    assert ingestion.fetched_title(url) == title


def test_a_fetch_says_when_it_read_the_page_whatever_the_caller_says(client_for, analyst, server):
    response = client_for(analyst).post(FETCH, {"url": server + "/notes.txt", "retrieved_at": "2001-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["retrieved_at"]
    assert not Source.objects.exists()
