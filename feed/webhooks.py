"""Delivering the feed to webhooks: at least once, in ``seq`` order per webhook, signed.

One round for one webhook (``deliver_round``):

1. take the webhook's lease (a conditional UPDATE: two workers never deliver to one webhook
   at once, and a crashed worker's lease simply expires);
2. turn the numbered events after the webhook's cursor into ``Delivery`` rows (the ones
   its ``types`` and ``public_only`` want), moving the cursor past them;
3. POST the oldest pending delivery; on a 2xx mark it delivered and go on with the next,
   up to the round's share (``ROUND_SHARE`` POSTs, and no event numbered after the round
   began): this one goes on at the next round. So no receiver, however slow, holds the
   worker while events keep coming. Up to ``WEBHOOK_CONCURRENCY`` webhooks are delivered
   at once, each in a thread: in rounds of its own by the long-running worker
   (``feed.worker.WebhookRounds``), in rounds over every webhook by ``deliver_all``
   (``--once``).
   On anything else (an error status, a timeout, a refused address) record the attempt and
   wait ``backoff(attempts)`` before retrying it: later events wait behind it, so the
   receiver sees them in order. Failing for ``WEBHOOK_DISABLE_AFTER`` seconds (a day)
   disables the webhook, with the reason. A delivery its webhook no longer wants (its
   ``types`` or ``public_only`` changed after the event was queued) is marked skipped, not
   sent.

A delivery is marked delivered only after the receiver answered 2xx, so a worker that dies
in between sends it again: at least once. Receivers deduplicate by ``X-Claimbase-Seq``: for
a public-only webhook the public numbering (``public_seq``), as anonymous callers of the
feed get it, and the feed's own ``seq`` for the others.

Everything here reads the primary (``read_primary``): a replica that lags would show a
delivered event as pending (sent again, as often as the round loops) and an old secret or
URL. And a fault of ours that one webhook provokes is that webhook's failed attempt, never
the end of the round for the others.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import json
import logging
import time
import uuid
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone

from project import net
from project.errors import InvalidInput
from project.routers import read_primary
from project.validation import escaped

from .models import Delivery, Event, Webhook
from .sequencing import sequence_pending

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Claimbase-Signature"
ENQUEUE_BATCH = 500
# The POSTs one webhook gets in a round: a fast receiver drains a backlog in few rounds, and
# a slow one (up to WEBHOOK_TIMEOUT_SECONDS a POST) holds the round at most this many of its
# POSTs (with ``deliver_all``, the others, delivered beside it, wait for the next round's
# start meanwhile; the long-running worker gives each webhook rounds of its own).
ROUND_SHARE = 100
# And the seconds: no POST begins in a round this long after the webhook's round began (a
# receiver taking 9 s an answer sends 2 events a round, not 100: the round ends, and the
# worker's next begins, within this and one POST's timeout).
ROUND_SECONDS = 10.0
# A receiver whose answer takes this long is slow: the long-running worker ends such a
# webhook's round after that POST and gives its next rounds threads of their own
# (``feed.worker.WebhookRounds``), so that slow receivers, however many, never hold the
# threads the others' rounds run in for longer than one POST each.
SLOW_ANSWER_SECONDS = 1.0
LEASE_SECONDS = 120
# The longest wait a backoff or a lease is given, whatever the settings say (they refuse
# more than a week; code or a test may set more): a timedelta overflows past about 8.6e13
# seconds, and a failure that cannot be recorded would be sent again at every round,
# never backed off nor counted toward disabling the webhook.
LONGEST_WAIT = timedelta(days=365)
# What of a receiver's answer is read and kept (in the delivery log): its start only.
EXCERPT_BYTES = 200
ERROR_CHARACTERS = 2000
# What a delivery's log says while its attempt waits for an answer (``Delivery.sent_at``):
# left there by a worker that stopped before one came.
NO_ANSWER = "Sent {at:%Y-%m-%d %H:%M:%S} UTC; no answer recorded (a worker that stops while it waits leaves this)."
# The database is gone (not this webhook's fault): the worker pauses and reconnects.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def lease_seconds() -> float:
    """How long a lease lasts: renewed before each POST, it must outlive the longest POST
    (``WEBHOOK_TIMEOUT_SECONDS``) by a wide margin, or a second worker could take the
    webhook while the first still waits for an answer and send the next event before it."""
    return min(max(LEASE_SECONDS, 3 * _setting("WEBHOOK_TIMEOUT_SECONDS", 10)), LONGEST_WAIT.total_seconds())


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of the body, keyed with the secret>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def delivery_id(delivery: Delivery) -> str:
    """``X-Claimbase-Delivery``: the same for every attempt of one delivery, and opaque. The
    row's own number would count the deliveries to every other webhook, some of which take
    the events a public-only receiver must not learn of."""
    return str(delivery.uid)


def backoff(attempts: int) -> timedelta:
    """Seconds before retry number ``attempts``: base, 2 x base, 4 x base, ... capped.

    The exponent stops at 64 (any base reaches any cap long before): ``2 ** 1024`` times a
    float overflows, and that failure would repeat at every round. For the same reason no
    wait exceeds ``LONGEST_WAIT``."""
    base = _setting("WEBHOOK_BACKOFF_SECONDS", 10)
    cap = min(_setting("WEBHOOK_BACKOFF_MAX_SECONDS", 3600), LONGEST_WAIT.total_seconds())
    return timedelta(seconds=min(cap, base * 2 ** min(64, max(0, attempts - 1))))


def storable(text: str, limit: int = ERROR_CHARACTERS) -> str:
    """``text`` cut to ``limit`` characters, as any database stores it: PostgreSQL refuses
    NUL in text, and no driver encodes a lone surrogate. A receiver chooses what its answer
    says, and an error message may quote it; one that cannot be stored would fail every
    round at the same delivery, never counted as an attempt."""
    text = text[:limit].replace("\x00", "\ufffd")
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def allow_private() -> net.AllowedPrivate:
    """The addresses that are not public a webhook may reach: those of
    ``WEBHOOK_PRIVATE_NETWORKS`` (a receiver on the deployment's own network), or any under
    ``SOURCE_FETCH_ALLOW_PRIVATE`` (tests against a local receiver)."""
    if getattr(settings, "SOURCE_FETCH_ALLOW_PRIVATE", False):
        return True
    return tuple(ipaddress.ip_network(network, strict=False) for network in getattr(settings, "WEBHOOK_PRIVATE_NETWORKS", ()))


# What a refusal of a private address adds: how to allow one.
PRIVATE_HINT = "Webhooks reach public addresses only, and those of the private networks WEBHOOK_PRIVATE_NETWORKS names."


def check_webhook_url(url: str) -> None:
    """A webhook URL is http(s), without credentials, and not a private address, written out
    or what its host name resolves to now (``localhost``). A name that does not resolve now
    is taken: it is checked again at every delivery, when it is resolved."""
    try:
        _, host, port = net.check_url(url)
    except net.FetchError as error:
        raise InvalidInput(error.message, code="bad_url", extra={"errors": {"url": [error.message]}}) from error
    allowed = allow_private()
    if allowed is True:
        return
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        try:
            net.resolve(host, port, allow_private=allowed)
        except net.FetchError as error:
            if error.code == "address_not_allowed":
                message = f"{error.message} {PRIVATE_HINT}"
                raise InvalidInput(message, code="address_not_allowed", extra={"errors": {"url": [message]}}) from error
        return
    if not net.is_allowed_address(str(address), allowed):
        message = f"{host} is not a public address. {PRIVATE_HINT}"
        raise InvalidInput(message, code="address_not_allowed", extra={"errors": {"url": [message]}})


# ---------------------------------------------------------------------------------------------
# One round


@dataclass
class RoundResult:
    delivered: int = 0
    failed: int = 0
    skipped: int = 0  # queued, no longer wanted by the webhook: not sent
    waiting: bool = False  # a delivery waits for its backoff
    slow: bool | None = None  # an answer took SLOW_ANSWER_SECONDS or more (None: no POST)
    # The prompt answers after the round's last slow one (one webhook's: ``summed`` leaves it).
    prompt_answers: int = 0


def _take_lease(webhook: Webhook, owner: str, now: datetime) -> bool:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner)
    return bool(
        Webhook.objects.filter(free, pk=webhook.pk, active=True).update(
            lease_until=now + timedelta(seconds=lease_seconds()), lease_owner=owner
        )
    )


def _release_lease(webhook: Webhook, owner: str) -> None:
    Webhook.objects.filter(pk=webhook.pk, lease_owner=owner).update(lease_until=None, lease_owner="")


def _hold(webhook: Webhook, owner: str, now: datetime) -> bool:
    """Take or renew the lease (lost if the webhook was disabled meanwhile), then read the
    webhook as it is now: a secret, URL, types or public_only changed in the admin apply
    from the next delivery on."""
    if not _take_lease(webhook, owner, now):
        return False
    webhook.refresh_from_db()
    return True


def _pending_head(webhook: Webhook) -> Delivery | None:
    pending = Delivery.objects.filter(webhook=webhook, status=Delivery.Status.PENDING)
    return pending.select_related("event").order_by("seq").first()


def unwanted_reason(webhook: Webhook, event: Event) -> str:
    """Why ``webhook`` no longer wants ``event``, as the delivery log says it."""
    if webhook.public_only and not event.public:
        return "not sent: the event is not public, and the webhook now takes public events only"
    return f"not sent: the webhook no longer takes {event.type} events"


def webhook_locked(pk: int) -> Webhook:
    """The webhook as stored now, locked (SELECT FOR UPDATE) until the transaction ends: a
    worker's or a person's change to it waits. Call inside a transaction."""
    return Webhook.objects.select_for_update().get(pk=pk)


@transaction.atomic
def enqueue(webhook: Webhook, now: datetime, *, up_to: int | None = None) -> int:
    """Delivery rows for the numbered events after the webhook's cursor that it wants (up
    to seq ``up_to``, when given)."""
    locked = webhook_locked(webhook.pk)
    events = Event.objects.filter(seq__gt=locked.last_seq)
    if up_to is not None:
        events = events.filter(seq__lte=up_to)
    events = list(events.order_by("seq")[:ENQUEUE_BATCH])
    if not events:
        return 0
    wanted = [Delivery(webhook=locked, event=event, seq=event.seq, next_attempt_at=now) for event in events if locked.wants(event)]
    Delivery.objects.bulk_create(wanted, ignore_conflicts=True)
    locked.last_seq = events[-1].seq
    locked.save(update_fields=["last_seq"])
    webhook.last_seq = locked.last_seq
    return len(wanted)


# Finished deliveries deleted by one statement of ``prune_delivery_log``: a short lock each.
PRUNE_BATCH = 5_000


def prune_delivery_log(now: datetime, *, keep_days: int | None = None, should_stop: Callable[[], bool] = lambda: False) -> int:
    """Delete the finished deliveries (delivered or skipped) made more than ``keep_days``
    (``WEBHOOK_LOG_DAYS``) before ``now``, a batch at a time; the number deleted. Pending ones
    stay, however old: they are the queue. What was delivered is not sent again: the
    webhook's cursor (``last_seq``) is past it."""
    days = settings.WEBHOOK_LOG_DAYS if keep_days is None else keep_days
    finished = Delivery.objects.exclude(status=Delivery.Status.PENDING).filter(created_at__lt=now - timedelta(days=days))
    deleted = 0
    with read_primary():  # a lagging replica would give the batch just deleted again, for ever
        # Batch by batch, stopping between two when asked to (the worker's stop signal: the
        # rest waits for its next pruning).
        while not should_stop() and (ids := list(finished.order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH])):
            deleted += Delivery.objects.filter(pk__in=ids).delete()[0]
    return deleted


