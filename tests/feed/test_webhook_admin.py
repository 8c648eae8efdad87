"""The webhooks' admin: superusers only; URLs checked; the delivery log and the reason a
webhook was disabled are shown."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feed.models import Delivery, Event, Webhook


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(url: str, **extra) -> dict:
    return {"url": url, "secret": "sixteen-chars-or-more", "types": ["claim.published"],
            "public_only": "on", "active": "on", **extra}


def test_a_superuser_registers_a_webhook(superuser, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    response = _client(superuser).post(reverse("admin:feed_webhook_add"), _form("https://hooks.example.org/in"))
    assert response.status_code == 302, response.content
    webhook = Webhook.objects.get()
    assert (webhook.url, webhook.types, webhook.created_by) == ("https://hooks.example.org/in", ["claim.published"], superuser)


def test_a_webhook_to_a_private_address_is_refused_in_the_form(superuser, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    response = _client(superuser).post(reverse("admin:feed_webhook_add"), _form("http://192.168.1.10/in"))
    assert response.status_code == 200
    assert "not a public address" in response.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("name", ["admin:feed_webhook_changelist", "admin:feed_webhook_add", "admin:feed_delivery_changelist"])
def test_staff_who_are_not_superusers_cannot_reach_webhooks(reviewer, name):
    assert _client(reviewer).get(reverse(name)).status_code == 403


def test_the_delivery_log_and_the_disabled_reason_are_shown(superuser):
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, active=False,
                                     disabled_reason="Disabled on 2026-12-03: every delivery failed.")
    event = Event.objects.create(type="claim.published", claim=7, seq=1, public=True)
    Delivery.objects.create(webhook=webhook, event=event, seq=1, attempts=3, last_error="HTTP 500: boom",
                            last_status_code=500)
    client = _client(superuser)
    listing = client.get(reverse("admin:feed_webhook_changelist")).content.decode()
    assert "every delivery failed" in listing
    log = client.get(reverse("admin:feed_delivery_changelist")).content.decode()
    assert "HTTP 500: boom" in log and "claim.published" in log


def test_enabling_a_disabled_webhook_clears_its_reason(superuser):
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, active=False,
                                     disabled_reason="failing")
    response = _client(superuser).post(
        reverse("admin:feed_webhook_changelist"),
        {"action": "enable", "_selected_action": [webhook.pk]},
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.active and webhook.disabled_reason == ""


def test_the_event_list_numbers_waiting_events_as_the_feed_does_and_links_their_subjects(superuser):
    waiting = Event.objects.create(type="claim.published", claim=7, public=True)
    source_event = Event.objects.create(type="source.created", source=3)
    html = _client(superuser).get(reverse("admin:feed_event_changelist")).content.decode()
    waiting.refresh_from_db()
    source_event.refresh_from_db()
    assert (waiting.seq, source_event.seq) == (1, 2)
    assert reverse("admin:claims_claim_change", args=[7]) in html and ">claim #7<" in html
    assert reverse("admin:sources_source_change", args=[3]) in html and ">source #3<" in html


def test_the_webhook_form_asks_for_a_url_in_a_wide_field_and_explains_the_signature(superuser):
    html = _client(superuser).get(reverse("admin:feed_webhook_add")).content.decode()
    assert ">URL:<" in html and 'class="cb-wide"' in html
    assert "sha256= followed by the HMAC-SHA256 of its body" in html
    assert "Failing since" not in html and "Last seq" not in html  # nothing to show before a delivery


def _change(client, webhook, **fields):
    data = {"url": webhook.url, "types": webhook.types, "public_only": "on", "active": "on", "secret": "", **fields}
    return client.post(reverse("admin:feed_webhook_change", args=[webhook.pk]), data)


def test_a_saved_secret_is_never_shown_and_a_blank_field_keeps_it(superuser, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    secret = "the-receiver-knows-this-secret"
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret=secret, types=["claim.published"])
    client = _client(superuser)
    page = client.get(reverse("admin:feed_webhook_change", args=[webhook.pk])).content.decode()
    assert secret not in page
    assert 'type="password"' in page and "Leave blank to keep it" in page
    response = _change(client, webhook, types=["claim.retracted"])
    assert response.status_code == 302, response.content
    webhook.refresh_from_db()
    assert (webhook.secret, webhook.types) == (secret, ["claim.retracted"])
    from django.contrib.admin.models import LogEntry

    assert "Secret" not in LogEntry.objects.latest("action_time").get_change_message()


def test_a_new_secret_replaces_the_old_one_and_a_short_one_is_refused(superuser, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, types=["claim.published"])
    client = _client(superuser)
    refused = _change(client, webhook, secret="too-short")
    assert refused.status_code == 200 and "at least 16 characters" in refused.content.decode()
    assert "too-short" not in refused.content.decode()  # not echoed back either
    webhook.refresh_from_db()
    assert webhook.secret == "s" * 20
    assert _change(client, webhook, secret="a-brand-new-secret-0123").status_code == 302
    webhook.refresh_from_db()
    assert webhook.secret == "a-brand-new-secret-0123"


def test_a_new_webhook_needs_its_secret(superuser, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    response = _client(superuser).post(reverse("admin:feed_webhook_add"), _form("https://hooks.example.org/in", secret=""))
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Webhook.objects.exists()


def test_the_add_form_offers_a_strong_random_secret_shown_this_once(superuser, settings):
    import re

    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    client = _client(superuser)

    def offered() -> str:
        html = client.get(reverse("admin:feed_webhook_add")).content.decode()
        assert "once saved it is not shown again" in html
        return re.search(r'name="secret" value="([^"]+)"', html).group(1)

    first, second = offered(), offered()
    assert len(first) >= 40 and first != second
    assert client.post(reverse("admin:feed_webhook_add"), _form("https://hooks.example.org/in", secret=first)).status_code == 302
    assert Webhook.objects.get().secret == first


def test_a_webhook_says_which_delivery_holds_the_others_and_why(superuser):
    """A failing receiver holds every later event: the webhook's page and list name the
    delivery they wait behind with its error, and the log says which ones wait."""
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, last_seq=4)
    events = [Event.objects.create(type="claim.published", claim=7, seq=n, public=True) for n in (1, 2, 3, 4)]
    Delivery.objects.create(webhook=webhook, event=events[0], seq=1, status=Delivery.Status.DELIVERED, attempts=1)
    head = Delivery.objects.create(webhook=webhook, event=events[1], seq=2, attempts=3, last_status_code=502,
                                   last_error="HTTP 502: <html>Bad Gateway</html>")
    for event in events[2:]:
        Delivery.objects.create(webhook=webhook, event=event, seq=event.seq)
    client = _client(superuser)
    for url in (reverse("admin:feed_webhook_changelist"), reverse("admin:feed_webhook_change", args=[webhook.pk])):
        html = client.get(url).content.decode()
        assert f'Failing at <a href="{reverse("admin:feed_delivery_change", args=[head.pk])}">event #2</a>: 3 attempts' in html
        assert "last error: HTTP 502: &lt;html&gt;Bad Gateway&lt;/html&gt;" in html
        assert "2 more waiting behind it" in html
    # Events it takes that came since wait too, before they are queued; others do not.
    Event.objects.create(type="claim.published", claim=8, seq=5, public=True)
    Event.objects.create(type="claim.updated", claim=8, seq=6, public=False)
    assert "3 more waiting behind it" in client.get(reverse("admin:feed_webhook_changelist")).content.decode()
    Event.objects.filter(seq__gt=4).delete()
    log = client.get(reverse("admin:feed_delivery_changelist")).content.decode()
    assert log.count("waiting behind event #2") == 2 and log.count("next try") == 1

    Webhook.objects.filter(pk=webhook.pk).update(active=False)
    html = client.get(reverse("admin:feed_webhook_change", args=[webhook.pk])).content.decode()
    assert "event #2</a> (disabled); 2 more waiting behind it" in html and "next try" not in html
    log = client.get(reverse("admin:feed_delivery_changelist")).content.decode()
    assert log.count("stopped: the webhook is disabled") == 3 and "next try" not in log

    Webhook.objects.filter(pk=webhook.pk).update(active=True)
    Delivery.objects.filter(webhook=webhook).update(status=Delivery.Status.DELIVERED)
    html = client.get(reverse("admin:feed_webhook_change", args=[webhook.pk])).content.decode()
    assert "Up to date: nothing waiting" in html
    assert "queued for this webhook" in html


def test_public_only_is_fixed_once_a_webhook_has_sent_an_event(superuser):
    """It decides how the receiver's events are numbered: a switch would renumber them.
    (More in test_webhook_numbering.py.)"""
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, public_only=True)
    client = _client(superuser)
    url = reverse("admin:feed_webhook_change", args=[webhook.pk])
    data = {"url": webhook.url, "types": [], "active": "on", "secret": ""}  # public_only unchecked
    assert client.post(url, data).status_code == 302  # no deliveries yet: free to change
    webhook.refresh_from_db()
    assert not webhook.public_only
    Webhook.objects.filter(pk=webhook.pk).update(sent_numbering="all")  # as the worker fixes it
    response = client.post(url, {**data, "public_only": "on"})
    assert response.status_code == 200 and "would renumber the events that follow" in response.content.decode()
    webhook.refresh_from_db()
    assert not webhook.public_only


def test_saving_a_webhook_keeps_what_the_worker_wrote_meanwhile(superuser, monkeypatch):
    """The admin saves what the form changed, never the worker's fields as the page read
    them: a worker that delivered, took its lease or started failing while the form was
    checked keeps its cursor, lease and failing-since clock (a stale cursor went back)."""
    from feed import admin as feed_admin

    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, last_seq=10)
    now = timezone.now()
    worker = {"last_seq": 42, "lease_until": now + timedelta(minutes=2), "lease_owner": "worker-1",
              "failing_since": now - timedelta(hours=1), "sent_numbering": "public"}
    check_url = feed_admin.check_webhook_url

    def worker_moves_on(url):  # runs while the form is checked: after the page read the webhook
        Webhook.objects.filter(pk=webhook.pk).update(**worker)
        check_url(url)

    monkeypatch.setattr(feed_admin, "check_webhook_url", worker_moves_on)
    data = {"url": "https://hooks.example.org/other", "types": [], "public_only": "on", "active": "on", "secret": ""}
    response = _client(superuser).post(reverse("admin:feed_webhook_change", args=[webhook.pk]), data)
    assert response.status_code == 302, response.content
    webhook.refresh_from_db()
    assert webhook.url == "https://hooks.example.org/other"
    # A new URL starts the failing clock again (``webhook_changed``); the rest is the worker's.
    assert {name: getattr(webhook, name) for name in worker} == {**worker, "failing_since": None}


def test_the_update_service_writes_only_the_fields_it_is_given(db):
    """``webhook_update`` from a webhook read long ago: its other fields, read then, are not
    written back."""
    from feed.webhooks import webhook_update

    stale = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, last_seq=10)
    Webhook.objects.filter(pk=stale.pk).update(last_seq=99, lease_owner="worker-1", failing_since=timezone.now())
    stale.types = ["claim.published"]
    stale.last_seq, stale.lease_owner = 5, ""  # not the person's to write
    webhook_update(stale, fields=["types", "last_seq", "lease_owner"])
    stored = Webhook.objects.get(pk=stale.pk)
    assert (stored.types, stored.last_seq, stored.lease_owner) == (["claim.published"], 99, "worker-1")
    assert stored.failing_since is None  # new types: the failing clock starts again
    assert (stale.last_seq, stale.lease_owner) == (99, "worker-1")  # read back as stored


def test_a_stored_type_this_release_does_not_know_is_shown_ticked_and_kept(superuser, settings):
    """Shown as no box ticked ("every type"), a type no event has was dropped by a save of
    any other change, and the webhook widened to every type, draft events included."""
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, public_only=False)
    Webhook.objects.filter(pk=webhook.pk).update(types=["claim.foo"])
    client = _client(superuser)
    page = client.get(reverse("admin:feed_webhook_change", args=[webhook.pk])).content.decode()
    assert re.search(r'<input[^>]*value="claim\.foo"[^>]*checked', page)
    assert "claim.foo (no such type: no event has it)" in page
    data = {"url": "https://hooks.example.org/moved", "secret": "", "types": ["claim.foo"], "active": "on"}
    response = client.post(reverse("admin:feed_webhook_change", args=[webhook.pk]), data)
    assert response.status_code == 302, response.content
    webhook.refresh_from_db()
    assert (webhook.url, webhook.types) == ("https://hooks.example.org/moved", ["claim.foo"])
