"""Writing claims out as JSON Lines that ``import_claims`` reads back."""

from __future__ import annotations

import base64
import contextlib
import hashlib
from typing import IO

import orjson
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db.models import Exists, F, OuterRef, Q

from sources.models import Source, Span

from ..editorial import chunks
from ..models import Claim, ClaimContributor, ClaimRelation, Entity, Evidence, Review
from . import lines


def export_claims(
    out: IO[bytes], *, with_sources: bool = False, with_originals: bool = False,
    status: list[str] | None = None, chunk_size: int = 2000, progress=None, warn=None,
) -> int:
    """Write claims as JSON Lines (``claims.transfer.lines``), oldest first, in chunks of
    ``chunk_size`` (keyset on id, a constant number of queries per chunk), then the
    relations between the claims written. With ``with_sources``, every source and entity
    comes first, so that the file loads into an empty database; ``with_originals`` (which
    implies it) embeds each source's original file. ``warn`` is told of an original that the
    storage lacks or holds altered (its hash is written without it). Returns the claim
    count.

    ``status`` keeps the claims in those statuses, and the claims they supersede (whatever
    their status, through the whole chain of corrections), so that every ``supersedes``
    in the file names a claim of the file; with ``with_sources``, the file then loads into
    an empty database."""
    usernames = dict(get_user_model().objects.values_list("id", "username"))
    claims = Claim.objects.order_by("id")
    # The claims written: those of ``status``, and those they supersede (``_superseded``).
    extra = _superseded(status) if status else []
    selection = (Q(status__in=status) | Q(pk__in=extra)) if status else None
    cited_by_selection = (Q(claim__status__in=status) | Q(claim_id__in=extra)) if status else None
    if selection is not None:
        claims = claims.filter(selection)
    if with_sources or with_originals:
        _export_sources(out, with_originals=with_originals, warn=warn, usernames=usernames)
        entity_columns = [name for name in lines.ENTITY_FIELDS if name != "type"]
        for values in Entity.objects.order_by("id").values(*entity_columns):
            out.write(orjson.dumps(lines.record(lines.ENTITY, {"type": lines.ENTITY, **values})) + b"\n")
        _export_spans(out, cited_by_selection=cited_by_selection, usernames=usernames)
    bar = progress(claims.count()) if progress else None
    last_id = 0
    written = 0
    while True:
        chunk = list(
            claims.filter(id__gt=last_id).values(
                "id", "uid", "author_id", "text", "status", "verdict", "confidence", "reviewer_id",
                "period_start", "period_end", "notes", "version", "created_at", "updated_at",
                "submitted_at", "published_at", "supersedes__uid",
            )[:chunk_size]
        )
        if not chunk:
            break
        ids = [row["id"] for row in chunk]
        last_id = ids[-1]
        evidence: dict[int, list] = {}
        for row in (
            Evidence.objects.filter(claim_id__in=ids).order_by("claim_id", "id").values_list(
                "claim_id", "stance", "note", "added_by_id", "span__uid", "span__start", "span__end",
                "span__quote", "span__prefix", "span__suffix", "span__anchor_state", "span__source__text_sha256",
                "span__source__uid", "created_at", "span__created_by_id", "span__created_at", "span__updated_at",
                "span__suggested_start", "span__suggested_end", "span__suggestion_score",
            )
        ):
            (claim_id, stance, note, added_by, span_uid, start, end, quote, prefix, suffix, state, sha,
             source_uid, created_at, span_created_by, span_created_at, span_updated_at, *suggestion) = row
            item = {
                "span_uid": str(span_uid), "source_uid": str(source_uid), "source_sha256": sha, "start": start,
                "end": end, "quote": quote, "anchor_state": state, "stance": stance, "note": note,
                "added_by": usernames.get(added_by), "created_at": lines.json_value(created_at),
                "span_created_by": usernames.get(span_created_by),
                "span_created_at": lines.json_value(span_created_at), "span_updated_at": lines.json_value(span_updated_at),
            }
            if state == Span.AnchorState.ORPHANED:
                item.update(prefix=prefix, suffix=suffix, **_suggestion(state, suggestion))
            evidence.setdefault(claim_id, []).append({name: item[name] for name in lines.EVIDENCE_FIELDS if name in item})
        entities: dict[int, list] = {}
        for claim_id, slug in (
            Claim.entities.through.objects.filter(claim_id__in=ids)
            .order_by("claim_id", "entity__slug").values_list("claim_id", "entity__slug")
        ):
            entities.setdefault(claim_id, []).append(slug)
        contributors: dict[int, list] = {}
        contributed_at: dict[int, list] = {}
        for claim_id, user_id, since in (
            ClaimContributor.objects.filter(claim_id__in=ids)
            .order_by("claim_id", "first_contributed_at", "id").values_list("claim_id", "user_id", "first_contributed_at")
        ):
            contributors.setdefault(claim_id, []).append(usernames.get(user_id))
            contributed_at.setdefault(claim_id, []).append(lines.json_value(since))
        reviews: dict[int, list] = {}
        for claim_id, actor_id, action, from_status, to_status, comment, created_at in (
            Review.objects.filter(claim_id__in=ids).order_by("claim_id", "created_at", "id").values_list(
                "claim_id", "actor_id", "action", "from_status", "to_status", "comment", "created_at"
            )
        ):
            reviews.setdefault(claim_id, []).append({
                "actor": usernames.get(actor_id), "action": action, "from_status": from_status,
                "to_status": to_status, "comment": comment, "created_at": lines.json_value(created_at),
            })
        written_lines = []
        for row in chunk:
            claim_id = row.pop("id")
            row["author"] = usernames.get(row.pop("author_id"))
            row["reviewer"] = usernames.get(row.pop("reviewer_id"))
            row["supersedes"] = row.pop("supersedes__uid")
            row["contributors"] = contributors.get(claim_id, [])
            row["contributed_at"] = contributed_at.get(claim_id, [])
            row["entities"] = entities.get(claim_id, [])
            row["evidence"] = evidence.get(claim_id, [])
            row["reviews"] = reviews.get(claim_id, [])
            written_lines.append(orjson.dumps(lines.record(lines.CLAIM, row)))
        out.write(b"\n".join(written_lines) + b"\n")
        written += len(chunk)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    _export_relations(out, claims=claims if status else None, usernames=usernames)
    return written


