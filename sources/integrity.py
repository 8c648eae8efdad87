"""Integrity checks over stored spans."""

from __future__ import annotations

from dataclasses import dataclass

from .anchoring import context_of
from .models import Source, Span


@dataclass(frozen=True)
class BrokenSpan:
    span_id: int
    source_id: int
    reason: str


def find_broken_spans(*, source_id: int | None = None) -> tuple[int, list[BrokenSpan]]:
    """Check every anchored or relocated span: its quote is the text at its offsets, and its
    prefix/suffix are the context derived from them (stale context would publish a
    TextQuoteSelector contradicting the TextPositionSelector, and mislead the next
    re-anchoring). Returns (checked, broken).

    Reads one source's text at a time, so memory stays flat on large corpora.
    """
    sources = Source.objects.order_by("pk")
    if source_id is not None:
        sources = sources.filter(pk=source_id)
    checked = 0
    broken: list[BrokenSpan] = []
    for source_pk in sources.values_list("pk", flat=True).iterator():
        text = Source.objects.values_list("text", flat=True).get(pk=source_pk)
        spans = (
            Span.objects.filter(source_id=source_pk)
            .exclude(anchor_state=Span.AnchorState.ORPHANED)
            .values_list("pk", "start", "end", "quote", "prefix", "suffix")
        )
        for span_pk, start, end, quote, prefix, suffix in spans.iterator():
            checked += 1
            if not 0 <= start < end <= len(text):
                reason = f"offsets [{start}, {end}) outside the text (length {len(text)})"
            elif text[start:end] != quote:
                reason = f"quote {quote[:40]!r} differs from text[{start}:{end}] {text[start:end][:40]!r}"
            elif (prefix, suffix) != (derived := context_of(text, start, end)):
                side = "prefix" if prefix != derived[0] else "suffix"
                stored, expected = (prefix, derived[0]) if side == "prefix" else (suffix, derived[1])
                reason = (
                    f"{side} {stored!r} is not the context at its offsets, {expected!r} "
                    "(`manage.py reanchor` derives it again)"
                )
            else:
                continue
            broken.append(BrokenSpan(span_pk, source_pk, reason))
    return checked, broken
