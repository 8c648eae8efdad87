"""Moving claims in and out as JSON Lines: ``import_claims`` and ``export_claims``.

One JSON object per line, in the format ``claims.transfer.lines`` defines for both sides.
A line's ``type`` is ``claim`` (the default), ``source`` or ``entity``; sources and entities
may precede the claims that cite them, so that an export taken with ``--with-sources`` loads
into an empty database::

    {"type": "source", "uid": "...", "title": "...", "url": "https://...", "text": "...", ...}
    {"type": "entity", "slug": "iran", "name": "Iran", "kind": "country", ...}
    {"uid": "...", "author": "analyst", "text": "Russia voted six times ...",
     "status": "published", "verdict": "supported", "confidence": "high",
     "reviewer": "reviewer", "supersedes": null, "contributors": ["analyst"],
     "entities": ["iran", "russia"],
     "evidence": [{"span_uid": "...", "source_sha256": "9f2c...", "start": 120, "end": 182,
                   "quote": "Russia voted six times", "anchor_state": "anchored",
                   "stance": "supports", "note": "", "added_by": "analyst"}],
     "reviews": [{"actor": "analyst", "action": "submit", ...}], ...}

Identity: sources, spans and claims carry a ``uid`` (two claims with the same author and
text are two claims); a claim line without one is known by ``(author, text)``, a source by
its text's SHA-256 (or URL), an entity by its slug, so a second import of the same file
changes nothing. A correction names the claim it supersedes by uid (above or below it, or
already in the database). Evidence names its source by ``source_sha256`` or
``source_url`` and its passage by offsets (a ``quote`` sent along must match) or by
``quote`` with ``prefix``/``suffix``/``occurrence``, exactly as the API's span creation
does. Each line is checked by the predicates the services enforce (``claims.rules``).

Nothing is half-imported. The file is read once, in batches, inside one transaction: each
line is checked against the database (authors, reviewers, entities, sources, offsets, the
workflow's invariants for the claimed status) and, while no line has failed, each batch is
written with its spans, evidence, entity links, moderation log and first history record.
After the first invalid line nothing more is written, the rest of the file is still checked
so that every offending line is reported with its number, and the transaction rolls back.
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
