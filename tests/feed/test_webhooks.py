"""Webhooks: signed, in seq order, at least once, with backoff, disabled after a day of
failures, never to a private address unless allowed; the worker and the admin."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from feed import webhooks
from feed.models import Delivery, Event, Webhook
from feed.sequencing import sequence_pending

from .conftest import SECRET
from .receiver import Receiver



@pytest.fixture
def local_delivery(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.WEBHOOK_BACKOFF_SECONDS = 10
    settings.WEBHOOK_TIMEOUT_SECONDS = 2


def _events(count: int, *, public: bool = True, type: str = "claim.published") -> list[Event]:
    Event.objects.bulk_create(Event(type=type, claim=n, version=1, public=public) for n in range(count))
    sequence_pending()
    return list(Event.objects.order_by("-seq")[:count])[::-1]


def _webhook(url: str, **fields) -> Webhook:
    return Webhook.objects.create(url=url, secret=SECRET, **fields)


def _seqs(receiver: Receiver) -> list[int]:
    return [json.loads(item.body)["seq"] for item in receiver.received]


def test_a_webhook_of_few_types_reads_past_any_number_of_other_events_in_one_round(db, receiver, local_delivery):
    """Events it does not take are read a batch at a time until one it takes: neither
    ``--once`` nor a round stops at the first batch that queued nothing."""
    _events(webhooks.ENQUEUE_BATCH * 3 + 7, type="claim.updated")
    wanted = _events(2, type="claim.retracted")
    webhook = _webhook(receiver.url, types=["claim.retracted"])
    assert webhooks.deliver_all().delivered == 2
    assert _seqs(receiver) == [event.seq for event in wanted]
    webhook.refresh_from_db()
    assert webhook.last_seq == wanted[-1].seq
    receiver.received.clear()
    call_command("deliver_webhooks", "--once")  # nothing left: it ends at once
    assert receiver.received == []


def test_each_delivery_is_signed_with_the_hmac_of_its_body(db, receiver, local_delivery):
    event = _events(1)[0]
    _webhook(receiver.url)
    webhooks.deliver_all()
    (received,) = receiver.received
    expected = "sha256=" + hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["x-claimbase-signature"] == expected
    assert json.loads(received.body) == event.as_payload()
    assert received.headers["x-claimbase-seq"] == str(event.seq)
    assert received.headers["x-claimbase-event"] == "claim.published"


def test_deliveries_arrive_in_seq_order_and_are_logged(db, receiver, local_delivery):
    events = _events(12)
    webhook = _webhook(receiver.url)
    assert webhooks.deliver_all().delivered == 12
    assert _seqs(receiver) == [event.seq for event in events]
    log = Delivery.objects.filter(webhook=webhook).order_by("seq")
    assert {(d.status, d.attempts, d.last_status_code) for d in log} == {("delivered", 1, 200)}
    webhook.refresh_from_db()
    assert webhook.last_seq == events[-1].seq


def test_a_webhook_gets_only_its_types_and_public_events_unless_told_otherwise(db, receiver, local_delivery):
    published = _events(1, type="claim.published")
    _events(1, type="claim.retracted")
    private = _events(1, type="claim.published", public=False)
    _webhook(receiver.url, types=["claim.published"])
    webhooks.deliver_all()
    assert _seqs(receiver) == [published[0].seq]
    receiver.received.clear()
    _webhook(receiver.url, types=["claim.published"], public_only=False)
    webhooks.deliver_all()
    assert _seqs(receiver) == [published[0].seq, private[0].seq]


def test_a_public_only_webhook_is_numbered_as_the_public_feed_and_counts_nothing_hidden(db, receiver, local_delivery):
    """No gap in a public-only receiver's numbers, nor in its delivery ids, tells of the hidden
    events between two public ones, or of the deliveries to other webhooks."""
    everything = Receiver().start()
    try:
        _webhook(everything.url, public_only=False)
        public_only = _webhook(receiver.url)
        events = []
        for _ in range(3):
            events += _events(2, public=False) + _events(1)
        webhooks.deliver_all()
        public = [event for event in events if event.public]
        assert _seqs(receiver) == [1, 2, 3] == [event.public_seq for event in public]
        assert [json.loads(item.body) for item in receiver.received] == [event.as_payload(public=True) for event in public]
        assert [item.headers["x-claimbase-seq"] for item in receiver.received] == ["1", "2", "3"]
        assert {item.headers["x-claimbase-numbering"] for item in receiver.received} == {"public"}
        # The webhook that takes every event keeps the feed's own numbers.
        assert _seqs(everything) == [event.seq for event in events] == list(range(1, 10))
        assert {item.headers["x-claimbase-numbering"] for item in everything.received} == {"all"}

        ids = [item.headers["x-claimbase-delivery"] for item in receiver.received]
        pks = Delivery.objects.filter(webhook=public_only).order_by("seq").values_list("pk", flat=True)
        assert len(set(ids)) == 3 and not set(ids) & {str(pk) for pk in pks}
        assert ids == [webhooks.delivery_id(delivery) for delivery in Delivery.objects.filter(webhook=public_only).order_by("seq")]
    finally:
        everything.stop()


def test_a_delivery_keeps_its_id_through_its_retries(db, receiver, local_delivery):
    _events(1)
    _webhook(receiver.url)
    receiver.mode = "fail"
    clock = {"now": timezone.now()}
    webhooks.deliver_all(now=lambda: clock["now"])
    receiver.mode = "ok"
    clock["now"] += timedelta(hours=1)
    assert webhooks.deliver_all(now=lambda: clock["now"]).delivered == 1
    first, second = (item.headers["x-claimbase-delivery"] for item in receiver.received)
    assert first == second


def test_a_failing_receiver_is_retried_with_exponential_backoff_and_later_events_wait(db, receiver, local_delivery):
    events = _events(3)
    webhook = _webhook(receiver.url)
    receiver.mode = "fail"
    start = timezone.now()
    clock = {"now": start}

    def now():
        return clock["now"]

    delays = []
    for _ in range(4):
        result = webhooks.deliver_all(now=now)
        assert result.failed == 1 and result.waiting
        head = Delivery.objects.get(webhook=webhook, seq=events[0].seq)
        delays.append((head.next_attempt_at - clock["now"]).total_seconds())
        # Before the backoff ends, nothing is sent.
        sent = len(receiver.received)
        clock["now"] = head.next_attempt_at - timedelta(seconds=1)
        assert webhooks.deliver_all(now=now).failed == 0 and len(receiver.received) == sent
        clock["now"] = head.next_attempt_at
    assert delays == [10, 20, 40, 80]
    assert head.last_status_code == 500 and "HTTP 500" in head.last_error and head.attempts == 4
    assert _seqs(receiver) == [events[0].seq] * 4  # the later events waited

    receiver.mode = "ok"
    assert webhooks.deliver_all(now=now).delivered == 3
    assert _seqs(receiver)[4:] == [event.seq for event in events]
    webhook.refresh_from_db()
    assert webhook.failing_since is None and webhook.active


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(db, receiver, local_delivery, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.mode, receiver.stall_seconds = "stall", 1.0
    _events(1)
    webhook = _webhook(receiver.url)
    assert webhooks.deliver_all().failed == 1
    head = Delivery.objects.get(webhook=webhook)
    assert head.status == "pending" and head.last_error.startswith("timeout")


@pytest.mark.parametrize("change", ["types", "url"])
def test_a_change_of_setup_starts_the_failing_clock_again(db, receiver, local_delivery, change):
    """Failing on one type, the webhook is told to take others (its failing delivery is then
    not sent), or given a new URL: days later, one ordinary failure disabled it at once,
    "failing since" the old setup's first failure."""
    _events(1, type="claim.updated")
    webhook = _webhook(receiver.url)
    receiver.mode = "fail"
    start = timezone.now()
    webhooks.deliver_all(now=lambda: start)
    webhook.refresh_from_db()
    assert webhook.failing_since == start
    if change == "types":
        webhook.types = ["claim.published"]
    else:
        webhook.url = receiver.url + "/v2"
    webhooks.webhook_update(webhook, fields=[change])
    _events(1, type="claim.published")
    later = start + timedelta(days=3)
    webhooks.deliver_all(now=lambda: later)  # one failure, under the new setup
    webhook.refresh_from_db()
    assert webhook.active and webhook.disabled_reason == ""
    assert webhook.failing_since == later


