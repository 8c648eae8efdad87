"""The long-running webhook worker (``python manage.py deliver_webhooks``): each webhook's
rounds (``WebhookRounds``; with ``WEBHOOK_CONCURRENCY=1``, rounds of ``deliver_all``) until
told to stop.

What an operator can rely on:

- **New events are picked up while it runs**: a webhook whose round found nothing to do is
  looked at again after ``interval`` seconds (one indexed look-up for unnumbered events and
  one query for the webhooks with something to do, shared by all); after a round that
  moved it on, its next begins at once. A slow receiver holds back its own webhook's
  rounds only: its next rounds run in threads kept for the slow (``WebhookRounds``).
- **Stopping is clean**: ``should_stop`` is asked before every POST, so a stop request lets
  the delivery in flight finish (at most ``WEBHOOK_TIMEOUT_SECONDS``) and record its outcome,
  releases the lease, and returns. A delivery cut short (a second signal, ``kill -9``) is
  not marked delivered and is sent again later: at least once.
- **A lost database connection is survived**: connections are closed between rounds when
  broken or past ``CONN_MAX_AGE`` (``close_old_connections``), and a round that fails on a
  database error is logged and retried after a pause that doubles up to ``MAX_ERROR_WAIT``.
  Any other unexpected error is handled the same way, so one bad round never ends the
  worker; a hanging receiver costs at most the timeout of one POST.
- **Several workers at once are safe**: each webhook is delivered by the holder of its lease
  only (``feed.webhooks``), so its events still go out one at a time, in ``seq`` order.
- **The delivery log does not grow without end**: once an hour (and when it starts) the
  worker deletes the finished deliveries older than ``WEBHOOK_LOG_DAYS``
  (``prune_delivery_log``).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, close_old_connections, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from project.validation import escaped

from .models import Webhook
from .webhooks import (
    DATABASE_UNAVAILABLE,
    RoundResult,
    active_webhooks,
    concurrency,
    deliver_all,
    guarded_round,
    prune_delivery_log,
    summed,
)

logger = logging.getLogger(__name__)

# A slow receiver's webhook goes back to the prompt threads after this many prompt answers in
# a row: a receiver slow every other answer, sent back after each prompt one, took a prompt
# thread for a slow POST every other round, and the prompt webhooks' events waited for it.
PROMPT_ANSWERS_TO_RETURN = 10
MAX_ERROR_WAIT = 60.0
SLEEP_STEP = 0.1
# Seconds between two prunings of the delivery log by a running worker.
PRUNE_EVERY = 3600.0


@dataclass
class WorkerTotals:
    rounds: int = 0
    delivered: int = 0
    failed: int = 0
    errors: int = 0


def worker_name() -> str:
    """The lease owner this worker writes (shown in the admin): host, process, and a random
    part so that a restarted process with a recycled pid is a new owner."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def sleep_unless_stopped(seconds: float, should_stop: Callable[[], bool]) -> None:
    """Sleep in short steps so that a stop request ends the wait within ``SLEEP_STEP``.

    (A signal handler may only set a flag: ``time.sleep`` resumes after the handler runs,
    and waiting on a lock the handler also takes could deadlock.)"""
    deadline = time.monotonic() + seconds
    while not should_stop():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return
        time.sleep(min(SLEEP_STEP, remaining))


def _drop_connections(held=None) -> None:
    """Close ``held`` (by default, this thread's connections)."""
    for connection in connections.all(initialized_only=True) if held is None else held:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a connection already gone cannot be closed cleanly
            logger.debug("closing a broken connection failed", exc_info=True)


