"""Similar claims: the existing claims most likely to state the fact a text states.

Two stages, both on what the project already has:

1. Candidates, from the full-text index of ``claims/search.py`` (FTS5 on SQLite, the
   tsvector table on PostgreSQL) and the entity links. The text's content words become term
   groups (a word with its synonyms, a number in digits and in words); each group is looked
   up on its own, reading at most ``COMMON_MATCHES + 1`` matches, and so is each entity the
   text names (by its links: claims about it are tagged with it). A group or entity with
   fewer matches is selective: its claims get its inverse document frequency as votes.
   Common ones (a word in a tenth of all claims) give no votes; when a text has fewer than
   two selective groups, the claims holding both of its two rarest groups are looked up
   too. The ``CANDIDATES`` claims with the most votes go on. Every lookup reads a bounded
   number of index entries, whatever the size of the database (a conjunction of common
   words would read their whole lists of matches, and is never asked for). A caller who may
   not see every claim is looked up among the claims they may see (``visible_statuses``,
   passed into each lookup): a hidden claim never takes a visible one's place or its votes.
2. Reranking, in Python (``claims/similarity.py``): each candidate's canonical form is
   compared with the text's (rapidfuzz token measures, set overlap; numbers, entities and
   negation must agree).

No model, nothing downloaded: the stemmer, the number parser and rapidfuzz are libraries.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Max, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Claim, Entity
from .search import SEARCH_CONFIG, _fts5_string
from .selectors import PUBLIC_STATUSES, sees_all_claims, visible_claims
from .similarity import SYNONYMS_OF, EntityMatcher, Form, analyse, idf, score_if_at_least

DEFAULT_LIMIT = 10
MAX_LIMIT = 50
TEXT_MAX_LENGTH = 1000
# A score from which two claims likely state the same fact (find_duplicates' default).
LIKELY_DUPLICATE = 0.6
# A term group with more matches than this gives no votes (it is in too many claims to tell
# them apart); its lookups read at most one more. Each match read costs a visit to the
# document table on PostgreSQL (a GIN index has no index-only scans): fewer there.
COMMON_MATCHES = {"sqlite": 1000, "postgresql": 300}
CANDIDATES = 60
# A lookup among the claims of some statuses reads at most this many times its limit of
# matches (so three hidden claims for each visible one): bounded however many hidden claims
# hold a word. Past that, the visible claims found so far are its matches.
SCANNED_PER_MATCH = 4
MAX_GROUPS = 16
ENTITY_CACHE_SECONDS = 60

SMALL_NUMBERS = {
    str(value): word
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {str(10 * tens): word for tens, word in zip(range(3, 10), "thirty forty fifty sixty seventy eighty ninety".split())}


@dataclass(frozen=True)
class SimilarClaim:
    claim: dict  # id, text, status, verdict, confidence
    score: float


# ---------------------------------------------------------------------------------------------
# Entities: one matcher per process, rebuilt when the entities change


_matcher_lock = threading.Lock()
_matchers: dict[str, tuple[tuple, float, float, EntityMatcher, dict[int, list[str]]]] = {}
# How often a process asks whether another one changed the entities (a count and a max).
ENTITY_CHECK_SECONDS = 5


def entity_matcher(using: str = DEFAULT_DB_ALIAS) -> tuple[EntityMatcher, dict[int, list[str]]]:
    """The matcher of every entity's name and aliases, and each entity's names. Rebuilt when
    an entity is added or removed (checked every ``ENTITY_CHECK_SECONDS``), when one is saved
    in this process, and at least every ``ENTITY_CACHE_SECONDS``."""
    now = time.monotonic()
    with _matcher_lock:
        cached = _matchers.get(using)
    if cached and now - cached[2] < ENTITY_CHECK_SECONDS and now - cached[1] < ENTITY_CACHE_SECONDS:
        return cached[3], cached[4]
    state = Entity.objects.using(using).aggregate(count=Count("id"), last=Max("id"))
    key = (state["count"], state["last"])
    if cached and cached[0] == key and now - cached[1] < ENTITY_CACHE_SECONDS:
        with _matcher_lock:
            _matchers[using] = (key, cached[1], now, cached[3], cached[4])
        return cached[3], cached[4]
    rows = list(Entity.objects.using(using).values_list("id", "name", "aliases"))
    names = {pk: [name, *[a for a in (aliases or []) if isinstance(a, str)]] for pk, name, aliases in rows}
    matcher = EntityMatcher([(pk, name, aliases or []) for pk, name, aliases in rows])
    with _matcher_lock:
        _matchers[using] = (key, now, now, matcher, names)
    return matcher, names


@receiver([post_save, post_delete], sender=Entity)
def _entities_changed(sender, **kwargs) -> None:
    with _matcher_lock:
        _matchers.clear()


# ---------------------------------------------------------------------------------------------
# Stage 1: candidates


def term_groups(form: Form, entity_names: dict[int, list[str]]) -> list[list[str]]:
    """The full-text term groups of a text's form, each a list of alternatives: a word and
    its synonyms, a number in digits and in words. Entities are looked up by their links."""
    groups: dict[tuple, list[str]] = {}
    for word in form.words:
        if word.isdigit():
            terms = [word] + ([SMALL_NUMBERS[word]] if word in SMALL_NUMBERS else [])
        else:
            terms = list(dict.fromkeys([word, *SYNONYMS_OF.get(word, ())]))
        groups.setdefault(tuple(sorted(terms)), terms)
    return list(groups.values())[:MAX_GROUPS]


def visible_statuses(user) -> tuple[str, ...] | None:
    """The statuses of the claims ``user`` may see, as ``visible_claims`` says (None: every
    status): what the index lookups are restricted to, so that the candidates are the best
    of the visible claims, and what a caller is answered does not depend on how many hidden
    claims match."""
    return None if sees_all_claims(user) else tuple(PUBLIC_STATUSES)


class _Index:
    """Bounded lookups in the full-text index of one database, among the claims in
    ``statuses`` (None: all)."""

    def __init__(self, using: str, statuses: Sequence[str] | None = None):
        self.connection = connections[using]
        self.vendor = self.connection.vendor
        self.statuses = None if statuses is None else tuple(statuses)
        # With a limit, PostgreSQL's planner scans the documents for a common word (stopping
        # at the limit) and looks a rare one up in the GIN index: both cost little.
        self.common = COMMON_MATCHES.get(self.vendor, 1000)

    def total(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT max(id) FROM claims_claim")
            return cursor.fetchone()[0] or 0

    def _sqlite_group(self, terms: list[str]) -> str:
        return "(" + " OR ".join(_fts5_string(term) for term in terms) + ")"

    def _postgresql_group(self, terms: list[str]) -> tuple[str, list]:
        sql = " || ".join("websearch_to_tsquery(%s::regconfig, %s)" for _ in terms)
        params = []
        for term in terms:
            params += [SEARCH_CONFIG, '"' + term.replace('"', " ") + '"']
        return "(" + sql + ")", params

    def _matching(self, groups: list[list[str]]) -> tuple[str, list]:
        """The query of the claims (``id``) matching every group; on PostgreSQL with the
        ``status`` its search row copies from the claim."""
        if self.vendor == "sqlite":
            expression = " AND ".join(self._sqlite_group(terms) for terms in groups)
            return "SELECT rowid AS id FROM claims_claim_fts WHERE claims_claim_fts MATCH %s", [expression]
        parts = [self._postgresql_group(terms) for terms in groups]
        query = " && ".join(sql for sql, _ in parts)
        params = [value for _, values in parts for value in values]
        return f"SELECT claim_id AS id, status FROM claims_claim_search WHERE document @@ ({query})", params

    def _tagged(self, entity_id: int) -> tuple[str, list]:
        """The query of the claims (``id``) tagged with the entity."""
        return "SELECT claim_id AS id FROM claims_claim_entities WHERE entity_id = %s", [entity_id]

    def _bounded(self, query: str, params: list, limit: int, *, with_status: bool) -> tuple[str, list]:
        """``query`` (of ``id``, and ``status`` when ``with_status``) cut at ``limit`` claims
        in ``statuses``, read from at most ``SCANNED_PER_MATCH`` x ``limit`` of its rows. A
        status the query lacks is read from the claim, by its primary key."""
        if self.statuses is None:
            return f"{query} LIMIT %s", [*params, limit]
        join, status = ("", "found.status") if with_status else (self._claim_join(), "c.status")
        placeholders = ", ".join(["%s"] * len(self.statuses))
        return (
            f"SELECT found.id FROM ({query} LIMIT %s) AS found{join} WHERE {status} IN ({placeholders}) LIMIT %s",
            [*params, SCANNED_PER_MATCH * limit, *self.statuses, limit],
        )

    def _claim_join(self) -> str:
        """The join of each row of ``found`` to its claim ``c``. On SQLite a CROSS JOIN: the
        rows stay the outer loop, read as they come, where a plain JOIN reads them all into
        a table first."""
        keyword = "CROSS JOIN" if self.vendor == "sqlite" else "JOIN"
        return f" {keyword} claims_claim AS c ON c.id = found.id"

    def _bounded_matches(self, groups: list[list[str]], limit: int) -> tuple[str, list]:
        return self._bounded(*self._matching(groups), limit, with_status=self.vendor != "sqlite")

    def _bounded_tagged(self, entity_id: int, limit: int) -> tuple[str, list]:
        return self._bounded(*self._tagged(entity_id), limit, with_status=False)

    def matches(self, groups: list[list[str]], limit: int) -> list[int]:
        """Claims matching every group (one group: any of its terms), at most ``limit``."""
        with self.connection.cursor() as cursor:
            cursor.execute(*self._bounded_matches(groups, limit))
            return [row[0] for row in cursor.fetchall()]

    def survey(self, groups: list[list[str]], entity_ids: list[int], limit: int, *,
               with_total: bool = True) -> tuple[int, list[list[int]], dict[int, list[int]]]:
        """The largest claim id (0 without ``with_total``); for each group, the claims
        matching it; for each entity, the claims tagged with it: each list at most ``limit``
        long. On PostgreSQL in one statement (one round trip; each lookup its own bounded
        read); SQLite, in process, answers separate statements faster than their UNION ALL."""
        if self.vendor == "sqlite":
            found = [self.matches([terms], limit) for terms in groups]
            total = self.total() if with_total else 0
            return total, found, {entity_id: self.entity_claims(entity_id, limit) for entity_id in entity_ids}
        # Rows of (kind, position, claim id): kind 0 a group's match, 1 an entity's, 2 the total.
        parts, params = ["SELECT 2, 0, (SELECT max(id) FROM claims_claim)"] if with_total else [], []
        for position, terms in enumerate(groups):
            sql, values = self._bounded_matches([terms], limit)
            parts.append(f"SELECT 0 AS kind, {position} AS position, id FROM ({sql}) AS group_{position}")
            params += values
        for position, entity_id in enumerate(entity_ids):
            sql, values = self._bounded_tagged(entity_id, limit)
            parts.append(f"SELECT 1, {position}, id FROM ({sql}) AS entity_{position}")
            params += values
        total = 0
        found: list[list[int]] = [[] for _ in groups]
        tagged: list[list[int]] = [[] for _ in entity_ids]
        if not parts:
            return total, found, {}
        with self.connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for kind, position, claim_id in cursor.fetchall():
                if kind == 0:
                    found[position].append(claim_id)
                elif kind == 1:
                    tagged[position].append(claim_id)
                else:
                    total = claim_id or 0
        return total, found, dict(zip(entity_ids, tagged))

    def entity_claims(self, entity_id: int, limit: int) -> list[int]:
        with self.connection.cursor() as cursor:
            cursor.execute(*self._bounded_tagged(entity_id, limit))
            return [row[0] for row in cursor.fetchall()]


class IndexLookups:
    """The lookups ``candidates`` makes, each a bounded read of the index, among the claims
    in ``statuses`` (None: all). This one asks the database every time; ``claims.duplicates``
    answers the same questions from a cache."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS, statuses: Sequence[str] | None = None):
        self.index = _Index(using, statuses)
        self.common = self.index.common

    def total(self) -> int:
        return max(self.index.total(), 1)

    def survey(self, groups: list[list[str]], entity_ids: list[int]) -> tuple[int, list[Sequence[int]], dict[int, Sequence[int]]]:
        """What ``total``, ``groups`` and ``entity`` say, all at once (one statement on PostgreSQL)."""
        total, found, tagged = self.index.survey(groups, entity_ids, self.common + 1)
        return max(total, 1), found, tagged

    def groups(self, groups: list[list[str]]) -> list[Sequence[int]]:
        """For each group, its claims (all of them, at most ``common``), or ``common + 1``
        of them when it is common: only the count of a common group's matches is used."""
        return self.index.survey(groups, [], self.common + 1, with_total=False)[1]

    def entity(self, entity_id: int) -> Sequence[int]:
        """The claims tagged with the entity, as ``groups`` says it."""
        return self.index.entity_claims(entity_id, self.common + 1)

    def both(self, pair: list[list[str]]) -> Sequence[int]:
        """Claims matching both groups, at most ``common``."""
        return self.index.matches(pair, self.common)


