"""The long-running webhook worker, run for real: ``manage.py deliver_webhooks`` as a
subprocess against the test database (a file on SQLite, a database on PostgreSQL) and a
local receiver. It delivers events written while it runs, in seq order and signed; the
first SIGTERM lets the delivery in flight finish and exits 0, a second abandons it (sent
again later); two workers at once never send an event twice or out of order; a lost
database connection or a failed round does not end it."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from feed import webhooks, worker
from feed.models import Delivery, Event, Webhook
from feed.sequencing import sequence_pending

from ..support import REPO_DIR, postgres_only
from .conftest import SECRET
from .receiver import Receiver

# Real commits, for the subprocess to see; serialized_rollback restores what the flush after
# each test removes (roles, content types), as the other transactional tests do.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)



@pytest.fixture
def local_delivery(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5


def database_url() -> str:
    """The test database, for the worker process."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    host, port = settings.get("HOST") or "127.0.0.1", settings.get("PORT") or 5432
    return f"postgres://{settings['USER']}@{host}:{port}/{settings['NAME']}"


class Worker:
    """``manage.py deliver_webhooks`` in a subprocess, its output collected line by line."""

    def __init__(self, *, interval: float = 0.2, timeout: float = 5):
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "SOURCE_FETCH_ALLOW_PRIVATE": "1",
            "WEBHOOK_TIMEOUT_SECONDS": str(timeout),
            "SECRET_KEY": "webhook-worker-test",
            "DEBUG": "0",
        }
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "deliver_webhooks", "--interval", str(interval)],
            cwd=REPO_DIR, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self.reader.start()
        wait_until(lambda: any("started" in line for line in self.lines), what="the worker to start",
                   process=self.process)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 30) -> int:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=10)
        return code

    def delivered(self) -> int:
        """What its round lines say it delivered."""
        return sum(int(line.split("delivered ")[1].split(",")[0]) for line in self.lines
                   if " delivered " in line and "stopped" not in line)

    def output(self) -> str:
        return "".join(self.lines)


@contextmanager
def running_worker(**options):
    process = Worker(**options)
    try:
        yield process
    finally:
        if process.process.poll() is None:
            process.process.kill()
            process.wait()


def wait_until(condition, *, what: str, timeout: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the worker exited with {process.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def write_events(count: int, *, public: bool = True) -> None:
    """Events as writers leave them: committed, not yet numbered (the worker numbers them)."""
    Event.objects.bulk_create(Event(type="claim.published", claim=n, version=1, public=public) for n in range(count))


def numbered_seqs(field: str = "seq", **filters) -> list[int]:
    """The numbers of the numbered events, in order: ``seq``, or ``public_seq`` as a
    public-only webhook receives them."""
    return list(Event.objects.filter(seq__isnull=False, **filters).order_by("seq").values_list(field, flat=True))


def received_seqs(receiver: Receiver) -> list[int]:
    return [json.loads(item.body)["seq"] for item in receiver.received]


def test_the_worker_delivers_events_written_while_it_runs_in_order_signed_and_stops_on_sigterm(receiver):
    Webhook.objects.create(url=receiver.url, secret=SECRET)
    with running_worker() as process:
        written = 0
        for batch in (3, 1, 7, 4):
            write_events(batch)
            write_events(1, public=False)  # a draft's event: not for a public-only webhook
            written += batch
            wait_until(lambda: len(receiver.received) >= written, what=f"{written} deliveries",
                       process=process.process)
            time.sleep(0.3)  # idle rounds in between
        process.signal(signal.SIGTERM)
        assert process.wait() == 0, process.output()
    assert received_seqs(receiver) == numbered_seqs("public_seq", public=True) == list(range(1, 16))
    assert len(receiver.received) == 15
    for item in receiver.received:
        expected = "sha256=" + hmac.new(SECRET.encode(), item.body, hashlib.sha256).hexdigest()
        assert item.headers["x-claimbase-signature"] == expected
        assert item.headers["x-claimbase-seq"] == str(json.loads(item.body)["seq"])
    output = process.output()
    assert process.delivered() == 15, output
    assert "stopped on SIGTERM: delivered 15, failed attempts 0" in output
    assert "Traceback" not in output


def test_sigterm_during_a_delivery_lets_it_finish_and_record_it(receiver):
    receiver.mode, receiver.stall_seconds = "stall", 1.5
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET)
    with running_worker(timeout=10) as process:
        write_events(2)
        wait_until(lambda: receiver.started == 1, what="the first delivery to reach the receiver",
                   process=process.process)
        process.signal(signal.SIGTERM)
        assert process.wait() == 0, process.output()
    # The delivery in flight finished and was recorded; the next one was left for later.
    statuses = list(Delivery.objects.filter(webhook=webhook).order_by("seq").values_list("status", flat=True))
    assert statuses == ["delivered", "pending"]
    assert len(receiver.received) == 1
    webhook.refresh_from_db()
    assert webhook.lease_owner == "" and webhook.lease_until is None


def test_a_second_signal_abandons_the_delivery_in_flight_and_it_is_sent_again_later(receiver, local_delivery):
    receiver.mode, receiver.stall_seconds = "stall", 3
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET)
    with running_worker(timeout=10) as process:
        write_events(1)
        wait_until(lambda: receiver.started == 1, what="the delivery to reach the receiver",
                   process=process.process)
        process.signal(signal.SIGTERM)
        time.sleep(0.3)
        process.signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 128 + signal.SIGTERM, process.output()
    delivery = Delivery.objects.get(webhook=webhook)
    # The attempt was made: counted, and the log says its answer never came.
    assert delivery.status == "pending" and delivery.attempts == 1
    assert "no answer recorded" in delivery.last_error
    webhook.refresh_from_db()
    assert webhook.lease_owner == ""  # released on the way out: the next worker need not wait
    receiver.mode = "ok"
    assert webhooks.deliver_all().delivered == 1
    wait_until(lambda: len(receiver.received) == 2, what="the stalled answer to finish")
    assert received_seqs(receiver) == [delivery.seq, delivery.seq]  # at least once
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")


