"""POST /api/v1/sources/ with a file: text extracted, metadata filling the blanks, the
original kept and downloadable, duplicates refused with the existing source named."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from rest_framework import serializers

from sources.ingest.text import SPOOLED_FROM
from sources.models import Source
from sources.serializers import SourceWriteSerializer
from tests.documents import image_only_pdf, news_pages, one_column_pdf, report_paragraphs, two_column_pdf

pytestmark = pytest.mark.django_db

SOURCES = "/api/v1/sources/"



def upload(client, name: str, data: bytes, content_type: str = "application/octet-stream", **fields):
    return client.post(SOURCES, {"file": SimpleUploadedFile(name, data, content_type=content_type), **fields}, format="multipart")


def test_a_text_file_is_kept_verbatim_with_its_original(client_for, analyst):
    data = "Line one  \r\nLine  two\t\r\n\r\nÜmlaut and “quotes” stay.\n".encode()
    response = upload(client_for(analyst), "notes.txt", data, "text/plain")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["text"] == "Line one  \nLine  two\t\n\nÜmlaut and “quotes” stay.\n"
    assert body["title"] == "notes"
    assert body["original_sha256"] == hashlib.sha256(data).hexdigest()
    assert body["original_media_type"] == "text/plain"
    assert body["original_size"] == len(data)
    assert body["original_url"] == f"http://testserver/api/v1/sources/{body['id']}/original/"


@pytest.mark.parametrize("size", ["small", "spooled"])
def test_a_text_file_changes_only_its_carriage_returns(client_for, analyst, size):
    """Kept as decoded: the line and paragraph separators, NEL, VT and FF stay where they
    are (offsets in the file are offsets in the text), as in text pasted."""
    line = "line\u2028sep\u2029ps\u0085nel\x0bvt\x0cff\r\nnext\rlast\n"
    text = line * (1 if size == "small" else SPOOLED_FROM // len(line) + 1)
    response = upload(client_for(analyst), "seps.txt", text.encode(), "text/plain")
    assert response.status_code == 201
    assert Source.objects.get().text == text.replace("\r\n", "\n").replace("\r", "\n")


def test_markdown_is_kept_as_markdown(client_for, analyst):
    data = b"# Heading\n\nSome *emphasis* and a [link](https://example.com).  \n"
    body = upload(client_for(analyst), "post.md", data).json()
    assert body["original_media_type"] == "text/markdown"
    assert body["text"] == data.decode()


def test_html_keeps_the_article_and_fills_blank_metadata(client_for, analyst):
    page = news_pages()[0]
    body = upload(client_for(analyst), "page.html", page.html.encode(), "text/html").json()
    assert body["title"] == page.title
    assert body["authors"] == "Jane Roe"
    assert body["publisher"] == "Daily Example"
    assert body["published_on"] == "2025-01-15"
    assert body["url"] == "https://news.example.com/world/iran-russia"
    assert body["language"] == "en"
    assert page.article[0] in body["text"]
    assert "cookies" not in body["text"]
    assert body["original_media_type"] == "text/html"


def test_fields_given_take_precedence_over_the_files_metadata(client_for, analyst):
    page = news_pages()[0]
    body = upload(
        client_for(analyst), "page.html", page.html.encode(), "text/html",
        title="My title", publisher="Someone else", reliability="B", kind="report",
    ).json()
    assert (body["title"], body["publisher"], body["reliability"], body["kind"]) == ("My title", "Someone else", "B", "report")
    assert body["authors"] == "Jane Roe"  # left blank: filled


def test_markdown_front_matter_fills_the_blank_fields_and_stays_in_the_text(client_for, analyst):
    data = (
        "---\ntitle: \"Russia and the sanctions\"\nauthor:\n  - Ana Núñez\n  - Li Wei\ndate: 2010-06-09\nlang: en-GB\n"
        "tags: [iran, un]\n---\n\n# Votes\n\nRussia voted six times.\n"
    ).encode()
    body = upload(client_for(analyst), "notes.md", data, "text/markdown").json()
    assert (body["title"], body["authors"], body["published_on"], body["language"]) == (
        "Russia and the sanctions", "Ana Núñez; Li Wei", "2010-06-09", "en-GB"
    )
    assert body["text"] == data.decode()  # kept as it is
    given = upload(client_for(analyst), "other.md", data.replace(b"six", b"seven"), "text/markdown", title="Mine").json()
    assert given["title"] == "Mine"


@pytest.mark.parametrize(
    "written, title, published_on",
    [("1:30", "1:30", None), ("007", "007", None), ("yes", "yes", None), ("'0x1F'", "0x1F", None)],
)
def test_front_matter_values_are_the_text_written_and_a_day_that_does_not_exist_is_no_date(
    client_for, analyst, written, title, published_on
):
    data = f"---\ntitle: {written}\ndate: 2024-02-30\n---\nBody text.\n".encode()
    body = upload(client_for(analyst), "notes.md", data, "text/markdown").json()
    assert (body["title"], body["published_on"]) == (title, published_on)


@pytest.mark.parametrize("name", ["\u200b.txt", ".md"])
def test_a_file_named_by_an_extension_alone_is_untitled(client_for, analyst, name):
    """Django's parser takes "\u200b" out of "\u200b.txt": the title had been ".txt"."""
    response = upload(client_for(analyst), name, b"A note.\n", "text/plain")
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Untitled"


