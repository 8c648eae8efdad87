"""Spans: anchored by offsets or by quote; ambiguity lists every candidate."""

from __future__ import annotations

import pytest

from sources.models import Span
from tests.support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db


def _post(client, payload):
    return client.post("/api/v1/spans/", payload, format="json")


def test_create_by_offsets(client_for, analyst, source):
    start = SAMPLE_TEXT.index("Moscow")
    response = _post(client_for(analyst), {"source": source.pk, "start": start, "end": start + 6})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["quote"] == "Moscow"
    assert body["anchor_state"] == "anchored"
    assert body["prefix"] == SAMPLE_TEXT[max(0, start - 32) : start]


def test_offsets_count_code_points_not_utf16_units(client_for, analyst, source):
    start = SAMPLE_TEXT.index("🙂")
    response = _post(client_for(analyst), {"source": source.pk, "start": start, "end": start + 1})
    assert response.status_code == 201
    assert response.json()["quote"] == "🙂"


def test_create_by_offsets_with_a_mismatching_quote(client_for, analyst, source):
    response = _post(client_for(analyst), {"source": source.pk, "start": 0, "end": 6, "quote": "Moscow"})
    assert response.status_code == 400
    assert response.json()["code"] == "quote_mismatch"


def test_create_by_unique_quote(client_for, analyst, source):
    response = _post(client_for(analyst), {"source": source.pk, "quote": "“Curly quotes”"})
    assert response.status_code == 201
    body = response.json()
    assert SAMPLE_TEXT[body["start"] : body["end"]] == "“Curly quotes”"


