"""Optimistic concurrency on entities (``claims.views.EntityViewSet``, ``services.entity_update``).

An entity's ETag is the revision of its content (``"entity-<id>-<revision>"``, the tag
sources have): GET answers it and honours ``If-None-Match`` (304); PATCH honours ``If-Match``
(a stale tag: 412 ``stale_version``, nothing written) and answers the new tag. The view
checks the tag first; the service checks it again under the entity's row lock, where an edit
that raced in after the view's check is seen: of two PATCHes sent with the same tag at once,
one succeeds and the other gets 412.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.auth.models import Group, User
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from claims import services
from claims.models import Entity

from .support import postgres_only
from .workflow.test_concurrency import race, sqlite_only, transactional

ENTITY_TAG = re.compile(r'"entity-(?P<pk>[0-9]+)-(?P<revision>[0-9a-f]{32})"')

# A new value for each field of an entity (its representation shows them all).
CHANGES = {
    "name": "Russian Federation",
    "slug": "russian-federation",
    "kind": "organization",
    "wikidata_id": "Q159",
    "aliases": ["Rossiya"],
}


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def url(entity: Entity) -> str:
    return f"/api/v1/entities/{entity.pk}/"


def etag(client: APIClient, entity: Entity) -> str:
    response = client.get(url(entity))
    assert response.status_code == 200
    return response["ETag"]


@pytest.fixture
def russia(db) -> Entity:
    return Entity.objects.create(name="Russia", slug="russia", kind="country")


# ---------------------------------------------------------------------------------------------
# GET: the tag, and If-None-Match


@pytest.mark.django_db
def test_entity_detail_answers_a_strong_etag_of_its_content(analyst, russia):
    tag = etag(client_for(None), russia)
    match = ENTITY_TAG.fullmatch(tag)
    assert match and int(match["pk"]) == russia.pk
    # One representation for everybody, so one tag; HEAD answers it as well.
    assert etag(client_for(analyst), russia) == tag
    assert client_for(None).head(url(russia))["ETag"] == tag


@pytest.mark.django_db
def test_entity_etag_changes_whenever_any_field_changes_on_any_path(analyst, russia):
    # Every field an entity has is one a caller sees: a new field needs a value here.
    assert {field.name for field in Entity._meta.concrete_fields if not field.primary_key} == set(CHANGES)
    client = client_for(analyst)
    seen = {etag(client, russia)}
    for name, value in CHANGES.items():
        response = client.patch(url(russia), {name: value}, format="json")
        assert response.status_code == 200, (name, response.json())
        assert response["ETag"] not in seen, name
        assert etag(client, russia) == response["ETag"], name
        seen.add(response["ETag"])
    # Not through the service: the tag is the content's, so it changes all the same.
    Entity.objects.filter(pk=russia.pk).update(name="Russia")
    assert etag(client, russia) not in seen


@pytest.mark.django_db
def test_if_none_match_with_the_current_etag_answers_304(russia):
    client = client_for(None)
    tag = etag(client, russia)
    response = client.get(url(russia), HTTP_IF_NONE_MATCH=tag)
    assert response.status_code == 304 and response["ETag"] == tag and not response.content
    assert client.get(url(russia), HTTP_IF_NONE_MATCH=f"W/{tag}").status_code == 304  # weak comparison
    Entity.objects.filter(pk=russia.pk).update(wikidata_id="Q159")
    assert client.get(url(russia), HTTP_IF_NONE_MATCH=tag).status_code == 200


# ---------------------------------------------------------------------------------------------
# PATCH: If-Match


@pytest.mark.django_db
def test_patch_with_the_current_etag_writes_and_answers_the_new_etag(analyst, russia):
    client = client_for(analyst)
    tag = etag(client, russia)
    response = client.patch(url(russia), {"wikidata_id": "Q159"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 200
    assert response["ETag"] != tag and response["ETag"] == etag(client, russia)
    assert Entity.objects.get(pk=russia.pk).wikidata_id == "Q159"


@pytest.mark.django_db
@pytest.mark.parametrize("if_match", [None, "*"])
def test_patch_without_a_tag_or_with_any_writes_as_before(analyst, russia, if_match):
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    response = client_for(analyst).patch(url(russia), {"aliases": ["Rossiya"]}, format="json", **headers)
    assert response.status_code == 200
    assert response.json()["aliases"] == ["Rossiya"]
    assert Entity.objects.get(pk=russia.pk).aliases == ["Rossiya"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stale",
    [
        "{previous}",  # the entity changed since
        "W/{current}",  # If-Match compares strongly
        '"entity-{other}-{revision}"',  # another entity's address
        '"source-{pk}-{revision}"',  # another kind of object
        '"garbage"',
        "no quotes at all",
    ],
)
def test_stale_if_match_on_patch_answers_412_and_writes_nothing(analyst, russia, stale):
    client = client_for(analyst)
    previous = etag(client, russia)
    Entity.objects.filter(pk=russia.pk).update(wikidata_id="Q159")
    current = etag(client, russia)
    revision = ENTITY_TAG.fullmatch(current)["revision"]
    header = stale.format(previous=previous, current=current, pk=russia.pk, other=russia.pk + 1, revision=revision)
    history = russia.history.count()

    response = client.patch(url(russia), {"name": "Lost update"}, format="json", HTTP_IF_MATCH=header)

    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"
    assert response.json()["current_revision"] == revision
    fresh = Entity.objects.get(pk=russia.pk)
    assert (fresh.name, fresh.history.count()) == ("Russia", history)


@pytest.mark.django_db
def test_a_stale_entity_answers_the_error_body_a_stale_source_answers(analyst, russia, source):
    client = client_for(analyst)
    stale_source = client.patch(f"/api/v1/sources/{source.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH='"x"')
    stale_entity = client.patch(url(russia), {"name": "x"}, format="json", HTTP_IF_MATCH='"x"')
    assert stale_source.status_code == stale_entity.status_code == 412
    assert set(stale_entity.json()) == set(stale_source.json()) == {"detail", "code", "current_revision"}
    assert stale_entity.json()["code"] == stale_source.json()["code"] == "stale_version"


@pytest.mark.django_db
def test_the_second_of_two_editors_from_the_same_etag_gets_412(analyst, reviewer, russia):
    first, second = client_for(analyst), client_for(reviewer)
    tag = etag(first, russia)
    assert etag(second, russia) == tag
    assert first.patch(url(russia), {"name": "Russian Federation"}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    response = second.patch(url(russia), {"kind": "organization"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 412
    fresh = Entity.objects.get(pk=russia.pk)
    assert (fresh.name, fresh.kind) == ("Russian Federation", "country")


@pytest.mark.django_db
def test_an_edit_that_lands_after_the_views_check_is_caught_under_the_lock(analyst, reviewer, russia, monkeypatch):
    """The view's early check passes; another edit commits before the service takes the
    entity's lock; the service, re-reading under the lock, refuses rather than overwrites."""
    update = services.entity_update

    def another_edit_first(**kwargs):
        update(entity=Entity.objects.get(pk=russia.pk), user=reviewer, name="Russian Federation")
        return update(**kwargs)

    client = client_for(analyst)
    tag = etag(client, russia)
    monkeypatch.setattr(services, "entity_update", another_edit_first)
    response = client.patch(url(russia), {"wikidata_id": "Q159"}, format="json", HTTP_IF_MATCH=tag)
    assert response.status_code == 412 and response.json()["code"] == "stale_version"
    fresh = Entity.objects.get(pk=russia.pk)
    assert (fresh.name, fresh.wikidata_id) == ("Russian Federation", "")