def test_a_change_made_while_a_post_is_under_way_is_not_undone_by_its_failure(db, receiver, local_delivery, monkeypatch):
    """Failing for a day less two seconds, the webhook is given a new URL while a POST to
    the old one times out: the failure had written back the old clock and disabled the
    webhook, blaming the old URL, and its retry waited for the backoff."""
    _events(1)
    webhook = _webhook(receiver.url)
    start = timezone.now()
    Webhook.objects.filter(pk=webhook.pk).update(failing_since=start - timedelta(days=1) + timedelta(seconds=2))
    webhook.refresh_from_db()

    def fails_after_an_edit(hook, body, headers):
        edited = Webhook.objects.get(pk=hook.pk)
        edited.url = receiver.url + "/fixed"
        webhooks.webhook_update(edited, fields=["url"])
        raise webhooks.net.FetchError("did not answer within 2 seconds.", code="timeout")

    monkeypatch.setattr(webhooks, "_send", fails_after_an_edit)
    assert webhooks.deliver_all(now=lambda: start + timedelta(seconds=3)).failed == 1
    webhook.refresh_from_db()
    assert webhook.active and webhook.failing_since is None and webhook.url.endswith("/fixed")
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.next_attempt_at == start + timedelta(seconds=3)  # at once, with the new URL


