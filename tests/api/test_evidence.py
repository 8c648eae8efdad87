"""Evidence endpoints: through the services, under the claim's content freeze."""

from __future__ import annotations

import pytest

from claims.models import Evidence

pytestmark = pytest.mark.django_db


def test_add_evidence_by_quote_bumps_the_claim_version(client_for, analyst, corpus):
    claim = corpus.draft
    response = client_for(analyst).post(
        "/api/v1/evidence/",
        {"claim": claim.pk, "source": corpus.source.pk, "quote": "Curly quotes", "stance": "context"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["claim"] == claim.pk and body["stance"] == "context"
    assert body["span"]["quote"] == "Curly quotes"
    claim.refresh_from_db()
    assert claim.version == 2


def test_evidence_already_there_answers_409_naming_it(client_for, analyst, corpus):
    response = client_for(analyst).post(
        "/api/v1/evidence/", {"claim": corpus.draft.pk, "span": corpus.draft_span.pk}, format="json"
    )
    assert response.status_code == 409
    existing = corpus.draft.evidence.get()
    assert response.json()["code"] == "duplicate_evidence" and response.json()["evidence"] == existing.pk
    # The request was the item itself, not a list of items: no index, no "evidence[0]: ".
    assert "evidence_index" not in response.json()
    assert response.json()["detail"].startswith(f"Span #{corpus.draft_span.pk} is already evidence #{existing.pk} of claim #{corpus.draft.pk}")


def test_one_passage_twice_in_a_new_claim_names_the_items_and_no_id_that_was_not_kept(client_for, analyst, corpus):
    source = corpus.source.pk
    response = client_for(analyst).post("/api/v1/claims/", {
        "text": "Twice the same passage.",
        "evidence": [{"source": source, "quote": "Russia voted six times"},
                     {"source": source, "quote": "Russia voted six times", "stance": "context"}],
    }, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "repeated_evidence" and body["evidence_index"] == 1
    assert body["detail"] == "evidence[1]: The same passage as evidence[0]."
    assert "#" not in body["detail"]


def test_evidence_of_a_frozen_claim_cannot_change(client_for, analyst, corpus):
    client = client_for(analyst)
    evidence = corpus.published.evidence.get()
    assert client.patch(f"/api/v1/evidence/{evidence.pk}/", {"stance": "refutes"}, format="json").status_code == 409
    assert client.delete(f"/api/v1/evidence/{evidence.pk}/").status_code == 409
    response = client.post(
        "/api/v1/evidence/", {"claim": corpus.published.pk, "span": corpus.free_span.pk}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "content_frozen"


def test_update_and_remove_evidence(client_for, analyst, corpus):
    client = client_for(analyst)
    evidence = corpus.draft.evidence.get()
    response = client.patch(f"/api/v1/evidence/{evidence.pk}/", {"stance": "refutes", "note": "n"}, format="json")
    assert response.status_code == 200
    assert (response.json()["stance"], response.json()["note"]) == ("refutes", "n")
    assert client.delete(f"/api/v1/evidence/{evidence.pk}/").status_code == 204
    assert not Evidence.objects.filter(pk=evidence.pk).exists()


def test_evidence_filters_and_visibility(client_for, anonymous, analyst, corpus):
    public = {row["id"] for row in anonymous.get("/api/v1/evidence/").json()["results"]}
    assert public == {corpus.published.evidence.get().pk, corpus.retracted.evidence.get().pk}
    rows = client_for(analyst).get(f"/api/v1/evidence/?claim={corpus.draft.pk}&stance=supports").json()["results"]
    assert [row["id"] for row in rows] == [corpus.draft.evidence.get().pk]
    assert anonymous.get(f"/api/v1/evidence/{corpus.draft.evidence.get().pk}/").status_code == 404
