"""Errors are JSON with ``detail`` and ``code``; no input produces a 500."""

from __future__ import annotations

import gzip
import json

import pytest

from claims.models import Claim

pytestmark = pytest.mark.django_db


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    # JSON, or JSON-LD on the export endpoints (an error takes the negotiated format).
    assert response["Content-Type"].split(";")[0] in ("application/json", "application/ld+json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    if code is not None:
        assert body["code"] == code
    return body


@pytest.mark.parametrize(
    "body, content_type, code",
    [
        ('{"text": "unterminated', "application/json", "parse_error"),
        ("[1, 2", "application/json", "parse_error"),
        ('{"text": NaN}', "application/json", "parse_error"),
        ('{"text": "\\ud800"}', "application/json", "parse_error"),
        ("text=hello", "application/x-www-form-urlencoded", "unsupported_media_type"),
        ("<claim/>", "application/xml", "unsupported_media_type"),
    ],
)
def test_unparseable_bodies(client_for, analyst, body, content_type, code):
    response = client_for(analyst).generic("POST", "/api/v1/claims/", body, content_type=content_type)
    _error(response, 415 if code == "unsupported_media_type" else 400, code)


@pytest.mark.parametrize(
    "path, payload",
    [
        ("/api/v1/claims/", []),
        ("/api/v1/claims/", "a string"),
        ("/api/v1/claims/", {"text": 5, "evidence": "all of it"}),
        ("/api/v1/claims/", {"text": "t", "entities": ["russia"]}),
        ("/api/v1/claims/", {"text": "t", "evidence": [{"span": True}]}),
        ("/api/v1/claims/", {"text": "t", "evidence": [{"span": 1.5}]}),
        ("/api/v1/claims/", {"text": "t", "evidence": [{"source": "{source}", "start": 10**30, "end": 10**31}]}),
        ("/api/v1/claims/", {"text": "t", "evidence": [{"source": "{source}", "quote": None}]}),
        ("/api/v1/claims/", {"text": "nul \x00 inside"}),
        ("/api/v1/spans/", {"source": "{source}", "start": 2**63, "end": 2**64}),
        ("/api/v1/spans/", {"source": "{source}", "start": -1, "end": 3}),
        ("/api/v1/spans/", {"source": "{source}", "start": "zero", "end": "three"}),
        ("/api/v1/spans/", {"source": "{source}", "quote": ""}),
        ("/api/v1/spans/", {"source": "{source}", "quote": "Moscow", "occurrence": 0}),
        ("/api/v1/spans/", {"source": 10**40, "quote": "Moscow"}),
        ("/api/v1/spans/", {"source": "abc", "quote": "Moscow"}),
        ("/api/v1/sources/", {"title": ["a"], "text": {"b": 1}}),
        ("/api/v1/sources/", {"title": "t", "text": "x", "retrieved_at": "yesterday"}),
        ("/api/v1/entities/", {"name": "x" * 301}),
        ("/api/v1/entities/", {"name": "x", "aliases": "not a list"}),
        ("/api/v1/evidence/", {"claim": 10**20, "span": 1}),
        ("/api/v1/claims/{draft}/submit/", {"comment": ["not", "text"]}),
    ],
)
def test_wrong_types_and_ranges_answer_400(client_for, analyst, corpus, path, payload):
    ids = {"source": corpus.source.pk, "draft": corpus.draft.pk}

    def fill(value):
        if value == "{source}":
            return ids["source"]
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value

    response = client_for(analyst).post(path.format(**ids), fill(payload), format="json")
    _error(response, 400)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/424242/",
        "/api/v1/claims/99999999999999999999999999/",
        "/api/v1/claims/abc/",
        "/api/v1/claims/-1/",
        "/api/v1/claims/424242/history/",
        "/api/v1/sources/424242/",
        "/api/v1/spans/424242/annotation/",
        "/api/v1/evidence/1e5/",
        "/api/v1/entities/%00/",
        "/api/v1/no-such-thing/",
        "/api/v2/claims/",
    ],
)
def test_unknown_objects_and_addresses_answer_json_404(client_for, analyst, path):
    _error(client_for(analyst).get(path), 404, "not_found")


def test_unknown_object_on_write_answers_404(client_for, analyst):
    _error(client_for(analyst).patch("/api/v1/claims/424242/", {"text": "x"}, format="json"), 404, "not_found")
    _error(client_for(analyst).post("/api/v1/claims/424242/submit/", {}, format="json"), 404, "not_found")


@pytest.mark.parametrize(
    "query",
    [
        "page_size=1e3",
        "cursor=%ff%fe",
        "created_after=2024-01-01T25:00:00",
        "created_after=0267-11-25T20:56:31-19:37",  # an offset PostgreSQL refuses
        "published_before=0001-01-01T00:00:00%2B05:00",  # before year 1 in UTC
        "created_before=9999-12-31T23:59:59-05:00",  # after year 9999 in UTC
        "period_on=0000-00-00",
        "q=%00",
        "entity=%00",
        "author=%00",
        "source=%00",
    ],
)
def test_hostile_query_strings_never_500(anonymous, query):
    response = anonymous.get(f"/api/v1/claims/?{query}")
    assert response.status_code in (200, 400), response.content


def test_method_not_allowed_is_json(client_for, superuser, corpus):
    response = client_for(superuser).put(f"/api/v1/claims/{corpus.draft.pk}/", {}, format="json")
    _error(response, 405, "method_not_allowed")


def test_unauthenticated_write_is_401_with_a_challenge(anonymous):
    response = anonymous.post("/api/v1/claims/", {"text": "x"}, format="json")
    _error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token, Bearer"


def test_workflow_conflict_body(client_for, reviewer, corpus):
    body = _error(client_for(reviewer).post(f"/api/v1/claims/{corpus.draft.pk}/approve/", {}, format="json"), 409)
    assert body["code"] == "invalid_transition"


@pytest.mark.parametrize("coding", ["gzip", "br", "deflate, gzip", "GZIP"])
def test_a_body_with_a_content_coding_is_refused_415_and_nothing_is_written(client_for, analyst, coding):
    """Nothing decodes request bodies: a body labelled gzip that is not was read as plain
    JSON, and a compressed one failed as unreadable JSON."""
    body = json.dumps({"text": "Russia voted six times."}).encode()
    raw = gzip.compress(body) if "gzip" in coding.lower() else body
    for data in (body, raw):
        response = client_for(analyst).generic(
            "POST", "/api/v1/claims/", data, content_type="application/json", HTTP_CONTENT_ENCODING=coding
        )
        assert response.status_code == 415, response.content
        assert response.json()["code"] == "unsupported_content_encoding"
        assert response["Accept-Encoding"] == "identity"
    assert not Claim.objects.exists()
    identity = client_for(analyst).generic(
        "POST", "/api/v1/claims/", body, content_type="application/json", HTTP_CONTENT_ENCODING="identity"
    )
    assert identity.status_code == 201, identity.content
    # A request without a body is not refused for the header alone.
    assert client_for(None).get("/api/v1/claims/", HTTP_CONTENT_ENCODING="gzip").status_code == 200