def delivery_request(webhook: Webhook, delivery: Delivery) -> tuple[bytes, dict[str, str]]:
    """The exact body POSTed for a delivery (what its signature covers) and its headers: the
    signature, and what a receiver orders and deduplicates by. The delivery log shows them
    from here, so it shows what is sent."""
    # A public-only receiver gets the public numbering, as anonymous callers of the feed do:
    # no gap in its numbers counts or dates the hidden work between two public events.
    payload = delivery.event.as_payload(public=webhook.public_only)
    body = _encode(payload)
    return body, {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(webhook.secret, body),
        "X-Claimbase-Event": payload["type"],
        "X-Claimbase-Seq": str(payload["seq"]),
        "X-Claimbase-Numbering": webhook.numbering,
        "X-Claimbase-Delivery": delivery_id(delivery),
    }


def _encode(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _send(webhook: Webhook, body: bytes, headers: dict[str, str]) -> net.Response:
    """POST ``body`` to the webhook's URL under the rules of every outbound request
    (``net.request``: public addresses only, one deadline, no redirect). Of a 2xx answer
    only the status line and headers are read: the receiver took the event, and a body
    that trickles or breaks off after it changes nothing. Of any other, at most an excerpt
    of the body. Raises ``net.FetchError``."""
    return net.request(
        "POST", webhook.url, body=body, headers=headers,
        timeout=_setting("WEBHOOK_TIMEOUT_SECONDS", 10), max_bytes=EXCERPT_BYTES, truncate=True,
        max_redirects=0, allow_private=allow_private(), read_body=_is_failure,
    )


def _is_failure(status: int) -> bool:
    return not 200 <= status < 300


def _excerpt(answer: net.Response) -> str:
    return answer.body[:EXCERPT_BYTES].decode("utf-8", "replace")


def _post(webhook: Webhook, delivery: Delivery) -> tuple[int | None, str]:
    """(status, error): error is empty for a 2xx answer."""
    try:
        answer = _send(webhook, *delivery_request(webhook, delivery))
    except net.FetchError as error:
        return error.status, f"{error.code}: {error.message}"
    except Exception as error:  # noqa: BLE001 - whatever a receiver provokes is its failed attempt
        # ``net.request`` says what went wrong as a FetchError; anything else is a fault of
        # ours that this receiver's answer provoked. Recorded as a failed attempt (backoff,
        # disabled after a day), it cannot stop the round for every other webhook.
        logger.exception("Webhook %s: delivery %s failed unexpectedly", webhook.pk, delivery.pk)
        return None, f"error: {type(error).__name__}: {error}"
    if not _is_failure(answer.status):
        return answer.status, ""
    stalled = " (the body had not ended at the timeout)" if answer.stalled else ""
    return answer.status, f"HTTP {answer.status}{stalled}: {_excerpt(answer)}".strip()


@dataclass
class PingResult:
    """How a receiver answered a test ping: ``status`` if it answered (``excerpt``, the
    start of its body), else the ``net.FetchError`` code and message (``timeout``,
    ``address_not_allowed``, ``connection``...; ``error`` for a fault of ours)."""

    seconds: float
    status: int | None = None
    excerpt: str = ""
    code: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def webhook_ping(webhook: Webhook, *, now=timezone.now) -> PingResult:
    """POST a small signed ``{"type": "ping"}`` body to the webhook now, as a delivery is
    sent (same signature, address rules and timeout), and say how the receiver answered.

    A ping is no event of the feed: it carries no ``seq`` (a receiver that keeps the last
    one it saw must not move it), writes no delivery, moves no cursor, and does not count
    toward disabling the webhook; a disabled webhook can be pinged before it is enabled."""
    body = _encode({
        "type": "ping",
        "at": now().isoformat().replace("+00:00", "Z"),
        "message": "A test from Claimbase, not an event of the feed: answer 2xx if the signature checks.",
    })
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(webhook.secret, body),
        "X-Claimbase-Event": "ping",
        "X-Claimbase-Delivery": str(uuid.uuid4()),
    }
    started = time.monotonic()
    try:
        answer = _send(webhook, body, headers)
    except net.FetchError as error:
        return PingResult(time.monotonic() - started, code=error.code, message=error.message)
    except Exception as error:  # noqa: BLE001 - said on the page, as a delivery's log would say it
        logger.exception("Webhook %s: the test ping failed unexpectedly", webhook.pk)
        return PingResult(time.monotonic() - started, code="error", message=f"{type(error).__name__}: {error}")
    return PingResult(time.monotonic() - started, status=answer.status, excerpt=_excerpt(answer).strip())


