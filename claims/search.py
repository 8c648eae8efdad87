"""Full-text search over a claim's text and the quotes of its evidence spans.

One function, ``search_claims``; the database connection picks the engine:

- PostgreSQL: ``claims_claim_search`` holds one ``tsvector`` per claim (English
  configuration), with a GIN index; the query is ``websearch_to_tsquery``.
- SQLite: the FTS5 table ``claims_claim_fts`` (Porter stemmer), rowid = claim id; user
  input is translated into FTS5 syntax in which every term is a quoted string, so no input
  is ever read as an FTS5 operator or a syntax error.

Both tables are kept in sync by triggers on ``claims_claim`` and ``claims_evidence``
(their SQL: ``claims/search_index.py``): writes through the ORM, the admin, fixtures or
raw SQL are all indexed. The query language is the web-search one on both: words (all must occur, stemmed),
``"exact phrases"``, ``or`` between alternatives, ``-word`` to exclude.

Known difference: PostgreSQL drops English stop words ("the", "of"), SQLite matches them;
a query made only of stop words finds nothing on PostgreSQL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Lookup, QuerySet
from django.db.models.expressions import RawSQL

from claims import search_index

SEARCH_CONFIG = "english"

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass
class ParsedQuery:
    """A web-search query: groups that must all match (each an OR of terms), and excluded terms."""

    groups: list[list[str]] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded


# "-" in a row (spaces between or not) before a term: each is a NOT to
# ``websearch_to_tsquery``, which refuses a query of 32 or more in a row with an error, and
# reads "- oil" as "-oil".
_NEGATIONS = re.compile(r'(?<![^\s"])-(?:\s*-)*\s*')


def normalised_query(query: str) -> str:
    """A search as both engines read it: NUL (which cannot travel to PostgreSQL and means
    nothing in a search) as a space, the ends stripped, and a run of "-" before a term as
    what it means: one "-" against the term when the run is odd, none when it is even (a
    negation of a negation). PostgreSQL reads the run the same way, up to the length it
    refuses; SQLite's reading (``parse_query``) had excluded the term whatever the run, and
    had not read "- oil" as an exclusion."""
    query = query.replace("\x00", " ")
    return _NEGATIONS.sub(lambda run: "-" if run.group().count("-") % 2 else "", query).strip()


def _has_word(term: str) -> bool:
    # Terms of punctuation alone carry no lexeme on either engine.
    return any(character.isalnum() for character in term)


def parse_query(query: str) -> ParsedQuery:
    """Split a web-search query into terms (phrases kept whole), alternatives and exclusions."""
    parsed = ParsedQuery()
    pending_or = False
    for match in _TOKEN.finditer(query):
        negated, phrase, word = match.group(1), match.group(2), match.group(3)
        if word is not None:
            if word.lower() == "or":
                pending_or = bool(parsed.groups)
                continue
            negated, term = ("-", word[1:]) if word.startswith("-") else ("", word)
        else:
            term = phrase
        term = " ".join(term.split())
        if not _has_word(term):
            continue
        if negated:
            parsed.excluded.append(term)
        elif pending_or:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        pending_or = False
    return parsed


def _fts5_string(term: str) -> str:
    # An FTS5 string: inside double quotes, a double quote is written twice.
    return '"' + term.replace('"', '""') + '"'


def fts5_expression(terms: list[list[str]]) -> str:
    """``[["a"], ["b", "c"]]`` -> ``("a") AND ("b" OR "c")``."""
    return " AND ".join("(" + " OR ".join(_fts5_string(t) for t in group) + ")" for group in terms)


# SQLite: a query matching at least this many claims is answered by walking the ordering's
# index (see ``_search_sqlite``). At a million claims, a word in one claim in ten (130,000
# matches) takes 16 ms a page that way against 125 ms by the matches; a word in a few hundred
# claims takes 1 ms by the matches against a walk of the whole index.
COMMON_MATCHES = 5000


def _matches_at_least(db: str, expression: str, count: int) -> bool:
    """Whether the FTS5 ``expression`` matches ``count`` claims or more (it reads no more)."""
    with connections[db].cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT rowid FROM claims_claim_fts WHERE claims_claim_fts MATCH %s LIMIT %s)",
            [expression, count],
        )
        return cursor.fetchone()[0] >= count


def sqlite_expression(parsed: ParsedQuery) -> str:
    """The FTS5 expression of a query with words to match (``parsed.groups``)."""
    expression = fts5_expression(parsed.groups)
    if parsed.excluded:
        # FTS5's NOT is binary: "positives NOT (a OR b)".
        expression += " NOT (" + " OR ".join(_fts5_string(t) for t in parsed.excluded) + ")"
    return expression


def _search_sqlite(queryset: QuerySet, parsed: ParsedQuery) -> QuerySet:
    matching = "SELECT rowid FROM claims_claim_fts WHERE claims_claim_fts MATCH %s"
    if parsed.groups:
        expression = sqlite_expression(parsed)
        if _matches_at_least(queryset.db, expression, COMMON_MATCHES):
            # ``id + 0`` is no index key: SQLite no longer drives the query by the list of
            # matches (a lookup, then a sort, of every one) but walks the index of the
            # ordering (or the filter) and checks each claim against the matches, which
            # finds a page of a common word's claims after a few hundred. Counts cost the same.
            return queryset.alias(search_row=F("id") + 0).filter(search_row__in=RawSQL(matching, (expression,)))
        return queryset.filter(pk__in=RawSQL(matching, (expression,)))
    excluded = " OR ".join(_fts5_string(t) for t in parsed.excluded)
    return queryset.exclude(pk__in=RawSQL(matching, (excluded,)))


# One lexeme of PostgreSQL's text form of a tsquery (in quotes, a quote doubled and a
# backslash escaped; then any weights or a prefix mark), a phrase operator, or another.
_TSQUERY_TOKEN = re.compile(r"""\s*(?:'((?:[^'\\]|''|\\.)*)'(:[A-D*]+)?|<(-|\d+)>|([&|!()]))""")