def test_a_front_matter_url_with_a_password_is_left_out_not_the_file(client_for, analyst):
    """The file's metadata fills what was left blank: a value that cannot be recorded is
    left out, as an HTML page's is. Such a URL had refused the whole file, and no field
    could override it but an edit of the original."""
    data = b"---\ntitle: Cred URL\nurl: https://user:secret@example.com/report\n---\nBody.\n"
    response = upload(client_for(analyst), "notes.md", data, "text/markdown")
    assert response.status_code == 201, response.content
    assert (response.json()["title"], response.json()["url"]) == ("Cred URL", None)


@pytest.mark.parametrize(
    "data",
    [b"---\n- a\n- list\n---\nText.\n", b"---\ntitle: [unclosed\n---\nText.\n", b"Text first\n---\ntitle: x\n---\n",
     b"---\na: &a [1]\nb: &b [*a, *a]\ntitle: *b\n---\nText.\n", b"---\ntitle: " + b"[" * 8000 + b"\n---\nText.\n",
     b"---\ntitle: !!python/object/apply:os.system [echo]\n---\nText.\n"],
    ids=["a-list", "not-yaml", "not-at-the-start", "aliases", "nested-thousands-deep", "a-python-tag"],
)
def test_front_matter_that_is_not_a_mapping_of_text_gives_nothing_and_no_error(client_for, analyst, data):
    response = upload(client_for(analyst), "notes.md", data, "text/markdown")
    assert response.status_code == 201 and response.json()["title"] == "notes"


def test_a_pdf_is_read_in_column_order_with_its_metadata(client_for, analyst):
    paragraphs = report_paragraphs(12)
    data = two_column_pdf(paragraphs, info={"Title": "Annual report", "Author": "Research Unit", "CreationDate": "D:20240301090000Z"})
    body = upload(client_for(analyst), "report.pdf", data, "application/pdf").json()
    assert body["title"] == "Annual report"
    assert body["authors"] == "Research Unit"
    assert body["published_on"] == "2024-03-01"
    flat = " ".join(body["text"].split())
    positions = [flat.find(" ".join(paragraph.split())[:60]) for paragraph in paragraphs]
    assert -1 not in positions and positions == sorted(positions)


def test_extracted_text_is_normalised_once_and_spans_anchor_to_it(client_for, analyst):
    # "e" + combining acute (NFD) becomes "é" (NFC); trailing spaces go.
    html = "<html><body><article><p>Cafe\u0301 owners said the price rose by 40 percent this year.   </p><p>" + "More words follow here. " * 20 + "</p></article></body></html>"
    body = upload(client_for(analyst), "cafe.html", html.encode(), "text/html").json()
    assert "Café owners said" in body["text"]
    assert not any(line.endswith(" ") for line in body["text"].split("\n"))
    span = client_for(analyst).post("/api/v1/spans/", {"source": body["id"], "quote": "Café owners said"})
    assert span.status_code == 201, span.json()


def test_a_pdf_without_a_text_layer_is_refused_saying_so(client_for, analyst):
    response = upload(client_for(analyst), "scan.pdf", image_only_pdf(), "application/pdf")
    assert response.status_code == 400
    assert response.json()["code"] == "no_text_layer"
    assert "text layer" in response.json()["detail"]
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "name, data, content_type",
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 64, "application/zip"),
        ("text-declared-as-image.jpg", b"plain words", "image/jpeg"),
        ("binary.bin", b"\x00\x01\x02\x03" * 100, "application/octet-stream"),
    ],
)
def test_an_unsupported_type_is_refused_saying_so(client_for, analyst, name, data, content_type):
    response = upload(client_for(analyst), name, data, content_type)
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_type"
    assert "Unsupported type" in response.json()["detail"] or "binary" in response.json()["detail"]


def test_an_empty_file_is_refused_saying_so(client_for, analyst):
    response = upload(client_for(analyst), "empty.txt", b"", "text/plain")
    assert response.status_code == 400
    assert response.json()["code"] == "empty_file"


def test_a_file_over_max_source_mb_is_refused_saying_so(client_for, analyst, settings):
    settings.MAX_SOURCE_MB = 0.01  # 10 KiB
    response = upload(client_for(analyst), "big.txt", b"word " * 5000, "text/plain")
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert "MAX_SOURCE_MB" in response.json()["detail"]
    assert not Source.objects.exists()


def test_a_refused_file_leaves_no_temporary_copy_behind(client_for, analyst, settings, tmp_path):
    """Removed when refused, not when the garbage collector next runs (disabled here)."""
    import gc

    settings.MAX_SOURCE_MB = 0.5
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    gc.disable()
    try:
        response = upload(client_for(analyst), "big.txt", b"word " * 200_000, "text/plain")
        assert response.status_code == 400 and response.json()["code"] == "too_large"
        assert list(tmp_path.iterdir()) == []
    finally:
        gc.enable()


def test_a_page_of_only_a_consent_notice_is_refused_and_nothing_is_kept(client_for, analyst, settings):
    wall = (
        b'<html><body><div class="consent-wall"><h1>Before you continue</h1><p>We use cookies and data to deliver '
        b"our services and measure audience engagement.</p><button>Reject all</button><button>Accept all</button>"
        b"</div></body></html>"
    )
    response = upload(client_for(analyst), "article.html", wall, "text/html")
    assert response.status_code == 400 and response.json()["code"] == "consent_notice"
    assert "save it once past the notice" in response.json()["detail"]
    assert not Source.objects.exists()
    assert not (settings.MEDIA_ROOT / "originals").exists() or not any((settings.MEDIA_ROOT / "originals").rglob("*.*"))


