"""Admin for entities, evidence rows and the moderation log."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from project.admin import (
    DomainErrorsAsMessages,
    EstimatedCountPaginator,
    LenientChangeListMixin,
    ServiceHistoryAdmin,
    badge,
    run_each,
)
from sources.admin import ContentRevisionCheckedAdmin, adopt
from sources.models import with_source_titles

from .. import services
from ..models import Entity, Evidence, Review
from .claim import can_edit


class AliasesField(forms.CharField):
    """An entity's aliases, one a line (the model holds a list, ``aliases_list``)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(alias) for alias in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in super().to_python(value).splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data or "")


class EntityForm(forms.ModelForm):
    aliases = AliasesField(required=False, strip=False, help_text="Other names it goes by, one a line.")

    class Meta:
        model = Entity
        fields = "__all__"


@admin.register(Entity)
class EntityAdmin(DomainErrorsAsMessages, ContentRevisionCheckedAdmin, ServiceHistoryAdmin):
    """Entities are reference data; their search feeds the claim autocomplete. A change goes
    through ``entity_update``, a deletion through ``entity_delete`` (one that published
    claims show is a reviewer's, and gives those claims new versions). A page loaded before
    someone else's edit does not overwrite it (``RevisionCheckedAdmin``)."""

    form = EntityForm
    list_display = ("name", "slug", "kind", "wikidata_id")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "wikidata_id")
    prepopulated_fields = {"slug": ("name",)}
    show_full_result_count = False
    list_per_page = 100

    class Media:
        css = {"all": ["sources/admin.css", "claims/admin.css"]}

    def object_revision(self, obj) -> str:
        return services.entity_revision(obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj._history_user = request.user
            super().save_model(request, obj, form, change)
            return
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.ENTITY_FIELDS}
        adopt(obj, services.entity_update(
            entity=obj, user=request.user, expected_revision=self.expected_revision(request), **fields
        ))

    def delete_model(self, request, obj):
        services.entity_delete(entity=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        run_each(request, queryset, lambda entity: services.entity_delete(entity=entity, user=request.user), "Entities deleted: {count}.")

    def restore_version(self, request, obj, version) -> str:
        fields = {name: getattr(version, name) for name in services.ENTITY_FIELDS}
        services.entity_update(entity=obj, user=request.user, **fields)
        return f"Entity {obj} restored to its version of {version.history_date:%Y-%m-%d %H:%M}."


@admin.register(Evidence)
class EvidenceAdmin(DomainErrorsAsMessages, ServiceHistoryAdmin):
    """Evidence rows on their own (mostly edited inline on the claim); changes go through
    the ``evidence_*`` services, under the claim's freeze."""

    list_display = ("__str__", "claim", "stance_label", "added_by", "created_at")
    list_filter = ("stance",)
    search_fields = ("span__quote", "claim__text")
    list_select_related = ("claim", "span__source", "added_by")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    autocomplete_fields = ("claim", "span")
    fields = ("claim", "span", "stance", "note")

    class Media:
        css = {"all": ["sources/admin.css", "claims/admin.css"]}

    def get_queryset(self, request):
        # The list's joins (a changelist adds none to a query that has some), the source's
        # text left out.
        return with_source_titles(super().get_queryset(request), "span__source").select_related(
            *self.list_select_related
        )

    @admin.display(description="stance", ordering="stance")
    def stance_label(self, evidence: Evidence) -> str:
        return badge("stance", evidence.stance, evidence.get_stance_display())

    def get_readonly_fields(self, request, obj=None):
        return ("claim", "span") if obj is not None else ()

    def _claim_editable(self, request, obj) -> bool:
        return obj is None or can_edit(request, obj.claim)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._claim_editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._claim_editable(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            services.evidence_update(evidence=obj, user=request.user, stance=obj.stance, note=obj.note)
            return
        evidence = services.evidence_add(
            claim=form.cleaned_data["claim"],
            user=request.user,
            item=services.EvidenceInput(span=obj.span, stance=obj.stance, note=obj.note),
        )
        adopt(obj, evidence)

    def delete_model(self, request, obj):
        services.evidence_remove(evidence=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        run_each(request, queryset, lambda row: services.evidence_remove(evidence=row, user=request.user), "Removed {count} evidence row(s).")

    def restore_version(self, request, obj, version) -> str:
        services.evidence_update(evidence=obj, user=request.user, stance=version.stance, note=version.note)
        return f"Evidence #{obj.pk} restored to its stance and note of {version.history_date:%Y-%m-%d %H:%M}."


@admin.register(Review)
class ReviewAdmin(LenientChangeListMixin, admin.ModelAdmin):
    """The moderation log, append-only: nobody adds, changes or deletes a row here."""

    list_display = ("created_at", "claim", "action", "actor", "from_status", "to_status", "comment")
    list_filter = ("action", "to_status")
    search_fields = ("comment",)
    list_select_related = ("claim", "actor")
    date_hierarchy = "created_at"
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
