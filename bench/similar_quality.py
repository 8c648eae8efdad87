"""The quality of the similar-claims lookup on the labelled set of the demo corpus.

    python bench/similar_quality.py --db bench/data/demo.sqlite3 [--record]
    python bench/similar_quality.py --db postgres://postgres@127.0.0.1:5432/claimbase_bench_demo

The database is migrated and the demo corpus loaded (``seed_demo``: idempotent) first. The
labelled set, ``fixtures/similar_claims_set.json``, holds paraphrases of demo claims (other
words, word order, synonyms, numbers as words or digits, names with or without titles,
aliases) and near misses (the same entities, another fact or number). Prints recall@5,
top-hit precision (first results scoring ``LIKELY_DUPLICATE`` or more that are the right
claim) and the near misses taken for their claim, then every miss. The test suite asserts
the same figures (tests/api/test_similar.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import database_url_of, django_setup, publish, table  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="SQLite file or database URL (the demo corpus is loaded into it)")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    django_setup(database_url_of(args.db))
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from claims.demo import load_corpus, load_demo
    from claims.models import Claim
    from claims.similar import LIKELY_DUPLICATE, similar_claims
    from claims.similar_quality import evaluate, load_labelled_set

    call_command("migrate", verbosity=0)
    load_demo(password="bench-demo")
    by_text = dict(Claim.objects.values_list("text", "id"))
    claim_ids = {entry["key"]: by_text[entry["text"]] for entry in load_corpus()["claims"]}
    admin = get_user_model().objects.get(username="admin")
    labelled = load_labelled_set()
    quality = evaluate(labelled, claim_ids, lambda text: similar_claims(text, user=admin, limit=10))
    summary = (
        f"{args.db} ({connection.vendor}): the demo corpus ({len(claim_ids)} claims); "
        f"{len(labelled['paraphrases'])} paraphrases of {len({p['claim'] for p in labelled['paraphrases']})} claims, "
        f"{len(labelled['near_misses'])} near misses; a likely duplicate scores {LIKELY_DUPLICATE} or more. "
        "Targets: recall@5 >= 0.9, top-hit precision >= 0.8."
    )
    report = table(
        ["recall@5", "top-hit precision", "near misses taken for their claim"],
        [[
            f"{quality.recall_at_5:.3f} ({quality.found_in_5}/{quality.paraphrases})",
            f"{quality.top_hit_precision:.3f} ({quality.confident_right}/{quality.confident})",
            f"{quality.near_misses_taken}/{quality.near_misses}",
        ]],
    )
    if quality.misses:
        report += "\n\nMisses:\n\n" + "\n".join(f"- {miss}" for miss in quality.misses)
    publish(f"Similar claims: quality ({connection.vendor})", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
