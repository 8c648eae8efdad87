"""The webhooks' admin, for superusers only: register, watch the delivery log, re-enable."""

from __future__ import annotations

import secrets
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from project.admin import LenientChangeListMixin
from project.errors import DomainError

from .models import Delivery, Event, Webhook
from .sequencing import sequence_pending
from .webhooks import check_webhook_url, feed_end, unread_events, webhook_changed, webhook_enable

# "N more waiting" is counted up to this, then said as "more than".
WAITING_COUNT_CAP = 10_000
# The form's fields in the order they are decided; the record's after them.
FORM_ORDER = {name: position for position, name in enumerate(["url", "secret", "types", "start", "public_only", "active"])}
# What a change to a webhook applies at once (``webhook_changed``).
DELIVERY_FIELDS = {"url", "secret", "types", "public_only"}


def event_number(webhook: Webhook, seq: int, public_seq: int | None) -> str:
    """An event as the admin names it: the feed's number, and for a public-only webhook the
    public number its receiver was sent (``X-Claimbase-Seq``)."""
    if webhook.public_only and public_seq is not None and public_seq != seq:
        return f"event #{seq} (sent as #{public_seq})"
    return f"event #{seq}"


class SecretNotFiltered:
    """No list lookup touches a webhook's secret (``?secret__startswith=a`` on the webhooks,
    ``?webhook__secret__...`` on the delivery log): "1 webhook" against "0 webhooks" would
    read a write-only secret back a character at a time. Refused as Django's ``UserAdmin``
    refuses lookups on passwords (a 400)."""

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        return "secret" not in lookup.split(LOOKUP_SEP) and super().lookup_allowed(lookup, value, request)


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


