"""Every write takes text as strings only, and names any key it will not write (unknown,
or read-only like ``status``) in a 400, instead of storing "0" or ignoring it with a 200."""

from __future__ import annotations

import json

import pytest

from claims.models import Claim, Entity
from sources.models import Source

pytestmark = pytest.mark.django_db


def write_requests(corpus) -> list[tuple[str, str, dict]]:
    """One valid body per write endpoint, to which the tests add a bad key."""
    source = corpus.source.pk
    return [
        ("POST", "/api/v1/claims/", {"text": "A new claim."}),
        ("PATCH", f"/api/v1/claims/{corpus.draft.pk}/", {"notes": "n"}),
        ("POST", f"/api/v1/claims/{corpus.draft.pk}/submit/", {"comment": "c"}),
        ("POST", "/api/v1/sources/", {"title": "t", "text": "x"}),
        ("PATCH", f"/api/v1/sources/{source}/", {"notes": "n"}),
        ("POST", "/api/v1/spans/", {"source": source, "quote": "Russia voted six"}),
        ("POST", "/api/v1/evidence/", {"claim": corpus.draft.pk, "source": source, "quote": "Russia voted six"}),
        ("PATCH", f"/api/v1/evidence/{corpus.draft.evidence.get().pk}/", {"note": "n"}),
        ("POST", "/api/v1/entities/", {"name": "Iran", "kind": "country"}),
        ("POST", f"/api/v1/claims/{corpus.draft.pk}/relations/", {"to_claim": corpus.published.pk, "kind": "related"}),
        ("POST", "/api/v1/auth/token/", {"username": "analyst", "password": "pw-analyst"}),
    ]


def test_every_write_refuses_an_unknown_field_by_name(client_for, superuser, corpus):
    client = client_for(superuser)
    for method, path, body in write_requests(corpus):
        response = client.generic(method, path, json.dumps({**body, "colour": "blue"}), content_type="application/json")
        assert response.status_code == 400, (path, response.content)
        assert "colour" in response.json()["errors"], path
        assert response.json()["detail"].startswith("colour:")


@pytest.mark.parametrize("field, value", [("status", "published"), ("version", 99), ("author", "reviewer"), ("id", 5)])
def test_read_only_claim_fields_in_a_write_are_a_400_naming_them(client_for, analyst, corpus, field, value):
    claim = corpus.draft
    response = client_for(analyst).patch(f"/api/v1/claims/{claim.pk}/", {"notes": "x", field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Claim.objects.get(pk=claim.pk).status == "draft" and Claim.objects.get(pk=claim.pk).notes != "x"


@pytest.mark.parametrize("value", ["0", "1e999", "-1e999", "true", "1.5", '["a"]', '{"a": "b"}'])
def test_text_fields_take_strings_only(client_for, analyst, value):
    body = '{"text": %s}' % value
    response = client_for(analyst).post("/api/v1/claims/", body, content_type="application/json")
    assert response.status_code == 400
    assert "text" in response.json()["errors"]
    assert not Claim.objects.exists()


def test_a_number_beyond_a_double_is_refused_in_text_and_number_fields(client_for, analyst, source):
    client = client_for(analyst)
    raw = '{"title": 1e999, "text": "x"}'
    assert client.post("/api/v1/sources/", raw, content_type="application/json").status_code == 400
    raw = '{"source": %d, "start": 1e999, "end": 3}' % source.pk
    assert client.post("/api/v1/spans/", raw, content_type="application/json").status_code == 400
    assert not Source.objects.filter(title="inf").exists()


def test_list_of_strings_takes_strings_only(client_for, analyst):
    response = client_for(analyst).post("/api/v1/entities/", {"name": "Iran", "aliases": ["Persia", 7]}, format="json")
    assert response.status_code == 400 and "aliases" in response.json()["errors"]
    assert not Entity.objects.exists()


def test_inline_evidence_items_refuse_unknown_fields_too(client_for, analyst, source):
    response = client_for(analyst).post(
        "/api/v1/claims/",
        {"text": "A claim.", "evidence": [{"source": source.pk, "quote": "Russia", "occurence": 2}]},
        format="json",
    )
    assert response.status_code == 400
    assert "occurence" in str(response.json()["errors"]["evidence"])



@pytest.mark.parametrize(
    "given", [float, lambda pk: True, lambda pk: pk + 0.5, lambda pk: f"{pk}.0"], ids=["1.0", "true", "1.5", "'2.0'"]
)
def test_a_reference_by_id_is_an_integer_not_a_float_or_a_boolean(client_for, analyst, make_claim, given):
    """DRF reads 1.0 and true as an id: a client that sends them has a bug to hear about."""
    claim = make_claim(analyst)
    other = make_claim(analyst, text="Russia voted five times for sanctions.")
    response = client_for(analyst).patch(f"/api/v1/claims/{claim.pk}/", {"supersedes": given(other.pk)}, format="json")
    assert response.status_code == 400, response.content
    assert "supersedes" in response.json()["errors"]
    assert Claim.objects.get(pk=claim.pk).supersedes_id is None
    response = client_for(analyst).patch(f"/api/v1/claims/{claim.pk}/", {"supersedes": other.pk}, format="json")
    assert response.status_code == 200 and response.json()["supersedes"] == other.pk



@pytest.mark.parametrize("bad", [1.0, "1.0", True])
def test_entity_ids_relation_targets_and_offsets_are_whole_numbers_too(client_for, analyst, make_claim, source, bad):
    claim = make_claim(analyst)
    other = make_claim(analyst, text="Russia voted five times for sanctions.")
    client = client_for(analyst)
    entity = Entity.objects.create(slug="russia", name="Russia", kind="country")

    def spelt(pk: int):
        return bad if bad is True else float(pk) if isinstance(bad, float) else f"{pk}.0"

    response = client.patch(f"/api/v1/claims/{claim.pk}/", {"entities": [spelt(entity.pk)]}, format="json")
    assert response.status_code == 400 and "entities" in response.json()["errors"], response.content
    response = client.post(f"/api/v1/claims/{claim.pk}/relations/", {"to_claim": spelt(other.pk), "kind": "related"}, format="json")
    assert response.status_code == 400 and "to_claim" in response.json()["errors"], response.content
    response = client.post("/api/v1/spans/", {"source": source.pk, "start": bad, "end": 6}, format="json")
    assert response.status_code == 400 and "start" in response.json()["errors"], response.content
