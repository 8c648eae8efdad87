"""The webhooks' admin pages say what a person needs: which webhook a delivery went to, the
two numbers an event has, what a delivery sends and how the receiver answered; a webhook
can be tested with a ping (through the delivery's own outbound rules) and retried as its
state allows; an empty list says what webhooks are for; django-axes reads as sign-in
lockouts."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import socket
import ssl
import subprocess
import threading
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feed import webhooks
from feed.models import Delivery, Event, Webhook

from .conftest import SECRET

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _delivery(webhook: Webhook, *, seq: int, public_seq: int | None = None, **fields) -> Delivery:
    event = Event.objects.create(type="claim.published", claim=7, version=2, status="published", seq=seq,
                                 public_seq=public_seq, public=True)
    return Delivery.objects.create(webhook=webhook, event=event, seq=seq, **fields)


# ---- 1. Which webhook: host and path, the whole URL on hover.


def test_the_delivery_log_tells_two_webhooks_on_one_host_apart_by_their_paths(superuser):
    hook = Webhook.objects.create(url="http://127.0.0.1:8000/hook", secret=SECRET, public_only=False)
    fail = Webhook.objects.create(url="http://127.0.0.1:8000/fail", secret=SECRET, public_only=False)
    _delivery(hook, seq=1)
    _delivery(fail, seq=2)
    log = _client(superuser).get(reverse("admin:feed_delivery_changelist")).content.decode()
    assert 'title="http://127.0.0.1:8000/hook">127.<wbr>0.<wbr>0.<wbr>1:8000/<wbr>hook</a>' in log
    assert 'title="http://127.0.0.1:8000/fail">127.<wbr>0.<wbr>0.<wbr>1:8000/<wbr>fail</a>' in log


def test_a_long_webhook_url_keeps_its_host_and_the_end_of_its_path():
    from feed.admin import webhook_label

    assert webhook_label("https://hooks.example.org/in?token=x") == "hooks.example.org/in"
    long = "https://hooks.newsroom.example.org/claimbase/v2/incoming/partners/acme-corporation"
    label = webhook_label(long)
    assert len(label) <= 48
    assert label == "hooks.newsroom.example.org/…/acme-corporation"
    assert webhook_label("https://" + "a" * 80 + ".example.org/x").endswith("…")
    assert webhook_label("https://a.example.com/one/two/three/four/five/six/seven/eight/nine") == "a.example.com/…/four/five/six/seven/eight/nine"


# ---- 2. The feed's seq and the receiver's, said in words.


def test_the_delivery_log_names_the_feed_seq_and_the_receivers_seq_and_explains_them(superuser):
    public = Webhook.objects.create(url="https://hooks.example.org/public", secret=SECRET, public_only=True)
    every = Webhook.objects.create(url="https://hooks.example.org/all", secret=SECRET, public_only=False)
    shown = _delivery(public, seq=267, public_seq=76)
    Delivery.objects.create(webhook=every, event=shown.event, seq=267)
    log = _client(superuser).get(reverse("admin:feed_delivery_changelist")).content.decode()
    assert "Feed seq" in log and "Receiver’s seq" in log
    assert "the number the receiver is sent, in the body’s seq and the X-Claimbase-Seq header" in log
    assert "sent as" not in log
    assert "a delivered or skipped delivery for 30 days (WEBHOOK_LOG_DAYS), then deleted by the worker" in log
    assert log.count('<td class="field-sent_number">76</td>') == 1  # public-only: the public numbering
    assert log.count('<td class="field-sent_number">267</td>') == 1  # every event: the feed's


# ---- 3. A delivery's page: the body, the answer, the signature explained.


def test_a_deliverys_page_shows_the_exact_body_the_receiver_got_and_explains_the_signature(superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET, public_only=True)
    delivery = _delivery(webhook, seq=267, public_seq=76)
    webhooks.deliver_round(webhook)
    (received,) = receiver.received
    page = _client(superuser).get(reverse("admin:feed_delivery_change", args=[delivery.pk])).content.decode()
    shown = received.body.decode().replace('"', "&quot;")
    assert f'<pre class="cb-payload">{shown}</pre>' in page
    assert json.loads(received.body)["seq"] == 76
    assert "X-Claimbase-Seq: 76" in page and f"X-Claimbase-Delivery: {delivery.uid}" in page
    assert "X-Claimbase-Signature: sha256=&lt;64 hex digits&gt;" in page
    assert "HMAC-SHA256 of the body above" in page and "The secret is not shown" in page
    assert SECRET not in page and received.headers["x-claimbase-signature"] not in page
    assert "HTTP 200 (a success" in page and ">1</div>" in page  # one attempt


def test_a_failed_deliverys_page_shows_the_receivers_status_and_answer_and_its_next_try(superuser):
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret=SECRET)
    delivery = _delivery(webhook, seq=3, public_seq=1, attempts=2, last_status_code=502,
                         last_error="HTTP 502: <html>Bad Gateway</html>",
                         next_attempt_at=timezone.now() + timedelta(minutes=5))
    page = _client(superuser).get(reverse("admin:feed_delivery_change", args=[delivery.pk])).content.decode()
    assert "HTTP 502: &lt;html&gt;Bad Gateway&lt;/html&gt;" in page
    assert "next try" in page and "Queued" in page and "What the receiver is sent" in page
    assert "{&quot;seq&quot;:1,&quot;type&quot;:&quot;claim.published&quot;" in page  # not yet delivered: will be sent


# ---- 4. A test ping, and retrying as the webhook's state allows.


def _ping(client, webhook):
    return client.post(reverse("admin:feed_webhook_ping", args=[webhook.pk]))


def test_a_ping_posts_a_signed_ping_and_reports_the_answer_without_touching_the_log(superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET, last_seq=5)
    response = _ping(_client(superuser), webhook)
    assert response.status_code == 302
    (message,) = _messages(response)
    assert message.startswith(f"Test ping to {receiver.url}: the receiver answered HTTP 200 OK in ")
    (received,) = receiver.received
    assert json.loads(received.body)["type"] == "ping" and "seq" not in json.loads(received.body)
    expected = "sha256=" + hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["x-claimbase-signature"] == expected
    assert received.headers["x-claimbase-event"] == "ping" and "x-claimbase-seq" not in received.headers
    webhook.refresh_from_db()
    assert not Delivery.objects.exists() and webhook.last_seq == 5 and webhook.failing_since is None


def test_a_ping_answered_with_an_error_status_says_the_status_and_what_the_receiver_said(superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    receiver.mode = "fail"
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET)
    (message,) = _messages(_ping(_client(superuser), webhook))
    assert "the receiver answered HTTP 500 Internal Server Error, saying: boom" in message
    assert "the receiver must answer 2xx" in message
    assert not Delivery.objects.exists()


def test_a_ping_to_a_private_address_is_refused_in_words(superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = False
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET)  # saved before the rule applied
    (message,) = _messages(_ping(_client(superuser), webhook))
    assert "not sent, the address is refused" in message and "not a public address" in message
    assert "Webhooks reach public addresses only, and those of the private networks WEBHOOK_PRIVATE_NETWORKS names." in message
    assert receiver.started == 0


@pytest.fixture
def self_signed_receiver(tmp_path):
    """An HTTPS receiver on 127.0.0.1 whose certificate no authority signed (made with the
    openssl command, here and now: no key is kept in the repository)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    pem = tmp_path / "receiver.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(pem), "-out", str(pem)],
        check=True, capture_output=True, timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pem)
    with socket.create_server(("127.0.0.1", 0)) as listening:

        def serve():
            try:
                connection, _ = listening.accept()
                with context.wrap_socket(connection, server_side=True):
                    pass  # the client refuses the certificate during the handshake
            except OSError:
                pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        yield f"https://127.0.0.1:{listening.getsockname()[1]}/hook"
        thread.join(timeout=5)