def test_ambiguous_quote_lists_every_candidate(client_for, analyst, source):
    response = _post(client_for(analyst), {"source": source.pk, "quote": "Russia voted"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "ambiguous_quote"
    expected = [
        {"start": index, "end": index + len("Russia voted")}
        for index in (SAMPLE_TEXT.index("Russia voted"), SAMPLE_TEXT.rindex("Russia voted"))
    ]
    assert body["candidates"] == expected
    assert not Span.objects.exists()


def test_occurrence_picks_among_repeats(client_for, analyst, source):
    response = _post(client_for(analyst), {"source": source.pk, "quote": "Russia voted", "occurrence": 2})
    assert response.status_code == 201
    assert response.json()["start"] == SAMPLE_TEXT.rindex("Russia voted")


def test_prefix_picks_among_repeats(client_for, analyst, source):
    response = _post(client_for(analyst), {"source": source.pk, "quote": "Russia voted", "prefix": "sentence. "})
    assert response.status_code == 201
    assert response.json()["start"] == SAMPLE_TEXT.rindex("Russia voted")


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"quote": "not in the text"}, "quote_not_found"),
        ({"quote": "Russia voted", "occurrence": 3}, "occurrence_out_of_range"),
        ({"start": 5, "end": 5}, "offsets_out_of_range"),
        ({"start": 0, "end": 10_000}, "offsets_out_of_range"),
        ({"start": 0}, "offsets_incomplete"),
        ({}, "span_unspecified"),
    ],
)
def test_anchoring_failures_answer_400_with_their_code(client_for, analyst, source, payload, code):
    response = _post(client_for(analyst), {"source": source.pk, **payload})
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_same_offsets_reuse_the_span(client_for, analyst, source):
    client = client_for(analyst)
    first = _post(client, {"source": source.pk, "quote": "Moscow"})
    again = _post(client, {"source": source.pk, "start": first.json()["start"], "end": first.json()["end"]})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_span_used_as_evidence_cannot_be_deleted(client_for, analyst, corpus):
    response = client_for(analyst).delete(f"/api/v1/spans/{corpus.public_span.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "span_in_use"


def test_unused_span_is_deleted(client_for, analyst, corpus):
    assert client_for(analyst).delete(f"/api/v1/spans/{corpus.free_span.pk}/").status_code == 204


def test_anonymous_sees_only_spans_of_public_claims(anonymous, corpus):
    ids = {row["id"] for row in anonymous.get("/api/v1/spans/").json()["results"]}
    assert ids == {corpus.public_span.pk}
    assert anonymous.get(f"/api/v1/spans/{corpus.draft_span.pk}/").status_code == 404


def test_staff_see_every_span_in_text_order(client_for, analyst, corpus):
    rows = client_for(analyst).get(f"/api/v1/spans/?source={corpus.source.pk}").json()["results"]
    assert {row["id"] for row in rows} == {corpus.public_span.pk, corpus.draft_span.pk, corpus.free_span.pk}
    assert [row["start"] for row in rows] == sorted(row["start"] for row in rows)


@pytest.mark.parametrize("query", ["source=abc", "source=1.5", "source=0", "anchor_state=lost"])
def test_invalid_span_filters_answer_400(anonymous, query):
    assert anonymous.get(f"/api/v1/spans/?{query}").status_code == 400


THREE = "Russia said no. Iran said yes. China said maybe."


@pytest.fixture
def three(analyst):
    from sources.services import source_create

    return source_create(user=analyst, title="Three speakers", text=THREE)


@pytest.mark.parametrize("suffix", [" maybe. And more text that is not there", " maybe.", " maybe. And"])
def test_suffix_running_past_the_end_of_the_text_picks_the_place_it_agrees_with(client_for, analyst, three, suffix):
    response = _post(client_for(analyst), {"source": three.pk, "quote": "said", "suffix": suffix})
    assert response.status_code == 201, response.json()
    assert (response.json()["start"], response.json()["end"]) == (37, 41)


def test_prefix_running_past_the_start_of_the_text_picks_the_place_it_agrees_with(client_for, analyst):
    from sources.services import source_create

    source = source_create(user=analyst, title="Reordered", text="China said maybe. Russia said no. Iran said yes.")
    response = _post(client_for(analyst), {"source": source.pk, "quote": "said", "prefix": "Long ago, in another text entirely: China "})
    assert response.status_code == 201, response.json()
    assert response.json()["start"] == 6


@pytest.mark.parametrize(
    "payload, mismatched",
    [
        ({"start": 0, "end": 4, "prefix": "zzz"}, ["prefix"]),
        ({"start": 21, "end": 29, "suffix": " maybe."}, ["suffix"]),
        ({"quote": "said yes", "prefix": "Russia "}, ["prefix"]),
        ({"quote": "said", "prefix": "Iran ", "occurrence": 3}, ["prefix"]),
        ({"quote": "said", "prefix": "Russia ", "suffix": " maybe"}, ["prefix", "suffix"]),
    ],
    ids=["offsets", "offsets-suffix", "unique-quote", "occurrence", "no-place-has-both"],
)
def test_context_contradicting_the_place_chosen_is_refused(client_for, analyst, three, payload, mismatched):
    response = _post(client_for(analyst), {"source": three.pk, **payload})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "context_mismatch"
    assert body["mismatched"] == mismatched
    if "start" in payload:
        assert body["candidates"] == [{"start": payload["start"], "end": payload["end"]}]
    else:  # every place of the quote, as ambiguous_quote lists them
        quote = payload["quote"]
        assert body["candidates"] == [
            {"start": index, "end": index + len(quote)} for index in range(len(THREE)) if THREE.startswith(quote, index)
        ]
    assert not Span.objects.filter(source=three).exists()


def test_context_derived_at_the_place_is_accepted_with_offsets_and_occurrence(client_for, analyst, three):
    from sources.anchoring import context_of

    prefix, suffix = context_of(THREE, 21, 25)
    client = client_for(analyst)
    by_offsets = _post(client, {"source": three.pk, "start": 21, "end": 25, "prefix": prefix, "suffix": suffix})
    by_occurrence = _post(client, {"source": three.pk, "quote": "said", "occurrence": 2, "prefix": prefix, "suffix": suffix})
    assert (by_offsets.status_code, by_occurrence.status_code) == (201, 200)
    assert by_occurrence.json()["id"] == by_offsets.json()["id"]


def test_a_quote_copied_across_paragraphs_decomposed_is_stored_as_the_text_reads(client_for, analyst):
    """Chromium copies two paragraphs with a blank line between them, and a page's "e" and
    U+0301 as written; the span stores the words as the source's text holds them, so that
    its quote equals the text at its offsets."""
    from sources.models import Source

    text = "Le Café Society.\nThe deal covers energy."
    source = Source.objects.create(title="Extracted page", text=text, created_by=analyst)
    response = _post(client_for(analyst), {"source": source.pk, "quote": "Cafe\u0301 Society.\n\nThe deal"})
    assert response.status_code == 201, response.json()
    body = response.json()
    start = text.index("Café")
    assert (body["start"], body["end"], body["quote"]) == (start, start + 22, "Café Society.\nThe deal")
    assert text[body["start"] : body["end"]] == body["quote"]


def test_a_span_ending_inside_a_character_is_refused_naming_the_field(client_for, analyst):
    from sources.services import source_create

    source = source_create(user=analyst, title="Decomposed", text="The cafe\u0301 in Tehran.")
    client = client_for(analyst)
    response = _post(client, {"source": source.pk, "start": 0, "end": 8, "quote": "The cafe"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "splits_character"
    assert list(body["errors"]) == ["end"] and "falls inside a character" in body["errors"]["end"][0]
    assert body["character"] == {"start": 7, "end": 9}
    response = _post(client, {"source": source.pk, "quote": "The cafe"})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["quote"])
    assert not Span.objects.filter(source=source).exists()
    response = _post(client, {"source": source.pk, "start": 0, "end": 9})
    assert (response.status_code, response.json()["quote"]) == (201, "The cafe\u0301")


def test_half_a_flag_past_the_512th_regional_indicator_is_refused(client_for, analyst):
    """A line of flags is read in pairs to its end: the server had found a break between
    any two indicators past the 512th, where the reader sees (and widens to) a flag."""
    from sources.services import source_create

    text = "Flags: " + "\U0001F1EE\U0001F1F7" * 600
    source = source_create(user=analyst, title="Flags", text=text)
    client = client_for(analyst)
    start = len("Flags: ") + 1_001
    response = _post(client, {"source": source.pk, "start": start, "end": start + 11})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "splits_character" and list(body["errors"]) == ["start"]
    assert body["character"] == {"start": start - 1, "end": start + 1}
    response = _post(client, {"source": source.pk, "start": start - 1, "end": start + 11})
    assert (response.status_code, response.json()["quote"]) == (201, text[start - 1 : start + 11])


def test_a_refusal_names_the_whole_of_a_character_of_many_marks(client_for, analyst):
    """The character named in a refusal is the whole of it, so that the offsets it suggests
    are taken: read 64 code points either side, it had been told cut short."""
    from sources.services import source_create

    family = "\U0001F468" + "\u0301" * 200 + "\u200d\U0001F469"
    text = "A " + family + " family."
    source = source_create(user=analyst, title="Marks", text=text)
    client = client_for(analyst)
    response = _post(client, {"source": source.pk, "start": 0, "end": 102})
    assert response.status_code == 400
    assert response.json()["character"] == {"start": 2, "end": 2 + len(family)}
    response = _post(client, {"source": source.pk, "start": 0, "end": 2 + len(family)})
    assert (response.status_code, response.json()["quote"]) == (201, "A " + family)
