"""The long-running webhook worker (``python manage.py deliver_webhooks``): rounds of
``deliver_all`` until told to stop.

What an operator can rely on:

- **New events are picked up while it runs**: when a round delivered nothing, it sleeps
  ``interval`` seconds and looks again (one indexed look-up for unnumbered events, then one
  lease update and one query per active webhook); after a round that delivered something it
  goes again at once.
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

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connections
from django.utils import timezone

from project.validation import escaped

from .webhooks import DATABASE_UNAVAILABLE, deliver_all, prune_delivery_log

logger = logging.getLogger(__name__)

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


def _drop_connections() -> None:
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a connection already gone cannot be closed cleanly
            logger.debug("closing a broken connection failed", exc_info=True)


def run_worker(
    *,
    interval: float,
    should_stop: Callable[[], bool],
    report: Callable[[str], None],
    owner: str | None = None,
) -> WorkerTotals:
    """Deliver rounds until ``should_stop()``; ``report`` gets one line per round that
    delivered or failed something, and one per error."""
    owner = owner or worker_name()
    totals = WorkerTotals()
    error_wait = interval
    next_prune = time.monotonic()
    while not should_stop():
        close_old_connections()  # a long-running worker outlives its connections
        try:
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + PRUNE_EVERY
                if pruned := prune_delivery_log(timezone.now(), should_stop=should_stop):
                    report(f"deleted {pruned} finished deliveries older than the log keeps (WEBHOOK_LOG_DAYS)")
            result = deliver_all(owner=owner, should_stop=should_stop)
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
        totals.rounds += 1
        totals.delivered += result.delivered
        totals.failed += result.failed
        if result.delivered or result.failed:
            waiting = ", a webhook waits for its backoff" if result.waiting else ""
            report(f"delivered {result.delivered}, failed attempts {result.failed}{waiting}")
        if not result.delivered:
            sleep_unless_stopped(interval, should_stop)
    return totals
