"""Writing an import file: one pass, batch by batch, all in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import operator
import os
import uuid
from collections.abc import Callable, Container
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from project.bulk import update_by_pk
from sources import anchoring, ingestion
from sources.models import Source, Span

from .. import rules
from ..checks import SourceFacts, run_checks
from ..editorial import SOURCE_COLUMNS, chunks, facts_with_sources, source_facts_from_rows
from ..models import Claim, ClaimContributor, ClaimRelation, Entity, Evidence, Review
from ..relation_selectors import shown_by
from ..relation_services import refresh_contradictions
from .records import (
    CHANGE_REASON,
    DEFAULT_BATCH_SIZE,
    MAX_REPORTED_ERRORS,
    REVIEW_FIELDS,
    ImportRefused,
    ImportReport,
    InvalidLine,
    Line,
    LineError,
    PreparedClaim,
    PreparedEvidence,
    PreparedRelation,
    Resolver,
    _batches,
    _valid_uid,
)
from .rows import RowWriter, SearchIndexDeferral, WriterThread, fewer_collections, ids_by_uid, page_cache, rows_at

SPAN_COLUMNS = ("id", "uid", "source_id", "start", "end", "quote", "prefix", "suffix", "anchor_state",
                "suggested_start", "suggested_end", "suggestion_score", "created_by_id", "created_at", "updated_at")
REUSABLE_STATES = (Span.AnchorState.ANCHORED, Span.AnchorState.RELOCATED)
# The claim columns the field history keeps (it leaves out ``needs_attention``).
HISTORY_COLUMNS = frozenset(
    field.attname for field in Claim.history.model._meta.concrete_fields
) - {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


# Sent in the import's transaction as rows are written, for whoever records changes (the
# changes feed): ``claims``, a list of (id, version, status) of new claims; ``sources``, ids
# of new sources; ``touched``, (id, version, status) of claims already present that a new
# relation changed.
rows_imported = Signal()

# ---------------------------------------------------------------------------------------------
# Import


# The tables a batch of new claims is written to (``Importer._insert``).
BATCH_MODELS = (Span, Evidence, Claim, Claim.entities.through, Review, ClaimContributor, Claim.history.model)
# What the import's look-ups filter and join on, for ``Importer._refresh_statistics``.
ANALYZED_COLUMNS = {
    Claim: ("id", "uid", "author"),
    Evidence: ("claim", "span"),
    Span: ("id", "uid", "source", "start"),
    Review: ("claim",),
}


@dataclasses.dataclass
class ClaimPlan:
    """A batch's new claims and what ``Importer._plan`` read for them."""

    fresh: list[PreparedClaim]
    claim_ids: list[int]
    span_ids: dict[tuple, int]  # by ``_span_key``
    span_rows: list[tuple]  # the new spans, ``SPAN_COLUMNS``
    now: dt.datetime  # the batch's time
    stored_now: object  # the same, as the backend stores it (``RowWriter.stored``)


def _claim_key(claim: PreparedClaim) -> tuple:
    """A claim's identity: its uid; a line without one falls back on (author, text)."""
    uid = claim.fields["uid"]
    return ("uid", uid) if uid is not None else (claim.author_id, claim.fields["text"])


def _existing_claim_keys(claims: list[PreparedClaim]) -> set[tuple]:
    """The batch's claim identities already in the database."""
    uids = {claim.fields["uid"] for claim in claims if claim.fields["uid"] is not None}
    found: set[tuple] = {("uid", uid) for uid, _ in ids_by_uid(Claim, uids)}
    keys = sorted({(claim.author_id, claim.fields["text"]) for claim in claims if claim.fields["uid"] is None})
    if keys:
        rows = rows_at(Claim._meta.db_table, "s.id, s.author_id, s.text", (("author_id", "bigint"), ("text", "text")), keys)
        found.update((author_id, text) for _, author_id, text in rows)
    return found


