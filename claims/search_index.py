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

On PostgreSQL a document also holds each pair of adjacent words as one lexeme of its own
(``claims_search_document``): ``'oil export'``, which no word can be, since the parser
splits text at spaces. A phrase query adds the pairs its phrases imply
(``claims.search.phrase_pairs``), and the GIN index finds the documents holding those
pairs instead of every document holding the words anywhere: at a million claims, 126
documents to check where ``"oil exports"`` had 11,164. The pairs are read off the document's
own positions, so every document a phrase matches holds the phrase's pairs; a document whose
pairs would not fit beside it in a ``tsvector`` (1 MB) gets the lexeme ``UNPAIRED`` instead,
which every pair condition accepts (migration 0018).

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
# A document whose pairs would take its tsvector past this size is marked UNPAIRED
# (the limit is 1,048,575 bytes; a pair costs its bytes plus at most 8 of entry and padding).
PAIRED_DOCUMENT_MAX_BYTES = 1_000_000
SHORT_TEXT_BYTES = 20_000

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

# The documents of the claims ``{target}`` selects, inserted or replaced.
_POSTGRESQL_REFRESH = f"""INSERT INTO claims_claim_search (claim_id, document, status, created_at)
        SELECT c.id, claims_search_document(left(c.text || ' ' || coalesce(
            (SELECT string_agg(s.quote, ' ' ORDER BY e.id) FROM claims_evidence e
             JOIN sources_span s ON s.id = e.span_id WHERE e.claim_id = c.id), ''), {DOCUMENT_LIMIT})),
            c.status, c.created_at
        FROM claims_claim c WHERE {{target}}
        ON CONFLICT (claim_id) DO UPDATE SET
            document = EXCLUDED.document, status = EXCLUDED.status, created_at = EXCLUDED.created_at"""

# True inside a ``SearchIndexDeferral``: the insert triggers leave new rows to it.
POSTGRESQL_DEFERRED = "coalesce(current_setting('claimbase.search_deferred', true), '') = 'on'"
# The triggers (made by migration 0003) whose functions below do nothing on insert then.
POSTGRESQL_DEFERRED_INSERT_TRIGGERS = frozenset({"claims_claim_search_insert", "claims_evidence_search"})

POSTGRESQL_FUNCTIONS = [
    # The pairs of lexemes at adjacent positions, each written "left right" (repeats
    # included: ``array_to_tsvector`` keeps one of each). Ties (positions past 16,383 all
    # count as 16,383) pair the lexeme before with every one of them, as a phrase query
    # would match it.
    f"""CREATE OR REPLACE FUNCTION claims_search_pairs(document tsvector) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        WITH words AS (SELECT lexeme, unnest(positions) AS position FROM unnest(document))
        SELECT coalesce(array_agg(a.lexeme || ' ' || b.lexeme), '{{}}')
        FROM words a JOIN words b ON b.position = a.position + 1
        WHERE octet_length(a.lexeme) + octet_length(b.lexeme) < {PAIR_MAX_BYTES}
    $$""",
    # The search document of a claim's text and quotes: its words, with their positions,
    # and the pairs of adjacent words, or UNPAIRED. The one definition, for every writer.
    # A text of up to SHORT_TEXT_BYTES cannot give a tsvector near the limit (a pair costs at
    # most its two words' bytes plus 9), so only a longer one has its pairs' size counted.
    f"""CREATE OR REPLACE FUNCTION claims_search_document(content text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT words || CASE
            WHEN octet_length(content) <= {SHORT_TEXT_BYTES} THEN array_to_tsvector(claims_search_pairs(words))
            WHEN pg_column_size(words) + (
                SELECT coalesce(sum(octet_length(pair) + 8), 0)
                FROM (SELECT DISTINCT unnest(claims_search_pairs(words)) AS pair) AS distinct_pairs
            ) > {PAIRED_DOCUMENT_MAX_BYTES}
            THEN array_to_tsvector(ARRAY['{UNPAIRED}'])
            ELSE array_to_tsvector(claims_search_pairs(words)) END
        FROM to_tsvector('english'::regconfig, content) AS words
    $$""",
    f"""CREATE OR REPLACE FUNCTION claims_claim_search_refresh(target bigint) RETURNS void
    LANGUAGE sql AS $$
        {_POSTGRESQL_REFRESH.format(target="c.id = target")};
    $$""",
    f"""CREATE OR REPLACE FUNCTION claims_claim_search_on_claim() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM claims_claim_search WHERE claim_id = OLD.id;
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


def drop_sqlite_triggers(cursor, names=tuple(SQLITE_TRIGGERS)) -> None:
    for name in names:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def create_sqlite_triggers(cursor, names=tuple(SQLITE_TRIGGERS)) -> None:
    for name in names:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute(SQLITE_TRIGGERS[name])
