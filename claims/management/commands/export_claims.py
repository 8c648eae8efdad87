"""``manage.py export_claims``: write claims with their evidence as JSON Lines (see claims.transfer)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from claims.models import Claim
from claims.transfer import export_claims


class Command(BaseCommand):
    help = (
        "Export claims, with their evidence, entities and moderation log, as JSON Lines that "
        "import_claims reads back. Streams: memory does not grow with the number of claims."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
        parser.add_argument("--with-sources", action="store_true",
                            help="write every source and entity first, so the file loads into an empty database")
        parser.add_argument("--with-originals", action="store_true",
                            help="with --with-sources, and each source's original file inside its line "
                                 "(base64); without it, an original travels as its hash alone")
        parser.add_argument("--status", action="append", choices=Claim.Status.values,
                            help="only claims in this status (repeatable)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, **options):
        progress = None
        if not options["no_progress"]:
            def progress(total):
                return tqdm(total=total, unit="claim", unit_scale=True, file=sys.stderr, dynamic_ncols=True)
        def export(out):
            return export_claims(
                out, with_sources=options["with_sources"], with_originals=options["with_originals"],
                status=options["status"], progress=progress, warn=self.stderr.write,
            )

        if options["output"] == "-":
            out = sys.stdout.buffer
            export(out)
            out.flush()
        else:
            try:
                with open(options["output"], "wb") as out:
                    count = export(out)
            except OSError as error:
                raise CommandError(str(error)) from error
            self.stderr.write(f"{count} claims written to {options['output']}")