def _fix_numbering(webhook: Webhook) -> bool:
    """Before the first event is sent, fix the webhook's numbering (``sent_numbering``) as
    it was read: from then on ``public_only`` cannot change (``NUMBERING_FIXED``). False if
    it changed since it was read (or the webhook is gone): nothing is sent on what was
    read. The update waits for an admin's change in progress, then finds the row as that
    change left it."""
    if webhook.sent_numbering:
        return True
    fixed = Webhook.objects.filter(pk=webhook.pk, public_only=webhook.public_only).update(sent_numbering=webhook.numbering)
    if fixed:
        webhook.sent_numbering = webhook.numbering
    return bool(fixed)


def _start_attempt(delivery: Delivery, now: datetime) -> None:
    delivery.attempts += 1
    delivery.sent_at = now
    delivery.last_status_code = None
    delivery.last_error = NO_ANSWER.format(at=now)
    delivery.save(update_fields=["attempts", "sent_at", "last_status_code", "last_error"])


def _record_failure(webhook: Webhook, delivery: Delivery, status: int | None, error: str, now: datetime) -> None:
    """A failed attempt, counted by ``_start_attempt`` when it was sent (a fault of ours
    before any POST is counted here)."""
    with transaction.atomic():
        current = webhook_locked(webhook.pk)
        if delivery.sent_at is None:
            delivery.attempts += 1
        delivery.sent_at = None
        delivery.last_status_code = status
        delivery.last_error = storable(error)
        # Sent with a setup changed since (a person gave it a new URL, secret, types or
        # public_only while the POST was under way): the failure is the old setup's. The
        # delivery is tried again at once with the new one, and the failing clock, started
        # again by the change, is left as it is.
        resent = any(getattr(current, name) != getattr(webhook, name) for name in DELIVERY_FIELDS)
        delivery.next_attempt_at = now if resent else now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "sent_at", "last_status_code", "last_error", "next_attempt_at"])
        if resent:
            return
        webhook.failing_since = current.failing_since  # as stored now: a change may have reset it
        _record_failing(webhook, f"event #{_seq_sent(webhook, delivery)}, attempt {delivery.attempts}", error, now)


