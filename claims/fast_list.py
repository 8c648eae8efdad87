"""The claim list's JSON, built straight from rows: the same bytes as ``ClaimSerializer``.

The list page is the API's hottest answer. Through DRF, 50 claims with their evidence,
spans, sources and entities become about a thousand field objects called value by value,
and the filter form, the ORM's query compilation and model instances add as much again.
Here the same rows are read as tuples, laid out in the serializer's field order with its
conventions (datetimes in the current time zone with ``Z`` for UTC, an empty confidence as
null) and encoded by orjson as DRF's ``JSONRenderer`` encodes (compact, UTF-8, U+2028 and
U+2029 escaped). Two ways to the page's claims:

- the default list (no parameters but ``status``, ``verdict``, ``confidence``, ``cursor``,
  ``page_size``; the newest first): one hand-written keyset query, the same rows the
  pagination would select;
- any other filter or ordering: the view's own ``filter_queryset`` and
  ``project.pagination.KeysetPagination`` over ``values_list`` rows.

Either way, evidence (with span and source summary) and entities come from one query each,
so a page costs three queries whatever its size. Cursors, ``next`` and ``previous`` are the
pagination's own (its ``Cursor``, ``_decode`` and links), so pages interleave freely with the
general path. ``tests/api/test_fast_list.py`` proves the bytes identical to the
serializer's, page by page, in both directions, for every filter: a field added to
``ClaimSerializer`` and not here fails a test instead of drifting.
"""

from __future__ import annotations

import datetime as dt
import re

import orjson
from django.db import connections, router
from django.db.models import F, QuerySet
from django.utils import timezone


from . import search
from .filters import ClaimFilter
from .models import Claim
from .selectors import PUBLIC_STATUSES, name_visible_supersedes, sees_all_claims, visible_claims


class _ReadConnection:
    """The connection the router picks for reads of claims (a replica, when configured),
    looked up at each use: the raw queries below go where the ORM's reads go."""

    def __getattr__(self, name):
        return getattr(connections[router.db_for_read(Claim)], name)


connection = _ReadConnection()

# ``pk`` and ``id`` both: the pagination reads ``row.pk`` and ``getattr(row, key)``, and the
# key may be ``id``. The raw query returns the same layout.
CLAIM_COLUMNS = (
    "pk", "id", "text", "status", "verdict", "confidence", "period_start", "period_end",
    "author_username", "reviewer_username", "version", "needs_attention", "supersedes_id",
    "created_at", "updated_at", "submitted_at", "published_at",
)
CREATED_AT = CLAIM_COLUMNS.index("created_at")
DEFAULT_ORDERING = "-created_at"
# Exact-match filters of ``ClaimFilter`` the default list also answers, with the values its
# ChoiceFilters accept (read from them): any other value, or an empty one, goes to the
# filter's own reading.
CHOICE_FILTERS = {
    name: frozenset(str(value) for value, _ in ClaimFilter.base_filters[name].extra["choices"]) - {""}
    for name in ("verdict", "confidence")
}
SIMPLE_PARAMETERS = frozenset({"status", "cursor", "page_size", *CHOICE_FILTERS})
SEARCH_PARAMETERS = frozenset({"status", "page_size", "q"})
Q_MAX_LENGTH = 500  # the filter's max_length
SEARCH_CHUNK = 256  # SQLite: index matches read per step
ALL_STATUSES = tuple(Claim.Status.values)

_CLAIMS_WHERE = """
SELECT c.id, c.id, c.text, c.status, c.verdict, c.confidence, {period_start}, {period_end},
       a.username, r.username, c.version, c.needs_attention, c.supersedes_id,
       {created_at}, {updated_at}, {submitted_at}, {published_at}
FROM claims_claim c
JOIN auth_user a ON a.id = c.author_id
LEFT JOIN auth_user r ON r.id = c.reviewer_id
WHERE {where}
"""
_CLAIMS_SQL = _CLAIMS_WHERE + "ORDER BY c.created_at {direction}, c.id {direction}\nLIMIT %s\n"
# The claim's dates, then its datetimes.
_DATE_COLUMNS = ("period_start", "period_end", "created_at", "updated_at", "submitted_at", "published_at")


