"""The line format of ``export_claims`` and ``import_claims``: one definition, both sides.

Each record type lists its fields in the order the exporter writes them; the importer
reads exactly these and refuses a field it does not know (a typo would otherwise be lost
silently). Values are JSON: dates and times in ISO 8601, people by username, sources by
the SHA-256 of their text (or URL), entities by slug, and sources, spans and claims by their
``uid``, the identity they keep across databases.

A source kept with its original file (uploaded or fetched) carries the original's SHA-256,
media type, charset (the encoding its text was read in; "" for a PDF, and for an original
stored before it was kept; a line without it, written before it travelled, imports as "")
and size; its bytes too, base64-encoded in ``original``, when the export was
asked for them (``--with-originals``); otherwise ``original`` is null and the importer links
the file its storage already holds under that hash, or records the hash alone (the report
counts those). A relation between two claims is a line of its own, naming both by uid.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

SOURCE = "source"
SPAN = "span"
ENTITY = "entity"
CLAIM = "claim"
RELATION = "relation"
TYPES = (CLAIM, SOURCE, SPAN, ENTITY, RELATION)

SOURCE_FIELDS = (
    "type", "uid", "title", "url", "publisher", "authors", "published_on", "retrieved_at",
    "language", "kind", "reliability", "notes", "text",
    "original_sha256", "original_media_type", "original_charset", "original_size", "original",
    "created_by", "created_at", "updated_at",
)
# Where the re-anchoring thinks an orphaned span's words went (offsets in the source's text
# as it is, and the match's score, 0 to 100), as the API shows it: written for an orphaned
# span that has one, all three or none; a line without them (every line before they
# travelled) has no suggestion.
SUGGESTION_FIELDS = ("suggested_start", "suggested_end", "suggestion_score")
# A span no claim cites (with ``--with-sources``; a cited span travels inside the evidence
# that cites it): its source by uid (or text hash), its passage as the evidence gives one.
SPAN_FIELDS = (
    "type", "uid", "source_uid", "source_sha256", "start", "end", "quote", "prefix", "suffix",
    "anchor_state", *SUGGESTION_FIELDS, "created_by", "created_at", "updated_at",
)
ENTITY_FIELDS = ("type", "slug", "name", "kind", "wikidata_id", "aliases")
CLAIM_FIELDS = (
    "type", "uid", "author", "text", "status", "verdict", "confidence", "reviewer",
    "period_start", "period_end", "notes", "version", "created_at", "updated_at",
    "submitted_at", "published_at", "supersedes", "contributors", "contributed_at", "entities",
    "evidence", "reviews",
)
# ``contributed_at``: when each of ``contributors`` (same order) first contributed; a file
# without it dates them all at the claim's creation.
# A span is named by its uid; its source and passage by offsets (a quote sent along must
# match, and a prefix/suffix must agree with the text around them, as the API's span
# creation requires) or by quote, with prefix/suffix/occurrence choosing among repeats. An
# orphaned span carries its old offsets, quote and context; the exporter writes no context
# for the others in evidence, and in a span line the context derived from the text, which
# agrees. ``source_uid`` names the source when it is known (two sources may hold the same
# text); the hash or URL is the fallback when no source has that uid (a file written before
# uids travelled, or another database's source).
EVIDENCE_FIELDS = (
    "span_uid", "source_uid", "source_sha256", "source_url", "start", "end", "quote", "prefix", "suffix",
    "occurrence", "anchor_state", *SUGGESTION_FIELDS, "stance", "note", "added_by", "created_at",
    "span_created_by", "span_created_at", "span_updated_at",
)
REVIEW_FIELDS = ("actor", "action", "from_status", "to_status", "comment", "created_at")
# ``from_claim`` is a duplicate of, contradicts, or is related to ``to_claim`` (uids).
RELATION_FIELDS = ("type", "from_claim", "to_claim", "kind", "note", "created_by", "created_at")

FIELDS = {
    SOURCE: SOURCE_FIELDS, SPAN: SPAN_FIELDS, ENTITY: ENTITY_FIELDS, CLAIM: CLAIM_FIELDS, RELATION: RELATION_FIELDS,
}


@functools.cache
def _known(fields: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fields)


def unknown_fields(record: dict, fields: tuple[str, ...]) -> list[str]:
    """The record's fields that ``fields`` does not define, sorted (read for every line and
    every evidence item of an import: a set difference, not a scan of the tuple per key)."""
    known = _known(fields)
    return [] if known.issuperset(record) else sorted(record.keys() - known)


def json_value(value: Any) -> Any:
    """A model value as the format writes it."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "hex") and not isinstance(value, (str, bytes, int, float)):
        return str(value)  # a UUID
    return value


def record(kind: str, values: dict) -> dict:
    """A record of ``kind`` with ``values`` in the format's field order; a field the format
    does not define is a bug of the writer."""
    fields = FIELDS[kind]
    stray = unknown_fields(values, fields)
    if stray:
        raise ValueError(f"not in the {kind} line format: {', '.join(stray)}")
    return {name: json_value(values[name]) for name in fields if name in values}
