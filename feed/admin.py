"""The webhooks' admin, for superusers only: register, watch the delivery log, re-enable."""

from __future__ import annotations

import re
import secrets
import unicodedata
from http import HTTPStatus
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_POST

from project.admin import LenientChangeListMixin, id_or_none
from project.errors import DomainError

from .models import Delivery, Event, Webhook
from .sequencing import sequence_pending
from .webhooks import (
    PRIVATE_HINT,
    SIGNATURE_HEADER,
    PingResult,
    check_webhook_url,
    delivery_request,
    feed_end,
    unread_events,
    webhook_enable,
    webhook_locked,
    webhook_ping,
    webhook_retry,
    webhook_update,
)

# "N more waiting" is counted up to this, then said as "more than".
WAITING_COUNT_CAP = 10_000
# The form's fields in the order they are decided; the record's after them.
FORM_ORDER = {name: position for position, name in enumerate(["url", "secret", "types", "start", "public_only", "active"])}
# A webhook's URL in a list: longer ones keep the host and the end of the path.
URL_LABEL_CHARACTERS = 48
# A test ping waits for each receiver in turn: an action pings this many at most.
PING_AT_ONCE = 5


def webhook_label(url: str) -> str:
    """A webhook as a list names it: host (and port) with the path, no scheme or query, so
    two webhooks on one host (``/hook``, ``/fail``) are told apart. A long one keeps the
    host and the end of the path, where receivers differ; the full URL goes in a title."""
    try:
        parts = urlsplit(url)
        label = (parts.netloc.rpartition("@")[2] + parts.path.rstrip("/")) or url
    except ValueError:
        label = url
    if len(label) <= URL_LABEL_CHARACTERS:
        return label
    host, slash, rest = label.partition("/")
    room = URL_LABEL_CHARACTERS - len(host) - 3  # "/…/"
    if not slash or room < 12:
        return label[: URL_LABEL_CHARACTERS - 1] + "…"
    # Whole segments from the end, as many as fit; a last segment too long for the room is cut at its start.
    segments = rest.split("/")
    kept = [segments.pop()]
    while segments and len("/".join([segments[-1], *kept])) <= room:
        kept.insert(0, segments.pop())
    tail = "/".join(kept)
    return f"{host}/…/{tail[-room:]}" if segments or len(tail) > room else label


def event_number(webhook: Webhook, seq: int, public_seq: int | None) -> str:
    """An event as the admin names it: the feed's number, and for a public-only webhook the
    public number its receiver is sent (``X-Claimbase-Seq``), which differs."""
    if webhook.public_only and public_seq is not None and public_seq != seq:
        return f"event #{seq} (the receiver’s seq {public_seq})"
    return f"event #{seq}"


def receiver_seq(webhook: Webhook, event: Event) -> int | None:
    """The ``seq`` the receiver is sent for ``event``: its public number for a public-only
    webhook (as anonymous readers of the feed number it), the feed's own otherwise."""
    return event.public_seq if webhook.public_only else event.seq


# The delivery log's two numbers, said once for its list (above it: a column header cannot
# hold a paragraph).
NUMBERING_HELP = [
    ("Feed seq", "the event’s number in the changes feed, as staff read it (/api/v1/changes/, Events)."),
    ("Receiver’s seq", "the number the receiver is sent, in the body’s seq and the X-Claimbase-Seq header. A "
     "public-only webhook’s receiver gets the public events’ own numbering (1, 2, 3… among public events, as "
     "anonymous readers of the feed see it), smaller than the feed seq; any other receiver gets the feed seq."),
]