def _claims_sql(template: str, **parts: str) -> str:
    """The claim query for this database, its dates and datetimes read as text: they go to
    the JSON with a string operation (``_datetime``'s quick case) instead of a parse and a
    format per value. SQLite keeps them as ISO text already (CAST drops the declared type
    that the driver's converters key on); PostgreSQL writes its datetimes as SQLite stores
    them, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC."""
    if connection.vendor == "sqlite":
        columns = {name: f"CAST(c.{name} AS TEXT)" for name in _DATE_COLUMNS}
    else:
        columns = {name: f"c.{name}" for name in _DATE_COLUMNS[:2]} | {
            name: f"to_char(c.{name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')" for name in _DATE_COLUMNS[2:]
        }
    return template.format(**columns, **parts)
_EVIDENCE_SQL = """
SELECT e.claim_id, e.id, e.stance, s.id, s.start, s."end", s.quote, s.anchor_state,
       so.id, so.title, so.publisher, so.url, so.reliability
FROM claims_evidence e
JOIN sources_span s ON s.id = e.span_id
JOIN sources_source so ON so.id = s.source_id
WHERE e.claim_id IN ({ids})
ORDER BY e.id
"""
# The serializer's entities are prefetched ordered by name, then id.
_ENTITIES_SQL = """
SELECT ce.claim_id, en.id, en.slug, en.name, en.kind
FROM claims_claim_entities ce
JOIN claims_entity en ON en.id = ce.entity_id
WHERE ce.claim_id IN ({ids})
ORDER BY en.name, en.id
"""


# ---------------------------------------------------------------------------------------------
# Values as DRF writes them


def _aware(value) -> dt.datetime | None:
    """A datetime as the ORM returns it. Raw rows hold naive UTC (text, as ``_claims_sql``
    reads it, or on SQLite a naive datetime where the driver's declared-type converters
    apply)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _datetime(value, zone) -> str | None:
    """DRF's DateTimeField: the current time zone, ISO 8601, "Z" for UTC. ``zone`` None
    means UTC, the common case, done without time zone arithmetic (200 values a page)."""
    if value is None:
        return None
    if zone is None and isinstance(value, str) and len(value) in (19, 26) and value[10] == " ":
        # "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC (Django's SQLite text, or ``_claims_sql``'s
        # on PostgreSQL); isoformat leaves out zero microseconds.
        text = value[:10] + "T" + value[11:]
        return (text[:-7] if text.endswith(".000000") else text) + "Z"
    if zone is None:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat() + "Z"
    text = timezone.localtime(_aware(value), zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def current_zone():
    """The current time zone, or None for UTC: ``_datetime``'s quick case."""
    zone = timezone.get_current_timezone()
    if timezone.localtime(timezone.now(), zone).utcoffset() == dt.timedelta(0) and getattr(zone, "key", "") in ("UTC", "Etc/UTC"):
        return None
    return zone


def _date(value) -> str | None:
    if value is None or isinstance(value, str):
        return value  # SQLite keeps dates as ISO text already
    return value.isoformat()


_LINE_SEPARATORS = re.compile(b"\xe2\x80[\xa8\xa9]")  # U+2028, U+2029 in UTF-8
_LAST_BYTES = (0xA8, 0xA9)  # their last bytes, also found in "è", "é" and others
_FEW = 16  # last bytes looked at one by one before one regular-expression pass instead


def _has_line_separator(content: bytes) -> bool:
    """Whether the UTF-8 ``content`` holds U+2028 or U+2029. A page usually has none of
    their last bytes, which ``find`` rules out at memory speed; a page with a few is checked
    at each; one with many (a French source's "é") takes one regular-expression pass."""
    seen = 0
    for last in _LAST_BYTES:
        at = content.find(last)
        while at != -1:
            seen += 1
            if seen > _FEW:
                return _LINE_SEPARATORS.search(content) is not None
            if content[at - 2:at] == b"\xe2\x80":
                return True
            at = content.find(last, at + 1)
    return False


def render(data) -> bytes:
    """DRF's ``JSONRenderer`` output (compact, UTF-8, U+2028 and U+2029 escaped), by orjson."""
    content = orjson.dumps(data)
    if _has_line_separator(content):
        content = content.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
    return content


# ---------------------------------------------------------------------------------------------
# The page's claims


def claim_rows(claims: QuerySet[Claim], columns: tuple[str, ...] = CLAIM_COLUMNS) -> QuerySet:
    """The claim columns the list shows (or ``columns``), as named tuples that the
    pagination can page."""
    return claims.annotate(
        author_username=F("author__username"), reviewer_username=F("reviewer__username")
    ).values_list(*columns, named=True)


