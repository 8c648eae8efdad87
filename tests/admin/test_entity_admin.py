"""The entity form: aliases one a line, stored as the list every path holds them as."""

from __future__ import annotations

import pytest

from claims.models import Entity

from .helpers import form_data

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/claims/entity/add/"


def _add(client, aliases: str):
    data = form_data(client.get(ADD_URL), "entity_form")
    data.update({"name": "Gazprom", "slug": "gazprom", "kind": "organization", "aliases": aliases})
    return client.post(ADD_URL, data)


def test_aliases_are_written_one_a_line_and_stored_as_a_list(client_for, analyst):
    client = client_for(analyst)
    assert _add(client, "Gazprom PJSC\r\n\r\n  Газпром  \n").status_code == 302
    entity = Entity.objects.get()
    assert entity.aliases == ["Gazprom PJSC", "Газпром"]
    page = client.get(f"/admin/claims/entity/{entity.pk}/change/").content.decode()
    assert "Gazprom PJSC\nГазпром</textarea>" in page
    assert client_for(analyst).get(f"/api/v1/entities/{entity.pk}/").json()["aliases"] == ["Gazprom PJSC", "Газпром"]


@pytest.mark.parametrize("typed", ['"str"', '{"a":1}', "[[[1]]]", "1e999"])
def test_what_looks_like_json_is_an_alias_as_written_never_garbled_or_a_500(client_for, analyst, typed):
    """The form took JSON: "str" became the aliases s, t, r; 1e999 was a 500."""
    assert _add(client_for(analyst), typed).status_code == 302
    assert Entity.objects.get().aliases == [typed]


def test_an_alias_too_long_is_refused_on_the_form(client_for, analyst):
    response = _add(client_for(analyst), "x" * 301)
    assert response.status_code == 200 and "at most 300 characters" in response.content.decode()
    assert not Entity.objects.exists()
