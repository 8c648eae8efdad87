"""The full-text index's SQL: the one definition of the search documents and their triggers.

The document of a claim is its text plus the quotes of its evidence spans, in evidence
order, cut at ``DOCUMENT_LIMIT`` characters. Those live in three tables, which an
expression index cannot span, so each engine gets a document table kept in sync by
triggers (see ``claims/search.py`` for the queries):

- SQLite: the FTS5 virtual table ``claims_claim_fts`` (rowid = claim id);
- PostgreSQL: ``claims_claim_search`` (claim id, tsvector) with a GIN index, and a copy
  of the claim's ``status`` and ``created_at`` (migrations 0014 and 0015): a search with
  few matches picks its page among them from this table alone, without a look-up of each
  claim. A new document copies them, and a change of either column on ``claims_claim``,
  by any path, is copied over (``POSTGRESQL_STATE_TRIGGER``).

On PostgreSQL the pairs of adjacent words of each document are kept beside it, each pair
one lexeme (``'oil export'``, which no word can be: the parser splits text at spaces), in
``claims_claim_pairs`` with a GIN index of its own (migration 0018). A phrase query asks
that index for the pairs its phrases imply (``claims.search.phrase_pairs``) and checks only
the documents holding them: at a million claims, 126 documents for ``"oil exports"`` where
the 11,164 holding both words were read. The pairs are read off the document's own
positions, so every document a phrase matches holds the phrase's pairs; a document whose
pairs would not fit in a ``tsvector`` (1 MB) gets the lexeme ``UNPAIRED`` instead, which
every pair condition accepts. Kept apart, they leave the documents, their statistics and
every query of words alone.

Migrations create these objects by calling this module; so does a migration that rebuilds
``claims_claim`` or ``claims_evidence`` on SQLite (which drops their triggers), and the
bulk importer (``claims.transfer.rows``), which indexes a batch at a time with
``fill_statement``. On PostgreSQL, the trigger functions skip inserts while the
transaction-local setting ``claimbase.search_deferred`` is ``on``, for the importer.
"""

from __future__ import annotations

# A tsvector holds at most 1 MB; a span may quote a whole report.
DOCUMENT_LIMIT = 100_000

# The lexeme of a document without pairs: it begins with a space, so no word and no pair
# (two lexemes joined by one space) is ever equal to it.
UNPAIRED = " (unpaired)"
# A lexeme holds at most 2,047 bytes; a longer pair is left out, by the query as well.
PAIR_MAX_BYTES = 2000
# Pairs that would take their tsvector past this size are replaced by UNPAIRED (the limit
# is 1,048,575 bytes; a pair costs its bytes plus at most 8 of entry and padding).
PAIRS_MAX_BYTES = 1_000_000
# A text of up to this many bytes cannot give pairs near the limit (a pair costs at most
# its two words' bytes plus 9): only a longer one has its pairs' size counted.
SHORT_TEXT_BYTES = 20_000

# The text of the claim ``c``'s document: its text and quotes, in evidence order, cut.
_CONTENT = f"""left(c.text || ' ' || coalesce(
            (SELECT string_agg(s.quote, ' ' ORDER BY e.id) FROM claims_evidence e
             JOIN sources_span s ON s.id = e.span_id WHERE e.claim_id = c.id), ''), {DOCUMENT_LIMIT})"""

_SQLITE_REFRESH = f"""
    DELETE FROM claims_claim_fts WHERE rowid = {{id}};
    INSERT INTO claims_claim_fts (rowid, document)
    SELECT c.id, substr(c.text || ' ' || coalesce(
        (SELECT group_concat(quote, ' ') FROM (
            SELECT s.quote AS quote FROM claims_evidence e
            JOIN sources_span s ON s.id = e.span_id
            WHERE e.claim_id = c.id ORDER BY e.id)), ''), 1, {DOCUMENT_LIMIT})
    FROM claims_claim c WHERE c.id = {{id}};
"""

