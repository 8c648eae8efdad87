"""A quote as a reviewer judges it: with the words either side of it in its source."""

from __future__ import annotations

from django import template

from sources.anchoring import CONTEXT_LENGTH

register = template.Library()


def _whole_words_before(prefix: str) -> tuple[str, bool]:
    """The end of ``prefix`` from its first whole word, and whether the text goes on before
    it (a prefix as long as spans keep is cut from a longer text, maybe inside a word)."""
    if len(prefix) < CONTEXT_LENGTH:
        return prefix, False
    cut = next((index for index, char in enumerate(prefix) if char.isspace()), None)
    return (prefix if cut is None else prefix[cut + 1 :]), True


def _whole_words_after(suffix: str) -> tuple[str, bool]:
    if len(suffix) < CONTEXT_LENGTH:
        return suffix, False
    cut = next((index for index in range(len(suffix) - 1, -1, -1) if suffix[index].isspace()), None)
    return (suffix if cut is None else suffix[:cut]), True


@register.inclusion_tag("admin/claims/includes/quote_in_context.html")
def quote_in_context(span) -> dict:
    """The span's quote between its stored context (``CONTEXT_LENGTH`` code points a side),
    cut to whole words, with "…" where the text goes on."""
    before, more_before = _whole_words_before(span.prefix or "")
    after, more_after = _whole_words_after(span.suffix or "")
    return {"quote": span.quote, "before": before, "after": after, "more_before": more_before, "more_after": more_after}
