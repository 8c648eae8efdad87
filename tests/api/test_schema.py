"""The OpenAPI schema and its viewers: valid, complete about errors, served offline."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_spectacular_validate_is_clean():
    # --fail-on-warn turns every warning (an unguessable type, a missing serializer) into
    # an error; --validate checks the result against the OpenAPI 3 meta-schema.
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert yaml.safe_load(out.getvalue())["openapi"].startswith("3.")


def test_every_design_path_is_documented(schema):
    paths = set(schema["paths"])
    for path in [
        "/api/v1/sources/", "/api/v1/sources/{id}/", "/api/v1/spans/", "/api/v1/spans/{id}/",
        "/api/v1/spans/{id}/annotation/", "/api/v1/entities/", "/api/v1/entities/{id}/",
        "/api/v1/claims/", "/api/v1/claims/{id}/", "/api/v1/claims/{id}/submit/",
        "/api/v1/claims/{id}/approve/", "/api/v1/claims/{id}/reject/", "/api/v1/claims/{id}/request-changes/",
        "/api/v1/claims/{id}/retract/", "/api/v1/claims/{id}/reopen/", "/api/v1/claims/{id}/reviews/",
        "/api/v1/claims/{id}/history/", "/api/v1/claims/{id}/claimreview/", "/api/v1/evidence/",
        "/api/v1/evidence/{id}/", "/api/v1/review-queue/", "/api/v1/auth/token/",
    ]:
        assert path in paths


@pytest.mark.parametrize(
    "path, method, codes",
    [
        ("/api/v1/claims/", "post", {"201", "400", "401", "403"}),
        ("/api/v1/claims/", "get", {"200", "400"}),
        ("/api/v1/claims/{id}/", "get", {"200", "404"}),
        ("/api/v1/claims/{id}/", "patch", {"200", "400", "401", "403", "404", "409", "412"}),
        ("/api/v1/claims/{id}/", "delete", {"204", "401", "403", "404", "409"}),
        ("/api/v1/claims/{id}/approve/", "post", {"200", "400", "401", "403", "404", "409", "412"}),
        ("/api/v1/spans/", "post", {"200", "201", "400", "401", "403"}),
        ("/api/v1/sources/{id}/", "delete", {"204", "401", "403", "404", "409"}),
        ("/api/v1/evidence/{id}/", "patch", {"200", "400", "401", "403", "404", "409"}),
        ("/api/v1/review-queue/", "get", {"200", "401", "403"}),
    ],
)
def test_error_answers_are_documented(schema, path, method, codes):
    assert set(schema["paths"][path][method]["responses"]) >= codes


def test_every_operation_documents_the_answers_of_the_layers_around_its_view(schema):
    """Every operation is throttled (429 with Retry-After); one that reads a token refuses an
    unknown one (401) even where reading needs none; one that takes a body refuses it
    chunked without a length (411), over MAX_BODY_MB (413, saying its `limit_bytes`), or
    compressed or of a type it does not read (415)."""
    operations = 0
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            operations += 1
            responses = operation["responses"]
            assert responses["429"]["headers"]["Retry-After"]["required"], (method, path)
            if any("tokenAuth" in requirement for requirement in operation.get("security", [])):
                assert "401" in responses, (method, path)
            if "requestBody" in operation:
                assert {"411", "413", "415"} <= set(responses), (method, path)
                assert responses["413"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/RequestTooLarge"}
    assert operations >= 40
    assert schema["components"]["schemas"]["RequestTooLarge"]["required"] == ["code", "detail", "limit_bytes"]


def test_paginated_lists_document_their_400(schema):
    lists = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get and any(parameter["name"] == "page_size" for parameter in get.get("parameters", [])):
            lists += 1
            assert "400" in get["responses"], path
    assert lists == 6


def test_every_operation_with_query_parameters_documents_its_400(schema):
    # A query parameter may be refused whatever the operation: a NUL character in any of
    # them is a 400 (project.middleware), and so is a bad ``format``.
    operations = 0
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
                operations += 1
                assert "400" in operation["responses"], (method, path)
    assert operations >= 10


def test_claim_filters_and_pagination_are_documented(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/claims/"]["get"]["parameters"]}
    assert set(parameters) >= {
        "status", "verdict", "confidence", "entity", "source", "author", "stance", "needs_attention",
        "created_after", "created_before", "published_after", "published_before", "period_on", "q",
        "ordering", "cursor", "page_size",
    }
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert "400" in parameters["page_size"]["description"]
    assert "-created_at" in parameters["ordering"]["schema"]["enum"]


def _query_parameter(schema: dict, path: str, name: str) -> dict:
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query" and p["name"] == name)


@pytest.mark.parametrize(
    "path, name", [("/api/v1/spans/", "source"), ("/api/v1/claims/", "source"), ("/api/v1/evidence/", "claim")]
)
def test_id_filters_are_documented_as_the_positive_integers_they_take(schema, path, name):
    """An id filter answers 400 for "0", "1.5" or an id past any id: the schema says so,
    and keeps the filter's description."""
    parameter = _query_parameter(schema, path, name)
    assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
    if path == "/api/v1/spans/":
        assert parameter["description"] == "Spans of this source."


def test_the_changes_feed_documents_its_bounds_and_defaults(schema):
    after = _query_parameter(schema, "/api/v1/changes/", "after")["schema"]
    limit = _query_parameter(schema, "/api/v1/changes/", "limit")["schema"]
    assert (after["type"], after["minimum"], after["maximum"], after["default"]) == ("integer", 0, 2**62, 0)
    assert (limit["type"], limit["minimum"], limit["maximum"], limit["default"]) == ("integer", 1, 1000, 100)


def test_if_match_and_etag_are_documented(schema):
    patch = schema["paths"]["/api/v1/claims/{id}/"]["patch"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    assert "ETag" in patch["responses"]["200"]["headers"]


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_viewers_use_no_cdn_and_their_files_are_served(client, settings, page):
    settings.WHITENOISE_USE_FINDERS = True
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), "external address in page"
    for cdn in ("jsdelivr", "unpkg", "cdnjs", "googleapis", "gstatic", "redoc.ly"):
        assert cdn not in html
    assets = [asset for asset in re.findall(r'(?:src|href)="([^"]+)"', html) if asset != "data:,"]
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        # Static files, or Swagger UI's start-up script from its own page (no inline script).
        assert asset.startswith(("/static/", f"{page}?script")), asset
        assert client.get(asset).status_code == 200, asset
    assert "<script>" not in html


def test_schema_endpoint_serves_openapi_3(anonymous):
    response = anonymous.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