class WebhookFilter(admin.RelatedFieldListFilter):
    """The delivery log's webhooks named as its column names them (``webhook_label``): the
    whole URLs broke across lines in the narrow filter column."""

    def field_choices(self, field, request, model_admin):
        return [(webhook.pk, webhook_label(webhook.url)) for webhook in Webhook.objects.order_by("pk")]


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
            # A type stored that this release does not know (renamed, or written by hand):
            # shown ticked, and kept unless unticked. Left off, the page showed no box
            # ticked ("every type"), and saving any change widened the webhook to all.
            known = {value for value, _ in Event.Type.choices}
            unknown = [value for value in self.instance.types or [] if value not in known]
            if unknown:
                self.fields["types"].choices = [
                    *Event.Type.choices, *((value, f"{value} (no such type: no event has it)") for value in unknown),
                ]
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
    actions = ["ping", "retry_now", "enable"]
    change_list_template = "admin/feed/webhook/change_list.html"
    change_form_template = "admin/feed/webhook/change_form.html"

    class Media:
        css = {"all": ["feed/webhooks.css"]}

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
            if not webhook.active:
                # The worker passes an inactive webhook by: the wait is for its Active box.
                return format_html(
                    "Inactive: {} event{} waiting; they are sent once it is made active again "
                    '(<a href="{}">delivery log</a>)',
                    count, "" if unread == 1 else "s", log,
                )
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

    def get_object(self, request, object_id, from_field=None):
        """On a POST (a change or a deletion, in the admin's transaction), the webhook as
        stored now and locked until saved: the form decides on what the worker last wrote
        (a numbering fixed by an event sent meanwhile), and the worker waits for the save."""
        webhook = super().get_object(request, object_id, from_field)
        if webhook is None or request.method != "POST":
            return webhook
        return webhook_locked(webhook.pk)

    def save_model(self, request, obj, form, change):
        if change:
            # What the form changed, and nothing of the worker's (``webhook_update``).
            webhook_update(obj, fields=form.changed_data)
            return
        obj.created_by = request.user
        if form.cleaned_data.get("start") != "all":
            obj.last_seq = feed_end()
        super().save_model(request, obj, form, change)

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

    # ---- Retrying and testing: list actions, and buttons on a webhook's page.

    def get_actions(self, request):
        """Only the actions some webhook's state calls for: enabling while one is disabled,
        retrying while an active one waits for its backoff."""
        actions = super().get_actions(request)
        if "enable" in actions and not Webhook.objects.filter(active=False).exists():
            del actions["enable"]
        if "retry_now" in actions and not backing_off(Webhook.objects.filter(active=True)).exists():
            del actions["retry_now"]
        return actions

    @admin.action(description="Send a test ping to the selected webhooks")
    def ping(self, request, queryset):
        webhooks = list(queryset.order_by("pk")[: PING_AT_ONCE + 1])
        if len(webhooks) > PING_AT_ONCE:
            self.message_user(
                request,
                f"Select at most {PING_AT_ONCE} webhooks to ping at once: each waits for its receiver's answer.",
                messages.WARNING,
            )
            return
        for webhook in webhooks:
            self._report_ping(request, webhook, webhook_ping(webhook))

    def _report_ping(self, request, webhook: Webhook, result: PingResult) -> None:
        text, level = ping_outcome(webhook, result)
        self.message_user(request, text, level)

    @admin.action(description="Retry now: send the failing delivery on the worker’s next round, not after its wait")
    def retry_now(self, request, queryset):
        failing = list(backing_off(queryset.filter(active=True)))
        for webhook in failing:
            webhook_retry(webhook)
        left = queryset.count() - len(failing)
        self._say_done(request, len(failing), "retried on the worker’s next round", left, "not waiting to retry")

    @admin.action(description="Enable again: deliveries resume, the oldest waiting one first")
    def enable(self, request, queryset):
        disabled = list(queryset.filter(active=False))
        for webhook in disabled:
            webhook_enable(webhook)
        left = queryset.count() - len(disabled)
        self._say_done(request, len(disabled), "enabled: the worker sends the oldest waiting delivery on its next round", left, "already active")

    def _say_done(self, request, done: int, what: str, left: int, why: str) -> None:
        text = f"{done} webhook{'' if done == 1 else 's'} {what}."
        if left:
            text += f" {left} left as {'it was' if left == 1 else 'they were'}: {why}."
        self.message_user(request, text, messages.SUCCESS if done else messages.WARNING)

    def get_urls(self):
        own = [
            path("<path:object_id>/ping/", self.admin_site.admin_view(self.ping_view), name="feed_webhook_ping"),
            path("<path:object_id>/retry/", self.admin_site.admin_view(self.retry_view), name="feed_webhook_retry"),
        ]
        return own + super().get_urls()

    def _webhook_to_act_on(self, request, object_id: str) -> Webhook:
        if not self.has_change_permission(request):
            raise PermissionDenied
        pk = id_or_none(object_id)
        if pk is None:
            raise Http404
        return get_object_or_404(Webhook, pk=pk)

    @method_decorator(require_POST)
    def ping_view(self, request, object_id: str):
        """The page's "Send a test ping" button: POST only (it sends a request out)."""
        webhook = self._webhook_to_act_on(request, object_id)
        self._report_ping(request, webhook, webhook_ping(webhook))
        return redirect("admin:feed_webhook_change", webhook.pk)

    @method_decorator(require_POST)
    def retry_view(self, request, object_id: str):
        """The page's retry button, which its state decides (``retry_button``)."""
        webhook = self._webhook_to_act_on(request, object_id)
        queryset = Webhook.objects.filter(pk=webhook.pk)
        if not webhook.active:
            self.enable(request, queryset)
        else:
            self.retry_now(request, queryset)
        return redirect("admin:feed_webhook_change", webhook.pk)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # As stored: a form sent back with an error holds what was typed (its Active box).
        stored = Webhook.objects.filter(pk=obj.pk).first() if obj is not None else None
        if stored is not None:
            context = {**context, "retry_button": retry_button(stored)}
        return super().render_change_form(request, context, add, change, form_url, obj)


