"""One worker and several webhooks: a slow receiver delays its own events only. Webhooks with
something to send are delivered at once, each in a thread of its own, and a webhook's round
is bounded in time as well as in POSTs."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from feed import webhooks, worker
from feed.models import Delivery, Webhook

from .receiver import Receiver
from .test_webhooks import _events, _seqs, _webhook


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


# --- The long-running worker: each webhook's rounds on their own --------------------------------


class RunningWorker:
    """``run_worker`` in a thread of this process, until ``stop()``."""

    def __init__(self, *, interval: float = 0.05):
        self.lines: list[str] = []
        self.stopping = threading.Event()
        self.totals = None
        self.thread = threading.Thread(target=self._run, args=(interval,))
        self.thread.start()

    def _run(self, interval: float) -> None:
        try:
            self.totals = worker.run_worker(interval=interval, should_stop=self.stopping.is_set, report=self.lines.append)
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(30)
        assert not self.thread.is_alive()


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_receiver_does_not_delay_another_webhooks_next_rounds(local_delivery, receivers):
    """Events written while a slow receiver holds its webhook's round reach a fast one's
    receiver at once. When every webhook's round had to end before the next began, they
    waited for the slow answer (3 s here; a round's time and a POST's timeout at worst)."""
    slow, fast = receivers(mode="stall", stall_seconds=3.0), receivers()
    _webhook(slow.url, types=["claim.retracted"])
    _webhook(fast.url)
    running = RunningWorker()
    try:
        _events(1, type="claim.retracted")
        assert _wait_for(lambda: slow.started == 1 and len(fast.received) == 1, 5)
        _events(3)
        assert _wait_for(lambda: len(fast.received) == 4, 1.5), len(fast.received)
        assert slow.received == []  # its answer is still to come
        assert _wait_for(lambda: len(slow.received) == 1, 5)
    finally:
        running.stop()
    assert running.totals.delivered == 5 and running.totals.failed == 0
    assert _seqs(fast) == sorted(_seqs(fast))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_webhook_whose_round_finds_nothing_to_do_is_looked_at_again_after_the_interval(local_delivery, receivers, monkeypatch):
    """A webhook another worker holds (its lease) has events to send, but its round ends at
    once: its next round waits the interval, not the next turn of the loop."""
    receiver = receivers()
    webhook = _webhook(receiver.url)
    Webhook.objects.filter(pk=webhook.pk).update(lease_owner="another worker", lease_until=timezone.now() + timedelta(minutes=2))
    _events(2)
    rounds = []
    deliver_round = webhooks.deliver_round

    def counted(webhook, **options):
        rounds.append(time.monotonic())
        return deliver_round(webhook, **options)

    monkeypatch.setattr(webhooks, "deliver_round", counted)
    running = RunningWorker(interval=0.25)
    try:
        time.sleep(1.2)
    finally:
        running.stop()
    assert 2 <= len(rounds) <= 7, len(rounds)  # about 1.2 / 0.25 (it was thousands)
    assert receiver.received == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_lost_database_in_one_webhooks_round_is_one_line_after_the_others_rounds(local_delivery, receivers, monkeypatch):
    """Raised in a thread, a lost database is the worker's to handle: reported once, once
    the other webhooks' rounds running have ended, then the next rounds deliver everything."""
    first, second = receivers(), receivers(mode="stall", stall_seconds=0.5)
    broken = _webhook(first.url)
    _webhook(second.url)
    deliver_round = webhooks.deliver_round
    lost = []

    def lost_once(webhook, **options):
        if webhook.pk == broken.pk and not lost:
            lost.append(time.monotonic())
            raise webhooks.OperationalError("server closed the connection unexpectedly")
        return deliver_round(webhook, **options)

    monkeypatch.setattr(webhooks, "deliver_round", lost_once)
    _events(2)
    running = RunningWorker()
    try:
        assert _wait_for(lambda: len(first.received) == 2 and len(second.received) == 2, 10)
    finally:
        running.stop()
    failures = [line for line in running.lines if line.startswith("round failed")]
    assert failures == ["round failed (OperationalError: server closed the connection unexpectedly); retrying in 1 s"]
    # Each delivery counted once, the other webhook's round counted whole (ended before the
    # line, or not begun until after it).
    assert running.totals.errors == 1 and running.totals.delivered == 4
    assert sum(int(line.split()[1].rstrip(",")) for line in running.lines if line.startswith("delivered")) == 4
    assert _seqs(first) == _seqs(second) == sorted(_seqs(first))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stop_lets_the_rounds_in_flight_finish_and_counts_them(local_delivery, receivers):
    slow = receivers(mode="stall", stall_seconds=1.0)
    webhook = _webhook(slow.url)
    _events(3)
    running = RunningWorker()
    assert _wait_for(lambda: slow.started == 1, 5)
    running.stop()  # while the first POST waits for its answer
    assert running.totals.delivered == 1 and slow.started == 1
    assert Delivery.objects.filter(webhook=webhook, status=Delivery.Status.DELIVERED).count() == 1
    webhook.refresh_from_db()
    assert webhook.lease_owner == ""
    assert running.lines[-1] == "delivered 1, failed attempts 0"


