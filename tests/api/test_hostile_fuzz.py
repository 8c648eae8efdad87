"""Hand-made hostile input on every path, beside the schema-driven fuzzing of
tests/api/test_schemathesis.py: no answer may be a server error (5xx).

The API: every write endpoint with deep nesting, bodies over the limit, lone surrogates,
NUL, every field of a valid body replaced by each wrong type; hostile full-text queries and
tampered cursors on the lists. The admin: every URL it has, with junk ids, and its lists
with junk query strings.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

WRONG_TYPES = ["0", "-1", "1e999", "1.5", "true", "null", '""', '"\\u0000"', '"\\ud800"', "[]", "{}", '[{"a": 1}]',
               '"' + "x" * 100_000 + '"', "99999999999999999999999"]


def cursor(payload) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


HOSTILE_Q = ['"', '""', "*", "-", "NEAR(a b", "a AND OR b", "(", ")", "'", "\\", "%", "_", "a:b", "^a", "{a}",
             "\x00", "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"), "x" * 10_000, "🙂" * 500,
             "OR", "NOT", "a -b -c -d", '"unterminated', "col:text", "a" + " OR a" * 200]
TAMPERED_CURSORS = [
    "%ff%fe", "!!!", "a", "====", cursor(b"not json"), cursor([]), cursor({}), cursor({"o": "-id"}),
    cursor({"o": "-id", "v": "x", "i": "y", "r": 0}), cursor({"o": "-id", "v": 1, "i": 2**80, "r": 0}),
    cursor({"o": "-created_at", "v": "9999-99-99", "i": 1, "r": 1}), cursor({"o": "-created_at", "v": [1], "i": {}, "r": "x"}),
    cursor({"o": "-created_at", "v": "\u0000", "i": 1, "r": 0}), cursor({"o": "id", "v": 1e308, "i": -1, "r": 2}),
    cursor(b"\xff\xfe"),
]
LISTS = ["/api/v1/claims/", "/api/v1/sources/", "/api/v1/spans/", "/api/v1/evidence/", "/api/v1/entities/",
         "/api/v1/review-queue/"]


@pytest.fixture
def api_client(superuser, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}
    token, _ = Token.objects.get_or_create(user=superuser)
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")


def valid_bodies(corpus) -> list[tuple[str, str, dict]]:
    source, draft = corpus.source.pk, corpus.draft.pk
    return [
        ("POST", "/api/v1/claims/", {"text": "A claim.", "verdict": "supported", "confidence": "high",
                                     "period_start": "2020-01-01", "entities": [], "notes": "n",
                                     "evidence": [{"source": source, "quote": "Russia voted six", "stance": "supports",
                                                   "prefix": "", "suffix": " times", "occurrence": 1}]}),
        ("PATCH", f"/api/v1/claims/{draft}/", {"text": "Changed.", "verdict": "refuted", "period_end": "2021-01-01"}),
        ("POST", f"/api/v1/claims/{corpus.in_review.pk}/reject/", {"comment": "No."}),
        ("POST", "/api/v1/sources/", {"title": "t", "text": "x", "url": "https://example.org/a", "published_on": "2020-01-01",
                                      "kind": "article", "reliability": "B", "language": "en"}),
        ("PATCH", f"/api/v1/sources/{source}/", {"notes": "n", "text": corpus.source.text}),
        ("POST", "/api/v1/spans/", {"source": source, "start": 0, "end": 6, "quote": "Russia"}),
        ("POST", "/api/v1/evidence/", {"claim": draft, "span": corpus.free_span.pk, "stance": "context", "note": "n"}),
        ("PATCH", f"/api/v1/evidence/{corpus.draft.evidence.get().pk}/", {"stance": "refutes", "note": "n"}),
        ("POST", "/api/v1/entities/", {"name": "Iran", "kind": "country", "aliases": ["Persia"], "wikidata_id": "Q794"}),
        ("PATCH", "/api/v1/entities/424242/", {"name": "x"}),
        ("POST", "/api/v1/auth/token/", {"username": "admin", "password": "pw-admin"}),
    ]


def test_no_body_makes_any_write_endpoint_fail_with_a_server_error(api_client, corpus, settings):
    failures = []

    statuses = []

    def send(method, path, body):
        response = api_client.generic(method, path, body, content_type="application/json")
        statuses.append(response.status_code)
        if response.status_code >= 500:
            failures.append((method, path, body[:120], response.status_code))

    for method, path, valid in valid_bodies(corpus):
        for body in ["[" * 5000, "[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000, "", "{", "null",
                     '"text"', "[]", "0", '{"\\ud800": 1}', '{"text": "\\udfff"}', "\x00", '{"a": NaN}']:
            send(method, path, body)
        for name in valid:
            for wrong in WRONG_TYPES:
                send(method, path, json.dumps({**valid, name: "\u2063wrong"}).replace('"\\u2063wrong"', wrong))
            if name == "evidence":
                for key in valid["evidence"][0]:
                    for wrong in WRONG_TYPES:
                        item = {**valid["evidence"][0], key: "\u2063wrong"}
                        send(method, path, json.dumps({**valid, "evidence": [item]}).replace('"\\u2063wrong"', wrong))
        send(method, path, json.dumps({**valid, "status": "published", "id": 1, "version": 9}))
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    for method, path, valid in valid_bodies(corpus):
        response = api_client.generic(method, path, json.dumps({**valid, "text": "x" * 20_000}), content_type="application/json")
        if response.status_code != 413:
            failures.append((method, path, "over the body limit", response.status_code))
    assert failures == []
    assert statuses.count(400) > 0.8 * len(statuses)  # the bodies did reach validation


def test_no_query_string_makes_a_list_fail_with_a_server_error(api_client, corpus):
    anonymous = Client(raise_request_exception=False)
    failures = []
    for client in (anonymous, api_client):
        for path in LISTS:
            for q in HOSTILE_Q:
                response = client.get(path, {"q": q})
                if response.status_code >= 500:
                    failures.append((path, "q", q[:40], response.status_code))
            for value in TAMPERED_CURSORS:
                response = client.get(f"{path}?cursor={value}")
                if response.status_code >= 500:
                    failures.append((path, "cursor", value, response.status_code))
            for query in ["page_size=0", "page_size=-1", "page_size=99999999999999999999", "ordering=%00", "ordering=-",
                          "source=99999999999999999999", "claim=-1", "status=%ff", "created_after=%00", "author=" + "a" * 5000,
                          "entity=" + "é" * 500, "published_after=99999-01-01", "period_on=2020-02-30", "kind=%00"]:
                response = client.get(f"{path}?{query}")
                if response.status_code >= 500:
                    failures.append((path, query, response.status_code))
    assert failures == []


# ---------------------------------------------------------------------------------------------
# The admin


def admin_routes(patterns=None, prefix: str = "/admin/") -> list[str]:
    """Every route of the admin site, as a regular expression's text."""
    routes = []
    for entry in admin.site.urls[0] if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            routes += admin_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            routes.append(prefix + str(entry.pattern))
    return routes


