"""What the webhooks' admin says of a webhook's deliveries is what the worker will do: events
not yet read count as waiting, a public-only receiver's numbers are shown beside the feed's,
an attempt whose worker stopped says so, and a change applies at the next round. New
webhooks start at the end of the feed unless told to send the past; a webhook goes with its
log when deleted; addresses and secrets are checked when saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feed import webhooks
from feed.models import Delivery, Event, Webhook
from feed.sequencing import sequence_pending

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(user, webhook: Webhook) -> str:
    return _client(user).get(reverse("admin:feed_webhook_change", args=[webhook.pk])).content.decode()


def _events(count: int, *, type: str = "claim.published", public: bool = True) -> list[Event]:
    Event.objects.bulk_create(Event(type=type, claim=n, version=1, public=public) for n in range(count))
    sequence_pending()
    return list(Event.objects.order_by("-seq")[:count])[::-1]


def test_a_webhook_is_up_to_date_only_when_no_event_it_takes_waits_unread(superuser):
    _events(3, type="claim.updated")
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, types=["claim.retracted"])
    assert "Up to date" in _page(superuser, webhook)  # nothing it takes
    _events(2, type="claim.retracted")
    page = _page(superuser, webhook)
    assert "Up to date" not in page and "2 events to send, not yet read by the worker" in page


def test_a_public_only_webhook_shows_the_numbers_its_receiver_was_sent(superuser):
    _events(2, public=False)
    (event,) = _events(1)
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, last_seq=event.seq)
    Delivery.objects.create(webhook=webhook, event=event, seq=event.seq, attempts=2, last_error="HTTP 500: no")
    assert f"event #{event.seq} (the receiver’s seq {event.public_seq})</a>: 2 attempts" in _page(superuser, webhook)
    log = _client(superuser).get(reverse("admin:feed_delivery_changelist")).content.decode()
    assert f'<th class="field-number"><a href="{reverse("admin:feed_delivery_change", args=[webhook.deliveries.get().pk])}">{event.seq}</a></th>' in log
    assert f'<td class="field-sent_number">{event.public_seq}</td>' in log
    Webhook.objects.filter(pk=webhook.pk).update(public_only=False)
    assert f"event #{event.seq}</a>: 2 attempts" in _page(superuser, webhook)


def test_an_attempt_whose_worker_stopped_says_so_and_one_in_flight_says_sending(superuser):
    (event,) = _events(1)
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, last_seq=event.seq)
    delivery = Delivery.objects.create(webhook=webhook, event=event, seq=event.seq)
    assert "Next: " in _page(superuser, webhook) and "Sending" not in _page(superuser, webhook)
    webhooks._start_attempt(delivery, timezone.now())
    page = _page(superuser, webhook)
    assert "attempt 1 got no answer (the worker stopped while it waited)" in page and "Failing at" not in page
    Webhook.objects.filter(pk=webhook.pk).update(lease_owner="w", lease_until=timezone.now() + timedelta(seconds=60))
    assert "Sending <a" in _page(superuser, webhook)


def test_a_delivered_row_keeps_no_earlier_error(db, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    _events(1)
    webhook = Webhook.objects.create(url=receiver.url, secret="s" * 20)
    receiver.mode = "fail"
    webhooks.deliver_all()
    receiver.mode = "ok"
    Delivery.objects.update(next_attempt_at=timezone.now())
    webhooks.deliver_all()
    delivery = Delivery.objects.get(webhook=webhook)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")


def test_changing_what_a_webhook_takes_applies_at_the_next_round_not_after_the_backoff(superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    (updated,) = _events(1, type="source.updated")
    webhook = Webhook.objects.create(url=receiver.url, secret="s" * 20)
    receiver.mode = "fail"
    webhooks.deliver_all()
    held = Delivery.objects.get(webhook=webhook)
    assert held.next_attempt_at > timezone.now()  # waiting for its backoff
    receiver.mode = "ok"
    (retracted,) = _events(1, type="claim.retracted")
    form = {"url": receiver.url, "secret": "", "types": ["claim.retracted"], "public_only": "on", "active": "on"}
    response = _client(superuser).post(reverse("admin:feed_webhook_change", args=[webhook.pk]), form)
    assert response.status_code == 302, response.content
    webhooks.deliver_all()
    held.refresh_from_db()
    assert held.status == "skipped"
    assert Delivery.objects.get(webhook=webhook, event=retracted).status == "delivered"


@pytest.mark.parametrize("start, expected", [(None, "end"), ("new", "end"), ("all", 0)])
def test_a_new_webhook_sends_new_events_unless_told_to_send_the_past(superuser, settings, start, expected):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    events = _events(3)
    form = {"url": "http://127.0.0.1:9/in", "secret": "sixteen-chars-or-more", "public_only": "on", "active": "on"}
    if start:
        form["start"] = start
    response = _client(superuser).post(reverse("admin:feed_webhook_add"), form)
    assert response.status_code == 302, response.content
    assert Webhook.objects.get().last_seq == (events[-1].seq if expected == "end" else 0)


def test_a_webhook_is_deleted_with_its_log_which_the_page_counts(superuser):
    events = _events(3)
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, last_seq=events[-1].seq)
    for event in events:
        Delivery.objects.create(webhook=webhook, event=event, seq=event.seq, status="delivered")
    url = reverse("admin:feed_webhook_delete", args=[webhook.pk])
    page = _client(superuser).get(url).content.decode()
    assert "3 deliveries of the delivery log" in page and "permission" not in page
    assert _client(superuser).post(url, {"post": "yes"}).status_code == 302
    assert not Webhook.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://localhost:8000/in", "not a public address"),
        ("http://127.0.0.1:0/in", "Port 0"),
    ],
)
def test_a_webhook_url_to_a_private_name_or_port_0_is_refused_when_saved(superuser, settings, url, message):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    form = {"url": url, "secret": "sixteen-chars-or-more", "public_only": "on", "active": "on"}
    response = _client(superuser).post(reverse("admin:feed_webhook_add"), form)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_name_server_that_does_not_answer_does_not_hold_the_form(superuser, settings, monkeypatch):
    """The name is checked again at every delivery, when it is resolved: a look-up that
    does not end within its limit takes the URL, as a name that does not resolve now."""
    import socket
    import time

    from project import net

    def getaddrinfo(*args, **kwargs):
        time.sleep(3)
        raise socket.gaierror("no answer")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(net, "DNS_TIMEOUT", 0.3)
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    started = time.monotonic()
    form = {"url": "https://hooks.example.org/in", "secret": "sixteen-chars-or-more", "public_only": "on", "active": "on"}
    response = _client(superuser).post(reverse("admin:feed_webhook_add"), form)
    assert response.status_code == 302, response.content
    assert time.monotonic() - started < 2


def test_a_secret_with_an_invisible_character_is_refused(superuser, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    form = {"url": "http://127.0.0.1:9/in", "secret": "\u200bsixteen-chars-or-more", "public_only": "on", "active": "on"}
    response = _client(superuser).post(reverse("admin:feed_webhook_add"), form)
    assert response.status_code == 200 and "U+200B" in response.content.decode()
    assert not Webhook.objects.exists()


def test_wanted_as_a_query_is_wants_over_a_table():
    types = ["claim.published", "source.updated", "claim.updated"]
    events = [Event.objects.create(type=type, public=public) for type in types for public in (True, False)]
    for public_only in (True, False):
        for chosen in ([], ["claim.published"], ["source.updated", "claim.updated"]):
            webhook = Webhook(types=chosen, public_only=public_only)
            by_query = set(Event.objects.filter(webhook.wanted()).values_list("pk", flat=True))
            assert by_query == {event.pk for event in events if webhook.wants(event)}


def test_an_inactive_webhook_says_its_events_wait_for_it_to_be_made_active_not_for_the_worker(superuser):
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret="s" * 20, active=False)
    _events(2)
    page = _page(superuser, webhook)
    assert "Inactive: 2 events waiting; they are sent once it is made active again" in page
    assert "not yet read by the worker" not in page