def _simple_statuses(request, allowed=SIMPLE_PARAMETERS) -> tuple[str, ...] | None:
    """The statuses of the default list for this request, or None when the request needs
    the general path (another parameter, another ordering, an unusual status, verdict or
    confidence value)."""
    params = request.query_params
    if not set(params).issubset(allowed) or any(len(params.getlist(name)) > 1 for name in params):
        return None
    if any(name in params and params[name] not in CHOICE_FILTERS[name] for name in CHOICE_FILTERS):
        return None  # as for the status below
    sees_all = sees_all_claims(request.user)
    visible = ALL_STATUSES if sees_all else PUBLIC_STATUSES
    status = params.get("status")
    if status is None:
        return ALL_STATUSES if sees_all else tuple(visible)
    if status not in ALL_STATUSES:
        return None  # the filter's own 400 (or its reading of "") comes from the general path
    return (status,) if status in visible else ()


def _row_key(row) -> tuple:
    """A claim row's place in the default ordering: (created_at, id)."""
    return _aware(row[CREATED_AT]), row[0]


def _simple_page(request, paginator, statuses: tuple[str, ...]) -> list:
    """What ``KeysetPagination.paginate_queryset`` selects for the default ordering, with
    one prepared statement; sets the paginator's cursors as it would."""
    size = paginator._page_size(request)
    paginator.request = request
    paginator.ordering = DEFAULT_ORDERING
    cursor = paginator._decode(request, DEFAULT_ORDERING, Claim._meta.get_field("created_at"))
    reverse = bool(cursor and cursor.reverse)
    descending = not reverse
    rows: list = []
    if statuses:
        conditions: list[str] = []
        params: list = []
        if statuses != ALL_STATUSES:  # every status is every claim (a CHECK constraint holds it)
            conditions.append(f"c.status IN ({', '.join(['%s'] * len(statuses))})")
            params += statuses
        for name in CHOICE_FILTERS:  # values checked by _simple_statuses
            if name in request.query_params:
                conditions.append(f"c.{name} = %s")
                params.append(request.query_params[name])
        if cursor is not None:
            # Strictly after (created_at, id) in the walking direction (created_at is NOT NULL).
            # The redundant bound on created_at alone is what lets SQLite and PostgreSQL start
            # the index scan at the cursor: without it, they walk from the first row, and the
            # page after 900,000 claims costs a scan of 900,000 index entries.
            before, strictly = ("<=", "<") if descending else (">=", ">")
            conditions.append(
                f"c.created_at {before} %s AND (c.created_at {strictly} %s OR (c.created_at = %s AND c.id {strictly} %s))"
            )
            value = connection.ops.adapt_datetimefield_value(cursor.value)
            params += [value, value, value, cursor.pk]
        sql = _claims_sql(
            _CLAIMS_SQL, where=" AND ".join(conditions) or "1 = 1", direction="DESC" if descending else "ASC"
        )
        with connection.cursor() as db:
            db.execute(sql, params + [size + 1])
            rows = db.fetchall()
    rows = paginator.finish_page(rows, size=size, cursor=cursor, key=_row_key)
    return rows


def _search_expression(request) -> str | None:
    """What ``claims.search`` would run for the request's ``q`` (an FTS5 expression on
    SQLite, the web-search query on PostgreSQL), or None when the request is not a first
    page of search results that this path answers."""
    if connection.vendor not in ("sqlite", "postgresql"):
        return None
    raw = request.query_params.get("q")
    if raw is None or "\x00" in raw or len(raw) > Q_MAX_LENGTH:
        return None
    query = search.normalised_query(raw)
    if not query:
        return None
    parsed = search.parse_query(query)
    if not parsed.groups:
        return None  # matches nothing, or exclusions only: the general path
    if connection.vendor == "postgresql":
        return query  # websearch_to_tsquery reads it, as in claims.search._search_postgresql
    return search.sqlite_expression(parsed)  # as ``claims.search._search_sqlite`` builds it


def _search_page(request, paginator, statuses: tuple[str, ...], expression: str) -> list:
    """The first page of ``q`` results, newest first, the rows the general path selects.

    The general path joins every match to its claim and sorts them all: a word found in a
    hundred thousand claims costs a hundred thousand row reads. Each engine's function
    below finds the same page without that.
    """
    size = paginator._page_size(request)
    paginator.request = request
    paginator.ordering = DEFAULT_ORDERING
    need = size + 1
    rows: list = []
    if statuses and connection.vendor == "postgresql":
        rows = _search_rows_postgresql(statuses, expression, need)
    elif statuses:
        rows = _search_rows_sqlite(statuses, expression, need)
    return paginator.finish_page(rows, size=size, cursor=None, key=_row_key)


