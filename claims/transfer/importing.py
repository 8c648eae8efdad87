"""Writing an import file, batch by batch, each batch in one transaction."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from sources import anchoring
from sources.models import Source, Span, sha256_of

from ..models import Claim, Entity, Evidence, Review
from .records import (
    CHANGE_REASON,
    DEFAULT_BATCH_SIZE,
    MAX_REPORTED_ERRORS,
    ImportRefused,
    ImportReport,
    InvalidLine,
    Line,
    LineError,
    PreparedClaim,
    PreparedEvidence,
    Resolver,
    _batches,
)
from .rows import RowWriter, SearchIndexBatch


# ---------------------------------------------------------------------------------------------
# Import


def _existing_claim_keys(claims: list[PreparedClaim]) -> set[tuple[int, str]]:
    if not claims:
        return set()
    query = Q()
    by_author: dict[int, list[str]] = {}
    for claim in claims:
        by_author.setdefault(claim.author_id, []).append(claim.fields["text"])
    for author_id, texts in by_author.items():
        query |= Q(author_id=author_id, text__in=texts)
    return set(Claim.objects.filter(query).values_list("author_id", "text"))


class Importer:
    def __init__(self, *, batch_size: int = DEFAULT_BATCH_SIZE, user=None) -> None:
        self.batch_size = batch_size
        self.user = user
        self.resolver = Resolver()
        self.report = ImportReport()

    def validate(self, handle: IO[bytes], on_bytes: Callable[[int], None]) -> None:
        """First pass: every line checked; raises ``ImportRefused`` listing the bad ones."""
        errors: list[LineError] = []
        total = 0
        resolver = self.resolver
        for batch in _batches(handle, self.batch_size, on_bytes):
            lines = [item for item in batch if isinstance(item, Line)]
            resolver.prefetch(lines)
            for item in batch:
                self.report.lines += 1
                error = item if isinstance(item, LineError) else None
                if error is None:
                    try:
                        kind = item.record["type"]
                        if kind == "source":
                            resolver.check_source(item.record)
                        elif kind == "entity":
                            resolver.check_entity(item.record)
                        else:
                            resolver.check_claim(item)
                    except (InvalidLine, anchoring.AnchoringError) as failure:
                        error = LineError(item.number, str(failure))
                if error is not None:
                    total += 1
                    if len(errors) < MAX_REPORTED_ERRORS:
                        errors.append(error)
        if total:
            raise ImportRefused(errors, total)

    def write(self, handle: IO[bytes], on_bytes: Callable[[int], None], on_claims: Callable[[int], None]) -> None:
        """Second pass: each batch in its own transaction."""
        # Fresh caches: the validation pass saw sources and entities the file defines as
        # pending; now they are created for real.
        people = self.resolver.people
        self.resolver = Resolver()
        self.resolver.people = people
        for batch in _batches(handle, self.batch_size, on_bytes):
            lines = [item for item in batch if isinstance(item, Line)]
            with transaction.atomic():
                created = self._write_batch(lines)
            on_claims(created)

    def run(self, path: str, progress=None) -> ImportReport:
        size = os.path.getsize(path)
        bar = progress(size) if progress else None

        def advance(count: int) -> None:
            if bar is not None:
                bar.update(count)

        with open(path, "rb") as handle:
            if bar is not None:
                bar.set_description("validating")
            self.validate(handle, advance)
        if bar is not None:
            bar.reset(total=size)
            bar.set_description("importing")
        with open(path, "rb") as handle:
            self.write(handle, advance, lambda created: bar.set_postfix(claims=self.report.claims_created) if bar is not None else None)
        if bar is not None:
            bar.close()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # Fresh statistics for the planner after a large insert.
                cursor.execute("PRAGMA optimize")
        return self.report

    def _write_batch(self, lines: list[Line]) -> int:
        resolver = self.resolver
        resolver.prefetch(lines)
        claims: list[PreparedClaim] = []
        sources: list[dict] = []
        # Validation guarantees that a claim cites only sources and entities defined above
        # it, so the batch's sources and entities can be written first, in bulk.
        for phase in ("references", "claims"):
            for line in lines:
                kind = line.record["type"]
                try:
                    if phase == "references" and kind == "source":
                        values = resolver.check_source(line.record)
                        if values is None:
                            self.report.sources_existing += 1
                        else:
                            sources.append(values)
                    elif phase == "references" and kind == "entity":
                        self._write_entity(resolver.check_entity(line.record))
                    elif phase == "claims" and kind == "claim":
                        claims.append(resolver.check_claim(line))
                except (InvalidLine, anchoring.AnchoringError) as error:
                    # The database changed since the validation pass; this batch is rolled back.
                    raise ImportRefused([LineError(line.number, str(error))], 1) from error
            if phase == "references":
                self._write_sources(sources)
        return self._write_claims(claims)

    def _write_sources(self, values: list[dict]) -> None:
        """New sources in one statement, checked as ``source_create`` checks them (in
        ``Resolver.check_source``); a source already present (same text, or URL) is kept."""
        rows = []
        for fields in values:
            fields = dict(fields)
            text = fields.pop("text")
            if self.resolver.sources.peek(sha256_of(text), None)[0] is not None:
                self.report.sources_existing += 1
                continue
            row = Source(text=text, created_by=self.user, **fields)
            row.url = row.url or None
            row.text_sha256, row.text_length = sha256_of(text), len(text)
            rows.append(row)
        unique = list({row.text_sha256: row for row in rows}.values())
        self.report.sources_existing += len(rows) - len(unique)
        Source.objects.bulk_create(unique, batch_size=200)
        Source.history.bulk_history_create(unique, default_user=self.user, default_change_reason=CHANGE_REASON)
        for row in unique:
            self.resolver.sources.saved(row)
        self.report.sources_created += len(unique)

    def _write_entity(self, values: dict) -> None:
        entity, created = Entity.objects.get_or_create(slug=values["slug"], defaults=values)
        self.resolver.entity_ids[entity.slug] = entity.pk
        self.resolver.pending_entities.discard(entity.slug)
        if created:
            self.report.entities_created += 1
        else:
            self.report.entities_existing += 1

    def _write_claims(self, prepared: list[PreparedClaim]) -> int:
        existing = _existing_claim_keys(prepared)
        fresh: list[PreparedClaim] = []
        for claim in prepared:
            key = (claim.author_id, claim.fields["text"])
            if key in existing:
                self.report.claims_existing += 1
                continue
            existing.add(key)  # the same claim twice in one file
            fresh.append(claim)
        if not fresh:
            return 0
        rows = RowWriter()
        now = timezone.now()
        span_ids = self._spans(fresh, rows, now)
        claim_ids = rows.allocate(Claim, len(fresh))
        entity_ids = self.resolver.entity_ids
        evidence, links, reviews, claim_rows, history = [], [], [], [], []
        history_user_id = self.user.pk if self.user else None
        for claim_id, claim in zip(claim_ids, fresh):
            for item in claim.evidence:
                span_id = span_ids[(item.source_id, item.start, item.end, item.anchor_state, item.quote)]
                evidence.append((claim_id, span_id, item.stance, item.note, claim.author_id, now))
            links.extend((claim_id, entity_ids[slug]) for slug in claim.entity_slugs)
            reviews.extend(
                (claim_id, review["actor_id"], review["action"], review["from_status"],
                 review["to_status"], review["comment"], review["created_at"] or now)
                for review in claim.reviews
            )
            values = {
                "id": claim_id, "author_id": claim.author_id, **claim.fields,
                "supersedes_id": None,
                "created_at": claim.timestamps.get("created_at") or now,
                "updated_at": claim.timestamps.get("updated_at") or now,
            }
            claim_rows.append(values)
            history.append({
                **values, "history_date": now, "history_change_reason": CHANGE_REASON,
                "history_type": "+", "history_user_id": history_user_id or claim.author_id,
            })
        with SearchIndexBatch(claim_ids):
            # Evidence before claims (foreign keys are checked at commit): where the search
            # index's triggers run, they build each claim's document once, with its quotes.
            rows.insert(Evidence, ("claim_id", "span_id", "stance", "note", "added_by_id", "created_at"), evidence)
            rows.insert_dicts(Claim, claim_rows)
        rows.insert(Claim.entities.through, ("claim_id", "entity_id"), links)
        # The moderation log keeps the file's dates; it is append-only, so they are
        # written by this INSERT rather than fixed afterwards.
        rows.insert(Review, ("claim_id", "actor_id", "action", "from_status", "to_status", "comment", "created_at"), reviews)
        rows.insert_dicts(Claim.history.model, history)
        self.report.claims_created += len(fresh)
        self.report.evidence_created += len(evidence)
        return len(fresh)

    def _spans(self, claims: list[PreparedClaim], rows: RowWriter, now) -> dict[tuple, int]:
        """Spans for the batch's evidence: an anchored span at the same offsets is reused, as
        ``span_create`` does; the others are created."""
        wanted: dict[tuple, tuple[PreparedEvidence, int]] = {}
        for claim in claims:
            for item in claim.evidence:
                key = (item.source_id, item.start, item.end, item.anchor_state, item.quote)
                wanted.setdefault(key, (item, claim.author_id))
        found: dict[tuple, int] = {}
        anchored = [key for key in wanted if key[3] != Span.AnchorState.ORPHANED]
        if anchored:
            query = Span.objects.filter(
                source_id__in={key[0] for key in anchored},
                start__in={key[1] for key in anchored},
                anchor_state__in=[Span.AnchorState.ANCHORED, Span.AnchorState.RELOCATED],
            ).order_by("-id")
            keys = set(anchored)
            for span_id, source_id, start, end, quote in query.values_list("id", "source_id", "start", "end", "quote"):
                key = (source_id, start, end, Span.AnchorState.ANCHORED, quote)
                if key in keys:
                    found[key] = span_id
        new_keys = [key for key in wanted if key not in found]
        ids = rows.allocate(Span, len(new_keys))
        new_rows = []
        for span_id, key in zip(ids, new_keys):
            item, author_id = wanted[key]
            new_rows.append((span_id, item.source_id, item.start, item.end, item.quote, item.prefix,
                             item.suffix, item.anchor_state, author_id, now, now))
            found[key] = span_id
        rows.insert(Span, ("id", "source_id", "start", "end", "quote", "prefix", "suffix",
                           "anchor_state", "created_by_id", "created_at", "updated_at"), new_rows)
        self.report.spans_created += len(new_rows)
        return found


def import_claims(path: str, *, batch_size: int = DEFAULT_BATCH_SIZE, user=None, progress=None) -> ImportReport:
    """Import a JSON Lines file: validated whole first, then written batch by batch.

    Raises ``ImportRefused`` (nothing written) when any line is invalid.
    """
    return Importer(batch_size=batch_size, user=user).run(path, progress=progress)