def _seq_sent(webhook: Webhook, delivery: Delivery) -> int | None:
    """The number the receiver knows a delivery's event by (``X-Claimbase-Seq``): a
    public-only webhook's events are numbered among the public ones."""
    return delivery.event.public_seq if webhook.public_only else delivery.seq


def _record_failing(webhook: Webhook, where: str, error: str, now: datetime) -> None:
    """The webhook fails since its first failure in a row; after a day of them, disabled."""
    failing_since = webhook.failing_since or now
    fields = {"failing_since": failing_since}
    if (now - failing_since).total_seconds() >= _setting("WEBHOOK_DISABLE_AFTER_SECONDS", 86400):
        fields["active"] = False
        fields["disabled_reason"] = (
            f"Disabled on {now:%Y-%m-%d %H:%M} UTC: every delivery failed since "
            f"{failing_since:%Y-%m-%d %H:%M} UTC. Last error ({where}): {storable(error, 500)}"
        )
        # The reason quotes the receiver's answer: escaped, it cannot forge a log line of
        # its own nor send the terminal an escape sequence.
        logger.warning("Webhook %s disabled: %s", webhook.pk, escaped(fields["disabled_reason"]))
    Webhook.objects.filter(pk=webhook.pk).update(**fields)
    for name, value in fields.items():
        setattr(webhook, name, value)


