"""Numbering events in the order they became visible: the feed's one guarantee.

Why not number at insert? On PostgreSQL an id from a sequence is taken when the row is
inserted, not when its transaction commits: transaction A takes id 10, B takes 11, B
commits first. A reader that follows ``id > last`` sees 11, moves on, and never sees 10.

So events are inserted unnumbered (``seq`` NULL), and numbered after their transaction
commits, by ``sequence_pending``: under one lock (PostgreSQL: a transaction-level advisory
lock; SQLite: the write lock its IMMEDIATE transactions take at BEGIN), it reads the
committed, unnumbered events in insertion order and gives them ``max(seq) + 1, + 2, ...``.
It can only see committed events, and the numbers it hands out only grow, so an event that
commits later always gets a larger number than any event already shown. The feed shows
numbered events only. A reader that stores its last ``seq`` therefore misses nothing and
sees nothing twice, whatever the interleaving of writers, and on a streaming replica too
(a replica applies the primary's commits in order, so it always holds a prefix of the
numbering).

Who runs it: the writing transaction's ``on_commit`` hook (so events are numbered within
milliseconds), the feed endpoint before it reads (if a writer crashed between commit and
hook), and the webhook worker on every round.
"""

from __future__ import annotations

from django.db import connections, router, transaction
from django.db.models import Max

from .models import Event

# An arbitrary, fixed key for pg_advisory_xact_lock: "feed" in ASCII.
ADVISORY_LOCK_KEY = 0x66656564
BATCH = 1000


def write_alias() -> str:
    return router.db_for_write(Event)


def has_pending(using: str | None = None) -> bool:
    return Event.objects.using(using or write_alias()).filter(seq__isnull=True).exists()


def sequence_pending(using: str | None = None) -> int:
    """Number every committed, unnumbered event; returns how many were numbered."""
    using = using or write_alias()
    numbered = 0
    while has_pending(using):
        count = _sequence_batch(using)
        numbered += count
        if count < BATCH:
            break
    return numbered


def _sequence_batch(using: str) -> int:
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        events = Event.objects.using(using)
        # Read after taking the lock: a statement's snapshot then includes what the previous
        # holder numbered and committed.
        pending = list(events.filter(seq__isnull=True).order_by("id").values_list("id", flat=True)[:BATCH])
        if not pending:
            return 0
        last = events.aggregate(last=Max("seq"))["last"] or 0
        rows = [Event(id=pk, seq=last + number) for number, pk in enumerate(pending, start=1)]
        events.bulk_update(rows, ["seq"])
        return len(rows)


def sequence_after_commit(using: str) -> None:
    """Number this transaction's events once it has committed (robust: a failure here is
    logged and left to the next writer, reader or worker; the change itself is kept).

    Registered once per transaction, however many events it writes (a source edit can
    re-anchor the evidence of thousands of claims). A savepoint that rolls back drops the
    hooks registered inside it, and the next event registers again."""
    connection = connections[using]
    if connection.in_atomic_block and any(
        getattr(hook[1], "numbers_events", False) for hook in getattr(connection, "run_on_commit", ())
    ):
        return

    def number_events() -> None:
        sequence_pending(using)

    number_events.numbers_events = True
    transaction.on_commit(number_events, using=using, robust=True)
