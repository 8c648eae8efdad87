"""What recording the changes feed costs a write: the same service calls with the feed's
receivers connected and disconnected, in turns.

    python bench/feed_overhead.py --db bench/data/mixed-20k.sqlite3 [--repeat 7] [--record]
    python bench/feed_overhead.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_mixed_i18

In one process against a corpus made by ``generate.py`` (``mixed_load.py`` makes one), as
the analyst ``analyst`` and the reviewer ``reviewer``: a round creates a claim with one
evidence item, edits it, submits it and approves it (four transactions, each of which
writes one event; numbering happens later, when the feed is read). ``--repeat`` rounds of 20 with the feed on,
then off, in turns; the median milliseconds of a round and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import database_url_of, django_setup, publish, table  # noqa: E402

RECEIVERS = (
    ("post_init", "feed_claim_loaded"),
    ("post_save", "feed_claim_saved"),
    ("post_delete", "feed_claim_deleted"),
    ("post_save", "feed_review_saved"),
    ("post_save", "feed_source_saved"),
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file or database URL")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    django_setup(database_url_of(args.db))

    from django.contrib.auth.models import User
    from django.db.models import signals

    from claims import services
    from claims.models import Claim, Review
    from feed import recording
    from sources.models import Source

    senders = {"feed_claim_loaded": Claim, "feed_claim_saved": Claim, "feed_claim_deleted": Claim,
               "feed_review_saved": Review, "feed_source_saved": Source}
    handlers = {
        "feed_claim_loaded": recording._claim_loaded, "feed_claim_saved": recording._claim_saved,
        "feed_claim_deleted": recording._claim_deleted, "feed_review_saved": recording._review_saved,
        "feed_source_saved": recording._source_saved,
    }

    def feed(on: bool) -> None:
        for signal_name, uid in RECEIVERS:
            signal = getattr(signals, signal_name)
            if on:
                signal.connect(handlers[uid], sender=senders[uid], dispatch_uid=uid)
            else:
                signal.disconnect(sender=senders[uid], dispatch_uid=uid)

    analyst, reviewer = User.objects.get(username="analyst"), User.objects.get(username="reviewer")
    source = Source.objects.order_by("pk").first()

    def round_ms() -> float:
        started = time.perf_counter()
        for number in range(20):
            claim = services.claim_create(
                author=analyst, text=f"Overhead claim {time.time_ns()}-{number}.", verdict="supported",
                confidence="moderate",
                evidence=[services.EvidenceInput(source=source, start=number * 10, end=number * 10 + 60)],
            )
            services.claim_update(claim=claim, user=analyst, notes="edited")
            services.claim_submit(claim=claim, user=analyst)
            services.claim_approve(claim=claim, user=reviewer)
        return (time.perf_counter() - started) * 1000 / 20

    samples: dict[bool, list[float]] = {True: [], False: []}
    round_ms()  # warm up
    for _ in range(args.repeat):
        for on in (True, False):
            feed(on)
            samples[on].append(round_ms())
    feed(True)
    on, off = statistics.median(samples[True]), statistics.median(samples[False])
    rows = [["feed recorded", f"{on:.1f}"], ["feed receivers disconnected", f"{off:.1f}"], ["ratio", f"{on / off:.2f}x"]]
    summary = (f"A claim's life (create with evidence, edit, submit, approve: four transactions), median ms "
               f"of {args.repeat} rounds of 20 each way, in turns, on {'PostgreSQL' if '://' in args.db else 'SQLite'}.")
    publish("Changes feed: cost per write", __file__, argv, summary, table(["", "ms per claim"], rows), record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
