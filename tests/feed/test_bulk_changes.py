"""Changes that reach many claims at once (a reviewed entity or source edited, a
contradiction's other side flagged or cleared) give each claim that renders differently a
new version, so a new ETag, and a ``claim.updated`` in the feed: none is left serving new
content under its old ETag (a 304 to a client holding stale content), or missing from the
feed of a mirror."""

from __future__ import annotations

import pytest

from claims import services
from claims.models import Claim, ClaimRelation, Entity
from claims.relation_services import relation_create
from sources.services import source_update

from .conftest import read_feed


def _last_seq(client) -> int:
    results = read_feed(client, limit=1000)["results"]
    return results[-1]["seq"] if results else 0


def _updates(client, after: int) -> list[tuple[int, int]]:
    return [(e["claim"], e["version"]) for e in read_feed(client, after=after)["results"] if e["type"] == "claim.updated"]


def test_renaming_an_entity_updates_every_public_claim_tagged_with_it(client_for, make_claim, analyst, reviewer):
    iran = Entity.objects.create(name="Iran", slug="iran", kind="country")
    tagged = make_claim(analyst)
    services.claim_update(claim=tagged, user=analyst, entities=[iran])
    services.claim_submit(claim=tagged, user=analyst)
    services.claim_approve(claim=Claim.objects.get(pk=tagged.pk), user=reviewer)
    before = Claim.objects.get(pk=tagged.pk).version
    start = _last_seq(client_for(None))

    services.entity_update(entity=iran, user=reviewer, name="Islamic Republic of Iran")

    after = Claim.objects.get(pk=tagged.pk).version
    assert after == before + 1
    assert _updates(client_for(None), start) == [(tagged.pk, after)]
    response = client_for(None).get(f"/api/v1/claims/{tagged.pk}/", HTTP_IF_NONE_MATCH=f'"claim-{tagged.pk}-v{before}"')
    assert response.status_code == 200


def test_editing_a_cited_sources_metadata_updates_its_public_claims(client_for, make_claim, source, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    start = _last_seq(client_for(None))
    source_update(source=source, user=reviewer, publisher="Another Publisher")
    claim.refresh_from_db()
    assert (claim.pk, claim.version) in _updates(client_for(None), start)


def test_a_contradiction_cleared_by_a_retraction_updates_the_other_claim(client_for, make_claim, analyst, reviewer):
    six = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    never = make_claim(analyst, status="published", reviewer=reviewer, text="Russia never voted for sanctions.")
    relation_create(from_claim=never, to_claim=six, kind="contradicts", user=reviewer)
    six.refresh_from_db()
    assert six.needs_attention
    etag = f'"claim-{six.pk}-v{six.version}"'
    start = _last_seq(client_for(None))

    services.claim_retract(claim=Claim.objects.get(pk=never.pk), user=reviewer, comment="Wrong: it voted six times.")

    six.refresh_from_db()
    assert not six.needs_attention
    assert (six.pk, six.version) in _updates(client_for(None), start)
    response = client_for(None).get(f"/api/v1/claims/{six.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response.json()["needs_attention"] is False


def test_a_claim_whose_flag_does_not_change_keeps_its_version(make_claim, analyst, reviewer):
    six = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    draft = make_claim(analyst, text="Russia never voted for sanctions.")
    relation_create(from_claim=draft, to_claim=six, kind="contradicts", user=analyst)
    six.refresh_from_db()
    version = six.version
    assert services.refresh_others_attention([six.pk]) == []
    assert Claim.objects.get(pk=six.pk).version == version


def test_deleting_a_draft_related_to_a_public_claim_changes_what_staff_see_of_it(client_for, make_claim, analyst, reviewer):
    """The relation showed on the public claim to staff only: the public claim keeps its
    version (and anybody else's ETag), and staff's ETag, which digests its relations, changes."""
    published = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times.")
    draft = make_claim(analyst, text="Russia voted six times, a draft of the same.")
    relation_create(from_claim=draft, to_claim=published, kind="duplicate_of", user=analyst)
    published.refresh_from_db()
    version = published.version
    url = f"/api/v1/claims/{published.pk}/"
    staff_etag = client_for(reviewer).get(url)["ETag"]
    public_etag = client_for(None).get(url)["ETag"]
    start = _last_seq(client_for(None))

    services.claim_delete(claim=draft, user=analyst)

    published.refresh_from_db()
    assert published.version == version
    assert _updates(client_for(None), start) == []
    response = client_for(reviewer).get(url, HTTP_IF_NONE_MATCH=staff_etag)
    assert response.status_code == 200 and response.json()["relations"] == []
    assert client_for(None).get(url, HTTP_IF_NONE_MATCH=public_etag).status_code == 304
    assert ClaimRelation.history.filter(history_type="-", history_user=analyst).count() == 1


def _tagged_public_claim(make_claim, analyst, reviewer) -> tuple[Entity, Claim]:
    iran = Entity.objects.create(name="Iran", slug="iran", kind="country")
    claim = make_claim(analyst)
    services.claim_update(claim=claim, user=analyst, entities=[iran])
    services.claim_submit(claim=claim, user=analyst)
    return iran, services.claim_approve(claim=Claim.objects.get(pk=claim.pk), user=reviewer)


def test_deleting_an_entity_in_the_admin_updates_every_public_claim_tagged_with_it(
    client, client_for, make_claim, analyst, reviewer, superuser
):
    iran, tagged = _tagged_public_claim(make_claim, analyst, reviewer)
    before = Claim.objects.get(pk=tagged.pk).version
    start = _last_seq(client_for(None))
    client.force_login(superuser)

    response = client.post(f"/admin/claims/entity/{iran.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    after = Claim.objects.get(pk=tagged.pk)
    assert after.version == before + 1 and not after.entities.exists()
    assert _updates(client_for(None), start) == [(tagged.pk, after.version)]
    assert Entity.history.filter(history_type="-", history_user=superuser).count() == 1


def test_an_entity_that_public_claims_show_is_deleted_by_a_reviewer_only(make_claim, analyst, reviewer):
    from project.errors import NotAllowed

    iran, tagged = _tagged_public_claim(make_claim, analyst, reviewer)
    with pytest.raises(NotAllowed):
        services.entity_delete(entity=iran, user=analyst)
    assert Entity.objects.filter(pk=iran.pk).exists()


def test_a_source_edit_that_moves_evidence_gives_its_claim_one_version_and_one_event(client_for, make_claim, source, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    before = Claim.objects.get(pk=claim.pk).version
    start = _last_seq(client_for(None))
    source_update(source=source, user=reviewer, text="A new first line.\n" + source.text)
    claim.refresh_from_db()
    assert claim.evidence.get().span.anchor_state == "relocated"
    assert claim.version == before + 1
    assert _updates(client_for(None), start) == [(claim.pk, claim.version)]