def _search_rows_postgresql(statuses: tuple[str, ...], query: str, need: int) -> list:
    """PostgreSQL: a query with few matches reads them all and sorts them (the planner,
    misjudging a rare word, would walk the whole creation-time index instead: a second per
    query at a million claims); one with many walks the creation-time index and keeps the
    matching claims, which finds a page after a few hundred rows.

    Unless the planner's statistics say the query is common (``search.surely_common``), one
    statement reads at most ``search.FEW_MATCHES + 1`` matches, counts them and selects the
    page among them; past that count, the page comes from the walk."""
    status_sql = "" if statuses == ALL_STATUSES else f" AND c.status IN ({', '.join(['%s'] * len(statuses))})"
    status_params = [] if statuses == ALL_STATUSES else list(statuses)
    with connection.cursor() as db:
        if not search.surely_common(db, query):
            # The page's ids are selected among the matches only when they are few (a
            # condition without a column: PostgreSQL decides it once, before reading any
            # claim), by the status and creation time their search rows carry (migration
            # 0014: no look-up of each matching claim); only the page's claims are read,
            # with their authors and reviewers.
            few = (
                "c.id IN (SELECT m.claim_id FROM matches m WHERE (SELECT count(*) FROM matches) <= %s"
                + status_sql.replace("c.status", "m.status")
                + " ORDER BY m.created_at DESC, m.claim_id DESC LIMIT %s)"
            )
            page = _claims_sql(_CLAIMS_SQL, where=few, direction="DESC")
            matches, match_params = search.postgresql_matches(db, query, search.MATCHES_WITH_STATE)
            db.execute(
                f"WITH matches AS MATERIALIZED ({matches} LIMIT %s) "
                f"SELECT (SELECT count(*) FROM matches), page.* FROM (SELECT 1) AS one "
                f"LEFT JOIN LATERAL ({page}) AS page ON true",
                [*match_params, search.FEW_MATCHES + 1, search.FEW_MATCHES, *status_params, need, need],
            )
            rows = db.fetchall()
            if rows[0][0] <= search.FEW_MATCHES:
                return [row[1:] for row in rows if row[1] is not None]
        matches, match_params = search.postgresql_matches(db, query)
        db.execute(
            _claims_sql(_CLAIMS_SQL, where=f"c.id IN ({matches})" + status_sql, direction="DESC"),
            [*match_params, *status_params, need],
        )
        return db.fetchall()


def _search_rows_sqlite(statuses: tuple[str, ...], expression: str, need: int) -> list:
    """SQLite: the FTS5 index yields its matches by descending claim id, which follows
    creation order, in chunks, until a page of visible claims is found; they are sorted by
    (created_at, id), as the list. One check keeps it exact whatever the ids: a match not
    yet read has an id below the smallest read, so it belongs on the page only if it is at
    least as new as the page's last claim; the claims that are (in creation order, none)
    are looked up and tested against the index."""
    status_sql = "" if statuses == ALL_STATUSES else f" AND c.status IN ({', '.join(['%s'] * len(statuses))})"
    status_params = [] if statuses == ALL_STATUSES else list(statuses)
    candidates: dict[int, tuple] = {}
    lowest = None
    exhausted = False
    with connection.cursor() as db:
        while len(candidates) < need:
            bound = "" if lowest is None else " AND rowid < %s"
            db.execute(
                f"SELECT rowid FROM claims_claim_fts WHERE claims_claim_fts MATCH %s{bound} ORDER BY rowid DESC LIMIT %s",
                [expression] + ([] if lowest is None else [lowest]) + [SEARCH_CHUNK],
            )
            ids = [row[0] for row in db.fetchall()]
            if ids:
                lowest = ids[-1]
                db.execute(
                    _claims_sql(_CLAIMS_WHERE, where=f"c.id IN ({', '.join(['%s'] * len(ids))}){status_sql}"),
                    ids + status_params,
                )
                candidates.update((row[0], row) for row in db.fetchall())
            if len(ids) < SEARCH_CHUNK:
                exhausted = True
                break
        rows = sorted(candidates.values(), key=_row_key, reverse=True)[:need]
        if not exhausted and len(rows) == need:
            last = rows[-1]
            value = connection.ops.adapt_datetimefield_value(_aware(last[CREATED_AT]))
            db.execute(
                f"SELECT c.id FROM claims_claim c WHERE c.created_at >= %s AND c.id < %s{status_sql}",
                [value, lowest] + status_params,
            )
            unread = [row[0] for row in db.fetchall()]
            if unread:
                db.execute(
                    "SELECT rowid FROM claims_claim_fts WHERE claims_claim_fts MATCH %s "
                    f"AND rowid IN ({', '.join(['%s'] * len(unread))})",
                    [expression] + unread,
                )
                found = [row[0] for row in db.fetchall()]
                if found:
                    db.execute(
                        _claims_sql(_CLAIMS_WHERE, where=f"c.id IN ({', '.join(['%s'] * len(found))})"), found
                    )
                    candidates.update((row[0], row) for row in db.fetchall())
                    rows = sorted(candidates.values(), key=_row_key, reverse=True)[:need]
    return rows