def test_a_field_saved_with_the_value_it_holds_changes_nothing(db, receiver, local_delivery):
    """A secret typed again, a form's field marked changed: no change of setup, and the
    failing clock goes on (it had started again, and a webhook failing for ever was never
    disabled)."""
    webhook = _webhook(receiver.url)
    since = timezone.now() - timedelta(hours=10)
    Webhook.objects.filter(pk=webhook.pk).update(failing_since=since)
    same = Webhook.objects.get(pk=webhook.pk)
    webhooks.webhook_update(same, fields=["secret", "url", "types"])
    webhook.refresh_from_db()
    assert webhook.failing_since == since


def test_retry_now_keeps_the_failing_clock(db, receiver, local_delivery):
    """Trying again is no change of setup: a day of failures still disables the webhook."""
    _events(1)
    webhook = _webhook(receiver.url)
    receiver.mode = "fail"
    start = timezone.now()
    webhooks.deliver_all(now=lambda: start)
    webhooks.webhook_retry(webhook)
    webhooks.deliver_all(now=lambda: start + timedelta(days=1))
    webhook.refresh_from_db()
    assert not webhook.active and webhook.failing_since == start


def test_a_disabled_public_only_webhooks_reason_names_the_event_as_its_receiver_numbers_it(db, receiver, local_delivery):
    """Its receiver knows the event by its public number: the reason named the feed's own
    ("event #257" for the receiver's 74)."""
    _events(3, public=False)
    (event,) = _events(1)
    assert event.seq != event.public_seq
    webhook = _webhook(receiver.url)  # public only
    receiver.mode = "fail"
    start = timezone.now()
    webhooks.deliver_all(now=lambda: start)
    webhooks.deliver_all(now=lambda: start + timedelta(days=1))
    webhook.refresh_from_db()
    assert not webhook.active
    assert f"Last error (event #{event.public_seq}, attempt 2)" in webhook.disabled_reason


