"""Full-text search of claims (see ``claims/search.py``).

The indexed document of a claim is its text plus the quotes of its evidence spans. Those
live in three tables, which an expression index cannot span, so each engine gets a
document table kept in sync by triggers:

- SQLite: the FTS5 virtual table ``claims_claim_fts`` (rowid = claim id);
- PostgreSQL: ``claims_claim_search`` (claim id, tsvector) with a GIN index, and the
  ``pg_trgm`` extension for the near-duplicate detection to come.

Note for later migrations on SQLite: Django rebuilds a table to alter it, and dropping
``claims_claim`` or ``claims_evidence`` drops their triggers too; such a migration must run
``SQLITE_TRIGGERS`` again (the search tests fail loudly if it does not).
"""

from django.db import migrations

# The document of claim ``{id}``: text and quotes, in evidence order, cut at 100,000
# characters (a tsvector holds at most 1 MB; a span may quote a whole report).
DOCUMENT_LIMIT = 100_000

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

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER claims_claim_fts_insert AFTER INSERT ON claims_claim BEGIN
        {_SQLITE_REFRESH.format(id="new.id")}
    END""",
    f"""CREATE TRIGGER claims_claim_fts_update AFTER UPDATE OF text ON claims_claim
        WHEN old.text IS NOT new.text BEGIN
        {_SQLITE_REFRESH.format(id="new.id")}
    END""",
    """CREATE TRIGGER claims_claim_fts_delete AFTER DELETE ON claims_claim BEGIN
        DELETE FROM claims_claim_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER claims_evidence_fts_insert AFTER INSERT ON claims_evidence BEGIN
        {_SQLITE_REFRESH.format(id="new.claim_id")}
    END""",
    f"""CREATE TRIGGER claims_evidence_fts_update AFTER UPDATE OF claim_id, span_id ON claims_evidence BEGIN
        {_SQLITE_REFRESH.format(id="old.claim_id")}
        {_SQLITE_REFRESH.format(id="new.claim_id")}
    END""",
    f"""CREATE TRIGGER claims_evidence_fts_delete AFTER DELETE ON claims_evidence BEGIN
        {_SQLITE_REFRESH.format(id="old.claim_id")}
    END""",
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE claims_claim_fts USING fts5("
    "document, tokenize = 'porter unicode61 remove_diacritics 2')",
    *SQLITE_TRIGGERS,
    "INSERT INTO claims_claim_fts (rowid, document) SELECT c.id, substr(c.text || ' ' || coalesce("
    "(SELECT group_concat(s.quote, ' ') FROM claims_evidence e JOIN sources_span s "
    f"ON s.id = e.span_id WHERE e.claim_id = c.id), ''), 1, {DOCUMENT_LIMIT}) FROM claims_claim c",
]

SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {name}"
        for name in (
            "claims_claim_fts_insert",
            "claims_claim_fts_update",
            "claims_claim_fts_delete",
            "claims_evidence_fts_insert",
            "claims_evidence_fts_update",
            "claims_evidence_fts_delete",
        )
    ),
    "DROP TABLE IF EXISTS claims_claim_fts",
]

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # No foreign key: a TRUNCATE of the claims (test flushes) must not need CASCADE. The
    # delete trigger removes a claim's row; the upsert overwrites any stale one.
    """CREATE TABLE claims_claim_search (
        claim_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )""",
    "CREATE INDEX claims_claim_search_document ON claims_claim_search USING gin (document)",
    f"""CREATE FUNCTION claims_claim_search_refresh(target bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO claims_claim_search (claim_id, document)
        SELECT c.id, to_tsvector('english'::regconfig, left(c.text || ' ' || coalesce(
            (SELECT string_agg(s.quote, ' ' ORDER BY e.id) FROM claims_evidence e
             JOIN sources_span s ON s.id = e.span_id WHERE e.claim_id = c.id), ''), {DOCUMENT_LIMIT}))
        FROM claims_claim c WHERE c.id = target
        ON CONFLICT (claim_id) DO UPDATE SET document = EXCLUDED.document;
    $$""",
    """CREATE FUNCTION claims_claim_search_on_claim() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM claims_claim_search WHERE claim_id = OLD.id;
            RETURN OLD;
        END IF;
        PERFORM claims_claim_search_refresh(NEW.id);
        RETURN NEW;
    END $$""",
    """CREATE FUNCTION claims_claim_search_on_evidence() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM claims_claim_search_refresh(OLD.claim_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM claims_claim_search_refresh(NEW.claim_id);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER claims_claim_search_insert AFTER INSERT ON claims_claim
        FOR EACH ROW EXECUTE FUNCTION claims_claim_search_on_claim()""",
    """CREATE TRIGGER claims_claim_search_update AFTER UPDATE OF text ON claims_claim
        FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text)
        EXECUTE FUNCTION claims_claim_search_on_claim()""",
    """CREATE TRIGGER claims_claim_search_delete AFTER DELETE ON claims_claim
        FOR EACH ROW EXECUTE FUNCTION claims_claim_search_on_claim()""",
    """CREATE TRIGGER claims_evidence_search AFTER INSERT OR DELETE OR UPDATE OF claim_id, span_id
        ON claims_evidence FOR EACH ROW EXECUTE FUNCTION claims_claim_search_on_evidence()""",
    "SELECT claims_claim_search_refresh(id) FROM claims_claim",
]

POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS claims_evidence_search ON claims_evidence",
    "DROP TRIGGER IF EXISTS claims_claim_search_delete ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_claim_search_update ON claims_claim",
    "DROP TRIGGER IF EXISTS claims_claim_search_insert ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_search_on_evidence()",
    "DROP FUNCTION IF EXISTS claims_claim_search_on_claim()",
    "DROP FUNCTION IF EXISTS claims_claim_search_refresh(bigint)",
    "DROP TABLE IF EXISTS claims_claim_search",
    # pg_trgm stays: other objects may use it by then.
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(
                f"Claim search supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}."
            )
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_roles"),
        ("sources", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        )
    ]