# ---------------------------------------------------------------------------------------------
# Nesting


def evidence_summary(evidence_id, stance, span_id, start, end, quote, anchor_state, source_id, title, publisher,
                     url, reliability) -> dict:
    """One evidence item as ``EvidenceSummarySerializer`` writes it: the stance, and the
    span with its source's summary (the columns of ``_EVIDENCE_SQL`` after the claim's id)."""
    return {
        "id": evidence_id,
        "stance": stance,
        "span": {
            "id": span_id,
            "start": start,
            "end": end,
            "quote": quote,
            "anchor_state": anchor_state,
            "source": {"id": source_id, "title": title, "publisher": publisher, "url": url, "reliability": reliability},
        },
    }


def claims_payload(rows: list) -> list[dict]:
    """The ``results`` of a list page for these claim rows (``CLAIM_COLUMNS``), in order."""
    ids = [row[0] for row in rows]
    evidence: dict[int, list] = {}
    entities: dict[int, list] = {}
    if ids:
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as db:
            db.execute(_EVIDENCE_SQL.format(ids=marks), ids)
            for claim_id, *item in db.fetchall():
                evidence.setdefault(claim_id, []).append(evidence_summary(*item))
            db.execute(_ENTITIES_SQL.format(ids=marks), ids)
            for claim_id, entity_id, slug, name, kind in db.fetchall():
                entities.setdefault(claim_id, []).append({"id": entity_id, "slug": slug, "name": name, "kind": kind})
    zone = current_zone()
    return [
        {
            "id": claim_id,
            "text": text,
            "status": status,
            "verdict": verdict,
            "confidence": confidence or None,
            "period_start": _date(period_start),
            "period_end": _date(period_end),
            "author": author,
            "reviewer": reviewer,
            "version": version,
            "needs_attention": bool(needs_attention),
            "supersedes": supersedes_id,
            "created_at": _datetime(created_at, zone),
            "updated_at": _datetime(updated_at, zone),
            "submitted_at": _datetime(submitted_at, zone),
            "published_at": _datetime(published_at, zone),
            "entities": entities.get(claim_id, []),
            "evidence": evidence.get(claim_id, []),
        }
        for (claim_id, _, text, status, verdict, confidence, period_start, period_end, author, reviewer,
             version, needs_attention, supersedes_id, created_at, updated_at, submitted_at, published_at) in rows
    ]


def list_page(request, view) -> bytes:
    """The claim list's body, ``{"next", "previous", "results"}``, for a ``ClaimViewSet``
    request: ``view.filter_queryset`` and ``view.paginator`` decide as they do for DRF."""
    paginator = view.paginator
    statuses = _simple_statuses(request)
    expression = None
    if statuses is None and "q" in request.query_params:
        statuses = _simple_statuses(request, SEARCH_PARAMETERS)
        expression = _search_expression(request) if statuses is not None else None
    if statuses is not None and expression is not None:
        rows = _search_page(request, paginator, statuses, expression)
    elif statuses is not None and "q" not in request.query_params:
        rows = _simple_page(request, paginator, statuses)
    else:
        claims = view.filter_queryset(visible_claims(request.user))
        rows = paginator.paginate_queryset(claim_rows(claims), request, view=view)
    envelope = paginator.links()
    envelope["results"] = claims_payload(rows)
    name_visible_supersedes(request.user, envelope["results"])
    return render(envelope)
