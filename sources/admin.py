"""Admin for sources and spans: a thin adapter over ``sources.services``.

Rules the admin keeps: creating, editing and deleting go through the services (an edited
text re-anchors every span; a source with spans or a span used as evidence is not deleted,
and the delete button is hidden where it cannot succeed); text is never stripped or
interpreted as HTML.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.contrib.admin.options import IS_POPUP_VAR
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.models import ModelChange

from project.errors import Conflict, InvalidInput
from project.admin import (
    DomainErrorsAsMessages,
    EstimatedCountPaginator,
    RevisionCheckedAdmin,
    ServiceHistoryAdmin,
    badge,
    id_or_none,
    run_each,
)

from . import anchoring
from .admin_ingest import SourceIngestAdminMixin
from .admin_views import media_name, reader_context, span_from_selection_view, span_links
from .ingest.html import host_name
from .models import Source, Span, with_source_titles
from .uploads import add_replaced_bytes_errors
from .services import (
    SOURCE_FIELDS,
    normalise_line_endings,
    parsed_content_revision,
    refuse_taken_url,
    source_create,
    source_delete,
    source_delete_problem,
    source_may_be_deleted,
    source_revision,
    source_update,
    span_create,
    spans_orphaned_by,
    span_delete,
    span_delete_problem,
)


def adopt(target, saved) -> None:
    """Make the admin's unsaved ``target`` the row a service saved, so that the admin's
    log and redirect point at it."""
    for model_field in saved._meta.concrete_fields:
        setattr(target, model_field.attname, getattr(saved, model_field.attname))
    target._state.adding = False
    target._state.db = saved._state.db


def links_html(links) -> str:
    if not links:
        return "—"
    return format_html_join(
        "",
        '<div class="cb-cited"><a class="cb-link" href="{}">{}</a> {}</div>',
        ((link.url, link.label, badge("status", link.badge, link.badge_label) if link.badge else "") for link in links),
    )


def _formfield(model_field, **kwargs):
    # URLs without a scheme are https, also where the admin builds the field itself (the
    # read-only page of an old version).
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


def evidence_lost(source: Source, text: str) -> str:
    """What saving ``text`` as ``source``'s text would take the words from, for a person to
    confirm (the source's form and the restoring of an old version ask it): "N cited
    passage(s): saving it orphans their evidence." and each passage with the claims citing
    it, as HTML; "" when no cited passage would lose its words."""
    orphaned = spans_orphaned_by(source, text)
    links = span_links([span.pk for span in orphaned])
    cited = [(span, links[span.pk]) for span in orphaned if links.get(span.pk)]
    if not cited:
        return ""

    def citations(span_citations) -> str:
        return format_html_join(
            "; ", '<a href="{}">{}</a> {}',
            ((link.url, link.label, badge("status", link.badge, link.badge_label) if link.badge else "") for link in span_citations),
        )

    items = format_html_join(
        "", "<li>“{}”, cited by {}</li>", ((span.quote[:120], citations(span_citations)) for span, span_citations in cited)
    )
    return format_html(
        "{} cited passage{}: saving it orphans their evidence.<ul>{}</ul>", len(cited), "" if len(cited) == 1 else "s", items
    )


# A saved text longer than this many characters is not written into the change page's form
# (the reader shows it already): it is loaded when the person asks to edit it.
FORM_TEXT_LIMIT = 1_000_000


class DeferredTextarea(forms.Textarea):
    """The text of a long source, loaded on request (``sources/deferred_text.js``, from
    ``text_url``): written into the page, a 30 MB text made the page 60 MB, the reader's copy
    and the form's. Until it is loaded, the textarea and its ``text_loaded`` flag are
    disabled, so the browser sends neither and the form keeps the saved text."""

    def __init__(self, *, text_url: str, length: int, attrs=None) -> None:
        super().__init__(attrs)
        self.text_url, self.length = text_url, length

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        area_id = attrs.get("id") or f"id_{name}"
        area = super().render(name, "", {**attrs, "disabled": True, "hidden": True}, renderer)
        return format_html(
            '<div class="cb-deferred-text"><p class="cb-deferred-text-note" role="status">The text is {} characters '
            "long: it is loaded to be edited, not with the page. "
            '<button type="button" class="button" data-load-text="{}" data-target="{}">Load the text to edit it</button>'
            '</p>{}<input type="hidden" name="text_loaded" value="1" id="{}_loaded" disabled></div>',
            f"{self.length:,}", self.text_url, area_id, area, area_id,
        )


class SourceForm(forms.ModelForm):
    url = forms.URLField(
        max_length=2000, required=False, assume_scheme="https", label="URL", widget=forms.URLInput(attrs={"class": "vURLField"})
    )
    # Shown when an edited text would take the words from evidence (``clean``).
    orphans_confirmed = forms.BooleanField(
        required=False, widget=forms.HiddenInput, label="Save anyway",
        help_text="The evidence named above loses its words; each claim citing it will need attention.",
    )

    class Meta:
        model = Source
        fields = "__all__"
        formfield_callback = _formfield
        # Stored verbatim: nothing stripped.
        field_classes = {"text": forms.CharField}
        widgets = {"text": forms.Textarea(attrs={"rows": 24, "class": "cb-text-input"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "text" in self.fields:  # absent from a read-only page
            self.fields["text"].strip = False
            instance = self.instance
            long_text = instance.pk is not None and (instance.text_length or 0) > FORM_TEXT_LIMIT
            if long_text and not (self.is_bound and self.data.get("text_loaded") == "1"):
                # Not loaded: the saved text, whatever is sent (Django reads a disabled
                # field from its initial value).
                self.fields["text"].disabled = True
                self.fields["text"].widget = DeferredTextarea(
                    text_url=reverse("admin:sources_source_text", args=[instance.pk]),
                    length=instance.text_length,
                    attrs=self.fields["text"].widget.attrs,
                )

    def _get_validation_exclusions(self):
        # A URL already recorded is refused by the services' rule (``clean``), naming its
        # source under any spelling of it; the model's constraint named none.
        return {*super()._get_validation_exclusions(), "url"}

    def clean_text(self) -> str:
        # Browsers send a textarea's line breaks as CR LF; the services store LF.
        text = normalise_line_endings(self.cleaned_data["text"])
        if not text:
            raise forms.ValidationError("A source needs its text.")
        return text

    def clean(self):
        add_replaced_bytes_errors(self)  # as the API and the add-from-file page refuse them
        cleaned = super().clean()
        if "url" in self.changed_data and cleaned.get("url"):
            try:  # on the field, the person's other edits kept (the save asks the rule again)
                refuse_taken_url(cleaned["url"], other_than=self.instance.pk)
            except Conflict as refusal:
                self.add_error("url", refusal.message)
        self._confirm_orphaning(cleaned)
        return cleaned

    def _confirm_orphaning(self, cleaned: dict) -> None:
        """An edited text that would orphan cited spans is saved only once the person has
        seen which claims lose their evidence and ticked "Save anyway": an analyst's edit
        used to orphan the evidence of a claim in review with a green "Text changed"."""
        text = cleaned.get("text")
        if self.instance.pk is None or "text" not in self.changed_data or not text or cleaned.get("orphans_confirmed"):
            return
        lost = evidence_lost(self.instance, text)
        if lost:
            self.add_error("text", forms.ValidationError(format_html(
                "This text no longer holds the words of {} Tick “Save anyway” below the text to save it all the same.", lost,
            )))
            self.fields["orphans_confirmed"].widget = forms.CheckboxInput()


class SpanInline(admin.TabularInline):
    """The source's spans, read-only: spans are made by selecting text in the reader."""

    model = Span
    fields = ("quote_link", "start", "end", "anchor", "cited_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "spans"
    classes = ("cb-inline",)
    # No table of no spans (its form's management fields only): the reader above says there
    # are none, and how to make one.
    template = "admin/sources/source/span_inline.html"

    # Set per request by SourceAdmin.get_inline_instances (a fresh instance per request).
    links: dict = {}

    def get_queryset(self, request):
        return with_source_titles(super().get_queryset(request))  # each row is named by its source

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="quote")
    def quote_link(self, span: Span) -> str:
        quote = span.quote if len(span.quote) <= 120 else span.quote[:117] + "..."
        return format_html(
            '<a href="{}" title="Span #{}">“{}”</a>',
            reverse("admin:sources_span_change", args=[span.pk]),
            span.pk,
            quote,
        )

    @admin.display(description="anchor")
    def anchor(self, span: Span) -> str:
        return badge("anchor", span.anchor_state, span.get_anchor_state_display())

    @admin.display(description="cited by")
    def cited_by(self, span: Span) -> str:
        return links_html(self.links.get(span.pk, []))


class ContentRevisionCheckedAdmin(RevisionCheckedAdmin):
    """``RevisionCheckedAdmin`` for what has no version number (sources, entities): the
    revision is a digest of the content (``content_revision``), and a page that posts
    anything else as one did not say which it was loaded at."""

    def parse_revision(self, value: str) -> str | None:
        return parsed_content_revision(value)


def _text_summary(record) -> str:
    return f"{record.text_length:,} characters, SHA-256 {record.text_sha256[:12]}…"


@admin.register(Source)
class SourceAdmin(SourceIngestAdminMixin, DomainErrorsAsMessages, ContentRevisionCheckedAdmin, ServiceHistoryAdmin):
    form = SourceForm
    change_form_template = "admin/sources/source/change_form.html"
    large_fields = ("text",)
    list_display = (
        "title", "publisher", "origin", "kind", "reliability_badge", "language", "published_on", "text_size", "span_count", "created_by",
    )
    list_display_links = ("title",)
    list_filter = ("kind", "reliability", "language")
    search_fields = ("title", "publisher", "authors", "url")
    list_select_related = ("created_by",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    readonly_fields = ("text_length", "text_sha256", *SourceIngestAdminMixin.ingest_readonly_fields, "created_by", "created_at", "updated_at")
    inlines = [SpanInline]

    class Media:
        css = {"all": ["sources/admin.css"]}
        js = ["sources/select_to_claim.js", "sources/deferred_text.js"]

    def large_field_change(self, name, older, newer):
        # A text is told by its length and hash, which change with it.
        if name != "text" or older.text_sha256 == newer.text_sha256:
            return None
        return ModelChange("text", _text_summary(older), _text_summary(newer))

    def get_fieldsets(self, request, obj=None):
        text_help = (
            "Stored verbatim. Saving an edited text re-anchors every span: kept, relocated to "
            "the same words, or marked orphaned."
        )
        # The confirmation that an edit may orphan evidence belongs to the change page's form
        # only (an old version's page shows every field read-only, and it is no field).
        on_change_page = obj is not None and getattr(request.resolver_match, "url_name", "") == "sources_source_change"
        text_fields = ("text", "orphans_confirmed") if on_change_page else ("text",)
        text_section = ("Edit text" if obj else "Text", {"fields": text_fields, "description": text_help, "classes": ("collapse",) if obj else ()})
        if on_change_page and not self.has_change_permission(request, obj):
            text_section = None  # read-only, it would write the text a second time under the reader
        return [section for section in [
            (None, {"fields": ("title", "url", "publisher", "authors", "published_on", "retrieved_at")}),
            ("Classification", {"fields": ("kind", "reliability", "language")}),
            text_section,
            ("Notes", {"fields": ("notes",)}),
            ("Record", {"fields": self.readonly_fields, "classes": ("collapse",)}),
        ] if section is not None]

    def get_queryset(self, request):
        span_count = Span.objects.filter(source=OuterRef("pk")).order_by().values("source").annotate(n=Count("*")).values("n")
        # A correlated subquery is counted for the shown page only, unlike a JOIN + GROUP BY.
        # The text is read where it is shown (the change page), not for each row of a list
        # or each suggestion of a source picker.
        return super().get_queryset(request).defer("text").annotate(
            span_count=Coalesce(Subquery(span_count, output_field=IntegerField()), 0)
        )

    @admin.display(description="reliability", ordering="reliability")
    def reliability_badge(self, source: Source) -> str:
        return badge("reliability", source.reliability, source.reliability, title=source.get_reliability_display())

    @admin.display(description="text length", ordering="text_length")
    def text_size(self, source: Source) -> str:
        """Characters, with thousands separated: a length compared at a glance."""
        return f"{source.text_length:,}"

    @admin.display(description="spans", ordering="span_count")
    def span_count(self, source: Source) -> int:
        return source.span_count

    @admin.display(description="from")
    def origin(self, source: Source) -> str:
        """Where the text came from, which tells apart sources of one title: the kind of its
        original and the site of its URL ("HTML page, example.org"), or "pasted text"."""
        site = host_name(source.url) if source.url else ""
        kind = media_name(source.original_media_type) if source.original_sha256 else ("" if site else "pasted text")
        return ", ".join(part for part in (kind, site) if part)

    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/spans/new/",
                self.admin_site.admin_view(lambda request, object_id: span_from_selection_view(self, request, object_id)),
                name="sources_source_span_from_selection",
            ),
            path("<path:object_id>/text/", self.admin_site.admin_view(self.text_view), name="sources_source_text"),
        ]
        return urls + super().get_urls()

    def text_view(self, request, object_id):
        """The saved text as UTF-8 plain text, for the change page's editor to load (a long
        text is not written into the page twice: ``DeferredTextarea``)."""
        source = self.get_object(request, object_id) if id_or_none(object_id) else None
        if source is None:
            raise Http404("No such source.")
        if not self.has_change_permission(request, source):
            raise PermissionDenied
        response = HttpResponse(source.text.encode(), content_type="text/plain; charset=utf-8")
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def _spans_and_links(self, request, obj):
        """One read of the source's spans and of what cites them, shared by the reader and
        the inline."""
        cache = getattr(request, "_cb_source_spans", None)
        if cache is None or cache[0] != obj.pk:
            spans = list(Span.objects.filter(source=obj).order_by("start", "end", "id"))
            cache = (obj.pk, spans, span_links([span.pk for span in spans]))
            request._cb_source_spans = cache
        return cache[1], cache[2]

    def get_inline_instances(self, request, obj=None):
        instances = super().get_inline_instances(request, obj)
        if obj is not None:
            _, links = self._spans_and_links(request, obj)
            for inline in instances:
                if isinstance(inline, SpanInline):
                    inline.links = links
        return instances

    def forget_request_state(self, request) -> None:
        for name in ("_claimbase_source", "_cb_source_spans"):
            request.__dict__.pop(name, None)

    def get_object(self, request, object_id, from_field=None):
        """One source a request: the change page asks for it twice (its reader, then
        Django's form), and each would read its text again."""
        key = (object_id, from_field)
        cached = getattr(request, "_claimbase_source", None)
        if cached is None or cached[0] != key:
            cached = (key, super().get_object(request, object_id, from_field))
            request._claimbase_source = cached
        return cached[1]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        source = self.get_object(request, object_id) if id_or_none(object_id) else None
        if source is not None:
            spans, links = self._spans_and_links(request, source)
            extra_context["reader"] = reader_context(request, source, spans, links)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in SOURCE_FIELDS if name in form.cleaned_data}
        if change and form.fields["text"].disabled and request.POST.get("text"):
            # A text sent for a long one that was not loaded to be edited (a form filled by a
            # script, not by this page) is not used: say so rather than pass over it.
            messages.warning(request, "The text sent was not used: a text this long is loaded to be edited first; the saved text is kept.")
        if change:
            # What the person changed; the others stay as saved (the form shows the time of
            # ``retrieved_at`` to the second, and would cut its microseconds off). The text
            # goes as sent: the service compares it with its line breaks as LF.
            fields = {name: value for name, value in fields.items() if name in form.changed_data}
            summary = source_update(
                source=obj,
                user=request.user,
                text=form.cleaned_data["text"],
                expected_revision=self.expected_revision(request),
                **fields,
            )
            if summary:
                report = "Text changed; spans re-anchored: {kept} kept, {relocated} relocated, {orphaned} orphaned.".format(**summary)
                if summary["orphaned"]:
                    # Not a success: evidence lost its words, and the claims citing it need attention.
                    messages.warning(request, f"{report} The claims citing an orphaned span need attention.")
                else:
                    messages.info(request, report)
            saved = Source.objects.get(pk=obj.pk)
        else:
            saved = source_create(user=request.user, text=form.cleaned_data["text"], **fields)
        adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        # Spans are read-only here: nothing to save, but the admin's change message
        # reads what each formset collected.
        for formset in formsets:
            formset.save(commit=False)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or source_may_be_deleted(obj))

    def delete_refusal(self, request, obj: Source) -> str | None:
        problem = source_delete_problem(obj)
        return None if problem is None else f"Source #{obj.pk} is not deleted: {problem}"

    def delete_model(self, request, obj):
        source_delete(source=obj)

    def delete_queryset(self, request, queryset):
        run_each(request, queryset, lambda source: source_delete(source=source), "Deleted {count} source(s).")

    def object_revision(self, obj) -> str:
        return source_revision(obj)

    object_history_form_template = "admin/sources/source/object_history_form.html"

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """An old version's page says which cited passages restoring it would take the words
        from, and offers "Restore anyway" (``restore_version`` asks for it)."""
        if request.method != "POST" and id_or_none(object_id) and id_or_none(version_id):
            source = Source.objects.filter(pk=object_id).first()
            version = Source.history.model.objects.filter(id=object_id, history_id=version_id).only("text").first()
            if source is not None and version is not None and version.text != source.text:
                extra_context = {**(extra_context or {}), "evidence_lost": evidence_lost(source, version.text)}
        return super().history_form_view(request, object_id, version_id, extra_context)

    def restore_version(self, request, obj, version) -> str:
        fields = {name: getattr(version, name) for name in SOURCE_FIELDS}
        if request.POST.get("orphans_confirmed") != "on" and (lost := evidence_lost(obj, version.text)):
            raise InvalidInput(format_html(
                "Not restored: the text of that version no longer holds the words of {} Open the version again and "
                "tick “Restore anyway” to restore it all the same.", lost,
            ), code="evidence_lost")
        summary = source_update(source=obj, user=request.user, text=version.text, **fields)
        message = f"Source restored to the version of {version.history_date:%Y-%m-%d %H:%M}."
        if summary:
            message += " Spans re-anchored: {kept} kept, {relocated} relocated, {orphaned} orphaned.".format(**summary)
        return message


