"""A round gives each webhook a bounded share: the events numbered when it began, and at
most ``share`` POSTs. Events keep being numbered while a round runs (every reader of the
feed numbers them): a webhook whose round took them too would hold the only worker for as
long as writers write, and ``--once`` would never end."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from feed import webhooks
from feed.models import Event, Webhook
from feed.sequencing import sequence_pending
from project import net

from .conftest import SECRET

pytestmark = pytest.mark.django_db

SLOW = "https://slow.example.org/hook"
FAST = "https://fast.example.org/hook"


def _events(count: int) -> None:
    Event.objects.bulk_create(Event(type="claim.published", claim=n, version=1, public=True) for n in range(count))
    sequence_pending()


@pytest.fixture
def posts(monkeypatch) -> list[tuple[str, int]]:
    """Every POST as (url, seq), answered 200 at once; each one to ``SLOW`` is followed by a
    new event, numbered as a reader of the feed would number it: writers outpace it."""
    sent: list[tuple[str, int]] = []

    def send(webhook, body, headers):
        sent.append((webhook.url, json.loads(body)["seq"]))
        if webhook.url == SLOW and len(sent) < 500:  # bounded, so that a broken round still ends
            _events(1)
        return net.Response(url=webhook.url, status=200)

    monkeypatch.setattr(webhooks, "_send", send)
    return sent


def test_a_webhook_whose_receiver_lags_behind_the_writers_does_not_hold_the_round(posts):
    _events(3)
    Webhook.objects.create(url=SLOW, secret=SECRET)
    Webhook.objects.create(url=FAST, secret=SECRET)
    result = webhooks.deliver_all()
    # The events numbered when the round began, to each webhook in turn; the three numbered
    # meanwhile wait for the next round.
    assert posts == [(SLOW, 1), (SLOW, 2), (SLOW, 3), (FAST, 1), (FAST, 2), (FAST, 3)]
    assert result.delivered == 6
    posts.clear()
    webhooks.deliver_all()
    assert [seq for url, seq in posts if url == SLOW] == [4, 5, 6]
    assert [seq for url, seq in posts if url == FAST] == [4, 5, 6]


def test_each_webhook_gets_at_most_its_share_of_posts_per_round_in_seq_order(posts):
    _events(5)
    Webhook.objects.create(url=FAST, secret=SECRET)
    Webhook.objects.create(url="https://other.example.org/hook", secret=SECRET)
    rounds = []
    while webhooks.deliver_all(share=2).delivered:
        rounds.append([seq for _, seq in posts])
        posts.clear()
    assert rounds == [[1, 2, 1, 2], [3, 4, 3, 4], [5, 5]]


def test_deliver_webhooks_once_sends_what_was_numbered_when_it_started_and_exits(posts, capsys):
    _events(4)
    Webhook.objects.create(url=SLOW, secret=SECRET)
    Webhook.objects.create(url=FAST, secret=SECRET)
    call_command("deliver_webhooks", "--once")
    assert sorted(posts) == sorted((url, seq) for url in (SLOW, FAST) for seq in (1, 2, 3, 4))
    assert "Delivered 8," in capsys.readouterr().out
    assert Event.objects.count() == 8  # written meanwhile: left for the next run
