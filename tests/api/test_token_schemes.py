"""A token is read under ``Token`` and ``Bearer``; an ``Authorization`` header of any other
scheme is a 401 with a challenge, never an anonymous caller."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Claim

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "bearer", "TOKEN"])
def test_a_valid_token_is_read_under_either_scheme(analyst, corpus, scheme):
    key = Token.objects.create(user=analyst).key
    client = APIClient(HTTP_AUTHORIZATION=f"{scheme} {key}")
    assert client.get(f"/api/v1/claims/{corpus.draft.pk}/").status_code == 200  # a draft: staff only
    response = client.post("/api/v1/claims/", {"text": f"Written with {scheme}."}, format="json")
    assert response.status_code == 201, response.content
    assert Claim.objects.get(pk=response.json()["id"]).author == analyst


def test_a_token_that_is_not_valid_under_bearer_is_refused(corpus):
    response = APIClient(HTTP_AUTHORIZATION="Bearer not-a-token").get(f"/api/v1/claims/{corpus.published.pk}/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize("header", ["Tokn abc", "Digest username=x", "JWT abc"])
def test_an_authorization_scheme_not_understood_is_a_401_with_a_challenge(corpus, header):
    client = APIClient(HTTP_AUTHORIZATION=header)
    for response in (
        client.get(f"/api/v1/claims/{corpus.published.pk}/"),  # a public read too
        client.post("/api/v1/claims/", {"text": "x"}, format="json"),
    ):
        assert response.status_code == 401, response.content
        assert response.json()["code"] == "authentication_failed"
        assert "Bearer" in response.json()["detail"]
        assert response["WWW-Authenticate"] == "Token, Bearer"


def test_no_authorization_header_is_still_an_anonymous_caller(corpus):
    assert APIClient().get(f"/api/v1/claims/{corpus.published.pk}/").status_code == 200
    assert APIClient().get(f"/api/v1/claims/{corpus.draft.pk}/").status_code == 404


def test_the_schema_offers_both_schemes(anonymous):
    schema = anonymous.get("/api/schema/?format=json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": schemes["bearerAuth"]["description"],
    }
    assert schemes["tokenAuth"]["type"] == "apiKey" and schemes["tokenAuth"]["name"] == "Authorization"
    create = schema["paths"]["/api/v1/claims/"]["post"]
    assert {"bearerAuth": []} in create["security"] and {"tokenAuth": []} in create["security"]


def test_basic_authentication_a_proxy_asked_for_names_no_caller(analyst, corpus):
    """A site behind a password-asking proxy: browsers send ``Basic`` on every request. The
    session (or a token, or nothing) decides, as without it."""
    client = APIClient(HTTP_AUTHORIZATION="Basic c3RhZ2luZzpwYXNzd29yZA==")
    assert client.get(f"/api/v1/claims/{corpus.published.pk}/").status_code == 200
    assert client.get(f"/api/v1/claims/{corpus.draft.pk}/").status_code == 404
    client.force_login(analyst)
    assert client.get(f"/api/v1/claims/{corpus.draft.pk}/").status_code == 200


@pytest.mark.parametrize("joined", ["Basic c3RhZ2luZzpwYXNzd29yZA==, {scheme} {key}", "{scheme} {key},Basic c3RhZ2luZzpwYXNzd29yZA=="])
@pytest.mark.parametrize("scheme", ["Token", "Bearer"])
def test_a_token_beside_a_proxys_basic_credential_names_the_caller(analyst, corpus, joined, scheme):
    """Two Authorization headers, the proxy's and the caller's, reach the app joined by a
    comma: the Basic one had been read first and the token with it, an anonymous caller."""
    key = Token.objects.create(user=analyst).key
    client = APIClient(HTTP_AUTHORIZATION=joined.format(scheme=scheme, key=key))
    assert client.get(f"/api/v1/claims/{corpus.draft.pk}/").status_code == 200


def test_a_bad_token_beside_a_basic_credential_is_still_refused(corpus):
    client = APIClient(HTTP_AUTHORIZATION="Basic c3RhZ2luZzpwYXNzd29yZA==, Token not-a-token")
    assert client.get(f"/api/v1/claims/{corpus.published.pk}/").status_code == 401
    client = APIClient(HTTP_AUTHORIZATION='Digest username="x", realm="y"')
    assert client.get(f"/api/v1/claims/{corpus.published.pk}/").status_code == 401


@pytest.mark.parametrize("query", ["", "?format=json", "?format=yaml"])
def test_the_schemas_refusal_of_a_bad_token_is_the_apis_json_error(db, query):
    """The schema is YAML by default; its 401 had been YAML too (``detail: Invalid token.``)."""
    response = APIClient(HTTP_AUTHORIZATION="Token not-a-token").get(f"/api/schema/{query}")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "authentication_failed"
    assert APIClient().get(f"/api/schema/{query}").status_code == 200
