"""A 400 of a domain rule names the fields it refused in ``errors``, as a serializer's 400
does, beside its ``detail``, ``code`` and what else it carries (``candidates``...)."""

from __future__ import annotations

import pytest

from sources.services import source_update

pytestmark = pytest.mark.django_db


def _refused(response, code: str) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == code and body["detail"]
    return body


@pytest.mark.parametrize(
    "payload, code, fields",
    [
        ({"quote": "Russia voted"}, "ambiguous_quote", ["quote"]),
        ({"quote": "not in the text at all"}, "quote_not_found", ["quote"]),
        ({"start": 0, "end": 6, "quote": "Moscow"}, "quote_mismatch", ["quote"]),
        ({"start": 0, "end": 100000}, "offsets_out_of_range", ["end", "start"]),
        ({"quote": "Russia voted", "occurrence": 3}, "occurrence_out_of_range", ["occurrence"]),
        ({"start": 0}, "offsets_incomplete", ["end"]),
        ({"start": 0, "end": 6, "occurrence": 1}, "occurrence_with_offsets", ["occurrence"]),
        ({}, "span_unspecified", ["quote"]),
        ({"start": 0, "end": 6, "prefix": "nothing like it"}, "context_mismatch", ["prefix"]),
    ],
)
def test_a_span_refused_by_anchoring_names_its_fields(client_for, analyst, source, payload, code, fields):
    body = _refused(client_for(analyst).post("/api/v1/spans/", {"source": source.pk, **payload}, format="json"), code)
    assert sorted(body["errors"]) == fields
    assert all(body["errors"][field] == [body["detail"]] for field in fields)


def test_an_ambiguous_quote_keeps_its_candidates(client_for, analyst, source):
    body = _refused(client_for(analyst).post("/api/v1/spans/", {"source": source.pk, "quote": "Russia voted"}, format="json"), "ambiguous_quote")
    assert len(body["candidates"]) == 2


def test_inline_evidence_refused_by_anchoring_names_the_item_and_its_field(client_for, analyst, source):
    response = client_for(analyst).post("/api/v1/claims/", {
        "text": "A claim.",
        "evidence": [
            {"source": source.pk, "quote": "Moscow later said", "stance": "supports"},
            {"source": source.pk, "quote": "Russia voted", "stance": "supports"},
        ],
    }, format="json")
    body = _refused(response, "ambiguous_quote")
    assert body["evidence_index"] == 1 and len(body["candidates"]) == 2
    assert body["errors"] == {"evidence": [{}, {"quote": [body["detail"].removeprefix("evidence[1]: ")]}]}


def test_a_passage_repeated_in_one_write_names_the_item(client_for, analyst, source):
    item = {"source": source.pk, "quote": "Moscow later said", "stance": "supports"}
    body = _refused(client_for(analyst).post("/api/v1/claims/", {"text": "A claim.", "evidence": [item, item]}, format="json"),
                    "repeated_evidence")
    assert list(body["errors"]["evidence"][1]) == ["quote"] and body["errors"]["evidence"][0] == {}


def test_an_orphaned_span_as_evidence_names_the_span(client_for, analyst, reviewer, corpus):
    span = corpus.free_span
    source_update(source=corpus.source, user=reviewer, text="Nothing of the old words is left here.")
    span.refresh_from_db()
    assert span.anchor_state == "orphaned"
    response = client_for(analyst).post("/api/v1/evidence/", {"claim": corpus.draft.pk, "span": span.pk}, format="json")
    body = _refused(response, "span_orphaned")
    assert body["errors"] == {"span": [body["detail"]]}
    assert not body["detail"].startswith("evidence[")


def test_a_claim_superseding_itself_names_supersedes(client_for, analyst, corpus):
    response = client_for(analyst).patch(f"/api/v1/claims/{corpus.draft.pk}/", {"supersedes": corpus.draft.pk}, format="json")
    body = _refused(response, "supersedes_self")
    assert body["errors"] == {"supersedes": [body["detail"]]}


def test_the_schema_documents_errors_on_the_400_envelope(anonymous):
    schema = anonymous.get("/api/schema/?format=json").json()
    envelope = schema["components"]["schemas"]["ValidationError"]["properties"]
    assert {"detail", "code", "errors", "candidates"} <= set(envelope)
    assert "ambiguous_quote" in envelope["errors"]["description"]