def test_a_second_signal_abandons_every_delivery_in_flight_in_the_workers_threads(local_delivery):
    """Two webhooks with something to send are delivered at once, each in a thread: the
    second signal had waited for both answers (the pool's threads are joined at exit), and
    recorded them. Both are left unanswered, their leases released, at once."""
    receivers = [Receiver(mode="stall", stall_seconds=4).start() for _ in range(2)]
    try:
        hooks = [Webhook.objects.create(url=receiver.url, secret=SECRET) for receiver in receivers]
        with running_worker(timeout=10) as process:
            write_events(1)
            wait_until(lambda: all(receiver.started == 1 for receiver in receivers),
                       what="both deliveries to reach their receivers", process=process.process)
            process.signal(signal.SIGTERM)
            time.sleep(0.3)
            stopped = time.monotonic()
            process.signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 128 + signal.SIGTERM, process.output()
            assert time.monotonic() - stopped < 2.5  # not the 4 s the receivers take
        for webhook in hooks:
            delivery = Delivery.objects.get(webhook=webhook)
            assert (delivery.status, delivery.attempts) == ("pending", 1)
            assert "no answer recorded" in delivery.last_error
            webhook.refresh_from_db()
            assert webhook.lease_owner == ""
    finally:
        for receiver in receivers:
            receiver.stop()


def test_two_workers_at_once_send_each_event_once_and_in_seq_order(local_delivery):
    receivers = [Receiver(mode="stall", stall_seconds=0.02).start() for _ in range(2)]
    try:
        for item in receivers:
            Webhook.objects.create(url=item.url, secret=SECRET)
        with running_worker(interval=0.05) as first, running_worker(interval=0.05) as second:
            for _ in range(6):
                write_events(10)
                time.sleep(0.1)
            wait_until(lambda: all(len(item.received) >= 60 for item in receivers), what="60 deliveries each")
            time.sleep(0.5)  # time for a duplicate to show up, if any
            for process in (first, second):
                process.signal(signal.SIGTERM)
            assert first.wait() == 0 and second.wait() == 0
        expected = numbered_seqs()
        for item in receivers:
            assert received_seqs(item) == expected
        assert first.delivered() + second.delivered() == 120, first.output() + second.output()
    finally:
        for item in receivers:
            item.stop()


@postgres_only
def test_the_worker_survives_losing_its_database_connection(receiver):
    Webhook.objects.create(url=receiver.url, secret=SECRET)
    with running_worker() as process:
        write_events(2)
        wait_until(lambda: len(receiver.received) == 2, what="the first deliveries", process=process.process)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1  # the worker's connection
        time.sleep(0.5)
        write_events(3)
        # Counted by seq: a connection lost between a POST and its record sends that event
        # again (at least once), which a count of requests would take for a new one.
        wait_until(lambda: len(set(received_seqs(receiver))) == 5, what="deliveries after the reconnection",
                   process=process.process)
        process.signal(signal.SIGTERM)
        assert process.wait() == 0, process.output()
    seqs = received_seqs(receiver)
    assert list(dict.fromkeys(seqs)) == numbered_seqs()
    assert seqs == sorted(seqs)  # in seq order; an event sent again comes right after itself