def _receivers_and_a_worker(receivers, count: int) -> tuple[list, RunningWorker]:
    """``count`` webhooks, each with its receiver, and a worker looking every 0.02 s."""
    hooks = [receivers() for _ in range(count)]
    for receiver in hooks:
        _webhook(receiver.url)
    return hooks, RunningWorker(interval=0.02)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pools_threads_keep_their_connections_from_round_to_round_and_close_them_at_the_end(
    local_delivery, receivers, monkeypatch, settings
):
    """Rounds after rounds of three webhooks, events written all along: each thread of the
    pool connects once, not once a round; when the worker stops, none is left open."""
    settings.WEBHOOK_CONCURRENCY = 3
    opened = []  # each connection a thread of the pool opened
    connect = BaseDatabaseWrapper.connect

    def counted(wrapper):
        if threading.current_thread().name.startswith("webhook"):
            opened.append(wrapper)
        connect(wrapper)

    monkeypatch.setattr(BaseDatabaseWrapper, "connect", counted)
    hooks, running = _receivers_and_a_worker(receivers, 3)
    try:
        for turn in range(1, 9):
            _events(1)
            assert _wait_for(lambda: all(len(receiver.received) == turn for receiver in hooks), 10), turn
    finally:
        running.stop()
    assert running.totals.delivered == 24
    assert 1 <= len(opened) <= 3, len(opened)  # one a round: 24 at least
    assert all(wrapper.connection is None for wrapper in opened)


