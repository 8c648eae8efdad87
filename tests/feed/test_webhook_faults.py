"""Webhook delivery against what receivers, replicas and admins actually do: an answer that
cannot be stored, one webhook's fault, a lagging replica, a webhook changed after its events
were queued, a large 2xx answer, an absurd attempt count; and the admin's secret, which
stays write-only and is stored as typed or refused."""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feed import webhooks, worker
from feed.models import Delivery, Event, Webhook
from project import net
from project.errors import InvalidInput
from project.routers import ReplicaRouter

from .receiver import Receiver
from .test_webhook_admin import _client as _admin
from .test_webhook_admin import _form
from .test_webhooks import _events, _seqs, _webhook

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


@pytest.fixture
def local_delivery(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.WEBHOOK_BACKOFF_SECONDS = 10
    settings.WEBHOOK_TIMEOUT_SECONDS = 2


@pytest.fixture
def second_receiver():
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


def _assert_failed_attempt_with_backoff(webhook: Webhook, started) -> Delivery:
    delivery = Delivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert delivery.next_attempt_at > started  # backoff, as for any failure
    assert UNSTORABLE.search(delivery.last_error) is None
    webhook.refresh_from_db()
    assert webhook.failing_since is not None and webhook.active
    return delivery


# --- Fault 1: an answer that cannot be stored; one webhook's fault stops nobody else ---------


def test_an_error_answer_with_a_nul_byte_is_a_failed_attempt_that_stops_nobody_else(
    db, receiver, second_receiver, local_delivery
):
    event = _events(1)[0]
    receiver.reply_status, receiver.reply_body = 400, b"bad\x00request"
    hostile = _webhook(receiver.url)
    healthy = _webhook(second_receiver.url)
    started = timezone.now()
    result = webhooks.deliver_all()
    assert (result.delivered, result.failed) == (1, 1)
    assert _seqs(second_receiver) == [event.seq]
    failed = _assert_failed_attempt_with_backoff(hostile, started)
    assert failed.last_status_code == 400
    assert failed.last_error.startswith("HTTP 400: bad") and failed.last_error.endswith("request")
    assert Delivery.objects.get(webhook=healthy).status == Delivery.Status.DELIVERED


def test_error_text_that_cannot_be_stored_is_made_storable_and_bounded(db, receiver, local_delivery, monkeypatch):
    _events(1)
    webhook = _webhook(receiver.url)

    def request(method, url, **kwargs):
        raise ValueError("nul \x00, lone \ud800, pair \U0001f600 " + "x" * 5000)

    monkeypatch.setattr(webhooks.net, "request", request)
    started = timezone.now()
    assert webhooks.deliver_all().failed == 1
    failed = _assert_failed_attempt_with_backoff(webhook, started)
    assert failed.last_error.startswith("error: ValueError: nul ")
    assert "\U0001f600" in failed.last_error  # a whole character is kept as it is
    assert len(failed.last_error) <= 2000


def test_an_unexpected_error_after_the_post_is_that_webhooks_failed_attempt(
    db, receiver, second_receiver, local_delivery, monkeypatch
):
    event = _events(1)[0]
    broken = _webhook(receiver.url)
    healthy = _webhook(second_receiver.url)
    record_success = webhooks._record_success

    def fails_for_broken(webhook, *args, **kwargs):
        if webhook.pk == broken.pk:
            raise RuntimeError("a fault of ours, after the receiver answered")
        return record_success(webhook, *args, **kwargs)

    monkeypatch.setattr(webhooks, "_record_success", fails_for_broken)
    started = timezone.now()
    result = webhooks.deliver_all()
    assert (result.delivered, result.failed) == (1, 1)
    failed = _assert_failed_attempt_with_backoff(broken, started)
    assert failed.last_error == "error: RuntimeError: a fault of ours, after the receiver answered"
    assert Delivery.objects.get(webhook=healthy).status == Delivery.Status.DELIVERED
    assert _seqs(second_receiver) == [event.seq]


def test_a_webhook_whose_settings_cannot_be_read_does_not_stop_the_others(
    db, receiver, second_receiver, local_delivery
):
    event = _events(1)[0]
    broken = _webhook(receiver.url, types=5)  # written around the admin: not a list
    _webhook(second_receiver.url)
    result = webhooks.deliver_all()
    assert (result.delivered, result.failed) == (1, 1)
    assert _seqs(second_receiver) == [event.seq] and receiver.received == []
    broken.refresh_from_db()
    assert broken.failing_since is not None


# --- Fault 7: an absurd attempt count --------------------------------------------------------


def test_backoff_stays_at_its_cap_for_any_number_of_attempts(settings):
    settings.WEBHOOK_BACKOFF_SECONDS, settings.WEBHOOK_BACKOFF_MAX_SECONDS = 10, 3600
    assert [webhooks.backoff(n).total_seconds() for n in (1025, 10_000, 2**40)] == [3600] * 3


def test_a_delivery_with_a_thousand_attempts_fails_like_any_other(db, receiver, local_delivery, settings):
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 3600
    _events(1)
    webhook = _webhook(receiver.url)
    webhooks.enqueue(webhook, timezone.now())
    Delivery.objects.filter(webhook=webhook).update(attempts=1024)
    receiver.mode = "fail"
    now = timezone.now()
    assert webhooks.deliver_all(now=lambda: now).failed == 1
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.attempts == 1025 and delivery.next_attempt_at == now + timedelta(hours=1)


# --- Fault 2: the worker reads the primary, never a replica ----------------------------------


@pytest.fixture
def lagging_replica(settings):
    """A ``replica1`` the router reads from, that stopped replaying at a moment the test
    chooses: a second connection to the test database, held in a read transaction (a
    REPEATABLE READ snapshot on PostgreSQL, a WAL read snapshot on SQLite), sees the rows
    committed before ``freeze()`` and nothing after, as a lagging streaming replica does.
    (Made here rather than in ``DATABASES``: Django's test case allows a connection it did
    not know of when the test started.)"""
    alias = "replica1"
    primary = connections["default"].settings_dict
    replica = load_backend(primary["ENGINE"]).DatabaseWrapper({**primary}, alias)
    connections[alias] = replica
    settings.DATABASE_ROUTERS = [ReplicaRouter([alias])]

    frozen = []

    def freeze() -> None:
        begin = "BEGIN ISOLATION LEVEL REPEATABLE READ" if replica.vendor == "postgresql" else "BEGIN DEFERRED"
        with replica.cursor() as cursor:
            cursor.execute(begin)
            cursor.execute("SELECT count(*) FROM feed_webhook")
            cursor.execute("SELECT count(*) FROM feed_delivery")
        frozen.append(True)

    yield freeze
    if frozen:
        with replica.cursor() as cursor:
            cursor.execute("ROLLBACK")  # else the flush after the test would wait for its locks
    replica.close()
    del connections[alias]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_reads_its_queue_and_webhooks_from_the_primary_not_a_lagging_replica(
    receiver, local_delivery, lagging_replica
):
    """(Real commits: the replica's snapshot holds them or not.) Reading the lagging replica,
    the worker sent the first event again and again (bounded here by ``runaway``), signed
    with the secret replaced meanwhile."""
    events = _events(3)
    webhook = _webhook(receiver.url)
    webhooks.enqueue(webhook, timezone.now())
    lagging_replica()  # the replica holds the webhook's old secret and three pending deliveries
    rotated = "a-rotated-secret-for-the-receiver"
    Webhook.objects.filter(pk=webhook.pk).update(secret=rotated)

    def runaway() -> bool:
        return len(receiver.received) > 3 * len(events)

    with CaptureQueriesContext(connections["replica1"]) as replica_reads:
        result = webhooks.deliver_all(should_stop=runaway)
    assert _seqs(receiver) == [event.seq for event in events]  # each once, in order
    assert result.delivered == 3
    for item in receiver.received:
        assert item.headers["x-claimbase-signature"] == webhooks.sign(rotated, item.body)
    assert [query["sql"] for query in replica_reads.captured_queries] == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_delivery_logs_pruning_reads_the_primary_not_a_lagging_replica(receiver, local_delivery, lagging_replica, monkeypatch):
    """Its batches were read through the router: a replica that had not seen a batch
    deleted gave it again, and the pruning never ended."""
    _events(3)
    webhook = _webhook(receiver.url)
    assert webhooks.deliver_all().delivered == 3
    long_ago = timezone.now() - timedelta(days=400)
    Delivery.objects.filter(webhook=webhook).update(created_at=long_ago)
    lagging_replica()
    monkeypatch.setattr(webhooks, "PRUNE_BATCH", 1)
    calls = {"batches": 0}
    filter_deliveries = Delivery.objects.filter

    def counted(*args, **kwargs):  # the deletes of batches: a loop that never ends is cut at 10
        if "pk__in" in kwargs:
            calls["batches"] += 1
            if calls["batches"] > 10:
                raise AssertionError("the pruning read the same batch again and again")
        return filter_deliveries(*args, **kwargs)

    monkeypatch.setattr(Delivery.objects, "filter", counted)
    with CaptureQueriesContext(connections["replica1"]) as replica_reads:
        assert webhooks.prune_delivery_log(timezone.now()) == 3
    assert [query["sql"] for query in replica_reads.captured_queries] == []


# --- Fault 3: a webhook's types and public_only apply when sending ---------------------------


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"public_only": True}, "public events only"),
        ({"types": ["claim.published"]}, "claim.updated"),
    ],
)
def test_a_queued_delivery_the_webhook_no_longer_wants_is_skipped_not_sent(
    db, receiver, local_delivery, change, reason
):
    draft = _events(1, public=False, type="claim.updated")[0]
    published = _events(1, type="claim.published")[0]
    webhook = _webhook(receiver.url, public_only=False)
    assert webhooks.enqueue(webhook, timezone.now()) == 2
    Webhook.objects.filter(pk=webhook.pk).update(**change)
    result = webhooks.deliver_all()
    # Public-only now: numbered as the public feed numbers it.
    assert _seqs(receiver) == [published.public_seq if change.get("public_only") else published.seq]
    assert (result.delivered, result.skipped) == (1, 1)
    skipped = Delivery.objects.get(webhook=webhook, seq=draft.seq)
    assert (skipped.status, skipped.attempts) == (Delivery.Status.SKIPPED, 0)
    assert skipped.last_error.startswith("not sent:") and reason in skipped.last_error


