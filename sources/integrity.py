"""Integrity checks over stored spans, and over the originals kept in storage."""

from __future__ import annotations

import re
from contextlib import contextmanager
import dataclasses
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import OperationalError, connections, router, transaction
from django.utils import timezone

from .anchoring import context_of
from .models import Source, Span

ORIGINALS = "originals"


@dataclass(frozen=True)
class BrokenSpan:
    span_id: int
    source_id: int
    reason: str


def find_broken_spans(*, source_id: int | None = None) -> tuple[int, list[BrokenSpan]]:
    """Check every anchored or relocated span: its quote is the text at its offsets, and its
    prefix/suffix are the context derived from them (stale context would publish a
    TextQuoteSelector contradicting the TextPositionSelector, and mislead the next
    re-anchoring). Returns (checked, broken).

    Reads one source's text at a time, so memory stays flat on large corpora.
    """
    sources = Source.objects.order_by("pk")
    if source_id is not None:
        sources = sources.filter(pk=source_id)
    checked = 0
    broken: list[BrokenSpan] = []
    for source_pk in sources.values_list("pk", flat=True).iterator():
        text = Source.objects.values_list("text", flat=True).get(pk=source_pk)
        spans = (
            Span.objects.filter(source_id=source_pk)
            .exclude(anchor_state=Span.AnchorState.ORPHANED)
            .values_list("pk", "start", "end", "quote", "prefix", "suffix")
        )
        for span_pk, start, end, quote, prefix, suffix in spans.iterator():
            checked += 1
            if not 0 <= start < end <= len(text):
                reason = f"offsets [{start}, {end}) outside the text (length {len(text)})"
            elif text[start:end] != quote:
                reason = f"quote {quote[:40]!r} differs from text[{start}:{end}] {text[start:end][:40]!r}"
            elif (prefix, suffix) != (derived := context_of(text, start, end)):
                side = "prefix" if prefix != derived[0] else "suffix"
                stored, expected = (prefix, derived[0]) if side == "prefix" else (suffix, derived[1])
                reason = (
                    f"{side} {stored!r} is not the context at its offsets, {expected!r} "
                    "(`manage.py reanchor` derives it again)"
                )
            else:
                continue
            broken.append(BrokenSpan(span_pk, source_pk, reason))
    return checked, broken


# ---------------------------------------------------------------------------------------------
# Originals in storage


@dataclass(frozen=True)
class OriginalsReport:
    checked: int
    problems: list[tuple[int, str, str]]  # (source id, storage name, "missing", "damaged" or "unreadable")
    orphans: list[str]  # stored files that no source names
    deleted: list[str]  # orphans deleted (``delete_orphans_older_than``)
    # Orphans old enough that were not deleted: sources were being saved all the while
    # (``_while_no_source_is_saved``); the next run deletes them.
    held_back: list[str] = dataclasses.field(default_factory=list)


def _stored_originals() -> list[str]:
    """Every file under ``originals/`` (``originals/<2 hex>/<sha256>.<ext>``), as storage
    names; in-progress ``.partial`` files included."""
    names = []
    if not default_storage.exists(ORIGINALS):
        return names
    folders, files = default_storage.listdir(ORIGINALS)
    names += [f"{ORIGINALS}/{name}" for name in files]
    for folder in folders:
        names += [f"{ORIGINALS}/{folder}/{name}" for name in default_storage.listdir(f"{ORIGINALS}/{folder}")[1]]
    return names


# A stored original's name begins with its SHA-256 (``originals/ab/<sha256>.pdf``); a
# file being written has another (``.<sha256>.pdf.<random>.partial``), and no source's.
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _named(name: str) -> bool:
    """Whether a source names the stored file ``name``, or would (known by its hash only).
    A partial file left by a worker killed while writing it is no source's: its name had
    read as an empty hash, which every source without an original has, and it was kept."""
    sha256 = name.rsplit("/", 1)[-1].split(".", 1)[0]
    if Source.objects.filter(original=name).exists():
        return True
    return _SHA256.fullmatch(sha256) is not None and Source.objects.filter(original="", original_sha256=sha256).exists()