SQLITE_TRIGGERS: dict[str, str] = {
    "claims_claim_fts_insert": f"""CREATE TRIGGER claims_claim_fts_insert AFTER INSERT ON claims_claim BEGIN
        {_SQLITE_REFRESH.format(id="new.id")}
    END""",
    "claims_claim_fts_update": f"""CREATE TRIGGER claims_claim_fts_update AFTER UPDATE OF text ON claims_claim
        WHEN old.text IS NOT new.text BEGIN
        {_SQLITE_REFRESH.format(id="new.id")}
    END""",
    "claims_claim_fts_delete": """CREATE TRIGGER claims_claim_fts_delete AFTER DELETE ON claims_claim BEGIN
        DELETE FROM claims_claim_fts WHERE rowid = old.id;
    END""",
    "claims_evidence_fts_insert": f"""CREATE TRIGGER claims_evidence_fts_insert AFTER INSERT ON claims_evidence BEGIN
        {_SQLITE_REFRESH.format(id="new.claim_id")}
    END""",
    "claims_evidence_fts_update": f"""CREATE TRIGGER claims_evidence_fts_update AFTER UPDATE OF claim_id, span_id ON claims_evidence BEGIN
        {_SQLITE_REFRESH.format(id="old.claim_id")}
        {_SQLITE_REFRESH.format(id="new.claim_id")}
    END""",
    "claims_evidence_fts_delete": f"""CREATE TRIGGER claims_evidence_fts_delete AFTER DELETE ON claims_evidence BEGIN
        {_SQLITE_REFRESH.format(id="old.claim_id")}
    END""",
}
# The triggers a bulk writer drops while it indexes batches itself.
SQLITE_INSERT_TRIGGERS = ("claims_claim_fts_insert", "claims_evidence_fts_insert")

# Every claim's document; a caller may add a condition on ``c`` (``WHERE c.id ...``).
SQLITE_FILL = (
    "INSERT INTO claims_claim_fts (rowid, document) SELECT c.id, substr(c.text || ' ' || coalesce("
    "(SELECT group_concat(s.quote, ' ') FROM claims_evidence e JOIN sources_span s "
    f"ON s.id = e.span_id WHERE e.claim_id = c.id), ''), 1, {DOCUMENT_LIMIT}) FROM claims_claim c"
)

# The documents and pairs of the claims ``{target}`` selects, inserted or replaced: one
# statement, the text parsed once. (``OFFSET 0`` keeps the content a subquery of its own:
# pulled up, it would be built twice a claim, once for each use.)
_POSTGRESQL_REFRESH = f"""WITH documents AS MATERIALIZED (
            SELECT c.id, c.status, c.created_at, to_tsvector('english'::regconfig, content) AS words,
                octet_length(content) AS size
            FROM claims_claim c, LATERAL (SELECT {_CONTENT} AS content OFFSET 0) AS claim_content
            WHERE {{target}}
        ), written AS (
            INSERT INTO claims_claim_search (claim_id, document, status, created_at)
            SELECT id, words, status, created_at FROM documents
            ON CONFLICT (claim_id) DO UPDATE SET
                document = EXCLUDED.document, status = EXCLUDED.status, created_at = EXCLUDED.created_at
        )
        INSERT INTO claims_claim_pairs (claim_id, pairs)
        SELECT id, claims_search_pairs_of(words, size) FROM documents
        ON CONFLICT (claim_id) DO UPDATE SET pairs = EXCLUDED.pairs"""

# The pairs alone of the claims ``{target}`` selects (migration 0018 fills them so).
_POSTGRESQL_PAIRS_FILL = f"""INSERT INTO claims_claim_pairs (claim_id, pairs)
        SELECT c.id, claims_search_pairs_of(to_tsvector('english'::regconfig, content), octet_length(content))
        FROM claims_claim c, LATERAL (SELECT {_CONTENT} AS content OFFSET 0) AS claim_content
        WHERE {{target}}
        ON CONFLICT (claim_id) DO UPDATE SET pairs = EXCLUDED.pairs"""

# True inside a ``SearchIndexDeferral``: the insert triggers leave new rows to it.
POSTGRESQL_DEFERRED = "coalesce(current_setting('claimbase.search_deferred', true), '') = 'on'"
# The triggers (made by migration 0003) whose functions below do nothing on insert then.
POSTGRESQL_DEFERRED_INSERT_TRIGGERS = frozenset({"claims_claim_search_insert", "claims_evidence_search"})

POSTGRESQL_PAIRS_OF = f"""CREATE OR REPLACE FUNCTION claims_search_pairs_of(words tsvector, size integer) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    DECLARE
        pairs text[] := claims_search_pairs(words);
    BEGIN
        IF size > {SHORT_TEXT_BYTES} THEN
            IF (SELECT coalesce(sum(octet_length(pair) + 8), 0) FROM (SELECT DISTINCT unnest(pairs) AS pair) AS each_pair)
                    > {PAIRS_MAX_BYTES} THEN
                RETURN array_to_tsvector(ARRAY['{UNPAIRED}']);
            END IF;
        END IF;
        RETURN array_to_tsvector(pairs);
    END $$"""

