"""``manage.py find_duplicates``: pairs of claims likely to state the same fact (see
claims.duplicates and claims.similar)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.models import Claim
from claims.duplicates import claims_in, duplicate_pairs
from claims.similar import LIKELY_DUPLICATE


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= 1:
        raise CommandError(f"--threshold must be a number in (0, 1], not {value!r}.")
    return number


class Command(BaseCommand):
    help = (
        "List pairs of claims likely to state the same fact, best first within each claim, with "
        "their score. Proposes only: nothing is merged or written; record a duplicate with "
        "POST /api/v1/claims/{id}/relations/ or in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--threshold", default=str(LIKELY_DUPLICATE),
                            help=f"lowest score of a pair, in (0, 1] (default {LIKELY_DUPLICATE})")
        parser.add_argument("--status", action="append", choices=Claim.Status.values,
                            help="only claims in this status (repeatable)")
        parser.add_argument("--json", action="store_true", help="one JSON object per pair (JSON Lines)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, **options):
        threshold = _threshold(options["threshold"])
        statuses = options["status"] or None
        bar = tqdm(total=claims_in(statuses).count(), unit="claim", file=sys.stderr, disable=options["no_progress"], dynamic_ncols=True)
        found = 0
        try:
            for pair in duplicate_pairs(statuses, threshold=threshold, progress=bar.update):
                found += 1
                if options["json"]:
                    line = json.dumps({"score": pair.score, "first": pair.first, "second": pair.second}, ensure_ascii=False)
                else:
                    line = (
                        f"{pair.score:.2f}  #{pair.first['id']} ({pair.first['status']}) {pair.first['text']}\n"
                        f"      #{pair.second['id']} ({pair.second['status']}) {pair.second['text']}"
                    )
                bar.clear()
                self.stdout.write(line)
        finally:
            bar.close()
        self.stderr.write(f"{found} likely duplicate pair(s) at threshold {threshold}.")
