"""Moving claims in and out as JSON Lines: ``import_claims`` and ``export_claims``.

One JSON object per line, in the format ``claims.transfer.lines`` defines for both sides.
A line's ``type`` is ``claim`` (the default), ``source``, ``span``, ``entity`` or
``relation``; sources, entities and the spans no claim cites may precede the claims, so
that an export taken with ``--with-sources`` loads into an empty database::

    {"type": "source", "uid": "...", "title": "...", "url": "https://...", "text": "...",
     "created_by": "analyst", "created_at": "...", ...}
    {"type": "entity", "slug": "iran", "name": "Iran", "kind": "country", ...}
    {"type": "span", "uid": "...", "source_uid": "...", "start": 10, "end": 30, ...}
    {"uid": "...", "author": "analyst", "text": "Russia voted six times ...",
     "status": "published", "verdict": "supported", "confidence": "high",
     "reviewer": "reviewer", "supersedes": null, "contributors": ["analyst"],
     "contributed_at": ["..."], "entities": ["iran", "russia"],
     "evidence": [{"span_uid": "...", "source_uid": "...", "source_sha256": "9f2c...",
                   "start": 120, "end": 182, "quote": "Russia voted six times",
                   "anchor_state": "anchored", "stance": "supports", "note": "",
                   "added_by": "analyst", "created_at": "...", ...}],
     "reviews": [{"actor": "analyst", "action": "submit", ...}], ...}

Identity: sources, spans and claims carry a ``uid`` (two claims with the same author and
text are two claims; two sources with the same text are two sources). A source line with a
uid is that source: present when the database holds the uid (with the same text; another
text is a line error), new otherwise, whatever other source holds its text; a file holds
each uid once. A source line without one is known by its text's SHA-256, a claim line
without one by ``(author, text)``, an entity by its slug (the same slug with another name or
kind is a line error), so a second import of the same file changes nothing. Evidence names
its source by ``source_uid``; when no source has that uid (a file from before uids
travelled, or claims exported without their sources into a database that has them under
other uids), by ``source_sha256`` (the oldest source with that text) or ``source_url``. Its
passage is given by offsets (a ``quote`` sent along must match) or by ``quote`` with
``prefix``/``suffix``/``occurrence``, exactly as the API's span creation does. A correction
names the claim it supersedes by uid (above or below it, or already in the database); an
export filtered by status also writes the claims its claims supersede, so that it loads.
Dates (creation, update, first contribution) and creators travel with every row; the
field history does not: each imported row starts it with one record, "Imported", by the
row's creator (or the ``--user`` given).

Each line is checked by the predicates the services enforce (``claims.rules``): what its
status needs; each moderation log entry as ``claim_transition`` checks a transition (who may
take it, the comment it needs, the four-eyes rule, where whoever added evidence counts as a
contributor), the log ending at the status, the reviewer being its last decider; and a
published claim whose correction is published is refused, as the API refuses it. Times
must carry their UTC offset.

Nothing is half-imported. The file is read once, in batches, inside one transaction: each
line is checked against the database (authors, reviewers, entities, sources, offsets, the
workflow's invariants for the claimed status) and, while no line has failed, each batch is
written with its spans, evidence, entity links, moderation log and first history record.
After the first invalid line nothing more is written, the rest of the file is still checked
so that every offending line is reported with its number, and the transaction rolls back.
Corrections and relations are resolved once every claim is in; after a refused line they
are still looked for, so that one pass reports every invalid line.
A crash or an interrupt half-way rolls back too: a claim never exists without its evidence,
and running the import again starts from a clean slate. On SQLite the import holds the
database's write lock until it commits (readers go on; other writers wait for it, up to the
busy timeout); on PostgreSQL other writers are not held up.

Speed: rows are written with multi-row INSERTs (``COPY`` on PostgreSQL) with ids reserved up
front, the full-text index is built a batch at a time instead of by trigger, in a second
thread while the next batch is checked (``rows.WriterThread``), and on PostgreSQL the
planner's statistics are refreshed as the import grows the tables.

Memory stays flat: lines are read and written in batches; source texts are kept in a cache
with a byte budget; only the usernames and entity slugs are remembered throughout.
"""

from .exporting import export_claims
from .importing import Importer, import_claims
from .records import DEFAULT_BATCH_SIZE, ImportRefused, ImportReport, LineError
from .rows import RowWriter, SearchIndexDeferral

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ImportRefused",
    "ImportReport",
    "Importer",
    "LineError",
    "RowWriter",
    "SearchIndexDeferral",
    "export_claims",
    "import_claims",
]