# How many of a repeated quote's places the form lists, each with its context.
PLACES_LISTED = 10


# A run of white space, shown in a one-line context as one space.
_WHITE_SPACE_RUN = re.compile(r"\s+")


def _places_of(text: str, candidates: list) -> str:
    """A repeated quote's places, a list numbered by the occurrence that picks each, with
    its offsets and the words around it exactly as the text has them (a line break shown
    as a space; "Moscow's" had been shown "[Moscow] 's"): the form has no prefix or suffix
    to give, only those."""

    def around(start: int, end: int) -> str:
        return _WHITE_SPACE_RUN.sub(" ", text[max(0, start):end])

    places = format_html_join(
        "",
        "<li>characters {}–{}: “…{}<mark>{}</mark>{}…”</li>",
        (
            (
                f"{place.start:,}",
                f"{place.end:,}",
                around(place.start - 30, place.start),
                around(place.start, min(place.end, place.start + 60)),
                around(place.end, place.end + 30),
            )
            for place in candidates[:PLACES_LISTED]
        ),
    )
    more = f"And {len(candidates) - PLACES_LISTED:,} more." if len(candidates) > PLACES_LISTED else ""
    return format_html(
        "The quote occurs {} times; say which by its occurrence (the number of its place below), or give its start "
        "and end. Easier: select the passage in the source's text.<ol class=\"cb-places\">{}</ol>{}",
        f"{len(candidates):,}",
        places,
        more,
    )


