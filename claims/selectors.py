"""Reads of claims: who sees what, the querysets a page needs, the field history.

Visibility: staff (users who may view claims: the roles and superusers) see every claim;
anybody else, logged in or not, sees published and retracted claims and their evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from project.api import sees_everything
from .models import Claim, ClaimContributor, Entity, Evidence, Review

PUBLIC_STATUSES = (Claim.Status.PUBLISHED, Claim.Status.RETRACTED)
# The moderation decisions the public sees; of these, only a retraction's comment (its
# reason) is public: the rest of the log is the reviewers' working conversation.
PUBLIC_REVIEW_ACTIONS = (Review.Action.APPROVE, Review.Action.RETRACT)
PUBLIC_COMMENT_ACTIONS = (Review.Action.RETRACT,)

# What a claim's evidence shows of a span and its source: never the source's text, which
# may be megabytes.
_EVIDENCE_FIELDS = (
    "id", "claim", "stance", "span", "span__id", "span__start", "span__end", "span__quote",
    "span__anchor_state", "span__source", "span__source__id", "span__source__title",
    "span__source__publisher", "span__source__url", "span__source__reliability",
)


def sees_all_claims(user) -> bool:
    return sees_everything(user, "claims", "claim")


def visible_claims(user) -> QuerySet[Claim]:
    claims = Claim.objects.all()
    return claims if sees_all_claims(user) else claims.filter(status__in=PUBLIC_STATUSES)


def hidden_claim_ids(user, ids: Iterable[int | None]) -> set[int]:
    """Of these claim ids, those ``user`` may not see: what a public claim must not name
    (the claim it ``supersedes``, when that one is a draft, in review or rejected: its id
    would tell everybody that hidden work exists and what it corrects). One query, and none
    for staff or when no id is given."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted or sees_all_claims(user):
        return set()
    public = Claim.objects.filter(pk__in=wanted, status__in=PUBLIC_STATUSES).values_list("pk", flat=True)
    return wanted - set(public)


def name_visible_supersedes(user, payloads: list[dict]) -> None:
    """Each claim's ``supersedes`` in these payloads as ``user`` may see it: null when it
    names a claim hidden from them (``hidden_claim_ids``)."""
    hidden = hidden_claim_ids(user, [payload["supersedes"] for payload in payloads])
    for payload in payloads:
        if payload["supersedes"] in hidden:
            payload["supersedes"] = None


def public_correctors(claim_id: int) -> set[int]:
    """The public claims that supersede this one: they show it, or not, as it is public or
    not (``hidden_claim_ids``), so their versions change when it becomes or stops being public."""
    return set(Claim.objects.filter(supersedes_id=claim_id, status__in=PUBLIC_STATUSES).values_list("pk", flat=True))


def review_queue(user) -> QuerySet[Claim]:
    """In-review claims ``user`` may decide: none they contributed to (the four-eyes rule),
    oldest submission first. The API's and the admin's queue both show this."""
    contributed = ClaimContributor.objects.filter(claim=OuterRef("pk"), user_id=user.pk)
    return (
        Claim.objects.filter(status=Claim.Status.IN_REVIEW)
        .exclude(author_id=user.pk)
        .exclude(Exists(contributed))
        .order_by("submitted_at", "id")
    )


def visible_evidence(user, evidence: QuerySet[Evidence] | None = None) -> QuerySet[Evidence]:
    evidence = Evidence.objects.all() if evidence is None else evidence
    return evidence if sees_all_claims(user) else evidence.filter(claim__status__in=PUBLIC_STATUSES)


def public_span_condition() -> Q:
    """Spans cited by a public claim are public too (registered with ``sources.views``)."""
    cited = Evidence.objects.filter(span_id=OuterRef("pk"), claim__status__in=PUBLIC_STATUSES)
    return Q(Exists(cited))


def evidence_with_spans(*, detail: bool = False) -> QuerySet[Evidence]:
    if detail:
        evidence = Evidence.objects.select_related("span__source", "added_by").only(
            *_EVIDENCE_FIELDS, "note", "created_at", "added_by", "added_by__username"
        )
    else:
        evidence = Evidence.objects.select_related("span__source").only(*_EVIDENCE_FIELDS)
    return evidence.order_by("id")


CLAIM_JOINS = ("author", "reviewer")


def claim_prefetches(*, detail: bool = False) -> list[Prefetch]:
    """What a claim's representation reads besides its row and ``CLAIM_JOINS``: its evidence
    with spans and sources, its entities, and in detail its contributors."""
    prefetches = [
        Prefetch("evidence", queryset=evidence_with_spans(detail=detail)),
        Prefetch("entities", queryset=Entity.objects.only("id", "slug", "name", "kind").order_by("name", "id")),
    ]
    if detail:
        contributions = ClaimContributor.objects.select_related("user").order_by("first_contributed_at", "id")
        prefetches.append(Prefetch("contributions", queryset=contributions))
    return prefetches


def with_relations(claims: QuerySet[Claim], *, detail: bool = False) -> QuerySet[Claim]:
    """Everything a claim's representation reads, in a fixed number of queries: one for the
    claims (with author and reviewer), one for their evidence with spans and sources, one
    for their entities, whatever the number of claims."""
    return claims.select_related(*CLAIM_JOINS).prefetch_related(*claim_prefetches(detail=detail))


