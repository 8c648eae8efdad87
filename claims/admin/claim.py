"""The claim admin: list, change page, evidence inlines, review log and field history.

Every change goes through ``claims.services``, one call per save: a new claim and its
evidence are created by one ``claim_create`` (all or nothing); an edit of the claim and its
evidence is one ``claim_save`` (one lock order, one version bump), refused when the claim
is no longer at the version the page was loaded at, so a concurrent edit is refused rather
than overwritten (``RevisionCheckedAdmin``, as for sources and entities: a claim's version
is its revision); moderation calls ``claim_transition``. What the page offers (editing,
deleting, the moderation buttons) is what the services answer for this person
(``can_edit``, ``can_delete``, ``allowed_actions``): a claim whose content is frozen, or
that the user may not edit, opens read-only.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from project import admin as project_admin
from project.admin import (
    DomainErrorsAsMessages,
    EstimatedCountPaginator,
    UNKNOWN_REVISION,
    RevisionCheckedAdmin,
    ServiceHistoryAdmin,
    badge,
    id_or_none,
)
from project.errors import DomainError, InvalidInput
from project.text import shortened
from project.validation import ascii_integer
from sources.admin import adopt
from sources.models import Span, with_source_titles

from .. import services
from ..checks import LABELS
from ..models import TITLE_LENGTH, Claim, Evidence, Review
from ..search import count_matches, search_claims
from ..roles import is_reviewer
from . import moderation
from .filters import AuthorFilter, EntityFilter, HasChecksFilter, NeedsAttentionFilter, SpanFilter
from .history import claim_timeline, evidence_changes
from .relations import SIMILAR_SCRIPT, record_duplicate_from_form
from .review_queue import review_queue_count, review_queue_view
from .source_reader import claim_from_selection_view

# Set by the claim page's script when a workflow button is pressed with unsaved edits: the
# edits are saved first, then the action is taken, in the same request.
THEN_FIELD = "_claim_then"


def status_badge(claim: Claim) -> str:
    return badge("status", claim.status, claim.get_status_display())


def verdict_badge(claim: Claim) -> str:
    return badge("verdict", claim.verdict, claim.get_verdict_display())


def confidence_badge(claim: Claim) -> str:
    if not claim.confidence:
        return format_html('<span class="cb-quiet" title="{}">—</span>', "Confidence not set")
    return badge("confidence", claim.confidence, claim.get_confidence_display())


def can_edit(request, claim: Claim | None) -> bool:
    """The services' own answer: may this person change the claim's content now? The save
    of a page whose claim froze after it was loaded is let through to the form, which shows
    the typing again with the reason (``edit_refused_since_loaded``, the form's
    ``edit_refusal``); nothing is saved."""
    return services.can_edit(request.user, claim) or edit_refused_since_loaded(request, claim) is not None


def edit_refused_since_loaded(request, claim: Claim | None) -> DomainError | None:
    """For the save of a claim page (it carries the version it was loaded at) by someone
    who may edit the claim's content in draft: the service's refusal when the content froze
    since (submitted or approved meanwhile), so that the page answers it with the form and
    what was typed, not a bare 403. None otherwise. (The inlines ask too, through
    ``can_edit``: ``ClaimAdmin.changeform_view`` notes the version on the request.)"""
    # A page that did not say its version (``UNKNOWN_REVISION``) may not have been loaded
    # before the freeze: it is answered as any edit of a frozen claim is.
    if claim is None or getattr(request, "_cb_expected_version", None) in (None, UNKNOWN_REVISION):
        return None
    cached = getattr(request, "_cb_edit_refusal", None)
    if cached is None or cached[0] != (claim.pk, claim.status):
        error = services.content_edit_refusal(claim, request.user)
        cached = ((claim.pk, claim.status), error if error is not None and error.code == "content_frozen" else None)
        request._cb_edit_refusal = cached
    return cached[1]


def full_title(claim: Claim) -> str:
    """The whole claim, for the title attribute of a heading that names it shortened; ""
    when its name holds all of it."""
    return claim.text if len(claim.text) > TITLE_LENGTH else ""


def person(user) -> str:
    """A user's name, as text: a user's admin page is for administrators, and a link to it
    would answer everybody else with a 403."""
    return user.get_username() if user is not None else "-"


class EvidenceInline(admin.TabularInline):
    """Existing evidence: the passage is fixed; stance and note can change, rows removed."""

    model = Evidence
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}
    fields = ("passage", "stance", "note", "added_by_name")
    readonly_fields = ("passage", "added_by_name")
    extra = 0
    verbose_name = "evidence"
    verbose_name_plural = "evidence"
    classes = ("cb-inline",)

    def get_queryset(self, request):
        return with_source_titles(super().get_queryset(request), "span__source").select_related("added_by")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="added by")
    def added_by_name(self, evidence: Evidence) -> str:
        return person(evidence.added_by)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and can_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and can_edit(request, obj)

    @admin.display(description="passage")
    def passage(self, evidence: Evidence) -> str:
        span = evidence.span
        url = reverse("admin:sources_source_change", args=[span.source_id])
        flag = badge("anchor", "orphaned", "orphaned") if span.is_orphaned else ""
        return format_html(
            '<q class="cb-quote">{}</q><br><a class="cb-quiet" href="{}#span-{}">{}</a> {}',
            span.quote, url, span.pk, span.source.title, flag,
        )


# A formset's own fields, and its management form's, under ``prefix``: ``{prefix}-0-stance``,
# ``{prefix}-TOTAL_FORMS`` (not another inline's ``{prefix}-2-0-span``).
def _formset_keys(prefix: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(prefix)}-(?:\d+-[^-]+|[A-Z_]+)$")


def evidence_as_saved(data, prefix: str, claim: Claim, saved: list[Evidence]) -> tuple[Any, list[dict]]:
    """A stale claim page's evidence rows, laid over the evidence saved now: a row the page
    posted keeps its typing (stance, note, removal), a row added since gets its saved values,
    a row removed since is left out. Returns the POST data to bind the inline to (rows and
    counts matching the saved evidence, so that each row is shown with its own passage) and,
    for the conflict box, the rows added or removed since the page was loaded."""
    keys = _formset_keys(prefix)
    total = ascii_integer(data.get(f"{prefix}-TOTAL_FORMS", "")) or 0
    posted = {}
    for index in range(min(total, MAX_EVIDENCE_ROWS)):
        evidence_id = id_or_none(data.get(f"{prefix}-{index}-id"))
        if evidence_id is not None:
            posted[evidence_id] = {
                name: data.get(f"{prefix}-{index}-{name}") for name in ("stance", "note", "DELETE")
            }
    laid = data.copy()
    management = {key: laid[f"{prefix}-{key}"] for key in ("MIN_NUM_FORMS", "MAX_NUM_FORMS") if f"{prefix}-{key}" in laid}
    for key in [key for key in laid if keys.match(key)]:
        del laid[key]
    differences = []
    for index, evidence in enumerate(saved):
        values = posted.get(evidence.pk)
        if values is None:
            values = {"stance": evidence.stance, "note": evidence.note, "DELETE": None}
            differences.append({
                "label": f"Evidence {_passage_label(evidence)}",
                "value": f"added since you opened the page: {evidence.get_stance_display()}; "
                         f"note: {evidence.note or '—'}",
                "long": False,
            })
        fields = {"id": evidence.pk, "claim": claim.pk, **values}
        for name, value in fields.items():
            if value is not None:
                laid[f"{prefix}-{index}-{name}"] = str(value)
    removed = sorted(posted.keys() - {evidence.pk for evidence in saved})
    labels = _removed_passage_labels(claim, removed)
    for evidence_id in removed:
        differences.append({
            "label": f"Evidence {labels.get(evidence_id, f'#{evidence_id}')}",
            "value": "removed since you opened the page; your edits to it are not kept",
            "long": False,
        })
    laid[f"{prefix}-TOTAL_FORMS"] = laid[f"{prefix}-INITIAL_FORMS"] = str(len(saved))
    for key, value in management.items():
        laid[f"{prefix}-{key}"] = value
    return laid, differences


def _passage_label(evidence: Evidence) -> str:
    quote = evidence.span.quote
    quote = quote if len(quote) <= 80 else quote[:79] + "…"
    return f"“{quote}” ({evidence.span.source.title})"


def _removed_passage_labels(claim: Claim, evidence_ids: list[int]) -> dict[int, str]:
    """The passages evidence rows of ``claim`` cited before they were removed, from their
    history (the span stays), by id, in two queries however many; a row the claim never
    had (a page may post any number) is left out."""
    if not evidence_ids:
        return {}
    span_of = dict(
        Evidence.history.filter(id__in=evidence_ids, claim_id=claim.pk)
        .order_by("id", "history_id").values_list("id", "span_id")  # the last record of each wins
    )
    spans = with_source_titles(Span.objects).in_bulk(set(span_of.values()))
    return {
        evidence_id: _passage_label(Evidence(span=spans[span_id]))
        for evidence_id, span_id in span_of.items() if span_id in spans
    }


def evidence_saved_values(formset) -> list[dict]:
    """For the conflict box: the saved stance and note of each evidence row the person's
    typing differs from (the form's initial values are the saved evidence's)."""
    differences = []
    for form in formset.initial_forms:
        if form.instance.pk is None or not {"stance", "note"} & set(form.changed_data):
            continue
        stance = dict(form.fields["stance"].choices).get(form.initial.get("stance"), form.initial.get("stance"))
        note = form.initial.get("note") or "—"
        differences.append({
            "label": f"Evidence {_passage_label(form.instance)}",
            "value": f"{stance}; note: {note}",
            "long": len(note) > 300 or "\n" in note,
        })
    return differences


# A stale page's evidence rows read at most: a claim page shows its evidence, a few dozen.
MAX_EVIDENCE_ROWS = 1000


class AddEvidenceInline(admin.TabularInline):
    """New evidence: pick a span (type to search its quote or source), choose a stance."""

    model = Evidence
    fields = ("span", "stance", "note")
    autocomplete_fields = ("span",)
    extra = 1
    can_delete = False
    verbose_name = "evidence"
    verbose_name_plural = "add evidence"
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}
    classes = ("cb-inline",)

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and can_edit(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        # Shown only where evidence can be added.
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # It lists no saved rows, so nothing is deleted from it; the model permission (an
        # analyst's, a reviewer's) would bring its empty table onto every frozen claim's page.
        return False


class ReviewInline(admin.TabularInline):
    """The moderation log: append-only, read here."""

    model = Review
    fields = ("created_at", "action", "actor_name", "transition", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "review log"
    classes = ("cb-inline",)
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="actor")
    def actor_name(self, review: Review) -> str:
        return person(review.actor)

    @admin.display(description="from → to")
    def transition(self, review: Review) -> str:
        return format_html(
            "{} → {}",
            badge("status", review.from_status, review.get_from_status_display()),
            badge("status", review.to_status, review.get_to_status_display()),
        )


class ClaimForm(forms.ModelForm):
    """The claim's fields; ``ClaimAdmin.get_form`` mixes in ``RevisionCheckedForm`` for a
    change page, which refuses a save from a page someone else's save overtook."""

    class Meta:
        model = Claim
        fields = "__all__"
        widgets = {
            "text": project_admin.CountedTextarea(attrs={"rows": 3, "cols": 80}),
            "notes": forms.Textarea(attrs={"rows": 4, "cols": 80}),
        }


