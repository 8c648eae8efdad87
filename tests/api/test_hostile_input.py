"""Hostile bodies on every JSON endpoint answer a clean 4xx as JSON: nesting thousands
deep, bodies beyond MAX_BODY_MB, lone surrogates, NUL; and the largest allowed source is
created."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sources.models import Source

pytestmark = pytest.mark.django_db

DEEP = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"text": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}"


def write_endpoints(corpus) -> list[tuple[str, str]]:
    claim, draft = corpus.published.pk, corpus.draft.pk
    evidence = corpus.draft.evidence.get().pk
    return [
        ("POST", "/api/v1/claims/"),
        ("PATCH", f"/api/v1/claims/{draft}/"),
        *[("POST", f"/api/v1/claims/{claim}/{action}/") for action in ("submit", "approve", "reject", "request-changes", "retract", "reopen")],
        ("POST", "/api/v1/sources/"),
        ("PATCH", f"/api/v1/sources/{corpus.source.pk}/"),
        ("POST", "/api/v1/spans/"),
        ("POST", "/api/v1/evidence/"),
        ("PATCH", f"/api/v1/evidence/{evidence}/"),
        ("POST", "/api/v1/entities/"),
        ("POST", "/api/v1/auth/token/"),
    ]


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] and body["code"]
    return body


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, "[" * 65 + "]" * 65], ids=["array", "object", "just-too-deep"])
def test_json_nested_thousands_deep_is_400_on_every_json_endpoint(client_for, superuser, corpus, body):
    client = client_for(superuser)
    for method, path in write_endpoints(corpus):
        response = client.generic(method, path, body, content_type="application/json")
        assert_json_error(response, 400)["code"] == "parse_error"


def test_json_nested_thousands_deep_is_400_for_anonymous_callers(anonymous):
    assert_json_error(anonymous.post("/api/v1/auth/token/", DEEP, content_type="application/json"), 400)


def test_lone_surrogates_and_nul_are_400(client_for, analyst, source):
    client = client_for(analyst)
    for payload in ('{"title": "\\udc00", "text": "x"}', '{"title": "a\\u0000b", "text": "x"}', '{"title": "t", "text": "\\u0000"}'):
        assert_json_error(client.post("/api/v1/sources/", payload, content_type="application/json"), 400)
    assert_json_error(
        client.post("/api/v1/spans/", {"source": source.pk, "quote": "Russia\x00"}, format="json"), 400
    )


def test_body_beyond_max_body_mb_is_413_as_json(client_for, analyst, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    body = json.dumps({"title": "Too big", "text": "x" * (1024 * 1024)})
    response = client_for(analyst).post("/api/v1/sources/", body, content_type="application/json")
    body = assert_json_error(response, 413)
    assert body["code"] == "request_too_large"
    assert not Source.objects.filter(title="Too big").exists()


def test_a_chunked_body_without_a_length_is_411_not_read_as_empty(client_for, analyst):
    response = client_for(analyst).generic(
        "POST", "/api/v1/sources/fetch/", b'{"url": "https://example.org/"}', content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="",
    )
    body = assert_json_error(response, 411)
    assert body["code"] == "length_required" and "Content-Length" in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/sources/", "/admin/sources/source/add/from-file/"])
def test_a_chunked_body_with_a_length_too_is_refused_not_read_with_its_framing(client_for, analyst, path):
    """Django's development server, which the demo serves with, passes such a body on with
    its chunks' framing, read to the length: a source was stored with "3e8" lines in its
    text."""
    framed = b"3e8\r\n" + b"x" * 1000 + b"\r\n0\r\n\r\n"
    response = client_for(analyst).generic(
        "POST", path, framed, content_type="multipart/form-data; boundary=B", HTTP_TRANSFER_ENCODING="chunked",
    )
    assert response.status_code == 400 and b"both Transfer-Encoding and Content-Length" in response.content
    assert not Source.objects.exists()


def test_body_beyond_max_body_mb_is_413_on_admin_pages_too(superuser, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = Client()
    client.force_login(superuser)
    response = client.post("/admin/sources/source/add/", {"title": "t", "text": "x" * 5000})
    # Said in words on the admin's pages, where a person reads it, not as JSON.
    assert response.status_code == 413 and response["Content-Type"].startswith("text/plain")
    assert "the limit is 1,024 bytes (MAX_BODY_MB)" in response.content.decode()


def test_source_of_fifteen_megabytes_is_created_under_the_default_limit(client_for, analyst):
    text = ("Russia voted six times for sanctions on Iran. " * 400_000)[: 15 * 1024 * 1024]
    response = client_for(analyst).post(
        "/api/v1/sources/", json.dumps({"title": "Large", "text": text}), content_type="application/json"
    )
    assert response.status_code == 201, response.content[:300]
    assert Source.objects.get(title="Large").text_length == len(text)


def test_options_on_the_api_docs_pages_is_not_a_server_error(anonymous):
    for path in ("/api/docs/", "/api/redoc/"):
        response = anonymous.options(path)
        assert response.status_code == 200
        assert "GET" in response["Allow"]


@pytest.mark.parametrize(
    "payload, key",
    [
        ('{"title": "First", "title": "Second", "text": "x"}', "title"),
        ('{"title": "t", "text": "x", "notes": {"a": 1, "a": 2}}', "a"),
    ],
)
def test_a_key_given_twice_in_a_json_object_is_400_naming_it(client_for, analyst, payload, key):
    response = client_for(analyst).post("/api/v1/sources/", payload, content_type="application/json")
    assert_json_error(response, 400)
    assert f"gives the key '{key}' twice" in response.json()["detail"]
    assert not Source.objects.filter(text="x").exists()


def test_json_that_is_not_json_is_still_a_400_that_says_so(client_for, analyst):
    response = client_for(analyst).post("/api/v1/sources/", '{"title": ', content_type="application/json")
    assert_json_error(response, 400)
    assert "JSON parse error" in response.json()["detail"]