class WebhookRounds:
    """Each webhook's rounds, in pools of threads, the next one as soon as its last one
    ended: a webhook never waits for another's round to end, however slow its receiver.

    (A round over every webhook at once, ``deliver_all``, ends with its slowest webhook's:
    a receiver taking its whole timeout held the others' new events for a round's time and
    one POST's timeout.)

    - ``start_due`` starts a round for each active webhook with something to do that is not
      in one already: its lease still makes it one worker's at a time, its events one at a
      time in ``seq`` order. Past a pool's ``threads``, rounds wait their turn in order.
    - Two pools of ``threads`` each: one for the webhooks whose receivers answer promptly,
      one for the slow (an answer of ``SLOW_ANSWER_SECONDS`` or more). A round in the prompt
      pool ends after a slow answer, and the webhook's next rounds go to the slow pool until
      its receiver has answered ``PROMPT_ANSWERS_TO_RETURN`` POSTs in a row promptly. So slow
      receivers, however many, hold the prompt pool's threads for one POST each, once: in one
      pool, as many slow receivers as threads had held every other webhook's events for as
      long as they stayed slow; and one slow every other answer, sent back to the prompt pool
      by each prompt answer, took a prompt thread every other round.
    - A round that moved its webhook on (delivered, skipped or read past events) lets its
      next begin at the next look; one that found nothing to do, or a delivery waiting for
      its backoff, waits ``interval`` before the webhook is looked at again.
    - Each round runs on its thread's own connections, kept for the thread's next round as
      a server keeps a request's: closed when broken or past ``CONN_MAX_AGE``, and all of
      them when the pools are closed. (A connection opened and closed a round had been a
      new database session for each webhook every time it had something to send.)
    - A lost database in a round is returned by ``collect`` once the rounds running have
      ended, those not begun cancelled (the worker pauses, then reconnects): never lost in
      a thread."""

    def __init__(self, *, owner: str, should_stop: Callable[[], bool], interval: float, threads: int):
        self.interval = interval
        self.should_stop = should_stop
        self.round_of = functools.partial(guarded_round, owner=owner, now=timezone.now, should_stop=should_stop)
        self.prompt_pool = ThreadPoolExecutor(threads, thread_name_prefix="webhook")
        self.slow_pool = ThreadPoolExecutor(threads, thread_name_prefix="webhook-slow")
        self.slow: set[int] = set()  # the webhooks whose receivers answered slowly, by pk
        self.prompt_since: dict[int, int] = {}  # a slow webhook's prompt answers since its last slow one
        self.running: dict[Future, tuple[Webhook, int]] = {}  # a round: its webhook, and its cursor before
        self.next_look: dict[int, float] = {}  # a webhook that found nothing: when to look at it again
        self.held: dict[int, BaseDatabaseWrapper] = {}  # the pools' threads' connections, by id
        self.held_lock = threading.Lock()

    def start_due(self) -> int:
        """Start the rounds due now; how many."""
        active, _ = active_webhooks()
        running = {webhook.pk for webhook, _ in self.running.values()}
        now = time.monotonic()
        self.next_look = {pk: at for pk, at in self.next_look.items() if at > now}
        self.slow &= {webhook.pk for webhook in active}
        self.prompt_since = {pk: count for pk, count in self.prompt_since.items() if pk in self.slow}
        started = 0
        for webhook in active:
            if webhook.busy and webhook.pk not in running and webhook.pk not in self.next_look and not self.should_stop():
                if webhook.pk in self.slow:
                    future = self.slow_pool.submit(self._round, webhook, end_when_slow=False)
                else:
                    future = self.prompt_pool.submit(self._round, webhook, end_when_slow=True)
                self.running[future] = (webhook, webhook.last_seq)
                started += 1
        return started

    def _round(self, webhook: Webhook, *, end_when_slow: bool) -> RoundResult:
        """A webhook's round in a thread of a pool, on the thread's connections: those
        broken or past their age closed before and after it (``close_old_connections``, a
        request's rule), the others kept, and known for ``close``."""
        close_old_connections()
        try:
            return self.round_of(webhook, end_when_slow=end_when_slow)
        finally:
            close_old_connections()
            with self.held_lock:
                self.held.update((id(held), held) for held in connections.all(initialized_only=True))

    def _classify(self, webhook: Webhook, result: RoundResult) -> None:
        """The pool of the webhook's next rounds, from its receiver's answers in this one (a
        round without a POST says nothing of them): the slow pool after a slow answer, the
        prompt pool again after ``PROMPT_ANSWERS_TO_RETURN`` prompt answers in a row."""
        if result.slow:
            self.slow.add(webhook.pk)
            self.prompt_since[webhook.pk] = result.prompt_answers
        elif result.slow is not None and webhook.pk in self.slow:
            since = self.prompt_since.get(webhook.pk, 0) + result.prompt_answers
            if since >= PROMPT_ANSWERS_TO_RETURN:
                self.slow.discard(webhook.pk)
                self.prompt_since.pop(webhook.pk, None)
            else:
                self.prompt_since[webhook.pk] = since

    def collect(self) -> tuple[RoundResult, Exception | None]:
        """What the rounds that ended since the last call did; and a lost database, if one of
        them lost it, once the rounds running have ended (their work counted; those still
        waiting for a thread are not begun)."""
        ended = [future for future in self.running if future.done()]
        results = []
        lost = None
        for future in ended:
            webhook, cursor = self.running.pop(future)
            result, error = _outcome(future)
            self._classify(webhook, result)
            if error is not None:
                lost = lost or error
            elif not (result.delivered or result.skipped or webhook.last_seq != cursor):
                self.next_look[webhook.pk] = time.monotonic() + self.interval
            results.append(result)
        if lost is not None:
            for future in self.running:
                future.cancel()  # not begun: looked at again once the worker reconnects
            results.append(self.finish())
        return summed(results), lost

    def pause(self, seconds: float) -> None:
        """Until a round ends, ``seconds`` pass or a stop is asked for."""
        deadline = time.monotonic() + seconds
        while not self.should_stop() and (remaining := deadline - time.monotonic()) > 0:
            if not self.running:
                time.sleep(min(SLEEP_STEP, remaining))
                continue
            ended, _ = wait(self.running, timeout=min(SLEEP_STEP, remaining), return_when=FIRST_COMPLETED)
            if ended:
                return

    def finish(self) -> RoundResult:
        """Wait for every round running (each ends before its next POST once a stop is asked
        for); what they did, up to a lost database in those that lost it."""
        wait(self.running)
        ended, self.running = list(self.running), {}
        return summed(_outcome(future)[0] for future in ended)

    def close(self) -> None:
        """End the pools' threads, then close the connections they kept (each its own
        thread's: shared for the closing, the thread being gone)."""
        for pool in (self.prompt_pool, self.slow_pool):
            pool.shutdown(wait=True)
        for held in self.held.values():
            held.inc_thread_sharing()
        _drop_connections(self.held.values())
        self.held = {}

    def abandon(self) -> None:
        """Leave the rounds running (a second stop signal): their POSTs are not waited for,
        and rounds not yet begun never begin."""
        for pool in (self.prompt_pool, self.slow_pool):
            pool.shutdown(wait=False, cancel_futures=True)