def _record_unexpected(webhook: Webhook, error: Exception, now: datetime) -> None:
    """A fault of ours in this webhook's round: a failed attempt of its oldest pending
    delivery (backoff, disabled after a day), as a receiver's error would be. Read again
    first: the fault may have struck between a change and its saving."""
    webhook.refresh_from_db()
    text = f"error: {type(error).__name__}: {error}"
    head = _pending_head(webhook)
    if head is None:
        _record_failing(webhook, "before any delivery", text, now)
        return
    _record_failure(webhook, head, None, text, now)


def _record_skipped(webhook: Webhook, delivery: Delivery) -> None:
    """A delivery no longer wanted, marked not sent. Its failures, if it was failing, end
    with it: the next delivery's are a new run of failures (the clock of
    ``WEBHOOK_DISABLE_AFTER_SECONDS`` starts again, or one failure days later disabled the
    webhook at once)."""
    with transaction.atomic():
        _lock_to_clear_failing(webhook)
        delivery.status = Delivery.Status.SKIPPED
        delivery.last_error = unwanted_reason(webhook, delivery.event)
        delivery.save(update_fields=["status", "last_error"])
        if webhook.failing_since is not None:
            Webhook.objects.filter(pk=webhook.pk).update(failing_since=None)
            webhook.failing_since = None


def _lock_to_clear_failing(webhook: Webhook) -> None:
    """Before a delivery's row is written by a transaction that clears the webhook's failing
    clock, the webhook's row is locked: the order of every transaction that writes both
    (``_record_failure``, ``enqueue``, a person's ``webhook_update``). Taken the other way, a
    person's save while a failing webhook recovered deadlocked with the worker, the
    receiver's 2xx then undone (the event sent again) or the person's save refused."""
    if webhook.failing_since is not None:
        webhook_locked(webhook.pk)