def candidates(
    form: Form, entity_names: dict[int, list[str]], using: str = DEFAULT_DB_ALIAS,
    lookups: IndexLookups | None = None,
) -> list[int]:
    """The ids of the claims most worth reranking for ``form``, best first (see module docstring)."""
    groups = term_groups(form, entity_names)
    if not groups and not form.entities:
        return []
    lookups = lookups or IndexLookups(using)
    common = lookups.common
    # Entities by their links, not by their names in the index: a phrase lookup reads the
    # positions of every word of it, and a claim about an entity is tagged with it.
    entity_ids = sorted(form.entities)
    total, by_group, by_entity = lookups.survey(groups, entity_ids)
    votes: list[tuple[float, Sequence[int]]] = []  # (weight, its claims), in the order they add up
    frequency: list[tuple[int, int]] = []  # (matches, group index)
    for position, found in enumerate(by_group):
        frequency.append((len(found), position))
        if len(found) <= common:
            votes.append((idf(len(found), total), found))
    for entity_id in entity_ids:
        found = by_entity[entity_id]
        if len(found) <= common:
            votes.append((idf(len(found), total), found))
    frequency.sort()
    selective = sum(1 for matches, _ in frequency if matches <= common)
    if selective < 2 and len(frequency) >= 2:
        # Few rare words: the claims holding the two rarest groups both, a bounded lookup
        # (a conjunction of common words reads their whole lists of matches: not more).
        pair = [groups[position] for _, position in frequency[:2]]
        bonus = sum(idf(matches, total) for matches, _ in frequency[:2])
        votes.append((bonus, lookups.both(pair)))
    return best_voted(votes, CANDIDATES)


