"""The source reader of the admin: the text with its spans highlighted, and select-to-span.

Source text is data: every character is HTML-escaped, so a ``<script>`` or the seeds'
literal ``<sup>`` tags stay text. The rendered container's text content equals the
source text exactly, which is what lets the browser turn a selection into offsets.

Other apps extend the reader without ``sources`` importing them: they register span links
(what cites a span) and selection extensions (more things to make from a selection).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.contrib.admin.models import ADDITION, LogEntry
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.text import normalize_newlines
from django.utils.safestring import SafeString, mark_safe

from project.admin import id_or_none, object_or_404
from project.errors import DomainError

from .models import Source, Span
from .services import span_create

HIGHLIGHTED_STATES = (Span.AnchorState.ANCHORED, Span.AnchorState.RELOCATED)


@dataclass(frozen=True)
class SpanLink:
    """Something that cites a span (a claim), shown beside it in the reader."""

    label: str
    url: str
    badge: str = ""  # a short state, e.g. a claim's status
    badge_label: str = ""


@dataclass(frozen=True)
class SelectionExtension:
    """More to do with a selection: a template included in the selection form, and the
    context it needs. Its submit button posts the same fields elsewhere (``formaction``)."""

    template_name: str
    context: Callable[[HttpRequest, Source], dict[str, Any] | None]


SpanLinkProvider = Callable[[Sequence[int]], dict[int, list[SpanLink]]]
_span_link_providers: list[SpanLinkProvider] = []
_selection_extensions: list[SelectionExtension] = []


def register_span_links(provider: SpanLinkProvider) -> SpanLinkProvider:
    """Register ``provider(span_ids) -> {span_id: [SpanLink, ...]}``; it must answer in a
    fixed number of queries, whatever the number of spans."""
    if provider not in _span_link_providers:
        _span_link_providers.append(provider)
    return provider


def register_selection_extension(extension: SelectionExtension) -> None:
    if extension not in _selection_extensions:
        _selection_extensions.append(extension)


def span_links(span_ids: Sequence[int]) -> dict[int, list[SpanLink]]:
    links: dict[int, list[SpanLink]] = defaultdict(list)
    if span_ids:
        for provider in _span_link_providers:
            for span_id, items in provider(span_ids).items():
                links[span_id].extend(items)
    return links


def escape_text(text: str) -> str:
    """HTML-escape ``text`` so that the parsed DOM text equals it character for character.

    The HTML parser turns every CR (and CR LF) into LF before anything else, so a CR is
    written as a character reference, which survives.
    """
    return escape(text).replace("\r", "&#13;")


def render_marked_text(text: str, spans: Sequence[Span]) -> SafeString:
    """``text`` escaped, each stretch covered by spans wrapped in one ``<mark>`` that names
    them (``data-spans``); spans may overlap or nest. An empty anchor ``#span-<id>`` marks
    where each span starts. Orphaned spans are left out: their offsets no longer hold."""
    length = len(text)
    placed = [s for s in spans if s.anchor_state in HIGHLIGHTED_STATES and 0 <= s.start < s.end <= length]
    starts: dict[int, list[Span]] = defaultdict(list)
    ends: dict[int, list[Span]] = defaultdict(list)
    points = {0, length}
    for span in placed:
        starts[span.start].append(span)
        ends[span.end].append(span)
        points.update((span.start, span.end))
    # Blank lines before the first and after the last words take room and say nothing: they
    # stay in the DOM (its text must equal the source text) but are not displayed.
    leading = len(text) - len(text.lstrip())
    trailing = len(text.rstrip())
    if placed:
        leading = min(leading, min(span.start for span in placed))
        trailing = max(trailing, max(span.end for span in placed))
    points.update(point for point in (leading, trailing) if 0 < point < length)
    ordered = sorted(points)
    active: list[Span] = []
    pieces: list[str] = []
    for left, right in zip(ordered, ordered[1:]):
        for span in ends.get(left, ()):
            active.remove(span)
        for span in starts.get(left, ()):
            active.append(span)
            pieces.append(f'<span class="cb-anchor" id="span-{span.pk}"></span>')
        segment = escape_text(text[left:right])
        if active:
            names = " ".join(str(span.pk) for span in active)
            depth = min(len(active), 3)
            # Not focusable: Chromium starts no selection on a drag that begins on a
            # focusable element, and citing a highlighted passage again must work.
            pieces.append(f'<mark class="cb-mark cb-depth-{depth}" data-spans="{names}">{segment}</mark>')
        elif (right <= leading or left >= trailing) and not text[left:right].strip():
            pieces.append(f'<span class="cb-edge-space">{segment}</span>')
        else:
            pieces.append(segment)
    return mark_safe("".join(pieces))


def span_summary(span: Span, links: list[SpanLink]) -> dict[str, Any]:
    """What the reader's popover shows for a span (serialised with ``json_script``)."""
    quote = span.quote if len(span.quote) <= 240 else span.quote[:237] + "..."
    return {
        "id": span.pk,
        "quote": quote,
        "start": span.start,
        "end": span.end,
        "state": span.anchor_state,
        "url": reverse("admin:sources_span_change", args=[span.pk]),
        "links": [
            {"label": link.label, "url": link.url, "badge": link.badge, "badge_label": link.badge_label}
            for link in links
        ],
    }