def _record_success(webhook: Webhook, delivery: Delivery, status: int | None, now: datetime) -> None:
    with transaction.atomic():
        _lock_to_clear_failing(webhook)
        delivery.status = Delivery.Status.DELIVERED
        delivery.sent_at = None
        delivery.last_status_code = status
        delivery.last_error = ""  # an earlier attempt's: the attempts count tells there were some
        delivery.delivered_at = now
        delivery.save(update_fields=["status", "sent_at", "last_status_code", "last_error", "delivered_at"])
        if webhook.failing_since is not None:
            Webhook.objects.filter(pk=webhook.pk).update(failing_since=None)
            webhook.failing_since = None


def _never() -> bool:
    return False


def deliver_round(
    webhook: Webhook,
    *,
    owner: str | None = None,
    now=timezone.now,
    should_stop: Callable[[], bool] = _never,
    up_to: int | None = None,
    share: int = ROUND_SHARE,
    end_when_slow: bool = False,
) -> RoundResult:
    """Deliver what is due to one webhook, oldest first, up to its share of the round: at
    most ``share`` POSTs, and no event numbered after ``up_to`` (by default the feed's last
    number when the round begins). Stop at the first failure, before the next POST once
    ``should_stop()`` says so (the worker is shutting down: what is left stays pending for
    the next worker), and, with ``end_when_slow``, after a POST whose answer took
    ``SLOW_ANSWER_SECONDS`` or more.

    An unexpected error is this webhook's failed attempt, recorded while its lease is still
    held; only a lost database ends the round (the worker pauses, then reconnects)."""
    owner = owner or uuid.uuid4().hex
    result = RoundResult()
    with read_primary():
        if up_to is None:
            up_to = _last_numbered()
        try:
            _deliver_due(webhook, owner, result, now, should_stop, up_to, share, end_when_slow)
        except DATABASE_UNAVAILABLE as error:
            error.round_result = result  # what the round did before: counted by the worker
            raise
        except Exception as error:  # noqa: BLE001 - one webhook's fault is its failed attempt
            if not Webhook.objects.filter(pk=webhook.pk).exists():
                # Deleted during its round (its deliveries with it): nothing to record.
                logger.info("Webhook %s was deleted during its round", webhook.pk)
                return result
            logger.exception("Webhook %s: the round failed unexpectedly", webhook.pk)
            _record_unexpected(webhook, error, now())
            result.failed += 1
            result.waiting = webhook.active
        finally:
            _release_lease(webhook, owner)
    return result


def _last_numbered() -> int:
    return Event.objects.aggregate(end=Max("seq"))["end"] or 0


def _deliver_due(
    webhook: Webhook,
    owner: str,
    result: RoundResult,
    now: Callable[[], datetime],
    should_stop: Callable[[], bool],
    up_to: int,
    share: int,
    end_when_slow: bool = False,
) -> None:
    """The round's loop. New events are queued when the queue is empty: the pending ones
    all come before them in ``seq`` order, and a delivery waiting for its backoff is the
    whole round (nothing is read past it, whatever fails there). Each POST is counted as an
    attempt before it is made (``_start_attempt``): a worker that dies waiting for the
    answer leaves it counted, and the log says no answer was recorded.

    The round ends at its share (``share`` POSTs, ``ROUND_SECONDS``, or the events numbered
    up to ``up_to``):
    readers of the feed number new events all the time, and a round that took them too
    would never end while a receiver is slower than the writers, nor let the worker reach
    the next webhook. What is left waits, in order, for this webhook's next round."""
    posts, steps, ends = 0, 0, time.monotonic() + ROUND_SECONDS
    # Reading past events it does not take counts too: a webhook of a rare type sent "All
    # events" read a million of them before its first POST, its round holding the others'.
    # (One step at least, whatever the clock: a round always moves the webhook on.)
    while not should_stop() and posts < share and (steps == 0 or time.monotonic() < ends):
        steps += 1
        if not _hold(webhook, owner, now()):  # taken, or renewed before the next POST
            return
        head = _pending_head(webhook)
        if head is None:
            # The next events, a batch at a time, until one is wanted or none is left: a
            # webhook of a few types reads past thousands it does not take in one round
            # (the lease renewed between batches).
            read_up_to = webhook.last_seq
            enqueue(webhook, now(), up_to=up_to)
            if webhook.last_seq == read_up_to:
                return  # nothing past the cursor, or nothing numbered before the round began
            continue
        if head.seq > up_to:
            return  # queued by a worker whose round began later: the next round's
        if head.next_attempt_at > now():
            result.waiting = True
            return
        if not webhook.wants(head.event):
            _record_skipped(webhook, head)
            result.skipped += 1
            continue
        if not _fix_numbering(webhook):
            continue  # public_only changed since the webhook was read: read it again
        _start_attempt(head, now())
        posts += 1
        sent = time.monotonic()
        status, error = _post(webhook, head)
        slow = time.monotonic() - sent >= SLOW_ANSWER_SECONDS
        result.slow = bool(result.slow) or slow
        result.prompt_answers = 0 if slow else result.prompt_answers + 1
        if error:
            _record_failure(webhook, head, status, error, now())
            result.failed += 1
            result.waiting = webhook.active
            return
        _record_success(webhook, head, status, now())
        result.delivered += 1
        if end_when_slow and slow:
            return


