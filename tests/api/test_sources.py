"""Sources: metadata for everybody, text for staff, writes through the services."""

from __future__ import annotations

import hashlib

import pytest

from sources.models import Source
from tests.support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db

HTML_TEXT = "  Leading spaces, a <sup>1</sup> tag and a trailing newline.\n"


def test_list_omits_text_but_gives_hash_and_length(anonymous, source):
    response = anonymous.get("/api/v1/sources/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert "text" not in row
    assert row["text_sha256"] == hashlib.sha256(SAMPLE_TEXT.encode()).hexdigest()
    assert row["text_length"] == len(SAMPLE_TEXT)


def test_detail_text_only_for_staff(client_for, source, analyst, outsider):
    assert "text" not in client_for(None).get(f"/api/v1/sources/{source.pk}/").json()
    assert "text" not in client_for(outsider).get(f"/api/v1/sources/{source.pk}/").json()
    assert client_for(analyst).get(f"/api/v1/sources/{source.pk}/").json()["text"] == SAMPLE_TEXT


def test_create_stores_text_verbatim(client_for, analyst):
    response = client_for(analyst).post(
        "/api/v1/sources/", {"title": "Verbatim", "text": HTML_TEXT, "kind": "report"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["text"] == HTML_TEXT
    assert body["created_by"] == "analyst"
    assert Source.objects.get(pk=body["id"]).text == HTML_TEXT


def test_create_refuses_a_taken_url(client_for, analyst):
    client = client_for(analyst)
    first = {"title": "A", "text": "x", "url": "https://example.org/a"}
    assert client.post("/api/v1/sources/", first, format="json").status_code == 201
    response = client.post("/api/v1/sources/", {**first, "title": "B"}, format="json")
    # As an upload or a fetch of a URL already recorded is refused: one answer for one rule.
    assert response.status_code == 409 and response.json()["code"] == "duplicate_url"
    assert "url" in response.json()["errors"] and response.json()["existing_source"]["url"] == first["url"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"text": "x"}, "title"),
        ({"title": "No text"}, "text"),
        ({"title": "t", "text": "x", "reliability": "G"}, "reliability"),
        ({"title": "t", "text": "x", "language": "not a tag!"}, "language"),
        ({"title": "t", "text": "x", "published_on": "2024-02-30"}, "published_on"),
        ({"title": "t", "text": "x", "url": "not a url"}, "url"),
    ],
)
def test_create_rejects_invalid_fields(client_for, analyst, payload, field):
    response = client_for(analyst).post("/api/v1/sources/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("published_on", "2024-02-30", "2024-02-30 is in the right format, but there is no such day."),
    ("retrieved_at", "2024-01-01T25:00:00Z", "2024-01-01T25:00:00Z is in the right format, but there is no such time."),
    ("published_on", "2024-02", "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
])
def test_a_date_in_the_right_format_that_names_no_day_is_said_to_be_so(client_for, analyst, field, value, message):
    response = client_for(analyst).post("/api/v1/sources/", {"title": "t", "text": "x", field: value}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}


def test_a_document_is_not_published_on_a_day_not_begun_nor_read_in_the_future(client_for, analyst):
    """Asked by the services (``_refuse_dates_ahead``) on every path that gives a date: the
    API, the admin, uploads and fetches; as the extractors refuse such a date from a document."""
    from datetime import timedelta

    from django.utils import timezone

    latest = (timezone.now() + timedelta(hours=14)).date()  # Kiribati's day
    for field, value, said in (
        ("published_on", (latest + timedelta(days=1)).isoformat(), "has not begun anywhere on Earth: a document is not published in the future."),
        ("retrieved_at", (timezone.now() + timedelta(days=1, minutes=5)).isoformat(), "is more than a day from now: a document is not read in the future."),
        # Year 1, shown in a time zone west of UTC, is no date Python holds: the source
        # list failed for everybody.
        ("retrieved_at", "0001-01-01T00:00:00Z", "is before 1900: when was the document read?"),
        ("retrieved_at", "1899-12-31T11:00:00-12:00", "is before 1900: when was the document read?"),
    ):
        response = client_for(analyst).post("/api/v1/sources/", {"title": "t", "text": "x", field: value}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][field][0].endswith(said)
    response = client_for(analyst).post("/api/v1/sources/", {"title": "t", "text": "x", "published_on": latest.isoformat()}, format="json")
    assert response.status_code == 201  # that day has begun somewhere