# How a kind of original is named to a reader: (with its article, without).
_MEDIA_NAMES = {
    "text/plain": ("a plain-text file", "plain-text file"),
    "text/markdown": ("a Markdown file", "Markdown file"),
    "text/html": ("an HTML page", "HTML page"),
    "application/xhtml+xml": ("an XHTML page", "XHTML page"),
    "application/pdf": ("a PDF", "PDF"),
}


def media_name(media_type: str, *, article: bool = False) -> str:
    """"an HTML page" (``article``) or "HTML page" for ``text/html``; an original of a type
    not read any more (an import's) by its type."""
    named = _MEDIA_NAMES.get(media_type)
    if named is None:
        return f"its {media_type} original" if article else f"{media_type} original"
    return named[0] if article else named[1]


def _origin(source: Source) -> dict:
    """Where the reader says the text came from: its original (kind, size, download) and the
    page at its URL (an http or https one: a link is followed)."""
    page = source.url if (source.url or "").lower().startswith(("http://", "https://")) else ""
    if not source.original_sha256:
        return {"page_url": page}
    return {
        "page_url": page,
        "original_url": reverse("source-original", args=[source.pk]),
        "original_name": media_name(source.original_media_type),
        "original_size": source.original_size,
    }


def reader_context(request: HttpRequest, source: Source, spans: Sequence[Span], links) -> dict:
    """The context of the reader on the source page."""
    can_select = request.user.has_perm("sources.add_span")
    extensions = []
    if can_select:
        for extension in _selection_extensions:
            context = extension.context(request, source)
            if context is not None:
                extensions.append({"template_name": extension.template_name, **context})
    return {
        "marked_text": render_marked_text(source.text, spans),
        "span_data": {str(span.pk): span_summary(span, links.get(span.pk, [])) for span in spans},
        "highlighted_count": sum(1 for span in spans if span.anchor_state in HIGHLIGHTED_STATES),
        "orphaned_count": sum(1 for span in spans if span.anchor_state == Span.AnchorState.ORPHANED),
        "can_select": can_select,
        "origin": _origin(source),
        "span_from_selection_url": reverse(
            "admin:sources_source_span_from_selection", args=[source.pk]
        ),
        "selection_extensions": extensions,
    }


class SelectionForm(forms.Form):
    """A selection in the reader: code point offsets and the quote they should cover."""

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    # Never stripped: the service compares it with the text character for character.
    quote = forms.CharField(strip=False)

    def clean_quote(self) -> str:
        # Browsers post every line break of a form as CR LF; source text has LF only.
        return normalize_newlines(self.cleaned_data["quote"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None and start >= end:
            raise forms.ValidationError("The selection is empty.")
        return cleaned


def form_errors_text(form: forms.Form) -> str:
    return " ".join(
        f"{'' if name == '__all__' else name + ': '}{' '.join(errors)}"
        for name, errors in form.errors.items()
    )


def wants_json(request: HttpRequest) -> bool:
    """The reader posts with ``fetch`` and asks for JSON: an error then leaves the page, the
    selection and everything typed as they were."""
    return request.headers.get("Accept", "").startswith("application/json")


def refusal(request: HttpRequest, page: str, message: str, *, status: int = 400, errors=None) -> HttpResponse:
    """A refused selection: JSON for the reader's script, else a message on the page."""
    if wants_json(request):
        return JsonResponse({"detail": message, "errors": errors or {}}, status=status)
    messages.error(request, message)
    return HttpResponseRedirect(page)


def done(request: HttpRequest, url: str, message: str, *, level: int = messages.SUCCESS) -> HttpResponse:
    """A selection turned into something: a message for the next page, and that page."""
    messages.add_message(request, level, message)
    if wants_json(request):
        return JsonResponse({"redirect": url})
    return HttpResponseRedirect(url)


def log_addition(request: HttpRequest, obj, message: str) -> None:
    """Record what a reader view made in the admin's "Recent actions", as the add form does."""
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[obj],
        action_flag=ADDITION,
        change_message=message,
        single_object=True,
    )


def quote_for_people(quote: str, limit: int = 80) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1] + "…"


def span_from_selection_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """POST ``start``, ``end``, ``quote``: make that passage a span (or find the identical
    one) through ``span_create``, which checks that the quote sits at the offsets. Back to
    the source page, at the span."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if wants_json(request):
        # The reader's script reads a refusal's ``detail``, not a page of HTML.
        source = model_admin.get_object(request, object_id) if id_or_none(object_id) else None
        if source is None:
            return JsonResponse({"detail": "No span made: this source no longer exists (it was deleted).", "errors": {}}, status=404)
    else:
        source = object_or_404(model_admin, request, object_id)
    if not (model_admin.has_view_permission(request, source) and request.user.has_perm("sources.add_span")):
        raise PermissionDenied
    page = reverse("admin:sources_source_change", args=[source.pk])
    form = SelectionForm(request.POST)
    if not form.is_valid():
        return refusal(request, page, f"No span made: {form_errors_text(form)}", errors=form.errors)
    try:
        span, created = span_create(
            source=source,
            user=request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            quote=form.cleaned_data["quote"],
        )
    except DomainError as error:
        return refusal(request, page, f"No span made: {error.message}", status=error.status_code)
    target = f"{page}#span-{span.pk}"
    if not created:
        return done(request, target, f"“{quote_for_people(span.quote)}” is already span #{span.pk}.", level=messages.INFO)
    log_addition(request, span, "Added from a selection in the reader.")
    return done(request, target, f"Span #{span.pk} created: “{quote_for_people(span.quote)}”.")
