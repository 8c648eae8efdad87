"""Operations on sources and spans. The admin, the API and the commands all call these."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.dispatch import Signal

from project.errors import Conflict, InvalidInput

from . import anchoring
from .models import Source, Span

# Sent, inside the transaction, after spans changed anchor state or offsets; receivers get
# ``span_ids``. The claims app listens, so that ``sources`` never imports ``claims``.
spans_reanchored = Signal()

SOURCE_FIELDS = (
    "title",
    "url",
    "publisher",
    "authors",
    "published_on",
    "retrieved_at",
    "language",
    "kind",
    "reliability",
    "notes",
)


class AnchoringFailed(InvalidInput):
    """A span could not be placed; carries the anchoring error's code and candidates."""

    @classmethod
    def from_error(cls, error: anchoring.AnchoringError) -> AnchoringFailed:
        extra: dict[str, Any] = {}
        if isinstance(error, anchoring.AmbiguousQuote):
            extra["candidates"] = [candidate.as_dict() for candidate in error.candidates]
        if isinstance(error, anchoring.QuoteMismatch):
            extra["actual"] = error.actual
        return cls(str(error), code=error.code, extra=extra)


def source_create(*, user=None, text: str, **fields: Any) -> Source:
    """Create a source; its text is stored exactly as given."""
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown source fields: {', '.join(sorted(unknown))}.")
    if not text:
        raise InvalidInput("A source needs its text.", code="empty_text")
    source = Source(text=text, created_by=user, **fields)
    source.full_clean()
    source.save()
    return source


@transaction.atomic
def source_update(*, source: Source, user=None, text: str | None = None, **fields: Any) -> dict:
    """Update metadata and, when ``text`` changes, re-anchor every span in the same transaction.

    Returns the re-anchoring summary (``kept``, ``relocated``, ``orphaned``), empty when the
    text did not change.
    """
    unknown = set(fields) - set(SOURCE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown source fields: {', '.join(sorted(unknown))}.")
    source = Source.objects.select_for_update().get(pk=source.pk)
    for name, value in fields.items():
        setattr(source, name, value)
    summary: dict = {}
    if text is not None and text != source.text:
        if not text:
            raise InvalidInput("A source needs its text.", code="empty_text")
        source.text = text
        source.full_clean()
        source.save()
        summary = reanchor_spans(source=source)
    else:
        source.full_clean()
        source.save()
    return summary


def source_update_text(*, source: Source, text: str, user=None) -> dict:
    """Replace a source's text and re-anchor its spans; see ``source_update``."""
    return source_update(source=source, user=user, text=text)


def source_delete(*, source: Source) -> None:
    """A source that has spans cannot be deleted: citations would lose their ground."""
    try:
        with transaction.atomic():
            source.delete()
    except ProtectedError as error:
        raise Conflict(
            f"This source has {source.spans.count()} span(s); delete them first.",
            code="source_has_spans",
        ) from error


def reanchor_spans(*, source: Source, spans: Iterable[Span] | None = None) -> dict:
    """Re-anchor spans of ``source`` against its current text.

    A span stays where its quote still sits; else it moves to an exact match of its quote
    (context first, then distance) and is marked relocated; else it is marked orphaned with
    its quote unchanged, so it never silently points at other words.
    """
    text = source.text
    summary: Counter = Counter(kept=0, relocated=0, orphaned=0)
    changed: list[Span] = []
    for span in spans if spans is not None else source.spans.all():
        result = anchoring.reanchor(
            text,
            quote=span.quote,
            start=span.start,
            end=span.end,
            prefix=span.prefix,
            suffix=span.suffix,
        )
        state = str(result.state)
        before = (span.start, span.end, span.anchor_state, span.suggested_start)
        if state == Span.AnchorState.ORPHANED:
            summary["orphaned"] += 1
            span.anchor_state = Span.AnchorState.ORPHANED
            suggestion = result.suggestion
            span.suggested_start = suggestion.start if suggestion else None
            span.suggested_end = suggestion.end if suggestion else None
            span.suggestion_score = suggestion.score if suggestion else None
        else:
            moved = (result.start, result.end) != (span.start, span.end)
            summary["relocated" if moved else "kept"] += 1
            span.start, span.end = result.start, result.end
            span.prefix, span.suffix = anchoring.context_of(text, span.start, span.end)
            if moved:
                span.anchor_state = Span.AnchorState.RELOCATED
            elif span.anchor_state == Span.AnchorState.ORPHANED:
                # The words came back exactly where they were.
                span.anchor_state = Span.AnchorState.RELOCATED
            span.suggested_start = span.suggested_end = span.suggestion_score = None
        if before != (span.start, span.end, span.anchor_state, span.suggested_start):
            span.save()
            changed.append(span)
    if changed:
        spans_reanchored.send(sender=Span, span_ids=[span.pk for span in changed])
    return dict(summary)


def span_create(
    *,
    source: Source,
    user=None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
    occurrence: int | None = None,
) -> tuple[Span, bool]:
    """Create a span by offsets (a quote may come too and must match) or by quote.

    By quote, ``occurrence`` (1-based) or ``prefix``/``suffix`` choose among repeats; an
    ambiguous quote is refused with every candidate. Returns ``(span, created)``: an
    anchored span at the same offsets is reused rather than duplicated.
    """
    text = source.text
    try:
        if start is not None or end is not None:
            if start is None or end is None:
                raise InvalidInput("Give both start and end, or a quote.", code="offsets_incomplete")
            if occurrence is not None:
                raise InvalidInput(
                    "occurrence chooses among repeats of a quote; not with offsets.",
                    code="occurrence_with_offsets",
                )
            candidate = anchoring.resolve_offsets(text, start, end, quote)
        elif quote is not None:
            candidate = anchoring.resolve_quote(
                text, quote, prefix=prefix or None, suffix=suffix or None, occurrence=occurrence
            )
        else:
            raise InvalidInput("Give start and end, or a quote.", code="span_unspecified")
    except anchoring.AnchoringError as error:
        raise AnchoringFailed.from_error(error) from error
    existing = (
        Span.objects.filter(
            source=source,
            start=candidate.start,
            end=candidate.end,
            anchor_state__in=[Span.AnchorState.ANCHORED, Span.AnchorState.RELOCATED],
        )
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing, False
    span_prefix, span_suffix = anchoring.context_of(text, candidate.start, candidate.end)
    span = Span.objects.create(
        source=source,
        start=candidate.start,
        end=candidate.end,
        quote=text[candidate.start : candidate.end],
        prefix=span_prefix,
        suffix=span_suffix,
        created_by=user,
    )
    return span, True


def span_delete(*, span: Span) -> None:
    """A span used as evidence cannot be deleted: a claim would lose its citation."""
    try:
        with transaction.atomic():
            span.delete()
    except ProtectedError as error:
        raise Conflict(
            "This span is used as evidence; remove the evidence first.", code="span_in_use"
        ) from error
