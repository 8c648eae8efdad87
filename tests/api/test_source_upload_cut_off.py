"""An upload whose request body stops before its end (the connection closed after fewer
bytes than ``Content-Length`` announced, or a multipart body without its closing boundary)
is a 400 ``incomplete_upload`` that says so, not "No file was submitted"; in the API and in
the admin's "Add source from file"."""

from __future__ import annotations

import gc
import json
import socket
from urllib.parse import urlsplit

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from sources.models import Source

SOURCES = "/api/v1/sources/"
FROM_FILE = "/admin/sources/source/add/from-file/"
BOUNDARY = "cutOffBoundary7"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart_body(text: bytes = b"Words of the report. " * 2000, *, admin: bool = False) -> bytes:
    fields = {"kind": "article", "reliability": "F"} if admin else {"title": "Report"}
    parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode() for name, value in fields.items()]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="report.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n".encode() + text + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


BODY = multipart_body()
FILE_STARTS = BODY.index(b"Words")
# Where a body may stop: in the file's bytes, in its part's headers, in the first
# delimiter's line, and just before the closing delimiter's last dashes.
CUTS = {"in the file": FILE_STARTS + 20_000, "in the part headers": FILE_STARTS - 30, "in a delimiter": 5, "before the closing dashes": len(BODY) - 4}


@pytest.mark.django_db
@pytest.mark.parametrize("where", CUTS)
def test_a_body_without_its_closing_boundary_is_refused_as_incomplete(client_for, analyst, where):
    response = client_for(analyst).generic("POST", SOURCES, BODY[: CUTS[where]], content_type=MULTIPART)
    body = response.json()
    assert (response.status_code, body["code"]) == (400, "incomplete_upload"), body
    assert "cut off before its end" in body["detail"] and "No file was submitted" not in json.dumps(body)
    assert body["received_bytes"] == CUTS[where]
    assert not Source.objects.exists()


CLOSE = f"--{BOUNDARY}--".encode()


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["in the file's text", "in a preamble"])
def test_the_closing_dashes_within_a_line_are_no_end_of_the_body(client_for, analyst, where):
    """The close delimiter begins a line. Its dashes anywhere had been taken for the body's
    end: a body cut off past a file's line "A note about --boundary-- in passing." made a
    source of the text up to the note, and one with them in its preamble was answered "No
    file was submitted"."""
    note = b"A note about " + CLOSE + b" in passing.\r\n"
    body = multipart_body(note + b"Words of the report.\r\n" * 30) if where == "in the file's text" else note + BODY
    response = client_for(analyst).generic("POST", SOURCES, body[:-100], content_type=MULTIPART)
    answer = response.json()
    assert (response.status_code, answer["code"]) == (400, "incomplete_upload"), answer
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_body_of_lf_line_ends_is_still_said_to_have_no_file(client_for, analyst):
    """Django's parser reads no part of a body whose lines end in LF alone: it is answered as
    before, not as a body cut off (its close delimiter begins a line all the same)."""
    response = client_for(analyst).generic("POST", SOURCES, multipart_body(b"A short report.").replace(b"\r\n", b"\n"), content_type=MULTIPART)
    assert response.status_code == 400 and response.json()["errors"]["file"][0].startswith("No file was submitted")


READ = 64 * 1024  # what Django's parser reads of a body at a time (the upload handler's chunk)


@pytest.mark.django_db
@pytest.mark.parametrize("first", [1, 2, 3, 8, len(CLOSE) + 1])
def test_a_close_delimiter_read_in_two_parts_still_ends_the_body(client_for, analyst, first):
    """A close delimiter (CRLF and the dashed boundary) across two of the parser's reads,
    ``first`` of its bytes in the first read, ends the body as one read whole does."""
    empty = multipart_body(b"")
    starts = len(empty) - len(b"\r\n" + CLOSE + b"\r\n")  # where the close delimiter begins, after an empty file
    text = (b"Words of the report. " * 4000)[: READ - first - starts]
    body = multipart_body(text)
    assert body.index(b"\r\n" + CLOSE) == READ - first
    response = client_for(analyst).generic("POST", SOURCES, body, content_type=MULTIPART)
    assert response.status_code == 201, response.json()


@pytest.mark.django_db
def test_a_whole_body_is_still_read_and_one_without_a_file_still_said_so(client_for, analyst):
    client = client_for(analyst)
    whole = client.generic("POST", SOURCES, BODY, content_type=MULTIPART)
    assert whole.status_code == 201, whole.json()
    no_file = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nReport\r\n--{BOUNDARY}--\r\n'.encode()
    response = client.generic("POST", SOURCES, no_file, content_type=MULTIPART)
    assert response.status_code == 400 and response.json()["errors"]["file"][0].startswith("No file was submitted")