JUNK_IDS = ["abc", "99999999999999999999", "-1", "0", "1.5", "²", "%00", "424242", "1"]


def fill(route: str, junk: str) -> str:
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: "approve" if match[1] == "action" else junk, route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", junk, route)
    return route


def test_no_admin_url_fails_with_a_server_error_on_junk_ids(superuser, corpus):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    routes = admin_routes()
    assert len(routes) > 40
    failures = []
    for route in routes:
        for junk in JUNK_IDS:
            path = fill(route, junk)
            for method in ("get", "post"):
                response = getattr(client, method)(path, {"start": junk, "end": junk, "source": junk, "span": junk,
                                                          "version": junk, "comment": junk, "next": "javascript:alert(1)"})
                if response.status_code >= 500:
                    failures.append((method, path, response.status_code))
    assert failures == []


def test_no_admin_list_fails_with_a_server_error_on_junk_query_strings(superuser, corpus):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    lists = [route for route in admin_routes() if re.fullmatch(r"/admin/\w+/\w+/", fill(route, "x"))]
    assert len(lists) >= 5
    queries = ["q=%00", "q=" + "x" * 5000, "o=abc", "o=99", "o=-", "p=-1", "p=abc", "p=99999999999999999999", "e=1",
               "all=", "_changelist_filters=%ff", "id__gt=abc", "id__in=a,b", "pk=99999999999999999999",
               "created_at__year=0", "created_at__year=99999", "created_at__month=13&created_at__year=2020",
               "created_at__day=32&created_at__month=1&created_at__year=2020", "status__exact=%00", "author=-1",
               "author=99999999999999999999", "entity=%00", "needs_attention=maybe", "_to_field=password",
               "_popup=1&_to_field=id", "published_on__year=0", "published_on__gte=abc", "anchor_state__exact=x",
               "source__id__exact=99999999999999999999", "claim__id__exact=abc"]
    failures = []
    for path in lists:
        for query in queries:
            response = client.get(f"{fill(path, 'x')}?{query}")
            if response.status_code >= 500:
                failures.append((path, query, response.status_code))
    assert failures == []
