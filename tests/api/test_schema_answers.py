"""The real answers of the sources, spans and changes-feed operations (and the refusals of
claims that carry fields of their own, of the token endpoint its lockout), each checked against
the OpenAPI schema the project serves (``/api/schema/``): its status is documented for that
operation, its documented required headers are there, and its JSON body validates against
the documented body, read as closed (every field the body carries is declared: a generated
client reads only the declared ones).

Every refusal is made for real: a duplicate upload, a damaged original (other bytes
written into the stored file), a throttled request (a rate of 0), a body over the limit,
a body of the wrong type, an unknown token, a full disk.
"""

from __future__ import annotations

import copy
import errno
import os
import hashlib
from http.server import BaseHTTPRequestHandler

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from jsonschema import Draft202012Validator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from project.storage import AtomicFileSystemStorage
from sources.models import Source
from tests.support import local_server

pytestmark = pytest.mark.django_db

SOURCES = "/api/v1/sources/"
FETCH = "/api/v1/sources/fetch/"
CHANGES = "/api/v1/changes/"
ORIGINAL_BYTES = b"An original kept for download.\n"


# ---------------------------------------------------------------------------------------------
# The schema, and a response checked against it

_served: dict = {}


def served_schema() -> dict:
    """The schema as ``/api/schema/`` serves it (read once per run, whatever throttle rates
    the test that asks first has set)."""
    if not _served:
        unthrottled = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}
        with override_settings(REST_FRAMEWORK=unthrottled):
            response = APIClient().get("/api/schema/?format=json")
        assert response.status_code == 200
        _served.update(response.json())
    return _served