# The admin does not escape help texts: no angle brackets.
SIGNATURE_HELP = (
    "Each delivery carries X-Claimbase-Signature: sha256= followed by the HMAC-SHA256 of its body with this "
    "secret, in hex."
)


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        max_length=2048, assume_scheme="https", label="URL",
        widget=forms.URLInput(attrs={"class": "cb-wide"}),
        help_text="Where each event is POSTed: an address on the public internet (https, so that the "
        "events travel encrypted).",
    )
    types = forms.MultipleChoiceField(
        choices=Event.Type.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None checked: every type.",
    )
    start = forms.ChoiceField(
        choices=[("new", "New events"), ("all", "All events")],
        initial="new",
        required=False,  # new events only, unless chosen
        widget=forms.RadioSelect,
        label="Send",
        help_text="New events: from the next one on. All events: every event in the feed, from the first (a "
        "receiver that wants the past can also read it from /api/v1/changes/).",
    )

    class Meta:
        model = Webhook
        fields = ["url", "secret", "types", "public_only", "active"]
        help_texts = {
            "secret": f"At least 16 characters; once saved it is not shown again. {SIGNATURE_HELP}",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secret"].strip = False  # as typed: see clean_secret
        if self.instance.pk is not None:
            del self.fields["start"]  # chosen once, when it is added
            # Write-only once saved: the page never shows the secret (screens are shared and
            # captured), it only takes a new one.
            field = self.fields["secret"]
            field.required = False
            field.widget = forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "new-password", "class": "vTextField"}
            )
            field.help_text = (
                "Set, and not shown. Leave blank to keep it; type a new one (at least 16 characters) to replace "
                f"it, and give the receiver the same. {SIGNATURE_HELP}"
            )
            self.initial["secret"] = ""  # a blank field is no change
        elif not self.is_bound:
            # A strong secret to start from, shown this once: copied to the receiver before
            # saving (or replaced by the receiver's own).
            self.initial.setdefault("secret", secrets.token_urlsafe(32))
            self.fields["secret"].widget.attrs["class"] = "vTextField cb-wide"
            self.fields["secret"].help_text = (
                "A random secret is filled in: give the receiver the same (or type its own, at least 16 "
                f"characters) before saving; once saved it is not shown again. {SIGNATURE_HELP}"
            )

    def clean_public_only(self):
        """Fixed once the webhook has deliveries: it decides how the receiver's events are
        numbered (the public numbering, or the feed's own), and a receiver that keeps the
        last seq it saw would drop every event after a switch to smaller numbers."""
        public_only = self.cleaned_data["public_only"]
        webhook = self.instance
        if webhook.pk is not None and public_only != webhook.public_only and webhook.deliveries.exists():
            raise ValidationError(
                "This webhook has deliveries, numbered for its receiver by "
                f"{'the public numbering' if webhook.public_only else 'the feed’s own seq'}; changing this "
                "would renumber the events that follow. Add a new webhook for the other kind of events."
            )
        return public_only

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_webhook_url(url)
        except DomainError as error:
            raise ValidationError(error.message) from error
        return url

    def clean_secret(self):
        """The secret as typed, or refused: never changed on the way in.

        HMAC keys compare byte for byte, so a secret stored otherwise than the receiver
        holds it fails every signature. Stripping spaces around it (a form's default)
        silently did that; keeping them would do it as surely at a receiver whose
        configuration trims them. Spaces or a line break at either end are nearly always
        pasted by accident, so they are refused, and the person sees what they typed; spaces
        inside are kept."""
        secret = self.cleaned_data["secret"]
        if not secret and self.instance.pk is not None:
            return self.instance.secret  # as stored: the instance takes the form's values after cleaning
        if secret != secret.strip():
            raise ValidationError(
                "Remove the spaces or line breaks at the start or end of the secret: it is used exactly as "
                "typed, and the receiver must hold the same."
            )
        if len(secret) < 16:
            raise ValidationError("Use a secret of at least 16 characters.")
        hidden = [char for char in secret if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")]
        if hidden:
            raise ValidationError(
                f"The secret holds a character that cannot be seen (U+{ord(hidden[0]):04X}): a receiver given "
                "what it shows would fail every signature. Type it again without it."
            )
        return secret


@admin.register(Webhook)
class WebhookAdmin(SecretNotFiltered, SuperuserOnly, LenientChangeListMixin, admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "active", "type_list", "state", "disabled_reason"]
    list_filter = ["active"]
    readonly_fields = ["state", "last_seq", "failing_since", "disabled_reason", "created_by", "created_at"]
    actions = ["enable"]

    @admin.display(description="deliveries")
    def state(self, webhook: Webhook) -> str:
        """Where its deliveries stand: up to date, or the delivery that the others wait
        behind, with its last error (a failing receiver holds every later event)."""
        pending = Delivery.objects.filter(webhook=webhook, status=Delivery.Status.PENDING)
        head = pending.select_related("event").order_by("seq").first()
        log = reverse("admin:feed_delivery_changelist") + f"?webhook__id__exact={webhook.pk}"
        # Events it takes past its cursor are queued only when its queue is empty: counted too.
        unread = unread_events(webhook).values("pk")[: WAITING_COUNT_CAP + 1].count()
        if head is None:
            if not unread:
                return format_html('Up to date: nothing waiting (<a href="{}">delivery log</a>)', log)
            count = f"more than {WAITING_COUNT_CAP:,}" if unread > WAITING_COUNT_CAP else f"{unread:,}"
            return format_html(
                "{} event{} to send, not yet read by the worker (manage.py deliver_webhooks) "
                '(<a href="{}">delivery log</a>)',
                count, "" if unread == 1 else "s", log,
            )
        behind = min(pending.count() - 1 + unread, WAITING_COUNT_CAP + 1)
        waiting = f"; {'more than ' if behind > WAITING_COUNT_CAP else ''}{min(behind, WAITING_COUNT_CAP):,} more waiting behind it" if behind else ""
        link = reverse("admin:feed_delivery_change", args=[head.pk])
        name = event_number(webhook, head.seq, head.event.public_seq)
        if not webhook.active:
            return format_html('Stopped at <a href="{}">{}</a> (disabled){}', link, name, waiting)
        leased = webhook.lease_until is not None and webhook.lease_until > timezone.now()
        if head.sent_at is not None:
            if leased:
                return format_html('Sending <a href="{}">{}</a>, attempt {}{}', link, name, head.attempts, waiting)
            return format_html(
                '<a href="{}">{}</a>: attempt {} got no answer (the worker stopped while it waited); sent again '
                "on the worker's next round{}",
                link, name, head.attempts, waiting,
            )
        if not head.attempts:
            return format_html("Next: <a href=\"{}\">{}</a>, on the worker's next round{}", link, name, waiting)
        return format_html(
            'Failing at <a href="{}">{}</a>: {} attempt{}, last error: {}; next try {}{}',
            link, name, head.attempts, "" if head.attempts == 1 else "s",
            Truncator(head.last_error).chars(200) or "none recorded",
            formats.localize(timezone.localtime(head.next_attempt_at)), waiting,
        )

    def get_fields(self, request, obj=None):
        # A webhook being added has no record yet: its state starts with its first delivery.
        fields = sorted(super().get_fields(request, obj), key=lambda name: FORM_ORDER.get(name, len(FORM_ORDER)))
        if obj is not None:
            return [name for name in fields if name != "start"]  # chosen once, when it is added
        return [name for name in fields if name not in self.readonly_fields]

    @admin.display(description="types")
    def type_list(self, webhook: Webhook) -> str:
        return ", ".join(webhook.types) or "all"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            if form.cleaned_data.get("start") != "all":
                obj.last_seq = feed_end()
        if change and "active" in form.changed_data and obj.active:
            obj.disabled_reason, obj.failing_since = "", None
        super().save_model(request, obj, form, change)
        if change and "active" in form.changed_data and obj.active:
            webhook_enable(obj)
        elif change and DELIVERY_FIELDS & set(form.changed_data):
            webhook_changed(obj)

    def get_deleted_objects(self, objs, request):
        """A webhook goes with its delivery log (read only on its own, and possibly long):
        the page counts the deliveries instead of listing each, and asks for no permission
        to delete them."""
        webhooks = list(objs)
        count = Delivery.objects.filter(webhook__in=webhooks).count()
        listed = [format_html("Webhook: {}", webhook.url) for webhook in webhooks]
        if count:
            listed.append(f"{count:,} deliver{'y' if count == 1 else 'ies'} of the delivery log")
        counts = {"webhooks": len(webhooks), **({"deliveries": count} if count else {})}
        return listed, counts, set(), []

    @admin.action(description="Enable again (retry the oldest pending delivery now)")
    def enable(self, request, queryset):
        for webhook in queryset:
            webhook_enable(webhook)
        self.message_user(request, f"{queryset.count()} webhook(s) enabled.", messages.SUCCESS)


@admin.register(Delivery)
class DeliveryAdmin(SecretNotFiltered, SuperuserOnly, LenientChangeListMixin, admin.ModelAdmin):
    """The delivery log: read only."""

    list_display = ["number", "event_type", "receiver", "outcome", "last_error", "when"]
    list_filter = ["status", "webhook"]
    list_select_related = ["event", "webhook"]
    ordering = ["-seq", "-id"]

    @admin.display(description="seq", ordering="seq")
    def number(self, delivery: Delivery) -> str:
        """The feed's number; a public-only webhook's receiver was sent the public one."""
        if delivery.webhook.public_only and delivery.event.public_seq not in (None, delivery.seq):
            return f"{delivery.seq} (sent as {delivery.event.public_seq})"
        return str(delivery.seq)

    @admin.display(description="type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.type

    @admin.display(description="webhook")
    def receiver(self, delivery: Delivery) -> str:
        """The receiving host, the whole URL on hover: URLs are long, the list has to fit."""
        url = delivery.webhook.url
        return format_html(
            '<a href="{}" title="{}">{}</a>',
            reverse("admin:feed_webhook_change", args=[delivery.webhook_id]), url, urlsplit(url).hostname or url,
        )

    @admin.display(description="outcome", ordering="status")
    def outcome(self, delivery: Delivery) -> str:
        attempts = f"{delivery.attempts} attempt{'' if delivery.attempts == 1 else 's'}"
        answer = f", last answer HTTP {delivery.last_status_code}" if delivery.last_status_code else ""
        return f"{delivery.get_status_display()}: {attempts}{answer}"

    def get_queryset(self, request):
        # Each pending delivery's webhook's oldest pending one: the others wait behind it.
        head = Delivery.objects.filter(webhook=OuterRef("webhook"), status=Delivery.Status.PENDING).order_by("seq")
        return super().get_queryset(request).annotate(head_seq=Subquery(head.values("seq")[:1]))

    @admin.display(description="when")
    def when(self, delivery: Delivery) -> str:
        if delivery.status == Delivery.Status.SKIPPED:
            return "not sent"
        if delivery.status == Delivery.Status.DELIVERED:
            return f"delivered {formats.localize(timezone.localtime(delivery.delivered_at))}" if delivery.delivered_at else "delivered"
        if not delivery.webhook.active:
            return "stopped: the webhook is disabled"
        head = getattr(delivery, "head_seq", None)
        if head is not None and head < delivery.seq:
            return f"waiting behind event #{head}"
        return f"next try {formats.localize(timezone.localtime(delivery.next_attempt_at))}"

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(SuperuserOnly, LenientChangeListMixin, admin.ModelAdmin):
    """The changes feed as recorded: read only."""

    list_display = ["seq", "type", "subject", "version", "status", "public", "at"]
    list_filter = ["type", "public"]
    ordering = ["-seq"]
    show_full_result_count = False

    def changelist_view(self, request, extra_context=None):
        # The numbers the feed gives: events committed since the last reader get theirs now,
        # as the feed endpoint does before it reads.
        sequence_pending()
        return super().changelist_view(request, extra_context)

    @admin.display(description="claim or source")
    def subject(self, event: Event) -> str:
        if event.claim is not None:
            return format_html('<a href="{}">claim #{}</a>', reverse("admin:claims_claim_change", args=[event.claim]), event.claim)
        if event.source is not None:
            return format_html('<a href="{}">source #{}</a>', reverse("admin:sources_source_change", args=[event.source]), event.source)
        return "-"

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