def concurrency() -> int:
    """How many webhooks one worker delivers to at once (``WEBHOOK_CONCURRENCY``)."""
    return max(1, int(_setting("WEBHOOK_CONCURRENCY", 4)))


def deliver_all(
    *,
    owner: str | None = None,
    now=timezone.now,
    should_stop: Callable[[], bool] = _never,
    up_to: int | None = None,
    share: int = ROUND_SHARE,
) -> RoundResult:
    """One round over every active webhook (numbering pending events first), read from the
    primary: each webhook gets its share (``deliver_round``), the events numbered up to
    ``up_to`` (by default, when the round begins) and at most ``share`` POSTs. A webhook
    whose round fails even to record its failure is logged and passed over: the others are
    still delivered.

    When more than one webhook has something to send, up to ``concurrency()`` are
    delivered at once, each round in a thread of its own, on connections of its own, closed
    after it: a receiver that takes its whole timeout to answer each event delays its own
    events only, not the other webhooks' until its share is done. An idle round, or one
    with one webhook to serve, runs on the caller's connection; so does a round inside a
    transaction (whose rows no other connection sees)."""
    active, up_to = active_webhooks(now, up_to)
    round_of = functools.partial(guarded_round, owner=owner, now=now, should_stop=should_stop, up_to=up_to, share=share)
    workers = min(concurrency(), sum(1 for webhook in active if webhook.busy))
    if workers <= 1 or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return summed(round_of(webhook) for webhook in active)
    pool = ThreadPoolExecutor(workers, thread_name_prefix="webhook")
    ended = False
    try:
        futures = [pool.submit(round_in_thread, round_of, webhook) for webhook in active]
        wait(futures)
        ended = True
    finally:
        # Interrupted (a worker's second stop signal: ``deliver_webhooks``), the POSTs in
        # flight are abandoned, not waited for.
        pool.shutdown(wait=ended, cancel_futures=not ended)
    # Every round ended: a lost database in any of them is raised now (the worker pauses,
    # then reconnects), with none of this round's still running.
    return summed(future.result() for future in futures)


def active_webhooks(now: Callable[[], datetime] = timezone.now, up_to: int | None = None) -> tuple[list[Webhook], int]:
    """The active webhooks, by ``pk``, each with ``busy`` set when it has something to do
    now (its oldest pending delivery due, or, none pending, numbered events past its cursor
    up to ``up_to``); and
    ``up_to``, by default the feed's last number. Pending events are numbered first; read
    from the primary."""
    sequence_pending()
    with read_primary():
        if up_to is None:
            up_to = _last_numbered()
        # The delivery the others wait behind: its time is the webhook's. (Every delivery
        # is queued due at once; only the first is put back by a failure. A webhook waiting
        # for its backoff with more queued had been called busy, and given a round, and a
        # connection, each interval for as long as it failed.)
        head = Delivery.objects.filter(webhook=OuterRef("pk"), status=Delivery.Status.PENDING).order_by("seq")
        active = list(
            Webhook.objects.filter(active=True).annotate(head_at=Subquery(head.values("next_attempt_at")[:1])).order_by("pk")
        )
    moment = now()
    for webhook in active:
        webhook.busy = webhook.head_at <= moment if webhook.head_at is not None else webhook.last_seq < up_to
    return active, up_to


def release_leases(owner: str) -> int:
    """Release every lease ``owner`` holds: a worker that abandons its deliveries (they are
    sent again later) lets the next worker take its webhooks at once."""
    return Webhook.objects.filter(lease_owner=owner).update(lease_owner="", lease_until=None)


