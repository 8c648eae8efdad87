from django.core.management.base import BaseCommand, CommandError

from ...integrity import find_broken_spans


class Command(BaseCommand):
    help = (
        "Verify every anchored or relocated span against its source text "
        "(quote == text[start:end], prefix/suffix == the context derived there); exit "
        "non-zero and list the offenders."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, help="Check only this source id.")

    def handle(self, *args, source=None, **options):
        checked, broken = find_broken_spans(source_id=source)
        for problem in broken:
            self.stderr.write(f"span {problem.span_id} (source {problem.source_id}): {problem.reason}")
        if broken:
            raise CommandError(f"{len(broken)} of {checked} spans are wrong.")
        self.stdout.write(f"All {checked} anchored or relocated spans match their sources.")
