"""A public claim names the claim it ``supersedes`` only to callers who may see that claim.
A correction may be published while the claim it corrects is a draft, in review or
rejected; anybody else then sees ``supersedes: null`` in the list, the detail and the
public history (the id would tell them that hidden work exists and what it corrects).
When the corrected claim becomes public or stops being public, the corrections that name it
get a new version, so cached copies and ETags follow."""

from __future__ import annotations

import json

import pytest

from claims import services
from claims.models import Claim

pytestmark = pytest.mark.django_db


def _publish(claim: Claim, author, reviewer) -> Claim:
    claim = services.claim_transition(claim=claim, user=author, action="submit")
    return services.claim_transition(claim=claim, user=reviewer, action="approve", comment="Checked.")


@pytest.fixture
def correction_of_hidden(analyst, reviewer, make_claim):
    hidden = make_claim(analyst, status="in_review", text="Russia voted five times for sanctions on Iran.")
    correction = make_claim(analyst, text="Russia voted six times for sanctions on Iran.")
    correction = services.claim_update(claim=correction, user=analyst, supersedes=hidden)
    return hidden, _publish(correction, analyst, reviewer)


def _listed(client, claim_id: int) -> dict:
    return next(row for row in client.get("/api/v1/claims/?page_size=100").json()["results"] if row["id"] == claim_id)


def test_anybody_who_cannot_see_the_corrected_claim_sees_no_supersedes(client_for, correction_of_hidden, analyst):
    hidden, correction = correction_of_hidden
    anonymous = client_for(None)
    assert anonymous.get(f"/api/v1/claims/{hidden.pk}/").status_code == 404
    assert anonymous.get(f"/api/v1/claims/{correction.pk}/").json()["supersedes"] is None
    assert _listed(anonymous, correction.pk)["supersedes"] is None
    history = anonymous.get(f"/api/v1/claims/{correction.pk}/history/").json()
    entries = history["results"] if isinstance(history, dict) else history
    assert entries and all(change["field"] != "supersedes" for entry in entries for change in entry["changes"])
    staff = client_for(analyst)
    assert staff.get(f"/api/v1/claims/{correction.pk}/").json()["supersedes"] == hidden.pk
    assert _listed(staff, correction.pk)["supersedes"] == hidden.pk


def test_a_corrected_claim_that_stops_being_public_leaves_its_correction_with_a_new_version(
    client_for, analyst, reviewer, make_claim
):
    original = make_claim(analyst, status="published", reviewer=reviewer, text="Russia voted five times for sanctions.")
    correction = make_claim(analyst, text="Russia voted six times for sanctions on Iran.")
    correction = _publish(services.claim_update(claim=correction, user=analyst, supersedes=original), analyst, reviewer)
    assert Claim.objects.get(pk=original.pk).status == "retracted"  # public still: named to everybody
    anonymous = client_for(None)
    before = anonymous.get(f"/api/v1/claims/{correction.pk}/")
    assert before.json()["supersedes"] == original.pk
    services.claim_transition(claim=original, user=reviewer, action="reopen", comment="Back to work.")
    after = anonymous.get(f"/api/v1/claims/{correction.pk}/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200, "the ETag must change: the claim shows something else now"
    assert after.json()["supersedes"] is None and after.json()["version"] > before.json()["version"]
    assert _listed(anonymous, correction.pk)["supersedes"] is None


def test_the_reference_serializers_hide_it_as_the_fast_paths_do(client_for, correction_of_hidden, outsider):
    """``fast_list`` and ``fast_detail`` answer ClaimSerializer's bytes (their reference, in
    ``ClaimViewSet.serialized_list`` and ``serialized_detail``), this case included."""
    from tests.api.test_fast_list import FastClaimList, SerializerClaimList, _bytes

    _, correction = correction_of_hidden
    for user in (None, outsider):
        assert _bytes(SerializerClaimList, "/api/v1/claims/", user) == _bytes(FastClaimList, "/api/v1/claims/", user)
        rows = json.loads(_bytes(SerializerClaimList, "/api/v1/claims/", user))["results"]
        assert next(row for row in rows if row["id"] == correction.pk)["supersedes"] is None


def test_staff_and_a_signed_in_outsider_get_different_etags_for_what_differs(client_for, correction_of_hidden, analyst, outsider):
    """The outsider sees ``supersedes: null`` where staff see the id: one ETag for both
    would let either revalidate the other's copy."""
    hidden, correction = correction_of_hidden
    staff = client_for(analyst).get(f"/api/v1/claims/{correction.pk}/")
    other = client_for(outsider).get(f"/api/v1/claims/{correction.pk}/")
    assert staff.json()["supersedes"] == hidden.pk and other.json()["supersedes"] is None
    assert staff["ETag"] != other["ETag"]
    again = client_for(outsider).get(f"/api/v1/claims/{correction.pk}/", HTTP_IF_NONE_MATCH=staff["ETag"])
    assert again.status_code == 200 and again.json()["supersedes"] is None