def test_a_webhook_failing_for_a_day_is_disabled_with_its_reason(db, receiver, local_delivery):
    _events(2)
    webhook = _webhook(receiver.url)
    receiver.mode = "fail"
    start = timezone.now()
    webhooks.deliver_all(now=lambda: start)
    webhook.refresh_from_db()
    assert webhook.active and webhook.failing_since == start
    later = start + timedelta(days=1)
    webhooks.deliver_all(now=lambda: later)
    webhook.refresh_from_db()
    assert not webhook.active
    assert "failed since" in webhook.disabled_reason and "HTTP 500" in webhook.disabled_reason
    sent = len(receiver.received)
    assert webhooks.deliver_all(now=lambda: later + timedelta(days=1)).failed == 0
    assert len(receiver.received) == sent  # disabled: nothing more is sent

    receiver.mode = "ok"
    webhooks.webhook_enable(webhook)
    assert webhooks.deliver_all().delivered == 2
    webhook.refresh_from_db()
    assert webhook.active and webhook.disabled_reason == "" and webhook.failing_since is None


def test_an_unexpected_error_with_one_receiver_is_its_failed_attempt_not_everyones(
    db, receiver, local_delivery, monkeypatch, caplog
):
    event = _events(1)[0]
    broken = _webhook(receiver.url + "?broken")
    healthy = _webhook(receiver.url)
    real_request = webhooks.net.request

    def request(method, url, **kwargs):
        if url.endswith("?broken"):
            raise ValueError("a fault of ours, provoked by this receiver")
        return real_request(method, url, **kwargs)

    monkeypatch.setattr(webhooks.net, "request", request)
    result = webhooks.deliver_all()
    assert (result.delivered, result.failed) == (1, 1)
    assert _seqs(receiver) == [event.seq]
    assert Delivery.objects.get(webhook=healthy).status == Delivery.Status.DELIVERED
    failed = Delivery.objects.get(webhook=broken)
    assert (failed.status, failed.attempts) == (Delivery.Status.PENDING, 1)
    assert failed.last_error == "error: ValueError: a fault of ours, provoked by this receiver"
    assert failed.next_attempt_at > timezone.now()  # backoff, as for any failure
    broken.refresh_from_db()
    assert broken.failing_since is not None
    assert "failed unexpectedly" in caplog.text


def test_webhooks_never_reach_a_private_address_unless_allowed(db, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    _events(1)
    webhook = _webhook(receiver.url)
    assert webhooks.deliver_all().failed == 1
    assert receiver.received == []
    assert Delivery.objects.get(webhook=webhook).last_error.startswith("address_not_allowed")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/hook", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/",
            "ftp://example.org/x", "http://user:pw@example.org/x"]
)
def test_webhook_urls_are_checked_when_registered(settings, url):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(webhooks.InvalidInput):
        webhooks.check_webhook_url(url)


def test_a_delivery_is_sent_again_when_the_worker_dies_before_logging_it(db, receiver, local_delivery, monkeypatch):
    event = _events(1)[0]
    webhook = _webhook(receiver.url)

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(webhooks, "_record_success", crash)
    with pytest.raises(SystemExit):
        webhooks.deliver_all()
    monkeypatch.undo()
    Webhook.objects.filter(pk=webhook.pk).update(lease_until=None)  # the dead worker's lease expired
    webhooks.deliver_all()
    assert _seqs(receiver) == [event.seq, event.seq]  # at least once
    assert Delivery.objects.get(webhook=webhook).status == "delivered"


def test_a_webhook_leased_by_one_worker_is_skipped_by_another(db, receiver, local_delivery):
    _events(1)
    webhook = _webhook(receiver.url)
    assert webhooks._take_lease(webhook, "worker-a", timezone.now())
    assert webhooks.deliver_all(owner="worker-b").delivered == 0
    assert receiver.received == []
    assert webhooks.deliver_all(owner="worker-a").delivered == 1


def test_deliver_webhooks_once_drains_and_exits(db, receiver, local_delivery, capsys):
    _events(5)
    _webhook(receiver.url)
    call_command("deliver_webhooks", "--once")
    assert len(receiver.received) == 5
    assert "Delivered 5" in capsys.readouterr().out


