from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from project.errors import DomainError

from ...demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the seed corpus and its demo claims, and create the demo users analyst, "
        "reviewer and admin. Idempotent; runs no migrations."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the demo users (default: a random one each, printed).",
        )

    def handle(self, *args, password=None, **options):
        try:
            report = load_demo(password=password)
        except (DomainError, DatabaseError) as error:
            raise CommandError(f"Demo data not loaded (nothing was changed): {error}") from error
        self.stdout.write(
            f"Sources created: {report.sources_created}; entities created: "
            f"{report.entities_created}; claims created: {report.claims_created} "
            f"({report.claims_existing} already there)."
        )
        updated = (report.sources_updated, report.entities_updated, report.claims_updated)
        if any(updated):
            self.stdout.write(
                "Brought in line with the corpus: {} sources, {} entities, {} claims "
                "(corrected claims went back through review).".format(*updated)
            )
        for username in ("analyst", "reviewer", "admin"):
            if username in report.passwords:
                self.stdout.write(f"  {username:<9} password: {report.passwords[username]}")
            else:
                self.stdout.write(f"  {username:<9} (exists; password unchanged)")