def _status_filtered(queryset) -> str | None:
    """The status a claim queryset is filtered to, if that is its only condition (as the
    list's status filter leaves it); else None."""
    where = queryset.query.where
    if where.negated or len(where.children) != 1:
        return None
    lookup = where.children[0]
    if (
        isinstance(lookup, Exact)
        and isinstance(lookup.rhs, str)
        and getattr(lookup.lhs, "target", None) == Claim._meta.get_field("status")
        and getattr(lookup.lhs, "alias", None) == Claim._meta.db_table
    ):
        return lookup.rhs
    return None


@admin.register(Claim)
class ClaimAdmin(DomainErrorsAsMessages, RevisionCheckedAdmin, ServiceHistoryAdmin):
    form = ClaimForm
    change_form_template = "admin/claims/claim/change_form.html"
    change_list_template = "admin/claims/claim/change_list.html"
    list_display = ("claim", "status_label", "verdict_label", "confidence_label", "attention", "evidence_count", "author", "created_at")
    list_display_links = ("claim",)
    list_filter = ("status", "verdict", "confidence", EntityFilter, AuthorFilter, NeedsAttentionFilter, HasChecksFilter, SpanFilter)
    search_fields = ("text",)
    search_help_text = "Words of the claim or of its evidence quotes, or #id."
    date_hierarchy = "created_at"
    list_select_related = ("author", "reviewer")
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator = EstimatedCountPaginator
    list_per_page = 50
    autocomplete_fields = ("entities", "supersedes")
    inlines = [EvidenceInline, AddEvidenceInline, ReviewInline]
    actions = moderation.ACTIONS
    readonly_fields = ("version", "author_name", "reviewer_name", "submitted_at", "published_at", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("text", "entities", ("period_start", "period_end"), "supersedes", "notes")}),
        ("Assessment", {"fields": (("verdict", "confidence"),)}),
        ("Record", {"fields": (("version", "author_name", "reviewer_name"), ("submitted_at", "published_at"), ("created_at", "updated_at"))}),
    )

    class Media:
        css = {"all": ["sources/admin.css", "claims/admin.css", "claims/similar.css"]}
        js = [SIMILAR_SCRIPT, "claims/claim_page.js", "claims/length_count.js"]

    # -- list ------------------------------------------------------------------------------

    def get_queryset(self, request):
        evidence_count = (
            Evidence.objects.filter(claim=OuterRef("pk")).order_by().values("claim").annotate(n=Count("*")).values("n")
        )
        # Counted by a correlated subquery for the shown page only, not a JOIN + GROUP BY.
        return super().get_queryset(request).annotate(
            evidence_count=Coalesce(Subquery(evidence_count, output_field=IntegerField()), 0)
        )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            return queryset.filter(pk=id_or_none(term) or 0), False
        if not term:
            return queryset, False
        status = _status_filtered(queryset) if queryset.query.where else None
        if not queryset.query.where or status:
            # No filter besides the search, or a status (which the search rows copy on
            # PostgreSQL): the index alone counts the results (see get_paginator).
            request.claimbase_search_count = count_matches(
                term, queryset.db, limit=project_admin.COUNT_CAP, status=status
            )
        # The full-text index (claim text and evidence quotes), not a LIKE scan of every row.
        return search_claims(queryset, term), False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        known = getattr(request, "claimbase_search_count", None)
        if known is not None:
            # The paginator's cached count, capped as it caps the counts of filtered lists.
            paginator.count = min(known, project_admin.COUNT_CAP)
            paginator.capped = known > project_admin.COUNT_CAP
        return paginator

    @admin.display(description="claim", ordering="-created_at")
    def claim(self, claim: Claim) -> str:
        """Its number, how many warnings the editorial checks give (named on hover), and its
        words: the count before them, where clamping a long claim to three lines never
        hides it."""
        text = shortened(claim.text, 110)
        warnings = (claim.check_warnings or ()) if claim.has_checks else ()
        if not warnings:
            return format_html('<span class="cb-claim-id">#{}</span> {}', claim.pk, text)
        return format_html(
            '<span class="cb-claim-id">#{}</span> {} {}', claim.pk,
            badge(
                "check", "code", f"{len(warnings)} warning{'' if len(warnings) == 1 else 's'}",
                title="; ".join(LABELS.get(warning.get("code"), warning.get("code", "")) for warning in warnings),
            ),
            text,
        )

    @admin.display(description="author")
    def author_name(self, claim: Claim) -> str:
        """The author's name, linked to their claims (their user page is an administrator's)."""
        if claim.author_id is None:
            return "-"
        changelist = reverse("admin:claims_claim_changelist")
        return format_html('<a href="{}?author={}">{}</a>', changelist, claim.author_id, person(claim.author))

    @admin.display(description="reviewer")
    def reviewer_name(self, claim: Claim) -> str:
        return person(claim.reviewer)

    @admin.display(description="status", ordering="status")
    def status_label(self, claim: Claim) -> str:
        return status_badge(claim)

    @admin.display(description="verdict", ordering="verdict")
    def verdict_label(self, claim: Claim) -> str:
        return verdict_badge(claim)

    @admin.display(description="confidence", ordering="confidence")
    def confidence_label(self, claim: Claim) -> str:
        return confidence_badge(claim)

    @admin.display(description="⚠", ordering="-needs_attention")
    def attention(self, claim: Claim) -> str:
        if claim.needs_attention:
            return badge(
                "attention", "yes", "⚠ needs attention",
                title="An evidence span is orphaned (its words left the source), or two published claims contradict each other",
            )
        return ""

    @admin.display(description="evidence", ordering="evidence_count")
    def evidence_count(self, claim: Claim) -> int:
        return getattr(claim, "evidence_count", 0)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # A claim that was ever submitted is never deleted: no bulk delete.
        actions.pop("delete_selected", None)
        return moderation.actions_for(request.user, actions)

    # -- change page -----------------------------------------------------------------------

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and can_edit(request, obj)

    # -- the version a page was loaded at (RevisionCheckedAdmin) -------------------------------

    def object_revision(self, claim: Claim) -> int:
        return claim.version

    def parse_revision(self, value: str) -> int | None:
        return id_or_none(value)

    def revision_label(self, revision: int) -> str:
        return f"version {revision}"

    def edit_refused_since_loaded(self, request, claim: Claim) -> DomainError | None:
        return edit_refused_since_loaded(request, claim)

    def response_change(self, request, obj):
        """After a save, the workflow action the person pressed with unsaved edits (only
        one that needs no comment); a refusal is a message, and the edits stay saved."""
        action = request.POST.get(THEN_FIELD, "").replace("-", "_")
        transition = services.TRANSITIONS.get(action)
        if transition is None or transition.comment_required:
            return super().response_change(request, obj)
        obj.refresh_from_db()
        try:
            services.claim_transition(claim=obj, user=request.user, action=action, expected_version=obj.version)
        except DomainError as error:
            messages.error(request, f"Your changes were saved, but: {error.message}")
        else:
            moderation.log_transition(self, request, obj, action)
            messages.success(request, moderation.DONE[action].format(pk=obj.pk) + " Your changes were saved first.")
        return HttpResponseRedirect(reverse("admin:claims_claim_change", args=[obj.pk]))

    def get_fieldsets(self, request, obj=None):
        # A new claim has no record yet: its author is whoever saves it.
        return self.fieldsets if obj is not None else self.fieldsets[:2]

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        return inlines if obj is not None else [i for i in inlines if isinstance(i, AddEvidenceInline)]

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or services.can_delete(request.user, obj)

    def delete_refusal(self, request, obj: Claim) -> str | None:
        problem = services.delete_problem(request.user, obj)
        return None if problem is None else f"Claim #{obj.pk} is not deleted: {problem.message}"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "from-selection/",
                view(lambda request: claim_from_selection_view(self, request)),
                name="claims_claim_from_selection",
            ),
            path("review-queue/", view(lambda request: review_queue_view(self, request)), name="claims_claim_review_queue"),
            path(
                "<path:object_id>/moderate/<str:action>/",
                view(lambda request, object_id, action: moderation.moderate_view(self, request, object_id, action)),
                name="claims_claim_moderate",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if is_reviewer(request.user):
            extra_context["review_queue_count"] = review_queue_count(request.user)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        claim = self.get_object(request, object_id)
        if claim is not None:
            extra_context.update(
                full_title=full_title(claim),
                then_field=THEN_FIELD,
                sent_back=moderation.sent_back(claim),
                moderation=moderation.panel_context(request, claim),
                timeline=claim_timeline(claim),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        request._cb_expected_version = self.expected_revision(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # The claim is saved with its evidence in save_related: one service call for both.
        pass

    def _is_stale(self, request, claim: Claim) -> bool:
        expected = self.expected_revision(request)
        return expected is not None and claim.pk is not None and self.object_revision(claim) != expected

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """A page posted after its claim was saved by someone else: the evidence rows are
        laid over the evidence saved now (``evidence_as_saved``), so that each shows its own
        passage, a row removed meanwhile is not shown as another's, and the conflict box
        lists what changed (``render_change_form``)."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, EvidenceInline) and "data" in kwargs and self._is_stale(request, obj):
            saved = list(inline.get_queryset(request).filter(claim=obj))
            kwargs["data"], request._cb_evidence_since = evidence_as_saved(kwargs["data"], prefix, obj, saved)
        return kwargs

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        form = adminform.form if adminform else None
        if form is not None and getattr(form, "saved_version", None) is not None:
            for inline_formset in context.get("inline_admin_formsets", []):
                if isinstance(inline_formset.opts, EvidenceInline):
                    form.saved_version += evidence_saved_values(inline_formset.formset)
            form.saved_version += getattr(request, "_cb_evidence_since", [])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            # Collects the new, changed and deleted rows (read by the admin's change
            # message too) and saves nothing: the service below does.
            formset.save(commit=False)
        evidence_formsets = [formset for formset in formsets if formset.model is Evidence]
        new_evidence = [
            services.EvidenceInput(span=row.span, stance=row.stance, note=row.note)
            for formset in evidence_formsets
            for row in formset.new_objects
        ]
        data = form.cleaned_data
        if not change:
            claim = services.claim_create(
                author=request.user,
                text=data["text"],
                verdict=data["verdict"],
                confidence=data.get("confidence") or "",
                entities=list(data.get("entities") or []),
                period_start=data.get("period_start"),
                period_end=data.get("period_end"),
                notes=data.get("notes") or "",
                supersedes=data.get("supersedes"),
                evidence=new_evidence,
            )
            record_duplicate_from_form(request, claim)
            adopt(form.instance, claim)
            return
        changes = {name: data[name] for name in form.changed_data if name in services.CONTENT_FIELDS}
        if "entities" in form.changed_data:
            changes["entities"] = list(data["entities"])
        claim = services.claim_save(
            claim=form.instance,
            user=request.user,
            expected_version=self.expected_revision(request),
            changes=changes,
            add=new_evidence,
            change=[
                (evidence, evidence.stance, evidence.note)
                for formset in evidence_formsets
                for evidence, _fields in formset.changed_objects
            ],
            remove=[evidence for formset in evidence_formsets for evidence in formset.deleted_objects],
        )
        adopt(form.instance, claim)

    def delete_model(self, request, obj):
        services.claim_delete(claim=obj, user=request.user)

    # -- history ---------------------------------------------------------------------------

    object_history_template = "admin/claims/claim/object_history.html"

    def history_label(self, record) -> str:
        # Every row is this claim: the version tells them apart (a changed text is listed
        # among the changes).
        return f"Version {record.version}"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The changes of each version, with the evidence it added, changed or removed: a
        version that changed evidence alone listed no change."""
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        for record_id, changes in evidence_changes(records[0].id if records else None, records).items():
            record = next(record for record in records if record.history_id == record_id)
            record.history_delta_changes = [
                *getattr(record, "history_delta_changes", []),
                *({"field": change.field, "old": change.old, "new": change.new} for change in changes),
            ]

    def history_view(self, request, object_id, extra_context=None):
        claim = self.get_object(request, object_id) if id_or_none(object_id) else None
        if claim is not None:
            extra_context = {**(extra_context or {}), "full_title": full_title(claim)}
        return super().history_view(request, object_id, extra_context)

    def restore_version(self, request, obj, version) -> str:
        """Restore the content of an earlier version through ``claim_update``: refused
        outside draft and changes requested, by the author or a reviewer only; the status
        is never restored (the workflow alone moves it)."""
        changes = {name: getattr(version, name if name != "supersedes" else "supersedes_id") for name in services.CONTENT_FIELDS}
        changes["supersedes"] = Claim.objects.filter(pk=changes["supersedes"]).first() if changes["supersedes"] else None
        if changes["supersedes"] is None and version.supersedes_id:
            raise InvalidInput("The claim that version superseded no longer exists.", code="supersedes_missing")
        services.claim_update(claim=obj, user=request.user, **changes)
        return f"Claim #{obj.pk} restored to the content of version {version.version}."

