"""``manage.py import_claims FILE.jsonl``: load claims with their evidence (see claims.transfer)."""

from __future__ import annotations

import resource
import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from tqdm import tqdm

from claims.transfer import DEFAULT_BATCH_SIZE, ImportRefused, import_claims
from feed.sequencing import sequence_pending
from project import paths


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)  # argparse: "invalid _positive value"
    return number


_positive.__name__ = "positive integer"  # argparse names the type in its message

WIDENED_LISTED = 100  # spans widened listed one by one; past that, counted


class Command(BaseCommand):
    help = (
        "Import claims, with their evidence, from a JSON Lines file. The file is validated "
        "whole first: any invalid line is reported with its number and nothing is imported. "
        "Idempotent: claims already present (same uid; a line without one, same author and "
        "text) are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .jsonl file, one claim (or source, or entity) per line")
        parser.add_argument("--batch-size", type=_positive, default=DEFAULT_BATCH_SIZE,
                            help="claims per transaction (default %(default)s)")
        parser.add_argument("--user", help="username recorded as the importer in the field history "
                                           "(default: each claim's author)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
        parser.add_argument("--widen-split-characters", action="store_true",
                            help="widen a span whose offsets fall inside a character (a file written before spans "
                                 "had to hold whole characters) to hold it, and list each one")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        progress = None
        if not options["no_progress"]:
            def progress(total):
                return tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr, dynamic_ncols=True)
        path = options["file"]
        kind, refused = paths.kind_of(path)
        if kind != paths.FILE:
            named = path or '""'  # an empty argument (an unset shell variable)
            raise CommandError(f"{named}: {refused or 'a folder'}; give the .jsonl file to import.")
        started = time.perf_counter()
        try:
            report = import_claims(
                path, batch_size=options["batch_size"], user=user, progress=progress,
                widen_split_characters=options["widen_split_characters"],
            )
        except OSError as error:  # gone or made unreadable since it was looked at
            raise CommandError(f"{path}: {paths.cannot_be_read(error)}. Nothing was imported.") from error
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            if refused.total > len(refused.errors):
                self.stderr.write(f"... and {refused.total - len(refused.errors)} more")
            raise CommandError(str(refused)) from refused
        except IntegrityError as error:
            # Checked lines the database still refused: most often another import that wrote
            # the same claims while this one ran (its rows were not visible when checked).
            raise CommandError(
                f"Nothing was imported: the database refused a row ({str(error).strip()}). If another "
                "import ran at the same time, run this one again: it skips what is already there."
            ) from error
        # The feed's numbers for the import's events, now rather than in the next reader's request.
        sequence_pending()
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rate = report.claims_created / seconds if seconds else 0
        for line, given, kept in report.spans_widened[:WIDENED_LISTED]:
            self.stdout.write(f"line {line}: span [{given[0]}, {given[1]}) widened to [{kept[0]}, {kept[1]}) to hold whole characters")
        if len(report.spans_widened) > WIDENED_LISTED:
            self.stdout.write(f"... and {len(report.spans_widened) - WIDENED_LISTED} more spans widened")
        self.stdout.write(
            f"{report.claims_created} claims imported ({report.claims_existing} already present), "
            f"{report.evidence_created} evidence, {report.spans_created} new spans, "
            f"{report.sources_created} sources ({report.sources_existing} present), "
            f"{report.entities_created} entities ({report.entities_existing} present), "
            f"{report.relations_created} relations ({report.relations_existing} present), "
            f"{report.originals_stored} originals stored"
            + (f" ({report.originals_missing} known by their hash only)" if report.originals_missing else "")
            + (f", {report.originals_restored} originals restored" if report.originals_restored else "")
            + (f", {len(report.spans_widened)} spans widened to whole characters" if report.spans_widened else "")
            + "; "
            f"{report.lines} lines in {seconds:.1f}s ({rate:,.0f} claims/s), peak RSS {peak_mb:,.0f} MB"
        )
