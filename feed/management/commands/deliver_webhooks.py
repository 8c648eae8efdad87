"""python manage.py deliver_webhooks [--once] [--interval SECONDS]"""

from __future__ import annotations

import logging
import os
import signal
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from feed.webhooks import DATABASE_UNAVAILABLE, deliver_all, feed_end, prune_delivery_log, release_leases
from feed.worker import run_worker, worker_name
from project.validation import escaped

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Deliver the changes feed to the registered webhooks: at least once, in seq order per "
        "webhook, signed, with exponential backoff. Runs until stopped: the first SIGTERM or "
        "SIGINT lets the delivery in flight finish, a second abandons it (it is sent again "
        "later). --once delivers everything due now (the events numbered when it starts) and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=1.0,
            help="Seconds between rounds when there is nothing to deliver (default 1).",
        )

    def handle(self, *args, once: bool, interval: float, **options):
        if not 0.05 <= interval <= 3600:
            # Shorter, an idle worker asks the database for work in a tight loop.
            raise CommandError("--interval must be from 0.05 to 3600 seconds.")
        owner = worker_name()
        if once:
            # What is numbered now, and no later event: the rounds end although writers and
            # readers of the feed go on numbering new ones.
            try:
                up_to = feed_end()
                delivered = failed = 0
                while True:
                    result = deliver_all(owner=owner, up_to=up_to)
                    delivered += result.delivered
                    failed += result.failed
                    if not result.delivered:
                        break
                pruned = prune_delivery_log(timezone.now())
            except DATABASE_UNAVAILABLE as error:
                raise CommandError(f"The database could not be reached ({escaped(str(error).strip()[:300])}); "
                                   "nothing more was delivered. Run it again once it answers.") from error
            self.stdout.write(f"Delivered {delivered}, failed attempts {failed}." + (
                f" Deleted {pruned} finished deliveries older than the log keeps." if pruned else ""))
            if failed:
                # For a scheduler: a receiver failing is worth a look; they are retried later.
                raise CommandError(f"{failed} attempt(s) failed: see the delivery log. Each is retried after its backoff.")
            return

        stopping = {"signal": None}

        def on_signal(signum, frame):
            if stopping["signal"] is not None:
                # The second request: abandon the delivery in flight. It was not marked
                # delivered, so it is sent again later (at least once); the lease is released
                # on the way out.
                raise SystemExit(128 + signum)
            stopping["signal"] = signum

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)

        def report(line: str) -> None:
            self.stdout.write(f"{timezone.now():%Y-%m-%dT%H:%M:%SZ} {line}")
            sys.stdout.flush()

        report(f"worker {owner} started: a round every {interval:g} s when idle; SIGTERM or SIGINT stops it")
        try:
            totals = run_worker(interval=interval, should_stop=lambda: stopping["signal"] is not None,
                                report=report, owner=owner)
        except SystemExit as abandoned:
            # The second request. A delivery in flight in this thread released its lease on
            # the way out; those in the round's other threads (``deliver_all``) are left
            # unanswered, their leases released here, and the process ends without waiting
            # for them.
            try:
                release_leases(owner)
            except Exception:  # noqa: BLE001 - a connection the signal cut: the leases expire instead
                logger.warning("The leases of worker %s could not be released; they expire", owner, exc_info=True)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(abandoned.code)
        name = signal.Signals(stopping["signal"]).name
        report(f"stopped on {name}: delivered {totals.delivered}, failed attempts {totals.failed}, "
               f"round errors {totals.errors}")
