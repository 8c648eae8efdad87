"""Writing claims out as JSON Lines that ``import_claims`` reads back."""

from __future__ import annotations

import datetime as dt
from typing import IO

import orjson
from django.contrib.auth import get_user_model

from sources.models import Source, Span
from sources.services import SOURCE_FIELDS

from ..models import Claim, Entity, Evidence, Review


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_claims(
    out: IO[bytes], *, with_sources: bool = False, status: list[str] | None = None,
    chunk_size: int = 2000, progress=None,
) -> int:
    """Write claims as JSON Lines, oldest first, in chunks of ``chunk_size`` (keyset on id,
    a constant number of queries per chunk). With ``with_sources``, every source and entity
    comes first, so that the file loads into an empty database. Returns the claim count."""
    if with_sources:
        for source in Source.objects.order_by("id").iterator(chunk_size=100):
            record = {"type": "source", "text": source.text}
            for name in SOURCE_FIELDS:
                value = getattr(source, name)
                record[name] = _iso(value) if isinstance(value, (dt.date, dt.datetime)) else value
            out.write(orjson.dumps(record) + b"\n")
        for entity in Entity.objects.order_by("id").values("slug", "name", "kind", "wikidata_id", "aliases"):
            out.write(orjson.dumps({"type": "entity", **entity}) + b"\n")
    claims = Claim.objects.order_by("id")
    if status:
        claims = claims.filter(status__in=status)
    bar = progress(claims.count()) if progress else None
    usernames = dict(get_user_model().objects.values_list("id", "username"))
    last_id = 0
    written = 0
    while True:
        chunk = list(
            claims.filter(id__gt=last_id).values(
                "id", "author_id", "text", "status", "verdict", "confidence", "reviewer_id",
                "period_start", "period_end", "notes", "version", "created_at", "updated_at",
                "submitted_at", "published_at",
            )[:chunk_size]
        )
        if not chunk:
            break
        ids = [row["id"] for row in chunk]
        last_id = ids[-1]
        evidence: dict[int, list] = {}
        for row in (
            Evidence.objects.filter(claim_id__in=ids).order_by("claim_id", "id").values_list(
                "claim_id", "stance", "note", "span__start", "span__end", "span__quote",
                "span__prefix", "span__suffix", "span__anchor_state", "span__source__text_sha256",
            )
        ):
            claim_id, stance, note, start, end, quote, prefix, suffix, state, sha = row
            item = {"source_sha256": sha, "start": start, "end": end, "quote": quote, "stance": stance}
            if note:
                item["note"] = note
            if state == Span.AnchorState.ORPHANED:
                item.update(anchor_state=state, prefix=prefix, suffix=suffix)
            evidence.setdefault(claim_id, []).append(item)
        entities: dict[int, list] = {}
        for claim_id, slug in (
            Claim.entities.through.objects.filter(claim_id__in=ids)
            .order_by("claim_id", "entity__slug").values_list("claim_id", "entity__slug")
        ):
            entities.setdefault(claim_id, []).append(slug)
        reviews: dict[int, list] = {}
        for claim_id, actor_id, action, from_status, to_status, comment, created_at in (
            Review.objects.filter(claim_id__in=ids).order_by("claim_id", "created_at", "id").values_list(
                "claim_id", "actor_id", "action", "from_status", "to_status", "comment", "created_at"
            )
        ):
            reviews.setdefault(claim_id, []).append({
                "actor": usernames.get(actor_id), "action": action, "from_status": from_status,
                "to_status": to_status, "comment": comment, "created_at": _iso(created_at),
            })
        lines = []
        for row in chunk:
            claim_id = row.pop("id")
            record = {
                "author": usernames.get(row.pop("author_id")),
                "text": row.pop("text"),
                "status": row.pop("status"),
                "verdict": row.pop("verdict"),
                "confidence": row.pop("confidence"),
                "reviewer": usernames.get(row.pop("reviewer_id")),
            }
            for name, value in row.items():
                record[name] = _iso(value) if isinstance(value, (dt.date, dt.datetime)) else value
            record["entities"] = entities.get(claim_id, [])
            record["evidence"] = evidence.get(claim_id, [])
            record["reviews"] = reviews.get(claim_id, [])
            lines.append(orjson.dumps(record))
        out.write(b"\n".join(lines) + b"\n")
        written += len(chunk)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return written