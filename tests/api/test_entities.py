"""Entities: reference data that anybody reads and analysts maintain."""

from __future__ import annotations

import pytest

from claims.models import Entity

pytestmark = pytest.mark.django_db


def test_create_makes_a_slug_from_the_name(client_for, analyst):
    client = client_for(analyst)
    first = client.post("/api/v1/entities/", {"name": "United Nations", "kind": "organization"}, format="json")
    second = client.post("/api/v1/entities/", {"name": "United Nations"}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["slug"], second.json()["slug"]) == ("united-nations", "united-nations-2")


def test_create_answers_the_new_entitys_etag_and_location(client_for, analyst):
    """The tag a caller needs for its next PATCH comes with the creation, as for claims."""
    client = client_for(analyst)
    created = client.post("/api/v1/entities/", {"name": "Rosatom", "kind": "organization"}, format="json")
    assert created.status_code == 201
    assert created["Location"].endswith(f"/api/v1/entities/{created.json()['id']}/")
    fetched = client.get(created["Location"])
    assert created["ETag"] == fetched["ETag"]
    changed = client.patch(created["Location"], {"kind": "event"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 200


def test_create_validates_wikidata_id_and_slug(client_for, analyst):
    client = client_for(analyst)
    Entity.objects.create(name="Iran", slug="iran", kind="country")
    response = client.post("/api/v1/entities/", {"name": "Iran", "slug": "iran", "wikidata_id": "159"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"slug", "wikidata_id"}


def test_patch_and_filter(client_for, anonymous, analyst):
    entity = Entity.objects.create(name="Russia", slug="russia", kind="country")
    Entity.objects.create(name="Vladimir Putin", slug="vladimir-putin", kind="person")
    response = client_for(analyst).patch(
        f"/api/v1/entities/{entity.pk}/", {"wikidata_id": "Q159", "aliases": ["Russian Federation"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["Russian Federation"]
    rows = anonymous.get("/api/v1/entities/?kind=country").json()["results"]
    assert [row["slug"] for row in rows] == ["russia"]
    rows = anonymous.get("/api/v1/entities/?q=putin").json()["results"]
    assert [row["slug"] for row in rows] == ["vladimir-putin"]


def test_entities_cannot_be_deleted_over_the_api(client_for, superuser):
    entity = Entity.objects.create(name="Iran", slug="iran")
    assert client_for(superuser).delete(f"/api/v1/entities/{entity.pk}/").status_code == 405


@pytest.mark.parametrize(
    "aliases, words",
    [
        ("Gazprom", "list"),
        ([["nested"]], "Not a valid string"),
        (["Line one\nline two"], "control character"),
        (["   "], "may not be blank"),
        (["x" * 301], "300"),
    ],
)
def test_aliases_are_a_list_of_one_line_names(client_for, analyst, aliases, words):
    response = client_for(analyst).post("/api/v1/entities/", {"name": "Gazprom", "kind": "organization", "aliases": aliases}, format="json")
    assert response.status_code == 400
    assert words.lower() in str(response.json()["errors"]["aliases"]).lower()
    assert not Entity.objects.exists()