def backing_off(webhooks):
    """The webhooks whose oldest waiting delivery failed and waits for its next try."""
    waiting = Delivery.objects.filter(
        webhook=OuterRef("pk"), status=Delivery.Status.PENDING, attempts__gt=0, next_attempt_at__gt=timezone.now()
    )
    return webhooks.filter(Exists(waiting))


def retry_button(webhook: Webhook) -> str:
    """The retry button a webhook's page shows, if its state calls for one: enabling a
    disabled webhook, or retrying now one that waits for its backoff; none while it is
    up to date or about to send."""
    if not webhook.active:
        return "Enable again and resume deliveries"
    if backing_off(Webhook.objects.filter(pk=webhook.pk)).exists():
        return "Retry the failing delivery now"
    return ""


def ping_outcome(webhook: Webhook, result: PingResult) -> tuple[str, int]:
    """A test ping's outcome in words, and the message level that says it."""
    where = f"Test ping to {webhook.url}"
    took = f"{result.seconds * 1000:.0f} ms" if result.seconds < 1 else f"{result.seconds:.1f} s"
    if result.status is not None:
        try:
            phrase = f" {HTTPStatus(result.status).phrase}"
        except ValueError:
            phrase = ""
        answer = f"HTTP {result.status}{phrase}"
        if result.ok:
            return f"{where}: the receiver answered {answer} in {took}. Deliveries reach it.", messages.SUCCESS
        said = f", saying: {Truncator(result.excerpt).chars(200)}" if result.excerpt else ""
        return (
            f"{where}: the receiver answered {answer}{said}. A delivery answered so counts as failed and is "
            "tried again: the receiver must answer 2xx.",
            messages.ERROR,
        )
    reasons = {
        "address_not_allowed": "not sent, the address is refused",
        "timeout": "no answer in time",
        "unresolvable": "the host name does not resolve",
        "connection": "no connection",
        "certificate": "the receiver's TLS certificate was refused",
        "bad_url": "the URL cannot be used",
        "too_many_redirects": "the receiver redirected it (webhooks are not redirected: use the final URL)",
    }
    reason = reasons.get(result.code, "failed")
    if result.code == "address_not_allowed":
        detail = f"{result.message} {PRIVATE_HINT}"
    elif result.code == "timeout":
        detail = (
            f"{result.message} Deliveries wait as long (WEBHOOK_TIMEOUT_SECONDS), then count as failed: the "
            "receiver should answer at once and do its work after."
        )
    else:
        detail = result.message
    return f"{where}: {reason}. {detail}", messages.ERROR