def _outcome(future: Future) -> tuple[RoundResult, Exception | None]:
    """What a round did (up to the lost database that ended it, if one did), and that loss;
    a round cancelled before it began did nothing."""
    if future.cancelled():
        return RoundResult(), None
    error = future.exception()
    if error is None:
        return future.result(), None
    if not isinstance(error, DATABASE_UNAVAILABLE):
        raise error  # ``guarded_round`` lets nothing else out: a fault of ours, for run_worker's log
    return getattr(error, "round_result", None) or RoundResult(), error


def run_worker(
    *,
    interval: float,
    should_stop: Callable[[], bool],
    report: Callable[[str], None],
    owner: str | None = None,
) -> WorkerTotals:
    """Deliver until ``should_stop()``; ``report`` gets one line for the rounds that
    delivered or failed something since the last line, and one per error.

    With ``WEBHOOK_CONCURRENCY`` above 1, each webhook has rounds of its own
    (``WebhookRounds``); otherwise, and inside a transaction (whose rows no other
    connection sees), rounds over every webhook in turn (``deliver_all``)."""
    owner = owner or worker_name()
    totals = WorkerTotals()
    error_wait = interval
    next_prune = time.monotonic()
    threads = concurrency()
    rounds = None
    if threads > 1 and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        rounds = WebhookRounds(owner=owner, should_stop=should_stop, interval=interval, threads=threads)
    finished = False
    try:
        while not should_stop():
            close_old_connections()  # a long-running worker outlives its connections
            try:
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_EVERY
                    if pruned := prune_delivery_log(timezone.now(), should_stop=should_stop):
                        report(f"deleted {pruned} finished deliveries older than the log keeps (WEBHOOK_LOG_DAYS)")
                if rounds is None:
                    result = deliver_all(owner=owner, should_stop=should_stop)
                else:
                    result, lost = rounds.collect()
                    if lost is not None:
                        _count(totals, result, report)
                        raise lost
                    rounds.start_due()
            except Exception as error:  # noqa: BLE001 - logged; the next round starts afresh
                totals.errors += 1
                error_wait = min(MAX_ERROR_WAIT, max(error_wait * 2, interval, 1.0))
                # A lost database is said in the round's one line (``report``); anything else is
                # a fault of ours, logged with its traceback too.
                if not isinstance(error, DATABASE_UNAVAILABLE):
                    logger.warning("webhook round failed", exc_info=True)
                report(f"round failed ({type(error).__name__}: {escaped(str(error).strip()[:300])}); "
                       f"retrying in {error_wait:g} s")
                _drop_connections()
                sleep_unless_stopped(error_wait, should_stop)
                continue
            error_wait = interval
            _count(totals, result, report)
            if rounds is not None:
                rounds.pause(interval)
            elif not result.delivered:
                sleep_unless_stopped(interval, should_stop)
        if rounds is not None:
            _count(totals, rounds.finish(), report)
            rounds.close()
        finished = True
    finally:
        if rounds is not None and not finished:
            rounds.abandon()
    return totals


def _count(totals: WorkerTotals, result: RoundResult, report: Callable[[str], None]) -> None:
    totals.rounds += 1
    totals.delivered += result.delivered
    totals.failed += result.failed
    if result.delivered or result.failed:
        waiting = ", a webhook waits for its backoff" if result.waiting else ""
        report(f"delivered {result.delivered}, failed attempts {result.failed}{waiting}")
