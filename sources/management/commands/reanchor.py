from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from ...models import Source
from ...services import reanchor_spans


class Command(BaseCommand):
    help = (
        "Re-run anchoring over stored spans against their sources' current text: keep, "
        "relocate (exact match elsewhere) or orphan each span. One transaction per source."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, help="Only this source id.")
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, source=None, no_progress=False, **options):
        sources = Source.objects.order_by("pk")
        if source is not None:
            sources = sources.filter(pk=source)
            if not sources.exists():
                raise CommandError(f"No source with id {source}.")
        totals: Counter = Counter(kept=0, relocated=0, orphaned=0)
        ids = list(sources.values_list("pk", flat=True))
        for source_pk in tqdm(ids, unit="source", disable=no_progress, file=self.stderr):
            with transaction.atomic():
                locked = Source.objects.select_for_update().get(pk=source_pk)
                totals.update(reanchor_spans(source=locked))
        self.stdout.write(
            f"{len(ids)} source(s): {totals['kept']} kept, {totals['relocated']} relocated, "
            f"{totals['orphaned']} orphaned."
        )