@pytest.mark.parametrize("fields", [{"title": "\u200b"}, {"published_on": "2999-13-40"}, {"language": "not a tag"}])
def test_fields_refused_leave_no_original_in_storage(client_for, analyst, settings, fields):
    response = upload(client_for(analyst), "a.txt", b"Some text of a file.", "text/plain", **fields)
    assert response.status_code == 400, response.json()
    assert not Source.objects.exists()
    assert not (settings.MEDIA_ROOT / "originals").exists() or not any((settings.MEDIA_ROOT / "originals").rglob("*.*"))


def test_the_same_original_twice_is_a_conflict_naming_the_existing_source(client_for, analyst):
    data = b"The same bytes, uploaded twice."
    first = upload(client_for(analyst), "a.txt", data, "text/plain").json()
    response = upload(client_for(analyst), "b.txt", data, "text/plain", title="Another title")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_original"
    assert body["existing_source"]["id"] == first["id"]
    assert body["existing_source"]["api_url"] == f"/api/v1/sources/{first['id']}/"
    assert Source.objects.count() == 1


def test_a_canonical_url_already_recorded_is_a_conflict_naming_the_source(client_for, analyst, source):
    source.url = "https://news.example.com/world/iran-russia"
    source.save()
    response = upload(client_for(analyst), "page.html", news_pages()[0].html.encode(), "text/html")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_url"
    assert response.json()["existing_source"]["id"] == source.pk
    assert response.json()["detail"].startswith(
        "The file gives https://news.example.com/world/iran-russia as its address, and a source with it already exists"
    )


def test_a_saved_page_naming_its_sites_home_page_as_its_address_is_recorded_without_it(client_for, analyst):
    """Which page an uploaded file was, nothing says: a home page as its canonical URL is
    most likely a site's setting for every page, and would make every other page of the
    site a duplicate of the first."""
    article = "<p>" + "Words of an article saved from a site that names its home page everywhere. " * 5 + "</p>"
    for name in ("one.html", "two.html"):
        page = f'<html><head><link rel="canonical" href="https://news.example.org/"></head><body><article>{name}{article}</article></body></html>'
        response = upload(client_for(analyst), name, page.encode(), "text/html")
        assert response.status_code == 201, response.json()
        assert response.json()["url"] is None


def test_unknown_fields_in_an_upload_are_refused_by_name(client_for, analyst):
    response = upload(client_for(analyst), "a.txt", b"Some text.", "text/plain", colour="blue")
    assert response.status_code == 400
    assert "colour" in response.json()["errors"]


def multipart(fields: dict[str, bytes], filename: str, data: bytes, boundary: str = "claimbase-boundary") -> tuple[bytes, str]:
    """A multipart body written byte by byte: the test client would encode each field in UTF-8."""
    parts = [
        b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary.encode(), name.encode(), value)
        for name, value in fields.items()
    ]
    parts.append(
        b"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\nContent-Type: text/plain\r\n\r\n%s\r\n"
        % (boundary.encode(), filename.encode(), data)
    )
    return b"".join(parts) + b"--%s--\r\n" % boundary.encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("value", [b"Caf\xe9 Lumi\xe8re", b"\xff\xfe", "Replacement \ufffd sent as such".encode()])
def test_a_field_that_is_not_utf8_is_refused_by_name_not_stored_with_replacement_marks(client_for, analyst, value):
    body, content_type = multipart({"title": value, "authors": "Ana Núñez".encode()}, "a.txt", b"Some text.")
    response = client_for(analyst).generic("POST", SOURCES, body, content_type=content_type)
    assert response.status_code == 400, response.json()
    assert list(response.json()["errors"]) == ["title"]
    assert "not UTF-8" in response.json()["errors"]["title"][0]
    assert not Source.objects.exists()


def test_a_text_quoting_the_replacement_character_is_taken_in_a_multipart_edit(client_for, analyst):
    source = client_for(analyst).post(SOURCES, {"title": "T", "text": "Plain."}, format="json").json()
    text = "A damaged file read as d\ufffdj\ufffd vu."
    response = client_for(analyst).generic("PATCH", f"{SOURCES}{source['id']}/", _multipart_fields({"text": text}), content_type=CONTENT_TYPE)
    assert response.status_code == 200, response.json()
    assert Source.objects.get(pk=source["id"]).text == text


CONTENT_TYPE = "multipart/form-data; boundary=claimbase-boundary"