def _superseded(status: list[str]) -> list[int]:
    """The claims an export filtered by ``status`` writes besides those of ``status``: every
    claim they supersede, through the chain (corrections are few: a query per link of the
    longest, each asking of the claims found last only)."""
    extra: set[int] = set()
    frontier = set(
        Claim.objects.filter(status__in=status, supersedes__isnull=False)
        .exclude(supersedes__status__in=status).values_list("supersedes_id", flat=True)
    )
    while frontier:
        extra |= frontier
        found: set[int] = set()
        for chunk in chunks(sorted(frontier)):
            found.update(
                Claim.objects.filter(pk__in=chunk, supersedes__isnull=False)
                .exclude(supersedes__status__in=status).values_list("supersedes_id", flat=True)
            )
        frontier = found - extra
    return sorted(extra)


def _export_spans(out: IO[bytes], *, cited_by_selection: Q | None, usernames: dict[int, str]) -> None:
    """The spans no claim of the export cites (those it cites travel in its evidence);
    ``cited_by_selection``: evidence of the claims written, when the export is filtered. The
    condition is on the evidence's claim, joined: as ``claim_id IN (all claims)``, SQLite
    probed the index once per claim for every span (a 100,000-claim export ran for over
    ten minutes)."""
    cited = Evidence.objects.filter(span_id=OuterRef("pk"))
    if cited_by_selection is not None:
        cited = cited.filter(cited_by_selection)
    spans = (
        Span.objects.order_by("id")
        .exclude(Exists(cited))
        .values("uid", "start", "end", "quote", "prefix", "suffix", "anchor_state", "created_at", "updated_at",
                "created_by_id", *lines.SUGGESTION_FIELDS, source_uid=F("source__uid"),
                source_sha256=F("source__text_sha256"))
    )
    # Closed at once if a write fails: its cursor, not at the interpreter's exit.
    with contextlib.closing(spans.iterator(chunk_size=2000)) as rows:
        for values in rows:
            values["created_by"] = usernames.get(values.pop("created_by_id"))
            values.update(_suggestion(values["anchor_state"], [values.pop(name) for name in lines.SUGGESTION_FIELDS]))
            out.write(orjson.dumps(lines.record(lines.SPAN, {"type": lines.SPAN, **values})) + b"\n")


def _suggestion(state: str, values) -> dict:
    """An orphaned span's re-anchoring suggestion as the line carries it (``SUGGESTION_FIELDS``):
    nothing for a span that has none, or is not orphaned."""
    if state != Span.AnchorState.ORPHANED or values[0] is None:
        return {}
    return dict(zip(lines.SUGGESTION_FIELDS, values))


def _export_sources(out: IO[bytes], *, with_originals: bool, warn, usernames: dict[int, str]) -> None:
    columns = [name for name in lines.SOURCE_FIELDS if name not in ("type", "original", "created_by")]
    sources = Source.objects.order_by("id").values(*columns, "created_by_id", stored_name=F("original"))
    with contextlib.closing(sources.iterator(chunk_size=100)) as rows:
        for values in rows:
            values["created_by"] = usernames.get(values.pop("created_by_id"))
            stored_name = values.pop("stored_name")
            if values["original_sha256"]:
                values["original"] = _original_base64(values, stored_name, warn) if with_originals else None
            else:  # no original: the line says nothing of one
                for name in ("original_sha256", "original_media_type", "original_charset", "original_size"):
                    del values[name]
            out.write(orjson.dumps(lines.record(lines.SOURCE, {"type": lines.SOURCE, **values})) + b"\n")


def _original_base64(values: dict, stored_name: str, warn) -> str | None:
    """The original's bytes, base64-encoded, if the storage holds them unaltered."""
    sha = values["original_sha256"]
    try:
        with default_storage.open(stored_name, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError):  # ValueError: no file name recorded
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != sha:
        if warn is not None:
            problem = "is missing from" if data is None else "does not match its hash in"
            warn(f"The original of source {values['uid']} ({sha}) {problem} the storage: its hash is exported without it.")
        return None
    return base64.b64encode(data).decode("ascii")


def _export_relations(out: IO[bytes], *, claims, usernames: dict[int, str]) -> None:
    """The relations whose two claims were both written (``claims``: those, when filtered)."""
    relations = ClaimRelation.objects.order_by("id")
    if claims is not None:
        written = claims.values("pk")
        relations = relations.filter(from_claim__in=written, to_claim__in=written)
    values = relations.values_list("from_claim__uid", "to_claim__uid", "kind", "note", "created_by_id", "created_at")
    with contextlib.closing(values.iterator(chunk_size=2000)) as rows:
        for from_uid, to_uid, kind, note, created_by, created_at in rows:
            out.write(orjson.dumps(lines.record(lines.RELATION, {
                "type": lines.RELATION, "from_claim": from_uid, "to_claim": to_uid, "kind": kind, "note": note,
                "created_by": usernames.get(created_by), "created_at": created_at,
            })) + b"\n")