def test_a_date_ahead_stored_before_the_rule_does_not_block_other_edits(client_for, analyst, source):
    Source.objects.filter(pk=source.pk).update(published_on="2999-01-01")
    response = client_for(analyst).patch(f"/api/v1/sources/{source.pk}/", {"notes": "Just a note."}, format="json")
    assert response.status_code == 200, response.json()
    response = client_for(analyst).patch(f"/api/v1/sources/{source.pk}/", {"published_on": "2998-01-01"}, format="json")
    assert response.status_code == 400 and "published_on" in response.json()["errors"]


def test_patch_text_reanchors_spans_and_reports_it(client_for, reviewer, corpus):
    # Published claims cite this source: a reviewer changes it.
    source = corpus.source
    new_text = "A new first paragraph.\n\n" + source.text
    response = client_for(reviewer).patch(f"/api/v1/sources/{source.pk}/", {"text": new_text}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["text"] == new_text
    assert body["reanchor"]["orphaned"] == 0
    assert body["reanchor"]["relocated"] >= 1
    span = corpus.public_span
    span.refresh_from_db()
    assert new_text[span.start : span.end] == span.quote


def test_patch_metadata_only_has_no_reanchor_summary(client_for, analyst, source):
    response = client_for(analyst).patch(f"/api/v1/sources/{source.pk}/", {"publisher": "Other"}, format="json")
    assert response.status_code == 200
    assert response.json()["reanchor"] is None
    assert response.json()["publisher"] == "Other"


def test_source_with_spans_cannot_be_deleted(client_for, superuser, corpus):
    response = client_for(superuser).delete(f"/api/v1/sources/{corpus.source.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "source_has_spans"


def test_source_without_spans_is_deleted(client_for, superuser, analyst):
    source = Source.objects.create(title="Empty", text="Nothing cited.", created_by=analyst)
    assert client_for(superuser).delete(f"/api/v1/sources/{source.pk}/").status_code == 204
    assert not Source.objects.filter(pk=source.pk).exists()


@pytest.mark.parametrize(
    "query, titles",
    [
        ("kind=report", {"Report"}),
        ("reliability=A", {"Report"}),
        ("publisher=example", {"Sample"}),
        ("language=FR", {"French"}),
        ("published_after=2020-01-01", {"Report", "French"}),
        ("published_before=2020-01-01", set()),
        ("published_after=2020-01-01&published_before=2021-01-01", {"Report"}),
        ("q=rep", {"Report"}),
    ],
)
def test_source_filters(anonymous, analyst, source, query, titles):
    Source.objects.create(title="Report", text="r", kind="report", reliability="A", published_on="2020-05-01")
    Source.objects.create(title="French", text="f", language="fr", published_on="2022-01-01")
    response = anonymous.get(f"/api/v1/sources/?{query}")
    assert response.status_code == 200
    assert {row["title"] for row in response.json()["results"]} == titles


@pytest.mark.parametrize(
    "query", ["kind=book", "reliability=Z", "published_after=yesterday", "published_before=2020-13-01"]
)
def test_invalid_source_filters_answer_400(anonymous, query):
    response = anonymous.get(f"/api/v1/sources/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_a_source_has_an_etag_and_a_stale_if_match_changes_nothing(client_for, analyst, reviewer, source):
    """Two editors of one text: the second, who began from what the first replaced, gets a
    412 instead of silently undoing the first's change."""
    url = f"/api/v1/sources/{source.pk}/"
    first, second = client_for(analyst), client_for(reviewer)
    seen = first.get(url)["ETag"]
    assert seen == second.get(url)["ETag"] and seen.endswith('-full"')
    assert first.get(url, HTTP_IF_NONE_MATCH=seen).status_code == 304
    public = client_for(None).get(url)["ETag"]
    assert public != seen and client_for(None).get(url, HTTP_IF_NONE_MATCH=seen).status_code == 200
    edited = first.patch(url, {"text": "PRE. " + source.text}, format="json", HTTP_IF_MATCH=seen)
    assert edited.status_code == 200 and edited["ETag"] != seen
    stale = second.patch(url, {"title": "Another title"}, format="json", HTTP_IF_MATCH=seen)
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    current = Source.objects.get(pk=source.pk)
    assert current.text.startswith("PRE. ") and current.title == source.title
    assert second.patch(url, {"title": "Another title"}, format="json", HTTP_IF_MATCH=edited["ETag"]).status_code == 200
    assert first.patch(url, {"notes": "x"}, format="json", HTTP_IF_MATCH='"source-1-v3"').status_code == 412