class SpanAddForm(forms.ModelForm):
    """A span by offsets (with an optional quote that must match) or by quote."""

    start = forms.IntegerField(min_value=0, required=False, help_text="Code point offset, inclusive.")
    end = forms.IntegerField(min_value=1, required=False, help_text="Code point offset, exclusive.")
    quote = forms.CharField(strip=False, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    occurrence = forms.IntegerField(min_value=1, required=False, help_text="Which repeat of the quote (1-based).")

    class Meta:
        model = Span
        fields = ("source",)

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if source is None:
            return cleaned
        start, end, quote = cleaned.get("start"), cleaned.get("end"), cleaned.get("quote") or None
        try:
            anchoring.resolve_passage(source.text, start, end, quote, occurrence=cleaned.get("occurrence"))
        except anchoring.AmbiguousQuote as error:
            raise forms.ValidationError(_places_of(source.text, error.candidates)) from error
        except anchoring.SplitsCharacter as error:
            raise forms.ValidationError({error.field: str(error)}) from error
        except anchoring.AnchoringError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned

    def _post_clean(self):
        # The offsets are checked against the text above and again by span_create; the
        # model's own validation would run before the quote is derived.
        pass


@admin.register(Span)
class SpanAdmin(DomainErrorsAsMessages, ServiceHistoryAdmin):
    # A span follows its source's text (re-anchoring); an old position is not restored.
    restorable = False
    list_display = ("short_quote", "source", "start", "end", "anchor", "created_at")
    list_filter = ("anchor_state",)
    search_fields = ("quote", "source__title")
    list_select_related = ("source",)  # joined by get_queryset, without its text
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    autocomplete_fields = ("source",)
    change_form_template = "admin/sources/span/change_form.html"

    class Media:
        css = {"all": ["sources/admin.css"]}

    def get_queryset(self, request):
        return with_source_titles(super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SpanAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("source", "start", "end", "quote", "occurrence")
        return ("source_link", "start", "end", "anchor", "in_context", "suggestion", "cited_by", "created_by", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        # Spans are immutable here; they move only when their source's text changes.
        return False if obj is not None else super().has_change_permission(request, obj)

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, span: Span) -> str:
        return span.quote if len(span.quote) <= 80 else span.quote[:77] + "..."

    @admin.display(description="anchor", ordering="anchor_state")
    def anchor(self, span: Span) -> str:
        return badge("anchor", span.anchor_state, span.get_anchor_state_display())

    @admin.display(description="source")
    def source_link(self, span: Span) -> str:
        url = reverse("admin:sources_source_change", args=[span.source_id])
        return format_html('<a href="{}#span-{}">{}</a>', url, span.pk, span.source)

    @admin.display(description="in context")
    def in_context(self, span: Span) -> str:
        text = span.source.text
        if span.is_orphaned:
            return format_html('<div class="cb-context">Orphaned: the quote “{}” is no longer in the source.</div>', span.quote)
        before, after = text[max(0, span.start - 240) : span.start], text[span.end : span.end + 240]
        return format_html('<div class="cb-context cb-text">…{}<mark class="cb-mark">{}</mark>{}…</div>', before, span.quote, after)

    @admin.display(description="suggested position")
    def suggestion(self, span: Span) -> str:
        if span.suggested_start is None:
            return "—"
        words = span.source.text[span.suggested_start : span.suggested_end]
        return format_html("{}–{} (similarity {}): “{}”", span.suggested_start, span.suggested_end, round(span.suggestion_score or 0), words)

    @admin.display(description="cited by")
    def cited_by(self, span: Span) -> str:
        return links_html(span_links([span.pk]).get(span.pk, []))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        span, created = span_create(
            source=data["source"],
            user=request.user,
            start=data.get("start"),
            end=data.get("end"),
            quote=data.get("quote") or None,
            occurrence=data.get("occurrence"),
        )
        if not created:
            messages.info(request, f"That passage is already span #{span.pk}.")
        adopt(obj, span)

    def save_related(self, request, form, formsets, change):
        pass

    def response_add(self, request, obj, post_url_continue=None):
        """A span added is shown where it is: highlighted in its source's reader. (The
        list it went to by default, ordered by source, held it pages away.)"""
        if IS_POPUP_VAR in request.POST or "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        messages.success(request, f"Span #{obj.pk} added: {obj}.")
        return HttpResponseRedirect(f"{reverse('admin:sources_source_change', args=[obj.source_id])}#span-{obj.pk}")

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or self.delete_refusal(request, obj) is None)

    def delete_refusal(self, request, obj: Span) -> str | None:
        problem = span_delete_problem(obj)
        return None if problem is None else f"Span #{obj.pk} is not deleted: {problem}"

    def delete_model(self, request, obj):
        span_delete(span=obj)

    def delete_queryset(self, request, queryset):
        run_each(request, queryset, lambda span: span_delete(span=span), "Deleted {count} span(s).")
