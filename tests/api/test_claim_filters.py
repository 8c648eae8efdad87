"""Claim list filters and ordering; invalid values answer 400 with a message."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from claims import services
from claims.models import Claim, Entity
from sources.models import Source, Span

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(corpus, analyst, analyst2, reviewer2, make_claim):
    """The corpus, plus a claim by analyst2 about Iran, refuted by evidence from a second source."""
    other = Source.objects.create(title="Other", text="Iran denied it.", created_by=analyst)
    iran = Entity.objects.create(name="Iran", slug="iran", kind="country")
    refuted = make_claim(
        analyst2,
        status="published",
        reviewer=reviewer2,
        text="Iran admitted it.",
        quote="Iran denied it.",
        stance="refutes",
        verdict="refuted",
        confidence="low",
        evidence_source=other,
    )
    refuted.entities.add(iran)
    services.claim_update(
        claim=corpus.draft, user=analyst, period_start=datetime.date(2006, 6, 1), period_end=datetime.date(2010, 6, 30)
    )
    return {"corpus": corpus, "refuted": refuted, "other": other}


def _ids(client, query):
    response = client.get(f"/api/v1/claims/?{query}")
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_filters(client_for, analyst, claims):
    corpus, refuted = claims["corpus"], claims["refuted"]
    client = client_for(analyst)
    everything = {corpus.draft.pk, corpus.in_review.pk, corpus.published.pk, corpus.rejected.pk, corpus.retracted.pk}
    assert _ids(client, "status=in_review") == {corpus.in_review.pk}
    assert _ids(client, "verdict=refuted") == {refuted.pk}
    assert _ids(client, "confidence=low") == {refuted.pk}
    assert _ids(client, "entity=iran") == {refuted.pk}
    assert _ids(client, "entity=nowhere") == set()
    assert _ids(client, f"source={claims['other'].pk}") == {refuted.pk}
    assert _ids(client, f"source={corpus.source.pk}") == everything
    assert _ids(client, "author=analyst2") == {refuted.pk}
    assert _ids(client, "stance=refutes") == {refuted.pk}
    assert _ids(client, "status=published&stance=supports") == {corpus.published.pk}
    assert _ids(client, "period_on=2008-01-01") == {corpus.draft.pk}
    assert _ids(client, "period_on=2011-01-01") == set()
    assert _ids(client, "period_on=2010-06-30") == {corpus.draft.pk}


def test_needs_attention_filter(client_for, analyst, claims):
    corpus = claims["corpus"]
    Span.objects.filter(pk=corpus.draft_span.pk).update(anchor_state="orphaned")
    services.refresh_attention([corpus.draft.pk])
    client = client_for(analyst)
    assert _ids(client, "needs_attention=true") == {corpus.draft.pk}
    assert corpus.draft.pk not in _ids(client, "needs_attention=false")


def test_date_filters_are_half_open(client_for, analyst, claims):
    corpus = claims["corpus"]
    client = client_for(analyst)
    moment = timezone.now() - datetime.timedelta(days=3)
    Claim.objects.filter(pk=corpus.rejected.pk).update(created_at=moment)
    stamp = moment.isoformat().replace("+00:00", "Z")
    assert _ids(client, f"created_before={stamp}") == set()
    assert corpus.rejected.pk in _ids(client, f"created_after={stamp}")
    assert _ids(client, "created_before=" + (moment + datetime.timedelta(seconds=1)).date().isoformat()) == set()
    published = _ids(client, "published_after=2000-01-01")
    assert published == {corpus.published.pk, corpus.retracted.pk, claims["refuted"].pk}
    assert _ids(client, "published_before=2000-01-01") == set()


@pytest.mark.parametrize("ordering", ["created_at", "-created_at", "id", "-id", "published_at", "-published_at"])
def test_ordering(client_for, analyst, claims, ordering):
    rows = client_for(analyst).get(f"/api/v1/claims/?ordering={ordering}").json()["results"]
    name, descending = ordering.lstrip("-"), ordering.startswith("-")
    claims_by_id = {claim.pk: claim for claim in Claim.objects.all()}
    # NULLs sort as the largest values: last going up, first going down.
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)

    def key(row):
        value = getattr(claims_by_id[row["id"]], name)
        return (far if value is None else value, row["id"])

    assert rows == sorted(rows, key=key, reverse=descending)


@pytest.mark.parametrize(
    "query",
    [
        "status=open",
        "verdict=maybe",
        "confidence=1",
        "source=abc",
        "source=-1",
        "source=99999999999999999999999",
        "needs_attention=perhaps",
        "created_after=yesterday",
        "created_before=2024-02-30",
        "published_after=2024-13-01T00:00:00",
        "period_on=not-a-date",
        "ordering=text",
        "ordering=-status",
        "stance=agrees",
        f"q={'x' * 501}",
    ],
)
def test_invalid_filter_values_answer_400_with_a_message(client_for, analyst, query):
    response = client_for(analyst).get(f"/api/v1/claims/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    field = query.split("=")[0]
    assert body["errors"][field]
    assert body["detail"].startswith(f"{field}:")
