"""What a published claim shows was reviewed: a source it cites, or an entity it is tagged
with, changes only by a reviewer (API and admin); the change is in their history, and every
claim rendering it gets a new version, so its ETag changes and If-None-Match answers 200."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims import services
from claims.models import Claim, Entity
from project.errors import NotAllowed
from sources.models import Source
from sources.services import source_update

pytestmark = pytest.mark.django_db



@pytest.fixture
def published(make_claim, analyst, reviewer):
    return make_claim(analyst, status="published", reviewer=reviewer)


@pytest.mark.parametrize("change", [{"title": "Renamed"}, {"url": "https://example.org/moved"}, {"reliability": "A"}])
def test_analyst_cannot_change_a_source_cited_by_a_published_claim(published, analyst, source, change, client_for):
    etag = client_for().get(f"/api/v1/claims/{published.pk}/")["ETag"]
    response = client_for(analyst).patch(f"/api/v1/sources/{source.pk}/", change, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "reviewed_content"
    stored = Source.objects.get(pk=source.pk)
    assert (stored.title, stored.url, stored.reliability) == (source.title, source.url, source.reliability)
    assert client_for().get(f"/api/v1/claims/{published.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_reviewer_changes_a_cited_source_and_every_rendering_claim_gets_a_new_etag(published, make_claim, analyst, reviewer, source, client_for):
    draft = make_claim(analyst, text="Another claim on the same source.")
    etag = client_for().get(f"/api/v1/claims/{published.pk}/")["ETag"]
    response = client_for(reviewer).patch(f"/api/v1/sources/{source.pk}/", {"title": "Corrected title"}, format="json")
    assert response.status_code == 200
    assert client_for().get(f"/api/v1/claims/{published.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert Claim.objects.get(pk=published.pk).version == published.version + 1
    assert Claim.objects.get(pk=draft.pk).version == draft.version + 1
    listed = {row["id"]: row["version"] for row in client_for().get("/api/v1/claims/").json()["results"]}
    assert listed[published.pk] == published.version + 1
    record = Source.objects.get(pk=source.pk).history.first()
    assert (record.title, record.history_user) == ("Corrected title", reviewer)


def test_retracted_claims_protect_their_sources_too(make_claim, analyst, reviewer, source):
    make_claim(analyst, status="retracted", reviewer=reviewer)
    with pytest.raises(NotAllowed):
        source_update(source=source, user=analyst, publisher="Someone else")


def test_analyst_may_change_a_source_only_drafts_cite_and_their_versions_grow(make_claim, analyst, source):
    draft = make_claim(analyst)
    source_update(source=source, user=analyst, title="Better title")
    assert Claim.objects.get(pk=draft.pk).version == draft.version + 1


def test_an_unchanged_source_save_changes_no_version(published, reviewer, source):
    source_update(source=source, user=reviewer, title=source.title)
    assert Claim.objects.get(pk=published.pk).version == published.version


def test_analyst_cannot_rename_an_entity_a_published_claim_is_tagged_with(make_claim, analyst, reviewer, reviewer2, client_for):
    iran = Entity.objects.create(name="Iran", slug="iran", kind="country")
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=analyst, entities=[iran])
    services.claim_submit(claim=claim, user=analyst)
    services.claim_approve(claim=claim, user=reviewer2)
    claim.refresh_from_db()
    etag = client_for().get(f"/api/v1/claims/{claim.pk}/")["ETag"]
    response = client_for(analyst).patch(f"/api/v1/entities/{iran.pk}/", {"name": "Persia"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "reviewed_content"
    assert Entity.objects.get(pk=iran.pk).name == "Iran"
    response = client_for(reviewer).patch(f"/api/v1/entities/{iran.pk}/", {"name": "Islamic Republic of Iran"}, format="json")
    assert response.status_code == 200
    assert client_for().get(f"/api/v1/claims/{claim.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    record = Entity.objects.get(pk=iran.pk).history.first()
    assert (record.name, record.history_user) == ("Islamic Republic of Iran", reviewer)


def test_admin_refuses_an_analysts_change_of_a_cited_source(published, analyst, source, client):
    from tests.admin.helpers import form_data

    client.force_login(analyst)
    url = reverse("admin:sources_source_change", args=[source.pk])
    data = form_data(client.get(url), "source_form")
    data["title"] = "Changed in the admin"
    client.post(url, data)
    assert Source.objects.get(pk=source.pk).title == source.title