def _tsquery_tree(text: str):
    """The tree of a tsquery's text form: ``("word", lexeme, plain)``, ``("not", x)``,
    ``("and" | "or", x, y)``, ``("phrase", x, y, distance)``; None if it does not read.
    Precedence as PostgreSQL's: ``!``, then phrase operators, ``&``, ``|``; binary ones
    group from the left, as PostgreSQL writes and reads them."""
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TSQUERY_TOKEN.match(text, position)
        if match is None:
            return None
        lexeme, suffix, distance, operator = match.groups()
        if lexeme is not None:
            word = re.sub(r"''|\\(.)", lambda m: m.group(1) or "'", lexeme)
            tokens.append(("word", word, suffix is None))
        elif distance is not None:
            tokens.append(("phrase", 1 if distance == "-" else int(distance)))
        else:
            tokens.append((operator,))
        position = match.end()
    tokens.append(("end",))
    index = 0

    def take(kind):
        nonlocal index
        if tokens[index][0] == kind:
            index += 1
            return tokens[index - 1]
        return None

    def operand():
        if take("!"):
            inner = operand()
            return None if inner is None else ("not", inner)
        if take("("):
            inner = alternatives()
            return inner if inner is not None and take(")") else None
        return take("word")

    def phrase():
        left = operand()
        while left is not None and tokens[index][0] == "phrase":
            distance = take("phrase")[1]
            right = operand()
            left = None if right is None else ("phrase", left, right, distance)
        return left

    def binary(operator, kind, operand_of):
        def read():
            left = operand_of()
            while left is not None and take(operator):
                right = operand_of()
                left = None if right is None else (kind, left, right)
            return left
        return read

    conjunction = binary("&", "and", phrase)
    alternatives = binary("|", "or", conjunction)
    tree = alternatives()
    return tree if tree is not None and tokens[index][0] == "end" else None


def _pair_lexeme(pair: str) -> str:
    return "'" + pair.replace("\\", "\\\\").replace("'", "''") + "'"