POSTGRESQL_REFRESH_FUNCTION = f"""CREATE OR REPLACE FUNCTION claims_claim_search_refresh(target bigint) RETURNS void
    LANGUAGE sql AS $$
        {_POSTGRESQL_REFRESH.format(target="c.id = target")};
    $$"""

POSTGRESQL_FUNCTIONS = [
    # The table of the pairs first: the refresh below names it. (Migration 0014 creates
    # these objects too, from their current definitions; 0018 fills the table.)
    """CREATE TABLE IF NOT EXISTS claims_claim_pairs (
        claim_id bigint PRIMARY KEY,
        pairs tsvector NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS claims_claim_pairs_pairs ON claims_claim_pairs USING gin (pairs)",
    # The pairs of lexemes at adjacent positions of a document, each written "left right"
    # (repeats included: ``array_to_tsvector`` keeps one of each). Ties (positions past
    # 16,383 all count as 16,383) pair the lexeme before with every one of them, as a
    # phrase query would match it.
    f"""CREATE OR REPLACE FUNCTION claims_search_pairs(document tsvector) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        WITH words AS (SELECT lexeme, unnest(positions) AS position FROM unnest(document))
        SELECT coalesce(array_agg(a.lexeme || ' ' || b.lexeme), '{{}}')
        FROM words a JOIN words b ON b.position = a.position + 1
        WHERE octet_length(a.lexeme) + octet_length(b.lexeme) < {PAIR_MAX_BYTES}
    $$""",
    # The pairs row of a document (``words``, of a text of ``size`` bytes): its pairs, or
    # UNPAIRED when they would not fit. The one definition, for every writer. PL/pgSQL, not
    # SQL: called from the body of a SQL function that is not inlined (as this one was, for
    # its subquery), PostgreSQL 15 parses and plans ``claims_search_pairs`` again at every
    # call, which cost twice the pairs themselves (migration 0019); from PL/pgSQL's simple
    # expression it is planned once a transaction, and the subquery runs only for a long text.
    POSTGRESQL_PAIRS_OF,
    POSTGRESQL_REFRESH_FUNCTION,
    f"""CREATE OR REPLACE FUNCTION claims_claim_search_on_claim() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM claims_claim_search WHERE claim_id = OLD.id;
            DELETE FROM claims_claim_pairs WHERE claim_id = OLD.id;
            RETURN OLD;
        END IF;
        IF TG_OP = 'INSERT' AND {POSTGRESQL_DEFERRED} THEN
            RETURN NEW;
        END IF;
        PERFORM claims_claim_search_refresh(NEW.id);
        RETURN NEW;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION claims_claim_search_on_evidence() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' AND {POSTGRESQL_DEFERRED} THEN
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM claims_claim_search_refresh(OLD.claim_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM claims_claim_search_refresh(NEW.claim_id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION claims_claim_search_on_state() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE claims_claim_search SET status = NEW.status, created_at = NEW.created_at
        WHERE claim_id = NEW.id;
        RETURN NULL;
    END $$""",
]

# Copies a claim's status and creation time to its search row when either changes (however
# the claim is updated: a service, ``QuerySet.update``, raw SQL). A row not indexed yet (an
# import's batch waiting for ``fill_statement``) is copied in full when it is indexed.
POSTGRESQL_STATE_TRIGGER = """CREATE TRIGGER claims_claim_search_state AFTER UPDATE OF status, created_at
    ON claims_claim FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION claims_claim_search_on_state()"""


def sqlite_fill(condition: str = "") -> str:
    """The statement indexing every claim (or those ``condition`` on ``c`` selects)."""
    return f"{SQLITE_FILL} WHERE {condition}" if condition else SQLITE_FILL


def postgresql_fill(condition: str) -> str:
    """The statement (re)indexing the claims ``condition`` on ``c`` selects."""
    return _POSTGRESQL_REFRESH.format(target=condition)


def postgresql_pairs_fill(condition: str) -> str:
    """The statement (re)writing the pairs alone of the claims ``condition`` on ``c`` selects."""
    return _POSTGRESQL_PAIRS_FILL.format(target=condition)


def drop_sqlite_triggers(cursor, names=tuple(SQLITE_TRIGGERS)) -> None:
    for name in names:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def create_sqlite_triggers(cursor, names=tuple(SQLITE_TRIGGERS)) -> None:
    for name in names:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(SQLITE_TRIGGERS[name])
