"""A claim's notes (50,000 characters) and an evidence note (10,000) have a length, one rule
on the model fields that the API, the admin and the importer all ask."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from claims.models import NOTE_MAX_LENGTH, NOTES_MAX_LENGTH, Claim, Evidence

pytestmark = pytest.mark.django_db


def test_an_evidence_note_over_its_length_is_a_400_naming_it(client_for, analyst, corpus):
    client = client_for(analyst)
    too_long = "n" * (NOTE_MAX_LENGTH + 1)
    response = client.post("/api/v1/evidence/", {"claim": corpus.draft.pk, "source": corpus.source.pk,
                                                 "quote": "Russia voted six", "note": too_long}, format="json")
    assert response.status_code == 400 and "note" in response.json()["errors"], response.content[:300]
    evidence = corpus.draft.evidence.get()
    response = client.patch(f"/api/v1/evidence/{evidence.pk}/", {"note": too_long}, format="json")
    assert response.status_code == 400 and "note" in response.json()["errors"]
    assert Evidence.objects.get(pk=evidence.pk).note == evidence.note
    ok = client.patch(f"/api/v1/evidence/{evidence.pk}/", {"note": "n" * NOTE_MAX_LENGTH}, format="json")
    assert ok.status_code == 200


def test_claim_notes_over_their_length_are_a_400_naming_them(client_for, analyst, corpus):
    response = client_for(analyst).patch(f"/api/v1/claims/{corpus.draft.pk}/", {"notes": "m" * (NOTES_MAX_LENGTH + 1)},
                                         format="json")
    assert response.status_code == 400 and "notes" in response.json()["errors"]
    assert Claim.objects.get(pk=corpus.draft.pk).notes == corpus.draft.notes


def test_an_import_line_with_notes_over_their_length_is_a_line_error(corpus, tmp_path):
    path = tmp_path / "long.jsonl"
    line = {"author": "analyst", "text": "Long notes.", "notes": "m" * (NOTES_MAX_LENGTH + 1),
            "evidence": [{"source_sha256": corpus.source.text_sha256, "start": 0, "end": 6,
                          "note": "n" * (NOTE_MAX_LENGTH + 1)}]}
    path.write_text(json.dumps(line))
    with pytest.raises(CommandError, match="1 invalid line"):
        call_command("import_claims", str(path), "--no-progress", stderr=__import__("io").StringIO())
    assert not Claim.objects.filter(text="Long notes.").exists()