def _pairs_condition(node) -> str | None:
    """A tsquery that every document matching ``node`` matches too, made of the pairs of
    adjacent words its phrases name (``claims.search_index``); None when it implies none."""
    kind = node[0]
    if kind == "phrase":
        # A chain of words, grouped from the left ("a <-> b <2> c"): a word and the next
        # at distance 1 are a pair of the document. Anything else implies no pair.
        words, distances = [], []
        while node[0] == "phrase" and node[2][0] == "word" and node[2][2]:
            words.append(node[2][1])
            distances.append(node[3])
            node = node[1]
        if node[0] != "word" or not node[2]:
            return None
        words.append(node[1])
        words.reverse()
        distances.reverse()
        pairs = dict.fromkeys(
            f"{left} {right}" for left, right, distance in zip(words, words[1:], distances)
            if distance == 1 and len(f"{left} {right}".encode()) <= search_index.PAIR_MAX_BYTES
        )
        return " & ".join(_pair_lexeme(pair) for pair in pairs) or None
    if kind in ("and", "or"):
        # A chain of one operator (PostgreSQL writes "a & b & c" grouped from the left, as
        # deep as the query is long) is read as a list, not by recursion.
        operands, pending = [], [node]
        while pending:
            current = pending.pop()
            if current[0] == kind:
                pending += [current[2], current[1]]
            else:
                operands.append(current)
        parts = [_pairs_condition(operand) for operand in operands]
        if kind == "or":
            return None if not all(parts) else " | ".join(parts)
        parts = [part for part in parts if part]
        if len(parts) < 2:
            return parts[0] if parts else None
        return " & ".join(f"( {part} )" if " | " in part else part for part in parts)
    return None  # a word, or a negation: no pair


def phrase_pairs(tsquery: str) -> str:
    """The text of a tsquery that the pairs row (``claims_claim_pairs``) of every search
    document matching ``tsquery`` (PostgreSQL's text form of one) matches: the pairs of
    adjacent words its phrases require, or ``UNPAIRED``, which the row of a document too
    large for its pairs holds instead. '' when the query requires no pair. Asking it first
    changes no answer; it lets a GIN index name a phrase's few documents rather than every
    document holding its words, each of which PostgreSQL would read to check the words'
    positions."""
    try:
        tree = _tsquery_tree(tsquery)
        condition = None if tree is None else _pairs_condition(tree)
    except RecursionError:  # parentheses nested past Python's stack: no pairs, the same answer
        condition = None
    return f"{condition} | {_pair_lexeme(search_index.UNPAIRED)}" if condition else ""


def _may_hold_phrase(query: str) -> bool:
    # A term with anything but letters and digits may be a phrase to ``websearch_to_tsquery``
    # (``"oil exports"``, ``S-300``); words alone never are.
    parsed = parse_query(query)
    return any(not term.isalnum() for group in parsed.groups for term in group)


def postgresql_matches(cursor, query: str, columns: str = "claim_id") -> tuple[str, list]:
    """The statement selecting ``columns`` of the search rows matching the web-search
    ``query``, and its parameters. A query whose phrases imply pairs of words
    (``phrase_pairs``, read off PostgreSQL's own reading of the query) checks only the
    documents the pairs' index names: the list of them is made first (an array), then each
    document is looked up by its claim and checked against the query itself."""
    match = "document @@ websearch_to_tsquery(%s::regconfig, %s)"
    params = [SEARCH_CONFIG, query]
    if _may_hold_phrase(query):
        cursor.execute("SELECT websearch_to_tsquery(%s::regconfig, %s)::text", params)
        pairs = phrase_pairs(cursor.fetchone()[0])
        if pairs:
            match = f"claim_id = ANY(ARRAY(SELECT claim_id FROM claims_claim_pairs WHERE pairs @@ %s::tsquery)) AND {match}"
            params = [pairs, *params]
    return f"SELECT {columns} FROM claims_claim_search WHERE {match}", params


# The matches with the status and creation time of their claims, as the search rows copy them.
MATCHES_WITH_STATE = "claim_id, status, created_at"
# PostgreSQL: a query the planner expects to match this many claims walks the creation-time
# index at once (the planner's own choice for a query it expects to match much); one it
# expects to match fewer reads its matches and sorts them, up to ``FEW_MATCHES`` (past that,
# an estimate was wrong: it walks). Sorting costs a read of each match's search row (which
# carries the claim's status and creation time, migration 0014), the walk a look-up of each
# claim walked (51 / frequency of them): at a million claims they cross near 8,000 matches,
# with the default 128 MB of shared buffers as with the tables in them
# (bench/search_crossover.py). The estimates come from
# statistics of 10,000 lexemes (migration 0013): within a few percent for any word in one
# claim in 2,000 or more.
COMMON_ESTIMATE = 6000
FEW_MATCHES = 7000