def _as_json_schema(node):
    """OpenAPI 3.0's schema dialect as JSON Schema: ``nullable`` as a ``null`` type, and
    objects closed (``additionalProperties: false``) unless they say what else they take."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    return node


def assert_documented(response, method: str, path: str) -> None:
    """``response`` (to ``method`` on the schema's ``path``) is an answer the schema documents."""
    schema = served_schema()
    operation = schema["paths"][path][method]
    status = str(response.status_code)
    said = f"{method.upper()} {path} answered {status}"
    assert status in operation["responses"], f"{said}, not among {sorted(operation['responses'])}: {response.content[:300]!r}"
    documented = operation["responses"][status]
    for name, header in documented.get("headers", {}).items():
        if header.get("required"):
            assert response.has_header(name), f"{said} without its required header {name}"
    content = documented.get("content")
    if not content:
        assert not getattr(response, "content", b""), f"{said} with a body the schema does not document"
        return
    media_type = response["Content-Type"].split(";")[0].strip()
    if media_type not in content:
        assert "*/*" in content, f"{said} as {media_type}, documented as {sorted(content)}"
        return
    body = response.json()
    root = _as_json_schema({**content[media_type]["schema"], "components": copy.deepcopy(schema["components"])})
    errors = sorted(Draft202012Validator(root).iter_errors(body), key=lambda error: list(error.path))
    assert not errors, f"{said} with a body the schema does not describe: " + "; ".join(
        f"{'/'.join(map(str, error.path)) or '(body)'}: {error.message}" for error in errors[:5]
    )


# ---------------------------------------------------------------------------------------------
# Requests


def token_client(user) -> APIClient:
    """A client sending ``user``'s token, as API clients do."""
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def upload(client, name: str, data: bytes, content_type: str = "text/plain", **fields):
    return client.post(SOURCES, {"file": SimpleUploadedFile(name, data, content_type=content_type), **fields}, format="multipart")


class Pages(BaseHTTPRequestHandler):
    """What ``/sources/fetch/`` reads: a text, and an address with nothing at it."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        found = self.path == "/notes.txt"
        body = b"Plain notes, fetched for the schema's sake.\n" if found else b"not here"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def pages():
    with local_server(Pages) as base:
        yield base


@pytest.fixture
def fetching(settings, pages) -> str:
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    return pages


@pytest.fixture
def uploaded(superuser) -> dict:
    """A source uploaded as a file (it has an original), as the upload answered it."""
    response = upload(token_client(superuser), "notes.txt", ORIGINAL_BYTES)
    assert response.status_code == 201, response.content
    return response.json()


# Every sources, spans and changes-feed operation: the schema's path, and an address of it.
# ``{id}`` is filled with an existing object's id.
OPERATIONS = [
    ("get", "/api/v1/sources/"),
    ("post", "/api/v1/sources/"),
    ("post", "/api/v1/sources/fetch/"),
    ("get", "/api/v1/sources/{id}/"),
    ("patch", "/api/v1/sources/{id}/"),
    ("delete", "/api/v1/sources/{id}/"),
    ("get", "/api/v1/sources/{id}/original/"),
    ("get", "/api/v1/spans/"),
    ("post", "/api/v1/spans/"),
    ("get", "/api/v1/spans/{id}/"),
    ("delete", "/api/v1/spans/{id}/"),
    ("get", "/api/v1/spans/{id}/annotation/"),
    ("get", "/api/v1/changes/"),
]
WITH_A_BODY = [(method, path) for method, path in OPERATIONS if method in ("post", "patch")]


def address(path: str, corpus) -> str:
    if "/spans/" in path:
        return path.replace("{id}", str(corpus.free_span.pk))
    return path.replace("{id}", str(corpus.source.pk))


def test_the_operations_checked_are_every_sources_spans_and_changes_operation():
    documented = {
        (method, path)
        for path, operations in served_schema()["paths"].items()
        if path.startswith(("/api/v1/sources/", "/api/v1/spans/", "/api/v1/changes/"))
        for method in operations
    }
    assert documented == set(OPERATIONS)


# ---------------------------------------------------------------------------------------------
# What any operation may answer


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_an_unknown_token_is_a_documented_401(corpus, method, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = getattr(client, method)(address(path, corpus), {} if method == "get" else None, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert_documented(response, method, path)


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_a_throttled_request_is_a_documented_429_with_retry_after(corpus, superuser, settings, method, path):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "0/minute", "user": "0/minute"}}
    response = getattr(token_client(superuser), method)(address(path, corpus), {} if method == "get" else {"text": "x"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) > 0
    assert_documented(response, method, path)


@pytest.mark.parametrize("method, path", WITH_A_BODY)
def test_a_body_over_max_body_mb_is_a_documented_413_saying_its_limit(corpus, superuser, settings, method, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = getattr(token_client(superuser), method)(address(path, corpus), {"text": "x" * 4096}, format="json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large" and response.json()["limit_bytes"] == 1024
    assert_documented(response, method, path)


READS = [(method, path) for method, path in OPERATIONS if method == "get" and not path.endswith("/original/")]


@pytest.mark.parametrize("method, path", READS)
def test_an_accept_header_the_operation_cannot_answer_is_a_documented_406(corpus, superuser, method, path):
    response = token_client(superuser).get(address(path, corpus), HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert_documented(response, method, path)


@pytest.mark.parametrize("method, path", READS)
def test_a_format_a_read_does_not_answer_in_is_a_documented_400(corpus, superuser, method, path):
    response = token_client(superuser).get(address(path, corpus), {"format": "xml"})
    assert response.status_code in (400, 404)
    assert_documented(response, method, path)


@pytest.mark.parametrize("method, path", READS)
def test_a_read_sent_in_chunks_is_a_documented_411(corpus, superuser, method, path):
    response = token_client(superuser).generic("GET", address(path, corpus), b"", HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411
    assert_documented(response, method, path)


@pytest.mark.parametrize("method, path", WITH_A_BODY)
def test_a_chunked_body_without_a_length_is_a_documented_411(corpus, superuser, method, path):
    response = token_client(superuser).generic(
        method.upper(), address(path, corpus), b'{"text": "x"}', content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="",
    )
    assert response.status_code == 411 and response.json()["code"] == "length_required"
    assert_documented(response, method, path)


@pytest.mark.parametrize("method, path", WITH_A_BODY)
def test_a_body_with_a_content_coding_is_a_documented_415(corpus, superuser, method, path):
    response = token_client(superuser).generic(
        method.upper(), address(path, corpus), b"\x1f\x8b not read", content_type="application/json", HTTP_CONTENT_ENCODING="gzip",
    )
    assert response.status_code == 415 and response.json()["code"] == "unsupported_content_encoding"
    assert_documented(response, method, path)


# ---------------------------------------------------------------------------------------------
# POST /api/v1/sources/ and /api/v1/sources/fetch/


def test_an_upload_and_its_duplicate_are_documented_the_409_naming_the_existing_source(superuser):
    client = token_client(superuser)
    first = upload(client, "a.txt", b"The same bytes, twice.\n")
    assert_documented(first, "post", SOURCES)
    again = upload(client, "b.txt", b"The same bytes, twice.\n")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_original"
    assert again.json()["existing_source"]["id"] == first.json()["id"]
    assert_documented(again, "post", SOURCES)


def test_a_url_already_recorded_is_a_documented_409_naming_the_existing_source(superuser, uploaded):
    client = token_client(superuser)
    first = client.post(SOURCES, {"title": "First", "text": "A text.", "url": "https://example.org/a"}, format="json")
    assert_documented(first, "post", SOURCES)
    again = upload(client, "c.txt", b"Other bytes, same address.\n", url="https://example.org/a")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_url"
    assert again.json()["existing_source"]["id"] == first.json()["id"]
    assert_documented(again, "post", SOURCES)


def test_an_upload_over_max_source_mb_is_a_documented_400_saying_its_limit(superuser, settings):
    settings.MAX_SOURCE_MB = 0.01
    response = upload(token_client(superuser), "big.txt", b"w" * 20_000)
    assert response.status_code == 400 and response.json()["code"] == "too_large"
    assert response.json()["limit_bytes"] == int(0.01 * 1024 * 1024)
    assert_documented(response, "post", SOURCES)


def test_invalid_fields_are_a_documented_400(superuser):
    response = token_client(superuser).post(SOURCES, {"title": "", "text": "A text."}, format="json")
    assert response.status_code == 400 and "errors" in response.json()
    assert_documented(response, "post", SOURCES)


def test_a_body_that_is_neither_json_nor_a_form_is_a_documented_415(superuser):
    response = token_client(superuser).post(SOURCES, "A text.", content_type="text/plain")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    assert_documented(response, "post", SOURCES)


def test_a_fetch_and_its_duplicate_are_documented_the_409_naming_the_existing_source(superuser, fetching):
    client = token_client(superuser)
    first = client.post(FETCH, {"url": fetching + "/notes.txt"}, format="json")
    assert first.status_code == 201
    assert_documented(first, "post", FETCH)
    again = client.post(FETCH, {"url": fetching + "/notes.txt"}, format="json")
    assert again.status_code == 409 and again.json()["existing_source"]["id"] == first.json()["id"]
    assert_documented(again, "post", FETCH)


def test_a_page_the_server_refused_is_a_documented_400_saying_its_status(superuser, fetching):
    response = token_client(superuser).post(FETCH, {"url": fetching + "/missing"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "http_status"
    assert response.json()["status"] == 404
    assert_documented(response, "post", FETCH)


def test_a_fetch_sent_as_a_form_is_a_documented_415(superuser, fetching):
    response = token_client(superuser).post(FETCH, {"url": fetching + "/notes.txt"}, format="multipart")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"
    assert_documented(response, "post", FETCH)


def test_creating_without_a_role_is_a_documented_401_and_403(outsider):
    assert_documented(APIClient().post(FETCH, {"url": "https://example.org/"}, format="json"), "post", FETCH)
    assert_documented(token_client(outsider).post(SOURCES, {"title": "T", "text": "A text."}, format="json"), "post", SOURCES)


# ---------------------------------------------------------------------------------------------
# /api/v1/sources/{id}/


def test_reading_a_source_again_and_a_missing_one_are_documented(corpus, superuser):
    client = token_client(superuser)
    path = f"{SOURCES}{corpus.source.pk}/"
    first = client.get(path)
    assert_documented(first, "get", "/api/v1/sources/{id}/")
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert_documented(again, "get", "/api/v1/sources/{id}/")
    assert_documented(client.get(f"{SOURCES}424242/"), "get", "/api/v1/sources/{id}/")


def test_changing_a_source_to_a_url_already_recorded_is_a_documented_409_naming_the_existing_source(corpus, superuser, uploaded):
    client = token_client(superuser)
    other = client.post(SOURCES, {"title": "Other", "text": "A text.", "url": "https://example.org/b"}, format="json").json()
    again = client.post(SOURCES, {"title": "Again", "text": "A text.", "url": "https://example.org/b#top"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate_url"
    assert_documented(again, "post", SOURCES)
    response = client.patch(f"{SOURCES}{corpus.source.pk}/", {"url": "https://example.org/b"}, format="json")
    assert response.status_code == 409 and response.json()["existing_source"]["id"] == other["id"]
    assert_documented(response, "patch", "/api/v1/sources/{id}/")
    stale = client.patch(f"{SOURCES}{corpus.source.pk}/", {"title": "New"}, format="json", HTTP_IF_MATCH='"source-1-0"')
    assert stale.status_code == 412
    assert_documented(stale, "patch", "/api/v1/sources/{id}/")
    changed = client.patch(f"{SOURCES}{corpus.source.pk}/", {"title": "New"}, format="json")
    assert changed.status_code == 200
    assert_documented(changed, "patch", "/api/v1/sources/{id}/")


def test_deleting_a_cited_source_and_a_free_one_are_documented(corpus, superuser, uploaded):
    client = token_client(superuser)
    cited = client.delete(f"{SOURCES}{corpus.source.pk}/")
    assert cited.status_code == 409
    assert_documented(cited, "delete", "/api/v1/sources/{id}/")
    free = client.delete(f"{SOURCES}{uploaded['id']}/")
    assert free.status_code == 204
    assert_documented(free, "delete", "/api/v1/sources/{id}/")


# ---------------------------------------------------------------------------------------------
# GET /api/v1/sources/{id}/original/

ORIGINAL = "/api/v1/sources/{id}/original/"


def test_an_original_and_its_304_are_documented_with_their_etag(superuser, uploaded):
    client = token_client(superuser)
    response = client.get(uploaded["original_url"])
    assert response.status_code == 200
    assert_documented(response, "get", ORIGINAL)
    etag = f'"{hashlib.sha256(ORIGINAL_BYTES).hexdigest()}"'
    assert response["ETag"] == etag
    again = client.get(uploaded["original_url"], HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert_documented(again, "get", ORIGINAL)
    operation = served_schema()["paths"][ORIGINAL]["get"]
    assert any(parameter["name"] == "If-None-Match" and parameter["in"] == "header" for parameter in operation["parameters"])
    assert "ETag" in operation["responses"]["200"]["headers"] and "ETag" in operation["responses"]["304"]["headers"]


def test_a_damaged_original_is_a_documented_409(superuser, uploaded, settings):
    stored = settings.MEDIA_ROOT / Source.objects.get(pk=uploaded["id"]).original.name
    stored.write_bytes(b"Other bytes, of another length.")
    response = token_client(superuser).get(uploaded["original_url"])
    assert response.status_code == 409 and response.json()["code"] == "original_damaged"
    assert_documented(response, "get", ORIGINAL)


def test_a_storage_that_does_not_answer_is_a_documented_503_with_retry_after(superuser, uploaded, monkeypatch):
    from django.core.files.storage import default_storage

    def refuse(*args, **kwargs):
        raise PermissionError("the storage refused")

    monkeypatch.setattr(default_storage, "open", refuse)
    response = token_client(superuser).get(uploaded["original_url"])
    assert response.status_code == 503 and response.json()["code"] == "original_unavailable"
    assert_documented(response, "get", ORIGINAL)
    assert "Retry-After" in served_schema()["paths"][ORIGINAL]["get"]["responses"]["503"]["headers"]


def test_an_original_refused_or_absent_is_documented(corpus, outsider, superuser, uploaded):
    assert_documented(APIClient().get(uploaded["original_url"]), "get", ORIGINAL)
    assert_documented(token_client(outsider).get(uploaded["original_url"]), "get", ORIGINAL)
    none = token_client(superuser).get(f"{SOURCES}{corpus.source.pk}/original/")
    assert none.status_code == 404 and none.json()["code"] == "no_original"
    assert_documented(none, "get", ORIGINAL)


# ---------------------------------------------------------------------------------------------
# Lists and the changes feed


def test_the_source_list_and_its_400_are_documented(corpus):
    assert_documented(APIClient().get(SOURCES), "get", SOURCES)
    assert_documented(APIClient().get(SOURCES, {"stauts": "x"}), "get", SOURCES)


def test_the_changes_feed_and_its_400_are_documented(corpus, superuser):
    assert_documented(APIClient().get(CHANGES), "get", CHANGES)
    assert_documented(token_client(superuser).get(CHANGES, {"after": 0, "limit": 5}), "get", CHANGES)
    refused = APIClient().get(CHANGES, {"limit": "0"})
    assert refused.status_code == 400
    assert_documented(refused, "get", CHANGES)


# ---------------------------------------------------------------------------------------------
# POST /api/v1/auth/token/: its 429 is a lockout as well as a throttle


def test_a_login_locked_out_is_a_documented_429_with_retry_after(analyst, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = APIClient()
    for guess in range(2):
        client.post("/api/v1/auth/token/", {"username": "analyst", "password": f"guess-{guess}"}, format="json")
    locked = client.post("/api/v1/auth/token/", {"username": "analyst", "password": "pw-analyst"}, format="json")
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked_out"
    assert_documented(locked, "post", "/api/v1/auth/token/")
    assert "login_locked_out" in served_schema()["paths"]["/api/v1/auth/token/"]["post"]["responses"]["429"]["description"]


# ---------------------------------------------------------------------------------------------
# Claims: the fields their refusals carry


def test_a_submission_lacking_evidence_is_a_documented_409_listing_what_is_missing(analyst):
    client = token_client(analyst)
    claim = client.post("/api/v1/claims/", {"text": "A claim without evidence."}, format="json").json()
    response = client.post(f"/api/v1/claims/{claim['id']}/submit/", {}, format="json")
    assert response.status_code == 409 and response.json()["missing"]
    assert_documented(response, "post", "/api/v1/claims/{id}/submit/")


def test_a_transition_from_the_wrong_status_is_a_documented_409_saying_the_status(corpus, reviewer):
    response = token_client(reviewer).post(f"/api/v1/claims/{corpus.draft.pk}/approve/", {"comment": "Fine."}, format="json")
    assert response.status_code == 409 and response.json()["status"] == "draft"
    assert_documented(response, "post", "/api/v1/claims/{id}/approve/")


def test_approving_over_the_editorial_checks_without_a_comment_is_a_documented_400_naming_them(analyst, reviewer, make_claim):
    claim = make_claim(analyst, text="Russia voted seven times for UN Security Council sanctions on Iran.", status="in_review")
    response = token_client(reviewer).post(f"/api/v1/claims/{claim.pk}/approve/", {}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "comment_required" and response.json()["checks"]
    assert_documented(response, "post", "/api/v1/claims/{id}/approve/")


def test_approving_a_claim_whose_correction_is_published_is_a_documented_409_naming_it(analyst, analyst2, reviewer, reviewer2, make_claim, source):
    from claims import services

    previous = make_claim(analyst, status="in_review")
    correction = services.claim_create(
        author=analyst2, text="Russia voted six times for sanctions on Iran between 2006 and 2010.", verdict="supported",
        confidence="moderate", supersedes=previous, evidence=[services.EvidenceInput(source=source, quote="Russia voted six times")],
    )
    services.claim_submit(claim=correction, user=analyst2)
    services.claim_approve(claim=correction, user=reviewer2, comment="The correction's own reading.")
    response = token_client(reviewer).post(f"/api/v1/claims/{previous.pk}/approve/", {"comment": "The old reading."}, format="json")
    assert response.status_code == 409 and response.json()["superseded_by"] == correction.pk
    assert_documented(response, "post", "/api/v1/claims/{id}/approve/")


def test_a_relation_already_there_is_a_documented_409_naming_it(corpus, analyst):
    client = token_client(analyst)
    relations = f"/api/v1/claims/{corpus.draft.pk}/relations/"
    assert client.post(relations, {"to_claim": corpus.published.pk, "kind": "related"}, format="json").status_code == 201
    again = client.post(relations, {"to_claim": corpus.published.pk, "kind": "related"}, format="json")
    assert again.status_code == 409 and again.json()["relation"]
    assert_documented(again, "post", "/api/v1/claims/{id}/relations/")


def test_evidence_already_there_is_a_documented_409_naming_it(corpus, analyst):
    evidence = token_client(analyst).post("/api/v1/evidence/", {"claim": corpus.draft.pk, "span": corpus.draft_span.pk}, format="json")
    assert evidence.status_code == 409 and evidence.json()["evidence"] and "evidence_index" not in evidence.json()
    assert_documented(evidence, "post", "/api/v1/evidence/")


# ---------------------------------------------------------------------------------------------
# A full disk


@pytest.mark.parametrize("path", [SOURCES, FETCH])
@pytest.mark.parametrize("error, status, code", [
    (errno.ENOSPC, 507, "storage_full"),  # a full disk
    (errno.EROFS, 503, "storage_unavailable"),  # a volume that cannot be written
])
def test_a_storage_that_cannot_take_the_original_is_documented(superuser, fetching, monkeypatch, path, error, status, code):
    def refused(self, name, content):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(AtomicFileSystemStorage, "_save", refused)
    client = token_client(superuser)
    if path == SOURCES:
        response = upload(client, "a.txt", b"Bytes that find no room.\n")
    else:
        response = client.post(FETCH, {"url": fetching + "/notes.txt"}, format="json")
    assert response.status_code == status and response.json()["code"] == code
    assert_documented(response, "post", path)