@pytest.mark.django_db
def test_a_body_cut_off_in_the_admin_is_said_on_the_form(analyst):
    client = Client()
    client.force_login(analyst)
    body = multipart_body(admin=True)
    response = client.generic("POST", FROM_FILE, body[: len(body) // 2], content_type=MULTIPART)
    html = response.content.decode()
    assert response.status_code == 200 and "The upload was incomplete" in html and "cut off before its end" in html
    assert 'id="cb-ingest-error" role="alert"' in html and 'type="file"' in html
    assert "This field is required" not in html
    assert not Source.objects.exists()


def _sent_short(live_server, path: str, body: bytes, sent: int, headers: dict) -> tuple[int, bytes]:
    """POSTs ``body`` announcing its whole length, sends its first ``sent`` bytes and closes
    the sending side, as a client that dropped mid-upload; the status and answer's body."""
    address = urlsplit(live_server.url)
    head = "".join(f"{name}: {value}\r\n" for name, value in {
        "Host": address.netloc, "Content-Type": MULTIPART, "Content-Length": len(body), "Connection": "close", **headers,
    }.items())
    with socket.create_connection((address.hostname, address.port), timeout=20) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\n{head}\r\n".encode() + body[:sent])
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


# The server's thread sees the test's rows only once committed; the groups the migrations
# made are put back after each such test.
LIVE = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@LIVE
def test_a_connection_closed_mid_upload_is_refused_as_incomplete(live_server, analyst):
    token = Token.objects.create(user=analyst)
    sent = FILE_STARTS + 10_000
    status, answer = _sent_short(live_server, SOURCES, BODY, sent, {"Authorization": f"Token {token.key}"})
    body = json.loads(answer)
    assert (status, body["code"]) == (400, "incomplete_upload"), body
    assert (body["received_bytes"], body["expected_bytes"]) == (sent, len(BODY))
    assert f"after {sent:,} of the {len(BODY):,} bytes it announced" in body["detail"]
    assert not Source.objects.exists()


@LIVE
def test_a_connection_closed_mid_upload_in_the_admin_is_said_on_the_form(live_server, analyst):
    client = Client()
    client.force_login(analyst)
    body = multipart_body(admin=True)
    sent = len(body) - 100  # the closing boundary not reached
    status, answer = _sent_short(live_server, FROM_FILE, body, sent, {"Cookie": f"sessionid={client.cookies['sessionid'].value}"})
    html = answer.decode()
    assert status == 200 and f"after {sent:,} of the {len(body):,} bytes it announced" in html
    assert 'id="cb-ingest-error" role="alert"' in html
    assert not Source.objects.exists()


# ---------------------------------------------------------------------------------------------
# A body holding its own boundary within a line, and bodies the parser refuses: said, and
# their temporary files removed when the refusal is answered.

STRAY = f"--{BOUNDARY}".encode()


@pytest.fixture
def upload_dir(settings, tmp_path):
    """Uploads spooled to a folder of the test's, the garbage collector off while the test
    runs: a temporary file left open is seen there, not removed by a collection."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    enabled = gc.isenabled()
    gc.disable()
    yield tmp_path
    if enabled:
        gc.enable()


@pytest.mark.django_db
@pytest.mark.parametrize("admin", [False, True], ids=["api", "admin"])
def test_a_whole_body_holding_its_boundary_within_a_line_is_refused_not_stored_cut(client_for, analyst, upload_dir, admin):
    """Django's parser takes the boundary anywhere for a delimiter: the file ended there and
    a source was made of "Prices rose 4% in May " with a 201 (22 of 112 characters)."""
    text = b"Prices rose 4% in May " + STRAY + b" according to the ministry.\r\nSecond line of the report.\r\n"
    client = client_for(analyst) if not admin else Client()
    if admin:
        client.force_login(analyst)
    response = client.generic("POST", FROM_FILE if admin else SOURCES, multipart_body(text, admin=admin), content_type=MULTIPART)
    if admin:
        html = response.content.decode()
        assert response.status_code == 200 and "holds its boundary" in html and 'id="cb-ingest-error" role="alert"' in html
    else:
        body = response.json()
        assert (response.status_code, body["code"]) == (400, "parse_error"), body
        assert "holds its boundary" in body["detail"] and BOUNDARY in body["detail"]
    assert not Source.objects.exists()
    assert list(upload_dir.iterdir()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("admin", [False, True], ids=["api", "admin"])
def test_a_body_the_parser_refuses_after_a_file_leaves_no_temporary_file(client_for, analyst, upload_dir, admin):
    """A file part, then a part whose headers pass the 1,024 bytes Django's parser allows:
    its error had left the file spooled before it open on disk until a collection ran
    (rare in a server), up to ``MAX_SOURCE_MB`` a request."""
    long_header = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="notes"\r\nX-Long: {"x" * 2000}\r\n\r\nNote\r\n'.encode()
    body = multipart_body(admin=admin)
    closing = body.rindex(CLOSE)
    body = body[:closing] + long_header + body[closing:]
    client = client_for(analyst) if not admin else Client()
    if admin:
        client.force_login(analyst)
    response = client.generic("POST", FROM_FILE if admin else SOURCES, body, content_type=MULTIPART)
    if admin:
        assert response.status_code == 200 and "The form sent could not be read" in response.content.decode()
    else:
        assert (response.status_code, response.json()["code"]) == (400, "parse_error"), response.json()
    assert not Source.objects.exists()
    assert list(upload_dir.iterdir()) == []


@pytest.mark.django_db
def test_a_boundary_beginning_a_line_of_the_preamble_or_the_file_is_no_refusal(client_for, analyst):
    """Only within a line: the delimiters themselves begin lines, and a preamble may say
    anything before the first."""
    body = b"This is a preamble.\r\n" + multipart_body(b"Words of the report.\r\n" * 10)
    response = client_for(analyst).generic("POST", SOURCES, body, content_type=MULTIPART)
    assert response.status_code == 201, response.json()
