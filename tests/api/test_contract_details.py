"""Smaller points of the API's contract: review rows name their claim, the history names
users by username, the evidence endpoint's errors name its own fields, a method no endpoint
has is a 405 for anybody, messages speak JSON, and links are absolute."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_review_rows_name_their_claim(client_for, reviewer, anonymous, corpus):
    for client in (client_for(reviewer), anonymous):
        rows = client.get(f"/api/v1/claims/{corpus.published.pk}/reviews/").json()
        assert rows and all(row["claim"] == corpus.published.pk for row in rows)
        assert list(rows[0]) == ["id", "claim", "action", "from_status", "to_status", "actor", "comment", "created_at"]


def test_the_history_names_author_and_reviewer_by_username(client_for, reviewer, anonymous, corpus, analyst, reviewer2):
    for client in (client_for(reviewer), anonymous):
        entries = client.get(f"/api/v1/claims/{corpus.published.pk}/history/").json()
        users = {
            change["field"]: change["new"] for entry in entries for change in entry["changes"]
            if change["field"] in ("author", "reviewer")
        }
        assert users == {"author": analyst.username, "reviewer": reviewer2.username}


def test_evidence_posted_alone_is_refused_in_its_own_fields(client_for, analyst, corpus):
    response = client_for(analyst).post(
        "/api/v1/evidence/", {"claim": corpus.draft.pk, "source": corpus.source.pk, "quote": "Russia voted"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "ambiguous_quote" and "evidence_index" not in body
    assert not body["detail"].startswith("evidence[")
    assert body["errors"] == {"quote": [body["detail"]]}


@pytest.mark.parametrize("method", ["PUT", "TRACE", "PROPFIND"])
@pytest.mark.parametrize("path", ["/api/v1/claims/{claim}/", "/api/v1/claims/", "/api/v1/review-queue/"])
def test_a_method_the_endpoint_does_not_have_is_405_for_anonymous_callers_too(anonymous, corpus, method, path):
    response = anonymous.generic(method, path.format(claim=corpus.published.pk))
    assert response.status_code == 405, response.content
    assert response.json()["code"] == "method_not_allowed"


def test_anonymous_writes_the_endpoint_has_are_still_401(anonymous, corpus):
    assert anonymous.patch(f"/api/v1/claims/{corpus.published.pk}/", {}, format="json").status_code == 401
    assert anonymous.get("/api/v1/review-queue/").status_code == 401


@pytest.mark.parametrize(
    "value, kind",
    [(None, "null"), (5, "a number"), (1.5, "a number"), (True, "true or false"), ([], "a list"), ({}, "an object")],
)
def test_a_value_of_the_wrong_type_is_named_in_json_words(client_for, analyst, value, kind):
    response = client_for(analyst).post("/api/v1/claims/", {"text": "t", "notes": value}, format="json")
    assert response.status_code == 400
    message = response.json()["errors"]["notes"][0]
    assert message == f"Not a valid string: {kind} was given."


def test_original_url_is_absolute_like_the_other_links(client_for, analyst):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("note.txt", b"A text uploaded as a file, with words.", content_type="text/plain")
    body = client_for(analyst).post("/api/v1/sources/", {"file": upload}, format="multipart").json()
    assert body["original_url"] == f"http://testserver/api/v1/sources/{body['id']}/original/"
    listed = client_for(analyst).get("/api/v1/sources/?page_size=1").json()
    assert listed["results"][0]["original_url"] == body["original_url"]
    assert client_for(analyst).get(body["original_url"]).status_code == 200


def test_the_schema_lists_the_review_rows_claim(anonymous):
    schema = anonymous.get("/api/schema/?format=json").json()
    assert "claim" in schema["components"]["schemas"]["Review"]["required"]
