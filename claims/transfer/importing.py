"""Writing an import file, batch by batch, each batch in one transaction."""

from __future__ import annotations

import operator
import os
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
from .rows import RowWriter, SearchIndexDeferral

# (source, start) pairs per span lookup: two parameters each, well under SQLite's limit.
SPAN_LOOKUP_CHUNK = 500
REUSABLE_STATES = (Span.AnchorState.ANCHORED, Span.AnchorState.RELOCATED)
# The claim columns the field history keeps (it leaves out ``needs_attention``).
HISTORY_COLUMNS = frozenset(
    field.attname for field in Claim.history.model._meta.concrete_fields
) - {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


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
    """One pass over the file, in one transaction: each batch is checked, then written; the
    first invalid line stops the writing, the rest of the file is still checked so that
    every invalid line is reported, and the transaction rolls back."""

    def __init__(self, *, batch_size: int = DEFAULT_BATCH_SIZE, user=None) -> None:
        self.batch_size = batch_size
        self.user = user
        self.resolver = Resolver()
        self.report = ImportReport()
        self.new_source_ids: dict[str, int] = {}
        self.errors: list[LineError] = []
        self.error_count = 0

    def run(self, path: str, progress=None) -> ImportReport:
        size = os.path.getsize(path)
        bar = progress(size) if progress else None

        def advance(count: int) -> None:
            if bar is not None:
                bar.update(count)

        with open(path, "rb") as handle, transaction.atomic(), SearchIndexDeferral() as search:
            for batch in _batches(handle, self.batch_size, advance):
                self._batch(batch, search)
                if bar is not None:
                    bar.set_postfix(claims=self.report.claims_created, invalid=self.error_count, refresh=False)
            if bar is not None:
                bar.close()
            if self.error_count:
                self.errors.sort(key=lambda error: error.line)
                raise ImportRefused(self.errors, self.error_count)  # rolls back
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # Fresh statistics for the planner after a large insert.
                cursor.execute("PRAGMA optimize")
        return self.report

    def _refuse(self, error: LineError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def _batch(self, batch: list[Line | LineError], search: SearchIndexDeferral) -> None:
        """Check every line of the batch in file order (a claim may cite the sources and
        entities defined above it); write the batch if no line of the file so far failed."""
        resolver = self.resolver
        lines = []
        for item in batch:
            self.report.lines += 1
            if isinstance(item, LineError):
                self._refuse(item)
            else:
                lines.append(item)
        resolver.prefetch(lines)
        sources, entities, claims = [], [], []
        for line in lines:
            kind = line.record["type"]
            try:
                if kind == "source":
                    values = resolver.check_source(line.record)
                    if values is None:
                        self.report.sources_existing += 1
                    else:
                        sources.append(values)
                elif kind == "entity":
                    entities.append(resolver.check_entity(line.record))
                else:
                    claims.append(resolver.check_claim(line))
            except (InvalidLine, anchoring.AnchoringError) as failure:
                self._refuse(LineError(line.number, str(failure)))
        if self.error_count:
            return  # checking only, from now on
        self._write_sources(sources)
        for values in entities:
            self._write_entity(values)
        search.index(self._write_claims(claims))

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
        self.new_source_ids = {}
        for row in unique:
            self.resolver.sources.saved(row)
            self.new_source_ids[row.text_sha256] = row.pk
        self.report.sources_created += len(unique)

    def _write_entity(self, values: dict) -> None:
        entity, created = Entity.objects.get_or_create(slug=values["slug"], defaults=values)
        self.resolver.entity_ids[entity.slug] = entity.pk
        self.resolver.pending_entities.discard(entity.slug)
        if created:
            self.report.entities_created += 1
        else:
            self.report.entities_existing += 1

    def _write_claims(self, prepared: list[PreparedClaim]) -> list[int]:
        """The batch's new claims, with everything they carry; returns their ids."""
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
            return []
        # Evidence citing a source defined earlier in this batch was checked before the
        # source was written.
        for claim in fresh:
            for item in claim.evidence:
                if item.source_id is None:
                    item.source_id = self.new_source_ids[item.source_sha]
        rows = RowWriter()
        now = timezone.now()
        span_ids = self._spans(fresh, rows, now)
        claim_ids = rows.allocate(Claim, len(fresh))
        entity_ids = self.resolver.entity_ids
        evidence, links, reviews, claim_rows = [], [], [], []
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
            claim_rows.append((
                claim_id, claim.author_id, *claim.fields.values(), None,
                claim.timestamps.get("created_at") or now, claim.timestamps.get("updated_at") or now,
            ))
        # The first history record of each claim: its row as written (dates adapted once,
        # for both), without the fields the history leaves out.
        claim_columns = ("id", "author_id", *fresh[0].fields, "supersedes_id", "created_at", "updated_at")
        history_model = Claim.history.model
        kept = [index for index, column in enumerate(claim_columns) if column in HISTORY_COLUMNS]
        pick = operator.itemgetter(*kept)
        history_columns = (*(claim_columns[index] for index in kept),
                           "history_date", "history_change_reason", "history_type", "history_user_id")
        claim_rows = rows.adapted(Claim, claim_columns, claim_rows)
        history_date = rows.adapted(history_model, ("history_date",), [(now,)])[0][0]
        history_user_id = self.user.pk if self.user else None
        history = [
            (*pick(row), history_date, CHANGE_REASON, "+", history_user_id or row[1])
            for row in claim_rows
        ]
        # Foreign keys are checked at commit; the search index is filled by the caller.
        rows.insert(Evidence, ("claim_id", "span_id", "stance", "note", "added_by_id", "created_at"), evidence)
        rows.insert(Claim, claim_columns, claim_rows, adapted=True)
        rows.insert(Claim.entities.through, ("claim_id", "entity_id"), links)
        # The moderation log keeps the file's dates; it is append-only, so they are
        # written by this INSERT rather than fixed afterwards.
        rows.insert(Review, ("claim_id", "actor_id", "action", "from_status", "to_status", "comment", "created_at"), reviews)
        rows.insert(history_model, history_columns, history, adapted=True)
        self.report.claims_created += len(fresh)
        self.report.evidence_created += len(evidence)
        return claim_ids

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
        keys = set(anchored)
        places = sorted({(key[0], key[1]) for key in anchored})
        quote_name = connection.ops.quote_name
        for chunk in (places[i:i + SPAN_LOOKUP_CHUNK] for i in range(0, len(places), SPAN_LOOKUP_CHUNK)):
            # By (source, start) pairs, which the (source_id, start) index answers; the
            # oldest matching span is reused, as span_create does.
            # The anchor state is checked here, not in SQL: its index would tempt the planner.
            sql = (
                f"SELECT s.id, s.source_id, s.start, s.{quote_name('end')}, s.quote, s.anchor_state "
                f"FROM (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) AS wanted "
                f"JOIN {Span._meta.db_table} s ON s.source_id = wanted.column1 AND s.start = wanted.column2 "
                "ORDER BY s.id"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [value for place in chunk for value in place])
                for span_id, source_id, start, end, quote, state in cursor.fetchall():
                    key = (source_id, start, end, Span.AnchorState.ANCHORED, quote)
                    if state in REUSABLE_STATES and key in keys and key not in found:
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
    """Import a JSON Lines file in one transaction, checked and written batch by batch.

    Raises ``ImportRefused`` (nothing written) when any line is invalid.
    """
    return Importer(batch_size=batch_size, user=user).run(path, progress=progress)