def test_the_delivery_log_says_a_skipped_delivery_was_not_sent(superuser):
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20)
    event = Event.objects.create(type="claim.updated", claim=7, seq=1)
    Delivery.objects.create(webhook=webhook, event=event, seq=1, status=Delivery.Status.SKIPPED,
                            last_error="not sent: the webhook now takes public events only")
    client = Client()
    client.force_login(superuser)
    log = client.get(reverse("admin:feed_delivery_changelist")).content.decode()
    assert "Skipped" in log and "not sent: the webhook now takes public events only" in log
    assert "next try" not in log


# --- Fault 4: a 2xx is a success whatever its body -------------------------------------------


def test_a_2xx_answer_with_a_large_body_is_a_success(db, receiver, local_delivery):
    event = _events(1)[0]
    webhook = _webhook(receiver.url)
    receiver.reply_body = b"x" * 200_000
    result = webhooks.deliver_all()
    assert (result.delivered, result.failed) == (1, 0)
    assert _seqs(receiver) == [event.seq]
    delivery = Delivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Delivery.Status.DELIVERED, 1, 200)


def test_an_error_answer_with_a_large_body_is_recorded_with_an_excerpt(db, receiver, local_delivery):
    _events(1)
    webhook = _webhook(receiver.url)
    receiver.reply_status, receiver.reply_body = 503, b"overloaded " + b"x" * 200_000
    assert webhooks.deliver_all().failed == 1
    delivery = Delivery.objects.get(webhook=webhook)
    assert delivery.last_status_code == 503
    assert delivery.last_error.startswith("HTTP 503: overloaded xxx") and len(delivery.last_error) < 300


