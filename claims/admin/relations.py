"""Admin for relations between claims, and the similar-claims suggestions of the claim form
and the select-to-claim box (``claims/static/claims/similar.js``).

A relation is recorded and removed through ``claims.relation_services``; the suggestions
read ``/api/v1/claims/similar/``. Picking "duplicate" on a claim not yet saved sends
``duplicate_of`` with the form, and ``record_duplicate_from_form`` relates the new claim in
the same transaction as its creation.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from project.admin import DomainErrorsAsMessages, ServiceHistoryAdmin, badge, id_or_none, run_each
from sources.admin import adopt
from project.errors import InvalidInput

from .. import relation_services
from ..models import Claim, ClaimRelation

DUPLICATE_FIELD = "duplicate_of"
SIMILAR_SCRIPT = "claims/similar.js"


def record_duplicate_from_form(request: HttpRequest, claim: Claim) -> ClaimRelation | None:
    """Relate a claim just created from an admin form as a duplicate of the claim the
    analyst picked among the suggestions (the form's ``duplicate_of``), if any."""
    value = request.POST.get(DUPLICATE_FIELD, "").strip()
    if not value:
        return None
    original = id_or_none(value)
    if original is None:
        raise InvalidInput("The claim picked as the original is not a claim id.", code="invalid")
    return relation_services.relation_create(
        from_claim=claim, to_claim=original, kind=ClaimRelation.Kind.DUPLICATE_OF, user=request.user
    )


@admin.register(ClaimRelation)
class ClaimRelationAdmin(DomainErrorsAsMessages, ServiceHistoryAdmin):
    list_display = ("__str__", "kind_label", "from_claim", "to_claim", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("from_claim__text", "to_claim__text", "note")
    list_select_related = ("from_claim", "to_claim", "created_by")
    autocomplete_fields = ("from_claim", "to_claim")
    fields = ("from_claim", "kind", "to_claim", "note")
    show_full_result_count = False

    class Media:
        css = {"all": ["claims/admin.css"]}

    @admin.display(description="kind", ordering="kind")
    def kind_label(self, relation: ClaimRelation) -> str:
        return badge("relation", relation.kind, relation.get_kind_display())

    def get_readonly_fields(self, request, obj=None):
        # A relation is recorded or removed, never edited (remove it and record another).
        return self.fields if obj is not None else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        relation = relation_services.relation_create(
            from_claim=obj.from_claim, to_claim=obj.to_claim, kind=obj.kind, note=obj.note, user=request.user
        )
        adopt(obj, relation)

    def delete_refusal(self, request, obj: ClaimRelation) -> str | None:
        problem = relation_services.relation_delete_problem(obj, request.user)
        return None if problem is None else f"{obj} is not removed: {problem.message}"

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or self.delete_refusal(request, obj) is None)

    def delete_model(self, request, obj):
        relation_services.relation_delete(relation=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        run_each(
            request,
            queryset,
            lambda relation: relation_services.relation_delete(relation=relation, user=request.user),
            "Removed {count} relation(s).",
        )

    # A relation is recorded or removed, never restored: its version pages show no Revert.
    restorable = False

    def restore_version(self, request, obj, version) -> str:
        raise InvalidInput("A relation is not restored: record a new one.", code="not_restorable")
