"""The webhooks' admin, for superusers only: register, watch the delivery log, re-enable."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from project.admin import LenientChangeListMixin
from project.errors import DomainError

from .models import Delivery, Event, Webhook
from .webhooks import check_webhook_url, webhook_enable


class SuperuserOnly:
    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


class WebhookForm(forms.ModelForm):
    url = forms.URLField(max_length=2048, assume_scheme="https")
    types = forms.MultipleChoiceField(
        choices=Event.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None checked: every type.",
    )

    class Meta:
        model = Webhook
        fields = ["url", "secret", "types", "public_only", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_webhook_url(url)
        except DomainError as error:
            raise ValidationError(error.message) from error
        return url

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if len(secret) < 16:
            raise ValidationError("Use a secret of at least 16 characters.")
        return secret


@admin.register(Webhook)
class WebhookAdmin(SuperuserOnly, LenientChangeListMixin, admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "active", "type_list", "last_seq", "failing_since", "disabled_reason"]
    list_filter = ["active"]
    readonly_fields = ["last_seq", "failing_since", "disabled_reason", "created_by", "created_at"]
    actions = ["enable"]

    @admin.display(description="types")
    def type_list(self, webhook: Webhook) -> str:
        return ", ".join(webhook.types) or "all"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if change and "active" in form.changed_data and obj.active:
            obj.disabled_reason, obj.failing_since = "", None
        super().save_model(request, obj, form, change)
        if change and "active" in form.changed_data and obj.active:
            webhook_enable(obj)

    @admin.action(description="Enable again (retry the oldest pending delivery now)")
    def enable(self, request, queryset):
        for webhook in queryset:
            webhook_enable(webhook)
        self.message_user(request, f"{queryset.count()} webhook(s) enabled.", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(SuperuserOnly, LenientChangeListMixin, admin.ModelAdmin):
    """The delivery log: read only."""

    list_display = ["seq", "event_type", "webhook", "status", "attempts", "last_status_code",
                    "last_error", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "webhook"]
    list_select_related = ["event", "webhook"]
    ordering = ["-seq", "-id"]

    @admin.display(description="type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.type

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(SuperuserOnly, LenientChangeListMixin, admin.ModelAdmin):
    """The changes feed as recorded: read only."""

    list_display = ["seq", "type", "claim", "source", "version", "status", "public", "at"]
    list_filter = ["type", "public"]
    ordering = ["-seq"]
    show_full_result_count = False

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