def _multipart_fields(fields: dict[str, str]) -> bytes:
    parts = [
        b"--claimbase-boundary\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (name.encode(), value.encode())
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--claimbase-boundary--\r\n"


def test_fields_in_utf8_are_read_as_sent(client_for, analyst):
    body, content_type = multipart({"title": "Café Lumière".encode(), "authors": "Ana Núñez".encode()}, "a.txt", b"Some text.")
    response = client_for(analyst).generic("POST", SOURCES, body, content_type=content_type)
    assert response.status_code == 201, response.json()
    assert (response.json()["title"], response.json()["authors"]) == ("Café Lumière", "Ana Núñez")


def test_an_upload_without_a_file_is_a_400_on_the_file_field(client_for, analyst):
    response = client_for(analyst).post(SOURCES, {"title": "No file"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_anonymous_callers_cannot_upload(anonymous):
    assert upload(anonymous, "a.txt", b"Some text.", "text/plain").status_code == 401


def test_sources_from_pasted_text_have_no_original(client_for, analyst):
    body = client_for(analyst).post(SOURCES, {"title": "Pasted", "text": "Pasted text."}).json()
    assert (body["original_sha256"], body["original_media_type"], body["original_size"], body["original_url"]) == ("", "", None, None)
    response = client_for(analyst).get(f"{SOURCES}{body['id']}/original/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"Source #{body['id']} has no original: its text was given as text, not read from a file or a page.",
        "code": "no_original",
    }


def test_the_original_downloads_with_its_media_type_for_staff_only(client_for, analyst, anonymous):
    data = one_column_pdf(report_paragraphs(3))
    body = upload(client_for(analyst), "r.pdf", data, "application/pdf").json()
    response = client_for(analyst).get(body["original_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == data
    assert "attachment" in response["Content-Disposition"]
    assert f'filename="r-{body["id"]}.pdf"' in response["Content-Disposition"]  # its title, the file's name
    Source.objects.filter(pk=body["id"]).update(title="Отчёт: Iran's «Russian» Conundrum")
    disposition = client_for(analyst).get(body["original_url"])["Content-Disposition"]
    assert f"filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82-irans-russian-conundrum-{body['id']}.pdf" in disposition
    refused = anonymous.get(body["original_url"])
    assert refused.status_code == 401 and "staff" in refused.json()["detail"]


def test_the_original_url_is_given_to_those_who_may_download_it_and_a_copy_held_is_not_sent_again(client_for, analyst, outsider, anonymous):
    body = upload(client_for(analyst), "a.txt", b"Kept as sent.", "text/plain").json()
    url = f"/api/v1/sources/{body['id']}/"
    assert client_for(analyst).get(url).json()["original_url"] == body["original_url"]
    assert client_for(analyst).get("/api/v1/sources/").json()["results"][0]["original_url"] == body["original_url"]
    for caller in (client_for(outsider), anonymous):
        assert caller.get(url).json()["original_url"] is None
        assert caller.get("/api/v1/sources/").json()["results"][0]["original_url"] is None
    assert client_for(outsider).get(body["original_url"]).status_code == 403
    assert anonymous.get(body["original_url"]).status_code == 401
    first = client_for(analyst).get(body["original_url"])
    again = client_for(analyst).get(body["original_url"], HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["ETag"] == first["ETag"]


def test_an_html_original_never_runs_in_this_sites_origin(client_for, analyst):
    body = upload(client_for(analyst), "page.html", news_pages()[1].html.encode(), "text/html").json()
    response = client_for(analyst).get(body["original_url"])
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_original_is_stored_once_under_its_hash(client_for, analyst, settings):
    data = b"Content-addressed text."
    body = upload(client_for(analyst), "a.txt", data, "text/plain").json()
    source = Source.objects.get(pk=body["id"])
    sha = hashlib.sha256(data).hexdigest()
    assert source.original.name == f"originals/{sha[:2]}/{sha}.txt"
    assert (settings.MEDIA_ROOT / source.original.name).read_bytes() == data


@pytest.mark.parametrize("harm", ["missing", "damaged"])
def test_an_original_lost_or_damaged_in_storage_is_never_served_and_the_same_bytes_restore_it(client_for, analyst, settings, harm):
    data = b"An original that storage will lose or garble."
    body = upload(client_for(analyst), "a.txt", data, "text/plain").json()
    stored = settings.MEDIA_ROOT / Source.objects.get(pk=body["id"]).original.name
    if harm == "missing":
        stored.unlink()
    else:
        stored.write_bytes(b"Other bytes, of another length.")
    response = client_for(analyst).get(body["original_url"])
    assert response.status_code == (404 if harm == "missing" else 409)
    assert response.json()["code"] == f"original_{harm}"
    assert f"is {harm} in storage" in response.json()["detail"] and "upload the same bytes again" in response.json()["detail"]

    again = upload(client_for(analyst), "again.txt", data, "text/plain")
    assert again.status_code == 409 and again.json()["existing_source"]["id"] == body["id"]
    assert "is restored from these bytes" in again.json()["detail"]
    assert stored.read_bytes() == data
    response = client_for(analyst).get(body["original_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    # Whole again: a third upload is an ordinary duplicate.
    assert "restored" not in upload(client_for(analyst), "third.txt", data, "text/plain").json()["detail"]
    assert Source.objects.count() == 1


def test_an_upload_racing_the_delete_of_the_source_holding_its_bytes_makes_a_new_source(client_for, analyst, settings, monkeypatch):
    """The holder deleted, its file with it, while the upload asked about it: the answer had
    been a 409 saying its file "was missing or damaged in storage, and is restored"."""
    from sources import ingestion

    data = b"Bytes whose source is deleted while they are uploaded again."
    held = upload(client_for(analyst), "a.txt", data, "text/plain").json()
    looked_at = ingestion.original_problem

    def deleted_meanwhile(source, **kwargs):
        if source.pk == held["id"]:
            stored = settings.MEDIA_ROOT / Source.objects.get(pk=source.pk).original.name
            Source.objects.filter(pk=source.pk).delete()
            stored.unlink()
        return looked_at(source, **kwargs)

    monkeypatch.setattr(ingestion, "original_problem", deleted_meanwhile)
    again = upload(client_for(analyst), "again.txt", data, "text/plain")
    assert again.status_code == 201, again.content
    assert again.json()["id"] != held["id"] and Source.objects.count() == 1
    assert client_for(analyst).get(again.json()["original_url"]).status_code == 200


def test_a_storage_that_fails_to_answer_is_a_503_for_a_download_and_never_turns_a_duplicate_into_a_500(client_for, analyst, monkeypatch):
    from django.core.files.storage import default_storage

    data = b"An original the storage will fail to read."
    body = upload(client_for(analyst), "a.txt", data, "text/plain").json()

    def refuse(*args, **kwargs):
        raise PermissionError("the storage refused")

    monkeypatch.setattr(default_storage, "open", refuse)
    response = client_for(analyst).get(body["original_url"])
    assert response.status_code == 503 and response.json()["code"] == "original_unavailable"
    assert response["Retry-After"] == "30"
    again = upload(client_for(analyst), "again.txt", data, "text/plain")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_original"


def test_an_original_is_saved_whole_by_a_storage_that_sends_the_files_announced_size(client_for, analyst, monkeypatch):
    """Some storages (Google Cloud's, in django-storages) send exactly ``content.size``
    bytes: that is the file's size, not what was read of it so far."""
    from django.core.files.storage import default_storage

    save = default_storage._save

    def save_announced_size(name, content):
        data = content.read(content.size)
        return save(name, SimpleUploadedFile(name, data))

    monkeypatch.setattr(default_storage, "_save", save_announced_size)
    data = b"All of these bytes, as many as announced."
    response = upload(client_for(analyst), "a.txt", data, "text/plain")
    assert response.status_code == 201, response.json()
    assert b"".join(client_for(analyst).get(response.json()["original_url"]).streaming_content) == data


def test_the_list_shows_the_original_fields(client_for, analyst):
    upload(client_for(analyst), "a.txt", b"Listed text.", "text/plain")
    row = client_for(analyst).get(SOURCES).json()["results"][0]
    assert row["original_media_type"] == "text/plain" and row["original_size"] == 12


def test_a_body_announcing_more_than_the_limit_is_refused_before_it_is_read(client_for, analyst, settings):
    settings.MAX_SOURCE_MB = 0.01
    response = upload(client_for(analyst), "big.txt", b"w" * (2 * 1024 * 1024), "text/plain")
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert "bytes" in response.json()["detail"]


def test_a_file_far_over_the_limit_is_the_same_400_refused_before_it_is_read(client_for, analyst, settings):
    """However far over MAX_SOURCE_MB (past the room left for the form too), an upload's
    file is a 400 ``too_large``, as the contract says: not a 413 of the request."""
    settings.MAX_SOURCE_MB = 0.01
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    response = upload(client_for(analyst), "big.txt", b"w" * (2 * 1024 * 1024), "text/plain")
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert response.json()["detail"] == "The file is larger than the limit of 0.01 MB (MAX_SOURCE_MB)."


def test_uploaded_files_stream_to_disk_not_memory(client_for, analyst, monkeypatch):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    from sources import ingestion

    seen = []
    real = ingestion.source_create_from_file

    def spy(**kwargs):
        seen.append(type(kwargs["stream"]))
        return real(**kwargs)

    monkeypatch.setattr(ingestion, "source_create_from_file", spy)
    assert upload(client_for(analyst), "small.txt", b"Even a small file.", "text/plain").status_code == 201
    assert seen == [TemporaryUploadedFile]


def test_the_original_downloads_whatever_the_client_accepts(client_for, analyst):
    body = upload(client_for(analyst), "r.pdf", one_column_pdf(report_paragraphs(2)), "application/pdf").json()
    response = client_for(analyst).get(body["original_url"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_a_file_over_the_body_limit_but_within_the_source_limit_is_uploaded(client_for, analyst, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # MAX_BODY_MB for this test
    data = ("A line of a long transcript.\n" * 4000).encode()  # about 116 KB
    response = upload(client_for(analyst), "transcript.txt", data, "text/plain")
    assert response.status_code == 201, response.content
    assert response.json()["original_size"] == len(data)


def test_a_json_body_over_the_body_limit_is_still_refused_on_the_upload_path(client_for, analyst, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    response = client_for(analyst).post(
        SOURCES, {"title": "Big", "text": "x" * (100 * 1024)}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


# A text file of a megabyte or more goes from the upload to the database and into the answer
# without its text ever being in memory whole (sources.ingest.SpooledText).
LARGE_LINE = "Zürich, 14 March: the delegation's notes, as typed.  \r\n"


def large_text(size: int = SPOOLED_FROM + 10, line: str = LARGE_LINE) -> bytes:
    return (line * (size // len(line.encode()) + 1)).encode()


@pytest.mark.parametrize("accepted", [None, "application/json; indent=2"])
def test_a_large_text_file_is_stored_whole_and_its_answer_streamed_as_it_would_be_rendered(client_for, analyst, accepted):
    data = large_text()
    client = client_for(analyst)
    extra = {"HTTP_ACCEPT": accepted} if accepted else {}
    response = client.post(SOURCES, {"file": SimpleUploadedFile("notes.txt", data, "text/plain")}, format="multipart", **extra)
    assert response.status_code == 201
    assert response.streaming and response["Content-Type"] == "application/json"
    streamed = b"".join(response.streaming_content)
    expected = data.decode().replace("\r\n", "\n")
    source = Source.objects.get(pk=json.loads(streamed)["id"])
    assert source.text == expected and source.history.get().text == expected
    assert (source.text_length, source.text_sha256) == (len(expected), hashlib.sha256(expected.encode()).hexdigest())
    # Byte for byte what the detail renders for the stored source.
    shown = client.get(f"{SOURCES}{source.pk}/", **extra)
    assert not shown.streaming and streamed == shown.content
    assert json.loads(streamed)["text"] == expected


def test_a_large_text_file_with_a_null_character_far_into_it_is_refused_and_nothing_is_left(client_for, analyst):
    # UTF-16, whose NUL characters are characters, not binary zeros: checked a piece at a time.
    data = ("a" * SPOOLED_FROM + "\x00 end").encode("utf-16")
    response = upload(client_for(analyst), "notes.txt", data, "text/plain")
    assert response.status_code == 400, response.content[:500]
    assert response.json()["code"] == "null_character"
    assert not Source.objects.exists()


def test_an_upload_of_a_large_file_twice_is_a_conflict_and_the_first_is_intact(client_for, analyst):
    data = large_text()
    client = client_for(analyst)
    first = client.post(SOURCES, {"file": SimpleUploadedFile("notes.txt", data, "text/plain")}, format="multipart")
    b"".join(first.streaming_content)
    again = upload(client, "again.txt", data, "text/plain")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_original"
    assert Source.objects.get().text == data.decode().replace("\r\n", "\n")


# A form body can give a key more than once, and DRF keeps the last value without a word:
# for a single-valued field that would drop what the caller sent, so it is a 400 naming it.


def test_two_files_in_one_upload_are_refused_naming_file_and_nothing_is_stored(client_for, analyst, settings):
    files = [
        SimpleUploadedFile("a.txt", b"first file", content_type="text/plain"),
        SimpleUploadedFile("b.txt", b"second file", content_type="text/plain"),
    ]
    response = client_for(analyst).post(SOURCES, {"file": files}, format="multipart")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == {"file": ["Send one file per request; 2 were sent."]}
    assert body["detail"] == "file: Send one file per request; 2 were sent."
    assert not Source.objects.exists()
    assert not any(path.is_file() for path in settings.MEDIA_ROOT.rglob("*"))


def test_two_titles_in_one_upload_are_refused_naming_title(client_for, analyst):
    response = upload(client_for(analyst), "a.txt", b"Some text.", "text/plain", title=["First", "Second"])
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"title": ["Give this field once; 2 values were sent."]}
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "name, values",
    [
        ("publisher", ["One", "Two", "Three"]),
        ("authors", ["Jane Roe", "John Doe"]),
        ("url", ["https://example.com/a", "https://example.com/b"]),
        ("reliability", ["A", "B"]),
        ("notes", ["", ""]),
    ],
)
def test_any_field_given_more_than_once_in_an_upload_is_refused_by_name(client_for, analyst, name, values):
    response = upload(client_for(analyst), "a.txt", b"Some text.", "text/plain", **{name: values})
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {name: [f"Give this field once; {len(values)} values were sent."]}
    assert not Source.objects.exists()


def test_every_repeated_field_is_named_at_once(client_for, analyst):
    files = [SimpleUploadedFile("a.txt", b"first", "text/plain"), SimpleUploadedFile("b.txt", b"second", "text/plain")]
    response = client_for(analyst).post(SOURCES, {"file": files, "title": ["A", "B"], "kind": "report"}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"file", "title"}


def test_a_multipart_change_that_repeats_a_field_is_refused_and_changes_nothing(client_for, analyst, source):
    before = source.title
    response = client_for(analyst).patch(f"{SOURCES}{source.pk}/", {"title": ["First", "Second"]}, format="multipart")
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"title": ["Give this field once; 2 values were sent."]}
    source.refresh_from_db()
    assert source.title == before


def test_an_upload_giving_each_field_once_is_still_created(client_for, analyst):
    response = upload(
        client_for(analyst), "a.txt", b"first file", "text/plain",
        title="Given once", authors="Jane Roe, John Doe", reliability="B",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["authors"], body["reliability"], body["text"]) == ("Given once", "Jane Roe, John Doe", "B", "first file")


def test_a_list_field_may_still_repeat_its_key_in_a_form_body():
    # No source write has a list field today; one that reads every value of its key
    # (ListField, MultipleChoiceField) keeps doing so, and scalars beside it stay checked.
    class TaggedSourceSerializer(SourceWriteSerializer):
        tags = serializers.ListField(child=serializers.CharField(), required=False)
        formats = serializers.MultipleChoiceField(choices=["pdf", "html"], required=False)

    listed = TaggedSourceSerializer(data=QueryDict("title=T&text=Body&tags=a&tags=b&formats=pdf&formats=html"))
    assert listed.is_valid(), listed.errors
    assert listed.validated_data["tags"] == ["a", "b"]
    assert set(listed.validated_data["formats"]) == {"pdf", "html"}
    repeated = TaggedSourceSerializer(data=QueryDict("title=T&title=U&text=Body&tags=a&tags=b"))
    assert not repeated.is_valid()
    assert set(repeated.errors) == {"title"}


def test_a_json_body_is_not_affected(client_for, analyst):
    response = client_for(analyst).post(SOURCES, {"title": "JSON", "text": "Pasted."}, format="json")
    assert response.status_code == 201, response.content


CZECH = "Žluťoučký kůň úpěl ďábelské ódy."


@pytest.mark.parametrize("name", ["kun.txt", "kun.html"])
def test_the_charset_a_file_part_is_sent_with_decodes_it(client_for, analyst, name):
    """Undeclared, these bytes read as windows-1252 ("Ž" would be "®")."""
    data = (CZECH if name.endswith(".txt") else f"<html><body><article><p>{CZECH} {'Slova článku. ' * 10}</p></article></body></html>").encode("iso-8859-2")
    media_type = "text/plain" if name.endswith(".txt") else "text/html"
    response = upload(client_for(analyst), name, data, f"{media_type}; charset=iso-8859-2")
    assert response.status_code == 201, response.json()
    assert CZECH in response.json()["text"]


@pytest.mark.parametrize("charset", ["\u00e9t\u00e9", "x" * 300, "base64", ""])
def test_a_file_part_with_a_charset_that_names_nothing_is_read_as_undeclared(client_for, analyst, charset):
    response = upload(client_for(analyst), "cafe.txt", "Café naïve.".encode(), f"text/plain; charset={charset}")
    assert response.status_code == 201 and response.json()["text"] == "Café naïve."



def test_a_page_title_of_invisible_characters_is_no_title(client_for, analyst):
    """A title must say something readable (``project.validation.readable``): metadata the
    user did not type is never the reason an upload fails; the file's name stands in."""
    page = b"<html><head><title>\xe2\x80\x8b</title></head><body><article><p>" + b"A readable paragraph. " * 20 + b"</p></article></body></html>"
    response = upload(client_for(analyst), "page.html", page, "text/html")
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "page"
    # Invisible for as long as a title may be, then words: cut to 500 characters, none is left.
    title = ("\u200b" * 600 + " Report on sanctions").encode()
    response = upload(client_for(analyst), "report.html", page.replace(b"\xe2\x80\x8b", title), "text/html")
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "report"


def test_a_file_part_whose_headers_are_not_utf8_is_refused_saying_why(client_for, analyst):
    """Django's parser skips such a part (a Latin-1 file name from an old system): the
    refusal says how the file must be sent, not only that it is missing."""
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="r\xe9sum\xe9.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nHello there.\n\r\n--XyZ--\r\n"
    )
    response = client_for(analyst).generic("POST", SOURCES, body, content_type="multipart/form-data; boundary=XyZ")
    assert response.status_code == 400
    assert "its headers in UTF-8" in response.json()["errors"]["file"][0]
    assert not Source.objects.exists()


RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю."


def original_of(client, source_id: int):
    response = client.get(f"{SOURCES}{source_id}/original/")
    assert response.status_code == 200
    return response


def test_a_text_original_is_served_with_the_charset_it_was_read_in(client_for, analyst):
    """Served as ``text/plain`` alone, KOI8-R bytes would be read in the browser's default
    encoding, and the download would be mojibake."""
    data = RUSSIAN.encode("koi8_r")
    client = client_for(analyst)
    body = upload(client, "pangram.txt", data, "text/plain; charset=koi8-r").json()
    assert body["text"] == RUSSIAN and body["original_charset"] == "koi8-r"
    response = original_of(client, body["id"])
    assert response["Content-Type"] == "text/plain; charset=koi8-r"
    assert b"".join(response.streaming_content).decode("koi8_r") == RUSSIAN


@pytest.mark.parametrize(
    "name, data, media_type",
    [
        ("notes.txt", "Ümlaut and “quotes”.".encode(), "text/plain"),
        ("notes.md", "# Größe\n\nSome *emphasis*.".encode(), "text/markdown"),
        ("page.html", news_pages()[0].html.encode(), "text/html"),
    ],
)
def test_a_utf8_original_is_served_as_utf8(client_for, analyst, name, data, media_type):
    client = client_for(analyst)
    body = upload(client, name, data).json()
    assert (body["original_media_type"], body["original_charset"]) == (media_type, "utf-8")
    assert original_of(client, body["id"])["Content-Type"] == f"{media_type}; charset=utf-8"


def test_a_pdf_original_has_no_charset(client_for, analyst):
    client = client_for(analyst)
    body = upload(client, "r.pdf", one_column_pdf(report_paragraphs(2)), "application/pdf").json()
    assert (body["original_media_type"], body["original_charset"]) == ("application/pdf", "")
    assert original_of(client, body["id"])["Content-Type"] == "application/pdf"


def test_an_original_stored_before_charsets_were_kept_is_served_as_before(client_for, analyst):
    client = client_for(analyst)
    body = upload(client, "notes.txt", b"Stored before.", "text/plain").json()
    Source.objects.filter(pk=body["id"]).update(original_charset="")
    assert client.get(f"{SOURCES}{body['id']}/").json()["original_charset"] == ""
    assert original_of(client, body["id"])["Content-Type"] == "text/plain"


def test_pasted_text_has_no_charset(client_for, analyst):
    body = client_for(analyst).post(SOURCES, {"title": "Pasted", "text": "Pasted text."}).json()
    assert body["original_charset"] == ""


@pytest.mark.parametrize(
    "sent, title",
    [
        ("Report %22Final%22 2024.txt", 'Report "Final" 2024'),
        ("Two%0D%0Alines.txt", "Two lines"),
        ("Three%0A%0A%0Alines.txt", "Three lines"),
        ("100%25 sure.txt", "100%25 sure"),
    ],
)
def test_a_file_name_a_browser_escaped_gives_the_title_the_user_chose(client_for, analyst, sent, title):
    """Browsers send a file name's quotation marks, CRs and LFs as %22, %0D and %0A (and
    escape nothing else)."""
    response = upload(client_for(analyst), sent, f"Notes of {sent}.".encode(), "text/plain")
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == title


# (the file's text, the language recorded)
LANGUAGES = [
    (
        "Россия шесть раз голосовала за санкции Совета Безопасности ООН против Ирана с 2006 по 2010 год. "
        "Об этом говорится в докладе, который министерство опубликовало в понедельник.",
        "ru",
    ),
    (
        "ロシアは二〇〇六年から二〇一〇年にかけて、国連安全保障理事会のイラン制裁決議に六回賛成した。"
        "これは理事会の記録によるもので、外務省も確認している。",
        "ja",
    ),
    (
        "Russland stimmte zwischen 2006 und 2010 sechsmal für Sanktionen des UN-Sicherheitsrats gegen Iran. "
        "Das geht aus einem Bericht hervor, den das Ministerium am Montag veröffentlichte.",
        "de",
    ),
    ("Russia voted six times for UN Security Council sanctions on Iran, June 2006 to June 2010.", "en"),
    # Too few words to tell: the default, not a guess ("it", "la", "pt", "mt" at 95% and more).
    ("S-400: 2019, 2020, 2021.", "en"),
    ("COVID-19 vaccination rates rose in Q3 2021, per CDC data (n=1,204; p<0.05).", "en"),
    ("Vladimir Putin, Massoud Pezeshkian, Sergei Lavrov, Abbas Araghchi, Ilham Aliyev", "en"),
    ("Sao Paulo, Rio de Janeiro, Buenos Aires, Santiago and Lima.", "en"),
    ("x" * 5000, "en"),
]


@pytest.mark.parametrize("written, language", LANGUAGES, ids=[written[:20] for written, _ in LANGUAGES])
def test_a_document_naming_no_language_gets_the_one_its_text_is_written_in(client_for, analyst, written, language):
    response = upload(client_for(analyst), "notes.txt", written.encode(), "text/plain")
    assert response.status_code == 201, response.json()
    assert response.json()["language"] == language


def test_the_language_a_document_names_or_the_user_gives_wins_over_its_text(client_for, analyst):
    russian = LANGUAGES[0][0]
    page = f'<html lang="uk"><body><article><p>{russian}</p><p>{russian}</p></article></body></html>'
    assert upload(client_for(analyst), "page.html", page.encode(), "text/html").json()["language"] == "uk"
    given = upload(client_for(analyst), "other.txt", f"{russian} Ещё.".encode(), "text/plain", language="be")
    assert given.json()["language"] == "be"


def _claim_quoting(client, source_id: int, quote: str):
    return client.post(
        "/api/v1/claims/",
        {"text": "The ministry voted in 2020.", "verdict": "supported", "confidence": "moderate",
         "evidence": [{"source": source_id, "quote": quote, "stance": "supports"}]},
        format="json",
    )


def test_a_pdf_dated_year_one_is_undated_and_its_quotes_can_be_cited(client_for, analyst):
    """A CreationDate of D:00010101000000Z (a writer's zero date) had been stored as
    0001-01-01, and a claim quoting "Two years ago" from the source was a 500: year -1 is no
    date the editorial checks could count back to."""
    client = client_for(analyst)
    text = "Two years ago the ministry voted on the budget, and it said so yesterday."
    data = one_column_pdf([text], info={"Title": "Old minutes", "CreationDate": "D:00010101000000Z"})
    body = upload(client, "minutes.pdf", data, "application/pdf").json()
    assert (body["title"], body["published_on"]) == ("Old minutes", None)
    for quote in ("Two years ago", "yesterday"):
        response = _claim_quoting(client, body["id"], quote)
        assert response.status_code == 201, response.json()


def test_a_date_given_at_the_calendars_edge_does_not_stop_a_claim_citing_the_source(client_for, analyst):
    """A person may date a source so (only its future is refused); checks counting back from
    it find no date, and say the claim's year is not in the evidence."""
    client = client_for(analyst)
    created = client.post("/api/v1/sources/", {"title": "Edge", "text": "Last year the ministry voted.", "published_on": "0001-01-01"}, format="json")
    assert created.status_code == 201, created.json()
    response = _claim_quoting(client, created.json()["id"], "Last year the ministry voted")
    assert response.status_code == 201, response.json()
    detail = client.get(f"/api/v1/claims/{response.json()['id']}/").json()
    assert "date_not_in_evidence" in [check["code"] for check in detail["checks"]]