def test_a_ping_refused_for_its_certificate_says_so_not_no_connection(superuser, self_signed_receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    webhook = Webhook.objects.create(url=self_signed_receiver, secret=SECRET)
    (message,) = _messages(_ping(_client(superuser), webhook))
    assert message.startswith(f"Test ping to {self_signed_receiver}: the receiver's TLS certificate was refused. ")
    assert "certificate verify failed" in message and "no connection" not in message


def test_a_ping_to_a_receiver_that_does_not_answer_in_time_says_so(superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.mode, receiver.stall_seconds = "stall", 2
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET)
    (message,) = _messages(_ping(_client(superuser), webhook))
    assert "no answer in time" in message and "did not answer within 0.5 seconds" in message
    assert not Delivery.objects.exists()


def test_only_superusers_can_ping_and_only_by_post(reviewer, superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    webhook = Webhook.objects.create(url=receiver.url, secret=SECRET)
    assert _ping(_client(reviewer), webhook).status_code == 403
    assert _client(reviewer).post(reverse("admin:feed_webhook_retry", args=[webhook.pk])).status_code == 403
    assert _client(superuser).get(reverse("admin:feed_webhook_ping", args=[webhook.pk])).status_code == 405
    assert receiver.started == 0


def test_the_ping_action_pings_each_selected_webhook(superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    first = Webhook.objects.create(url=receiver.url, secret=SECRET)
    second = Webhook.objects.create(url=receiver.url.replace("/hook", "/other"), secret=SECRET)
    response = _client(superuser).post(reverse("admin:feed_webhook_changelist"),
                                       {"action": "ping", "_selected_action": [first.pk, second.pk]})
    assert len(_messages(response)) == 2 and len(receiver.received) == 2


def _actions(client) -> str:
    return client.get(reverse("admin:feed_webhook_changelist")).content.decode()


def test_the_retry_actions_and_buttons_fit_each_webhooks_state(superuser):
    client = _client(superuser)
    webhook = Webhook.objects.create(url="https://hooks.example.org/in", secret=SECRET)
    page = client.get(reverse("admin:feed_webhook_change", args=[webhook.pk])).content.decode()
    listing = _actions(client)
    assert "Send a test ping" in page and "Retry" not in page and "Enable again" not in page  # up to date
    assert 'value="ping"' in listing and 'value="enable"' not in listing and 'value="retry_now"' not in listing

    failing = _delivery(webhook, seq=1, public_seq=1, attempts=2, last_error="HTTP 500: no",
                        next_attempt_at=timezone.now() + timedelta(hours=1))
    page = client.get(reverse("admin:feed_webhook_change", args=[webhook.pk])).content.decode()
    assert "Retry the failing delivery now" in page and 'value="retry_now"' in _actions(client)
    response = client.post(reverse("admin:feed_webhook_retry", args=[webhook.pk]))
    assert "1 webhook retried on the worker’s next round." in _messages(response)
    failing.refresh_from_db()
    assert failing.next_attempt_at <= timezone.now()

    Webhook.objects.filter(pk=webhook.pk).update(active=False, disabled_reason="failing")
    page = client.get(reverse("admin:feed_webhook_change", args=[webhook.pk])).content.decode()
    assert "Enable again and resume deliveries" in page and "Retry the failing" not in page
    assert 'value="enable"' in _actions(client)
    client.post(reverse("admin:feed_webhook_retry", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.active and webhook.disabled_reason == ""


def test_enabling_leaves_an_active_webhook_as_it_was_and_says_so(superuser):
    active = Webhook.objects.create(url="https://hooks.example.org/a", secret=SECRET)
    disabled = Webhook.objects.create(url="https://hooks.example.org/b", secret=SECRET, active=False)
    response = _client(superuser).post(reverse("admin:feed_webhook_changelist"),
                                       {"action": "enable", "_selected_action": [active.pk, disabled.pk]})
    (message,) = _messages(response)
    assert message.startswith("1 webhook enabled") and "1 left as it was: already active." in message


# ---- 5. An empty list that says what webhooks are for; axes named in words.


def test_an_empty_webhook_list_says_what_webhooks_are_for_and_links_to_add(superuser):
    client = _client(superuser)
    page = client.get(reverse("admin:feed_webhook_changelist")).content.decode()
    assert "No webhooks yet" in page and "one signed JSON POST per event" in page
    assert f'href="{reverse("admin:feed_webhook_add")}">Add a webhook</a>' in page
    assert "0 webhooks" not in page
    Webhook.objects.create(url="https://hooks.example.org/a", secret=SECRET, active=True)
    filtered = client.get(reverse("admin:feed_webhook_changelist") + "?active__exact=0").content.decode()
    assert "No webhooks yet" not in filtered and "0 webhooks" in filtered


def test_django_axes_is_shown_as_sign_in_lockouts(superuser):
    assert apps.get_app_config("axes").verbose_name == "Sign-in lockouts"
    # Its configuration sits beside the project's own, which must still be the one chosen.
    assert type(apps.get_app_config("project")).__name__ == "ProjectConfig"
    home = _client(superuser).get(reverse("admin:index")).content.decode()
    assert "Sign-in lockouts" in home and ">Axes<" not in home