def test_deliver_webhooks_once_fails_when_an_attempt_failed(db, receiver, local_delivery, capsys):
    """Run by a scheduler, it exited 0 when every delivery failed: nobody learnt of it."""
    receiver.mode = "fail"
    _events(2)
    _webhook(receiver.url)
    with pytest.raises(CommandError, match=r"1 attempt\(s\) failed: see the delivery log"):
        call_command("deliver_webhooks", "--once")
    assert "Delivered 0, failed attempts 1." in capsys.readouterr().out


def test_deliver_webhooks_once_without_a_database_says_so_in_one_line(db, monkeypatch):
    def unreachable():
        raise webhooks.OperationalError('connection to server at "10.0.0.9", port 5432 failed: timeout expired')

    monkeypatch.setattr("feed.management.commands.deliver_webhooks.feed_end", unreachable)
    with pytest.raises(CommandError, match="The database could not be reached .*timeout expired.*Run it again"):
        call_command("deliver_webhooks", "--once")


def test_backoff_is_capped(settings):
    settings.WEBHOOK_BACKOFF_SECONDS, settings.WEBHOOK_BACKOFF_MAX_SECONDS = 10, 3600
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 12, 40)] == [10, 20, 40, 3600, 3600]


def test_a_backoff_or_lease_beyond_what_a_timedelta_holds_is_held_to_the_longest_wait(settings):
    settings.WEBHOOK_BACKOFF_SECONDS = settings.WEBHOOK_BACKOFF_MAX_SECONDS = 1e14
    settings.WEBHOOK_TIMEOUT_SECONDS = 3e13
    assert webhooks.backoff(1) == webhooks.backoff(80) == webhooks.LONGEST_WAIT
    assert webhooks.lease_seconds() == webhooks.LONGEST_WAIT.total_seconds()


def test_a_failure_under_an_enormous_backoff_is_recorded_and_backed_off(db, receiver, local_delivery, settings):
    # Settings refuse such values at start-up; recording must not depend on it.
    settings.WEBHOOK_BACKOFF_SECONDS = settings.WEBHOOK_BACKOFF_MAX_SECONDS = 1e14
    _events(1)
    webhook = _webhook(receiver.url)
    receiver.mode = "fail"
    assert webhooks.deliver_all().failed == 1
    delivery = Delivery.objects.get(webhook=webhook)
    assert (delivery.last_status_code, delivery.attempts, delivery.sent_at) == (500, 1, None)
    assert delivery.next_attempt_at > timezone.now() + timedelta(days=300)
    webhook.refresh_from_db()
    assert webhook.failing_since is not None
    assert webhooks.deliver_all().failed == 0 and len(receiver.received) == 1  # it waits


def test_the_delivery_log_keeps_finished_deliveries_for_its_days_and_the_queue_for_ever(db, receiver, local_delivery, settings, monkeypatch, capsys):
    """A row per event per webhook would grow without end: finished ones older than
    WEBHOOK_LOG_DAYS go, pending ones stay, and nothing deleted is sent again."""
    settings.WEBHOOK_LOG_DAYS = 30
    monkeypatch.setattr(webhooks, "PRUNE_BATCH", 2)  # several batches
    _events(5)
    webhook = _webhook(receiver.url)
    assert webhooks.deliver_all().delivered == 5
    Delivery.objects.filter(seq__lte=Delivery.objects.order_by("seq")[2].seq).update(
        created_at=timezone.now() - timedelta(days=31))  # three delivered long ago
    Delivery.objects.filter(seq=Delivery.objects.order_by("seq")[3].seq).update(
        status=Delivery.Status.SKIPPED, created_at=timezone.now() - timedelta(days=31))
    old_pending = _events(1)[0]
    webhooks.enqueue(webhook, timezone.now())
    Delivery.objects.filter(event=old_pending).update(created_at=timezone.now() - timedelta(days=400))
    assert webhooks.prune_delivery_log(timezone.now()) == 4
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["delivered", "pending"]
    receiver.received.clear()
    call_command("deliver_webhooks", "--once")
    assert _seqs(receiver) == [old_pending.seq]  # the queue went on; nothing pruned came back
    assert "Delivered 1, failed attempts 0." in capsys.readouterr().out