def best_voted(votes: list[tuple[float, Sequence[int]]], count: int) -> list[int]:
    """The ``count`` claims with the most votes, the larger id first at equal votes; each
    entry of ``votes`` gives its weight to each of its claims (each claim at most once).

    The same answer as summing every claim's votes and sorting them all (the tests compare
    the two), to the last bit of each sum, with less work:
    thousands of claims share one word with a text and get one weight, a few share several.
    Only those few are summed one by one (in the order of ``votes``, as the naive sum adds
    them); the others' votes are their one weight. The ``count``-th largest vote is found
    from a tally of the values, and only the claims at or above it are sorted (of those
    with exactly that value, the ``count`` largest ids)."""
    seen: set[int] = set()
    several: set[int] = set()
    for _, claim_ids in votes:
        several.update(seen.intersection(claim_ids))
        seen.update(claim_ids)
    summed = dict.fromkeys(several, 0.0)
    tally: Counter[float] = Counter()
    alone: dict[float, list[Sequence[int]]] = defaultdict(list)  # weight -> lists holding its lone claims
    for weight, claim_ids in votes:
        shared = several.intersection(claim_ids)
        for claim_id in shared:
            summed[claim_id] += weight
        if len(shared) < len(claim_ids):
            tally[weight] += len(claim_ids) - len(shared)
            alone[weight].append(claim_ids)
    tally.update(summed.values())
    cut, taken = float("-inf"), 0
    for value in sorted(tally, reverse=True):
        taken += tally[value]
        if taken >= count:
            cut = value
            break
    ranked = [(value, claim_id) for claim_id, value in summed.items() if value >= cut]
    for weight, lists in alone.items():
        if weight >= cut:
            lone = set().union(*lists) - several
            ranked.extend((weight, claim_id) for claim_id in sorted(lone, reverse=True)[:count])
    ranked.sort(reverse=True)
    return [claim_id for _, claim_id in ranked[:count]]


