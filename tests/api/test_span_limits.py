"""Caps on what a span request may carry, so that anchoring stays linear in the text:
a quote of at most 5,000 code points, prefix/suffix of at most 256, and a quote too common
to anchor by quote is refused (bench/span_worst_case.py times the worst cases)."""

from __future__ import annotations

import pytest

from sources import anchoring
from sources.models import Span
from sources.services import source_create
from tests.support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db


def post_span(client, source, **payload):
    return client.post("/api/v1/spans/", {"source": source.pk, **payload}, format="json")


def test_quote_of_5000_code_points_is_accepted_and_5001_refused(client_for, analyst):
    text = "é" * 6_000 + "🙂"
    source = source_create(user=analyst, title="Long", text=text)
    client = client_for(analyst)
    assert post_span(client, source, start=0, end=5_000, quote="é" * 5_000).status_code == 201
    response = post_span(client, source, quote="é" * 5_001)
    assert response.status_code == 400
    assert "quote" in response.json()["errors"]


def test_offsets_spanning_more_than_5000_code_points_are_refused_on_every_path(client_for, analyst, tmp_path):
    text = "é" * 6_000 + "🙂"
    source = source_create(user=analyst, title="Long", text=text)
    client = client_for(analyst)
    response = post_span(client, source, start=0, end=5_001)
    assert response.status_code == 400
    assert response.json()["code"] == "too_long" and "5001 code points" in response.json()["detail"]
    inline = client.post(
        "/api/v1/claims/", {"text": "A claim.", "evidence": [{"source": source.pk, "start": 0, "end": 6_001}]}, format="json"
    )
    assert inline.status_code == 400
    assert not Span.objects.exists()
    with pytest.raises(anchoring.InputTooLong):
        anchoring.resolve_offsets(text, 10, 5_011)


def context_running_past_the_text(side: str, length: int) -> str:
    """``length`` code points of context for "Moscow later said" in SAMPLE_TEXT: the text on
    that side, and beyond its start or end words that are not there (which agree)."""
    start = SAMPLE_TEXT.index("Moscow later said")
    if side == "prefix":
        return ("x" * length + SAMPLE_TEXT[:start])[-length:]
    return (SAMPLE_TEXT[start + len("Moscow later said") :] + "x" * length)[:length]


@pytest.mark.parametrize("side", ["prefix", "suffix"])
def test_context_of_256_code_points_is_accepted_and_257_refused(client_for, analyst, source, side):
    client = client_for(analyst)
    accepted = post_span(client, source, quote="Moscow later said", **{side: context_running_past_the_text(side, 256)})
    assert accepted.status_code == 201, accepted.json()
    response = post_span(client, source, quote="Moscow later said", **{side: context_running_past_the_text(side, 257)})
    assert response.status_code == 400
    assert side in response.json()["errors"]


def test_inline_evidence_has_the_same_caps(client_for, analyst, source):
    response = client_for(analyst).post(
        "/api/v1/claims/",
        {"text": "A claim.", "evidence": [{"source": source.pk, "quote": "Russia", "prefix": "x" * 257}]},
        format="json",
    )
    assert response.status_code == 400
    assert "prefix" in str(response.json()["errors"]["evidence"])


def test_service_refuses_oversized_quote_and_context_whatever_the_caller():
    with pytest.raises(anchoring.InputTooLong):
        anchoring.resolve_quote("a" * 10, "a" * 5_001)
    with pytest.raises(anchoring.InputTooLong):
        anchoring.resolve_quote("ab" * 10, "a", prefix="x" * 257)


def test_quote_too_common_is_refused_listing_its_first_places(client_for, analyst):
    source = source_create(user=analyst, title="Repetitive", text="ab" * (anchoring.MAX_CANDIDATES + 5))
    response = post_span(client_for(analyst), source, quote="ab", prefix="b")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "quote_too_common"
    assert body["candidates"][:2] == [{"start": 0, "end": 2}, {"start": 2, "end": 4}]
    assert len(body["candidates"]) == anchoring.LISTED_WHEN_TOO_COMMON
    assert not Span.objects.filter(source=source).exists()


def test_quote_in_as_many_places_as_allowed_is_still_chosen_by_occurrence(analyst):
    text = "ab" * anchoring.MAX_CANDIDATES
    found = anchoring.resolve_quote(text, "ab", occurrence=anchoring.MAX_CANDIDATES)
    assert (found.start, found.end) == (len(text) - 2, len(text))


def test_fuzzy_suggestion_on_a_long_text_searches_near_the_old_place_only():
    quote = "Russia voted six times for sanctions"
    lost = "Russia voted six tmes for sanctions"
    text = "x" * 100_000 + lost + "y" * 100_000
    near = anchoring.fuzzy_suggestion(text, quote, hint=100_010)
    assert near is not None and near.start == 100_000
    assert anchoring.fuzzy_suggestion(text, quote, hint=0) is None  # 100,000 points away
    assert anchoring.fuzzy_suggestion(text, quote) is not None  # no hint: the whole text