@admin.register(Delivery)
class DeliveryAdmin(SecretNotFiltered, SuperuserOnly, LenientChangeListMixin, admin.ModelAdmin):
    """The delivery log: read only."""

    list_display = ["number", "sent_number", "event_type", "receiver", "outcome", "last_error", "when"]
    list_filter = ["status", ("webhook", WebhookFilter)]
    list_select_related = ["event", "webhook"]
    ordering = ["-seq", "-id"]
    change_list_template = "admin/feed/delivery/change_list.html"
    fieldsets = [
        (None, {"fields": ["event_link", "sent_number", "webhook_link", "status"]}),
        ("Sending", {"fields": ["queued_at", "attempts", "answer", "when"]}),
        ("What the receiver is sent", {
            "fields": ["body", "headers"],
            "description": "A POST of this body, byte for byte, with these headers.",
        }),
    ]
    readonly_fields = ["event_link", "sent_number", "webhook_link", "status", "queued_at", "attempts", "answer", "when", "body", "headers"]

    class Media:
        css = {"all": ["feed/webhooks.css"]}

    def changelist_view(self, request, extra_context=None):
        days = settings.WEBHOOK_LOG_DAYS
        kept = ("Kept", f"a delivered or skipped delivery for {days:,} day{'' if days == 1 else 's'} (WEBHOOK_LOG_DAYS), "
                        "then deleted by the worker; a pending one until it is sent.")
        return super().changelist_view(request, {**(extra_context or {}), "numbering_help": [*NUMBERING_HELP, kept]})

    @admin.display(description="feed seq", ordering="seq")
    def number(self, delivery: Delivery) -> str:
        return str(delivery.seq)

    @admin.display(description="receiver’s seq")
    def sent_number(self, delivery: Delivery) -> str:
        """What the receiver is sent (``receiver_seq``): the same as the feed seq unless the
        webhook takes public events only."""
        number = receiver_seq(delivery.webhook, delivery.event)
        if number is None:
            return "none: not a public event"
        return str(number)

    @admin.display(description="type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.type

    @admin.display(description="webhook")
    def receiver(self, delivery: Delivery) -> str:
        """The URL without its scheme, shortened (``webhook_label``); the whole on hover."""
        url = delivery.webhook.url
        # A line may break after a slash or a dot, not inside a name.
        parts = re.split(r"(?<=[/.])", webhook_label(url))
        label = mark_safe("<wbr>".join(conditional_escape(part) for part in parts))
        return format_html(
            '<a href="{}" title="{}">{}</a>', reverse("admin:feed_webhook_change", args=[delivery.webhook_id]), url, label,
        )

    # ---- A delivery's page: what is sent, and how the receiver answered.

    @admin.display(description="event")
    def event_link(self, delivery: Delivery) -> str:
        event = delivery.event
        subject = f"claim #{event.claim}" if event.claim is not None else f"source #{event.source}"
        return format_html(
            '<a href="{}?seq={}">#{}</a> in the feed: {}, {}, {}',
            reverse("admin:feed_event_changelist"), event.seq, delivery.seq, event.type, subject,
            formats.localize(timezone.localtime(event.at)),
        )

    @admin.display(description="webhook")
    def webhook_link(self, delivery: Delivery) -> str:
        webhook = delivery.webhook
        return format_html(
            '<a href="{}">{}</a> ({}{})', reverse("admin:feed_webhook_change", args=[webhook.pk]), webhook.url,
            "public events only" if webhook.public_only else "every event its types name",
            "" if webhook.active else "; disabled",
        )

    @admin.display(description="queued")
    def queued_at(self, delivery: Delivery) -> str:
        return formats.localize(timezone.localtime(delivery.created_at))

    @admin.display(description="last answer")
    def answer(self, delivery: Delivery) -> str:
        """The receiver's last status and what it said, or why no answer came. A 2xx
        answer's body is not kept: nothing in it changes what happens next."""
        if delivery.status == Delivery.Status.SKIPPED:
            return f"Not sent: {delivery.last_error.removeprefix('not sent: ')}"
        if not delivery.attempts:
            return "Not sent yet"
        if delivery.status == Delivery.Status.DELIVERED:
            status = f"HTTP {delivery.last_status_code} " if delivery.last_status_code else ""
            return f"{status}(a success: the answer’s body is not kept)"
        return delivery.last_error or "none recorded"

    @admin.display(description="the body")
    def body(self, delivery: Delivery) -> str:
        body, _ = delivery_request(delivery.webhook, delivery)
        return format_html('<pre class="cb-payload">{}</pre>', body.decode())

    @admin.display(description="headers")
    def headers(self, delivery: Delivery) -> str:
        """Every header sent, but the signature is described, not shown: an HMAC of a known
        body is enough to try guesses of a weak secret offline, and this page is shared."""
        _, headers = delivery_request(delivery.webhook, delivery)
        headers[SIGNATURE_HEADER] = "sha256=<64 hex digits>"
        lines = "\n".join(f"{name}: {value}" for name, value in headers.items())
        return format_html(
            '<pre class="cb-payload">{}</pre><p class="cb-signature-help">{} is the HMAC-SHA256 of the body '
            "above, byte for byte, keyed with the webhook’s secret (as it is now), in hex. The secret is not "
            "shown. To check it, the receiver computes the same over the raw body it received, before parsing "
            "it, and compares the two in constant time (Python: hmac.compare_digest). The receiver deduplicates by "
            "X-Claimbase-Seq, or by X-Claimbase-Delivery (the same for every attempt).</p>",
            lines, SIGNATURE_HEADER,
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
        """Where the delivery stands in time: delivered when, or its next try, or why it
        waits."""
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
