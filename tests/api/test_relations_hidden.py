"""A relation between a public claim and a hidden one shows to staff only: anybody else
learns nothing of it from the public claim (its version, ETag and feed stay as they were),
staff's ETags change with it (a digest of the relations), and the public claim changes for
everybody when the other claim becomes public or stops being public."""

from __future__ import annotations

import pytest

from claims import services
from claims.models import Claim
from claims.relation_services import relation_create

pytestmark = pytest.mark.django_db


def _detail(client, claim: Claim, etag: str | None = None):
    extra = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(f"/api/v1/claims/{claim.pk}/", **extra)


def _public_events(client, after: int) -> list[tuple[str, int, int]]:
    results = client.get(f"/api/v1/changes/?after={after}").json()["results"]
    return [(e["type"], e["claim"], e["version"]) for e in results]


def _last_seq(client) -> int:
    results = client.get("/api/v1/changes/?limit=1000").json()["results"]
    return results[-1]["seq"] if results else 0


@pytest.fixture
def pair(analyst, reviewer, make_claim):
    public = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted six times for sanctions.")
    draft = make_claim(analyst, text="Russia voted for sanctions six times, a draft.")
    return public, draft


def test_relating_a_public_claim_to_a_draft_tells_nobody_else(client_for, pair, analyst, reviewer):
    public, draft = pair
    anonymous, staff = client_for(None), client_for(reviewer)
    version = public.version
    public_etag, staff_etag = _detail(anonymous, public)["ETag"], _detail(staff, public)["ETag"]
    start = _last_seq(anonymous)

    relation_create(from_claim=draft, to_claim=public, kind="duplicate_of", user=analyst)

    assert Claim.objects.get(pk=public.pk).version == version
    assert _detail(anonymous, public, public_etag).status_code == 304
    assert _detail(anonymous, public).json()["relations"] == []
    assert _public_events(anonymous, start) == []
    # Staff see the relation, and their cached copy is not taken for current.
    response = _detail(staff, public, staff_etag)
    assert response.status_code == 200
    assert [r["from_claim"] for r in response.json()["relations"]] == [draft.pk]
    assert response["ETag"] != staff_etag
    assert _detail(staff, public, response["ETag"]).status_code == 304


@pytest.mark.parametrize("kind", ["duplicate_of", "related", "contradicts"])
def test_the_public_claim_changes_for_everybody_as_the_other_becomes_public_and_leaves(client_for, pair, analyst, reviewer, reviewer2, kind):
    public, draft = pair
    anonymous = client_for(None)
    relation_create(from_claim=draft, to_claim=public, kind=kind, user=analyst)
    steps = [
        ("submit", analyst, False),
        ("approve", reviewer2, True),  # the relation appears
        # Still public: the relation stays as it was (a contradiction's emergency ends).
        ("retract", reviewer2, kind == "contradicts"),
        ("reopen", reviewer2, True),  # it goes
    ]
    for action, user, changes in steps:
        etag = _detail(anonymous, public)["ETag"]
        start = _last_seq(anonymous)
        comment = "" if action in ("submit", "approve") else "Reason."
        services.claim_transition(claim=Claim.objects.get(pk=draft.pk), user=user, action=action, comment=comment)
        current = Claim.objects.get(pk=public.pk)
        updates = [event for event in _public_events(anonymous, start) if event[1] == public.pk]
        if not changes:
            assert _detail(anonymous, public, etag).status_code == 304, action
            assert updates == [], action
            continue
        response = _detail(anonymous, public, etag)
        assert response.status_code == 200, action
        assert ("claim.updated", public.pk, current.version) in updates, action
        shown = [r["from_claim"] for r in response.json()["relations"]]
        assert shown == ([] if action == "reopen" else [draft.pk]), action


def test_if_match_takes_a_staff_etag_with_its_relations_digest(client_for, analyst, make_claim):
    first = make_claim(analyst, text="Russia voted six times for sanctions.")
    second = make_claim(analyst, text="Russia voted for sanctions six times.")
    relation_create(from_claim=second, to_claim=first, kind="related", user=analyst)
    client = client_for(analyst)
    etag = _detail(client, first)["ETag"]
    assert "-r" in etag
    response = client.patch(f"/api/v1/claims/{first.pk}/", {"notes": "Checked."}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content
    stale = client.patch(f"/api/v1/claims/{first.pk}/", {"notes": "Again."}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
