"""An API address written without its trailing slash: a write is redirected with its method
and body kept (308), never turned into a GET that loses it."""

from __future__ import annotations

import pytest

from claims.models import Claim

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
def test_a_post_without_the_trailing_slash_is_redirected_with_308_naming_the_address(client_for, analyst, settings, debug):
    settings.DEBUG = debug  # Django's own middleware raised under DEBUG
    response = client_for(analyst).post("/api/v1/claims", {"text": "Posted without the slash."}, format="json")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/claims/"
    body = response.json()
    assert body["code"] == "trailing_slash" and body["location"] == "http://testserver/api/v1/claims/"
    assert not Claim.objects.filter(text="Posted without the slash.").exists()


def test_a_client_that_follows_the_redirect_makes_the_claim(client_for, analyst):
    response = client_for(analyst).post("/api/v1/claims", {"text": "Posted without the slash."}, format="json", follow=True)
    assert response.status_code == 201, response.content
    assert Claim.objects.filter(text="Posted without the slash.").count() == 1


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_every_write_method_is_redirected_with_308(client_for, analyst, corpus, method):
    response = getattr(client_for(analyst), method)(f"/api/v1/claims/{corpus.draft.pk}", {"notes": "x"}, format="json")
    assert response.status_code == 308
    assert response["Location"] == f"/api/v1/claims/{corpus.draft.pk}/"


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_read_without_the_trailing_slash_is_still_a_301(anonymous, method):
    response = getattr(anonymous, method)("/api/v1/claims")
    assert response.status_code == 301 and response["Location"] == "/api/v1/claims/"


def test_an_address_that_is_no_endpoint_even_with_the_slash_is_a_json_404(client_for, analyst):
    response = client_for(analyst).post("/api/v1/nothing-here", {}, format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