def guarded_round(webhook: Webhook, **round_options) -> RoundResult:
    if round_options["should_stop"]():
        return RoundResult()
    try:
        return deliver_round(webhook, **round_options)
    except DATABASE_UNAVAILABLE:
        raise
    except Exception:  # noqa: BLE001 - logged; the next round tries this webhook again
        logger.exception("Webhook %s: the round failed, and so did recording it", webhook.pk)
        return RoundResult(failed=1)


def round_in_thread(round_of: Callable[[Webhook], RoundResult], webhook: Webhook) -> RoundResult:
    """A webhook's round in a thread of a round's pool, on the thread's own connections,
    closed after it."""
    try:
        return round_of(webhook)
    finally:
        connections.close_all()


def summed(results: Iterable[RoundResult]) -> RoundResult:
    total = RoundResult()
    for result in results:
        total.delivered += result.delivered
        total.failed += result.failed
        total.skipped += result.skipped
        total.waiting = total.waiting or result.waiting
        if result.slow is not None:
            total.slow = bool(total.slow) or result.slow
    return total


# What a person edits of a webhook; the rest (its cursor, lease, failing since, numbering)
# is the worker's.
EDITED_FIELDS = ("url", "secret", "types", "public_only", "active")
# The fields whose change applies to the next delivery at once (``webhook_changed``).
DELIVERY_FIELDS = ("url", "secret", "types", "public_only")


@transaction.atomic
def webhook_update(webhook: Webhook, *, fields: Collection[str]) -> None:
    """Save what a person changed of a webhook: ``fields`` (of ``EDITED_FIELDS``), taken
    from ``webhook``, and nothing else. The worker's own fields are never written back as
    they were read before the change: a worker that delivered meanwhile keeps its cursor,
    its lease and its failing-since clock. Decided on the webhook as stored now, locked
    until saved: ``Webhook.clean`` refuses a new numbering once an event was sent
    (``ValidationError``). Enabling it resumes its deliveries (``webhook_enable``); a change
    to where or what it sends applies at once (``webhook_changed``)."""
    locked = webhook_locked(webhook.pk)
    # A field given the value it holds is no change (a secret typed again, a form's field
    # marked changed): it would start the failing clock again for nothing.
    fields = [name for name in EDITED_FIELDS if name in fields and getattr(locked, name) != getattr(webhook, name)]
    if not fields:
        webhook.refresh_from_db()
        return
    for name in fields:
        setattr(locked, name, getattr(webhook, name))
    locked.clean()
    locked.save(update_fields=fields)
    if "active" in fields and locked.active:
        webhook_enable(locked)
    elif set(DELIVERY_FIELDS) & set(fields):
        webhook_changed(locked)
    webhook.refresh_from_db()


@transaction.atomic
def webhook_enable(webhook: Webhook) -> None:
    """Re-enable a disabled webhook: its oldest pending delivery is retried at once."""
    Webhook.objects.filter(pk=webhook.pk).update(active=True, disabled_reason="", failing_since=None)
    webhook_changed(webhook)


def webhook_changed(webhook: Webhook) -> None:
    """A change to where or what a webhook sends (its URL, secret, types, public_only)
    applies from the next round: the delivery the others wait behind is tried again, or
    skipped if no longer wanted, at once, not when its backoff (up to an hour) runs out.
    The failures before the change were of another setup: the clock that disables a
    webhook failing for ``WEBHOOK_DISABLE_AFTER_SECONDS`` starts again at its next failure."""
    with transaction.atomic():
        webhook_retry(webhook)
        Webhook.objects.filter(pk=webhook.pk).exclude(failing_since=None).update(failing_since=None)
    webhook.failing_since = None


def webhook_retry(webhook: Webhook) -> None:
    """The delivery the others wait behind is tried on the worker's next round, not when its
    backoff runs out (its failures still count toward disabling the webhook)."""
    Delivery.objects.filter(webhook=webhook, status=Delivery.Status.PENDING).update(next_attempt_at=timezone.now())


def unread_events(webhook: Webhook):
    """The events past the webhook's cursor that it takes, not yet queued: numbered, or
    committed and waiting for their number."""
    return Event.objects.filter(Q(seq__gt=webhook.last_seq) | Q(seq__isnull=True)).filter(webhook.wanted())


def feed_end() -> int:
    """The last number of the feed: a new webhook that takes new events only starts there."""
    sequence_pending()
    with read_primary():  # a replica that lags would start it among events already sent
        return _last_numbered()
