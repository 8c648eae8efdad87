"""The admin's "Add source from file" and "Add source from URL", and the original's link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sources.ingest.text import SPOOLED_FROM
from sources.models import Source
from tests.documents import image_only_pdf, news_pages, one_column_pdf, report_paragraphs
from tests.support import html_page_handler, local_server

from .helpers import messages_of

pytestmark = pytest.mark.django_db

FROM_FILE = "/admin/sources/source/add/from-file/"
FROM_URL = "/admin/sources/source/add/from-url/"
PAGE = news_pages()[2]


@pytest.fixture
def server():
    with local_server(html_page_handler(PAGE.html)) as base:
        yield base


def test_the_source_list_offers_both_ways_to_add(client_for, analyst):
    html = client_for(analyst).get(reverse("admin:sources_source_changelist")).content.decode()
    assert FROM_FILE in html and FROM_URL in html


def test_a_pdf_uploaded_in_the_admin_becomes_a_source_with_its_original_linked(client_for, analyst):
    client = client_for(analyst)
    data = one_column_pdf(report_paragraphs(3), info={"Title": "Admin report"})
    response = client.post(FROM_FILE, {"file": SimpleUploadedFile("r.pdf", data, "application/pdf"), "kind": "report", "reliability": "C"})
    source = Source.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admin:sources_source_change", args=[source.pk])
    assert (source.title, source.kind, source.reliability, source.created_by) == ("Admin report", "report", "C", analyst)
    page = client.get(response["Location"]).content.decode()
    assert f"/api/v1/sources/{source.pk}/original/" in page
    assert client.get(f"/api/v1/sources/{source.pk}/original/").status_code == 200  # the session is enough
    # Said where the text is shown, not only in the record's folded section.
    reader = reader_head(client, source)
    assert f'<a href="/api/v1/sources/{source.pk}/original/" download>Download the original</a> (PDF, ' in reader


def reader_head(client, source) -> str:
    page = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    return page.split('<section class="cb-reader"')[1].split("</header>")[0]


def test_the_reader_links_the_page_a_source_was_read_from_and_only_a_web_page(client_for, analyst, source):
    client = client_for(analyst)
    Source.objects.filter(pk=source.pk).update(url="https://example.org/report?id=4&x=1")
    reader = reader_head(client, source)
    assert '<a href="https://example.org/report?id=4&amp;x=1" target="_blank" rel="noopener noreferrer">Open the page' in reader
    assert "Download the original" not in reader  # pasted: no original
    Source.objects.filter(pk=source.pk).update(url="ftp://example.org/report")
    reader = reader_head(client, source)
    assert "Open the page" not in reader


def test_a_large_text_file_uploaded_in_the_admin_is_stored_whole_and_counted(client_for, analyst):
    text = "Minutes of the committee, read aloud and typed, “verbatim”.\n" * (SPOOLED_FROM // 50)
    response = client_for(analyst).post(FROM_FILE, {"file": SimpleUploadedFile("minutes.txt", text.encode(), "text/plain"), "kind": "transcript", "reliability": "B"})
    source = Source.objects.get()
    assert response.status_code == 302 and source.text == text
    assert f"{len(text.encode()):,} bytes; {len(text):,} characters of text" in messages_of(response)[0]


def test_a_refused_file_is_explained_on_the_page(client_for, analyst):
    response = client_for(analyst).post(FROM_FILE, {"file": SimpleUploadedFile("scan.pdf", image_only_pdf()), "kind": "report", "reliability": "F"})
    assert response.status_code == 200
    assert "no text layer" in response.content.decode()
    assert not Source.objects.exists()


def test_the_upload_page_states_the_size_limit_with_the_admin_form_styles(client_for, analyst, settings):
    settings.MAX_SOURCE_MB = 2.5
    html = client_for(analyst).get(FROM_FILE).content.decode()
    assert "up to 2.5 MB" in html and "admin/css/forms" in html


def test_a_file_over_the_limit_is_explained_on_the_page(client_for, analyst, settings):
    settings.MAX_SOURCE_MB = 0.01
    response = client_for(analyst).post(FROM_FILE, {"file": SimpleUploadedFile("big.txt", b"w " * 20000), "kind": "article", "reliability": "F"})
    assert response.status_code == 200
    assert "MAX_SOURCE_MB" in response.content.decode()


def test_a_body_over_the_upload_limit_gets_the_form_again_unread(client_for, analyst, settings):
    """Refused by its length before it is read: the admin's page with its form and the
    refusal, where a bare text page had lost the form."""
    from sources.uploads import upload_body_limit

    settings.MAX_SOURCE_MB = 0.01
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000  # MAX_BODY_MB, below the upload's limit as it is by default
    big = b"w" * (upload_body_limit() + 1000)
    response = client_for(analyst).post(FROM_FILE, {"file": SimpleUploadedFile("big.txt", big), "kind": "article", "reliability": "F", "title": "Kept?"})
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "larger than the limit of 0.01 MB (MAX_SOURCE_MB)" in html and 'id="cb-ingest-error" role="alert"' in html
    assert 'aria-invalid="true"' in html and 'type="file"' in html
    assert not Source.objects.exists()
    # The API's answer stays its JSON refusal.
    api = client_for(analyst).post("/api/v1/sources/", {"file": SimpleUploadedFile("big.txt", big)})
    assert (api.status_code, api.json()["code"]) == (400, "too_large")


@pytest.mark.parametrize("malformed", ["long file name", "no boundary"])
def test_a_form_that_cannot_be_read_is_said_on_the_form_without_a_traceback(client_for, analyst, caplog, malformed):
    """Django's parser refuses a part whose headers pass 1,000 bytes, and a multipart body
    without a boundary: the site's page for a bad address had answered ("No search or filter
    of this site takes that character"), a traceback logged."""
    client = client_for(analyst)
    if malformed == "long file name":
        name = "r" * 1100 + ".txt"  # as a browser sends it (a file object's name is cut to 255)
        body = (f'--x\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: text/plain\r\n\r\nWords.\r\n--x--\r\n").encode()
        response = client.generic("POST", FROM_FILE, body, content_type="multipart/form-data; boundary=x")
    else:
        response = client.generic("POST", FROM_FILE, b"--x\r\n\r\nwords\r\n--x--\r\n", content_type="multipart/form-data")
    html = response.content.decode()
    assert response.status_code == 200 and "The form sent could not be read (" in html
    assert 'id="cb-ingest-error" role="alert"' in html and 'type="file"' in html
    assert not [record for record in caplog.records if "Unable to parse request body" in record.getMessage()]
    assert not Source.objects.exists()


def test_the_file_input_carries_the_limit_the_page_checks_before_sending(client_for, analyst, settings):
    settings.MAX_SOURCE_MB = 2.5
    html = client_for(analyst).get(FROM_FILE).content.decode()
    assert f'data-max-bytes="{int(2.5 * 1024 * 1024)}"' in html and 'data-max-label="2.5 MB"' in html


def test_a_duplicate_links_to_the_existing_source(client_for, analyst, analyst2):
    form = {"kind": "article", "reliability": "F"}
    client_for(analyst).post(FROM_FILE, {"file": SimpleUploadedFile("a.txt", b"Twice."), **form})
    response = client_for(analyst2).post(FROM_FILE, {"file": SimpleUploadedFile("b.txt", b"Twice."), **form})
    existing = Source.objects.get()
    assert response.status_code == 200
    assert reverse("admin:sources_source_change", args=[existing.pk]) in response.content.decode()


def test_a_second_send_of_what_the_user_just_added_shows_the_source_made(client_for, analyst):
    """A second click while the first upload was read, or a reload, had been refused as a
    duplicate of the source the first one made, the analyst told of an error."""
    client = client_for(analyst)
    form = {"kind": "article", "reliability": "F"}
    first = client.post(FROM_FILE, {"file": SimpleUploadedFile("a.txt", b"Twice."), **form})
    again = client.post(FROM_FILE, {"file": SimpleUploadedFile("a.txt", b"Twice."), **form})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    source = Source.objects.get()
    assert f"Source #{source.pk} was created from this a moment ago; here it is." in messages_of(again)
    # Sent again with a title corrected: not a second click; the refusal names the source.
    corrected = client.post(FROM_FILE, {"file": SimpleUploadedFile("a.txt", b"Twice."), **form, "title": "Another title"})
    assert corrected.status_code == 200 and f"Open source #{source.pk}" in corrected.content.decode()
    # Long after, it is a duplicate like any other.
    Source.objects.filter(pk=source.pk).update(created_at=source.created_at - timedelta(minutes=3))
    later = client.post(FROM_FILE, {"file": SimpleUploadedFile("a.txt", b"Twice."), **form})
    assert later.status_code == 200 and f"Open source #{source.pk}" in later.content.decode()


def test_another_file_naming_the_address_of_a_source_just_made_is_told_of_it_not_shown_it(client_for, analyst, server, settings):
    """A page fetched, then another file whose canonical link is that page's address: the
    file is refused (``duplicate_url``) and the refusal says so. It had been answered
    "created from this a moment ago", the new file's words nowhere."""
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    client = client_for(analyst)
    form = {"kind": "article", "reliability": "F"}
    fetched = client.post(FROM_URL, {"url": server + "/page", **form})
    source = Source.objects.get()
    assert fetched.status_code == 302
    other = (f"<html><head><title>Another report</title><link rel=canonical href='{source.url}'></head><body><article>"
             "<p>Other words entirely: the minister resigned on Friday after losing the vote.</p></article></body></html>")
    refused = client.post(FROM_FILE, {"file": SimpleUploadedFile("other.html", other.encode(), "text/html"), **form})
    assert refused.status_code == 200 and f"Open source #{source.pk}" in refused.content.decode()
    assert "a moment ago" not in " ".join(messages_of(refused))
    # The same address sent again is a second send.
    again = client.post(FROM_URL, {"url": server + "/page", **form})
    assert again.status_code == 302 and again["Location"] == fetched["Location"]
    assert f"Source #{source.pk} was created from this a moment ago; here it is." in messages_of(again)
    assert Source.objects.count() == 1


def test_a_refusal_is_announced_and_names_its_field_to_assistive_technology(client_for, analyst, server):
    response = client_for(analyst).post(FROM_URL, {"url": server + "/post", "kind": "article", "reliability": "F"})
    html = response.content.decode()
    assert '<p class="errornote" id="cb-ingest-error" role="alert" tabindex="-1">' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="cb-ingest-error id_url_helptext"' in html
    assert 'role="status" aria-live="polite"' in html and "sources/ingest.js" in html


def test_the_file_picker_offers_the_kinds_of_file_read(client_for, analyst):
    html = client_for(analyst).get(FROM_FILE).content.decode()
    assert 'accept=".txt,.text,.md,.markdown,.html,.htm,.xhtml,.pdf,' in html


def test_the_upload_page_checks_the_csrf_token(analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(FROM_FILE, {"file": SimpleUploadedFile("a.txt", b"No token."), "kind": "article", "reliability": "F"})
    assert response.status_code == 403
    assert not Source.objects.exists()


def test_a_page_fetched_in_the_admin_becomes_a_source(client_for, analyst, server, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    response = client_for(analyst).post(FROM_URL, {"url": server + "/post", "kind": "article", "reliability": "B"})
    source = Source.objects.get()
    assert response.status_code == 302
    assert source.title == PAGE.title and source.original_media_type == "text/html"
    assert any(f"Source #{source.pk} created from an HTML page (" in message for message in messages_of(response))


def test_a_refused_fetch_is_explained_on_the_page(client_for, analyst, server):
    response = client_for(analyst).post(FROM_URL, {"url": server + "/post", "kind": "article", "reliability": "F"})
    assert response.status_code == 200
    assert "not a public address" in response.content.decode()


def test_people_who_may_not_add_sources_get_403(client_for, viewer):
    client = client_for(viewer)
    assert client.get(FROM_FILE).status_code == 403
    assert client.get(FROM_URL).status_code == 403


def test_two_files_in_one_admin_upload_are_refused_not_one_dropped(client_for, analyst):
    files = [SimpleUploadedFile(name, text, "text/plain") for name, text in (("a.txt", b"First file."), ("b.txt", b"Second file."))]
    response = client_for(analyst).post(FROM_FILE, {"file": files, "kind": "report", "reliability": "F"})
    assert response.status_code == 200
    assert "Send one file per request; 2 were sent." in response.content.decode()
    assert not Source.objects.exists()


def test_a_title_whose_bytes_are_not_utf8_is_refused_on_the_page(client_for, analyst):
    body = b"url=https%3A%2F%2Fexample.com%2Fa&title=Caf%E9+Lumi%E8re&kind=article&reliability=F"
    response = client_for(analyst).generic("POST", FROM_URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not Source.objects.exists()


def test_the_plain_add_source_form_refuses_metadata_whose_bytes_are_not_utf8(client_for, analyst):
    body = b"title=Caf%E9&text=Plain+text+caf%C3%A9.&kind=article&reliability=F&language=en"
    response = client_for(analyst).generic("POST", "/admin/sources/source/add/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "U+FFFD" in response.content.decode()
    assert not Source.objects.exists()


def test_the_source_page_shows_the_charset_its_original_was_read_in(client_for, analyst):
    client = client_for(analyst)
    data = "Съешь же ещё этих мягких французских булок.".encode("koi8_r")
    response = client.post(FROM_FILE, {"file": SimpleUploadedFile("r.txt", data, "text/plain; charset=koi8-r"), "kind": "report", "reliability": "C"})
    source = Source.objects.get()
    assert response.status_code == 302 and source.original_charset == "koi8-r"
    page = client.get(response["Location"]).content.decode()
    assert "Original charset" in page
    assert f"(text/plain; charset=koi8-r, {len(data)} bytes)" in page


def test_a_source_without_spans_shows_no_empty_table_of_them(client_for, analyst, source):
    from sources.services import span_create

    client = client_for(analyst)
    page = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert "0 spans highlighted" in page and 'id="spans-group"' not in page
    assert '<input type="hidden" name="spans-TOTAL_FORMS" value="0"' in page  # a save still has its form
    span_create(source=source, quote="Russia voted six times")
    page = client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert 'id="spans-group"' in page
    assert 'name="spans-TOTAL_FORMS"' in page


def test_the_source_list_says_where_each_text_came_from(client_for, analyst, source, server, settings):
    """Three sources titled alike looked the same in the list."""
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    client = client_for(analyst)
    client.post(FROM_URL, {"url": server + "/post", "kind": "article", "reliability": "B"})
    client.post(FROM_FILE, {"file": SimpleUploadedFile("notes.txt", b"Notes typed up."), "kind": "article", "reliability": "F"})
    page = client.get(reverse("admin:sources_source_changelist")).content.decode()
    cells = [cell.split(">", 1)[1].split("<", 1)[0] for cell in page.split('<td class="field-origin')[1:]]
    host = server.split("//", 1)[1]
    assert sorted(cells) == sorted(["pasted text", f"HTML page, {host}", "plain-text file"])
