from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from ...integrity import check_originals


# A hundred years: more than any file's age, less than a timedelta's limit.
MOST_MINUTES = 100 * 366 * 24 * 60


class Command(BaseCommand):
    help = (
        "Verify every source's original in storage (present, and the bytes of its sha256), and "
        "list the stored files that no source names; exit non-zero if an original is missing, damaged or unreadable."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Compare each file's size only, without hashing it.")
        parser.add_argument(
            "--delete-orphans", action="store_true",
            help="Delete the stored files that no source names, once not modified for --older-than minutes.",
        )
        parser.add_argument(
            "--older-than", type=int, default=None, metavar="MINUTES",
            help="How old an orphan must be to be deleted (default 60: a younger one may belong to an upload being saved).",
        )

    def handle(self, *args, quick=False, delete_orphans=False, older_than=None, **options):
        if older_than is not None and not delete_orphans:
            raise CommandError("--older-than says which orphans --delete-orphans deletes; give both, or neither.")
        older_than = 60 if older_than is None else older_than
        if not 0 <= older_than <= MOST_MINUTES:
            raise CommandError(f"--older-than takes a number of minutes from 0 to {MOST_MINUTES:,} (a hundred years).")
        report = check_originals(
            quick=quick, delete_orphans_older_than=timedelta(minutes=older_than) if delete_orphans else None
        )
        for source_id, name, problem in report.problems:
            self.stderr.write(f"source {source_id}: its original {name} is {problem}")
        deleted = set(report.deleted)
        for name in report.orphans:
            self.stdout.write(f"{'deleted ' if name in deleted else 'orphan  '} {name}")
        summary = (
            f"{report.checked} original(s) checked{' (sizes only)' if quick else ''}: "
            f"{len(report.problems)} missing, damaged or unreadable; {len(report.orphans)} stored file(s) no source names"
            + (f", {len(report.deleted)} deleted." if delete_orphans else ".")
        )
        if report.held_back:
            summary += (
                f" {len(report.held_back)} old enough were not deleted: sources were being saved for longer "
                "than the sweep waits (an import?), and may name them at its end. Run it again later."
            )
        if report.problems:
            raise CommandError(
                summary + " Restore each from a backup, or upload the same bytes again: they restore it."
            )
        self.stdout.write(summary)