@pytest.mark.parametrize("threads", [1, 4], ids=["rounds over every webhook", "each webhook's own rounds"])
def test_a_failed_round_is_reported_and_the_next_one_delivers(receiver, local_delivery, settings, monkeypatch, caplog, threads):
    """The database lost while the worker looks for work: one line, a pause, then the next
    look delivers."""
    settings.WEBHOOK_CONCURRENCY = threads
    Webhook.objects.create(url=receiver.url, secret=SECRET)
    write_events(2)
    calls = {"count": 0}
    looks_for_work = "deliver_all" if threads == 1 else "active_webhooks"
    real = getattr(worker, looks_for_work)

    def losing_the_connection_once(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(worker, looks_for_work, losing_the_connection_once)
    lines: list[str] = []
    totals = worker.run_worker(interval=0.05, should_stop=lambda: len(receiver.received) == 2, report=lines.append)
    assert totals.errors == 1 and totals.delivered == 2
    assert lines[0].startswith("round failed (OperationalError: server closed the connection")
    assert lines[1:] == ["delivered 2, failed attempts 0"]
    # A lost database is that one line: a traceback (or a line saying less) for each round
    # of an outage buried them.
    assert [record for record in caplog.records if record.getMessage() == "webhook round failed"] == []


def test_a_stop_request_is_honoured_before_the_next_post(receiver, local_delivery):
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET)
    write_events(3)
    result = webhooks.deliver_all(should_stop=lambda: len(receiver.received) >= 1)
    assert result.delivered == 1 and len(receiver.received) == 1
    assert Delivery.objects.filter(webhook=webhook, status="pending").count() == 2
    webhook.refresh_from_db()
    assert webhook.lease_owner == ""


def test_the_lease_outlives_the_longest_delivery(settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 10
    assert webhooks.lease_seconds() == webhooks.LEASE_SECONDS
    settings.WEBHOOK_TIMEOUT_SECONDS = 300
    assert webhooks.lease_seconds() >= 3 * 300


@pytest.mark.parametrize("interval", ["0", "-1", "3601", "1e-9", "nan"])
def test_an_interval_out_of_range_is_refused(interval):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--interval"):
        call_command("deliver_webhooks", "--interval", interval)


def test_the_worker_prunes_the_log_when_it_starts_and_says_so(settings):
    settings.WEBHOOK_LOG_DAYS = 1
    Event.objects.create(type="claim.published", claim=1, version=1, public=True)
    sequence_pending()
    event = Event.objects.get()
    webhook = Webhook.objects.create(url="https://example.org/hook", secret=SECRET, last_seq=event.seq)
    Delivery.objects.create(webhook=webhook, event=event, seq=event.seq, status=Delivery.Status.DELIVERED)
    Delivery.objects.update(created_at=timezone.now() - timedelta(days=2))
    said: list[str] = []
    asked: list[bool] = []
    worker.run_worker(interval=0.01, should_stop=lambda: asked.append(True) or bool(said) or len(asked) > 20,
                      report=said.append, owner="pruner")
    assert not Delivery.objects.exists()
    assert said == ["deleted 1 finished deliveries older than the log keeps (WEBHOOK_LOG_DAYS)"]


def test_a_stop_request_ends_the_pruning_between_two_batches(settings, monkeypatch):
    """A log of half a million old deliveries held the first SIGTERM for 8 s, past a
    supervisor's stop timeout."""
    settings.WEBHOOK_LOG_DAYS = 1
    monkeypatch.setattr(webhooks, "PRUNE_BATCH", 1)
    Event.objects.bulk_create(Event(type="claim.published", claim=n, version=1, public=True) for n in range(3))
    sequence_pending()
    webhook = Webhook.objects.create(url="https://example.org/hook", secret=SECRET, last_seq=3)
    for event in Event.objects.all():
        Delivery.objects.create(webhook=webhook, event=event, seq=event.seq, status=Delivery.Status.DELIVERED)
    Delivery.objects.update(created_at=timezone.now() - timedelta(days=2))
    batches: list[bool] = []
    assert webhooks.prune_delivery_log(timezone.now(), should_stop=lambda: batches.append(True) or len(batches) > 1) == 1
    assert Delivery.objects.count() == 2
