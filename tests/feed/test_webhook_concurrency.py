"""One worker and several webhooks: a slow receiver delays its own events only. Webhooks with
something to send are delivered at once, each in a thread of its own, and a webhook's round
is bounded in time as well as in POSTs."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from feed import webhooks
from feed.models import Delivery

from .receiver import Receiver
from .test_webhooks import _events, _webhook


@pytest.fixture
def local_delivery(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.WEBHOOK_BACKOFF_SECONDS = 10
    settings.WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def receivers():
    started = []

    def start(**options) -> Receiver:
        started.append(Receiver(**options).start())
        return started[-1]

    yield start
    for receiver in started:
        receiver.stop()


def _connections_to_this_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_receiver_does_not_hold_back_another_webhooks_events(local_delivery, receivers):
    """The slow webhook comes first in the round: its receiver takes 2 s to answer. One
    webhook after another, the fast one's events waited behind it (for up to a round's
    share of slow answers); delivered at once, they are all in before the slow one answers."""
    slow, fast = receivers(mode="stall", stall_seconds=2.0), receivers()
    _events(1, type="claim.retracted")
    _events(3)
    slow_hook = _webhook(slow.url, types=["claim.retracted"])
    fast_hook = _webhook(fast.url)
    assert slow_hook.pk < fast_hook.pk
    before = _connections_to_this_database() if connection.vendor == "postgresql" else None
    results = []

    def deliver():
        try:
            results.append(webhooks.deliver_all())
        finally:
            connections.close_all()  # this thread's own, as a worker's main thread keeps its own

    round_thread = threading.Thread(target=deliver)
    round_thread.start()
    deadline = time.monotonic() + 1.8
    while len(fast.received) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert (len(fast.received), len(slow.received)) == (4, 0)  # the slow answer is still to come
    round_thread.join(15)
    assert results[0].delivered == 5 and results[0].failed == 0
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 5
    if before is not None:
        # The round's threads closed their connections.
        deadline = time.monotonic() + 5
        while _connections_to_this_database() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _connections_to_this_database() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lost_database_in_one_webhooks_thread_ends_the_round_after_the_others(local_delivery, receivers, monkeypatch):
    """A database error in a webhook's round is the worker's to handle (it pauses, then
    reconnects): raised once every other webhook's round has ended, never lost in a thread."""
    first, second = receivers(), receivers()
    _events(2)
    broken_hook = _webhook(first.url)
    _webhook(second.url)
    deliver_round = webhooks.deliver_round

    def lost_for_one(webhook, **options):
        if webhook.pk == broken_hook.pk:
            raise webhooks.OperationalError("server closed the connection unexpectedly")
        return deliver_round(webhook, **options)

    monkeypatch.setattr(webhooks, "deliver_round", lost_for_one)
    with pytest.raises(webhooks.OperationalError, match="server closed the connection"):
        webhooks.deliver_all()
    assert (len(first.received), len(second.received)) == (0, 2)


def test_a_webhooks_round_ends_after_round_seconds_however_few_posts_it_made(db, local_delivery, receivers, monkeypatch):
    """``ROUND_SHARE`` POSTs of a receiver that takes most of the timeout to answer held
    the worker for minutes; no POST begins once the round has lasted ``ROUND_SECONDS``."""
    monkeypatch.setattr(webhooks, "ROUND_SECONDS", 1.0)
    slow = receivers(mode="stall", stall_seconds=0.3)
    _events(6)
    webhook = _webhook(slow.url)
    result = webhooks.deliver_round(webhook)
    assert 2 <= result.delivered <= 4 and result.failed == 0
    assert Delivery.objects.filter(webhook=webhook, status=Delivery.Status.PENDING).count() == 6 - result.delivered
    # The next rounds go on where it stopped, in order.
    while webhooks.deliver_round(webhook).delivered:
        pass
    assert [delivery.seq for delivery in Delivery.objects.filter(webhook=webhook).order_by("delivered_at")] == sorted(
        Delivery.objects.filter(webhook=webhook).values_list("seq", flat=True)
    )


def test_reading_past_events_a_webhook_does_not_take_ends_its_round_in_time_too(db, local_delivery, receivers, monkeypatch):
    """Before its first POST, a webhook of a rare type read every event it does not take
    in one round (a minute a million events), the other webhooks' next round waiting."""
    monkeypatch.setattr(webhooks, "ROUND_SECONDS", 0.0)
    monkeypatch.setattr(webhooks, "ENQUEUE_BATCH", 2)
    _events(10, type="claim.updated")
    (wanted,) = _events(1, type="claim.retracted")
    receiver = receivers()
    webhook = _webhook(receiver.url, types=["claim.retracted"])
    rounds = 0
    while not receiver.received:
        webhooks.deliver_round(webhook)
        rounds += 1
        assert rounds < 20
    assert rounds > 1  # a batch of two events a round, then the one it takes