def _end_every_other_session() -> int:
    """End every session of this database but this one, as a restart would, and wait until
    they are gone; how many there were."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = cursor.fetchone()[0] or []
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM unnest(%s::int[]) AS pid", [pids])
        assert _wait_for(lambda: not _still_there(cursor, pids), 10)
    return len(pids)


def _still_there(cursor, pids: list[int]) -> bool:
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
    return cursor.fetchone()[0] > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server ending sessions: PostgreSQL (.ci/run runs it with DATABASE_URL set)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_connections_ended_by_the_server_between_rounds_are_replaced_with_no_round_failed(
    local_delivery, receivers, settings, monkeypatch
):
    """Every session of the worker's ended while it waits between rounds (a restarted or
    failed-over database): its next look and its threads' next rounds connect again. A
    kept connection had been checked on its first use, inside the round's first
    transaction, where a broken one is not replaced: each restart cost a failed round and
    the error pause."""
    settings.WEBHOOK_CONCURRENCY = 2
    idle, resume = threading.Event(), threading.Event()
    holding = threading.Event()
    pause = worker.WebhookRounds.pause

    def held_pause(self, seconds):
        if holding.is_set() and all(future.done() for future in self.running):
            idle.set()
            resume.wait(10)
        pause(self, seconds)

    monkeypatch.setattr(worker.WebhookRounds, "pause", held_pause)
    hooks, running = _receivers_and_a_worker(receivers, 2)
    try:
        for turn in range(1, 4):
            resume.clear()
            _events(1)
            assert _wait_for(lambda: all(len(receiver.received) == turn for receiver in hooks), 10), turn
            holding.set()
            assert idle.wait(10)
            assert _end_every_other_session() >= 2  # the worker's, and its threads' that had a round
            holding.clear()
            idle.clear()
            resume.set()
    finally:
        resume.set()
        running.stop()
    assert not [line for line in running.lines if line.startswith("round failed")], running.lines
    assert running.totals.delivered == 6


def _delivery_recorded_beside_a_persons_edit(monkeypatch, *, first: str) -> dict:
    """A failing webhook's delivery recorded delivered by the worker (``_record_success``,
    which clears the failing clock) while a person saves a new URL (``webhook_update``),
    each holding its first lock while the other asks for it: ``first`` takes its first lock
    first."""
    events = _events(3)
    webhook = _webhook("http://127.0.0.1:9/hook", failing_since=timezone.now())
    webhooks.enqueue(webhook, timezone.now())
    head = Delivery.objects.filter(webhook=webhook).order_by("seq").first()
    assert head.event_id == events[0].pk
    outcome = {}
    save, retry = Delivery.save, webhooks.webhook_retry

    def slow_save(self, *args, **kwargs):
        save(self, *args, **kwargs)
        if threading.current_thread().name == "worker":
            time.sleep(0.5)

    def slow_retry(webhook):
        time.sleep(0.5)
        retry(webhook)

    monkeypatch.setattr(Delivery, "save", slow_save)
    monkeypatch.setattr(webhooks, "webhook_retry", slow_retry)

    def worker_thread():
        time.sleep(0 if first == "worker" else 0.25)
        try:
            webhooks._record_success(Webhook.objects.get(pk=webhook.pk), head, 200, timezone.now())
            outcome["worker"] = "ok"
        except Exception as error:  # noqa: BLE001 - the outcome is the test's
            outcome["worker"] = repr(error)
        finally:
            connections.close_all()

    def person_thread():
        time.sleep(0 if first == "person" else 0.25)
        try:
            edited = Webhook.objects.get(pk=webhook.pk)
            edited.url = "http://127.0.0.1:9/other"
            webhooks.webhook_update(edited, fields=["url"])
            outcome["person"] = "ok"
        except Exception as error:  # noqa: BLE001
            outcome["person"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker_thread, name="worker"), threading.Thread(target=person_thread, name="person")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    head.refresh_from_db()
    webhook.refresh_from_db()
    outcome["delivery"] = head.status
    outcome["url"] = webhook.url
    return outcome


@pytest.mark.parametrize("first", ["worker", "person"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_recorded_while_a_person_edits_the_failing_webhook_never_deadlocks(monkeypatch, first):
    """The worker wrote the delivery, then the webhook; a person's save locks the webhook,
    then writes its deliveries: a deadlock, which undid the receiver's 2xx (the event sent
    again) or refused the person's save."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL (.ci/run runs it with DATABASE_URL set)")
    outcome = _delivery_recorded_beside_a_persons_edit(monkeypatch, first=first)
    assert outcome == {"worker": "ok", "person": "ok", "delivery": "delivered", "url": "http://127.0.0.1:9/other"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_webhook_waiting_for_its_backoff_is_not_busy_however_much_is_queued(local_delivery, receivers):
    """Every queued delivery is due at once, and a failure puts back the first only: a
    failing webhook with more queued was called busy, and given a round (and a connection)
    every interval for as long as it failed."""
    failing = receivers(mode="fail")
    webhook = _webhook(failing.url)
    _events(5)
    assert webhooks.deliver_round(webhook).failed == 1
    _events(2)  # numbered past its cursor too
    [listed], _ = webhooks.active_webhooks()
    assert not listed.busy
    Delivery.objects.filter(webhook=webhook, attempts=1).update(next_attempt_at=timezone.now())
    [listed], _ = webhooks.active_webhooks()
    assert listed.busy  # its backoff over


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_what_a_round_delivered_before_losing_the_database_is_counted(local_delivery, receivers, monkeypatch):
    receiver = receivers()
    _webhook(receiver.url)
    _events(4)
    record_success, calls = webhooks._record_success, []

    def lost_at_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise webhooks.OperationalError("server closed the connection unexpectedly")
        return record_success(*args, **kwargs)

    monkeypatch.setattr(webhooks, "_record_success", lost_at_the_third)
    running = RunningWorker()
    try:
        assert _wait_for(lambda: Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 4, 10)
    finally:
        running.stop()
    # Two recorded, the database lost at the third, which is sent again: 4 recorded of 5 sent.
    assert running.totals.errors == 1 and running.totals.delivered == 4 and len(receiver.received) == 5
    assert running.lines[0] == "delivered 2, failed attempts 0"


# --- Slow receivers, more of them than threads -----------------------------------------------


def test_a_round_that_may_end_when_slow_ends_after_a_slow_answer(db, local_delivery, receivers, monkeypatch):
    """The worker's prompt pool asks a round to end after an answer of
    ``SLOW_ANSWER_SECONDS`` or more: one POST, where the round went on to its share."""
    monkeypatch.setattr(webhooks, "SLOW_ANSWER_SECONDS", 0.2)
    slow = receivers(mode="stall", stall_seconds=0.3)
    _events(4)
    webhook = _webhook(slow.url)
    result = webhooks.deliver_round(webhook, end_when_slow=True)
    assert (result.delivered, result.slow) == (1, True)
    result = webhooks.deliver_round(webhook)
    assert (result.delivered, result.slow) == (3, True)
    assert _seqs(slow) == sorted(_seqs(slow))
    slow.mode = "ok"
    _events(1)
    assert webhooks.deliver_round(webhook, end_when_slow=True).slow is False
    assert webhooks.deliver_round(webhook, end_when_slow=True).slow is None  # nothing was sent


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_slow_receivers_more_than_the_threads_do_not_hold_back_a_prompt_one(local_delivery, receivers, settings, monkeypatch):
    """Three receivers taking 3 s an answer, each with a backlog, and two threads: in one
    pool, their rounds (10 s each, or one answer each when a round ends after a slow one)
    took both threads in turn, and a prompt webhook's new events waited for seconds at every
    round. After each slow webhook's first slow answer, its rounds run in the slow pool, and
    the prompt one's events go out at once."""
    settings.WEBHOOK_CONCURRENCY = 2
    monkeypatch.setattr(webhooks, "SLOW_ANSWER_SECONDS", 0.5)
    slow = [receivers(mode="stall", stall_seconds=3.0) for _ in range(3)]
    fast = receivers()
    for receiver in slow:
        _webhook(receiver.url, types=["claim.retracted"])
    _webhook(fast.url, types=["claim.updated"])
    _events(18, type="claim.retracted")
    running = RunningWorker()
    try:
        # Each slow webhook's first answer (two at once, then the third) moves it to the slow pool.
        assert _wait_for(lambda: all(receiver.received for receiver in slow), 15)
        for n in range(3):
            _events(1, type="claim.updated")
            assert _wait_for(lambda: len(fast.received) == n + 1, 1.5), (n, len(fast.received))
        assert sum(len(receiver.received) for receiver in slow) < 18  # still busy meanwhile
    finally:
        running.stop()
    assert running.totals.failed == 0
    for receiver in slow:
        assert _seqs(receiver) == sorted(_seqs(receiver))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_webhook_whose_receiver_answers_promptly_again_returns_to_the_prompt_pool(local_delivery, receivers, settings, monkeypatch):
    """Back to the prompt pool after ``PROMPT_ANSWERS_TO_RETURN`` prompt answers in a row,
    not after the first."""
    settings.WEBHOOK_CONCURRENCY = 2
    monkeypatch.setattr(webhooks, "SLOW_ANSWER_SECONDS", 0.2)
    monkeypatch.setattr(worker, "PROMPT_ANSWERS_TO_RETURN", 3)
    receiver = receivers(mode="stall", stall_seconds=0.3)
    _webhook(receiver.url)
    pools = []
    guarded_round = webhooks.guarded_round

    def recorded(webhook, **options):
        result = guarded_round(webhook, **options)
        if result.slow is not None:
            pools.append(threading.current_thread().name.rsplit("_", 1)[0])
        return result

    monkeypatch.setattr(worker, "guarded_round", recorded)
    running = RunningWorker()
    try:
        _events(2)
        assert _wait_for(lambda: len(receiver.received) == 2, 5)
        receiver.mode = "ok"
        for count in (3, 4, 5, 6):  # a round a POST: three prompt answers, then the prompt pool
            _events(1)
            assert _wait_for(lambda: len(receiver.received) == count, 5)
    finally:
        running.stop()
    # The first answer was slow; the next rounds in the slow pool until its third prompt answer.
    assert pools[0] == "webhook" and pools[-4:] == ["webhook-slow"] * 3 + ["webhook"], pools


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_receivers_slow_every_other_answer_do_not_hold_back_a_prompt_one(local_delivery, receivers, settings, monkeypatch):
    """Four receivers slow on every other answer (3 s), two threads: sent back to the prompt
    pool by each prompt answer, each took a prompt thread for its next slow answer, and the
    prompt webhook's events waited for them at every round. They stay in the slow pool."""
    settings.WEBHOOK_CONCURRENCY = 2
    monkeypatch.setattr(webhooks, "SLOW_ANSWER_SECONDS", 0.5)
    alternating = [receivers(mode="alternate", stall_seconds=3.0) for _ in range(4)]
    fast = receivers()
    for receiver in alternating:
        _webhook(receiver.url, types=["claim.retracted"])
    _webhook(fast.url, types=["claim.updated"])
    running = RunningWorker()
    try:
        _events(1, type="claim.retracted")  # each one's first answer, slow: to the slow pool
        assert _wait_for(lambda: all(receiver.received for receiver in alternating), 15)
        for n in range(4):
            # One event each (a prompt answer, then a slow one), then the prompt webhook's.
            _events(1, type="claim.retracted")
            _events(1, type="claim.updated")
            assert _wait_for(lambda: len(fast.received) == n + 1, 1.5), (n, len(fast.received))
            assert _wait_for(lambda: all(len(receiver.received) == n + 2 for receiver in alternating), 15)
    finally:
        running.stop()
    assert running.totals.failed == 0
