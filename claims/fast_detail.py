"""A claim's detail JSON, built from rows: the same bytes as ``ClaimWithRelationsSerializer``.

The detail is the API's most requested read, and every write of a claim answers with it.
Through DRF, a claim with its evidence, entities, contributors and relations becomes model
instances, prefetch lookups and a few hundred serializer fields. Here the same rows are
read as tuples and laid out in the serializer's field order with ``claims.fast_list``'s
conventions (its date formats and its encoder): an anonymous request takes 40% less time
on PostgreSQL, 60% less on SQLite (``bench/claim_detail.py``).

Who may see what stays where it is decided: the claim is read through the caller's
``visible_claims`` (or, after a write, as the service left it), the relations through
``relation_selectors.relations_of``; the contributors and the editorial checks are shown to
authenticated callers only, as ``ClaimDetailSerializer`` does. ``tests/api/test_fast_detail.py``
proves the bytes identical to the serializer's for every role, so that a field added to
the serializer and not here fails a test instead of drifting.
"""

from __future__ import annotations

from django.db.models import QuerySet

from . import relation_selectors
from .fast_list import _ENTITIES_SQL as _LIST_ENTITIES_SQL
from .fast_list import CLAIM_COLUMNS, _date, _datetime, claim_rows, connection, current_zone, evidence_summary, render
from .models import Claim
from .selectors import name_visible_supersedes

DETAIL_COLUMNS = CLAIM_COLUMNS + ("notes", "check_warnings")

# ``fast_list``'s evidence columns (``evidence_summary``), then the detail's.
_EVIDENCE_SQL = """
SELECT e.id, e.stance, s.id, s.start, s."end", s.quote, s.anchor_state,
       so.id, so.title, so.publisher, so.url, so.reliability, e.note, u.username, e.created_at
FROM claims_evidence e
JOIN sources_span s ON s.id = e.span_id
JOIN sources_source so ON so.id = s.source_id
LEFT JOIN auth_user u ON u.id = e.added_by_id
WHERE e.claim_id = %s
ORDER BY e.id
"""
# The list's entities (by name, then id) of one claim.
_ENTITIES_SQL = _LIST_ENTITIES_SQL.format(ids="%s")
# As ``selectors.claim_prefetches``: in the order they first contributed.
_CONTRIBUTORS_SQL = """
SELECT u.username
FROM claims_claimcontributor cc
JOIN auth_user u ON u.id = cc.user_id
WHERE cc.claim_id = %s
ORDER BY cc.first_contributed_at, cc.id
"""
_RELATION_COLUMNS = ("id", "from_claim_id", "to_claim_id", "kind", "note", "created_by__username", "created_at")


def detail_rows(claims: QuerySet[Claim]) -> QuerySet:
    """The columns of a claim's detail (``DETAIL_COLUMNS``), as named tuples."""
    return claim_rows(claims, DETAIL_COLUMNS)


def payload(row, user) -> dict:
    """The detail of the claim in ``row`` (from ``detail_rows``) as ``user`` sees it."""
    zone = current_zone()
    with connection.cursor() as db:
        db.execute(_EVIDENCE_SQL, [row.id])
        evidence = [
            {**evidence_summary(*item), "note": note, "added_by": added_by, "created_at": _datetime(created_at, zone)}
            for *item, note, added_by, created_at in db.fetchall()
        ]
        db.execute(_ENTITIES_SQL, [row.id])
        entities = [{"id": id_, "slug": slug, "name": name, "kind": kind} for _, id_, slug, name, kind in db.fetchall()]
        contributors = None
        if user.is_authenticated:
            db.execute(_CONTRIBUTORS_SQL, [row.id])
            contributors = [row.author_username]
            contributors += [name for (name,) in db.fetchall() if name != row.author_username]
    data = {
        "id": row.id,
        "text": row.text,
        "status": row.status,
        "verdict": row.verdict,
        "confidence": row.confidence or None,
        "period_start": _date(row.period_start),
        "period_end": _date(row.period_end),
        "author": row.author_username,
        "reviewer": row.reviewer_username,
        "version": row.version,
        "needs_attention": bool(row.needs_attention),
        "supersedes": row.supersedes_id,
        "created_at": _datetime(row.created_at, zone),
        "updated_at": _datetime(row.updated_at, zone),
        "submitted_at": _datetime(row.submitted_at, zone),
        "published_at": _datetime(row.published_at, zone),
        "entities": entities,
        "evidence": evidence,
        "notes": row.notes,
    }
    name_visible_supersedes(user, [data])
    if contributors is not None:
        data["contributors"] = contributors
        data["checks"] = [{"code": warning["code"], "message": str(warning["message"])} for warning in row.check_warnings]
    data["relations"] = [
        {
            "id": relation_id,
            "from_claim": from_claim,
            "to_claim": to_claim,
            "kind": kind,
            "note": note,
            "created_by": created_by,
            "created_at": _datetime(created_at, zone),
        }
        for relation_id, from_claim, to_claim, kind, note, created_by, created_at in (
            relation_selectors.relations_of(row.id, user).values_list(*_RELATION_COLUMNS)
        )
    ]
    return data


def detail(row, user) -> bytes:
    """The detail's JSON, as DRF's ``JSONRenderer`` writes it."""
    return render(payload(row, user))
