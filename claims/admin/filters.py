"""List filters for claims that stay cheap on a million claims.

None of them scans the claims table to build its choices: entities are picked by typing
(a slug or a name, with a bounded suggestion list), authors come from the staff users.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from project.admin import id_or_none
from project.text import shortened

from sources.models import Span

from ..models import Entity, Evidence

# The suggestion list under the entity box; typing a slug or a name reaches any entity.
ENTITY_SUGGESTIONS = 300


class EntityFilter(admin.SimpleListFilter):
    """Claims about one entity, chosen by slug (or exact name) in a text box."""

    title = "entity"
    parameter_name = "entity"
    template = "admin/claims/filter_entity.html"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self) -> bool:
        return True

    def entity(self) -> Entity | None:
        value = (self.value() or "").strip()
        if not value:
            return None
        if not hasattr(self, "_entity"):
            self._entity = (
                Entity.objects.filter(slug=value).first()
                or Entity.objects.filter(name__iexact=value).order_by("id").first()
            )
        return self._entity

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        entity = self.entity()
        if entity is None:
            return queryset.none()
        return queryset.filter(entities=entity)

    def choices(self, changelist):
        keep = [
            (name, value)
            for name, values in self.request.GET.lists()
            if name not in (self.parameter_name, "p")
            for value in values
        ]
        entity = self.entity()
        yield {
            "value": self.value() or "",
            "entity": entity,
            "unknown": bool(self.value()) and entity is None,
            "hidden": keep,
            "all_url": changelist.get_query_string(remove=[self.parameter_name]),
            "suggestions": Entity.objects.only("slug", "name").order_by("name")[:ENTITY_SUGGESTIONS],
            "parameter_name": self.parameter_name,
        }


class AuthorFilter(admin.SimpleListFilter):
    """Claims by one author: the current user first, then the staff (a small table)."""

    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        users = get_user_model().objects.filter(is_staff=True).exclude(pk=request.user.pk).order_by("username")
        return [("me", "Mine")] + [(str(user.pk), user.get_username()) for user in users[:100]]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(author=request.user)
        if value and value.isdigit():
            # An id past any BIGINT names nobody (and would overflow SQLite's integers).
            return queryset.filter(author_id=id_or_none(value) or 0)
        return queryset


class HasChecksFilter(admin.SimpleListFilter):
    """Claims the editorial checks warn about (claims/checks.py): served by a partial index."""

    title = "editorial checks"
    parameter_name = "has_checks"

    def lookups(self, request, model_admin):
        return [("1", "With warnings"), ("0", "Clean")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(has_checks=True)
        if self.value() == "0":
            return queryset.filter(has_checks=False)
        return queryset


class NeedsAttentionFilter(admin.SimpleListFilter):
    """Claims whose evidence lost its words (an orphaned span): served by a partial index."""

    title = "needs attention"
    parameter_name = "needs_attention"

    def lookups(self, request, model_admin):
        return [("1", "Needs attention"), ("0", "No")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(needs_attention=True)
        if self.value() == "0":
            return queryset.filter(needs_attention=False)
        return queryset


class SpanFilter(admin.SimpleListFilter):
    """Claims citing one span, by its id: where a source's page sends the reader for the
    claims beyond the first few it lists of a much-cited span. Shown only when set."""

    title = "citing span"
    parameter_name = "span"

    def lookups(self, request, model_admin):
        return ()

    def has_output(self) -> bool:
        return bool(self.value())

    def span_id(self) -> int | None:
        return id_or_none((self.value() or "").strip())

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # Exists, not a join: a claim citing the span twice (it cannot) would not repeat.
        cites = Evidence.objects.filter(claim=OuterRef("pk"), span_id=self.span_id() or 0)
        return queryset.filter(Exists(cites))

    def choices(self, changelist):
        yield {"selected": False, "query_string": changelist.get_query_string(remove=[self.parameter_name]), "display": "All"}
        span = Span.objects.filter(pk=self.span_id() or 0).only("id", "quote").first()
        quote = f"“{shortened(span.quote, 60)}”" if span else "(no such span)"
        yield {
            "selected": True,
            "query_string": changelist.get_query_string({self.parameter_name: self.value()}),
            "display": f"Span #{self.span_id() or self.value()} {quote}",
        }
