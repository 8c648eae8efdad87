"""A webhook's numbering (``public_only``: the public events' own numbers, or the feed's
seq) is fixed by the first event it sends, for its whole life: its delivery log is pruned,
its receiver keeps the last seq it saw. Every path meets the rule: the admin's form, the
service that saves it, the worker, and the database under any other write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feed import webhooks
from feed.models import Delivery, Webhook

from .test_webhooks import _events, _webhook


@pytest.fixture
def local_delivery(settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.WEBHOOK_BACKOFF_SECONDS = 10
    settings.WEBHOOK_TIMEOUT_SECONDS = 2


def _admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _change(client: Client, webhook: Webhook, *, public_only: bool):
    data = {"url": webhook.url, "types": [], "active": "on", "secret": ""}
    if public_only:
        data["public_only"] = "on"
    return client.post(reverse("admin:feed_webhook_change", args=[webhook.pk]), data)


def _prune_everything(settings) -> None:
    settings.WEBHOOK_LOG_DAYS = 1
    assert webhooks.prune_delivery_log(timezone.now() + timedelta(days=2))
    assert not Delivery.objects.exists()


def test_public_only_stays_fixed_after_the_delivery_log_is_pruned(superuser, receiver, local_delivery, settings):
    """The probe's case: the log's rows were the only sign of a delivery, and once the
    worker pruned them the admin took the switch; the receiver's seq fell from the feed's
    numbers to the public ones, and it dropped everything after."""
    _events(2)
    webhook = _webhook(receiver.url, public_only=False, last_seq=0)
    assert webhooks.deliver_all().delivered == 2
    _prune_everything(settings)

    response = _change(_admin(superuser), webhook, public_only=True)
    assert response.status_code == 200
    assert "would renumber the events that follow" in response.content.decode()
    webhook.refresh_from_db()
    assert (webhook.public_only, webhook.sent_numbering) == (False, "all")


def test_a_failed_attempt_fixes_the_numbering_too(superuser, receiver, local_delivery):
    """A receiver that answered 500, or not in time, may have taken the event all the same."""
    _events(1)
    webhook = _webhook(receiver.url, last_seq=0)
    receiver.mode = "fail"
    assert webhooks.deliver_all().failed == 1
    assert _change(_admin(superuser), webhook, public_only=False).status_code == 200
    webhook.refresh_from_db()
    assert (webhook.public_only, webhook.sent_numbering) == (True, "public")


def test_public_only_may_change_until_an_event_is_sent(superuser, receiver, local_delivery):
    """Queued is not sent: the receiver has seen no number yet, and the queued event goes
    with the new numbering."""
    _events(1, public=False)
    public = _events(1)[0]
    webhook = _webhook(receiver.url, public_only=True, last_seq=0)
    webhooks.enqueue(webhook, timezone.now())
    assert Delivery.objects.filter(webhook=webhook).count() == 1
    assert public.public_seq != public.seq

    assert _change(_admin(superuser), webhook, public_only=False).status_code == 302
    webhook.refresh_from_db()
    assert (webhook.public_only, webhook.sent_numbering) == (False, "")
    assert webhooks.deliver_all().delivered == 1
    [sent] = receiver.received
    assert (sent.headers["x-claimbase-seq"], sent.headers["x-claimbase-numbering"]) == (str(public.seq), "all")
    webhook.refresh_from_db()
    assert webhook.sent_numbering == "all"


def test_the_service_refuses_a_new_numbering_decided_on_a_stale_read(db, receiver, local_delivery):
    """``webhook_update`` decides on the row as stored now: a webhook read before its first
    event was sent cannot switch after it."""
    _events(1)
    stale = _webhook(receiver.url, public_only=True, last_seq=0)
    same = Webhook.objects.get(pk=stale.pk)
    assert webhooks.deliver_all().delivered == 1
    stale.public_only = False
    with pytest.raises(ValidationError) as refused:
        webhooks.webhook_update(stale, fields=["public_only"])
    assert "public_only" in refused.value.message_dict
    assert Webhook.objects.get(pk=same.pk).public_only


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_refuses_the_switch_on_any_other_path(receiver, local_delivery):
    """A shell, a script or a bulk update that bypasses the form and the service."""
    _events(1)
    webhook = _webhook(receiver.url, public_only=True, last_seq=0)
    assert webhooks.deliver_all().delivered == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Webhook.objects.filter(pk=webhook.pk).update(public_only=False)
    webhook.refresh_from_db()
    webhook.public_only = False
    with pytest.raises(ValidationError):
        webhook.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        webhook.save()
    assert Webhook.objects.get(pk=webhook.pk).public_only


def test_the_worker_sends_nothing_on_a_numbering_changed_since_it_read_the_webhook(db, receiver, local_delivery, monkeypatch):
    """The switch lands between the worker's read and its first POST: the worker fixes the
    numbering only if it is still the one it read, else reads the webhook again and sends
    with the new one."""
    _events(1)
    webhook = _webhook(receiver.url, public_only=True, last_seq=0)
    fix = webhooks._fix_numbering
    switched = []

    def switch_first(read):
        if not switched:
            switched.append(Webhook.objects.filter(pk=read.pk).update(public_only=False))
        return fix(read)

    monkeypatch.setattr(webhooks, "_fix_numbering", switch_first)
    assert webhooks.deliver_all().delivered == 1
    assert [item.headers["x-claimbase-numbering"] for item in receiver.received] == ["all"]
    webhook.refresh_from_db()
    assert (webhook.public_only, webhook.sent_numbering) == (False, "all")


def test_a_ping_fixes_no_numbering(db, receiver, local_delivery):
    """A ping carries no seq."""
    webhook = _webhook(receiver.url)
    assert webhooks.webhook_ping(webhook).ok
    webhook.refresh_from_db()
    assert webhook.sent_numbering == ""