# ---------------------------------------------------------------------------------------------
# Field history

CLAIM_HISTORY_FIELDS = (
    "text", "verdict", "confidence", "status", "period_start", "period_end", "notes",
    "supersedes", "author", "reviewer", "version", "submitted_at", "published_at",
)
EVIDENCE_HISTORY_FIELDS = ("span", "stance", "note")
# The fields of the history that name a user: shown by username, as the API shows users
# everywhere else (``author``, ``reviewer``, ``user``), not by id.
USER_HISTORY_FIELDS = ("author", "reviewer")
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _value(record, name: str):
    return getattr(record, record._meta.get_field(name).attname)


def _entries(records: Iterable, kind: str, fields: tuple[str, ...]) -> Iterator[tuple[tuple, dict]]:
    previous: dict[int, object] = {}
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        kind_of_change = HISTORY_TYPES.get(record.history_type, "changed")
        if kind_of_change == "deleted":
            changes = []
        elif before is None:
            changes = [
                {"field": name, "old": None, "new": _value(record, name)}
                for name in fields
                if _value(record, name) not in (None, "")
            ]
        else:
            # Compared by hand: simple-history's diff_against skips non-editable fields
            # (version, submitted_at, published_at), which are the workflow's footprints.
            changes = [
                {"field": name, "old": _value(before, name), "new": _value(record, name)}
                for name in fields
                if _value(before, name) != _value(record, name)
            ]
            if not changes:
                continue  # a save that changed nothing tracked
        user = record.history_user
        yield (record.history_date, kind, record.history_id), {
            "object": kind,
            "object_id": record.id,
            "type": kind_of_change,
            "at": record.history_date,
            "user": user.get_username() if user is not None else None,
            "reason": record.history_change_reason or None,
            "changes": changes,
        }


def claim_history(claim: Claim) -> list[dict]:
    """The claim's and its evidence's field history, oldest first: each record compared
    with the one before it for the same object."""
    claim_records = claim.history.select_related("history_user").order_by("history_date", "history_id")
    evidence_records = (
        Evidence.history.filter(claim_id=claim.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = [
        *_entries(claim_records, "claim", CLAIM_HISTORY_FIELDS),
        *_entries(evidence_records, "evidence", EVIDENCE_HISTORY_FIELDS),
    ]
    entries.sort(key=lambda item: item[0])
    return _with_usernames([entry for _, entry in entries])


def _with_usernames(entries: list[dict]) -> list[dict]:
    """``entries`` with the values of ``USER_HISTORY_FIELDS`` as usernames (one query);
    a user since deleted is null."""
    changes = [change for entry in entries for change in entry["changes"] if change["field"] in USER_HISTORY_FIELDS]
    ids = {value for change in changes for value in (change["old"], change["new"]) if value is not None}
    if not ids:
        return entries
    user_model = get_user_model()
    names = dict(user_model.objects.filter(pk__in=ids).values_list("pk", user_model.USERNAME_FIELD))
    for change in changes:
        change["old"], change["new"] = (names.get(value) for value in (change["old"], change["new"]))
    return entries



# ---------------------------------------------------------------------------------------------
# What of a claim's log and history the public sees


def visible_reviews(user, claim: Claim) -> list[Review]:
    """The claim's moderation log, oldest first. Staff see all of it; anybody else sees the
    public decisions only (publish, retract), and a comment only where it is the public
    reason (a retraction's)."""
    reviews = Review.objects.filter(claim=claim).select_related("actor").order_by("created_at", "id")
    if sees_all_claims(user):
        return list(reviews)
    public = list(reviews.filter(action__in=PUBLIC_REVIEW_ACTIONS))
    for review in public:
        if review.action not in PUBLIC_COMMENT_ACTIONS:
            review.comment = ""
    return public


def _public_reason(reason: str | None) -> str | None:
    """A history record's reason as the public may read it: a retraction's with its
    comment, any other as its action alone ("approve: <internal comment>" is "approve")."""
    if not reason:
        return None
    action = reason.split(":", 1)[0]
    return reason if action in PUBLIC_COMMENT_ACTIONS else action


def visible_history(user, claim: Claim) -> list[dict]:
    """The claim's field history. Staff see every record of the claim and its evidence;
    anybody else sees the published versions only (records while the claim was published
    or retracted), each compared with the previous published one: no draft text, no
    internal comment."""
    if sees_all_claims(user):
        return claim_history(claim)
    records = (
        claim.history.filter(status__in=PUBLIC_STATUSES)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = [entry for _, entry in _entries(records, "claim", CLAIM_HISTORY_FIELDS)]
    # A claim it supersedes that the caller may not see is not named (``hidden_claim_ids``);
    # a change that named only such claims is no change to them.
    named = [change for entry in entries for change in entry["changes"] if change["field"] == "supersedes"]
    hidden = hidden_claim_ids(user, [value for change in named for value in (change["old"], change["new"])])
    if hidden:
        for change in named:
            change["old"], change["new"] = (None if value in hidden else value for value in (change["old"], change["new"]))
        for entry in entries:
            entry["changes"] = [change for change in entry["changes"] if change["old"] != change["new"]]
        entries = [entry for entry in entries if entry["changes"] or entry["type"] != "changed"]
    for entry in entries:
        entry["reason"] = _public_reason(entry["reason"])
    return _with_usernames(entries)
