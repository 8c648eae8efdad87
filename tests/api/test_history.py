"""Field history: who changed what, when, from consecutive history records."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_history_lists_field_changes_with_who_and_when(client_for, analyst, reviewer, corpus):
    claim = corpus.draft
    client_for(analyst).patch(
        f"/api/v1/claims/{claim.pk}/", {"text": "Sharper text.", "verdict": "unverifiable"}, format="json"
    )
    client_for(reviewer).post(f"/api/v1/claims/{claim.pk}/submit/", {}, format="json")
    response = client_for(analyst).get(f"/api/v1/claims/{claim.pk}/history/")
    assert response.status_code == 200
    entries = response.json()
    claim_entries = [entry for entry in entries if entry["object"] == "claim"]
    created, edited, submitted = claim_entries
    assert created["type"] == "created" and created["user"] == "analyst"
    original = "Draft claim: Moscow said the sanctions went too far."
    assert {"field": "text", "old": None, "new": original} in created["changes"]
    assert edited["user"] == "analyst"
    changes = {change["field"]: (change["old"], change["new"]) for change in edited["changes"]}
    assert changes["text"] == ("Draft claim: Moscow said the sanctions went too far.", "Sharper text.")
    assert changes["verdict"] == ("supported", "unverifiable")
    assert changes["version"] == (1, 2)
    assert submitted["user"] == "reviewer"
    assert {change["field"] for change in submitted["changes"]} >= {"status", "submitted_at", "version"}
    evidence_entries = [entry for entry in entries if entry["object"] == "evidence"]
    assert evidence_entries[0]["type"] == "created"
    assert [entry["at"] for entry in entries] == sorted(entry["at"] for entry in entries)


def test_history_of_a_hidden_claim_is_hidden(anonymous, corpus):
    assert anonymous.get(f"/api/v1/claims/{corpus.draft.pk}/history/").status_code == 404
