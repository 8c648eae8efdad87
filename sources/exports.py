"""A span as a W3C Web Annotation (https://www.w3.org/TR/annotation-model/).

The target is the source document, narrowed by a TextQuoteSelector (the quote and its
context) and a TextPositionSelector (code point offsets, half-open, the unit spans use).
An orphaned span's offsets no longer point at its quote, so it carries the quote selector
only: a client then searches for the words rather than trusting stale positions.
"""

from __future__ import annotations

import datetime

from .models import Span

ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def span_annotation(span: Span, *, annotation_iri: str, source_iri: str) -> dict:
    """The annotation for ``span``; ``source_iri`` names the document (its URL when it has
    one, else the API address of the source)."""
    selectors: list[dict] = [
        {
            "type": "TextQuoteSelector",
            "exact": span.quote,
            "prefix": span.prefix,
            "suffix": span.suffix,
        }
    ]
    if not span.is_orphaned:
        selectors.append({"type": "TextPositionSelector", "start": span.start, "end": span.end})
    source = span.source
    return {
        "@context": ANNOTATION_CONTEXT,
        "id": annotation_iri,
        "type": "Annotation",
        "motivation": "highlighting",
        "created": _timestamp(span.created_at),
        "modified": _timestamp(span.updated_at),
        "target": {
            "type": "SpecificResource",
            "source": {
                "id": source_iri,
                "type": "Text",
                "format": "text/plain",
                "language": source.language,
            },
            "selector": selectors,
        },
    }