def test_a_truncated_request_keeps_the_start_and_an_untruncated_one_still_refuses(receiver):
    receiver.reply_body = b"0123456789" * 10_000
    kept = net.request("POST", receiver.url, body=b"{}", max_bytes=25, truncate=True, allow_private=True)
    assert (kept.status, kept.body, kept.truncated) == (200, b"0123456789012345678901234", True)
    with pytest.raises(net.FetchError) as refused:
        net.request("POST", receiver.url, body=b"{}", max_bytes=25, allow_private=True)
    assert refused.value.code == "too_large"


class RawReceiver:
    """A receiver that answers each POST with ``head`` (a status line and headers, at once),
    then sends ``tail`` a byte every ``pause`` seconds, and closes."""

    def __init__(self, head: bytes, tail: bytes = b"", pause: float = 0.0) -> None:
        self.head, self.tail, self.pause = head, tail, pause
        self.server = socket.create_server(("127.0.0.1", 0))
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.getsockname()[1]}/hook"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            request = b""
            while b"\r\n\r\n" not in request:
                request += connection.recv(65536)
            head, _, body = request.partition(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            while len(body) < length:
                body += connection.recv(65536)
            self.requests += 1
            try:
                connection.sendall(self.head)
                for byte in self.tail:
                    time.sleep(self.pause)
                    connection.sendall(bytes([byte]))
            except OSError:
                pass  # the worker stopped reading

    def close(self) -> None:
        self.server.close()


@pytest.mark.parametrize("head, tail, pause", [
    # Its body trickles in, a byte a second, far longer than the timeout.
    (b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n", b"a" * 10, 1.0),
    # Its chunked body is malformed.
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n", b"", 0.0),
    # It promises a body and closes without it.
    (b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", b"", 0.0),
], ids=["trickling", "bad-chunk", "cut-short"])
def test_a_2xx_status_is_a_delivery_whatever_the_body_after_it(db, local_delivery, head, tail, pause):
    """Any 2xx is a success: only the status line and headers are read. A body that
    trickled or broke off was recorded as a timeout or a broken connection, each event sent
    again until the webhook was disabled, though the receiver had answered 200 each time."""
    receiver = RawReceiver(head, tail, pause)
    try:
        event = _events(1)[0]
        webhook = _webhook(receiver.url)
        started = time.monotonic()
        result = webhooks.deliver_all()
        assert (result.delivered, result.failed) == (1, 0)
        assert time.monotonic() - started < 2  # WEBHOOK_TIMEOUT_SECONDS: not waited out
        delivery = Delivery.objects.get(webhook=webhook, event=event)
        assert (delivery.status, delivery.attempts, delivery.last_error) == (Delivery.Status.DELIVERED, 1, "")
        assert receiver.requests == 1
    finally:
        receiver.close()


def test_an_error_status_is_still_read_for_its_excerpt(db, local_delivery):
    receiver = RawReceiver(b"HTTP/1.1 500 Oops\r\nContent-Length: 4\r\n\r\nboom")
    try:
        _events(1)
        webhook = _webhook(receiver.url)
        assert webhooks.deliver_all().failed == 1
        assert Delivery.objects.get(webhook=webhook).last_error == "HTTP 500: boom"
    finally:
        receiver.close()


@pytest.mark.parametrize("informational", [
    b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
    b"HTTP/1.1 102 Processing\r\n\r\n" * 3,
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.js>\r\n\r\n",
], ids=["early-hints", "processing", "continue-then-hints"])
def test_informational_answers_before_a_2xx_are_passed_over(db, local_delivery, informational):
    """``103 Early Hints`` (or ``102 Processing``) only says the answer is coming: the
    receiver's 200 after it is the answer. Taken as the answer, it was a failed attempt,
    each event sent again until the webhook was disabled."""
    receiver = RawReceiver(informational + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    try:
        event = _events(1)[0]
        webhook = _webhook(receiver.url)
        assert (webhooks.deliver_all().delivered, receiver.requests) == (1, 1)
        delivery = Delivery.objects.get(webhook=webhook, event=event)
        assert (delivery.status, delivery.last_status_code, delivery.last_error) == (Delivery.Status.DELIVERED, 200, "")
    finally:
        receiver.close()


def test_a_2xx_whose_headers_never_end_is_a_timeout_not_a_delivery(db, local_delivery):
    """The status line, then a header now and then, for ever: the answer never came whole.
    It was recorded delivered once the timeout cut it (the event lost to at-least-once)."""
    receiver = RawReceiver(b"HTTP/1.1 200 OK\r\n", b"X-Slow: 1\r\n" * 20, 0.2)
    try:
        _events(1)
        webhook = _webhook(receiver.url)
        assert webhooks.deliver_all().failed == 1
        delivery = Delivery.objects.get(webhook=webhook)
        assert delivery.status == Delivery.Status.PENDING and delivery.last_error.startswith("timeout:")
    finally:
        receiver.close()


def test_an_error_status_whose_body_stalls_is_recorded_with_its_status(db, local_delivery):
    """A 500 whose body never ends is still the receiver's 500, with what came of its body:
    it was recorded as a timeout, as if the receiver had never answered."""
    receiver = RawReceiver(b"HTTP/1.1 500 Oops\r\nContent-Length: 100000\r\n\r\nqueue full", b"." * 10, 1.0)
    try:
        _events(1)
        webhook = _webhook(receiver.url)
        started = time.monotonic()
        assert webhooks.deliver_all().failed == 1
        assert time.monotonic() - started < 4  # WEBHOOK_TIMEOUT_SECONDS is 2
        delivery = Delivery.objects.get(webhook=webhook)
        assert delivery.last_status_code == 500
        assert delivery.last_error.startswith("HTTP 500 (the body had not ended at the timeout): queue full")
    finally:
        receiver.close()


# --- The worker's own output -----------------------------------------------------------------

FORGED = b"oops\n2026-12-06T06:20:00Z delivered 999, failed attempts 0\nWebhook 1 enabled\x1b[31m RED \x1b[0m\r"


def test_the_worker_logs_a_receivers_answer_escaped_on_one_line(db, receiver, local_delivery, settings, caplog):
    """A disabled webhook's reason quotes its receiver's answer: printed raw, the answer's
    line breaks forged log lines of their own and its escapes reached the terminal."""
    settings.WEBHOOK_DISABLE_AFTER_SECONDS = 0  # disabled at its first failure
    _events(1)
    webhook = _webhook(receiver.url)
    receiver.reply_status, receiver.reply_body = 500, FORGED
    with caplog.at_level(logging.WARNING, logger="feed.webhooks"):
        assert webhooks.deliver_all().failed == 1
    [line] = [record.getMessage() for record in caplog.records if "disabled" in record.getMessage()]
    assert not re.search("[\x00-\x1f\x7f-\x9f]", line)
    assert "HTTP 500: oops\\n2026-12-06T06:20:00Z delivered 999" in line and "enabled\\x1b[31m RED \\x1b[0m" in line
    webhook.refresh_from_db()
    assert not webhook.active and "oops\n2026" in webhook.disabled_reason  # stored as said; the admin escapes it


def test_a_failed_round_is_reported_on_one_line(db, monkeypatch):
    def deliver_all(**kwargs):
        raise ValueError("bad\nround failed (forged)\x1b[2J")

    monkeypatch.setattr(worker, "deliver_all", deliver_all)
    monkeypatch.setattr(worker, "prune_delivery_log", lambda now, **options: 0)
    lines: list[str] = []
    worker.run_worker(interval=0.01, should_stop=lambda: bool(lines), report=lines.append)
    assert lines == ["round failed (ValueError: bad\\nround failed (forged)\\x1b[2J); retrying in 1 s"]


# --- Faults 5 and 6: the admin's secret ------------------------------------------------------


@pytest.mark.parametrize("secret", ["  spaced-secret-of-some-length  ", "a-secret-with-a-newline-after\n"])
def test_a_secret_with_spaces_around_it_is_refused_not_stripped(superuser, settings, secret):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    client = _admin(superuser)
    added = client.post(reverse("admin:feed_webhook_add"), _form("https://hooks.example.org/in", secret=secret))
    assert added.status_code == 200 and "spaces" in added.content.decode()
    assert not Webhook.objects.exists()

    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, types=["claim.published"])
    changed = client.post(
        reverse("admin:feed_webhook_change", args=[webhook.pk]),
        {"url": webhook.url, "types": webhook.types, "public_only": "on", "active": "on", "secret": secret},
    )
    assert changed.status_code == 200 and "spaces" in changed.content.decode()
    webhook.refresh_from_db()
    assert webhook.secret == "s" * 20


def test_a_secret_with_spaces_inside_is_stored_exactly_as_typed(superuser, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    secret = "correct horse battery staple"
    response = _admin(superuser).post(reverse("admin:feed_webhook_add"), _form("https://hooks.example.org/in", secret=secret))
    assert response.status_code == 302
    assert Webhook.objects.get().secret == secret


@pytest.mark.parametrize(
    "name, lookup",
    [
        ("admin:feed_webhook_changelist", "secret__startswith"),
        ("admin:feed_webhook_changelist", "secret"),
        ("admin:feed_webhook_changelist", "secret__gt"),
        ("admin:feed_webhook_changelist", "secret__regex"),
        ("admin:feed_delivery_changelist", "webhook__secret__startswith"),
        ("admin:feed_delivery_changelist", "webhook__secret"),
    ],
)
def test_the_secret_cannot_be_read_back_through_list_lookups(superuser, name, lookup):
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="abcdefghijklmnopqrstuvwxyz")
    event = Event.objects.create(type="claim.published", claim=7, seq=1, public=True)
    Delivery.objects.create(webhook=webhook, event=event, seq=1)
    client = _admin(superuser)
    answers = {value: client.get(reverse(name), {lookup: value}) for value in ("a", "z", "(")}
    for answer in answers.values():
        assert answer.status_code == 400 or (answer.status_code == 302 and answer.url.endswith("?e=1"))
    pages = {answer.content for answer in answers.values()}
    assert len(pages) == 1  # the same answer whatever the guess


# --- Private networks a deployment's receivers live on ---------------------------------------


def test_webhooks_reach_the_private_networks_named_for_them_and_fetching_stays_public(
    db, receiver, settings, client_for, analyst
):
    """A newsroom's receiver on the deployment's own network: ``SOURCE_FETCH_ALLOW_PRIVATE``,
    the only way to reach it, also let every analyst's fetch read internal services and
    store them as sources. ``WEBHOOK_PRIVATE_NETWORKS`` opens those networks to webhooks alone."""
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    settings.WEBHOOK_PRIVATE_NETWORKS = ("127.0.0.0/8", "fd00::/8")
    settings.WEBHOOK_BACKOFF_SECONDS = 10
    webhooks.check_webhook_url(receiver.url)  # the admin's rule
    _events(1)
    webhook = _webhook(receiver.url)
    assert webhooks.deliver_all().delivered == 1 and len(receiver.received) == 1
    for refused in ("http://10.1.2.3/hook", "http://169.254.169.254/latest", "http://[::1]:9/hook"):
        with pytest.raises(InvalidInput) as error:
            webhooks.check_webhook_url(refused)
        assert error.value.code == "address_not_allowed"
        assert "WEBHOOK_PRIVATE_NETWORKS" in error.value.message
    # Fetching a source from the same address is still refused.
    answer = client_for(analyst).post(reverse("source-fetch"), {"url": receiver.url + "/page"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "address_not_allowed"
    assert webhook.deliveries.get().status == Delivery.Status.DELIVERED


def test_a_webhook_deleted_while_its_delivery_is_in_flight_ends_its_round_quietly(db, local_delivery, caplog):
    """Its delivery row went with it: recording the answer failed twice over (two
    tracebacks in the worker's log, and a failed attempt counted for a webhook that is gone)."""
    receiver = Receiver().start()
    try:
        _events(1)
        webhook = _webhook(receiver.url)
        send = webhooks._send

        def deleted_meanwhile(*args, **kwargs):
            answer = send(*args, **kwargs)
            Webhook.objects.filter(pk=webhook.pk).delete()
            return answer

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(webhooks, "_send", deleted_meanwhile)
            with caplog.at_level(logging.INFO, logger="feed.webhooks"):
                result = webhooks.deliver_all()
        assert (result.delivered, result.failed) == (0, 0)
        assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
        assert f"Webhook {webhook.pk} was deleted during its round" in caplog.text
    finally:
        receiver.stop()


@pytest.mark.parametrize("networks, address, allowed", [
    (("::/0",), "::ffff:127.0.0.1", False),  # loopback, carried in IPv6
    (("::/0",), "::ffff:169.254.169.254", False),  # the cloud's metadata service
    (("::/0",), "64:ff9b::7f00:1", False),  # NAT64 to loopback
    (("::/0",), "fd00::1", True),
    (("10.0.0.0/8",), "::ffff:10.0.0.5", True),  # inside the network named, written in IPv6
    (("10.0.0.0/8",), "10.0.0.5", True),
    (("10.0.0.0/8",), "192.168.1.1", False),
])
def test_a_private_network_allows_an_ipv4_host_however_its_address_is_written(db, networks, address, allowed):
    """The networks were matched against the address as written, while the public rule
    reads the IPv4 an IPv6 address carries."""
    parsed = tuple(ipaddress.ip_network(network) for network in networks)
    assert net.is_allowed_address(address, parsed) is allowed