# A file being written (``.<name>.<random>.partial``) changes as its bytes arrive and is
# named the moment it is whole: one unchanged for this long has no writer left, whatever
# ``--older-than`` says (0 had deleted an upload's file under it).
PARTIAL_IDLE = timedelta(minutes=10)

# How long an orphan sweep waits for the transactions saving sources to end.
SWEEP_LOCK_SECONDS = 5


def _being_written(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.startswith(".") and base.endswith(".partial")


@contextmanager
def _while_no_source_is_saved():
    """A transaction in which no other one that may name a stored file is open: a file
    stored by a transaction still running (an import stores each original as it reads
    its line, and names it at its commit, minutes later) is not yet named by any source
    this sweep can see. PostgreSQL: the sources' table locked against writers (SHARE; an
    import holds ROW EXCLUSIVE from its start, ``claims.transfer``), waited for
    ``SWEEP_LOCK_SECONDS``. SQLite: its one write transaction (transactions begin
    IMMEDIATE). ``OperationalError`` when they did not end in time.

    An upload stores its file before its transaction, and stores it again after its commit
    if a sweep took it meanwhile (``ingestion._keep_original``)."""
    using = router.db_for_write(Source)
    connection = connections[using]
    if connection.vendor == "sqlite":
        # Waited for as long as the sweep waits, not the connection's own timeout.
        connection.ensure_connection()
        configured = connection.connection.execute("PRAGMA busy_timeout").fetchone()[0]
        connection.connection.execute(f"PRAGMA busy_timeout = {SWEEP_LOCK_SECONDS * 1000}")
        try:
            with transaction.atomic(using=using):
                connection.connection.execute(f"PRAGMA busy_timeout = {int(configured)}")
                yield
        finally:
            connection.connection.execute(f"PRAGMA busy_timeout = {int(configured)}")
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{SWEEP_LOCK_SECONDS}s'")
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Source._meta.db_table)} IN SHARE MODE")
        yield


def check_originals(*, quick: bool = False, delete_orphans_older_than: timedelta | None = None) -> OriginalsReport:
    """Each source's original against storage: present, and of its recorded bytes (its
    sha256; ``quick``: its size only). And the stored files that no source names: left by
    a crash between storing a file and saving its source, by a refused import, or by a
    deleted source; with ``delete_orphans_older_than``, those not modified for that long
    are deleted (a younger one may belong to an upload still being saved)."""
    from .ingestion import original_name_of, original_problem

    problems = []
    named = set()
    checked = 0
    # Sources known by their hash only (imported without their bytes) included: missing
    # until their file is stored, and that file is theirs, not an orphan.
    sources = Source.objects.exclude(original_sha256="").order_by("pk")
    fields = ("pk", "original", "original_sha256", "original_size", "original_media_type")
    for source in sources.only(*fields).iterator(chunk_size=500):
        checked += 1
        named.add(original_name_of(source))
        if (problem := original_problem(source, quick=quick)) is not None:
            problems.append((source.pk, original_name_of(source), problem))
    orphans = [name for name in _stored_originals() if name not in named]
    deleted, held_back = [], []
    if delete_orphans_older_than is not None:
        now = timezone.now()
        cutoff, idle = now - delete_orphans_older_than, now - max(delete_orphans_older_than, PARTIAL_IDLE)

        def old_enough(name: str) -> bool:
            return default_storage.get_modified_time(name) < (idle if _being_written(name) else cutoff)

        old = [name for name in orphans if old_enough(name)]
        try:
            with _while_no_source_is_saved():
                for name in old:
                    # Asked again now: a source saved since the run began may name it (the
                    # same bytes uploaded again reuse the file, and make it new again).
                    if old_enough(name) and not _named(name):
                        default_storage.delete(name)
                        deleted.append(name)
        except OperationalError:
            held_back = [name for name in old if name not in deleted]
    return OriginalsReport(checked, problems, orphans, deleted, held_back)
