"""``manage.py check_claims``: the editorial checks (claims/checks.py) over a whole database."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from claims.checks import CODES
from claims.editorial import CheckReport, check_all
from claims.models import Claim


class Command(BaseCommand):
    help = (
        "Run the editorial checks over every claim (or those in --status): print each warning, "
        "then a summary per check. Stored warnings that differ (an older version of the checks, "
        "a bulk change) are brought up to date unless --dry-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--status", action="append", choices=Claim.Status.values,
                            help="only claims in this status (repeatable)")
        parser.add_argument("--summary", action="store_true", help="print only the summary, not each warning")
        parser.add_argument("--dry-run", action="store_true", help="store nothing")
        parser.add_argument("--batch-size", type=int, default=2000, help="claims read per query (default 2000)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, **options):
        claims = Claim.objects.all()
        if options["status"]:
            claims = claims.filter(status__in=options["status"])
        report = CheckReport()
        with tqdm(total=claims.count(), unit="claim", unit_scale=True, file=sys.stderr,
                  dynamic_ncols=True, disable=options["no_progress"]) as progress:
            found = check_all(
                statuses=options["status"], store=not options["dry_run"], batch_size=max(1, options["batch_size"]),
                progress=progress, report=report,
            )
            for pk, status, warnings in found:
                if options["summary"]:
                    continue
                for warning in warnings:
                    progress.write(f"claim {pk} ({status}) {warning['code']}: {warning['message']}", file=self.stdout)
        share = f" ({report.flagged / report.checked:.1%})" if report.checked else ""
        self.stdout.write(f"{report.checked} claims checked, {report.flagged} with warnings{share}.")
        for code in CODES:
            self.stdout.write(f"  {code}: {report.by_code.get(code, 0)}")
        if report.updated:
            verb = "would be updated" if options["dry_run"] else "updated"
            self.stdout.write(f"Stored warnings {verb}: {report.updated}.")