class Importer:
    """One pass over the file, in one transaction: each batch is checked, then written; the
    first invalid line stops the writing, the rest of the file is still checked so that
    every invalid line is reported, and the transaction rolls back.

    Batch by batch, on the import's one connection, with a writer thread (``WriterThread``)
    running the server's work while the main thread works in Python:

    1. the main thread checks the lines; the writer sends the previous batch's rows
       (PostgreSQL), and refreshes the planner's statistics when they are due
       (``_refresh_statistics``);
    2. the main thread announces the previous batch's claims (``_announce``), writes the
       batch's sources and entities and looks up what its claims need (claims and spans
       already present, ids, the cited sources' grades: ``_plan``);
    3. the writer indexes the previous batch for search while the main thread runs the
       editorial checks and builds the rows (``_build``);
    4. the rows are formatted, and handed to the writer (``_insert``; on SQLite the main
       thread inserts them).
    """

    def __init__(self, *, batch_size: int = DEFAULT_BATCH_SIZE, user=None, widen_split_characters: bool = False) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")
        self.batch_size = batch_size
        self.user = user
        self.resolver = Resolver(widen_split_characters=widen_split_characters)
        self.report = ImportReport()
        self.new_source_ids: dict[uuid.UUID, int] = {}  # the batch's new sources, by uid
        self.file_claim_uids: set[uuid.UUID] = set()  # every claim line's uid, valid or not
        self.analyzed_at = 0  # claims created at the last ANALYZE
        self.ready: Callable[[], None] | None = None  # the indexing not yet handed over
        self.unannounced: list[tuple[int, int, str]] = []  # claims written, not yet announced
        self.errors: list[LineError] = []
        self.error_count = 0
        # (claim id, uid of the claim it supersedes, line): linked once every claim is in,
        # since a correction may come before the claim it corrects.
        self.supersedes: list[tuple[int, uuid.UUID, int]] = []
        self.relations: list[PreparedRelation] = []  # linked once every claim is in, too
        self.created_claim_ids: set[int] = set()
        # The grades and dates of the sources cited so far, read once each: a source's facts
        # are made once, not again for each batch that cites it (1,300 sources a batch).
        self.source_facts: dict[int, SourceFacts] = {}

    def run(self, path: str, progress=None) -> ImportReport:
        size = os.path.getsize(path)
        bar = progress(size) if progress else None

        def advance(count: int) -> None:
            if bar is not None:
                bar.update(count)

        try:
            return self._run(path, advance, bar)
        except BaseException:
            # Rolled back: the originals it wrote are named by no source (unless one of the
            # same bytes was saved meanwhile), and would stay in storage.
            ingestion.discard_unnamed_originals(self.resolver.stored_originals)
            raise

    def _run(self, path: str, advance, bar) -> ImportReport:
        database = connections[DEFAULT_DB_ALIAS]
        with (
            fewer_collections(),
            open(path, "rb") as handle,
            transaction.atomic(),
            SearchIndexDeferral(database) as search,
            page_cache(),
            WriterThread(database) as writer,
        ):
            self.writer, self.rows, self.search = writer, RowWriter(database), search
            self.database = database
            if database.vendor == "postgresql":
                # The originals it stores are named by no source anyone else sees until its
                # commit: an orphan sweep waits for it (``sources.integrity``). SQLite's
                # one write transaction, begun IMMEDIATE, holds that already.
                with database.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {database.ops.quote_name(Source._meta.db_table)} IN ROW EXCLUSIVE MODE")
            self.resolver.barrier = writer.wait
            for batch in _batches(handle, self.batch_size, advance):
                self._batch(batch)
                if bar is not None:
                    bar.set_postfix(claims=self.report.claims_created, invalid=self.error_count, refresh=False)
            writer.wait()
            if not self.error_count:
                self._announce()
                self._hand_over()
            writer.wait()
            if not self.error_count:
                self._link_supersedes()
            if not self.error_count:
                self._link_relations()
            else:
                self._check_references()
            if bar is not None:
                bar.close()
            if self.error_count:
                self.errors.sort(key=lambda error: error.line)
                raise ImportRefused(self.errors, self.error_count)  # rolls back
        self.report.originals_restored = self.resolver.originals_restored
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                # Fresh statistics for the planner after a large insert.
                cursor.execute("PRAGMA optimize")
        self.report.spans_widened = self.resolver.widened
        return self.report

    def _link_supersedes(self) -> None:
        """Point each correction at the claim it supersedes (by uid: in the file or already
        in the database); an unknown one, or one that would make a cycle, is a line error."""
        if not self.supersedes:
            return
        ids = dict(ids_by_uid(Claim, {uid for _, uid, _ in self.supersedes}))
        links = {}
        for claim_id, uid, line in self.supersedes:
            if uid not in ids:
                self._refuse(LineError(line, f"supersedes {uid}: no such claim"))
            else:  # a claim naming itself is refused with its line (``records.check_claim``)
                links[claim_id] = ids[uid]
        # A cycle runs through the file's claims only: a claim already in the database
        # corrects none of them. So the file's links are the whole chain to follow.
        for claim_id, uid, line in self.supersedes:
            if claim_id in links:
                problem = rules.supersedes_problem(claim_id, links[claim_id], links.get)
                if problem is not None:
                    self._refuse(LineError(line, f"supersedes {uid}: {problem.message}"))
        if self.error_count:
            return
        self._check_superseded(links, ids)
        if self.error_count:
            return
        history = Claim.history.model.objects.filter(history_change_reason=CHANGE_REASON)
        for claim_id, target in links.items():
            Claim.objects.filter(pk=claim_id).update(supersedes_id=target)
            history.filter(id=claim_id).update(supersedes_id=target)

    def _check_superseded(self, links: dict[int, int], ids: dict[uuid.UUID, int]) -> None:
        """A published claim whose correction is published is refused, as the API refuses
        it (``rules.superseded_problem``): publishing a correction retracts the claim it
        corrects. The error is on the superseded claim's line, or on the correction's when
        that claim was in the database already."""
        statuses: dict[int, str] = {}
        for chunk in chunks(sorted(set(links) | set(links.values()))):
            statuses.update(Claim.objects.filter(pk__in=chunk).values_list("pk", "status"))
        for claim_id, uid, line in self.supersedes:
            target = links[claim_id]
            if statuses[target] != Claim.Status.PUBLISHED:
                continue
            problem = rules.superseded_problem(claim_id if statuses[claim_id] == Claim.Status.PUBLISHED else None)
            if problem is None:
                continue
            if target in self.created_claim_ids:
                self._refuse(LineError(
                    self.resolver.claim_lines[uid],
                    f"a published claim whose correction (line {line}) is published: publishing a correction "
                    "retracts the claim it corrects",
                ))
            else:
                self._refuse(LineError(
                    line, f"supersedes {uid}: that claim is published, and so is this correction: publishing a "
                    "correction retracts the claim it corrects",
                ))

    def _check_references(self) -> None:
        """After a refused line nothing more is written, but the claims that corrections and
        relations name are still looked for, so that one pass reports every invalid line: a
        uid that no claim line of the file (valid or not) and no claim of the database has,
        and a relation given twice."""
        named = {uid for _, uid, _ in self.supersedes}
        named.update(uid for relation in self.relations for uid in (relation.from_uid, relation.to_uid))
        known = self.file_claim_uids | {uid for uid, _ in ids_by_uid(Claim, named - self.file_claim_uids)}
        for _, uid, line in self.supersedes:
            if uid not in known:
                self._refuse(LineError(line, f"supersedes {uid}: no such claim"))
        self._wanted_relations(known)

    def _wanted_relations(self, known: Container[uuid.UUID]) -> dict[tuple, PreparedRelation]:
        """The file's relations by ``rules.relation_key`` of their claims' uids (one key, one
        relation, whichever way round). A relation naming a claim not ``known``, or one
        given twice, is a line error."""
        wanted: dict[tuple, PreparedRelation] = {}
        for relation in self.relations:
            missing = [str(uid) for uid in (relation.from_uid, relation.to_uid) if uid not in known]
            if missing:
                self._refuse(LineError(relation.line, f"relation: no such claim {', '.join(missing)}"))
                continue
            key = rules.relation_key(relation.from_uid, relation.to_uid, relation.kind)
            if key in wanted:
                self._refuse(LineError(relation.line, f"the same relation as line {wanted[key].line}"))
                continue
            wanted[key] = relation
        return wanted

    def _link_relations(self) -> None:
        """Record the file's relations between claims (in the file or already in the
        database, by uid), checked as ``relation_create`` checks them; one already recorded
        (either way round) is kept. A claim already present that gains a relation changes
        what it shows: its version is bumped, as the service does."""
        if not self.relations:
            return
        ids = dict(ids_by_uid(Claim, {uid for relation in self.relations for uid in (relation.from_uid, relation.to_uid)}))
        by_uids = self._wanted_relations(ids)
        if self.error_count:
            return
        wanted = {
            rules.relation_key(ids[relation.from_uid], ids[relation.to_uid], relation.kind): relation
            for relation in by_uids.values()
        }
        claim_ids = sorted({claim_id for _, first, second in wanted for claim_id in (first, second)})
        existing = set()
        for chunk in chunks(claim_ids):
            for from_id, to_id, kind in ClaimRelation.objects.filter(
                Q(from_claim_id__in=chunk) | Q(to_claim_id__in=chunk)
            ).values_list("from_claim_id", "to_claim_id", "kind"):
                existing.add(rules.relation_key(from_id, to_id, kind))
        now = timezone.now()
        new, dated = [], []
        for key, relation in wanted.items():
            if key in existing:
                continue
            row = ClaimRelation(
                from_claim_id=ids[relation.from_uid], to_claim_id=ids[relation.to_uid], kind=relation.kind,
                note=relation.note, created_by_id=relation.created_by_id,
            )
            new.append(row)
            dated.append(relation.created_at or now)
        self.report.relations_existing += len(wanted) - len(new)
        if not new:
            return
        ClaimRelation.objects.bulk_create(new, batch_size=500)
        # ``auto_now_add`` dated every row now: the file's dates are put back.
        for row, created_at in zip(new, dated):
            row.created_at = created_at
        update_by_pk(ClaimRelation, ("created_at",), [(row.created_at, row.pk) for row in new])
        _attribute_history(new, "created_by_id", self.user)
        ClaimRelation.history.bulk_history_create(new, default_user=self.user, default_change_reason=CHANGE_REASON)
        self.report.relations_created += len(new)
        related = {row.from_claim_id for row in new} | {row.to_claim_id for row in new}
        statuses = dict(Claim.objects.filter(pk__in=related).values_list("pk", "status"))
        # As ``relation_create``: a claim already present gets a new version when it shows
        # the relation to everybody who may see it.
        showing = {
            pk for row in new
            for pk in shown_by({pk: statuses[pk] for pk in (row.from_claim_id, row.to_claim_id)})
        }
        present = sorted(showing - self.created_claim_ids)
        if present:
            Claim.objects.filter(pk__in=present).update(version=models.F("version") + 1)
            touched = list(Claim.objects.filter(pk__in=present).order_by("pk").values_list("pk", "version", "status"))
            rows_imported.send(Importer, claims=[], sources=[], touched=touched)
        contradicting = [claim_id for row in new if row.kind == ClaimRelation.Kind.CONTRADICTS
                         for claim_id in (row.from_claim_id, row.to_claim_id)]
        if contradicting:
            refresh_contradictions(contradicting)

    def _refuse(self, error: LineError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def _announce(self) -> None:
        """Send ``rows_imported`` for the claims the writer thread has written (the receivers
        write on the connection: from the main thread, while the writer is idle)."""
        claims, self.unannounced = self.unannounced, []
        if claims:
            rows_imported.send(Importer, sources=[], touched=[], claims=claims)

    def _hand_over(self) -> None:
        """The previous batch's search indexing to the writer thread."""
        job, self.ready = self.ready, None
        if job is not None:
            self.writer.submit(job)

    def _batch(self, batch: list[Line | LineError]) -> None:
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
        if not self.error_count:
            self._refresh_statistics()
        sources, entities, spans, claims = [], [], [], []
        for line in lines:
            kind = line.record["type"]
            try:
                if kind == "source":
                    values = resolver.check_source(line)
                    if values is None:
                        self.report.sources_existing += 1
                    else:
                        sources.append(values)
                elif kind == "entity":
                    values = resolver.check_entity(line)
                    if values is None:
                        self.report.entities_existing += 1
                    else:
                        entities.append(values)
                elif kind == "span":
                    spans.append(resolver.check_span(line))
                elif kind == "relation":
                    self.relations.append(resolver.check_relation(line))
                else:
                    if (uid := _valid_uid(line.record.get("uid"))) is not None:
                        self.file_claim_uids.add(uid)  # the claim exists for references, even if its line fails
                    claims.append(resolver.check_claim(line))
            except (InvalidLine, anchoring.AnchoringError) as failure:
                self._refuse(LineError(line.number, str(failure)))
        self.writer.wait()
        if self.error_count:
            # Checking only, from now on: the corrections' claims are looked for at the end.
            self.supersedes.extend((None, claim.supersedes, claim.line) for claim in claims if claim.supersedes is not None)
            return
        self._announce()
        self._write_sources(sources)
        for values in entities:
            self._write_entity(values)
        self._write_spans(spans)
        plan = self._plan(claims)
        self._hand_over()  # the previous batch's search index, while this one is built
        if plan is None:
            return  # no new claim
        rows = self._build(plan)
        self._insert(plan, rows)

    def _refresh_statistics(self) -> None:
        """PostgreSQL: ANALYZE the tables the import grows each time its claims double, in
        the writer thread (while the batch's lines are checked).

        The planner's statistics come from the last ANALYZE, which cannot have seen this
        transaction's rows: into a fresh database it would plan the span lookup and the search
        documents' evidence against empty tables, by sequential scans (ten times slower by a
        hundred thousand claims). ANALYZE inside the transaction counts its own rows; what it
        records becomes visible to others only at commit. Only the columns those look-ups
        filter and join on (``ANALYZED_COLUMNS``): a third of the cost of whole tables, most
        of which goes to the claims' texts and the quotes; autovacuum analyzes the whole
        tables after the commit.
        """
        created = self.report.claims_created
        if connection.vendor != "postgresql" or created < max(self.analyzed_at * 2, self.batch_size):
            return
        database = self.database  # the connection object: the writer thread runs this

        def analyze() -> None:
            quote = database.ops.quote_name
            with database.cursor() as cursor:
                for model, columns in ANALYZED_COLUMNS.items():
                    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
                    cursor.execute(f"ANALYZE {quote(model._meta.db_table)} ({names})")

        self.writer.submit(analyze)
        self.analyzed_at = created

    def _write_sources(self, values: list[dict]) -> None:
        """New sources in one statement, checked as ``source_create`` checks them (in
        ``Resolver.check_source``, which also decided that each is new), with the dates
        and creator the file gives them."""
        self.new_source_ids = {}
        if not values:
            return
        rows, dates = [], []
        for fields in values:
            fields = dict(fields)
            text = fields.pop("text")
            if fields.pop("original_stored", False):
                self.report.originals_stored += 1
            elif fields.get("original_sha256") and not fields.get("original"):
                self.report.originals_missing += 1
            dates.append((fields.pop("created_at", None), fields.pop("updated_at", None)))
            row = Source(text=text, **fields)
            row.derive()  # bulk_create does not call save()
            rows.append(row)
        Source.objects.bulk_create(rows, batch_size=200)
        # ``auto_now_add`` and ``auto_now`` dated every row now: the file's dates are put back.
        dated = []
        for row, (created_at, updated_at) in zip(rows, dates):
            if created_at or updated_at:
                row.created_at = created_at or row.created_at
                row.updated_at = updated_at or row.updated_at
                dated.append(row)
        if dated:
            update_by_pk(Source, ("created_at", "updated_at"), [(row.created_at, row.updated_at, row.pk) for row in dated])
        _attribute_history(rows, "created_by_id", self.user)
        Source.history.bulk_history_create(rows, default_user=self.user, default_change_reason=CHANGE_REASON)
        for row in rows:
            self.resolver.sources.saved(row)
            self.new_source_ids[row.uid] = row.pk
        self.report.sources_created += len(rows)
        rows_imported.send(Importer, claims=[], sources=[row.pk for row in rows], touched=[])

    def _write_spans(self, items: list[PreparedEvidence]) -> None:
        """The span lines' spans (passages no claim cites), unless their uid is there already."""
        if not items:
            return
        present = {uid for uid, _ in ids_by_uid(Span, {item.span_uid for item in items})}
        new = list({item.span_uid: item for item in items if item.span_uid not in present}.values())
        if not new:
            return
        now = self.rows.stored(timezone.now())
        uid_value = Span._meta.get_field("uid").get_db_prep_value
        rows = []
        for span_id, item in zip(self.rows.allocate(Span, len(new)), new):
            source_id = item.source_id if item.source_id is not None else self.new_source_ids[item.source_uid]
            rows.append((
                span_id, uid_value(item.span_uid, connection=self.rows.connection), source_id, item.start, item.end,
                item.quote, item.prefix, item.suffix, item.anchor_state,
                item.suggested_start, item.suggested_end, item.suggestion_score, item.span_created_by_id,
                *self._stored_dates(item, now),
            ))
        self.rows.insert(Span, SPAN_COLUMNS, rows, adapted=True)
        self.report.spans_created += len(rows)

    def _stored_dates(self, item: PreparedEvidence, stored_now) -> tuple:
        """A span's created_at and updated_at as stored: the file's, else the import's time."""
        stored = self.rows.stored
        return (stored(item.span_created_at) if item.span_created_at else stored_now,
                stored(item.span_updated_at) if item.span_updated_at else stored_now)

    def _write_entity(self, values: dict) -> None:
        entity, created = Entity.objects.get_or_create(slug=values["slug"], defaults=values)
        self.resolver.entity_ids[entity.slug] = entity.pk
        self.resolver.pending_entities.discard(entity.slug)
        if created:
            self.report.entities_created += 1
        else:
            self.report.entities_existing += 1

    def _plan(self, prepared: list[PreparedClaim]) -> ClaimPlan | None:
        """What writing the batch's new claims needs from the database: which are new (the
        others are counted as present), the spans to reuse, ids for the new rows, the cited
        sources' grades and dates. None when no claim is new."""
        existing = _existing_claim_keys(prepared)
        fresh: list[PreparedClaim] = []
        for claim in prepared:
            key = _claim_key(claim)
            if key in existing:
                self.report.claims_existing += 1
                continue
            existing.add(key)  # the same claim twice in one file
            fresh.append(claim)
        if not fresh:
            return None
        # Evidence citing a source defined earlier in this batch was checked before the
        # source was written.
        for claim in fresh:
            for item in claim.evidence:
                if item.source_id is None:
                    item.source_id = self.new_source_ids[item.source_uid]
        stored_spans = self._stored_spans(fresh)
        fresh = [claim for claim in fresh if self._cites_stored_spans(claim, stored_spans)]
        if not fresh:
            return None
        now = timezone.now()
        stored_now = self.rows.stored(now)  # for rows passed already adapted
        span_ids, span_rows = self._spans(fresh, self.rows, stored_now, stored_spans)
        claim_ids = self.rows.allocate(Claim, len(fresh))
        self._load_source_facts(fresh)
        return ClaimPlan(fresh, claim_ids, span_ids, span_rows, now, stored_now)

    def _build(self, plan: ClaimPlan) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
        """The rows of the batch's new claims and of everything they carry, by table (its
        columns, its rows), in Python alone: the writer thread has the connection."""
        fresh, claim_ids, span_ids, now, stored_now = plan.fresh, plan.claim_ids, plan.span_ids, plan.now, plan.stored_now
        rows = self.rows
        entity_ids = self.resolver.entity_ids
        evidence, links, reviews, claim_rows, contributions = [], [], [], [], []
        uid_value = Claim._meta.get_field("uid").get_db_prep_value
        checked = self._checks(claim_ids, fresh)
        for claim_id, claim in zip(claim_ids, fresh):
            undated = _undated_evidence_date(claim)
            for item in claim.evidence:
                span_id = span_ids[_span_key(item)]
                evidence.append((claim_id, span_id, item.stance, item.note, item.added_by_id or claim.author_id,
                                 rows.stored(item.created_at or undated) if (item.created_at or undated) else stored_now))
            created_at = claim.timestamps.get("created_at") or now
            contributions.extend(
                (claim_id, user_id, claim.contributor_dates.get(user_id) or created_at) for user_id in claim.contributor_ids
            )
            if claim.supersedes is not None:
                self.supersedes.append((claim_id, claim.supersedes, claim.line))
            claim.fields["uid"] = uid_value(claim.fields["uid"] or uuid.uuid4(), connection=rows.connection)
            links.extend((claim_id, entity_ids[slug]) for slug in claim.entity_slugs)
            reviews.extend((claim_id, *review[:-1], review[-1] or now) for review in claim.reviews)
            claim_rows.append((
                claim_id, claim.author_id, *claim.fields.values(), None,
                claim.timestamps.get("created_at") or now, claim.timestamps.get("updated_at") or now,
                *checked[claim_id],
            ))
        # The first history record of each claim: its row as written (dates adapted once,
        # for both), without the fields the history leaves out.
        claim_columns = (
            "id", "author_id", *fresh[0].fields, "supersedes_id", "created_at", "updated_at",
            "check_warnings", "has_checks",
        )
        kept = [index for index, column in enumerate(claim_columns) if column in HISTORY_COLUMNS]
        pick = operator.itemgetter(*kept)
        history_columns = (*(claim_columns[index] for index in kept),
                           "history_date", "history_change_reason", "history_type", "history_user_id")
        claim_rows = rows.adapted(Claim, claim_columns, claim_rows)
        history_user_id = self.user.pk if self.user else None
        history = [
            (*pick(row), stored_now, CHANGE_REASON, "+", history_user_id or row[1])
            for row in claim_rows
        ]
        return {
            "evidence": (("claim_id", "span_id", "stance", "note", "added_by_id", "created_at"), evidence),
            "claims": (claim_columns, claim_rows),
            "links": (("claim_id", "entity_id"), links),
            # The moderation log keeps the file's dates; it is append-only, so they are
            # written by this INSERT rather than fixed afterwards.
            "reviews": (("claim_id", *REVIEW_FIELDS), reviews),
            "contributions": (("claim_id", "user_id", "first_contributed_at"), contributions),
            "history": (history_columns, history),
        }

    def _insert(self, plan: ClaimPlan, built: dict) -> None:
        """Insert what ``_build`` made: on PostgreSQL the rows are formatted here and sent by
        the writer thread, while the main thread checks the next batch's lines. Then the
        claims are announced (``_announce``) and indexed for search (``ready``)."""
        rows = self.rows
        prepared = [
            rows.prepare(Span, SPAN_COLUMNS, plan.span_rows, adapted=True),
            rows.prepare(Evidence, *built["evidence"], adapted=True),
            rows.prepare(Claim, *built["claims"], adapted=True),
            rows.prepare(Claim.entities.through, *built["links"]),
            rows.prepare(Review, *built["reviews"]),
            rows.prepare(ClaimContributor, *built["contributions"]),
            rows.prepare(Claim.history.model, *built["history"], adapted=True),
        ]

        def write() -> None:
            # Foreign keys are checked once the batch is in, whatever the order of the tables.
            with rows.checking_references(BATCH_MODELS):
                for table in prepared:
                    rows.write(table)

        self.writer.wait()
        if rows.writes_in_server:
            self.writer.submit(write)
        else:
            write()
        self.created_claim_ids.update(plan.claim_ids)
        self.unannounced = [(claim_id, claim.fields["version"], claim.fields["status"])
                            for claim_id, claim in zip(plan.claim_ids, plan.fresh)]
        self.report.claims_created += len(plan.fresh)
        self.report.evidence_created += len(built["evidence"][1])
        self.report.spans_created += len(plan.span_rows)
        self.ready = functools.partial(self.search.index, plan.claim_ids)

    def _load_source_facts(self, claims: list[PreparedClaim]) -> None:
        """The grades and dates of the sources the claims cite (``editorial.SOURCE_COLUMNS``),
        read once per source."""
        missing = {item.source_id for claim in claims for item in claim.evidence} - self.source_facts.keys()
        for chunk in chunks(sorted(missing)):
            self.source_facts.update(
                source_facts_from_rows(Source.objects.filter(pk__in=chunk).values_list(*SOURCE_COLUMNS))
            )

    def _checks(self, claim_ids: list[int], claims: list[PreparedClaim]) -> dict[int, tuple[str, bool]]:
        """The editorial checks of the batch's claims, as their rows store them (warnings as
        JSON, and whether there are any), from what the lines carry and the cited sources'
        grades and dates (``_load_source_facts``): ``claims.editorial`` assembles the facts
        and ``claims.checks`` judges them, as for a claim saved any other way."""
        claim_rows, evidence_rows = [], []
        for claim_id, claim in zip(claim_ids, claims):
            fields = claim.fields
            claim_rows.append((claim_id, fields["text"], fields["confidence"], fields["verdict"],
                               fields["period_start"], fields["period_end"]))
            evidence_rows.extend((claim_id, item.stance, item.quote, item.source_id) for item in claim.evidence)
        facts = facts_with_sources(claim_rows, evidence_rows, self.source_facts)
        checked = {}
        for claim_id in claim_ids:
            warnings = run_checks(facts[claim_id])
            checked[claim_id] = (json.dumps(warnings) if warnings else "[]", bool(warnings))
        return checked

    def _stored_spans(self, claims: list[PreparedClaim]) -> dict[uuid.UUID, StoredSpan]:
        """The spans of the database that the claims' evidence names by uid."""
        uids = {item.span_uid for claim in claims for item in claim.evidence if item.span_uid is not None}
        ids = dict(ids_by_uid(Span, uids))
        if not ids:
            return {}
        uid_of = {span_id: uid for uid, span_id in ids.items()}
        stored = {}
        for chunk in chunks(sorted(uid_of)):
            for row in Span.objects.filter(pk__in=chunk).values_list(*StoredSpan._fields):
                stored[uid_of[row[0]]] = StoredSpan(*row)
        return stored

    def _cites_stored_spans(self, claim: PreparedClaim, stored: dict[uuid.UUID, StoredSpan]) -> bool:
        """Whether every span of the database the claim's evidence names by uid is the
        passage the line gives: the same source and the same words. Such evidence cites the
        span as it is stored (where its words are now, whether they are still in the source),
        and the claim needs attention as the services would say. A span that holds other
        words, or another source's, refuses the line: the file does not cite what the
        database would show."""
        cites_stored = False
        for index, item in enumerate(claim.evidence):
            span = stored.get(item.span_uid) if item.span_uid is not None else None
            if span is None:
                continue
            if span.source_id != item.source_id or span.quote != item.quote:
                self._refuse(LineError(claim.line, (
                    f"evidence[{index}]: span_uid {item.span_uid} is a span of this database that quotes "
                    f"{_shown(span.quote)} at [{span.start}, {span.end}) of source #{span.source_id}; "
                    f"the line gives {_shown(item.quote)} at [{item.start}, {item.end})"
                    + ("" if span.source_id == item.source_id else " of another source")
                )))
                return False
            item.start, item.end, item.anchor_state = span.start, span.end, span.anchor_state
            cites_stored = True
        if cites_stored:
            claim.fields["needs_attention"] = any(
                item.anchor_state == Span.AnchorState.ORPHANED for item in claim.evidence
            )
        return True

    def _spans(
        self, claims: list[PreparedClaim], rows: RowWriter, stored_now, stored_spans: dict[uuid.UUID, StoredSpan],
    ) -> tuple[dict[tuple, int], list[tuple]]:
        """Spans for the batch's evidence (``SPAN_COLUMNS``; ``stored_now``: their dates, as
        stored). A span named by its uid is that span, once (``stored_spans``: those of the
        database); without a uid, an anchored span at the same offsets is reused, as
        ``span_create`` does. Returns the span id of every key (``_span_key``), and the new rows."""
        wanted: dict[tuple, tuple[PreparedEvidence, int]] = {}
        for claim in claims:
            for item in claim.evidence:
                wanted.setdefault(_span_key(item), (item, claim.author_id))
        found: dict[tuple, int] = {("uid", uid): span.id for uid, span in stored_spans.items()}
        anchored = [key for key in wanted if key[0] != "uid" and key[3] != Span.AnchorState.ORPHANED]
        keys = set(anchored)
        places = sorted({(key[0], key[1]) for key in anchored})
        # The anchor state is checked here, not in SQL: a condition on it would tempt the
        # planner towards its index. Within one (source, start) the oldest span comes first.
        spans = rows_at(
            Span._meta.db_table, f"s.id, s.source_id, s.start, s.{connection.ops.quote_name('end')}, s.quote, s.anchor_state",
            (("source_id", "bigint"), ("start", "bigint")), places,
        ) if places else []
        for span_id, source_id, start, end, quote, state in spans:
            key = (source_id, start, end, Span.AnchorState.ANCHORED, quote)
            if state in REUSABLE_STATES and key in keys and key not in found:
                found[key] = span_id
        new_keys = [key for key in wanted if key not in found]
        ids = rows.allocate(Span, len(new_keys))
        uid_value = Span._meta.get_field("uid").get_db_prep_value
        new_rows = []
        for span_id, key in zip(ids, new_keys):
            item, author_id = wanted[key]
            uid = uid_value(item.span_uid or uuid.uuid4(), connection=rows.connection)
            new_rows.append((span_id, uid, item.source_id, item.start, item.end, item.quote, item.prefix,
                             item.suffix, item.anchor_state, item.suggested_start, item.suggested_end,
                             item.suggestion_score, item.span_created_by_id or author_id,
                             *self._stored_dates(item, stored_now)))
            found[key] = span_id
        return found, new_rows


class StoredSpan(NamedTuple):
    """A span of the database, as evidence naming it by uid is checked against."""

    id: int
    source_id: int
    start: int
    end: int
    quote: str
    anchor_state: str


def _shown(quote: str, limit: int = 60) -> str:
    """A quote as a message shows it: in quotes, cut to ``limit`` characters."""
    return repr(quote if len(quote) <= limit else quote[: limit - 1] + "…")


def _attribute_history(rows: list, creator: str, user) -> None:
    """The history record of each new row names who made it: the importing ``user`` when
    the command was given one (as for claims), else the row's creator from the file."""
    if user is not None:
        return
    User = get_user_model()
    for row in rows:
        creator_id = getattr(row, creator)
        if creator_id is not None:
            row._history_user = User(pk=creator_id)


def _undated_evidence_date(claim) -> dt.datetime | None:
    """The date of a claim's evidence the file leaves undated: the earliest the file gives of
    the claim (its creation, the first entry of its log, its submission), when evidence
    could already be there. The import's own time had come after a claim's last
    submission, and an export of the database it made was refused on import
    (``rules.late_evidence_problem``). None: nothing dated, the import's time."""
    dated = [claim.timestamps.get("created_at"), claim.fields.get("submitted_at"), *(review[-1] for review in claim.reviews)]
    dated = [when for when in dated if when is not None]
    return min(dated) if dated else None


def _span_key(item: PreparedEvidence) -> tuple:
    if item.span_uid is not None:
        return ("uid", item.span_uid)
    return (item.source_id, item.start, item.end, item.anchor_state, item.quote)


def import_claims(
    path: str, *, batch_size: int = DEFAULT_BATCH_SIZE, user=None, progress=None, widen_split_characters: bool = False,
) -> ImportReport:
    """Import a JSON Lines file in one transaction, checked and written batch by batch.

    Raises ``ImportRefused`` (nothing written) when any line is invalid. With
    ``widen_split_characters``, a span given by offsets that fall inside a character (a file
    written before spans had to hold whole characters) is widened to hold it, and listed in
    the report's ``spans_widened``.
    """
    return Importer(batch_size=batch_size, user=user, widen_split_characters=widen_split_characters).run(path, progress=progress)