# ---------------------------------------------------------------------------------------------
# Stage 2: reranking


def clean_text(text: str) -> str:
    """What a lookup may safely carry to either database: no NUL, no lone surrogate."""
    return text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")


def similar_claims(
    text: str,
    *,
    user,
    limit: int = DEFAULT_LIMIT,
    exclude: int | None = None,
    claims: QuerySet[Claim] | None = None,
    statuses: Sequence[str] | None = None,
    minimum: float = 0.0,
) -> list[SimilarClaim]:
    """The claims visible to ``user`` (or among ``claims``) most likely to state the fact
    that ``text`` states, best first, at most ``limit``, each with a score in 0..1.

    The candidates are chosen among the claims ``user`` may see; given ``claims`` (the
    duplicates' search, for an operator who sees them all), among the claims in ``statuses``
    (None: every claim): the statuses ``claims`` holds."""
    text = clean_text(text)[:TEXT_MAX_LENGTH]
    queryset = visible_claims(user) if claims is None else claims
    using = queryset.db
    matcher, entity_names = entity_matcher(using)
    form = analyse(text, matcher)
    if claims is None:
        statuses = visible_statuses(user)
    ids = candidates(form, entity_names, using, lookups=IndexLookups(using, statuses))
    if exclude is not None:
        ids = [pk for pk in ids if pk != exclude]
    if not ids:
        return []
    rows = list(queryset.filter(pk__in=ids).values_list(*SUMMARY_FIELDS))
    tags = entity_tags([row[0] for row in rows], using)
    found = [(row, matcher.form(row[1]), frozenset(tags.get(row[0], ()))) for row in rows]
    return rank(form, found, minimum=minimum, limit=limit)


