"""python manage.py deliver_webhooks [--once] [--interval SECONDS]"""

from __future__ import annotations

import signal
import threading
import uuid

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from feed.webhooks import deliver_all


class Command(BaseCommand):
    help = (
        "Deliver the changes feed to the registered webhooks: at least once, in seq order per "
        "webhook, signed, with exponential backoff. Runs until stopped (SIGTERM/SIGINT finish "
        "the delivery in flight); --once delivers everything due now and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between rounds when idle (default 1)."
        )

    def handle(self, *args, once: bool, interval: float, **options):
        owner = uuid.uuid4().hex  # this worker's lease name
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        delivered = failed = 0
        while not stop.is_set():
            if not once:
                close_old_connections()  # a long-running worker outlives its connections
            result = deliver_all(owner=owner)
            delivered += result.delivered
            failed += result.failed
            if once and not result.delivered:
                break
            if not result.delivered:
                stop.wait(interval)
        self.stdout.write(f"Delivered {delivered}, failed attempts {failed}.")
