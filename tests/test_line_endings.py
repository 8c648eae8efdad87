"""Line breaks are LF wherever source text comes in, and the migration that normalised the
stored texts kept every span on its words."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from claims import services
from claims.models import Claim
from sources.models import Source, Span
from sources.services import source_create, source_update, span_create

pytestmark = pytest.mark.django_db

migration = importlib.import_module("sources.migrations.0004_source_text_line_endings_normalised")


def test_source_create_stores_line_breaks_as_lf(analyst):
    source = source_create(user=analyst, title="CRLF", text="One.\r\n\r\nTwo.\rThree.\n")
    source.refresh_from_db()
    assert source.text == "One.\n\nTwo.\nThree.\n"
    assert source.text_length == len(source.text)


def test_source_update_stores_line_breaks_as_lf_and_keeps_spans(analyst):
    source = source_create(user=analyst, title="S", text="One.\n\nTwo words here.")
    span, _ = span_create(source=source, user=analyst, quote="Two words")
    assert source_update(source=source, user=analyst, text="One.\r\n\r\nTwo words here.") == {}
    source.refresh_from_db()
    span.refresh_from_db()
    assert source.text == "One.\n\nTwo words here."
    assert (span.anchor_state, source.text[span.start : span.end]) == ("anchored", "Two words")


def test_the_api_stores_line_breaks_as_lf(client, analyst):
    client.force_login(analyst)
    response = client.post(
        "/api/v1/sources/", {"title": "API", "text": "A.\r\nB."}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert Source.objects.get(pk=response.json()["id"]).text == "A.\nB."


def test_the_migration_normalises_stored_texts_and_moves_each_span_with_its_words(analyst):
    text = "Title\r\n\r\nFirst paragraph, cited.\r\nSecond line\ralone.\r\n\r\nLast words."
    source = source_create(user=analyst, title="Old", text="Replaced below by a text stored with CR breaks.")
    # Stored as the admin's form used to store it, before this change.
    Source.objects.filter(pk=source.pk).update(text=text, text_length=len(text))
    after_crlf = text.index("First paragraph")
    across = text[text.index("cited.") : text.index("alone.") + len("alone.")]
    spans = []
    for quote, at in (("First paragraph", after_crlf), (across, text.index(across)), ("Last words.", text.index("Last words."))):
        spans.append(Span.objects.create(source=source, start=at, end=at + len(quote), quote=quote, prefix="", suffix=""))
    claim = services.claim_create(author=analyst, text="A claim.", evidence=[services.EvidenceInput(span=spans[2])])
    version = claim.version

    migration.normalise_line_endings(apps, None)

    source.refresh_from_db()
    assert "\r" not in source.text and source.text_length == len(source.text)
    for span in spans:
        span.refresh_from_db()
        assert span.anchor_state == "anchored"
        assert "\r" not in span.quote
        assert source.text[span.start : span.end] == span.quote
        assert span.prefix == source.text[max(0, span.start - 32) : span.start]
    assert spans[1].quote == "cited.\nSecond line\nalone."
    assert Claim.objects.get(pk=claim.pk).version == version  # nothing moved: no claim touched