@pytest.mark.django_db
def test_entity_conditional_requests_are_documented_in_the_schema():
    operations = SchemaGenerator().get_schema(request=None, public=True)["paths"]["/api/v1/entities/{id}/"]
    get, patch = operations["get"], operations["patch"]
    assert {"If-None-Match"} <= {p["name"] for p in get["parameters"] if p["in"] == "header"}
    assert {"200", "304"} <= set(get["responses"]) and "ETag" in get["responses"]["200"]["headers"]
    assert {"If-Match"} <= {p["name"] for p in patch["parameters"] if p["in"] == "header"}
    assert {"200", "412"} <= set(patch["responses"]) and "ETag" in patch["responses"]["200"]["headers"]


# ---------------------------------------------------------------------------------------------
# Two PATCHes at once, with real threads and connections (as in tests/workflow/test_concurrency.py)


def simultaneous_patches_from_the_same_etag_one_wins(monkeypatch) -> None:
    analyst = User.objects.create(username="entity-race-analyst", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Analysts"))
    entity = Entity.objects.create(name="Russia", slug="russia", kind="country")
    tag = etag(client_for(analyst), entity)

    # Both requests pass the view's check before either reaches the service: the race the
    # row lock must decide (otherwise the later request could read the winner's write).
    both_checked = threading.Barrier(2)
    update = services.entity_update

    def after_both_checks(**kwargs):
        both_checked.wait(timeout=30)
        return update(**kwargs)

    monkeypatch.setattr(services, "entity_update", after_both_checks)
    names = ["Russian Federation", "Rossiya"]
    results = race(
        2,
        lambda index: client_for(analyst).patch(
            url(entity), {"name": names[index]}, format="json", HTTP_IF_MATCH=tag
        ),
    )

    assert [outcome for outcome, _ in results] == ["ok", "ok"], results
    responses = sorted((response for _, response in results), key=lambda response: response.status_code)
    assert [response.status_code for response in responses] == [200, 412]
    won, lost = responses
    assert lost.json()["code"] == "stale_version"
    fresh = Entity.objects.get(pk=entity.pk)
    assert fresh.name == won.json()["name"]
    assert lost.json()["current_revision"] == ENTITY_TAG.fullmatch(won["ETag"])["revision"]
    assert fresh.history.count() == 2  # created, and the one edit


@postgres_only
@pytest.mark.postgres
@transactional
def test_simultaneous_patches_from_the_same_etag_one_wins_on_postgresql(monkeypatch):
    simultaneous_patches_from_the_same_etag_one_wins(monkeypatch)


@sqlite_only
@transactional
def test_simultaneous_patches_from_the_same_etag_one_wins_on_sqlite(monkeypatch):
    simultaneous_patches_from_the_same_etag_one_wins(monkeypatch)
