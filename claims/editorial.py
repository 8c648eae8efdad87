"""The editorial checks, stored on claims: read the rows, run ``claims.checks``, save.

``refresh_checks`` keeps ``Claim.check_warnings`` and ``Claim.has_checks`` true to the
claim's content, evidence and cited sources. The services call it at the end of every
change (after their last save of the claim, in the same transaction); a saved source
refreshes the claims that cite it. ``check_claims``, the migration that introduced the
fields and ``import_claims`` (which writes the warnings with the rows, from the lines it
holds) assemble the facts with the same ``facts_from_rows`` (the importer with its part
``facts_with_sources``, keeping each source's facts from batch to batch) and judge them with
the same ``run_checks``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from project.bulk import update_by_pk
from sources.models import Source

from .checks import ClaimFacts, EvidenceFacts, SourceFacts, run_checks
from .models import Claim, Evidence
from .versions import bump_versions

# Ids per query: well under every backend's limit of bound parameters.
CHUNK = 500

CLAIM_COLUMNS = ("pk", "text", "confidence", "verdict", "period_start", "period_end")
EVIDENCE_COLUMNS = ("claim_id", "stance", "span__quote", "span__source_id")
SOURCE_COLUMNS = ("pk", "reliability", "published_on", "title")


def facts_from_rows(
    claim_rows: Iterable[Sequence[Any]],
    evidence_rows: Iterable[Sequence[Any]],
    source_rows: Iterable[Sequence[Any]],
) -> dict[int, ClaimFacts]:
    """Claim facts from plain rows in the order of ``*_COLUMNS``."""
    return facts_with_sources(claim_rows, evidence_rows, source_facts_from_rows(source_rows))


def source_facts_from_rows(source_rows: Iterable[Sequence[Any]]) -> dict[int, SourceFacts]:
    """Source facts by id, from plain rows in the order of ``SOURCE_COLUMNS``."""
    return {
        pk: SourceFacts(id=pk, reliability=reliability, published_on=published_on, title=title)
        for pk, reliability, published_on, title in source_rows
    }


def facts_with_sources(
    claim_rows: Iterable[Sequence[Any]],
    evidence_rows: Iterable[Sequence[Any]],
    sources: Mapping[int, SourceFacts],
) -> dict[int, ClaimFacts]:
    """``facts_from_rows`` with the cited sources' facts already made (``source_facts_from_rows``):
    for a caller that keeps them from one batch of claims to the next (they are immutable)."""
    evidence: dict[int, list[EvidenceFacts]] = {}
    for claim_id, stance, quote, source_id in evidence_rows:
        source = sources.get(source_id) or SourceFacts(id=source_id)
        evidence.setdefault(claim_id, []).append(EvidenceFacts(quote=quote, stance=stance, source=source))
    return {
        pk: ClaimFacts(
            text=text,
            confidence=confidence or "",
            verdict=verdict,
            period_start=period_start,
            period_end=period_end,
            evidence=tuple(evidence.get(pk, ())),
        )
        for pk, text, confidence, verdict, period_start, period_end in claim_rows
    }


def read_facts(claim_ids: Sequence[int], *, claim_model=Claim, evidence_model=Evidence, source_model=Source):
    """The facts of these claims in three queries (models may be a migration's)."""
    claim_rows = list(claim_model.objects.filter(pk__in=claim_ids).values_list(*CLAIM_COLUMNS))
    evidence_rows = list(
        evidence_model.objects.filter(claim_id__in=claim_ids).order_by("pk").values_list(*EVIDENCE_COLUMNS)
    )
    source_ids = {row[3] for row in evidence_rows}
    source_rows = source_model.objects.filter(pk__in=source_ids).values_list(*SOURCE_COLUMNS)
    return facts_from_rows(claim_rows, evidence_rows, source_rows)


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def store_warnings(updates: Sequence[tuple[int, list[dict[str, str]]]]) -> None:
    """Write (claim id, warnings) pairs, and whether each claim has any."""
    update_by_pk(Claim, ("check_warnings", "has_checks"), [(warnings, bool(warnings), pk) for pk, warnings in updates])


def warnings_for(claim: Claim) -> list[dict[str, str]]:
    """The claim's warnings as of now, computed from the database."""
    facts = read_facts([claim.pk])
    return run_checks(facts[claim.pk]) if claim.pk in facts else []


def refresh_checks(claim_ids: Iterable[int], *, bump_version: bool = False) -> list[int]:
    """Recompute and store the warnings of these claims; returns the ids whose warnings
    changed. ``bump_version`` also bumps their version (their detail renders the warnings,
    so its ETag must change) for changes made outside the claim's own services."""
    changed: list[int] = []
    for batch in chunks(dict.fromkeys(claim_ids)):
        facts = read_facts(batch)
        stored = dict(Claim.objects.filter(pk__in=batch).values_list("pk", "check_warnings"))
        updates = []
        for pk, claim_facts in facts.items():
            warnings = run_checks(claim_facts)
            if warnings != stored.get(pk):
                updates.append((pk, warnings))
        if updates:
            store_warnings(updates)
            ids = [pk for pk, _ in updates]
            if bump_version:
                bump_versions(ids)
            changed.extend(ids)
    return changed


@receiver(post_save, sender=Source)
def _on_source_saved(sender, instance: Source, created: bool, **kwargs) -> None:
    # A source's publication date and grade are evidence too: its claims' warnings follow it,
    # in the transaction that saved it.
    if created:
        return
    claim_ids = (
        Evidence.objects.filter(span__source_id=instance.pk).values_list("claim_id", flat=True).distinct()
    )
    # No version bump here: source_update has already re-versioned every claim citing the
    # source (claims.services, on source_changing), once for the whole change.
    refresh_checks(list(claim_ids))


class CheckReport:
    """What ``check_all`` found: claims checked, with warnings, per code, stored anew."""

    def __init__(self) -> None:
        self.checked = 0
        self.flagged = 0
        self.updated = 0
        self.by_code: dict[str, int] = {}

    def count(self, warnings: list[dict[str, str]]) -> None:
        self.checked += 1
        if warnings:
            self.flagged += 1
        for code in {warning["code"] for warning in warnings}:
            self.by_code[code] = self.by_code.get(code, 0) + 1


def check_all(
    *, statuses: Sequence[str] | None = None, store: bool = True, batch_size: int = 2000, progress=None, report=None
) -> Iterator[tuple[int, str, list[dict[str, str]]]]:
    """Run the checks over every claim (in these statuses), in id order and batches of
    ``batch_size``: yields ``(claim id, status, warnings)`` for claims with warnings, and
    stores the warnings where they differ from what is stored (the stored flag follows
    the checks as they are now). Memory stays flat; sources are read once each.

    Each batch is its own short transaction: a concurrent edit of a claim refreshes it
    again in its own transaction, so the worst a race leaves is what that edit stored.
    """
    report = report if report is not None else CheckReport()
    claims = Claim.objects.order_by("pk")
    if statuses:
        claims = claims.filter(status__in=list(statuses))
    sources: dict[int, tuple] = {}
    last = 0
    while True:
        rows = list(claims.filter(pk__gt=last).values_list(*CLAIM_COLUMNS, "status", "check_warnings")[:batch_size])
        if not rows:
            break
        last = rows[-1][0]
        ids = [row[0] for row in rows]
        evidence_rows: list[tuple] = []
        for batch in chunks(ids):
            evidence_rows.extend(
                Evidence.objects.filter(claim_id__in=batch).order_by("pk").values_list(*EVIDENCE_COLUMNS)
            )
        missing = {row[3] for row in evidence_rows} - sources.keys()
        for batch in chunks(missing):
            sources.update((row[0], row) for row in Source.objects.filter(pk__in=batch).values_list(*SOURCE_COLUMNS))
        facts = facts_from_rows(
            (row[:6] for row in rows),
            evidence_rows,
            (sources[pk] for pk in {row[3] for row in evidence_rows} if pk in sources),
        )
        updates = []
        for row in rows:
            pk, status, stored = row[0], row[6], row[7]
            warnings = run_checks(facts[pk])
            report.count(warnings)
            if warnings != stored:
                updates.append((pk, warnings))
            if warnings:
                yield pk, status, warnings
        report.updated += len(updates)
        if store and updates:
            store_warnings(updates)
        if progress is not None:
            progress.update(len(rows))