def few_matches_postgresql(query: str, using: str = DEFAULT_DB_ALIAS) -> list[int] | None:
    """PostgreSQL: the ids of the claims matching ``query`` if there are at most
    ``FEW_MATCHES``, else None. The planner walks the creation-time index for any word it
    has no statistics on, expecting thousands of matches: for a word in a few hundred
    claims, that walk reads the whole index (half a second at a million claims), where a
    list of ids is looked up and sorted in a millisecond."""
    with connections[using].cursor() as cursor:
        if surely_common(cursor, query):
            return None
        matches, params = postgresql_matches(cursor, query)
        cursor.execute(matches + " LIMIT %s", [*params, FEW_MATCHES + 1])
        ids = [row[0] for row in cursor.fetchall()]
    return ids if len(ids) <= FEW_MATCHES else None


def surely_common(cursor, query: str) -> bool:
    """Whether the planner's statistics say the query matches many claims. Its estimate is
    trusted for words only: for a phrase it is the estimate of all its words anywhere, far
    above the phrase's own matches. A query that may hold a phrase is never surely common."""
    if _may_hold_phrase(query):
        return False
    matches, params = postgresql_matches(cursor, query)
    cursor.execute("EXPLAIN (FORMAT JSON) " + matches, params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, (str, bytes)) else plan
    return plan[0]["Plan"]["Plan Rows"] >= COMMON_ESTIMATE


class AnyOf(Lookup):
    """PostgreSQL: ``lhs = ANY(%s)``, the values passed as one array.

    Written as ``IN (%s, %s, ...)``, a list of 1,810 ids took 38 ms a statement (a
    placeholder for Django, an adaptation for the driver and a parse for the server, each
    id); as one array, 9 ms. The admin's list of a search runs up to four such statements:
    the page, its first and last date, and a count when another filter is set."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]


def _search_postgresql(queryset: QuerySet, query: str) -> QuerySet:
    ids = few_matches_postgresql(query, queryset.db)
    if ids is not None:
        return queryset.filter(AnyOf(F("pk"), ids)) if ids else queryset.none()
    with connections[queryset.db].cursor() as cursor:
        matches, params = postgresql_matches(cursor, query)
    return queryset.filter(pk__in=RawSQL(matches, params))


def count_matches(
    query: str, using: str = DEFAULT_DB_ALIAS, *, limit: int | None = None, status: str | None = None,
) -> int | None:
    """How many claims ``search_claims`` finds for ``query`` among all claims (or those with
    ``status``), read from the search index alone (it holds one row per claim and, on
    PostgreSQL, a copy of its status): on SQLite, a fraction of the cost of counting the
    claims themselves; with ``limit``, counting stops past it (``limit + 1`` means "more").
    None when there is nothing to search, or the index alone cannot tell (on SQLite, a query
    of exclusions only, or a ``status``, which its index does not hold)."""
    query = normalised_query(query)
    parsed = parse_query(query)
    connection = connections[using]
    if not query or parsed.is_empty:
        return None
    with connection.cursor() as cursor:
        bounded = "" if limit is None else f" LIMIT {int(limit) + 1}"
        if connection.vendor == "sqlite" and parsed.groups and status is None:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM claims_claim_fts WHERE claims_claim_fts MATCH %s{bounded})",
                [sqlite_expression(parsed)],
            )
        elif connection.vendor == "postgresql":
            having = "" if status is None else " AND status = %s"
            matches, params = postgresql_matches(cursor, query)
            cursor.execute(
                f"SELECT count(*) FROM ({matches}{having}{bounded}) AS matches",
                [*params, *([] if status is None else [status])],
            )
        else:
            return None
        return cursor.fetchone()[0]


def search_claims(queryset: QuerySet, query: str) -> QuerySet:
    """Narrow ``queryset`` (of claims) to those matching ``query``; see the module docstring.

    A query without any word (punctuation only) matches nothing; an empty one, everything.
    """
    query = normalised_query(query)
    if not query:
        return queryset
    parsed = parse_query(query)
    if parsed.is_empty:
        return queryset.none()
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _search_postgresql(queryset, query)
    if vendor == "sqlite":
        return _search_sqlite(queryset, parsed)
    raise NotImplementedError(f"No full-text search for {vendor}.")
