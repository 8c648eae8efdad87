"""Likely duplicates across the database (``manage.py find_duplicates``): for every claim,
the claims the similar-claims lookup (``claims.similar``) scores at ``threshold`` or more.

``duplicate_pairs_one_by_one`` is the definition: ``similar_claims`` for each claim in
turn (its 10 best at the threshold). It repeats work the claims have in common: every
claim's lookups of its words in the full-text index (a common word read again for every
claim that has it), the reading and analysis of its 60 candidates (the same claims again
and again), and the database's largest id.

``duplicate_pairs`` gives the same pairs, scores and order with that work shared. Claims
are read ``BATCH`` at a time; each term group's, entity's and rare-pair lookup is made
once per run and remembered (``CachedLookups``: a common group keeps only its count, the
rare ones are dropped past ``LOOKUP_CACHE_IDS`` ids held); the candidates of a whole batch
are read with their entity tags in a few queries and kept with their analysed forms
(``CandidateCache``). Both paths share the cheaper ranking of ``claims.similar``
(``best_voted``, ``score_if_at_least``). A test proves both give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet

from .models import Claim, ClaimRelation
from .similar import (
    LIKELY_DUPLICATE,
    SUMMARY_FIELDS,
    TEXT_MAX_LENGTH,
    IndexLookups,
    SimilarClaim,
    candidates,
    clean_text,
    entity_matcher,
    entity_tags,
    rank,
    similar_claims,
    summary_of,
    term_groups,
)

PER_CLAIM = 10  # the best matches of each claim that make pairs
BATCH = 1000
QUERY_CHUNK = 900  # ids per IN (...): under SQLite's limit of bound parameters
GROUPS_PER_STATEMENT = 100
LOOKUP_CACHE_IDS = 3_000_000  # ~100 MB of remembered matches, then the rare ones are dropped
CANDIDATE_CACHE = 200_000  # candidates kept with their forms: ~300 MB


@dataclass(frozen=True)
class DuplicatePair:
    first: dict  # the older claim's summary
    second: dict
    score: float


def _group_key(terms: list[str]) -> tuple[str, ...]:
    return tuple(sorted(terms))


class CachedLookups(IndexLookups):
    """``IndexLookups`` that asks the index once per group, entity and pair, and the largest
    id once per run. A common group is remembered as its count only (``range`` of the right
    length: ``candidates`` never reads a common group's ids)."""

    def __init__(self, using: str, statuses: Sequence[str] | None = None):
        super().__init__(using, statuses)
        self._total: int | None = None
        self._groups: dict[tuple[str, ...], Sequence[int]] = {}
        self._entities: dict[int, Sequence[int]] = {}
        self._pairs: dict[tuple, Sequence[int]] = {}
        self.held = 0  # ids remembered
        self.asked = 0  # lookups sent to the database

    def total(self) -> int:
        if self._total is None:
            self._total = super().total()
        return self._total

    def survey(self, groups: list[list[str]], entity_ids: list[int]) -> tuple[int, list[Sequence[int]], dict[int, Sequence[int]]]:
        return self.total(), self.groups(groups), {entity_id: self.entity(entity_id) for entity_id in entity_ids}

    def _remember(self, found: Sequence[int], limit: int) -> Sequence[int]:
        if len(found) > limit:
            return range(len(found))
        self.held += len(found)
        return tuple(found)

    def groups(self, groups: list[list[str]]) -> list[Sequence[int]]:
        missing = {_group_key(terms): terms for terms in groups if _group_key(terms) not in self._groups}
        if missing:
            wanted = list(missing.items())
            for start in range(0, len(wanted), GROUPS_PER_STATEMENT):
                chunk = wanted[start:start + GROUPS_PER_STATEMENT]
                self.asked += len(chunk)
                for (key, _), found in zip(chunk, super().groups([terms for _, terms in chunk])):
                    self._groups[key] = self._remember(found, self.common)
        return [self._groups[_group_key(terms)] for terms in groups]

    def entity(self, entity_id: int) -> Sequence[int]:
        if entity_id not in self._entities:
            self.asked += 1
            self._entities[entity_id] = self._remember(super().entity(entity_id), self.common)
        return self._entities[entity_id]

    def both(self, pair: list[list[str]]) -> Sequence[int]:
        key = tuple(tuple(terms) for terms in pair)
        if key not in self._pairs:
            self.asked += 1
            self._pairs[key] = self._remember(super().both(pair), self.common)
        return self._pairs[key]

    def trim(self) -> None:
        """Past ``LOOKUP_CACHE_IDS`` ids, forget the rare groups' and pairs' matches (the
        common groups' counts cost nothing and are asked for by most claims)."""
        if self.held <= LOOKUP_CACHE_IDS:
            return
        self._groups = {key: found for key, found in self._groups.items() if isinstance(found, range)}
        self._entities = {key: found for key, found in self._entities.items() if isinstance(found, range)}
        self._pairs.clear()
        self.held = 0


def _recorded_duplicates(claims: QuerySet[Claim]) -> set[frozenset]:
    return {
        frozenset(pair)
        for pair in ClaimRelation.objects.using(claims.db)
        .filter(kind=ClaimRelation.Kind.DUPLICATE_OF)
        .values_list("from_claim_id", "to_claim_id")
    }


def _batches(claims: QuerySet[Claim], size: int) -> Iterator[list[tuple]]:
    last_id = 0
    while True:
        batch = list(claims.filter(pk__gt=last_id).order_by("pk").values_list(*SUMMARY_FIELDS)[:size])
        if not batch:
            return
        yield batch
        last_id = batch[-1][0]


def _pairs_of(claim: tuple, matches: list[SimilarClaim], seen: set, related: set) -> Iterator[DuplicatePair]:
    """The new pairs of ``claim`` with its matches, each pair once, older claim first."""
    claim_id = claim[0]
    for result in matches:
        pair = frozenset((claim_id, result.claim["id"]))
        if pair in seen or pair in related:
            continue
        seen.add(pair)
        first, second = sorted((summary_of(claim), result.claim), key=lambda item: item["id"])
        yield DuplicatePair(first=first, second=second, score=result.score)


def claims_in(statuses: Sequence[str] | None = None, using: str = DEFAULT_DB_ALIAS) -> QuerySet[Claim]:
    """The claims whose duplicates are looked for: those in ``statuses`` (None: all)."""
    claims = Claim.objects.using(using)
    return claims if statuses is None else claims.filter(status__in=statuses)


def duplicate_pairs(
    statuses: Sequence[str] | None = None, *, using: str = DEFAULT_DB_ALIAS, threshold: float = LIKELY_DUPLICATE,
    progress: Callable[[int], object] | None = None, batch_size: int = BATCH,
) -> Iterator[DuplicatePair]:
    """Pairs of claims in ``statuses`` (None: all) likely to state the same fact (score >=
    ``threshold``), each pair once, older claim first; pairs already related as
    ``duplicate_of`` are left out. Both claims of a pair are in ``statuses``, and so are the
    candidates looked at: claims of other statuses take no candidate's place. Yields as it
    goes; ``progress`` (optional) is told how many claims each batch looked at. Proposes
    only: nothing is written. The same answer as ``duplicate_pairs_one_by_one``."""
    claims = claims_in(statuses, using)
    related = _recorded_duplicates(claims)
    seen: set[frozenset] = set()
    matcher, entity_names = entity_matcher(using)
    lookups = CachedLookups(using, statuses)
    known = CandidateCache(claims, matcher)
    for batch in _batches(claims, batch_size):
        forms = [matcher.form(clean_text(row[1])[:TEXT_MAX_LENGTH]) for row in batch]
        # Every lookup the batch needs, in as few statements as the engine allows.
        lookups.groups([group for form in forms for group in term_groups(form, entity_names)])
        wanted = [
            [pk for pk in candidates(form, entity_names, using, lookups=lookups) if pk != row[0]]
            for row, form in zip(batch, forms)
        ]
        known.load({pk for ids in wanted for pk in ids})
        for row, form, ids in zip(batch, forms, wanted):
            found = [known.entries[pk] for pk in ids if pk in known.entries]
            matches = rank(form, found, minimum=threshold, limit=PER_CLAIM) if found else []
            yield from _pairs_of(row, matches, seen, related)
        lookups.trim()
        known.trim()
        if progress is not None:
            progress(len(batch))


class CandidateCache:
    """Candidates as ``rank`` wants them (row, form, entity tags), read for a batch's
    candidates in a few queries and kept for the next batches: a claim that shares rare
    words with many others is a candidate again and again. Emptied past ``CANDIDATE_CACHE``
    entries."""

    def __init__(self, claims: QuerySet[Claim], matcher):
        self.claims = claims
        self.matcher = matcher
        self.entries: dict[int, tuple[tuple, object, frozenset[int]]] = {}
        self.outside: set[int] = set()  # ids not among ``claims`` (another status)

    def load(self, ids: set[int]) -> None:
        missing = sorted(pk for pk in ids if pk not in self.entries and pk not in self.outside)
        for start in range(0, len(missing), QUERY_CHUNK):
            chunk = missing[start:start + QUERY_CHUNK]
            rows = list(self.claims.filter(pk__in=chunk).values_list(*SUMMARY_FIELDS))
            tags = entity_tags([row[0] for row in rows], self.claims.db)
            for row in rows:
                self.entries[row[0]] = (row, self.matcher.form(row[1]), frozenset(tags.get(row[0], ())))
            self.outside.update(set(chunk) - {row[0] for row in rows})

    def trim(self) -> None:
        if len(self.entries) + len(self.outside) > CANDIDATE_CACHE:
            self.entries.clear()
            self.outside.clear()


def duplicate_pairs_one_by_one(
    statuses: Sequence[str] | None = None, *, using: str = DEFAULT_DB_ALIAS, threshold: float = LIKELY_DUPLICATE,
    progress: Callable[[int], object] | None = None,
) -> Iterator[DuplicatePair]:
    """``duplicate_pairs`` by definition: one similar-claims lookup per claim (slow; kept as
    the reference the fast path is tested against)."""
    claims = claims_in(statuses, using)
    related = _recorded_duplicates(claims)
    seen: set[frozenset] = set()
    for batch in _batches(claims, 500):
        for row in batch:
            matches = similar_claims(row[1], user=None, claims=claims, statuses=statuses, limit=PER_CLAIM,
                                     exclude=row[0], minimum=threshold)
            yield from _pairs_of(row, matches, seen, related)
            if progress is not None:
                progress(1)