SUMMARY_FIELDS = ("id", "text", "status", "verdict", "confidence")


def summary_of(row: tuple) -> dict:
    """A claim's summary, from a row of ``SUMMARY_FIELDS``."""
    claim_id, text, status, verdict, confidence = row
    return {"id": claim_id, "text": text, "status": status, "verdict": verdict, "confidence": confidence or None}


def entity_tags(claim_ids: list[int], using: str) -> dict[int, set[int]]:
    """The entities each claim is tagged with."""
    tags: dict[int, set[int]] = defaultdict(set)
    for claim_id, entity_id in Claim.entities.through.objects.using(using).filter(
        claim_id__in=claim_ids
    ).values_list("claim_id", "entity_id"):
        tags[claim_id].add(entity_id)
    return tags


def rank(form: Form, found: Iterable[tuple[tuple, Form, frozenset[int]]], *,
         minimum: float, limit: int) -> list[SimilarClaim]:
    """The candidates (each a row of ``SUMMARY_FIELDS``, its form and its entity tags)
    scoring at least ``minimum`` against ``form``, best first (published and retracted claims
    before drafts at equal scores), at most ``limit``."""
    results = []
    for row, candidate, tags in found:
        value = score_if_at_least(form, candidate, tags, minimum)
        if value is not None:
            results.append(SimilarClaim(claim=summary_of(row), score=value))
    published_first = (Claim.Status.PUBLISHED, Claim.Status.RETRACTED)
    results.sort(key=lambda r: (-r.score, r.claim["status"] not in published_first, -r.claim["id"]))
    return results[:limit]
