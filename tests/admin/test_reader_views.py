"""The reader's server side: what select-to-span and select-to-claim accept, answer and
record, and how the text is rendered."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.urls import reverse

from claims.models import Claim
from sources.admin_views import render_marked_text
from sources.models import Span
from sources.services import source_create, span_create

from ..support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db

CLAIM_FROM_SELECTION = "admin:claims_claim_from_selection"
ACROSS = "sanctions on Iran.\n\nMoscow later said"


def selection(quote: str, text: str = SAMPLE_TEXT) -> dict:
    start = text.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}


def test_a_quote_posted_with_crlf_line_breaks_matches_the_text_across_paragraphs(client_for, analyst, source):
    # Browsers post every line break of a form as CR LF.
    data = {**selection(ACROSS), "quote": ACROSS.replace("\n", "\r\n")}
    client_for(analyst).post(reverse("admin:sources_source_span_from_selection", args=[source.pk]), data)
    span = Span.objects.get()
    assert span.quote == ACROSS == SAMPLE_TEXT[span.start : span.end]


def test_a_claim_from_a_selection_across_paragraphs_keeps_the_exact_quote(client_for, analyst, source):
    data = {**selection(ACROSS), "quote": ACROSS.replace("\n", "\r\n"), "source": source.pk, "text": "Moscow said so."}
    client_for(analyst).post(reverse(CLAIM_FROM_SELECTION), data)
    assert Claim.objects.get().evidence.get().span.quote == ACROSS


def test_a_claim_typed_and_sent_with_enter_is_a_draft_supported_by_the_passage(client_for, analyst, source):
    data = {**selection("Moscow later said"), "source": source.pk, "text": "Moscow criticised the sanctions.\r\n"}
    client_for(analyst).post(reverse(CLAIM_FROM_SELECTION), data)
    claim = Claim.objects.get()
    assert (claim.status, claim.text, claim.verdict, claim.confidence) == ("draft", "Moscow criticised the sanctions.", "unverified", "")
    assert claim.evidence.get().stance == "supports"


def test_a_refused_claim_answers_json_to_the_reader_and_makes_nothing(client_for, analyst, source):
    data = {"source": source.pk, "start": 0, "end": 6, "quote": "Moscow", "text": "Some claim."}
    response = client_for(analyst).post(reverse(CLAIM_FROM_SELECTION), data, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "No claim made" in response.json()["detail"]
    assert not Claim.objects.exists() and not Span.objects.exists()


def test_a_claim_made_from_a_selection_answers_json_with_where_to_go(client_for, analyst, source):
    data = {**selection("Moscow later said"), "source": source.pk, "text": "Moscow criticised the sanctions."}
    response = client_for(analyst).post(reverse(CLAIM_FROM_SELECTION), data, headers={"Accept": "application/json"})
    span = Span.objects.get()
    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("admin:sources_source_change", args=[source.pk]) + f"#span-{span.pk}"}


def test_an_invalid_claim_text_answers_json_naming_the_field(client_for, analyst, source):
    data = {**selection("Moscow later said"), "source": source.pk, "text": "x" * 501}
    response = client_for(analyst).post(reverse(CLAIM_FROM_SELECTION), data, headers={"Accept": "application/json"})
    assert response.status_code == 400 and "text" in response.json()["errors"]


def test_claims_and_spans_made_from_a_selection_are_in_recent_actions(client_for, analyst, source):
    client = client_for(analyst)
    client.post(reverse(CLAIM_FROM_SELECTION), {**selection("Moscow later said"), "source": source.pk, "text": "A claim."})
    client.post(reverse("admin:sources_source_span_from_selection", args=[source.pk]), selection("Russia voted again."))
    logged = {(entry.content_type.model, entry.action_flag) for entry in LogEntry.objects.filter(user=analyst)}
    assert {("claim", ADDITION), ("span", ADDITION)} <= logged
    index = client.get(reverse("admin:index")).content.decode()
    assert "A claim." in index


def test_blank_lines_around_the_text_are_kept_in_the_page_but_not_shown(analyst):
    text = "\n\n\n## Title\n\nBody.\n\n"
    source = source_create(user=analyst, title="Edges", text=text)
    span, _ = span_create(source=source, user=analyst, quote="Title")
    html = str(render_marked_text(text, [span]))
    assert html.startswith('<span class="cb-edge-space">\n\n\n</span>')
    assert html.endswith('<span class="cb-edge-space">\n\n</span>')
    from html import unescape
    import re

    assert unescape(re.sub(r"<[^>]+>", "", html)) == text


def test_a_claim_from_a_selection_in_a_deleted_source_answers_json_the_reader_can_show(client_for, analyst):
    data = {**selection("Moscow later said"), "source": "999999", "text": "Moscow criticised the sanctions."}
    client = client_for(analyst)
    response = client.post(reverse(CLAIM_FROM_SELECTION), data, headers={"Accept": "application/json"})
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "No claim made: source #999999 no longer exists (it was deleted)."
    # Without the reader's script: the source list, with the reason as a message.
    response = client.post(reverse(CLAIM_FROM_SELECTION), data, follow=True)
    assert response.status_code == 200
    assert any("source #999999 no longer exists" in str(message) for message in response.context["messages"])
    assert not Claim.objects.exists()


def test_a_span_from_a_selection_in_a_deleted_source_answers_json_the_reader_can_show(client_for, analyst):
    url = reverse("admin:sources_source_span_from_selection", args=[999999])
    response = client_for(analyst).post(url, selection("Moscow later said"), headers={"Accept": "application/json"})
    assert response.status_code == 404 and "no longer exists" in response.json()["detail"]
