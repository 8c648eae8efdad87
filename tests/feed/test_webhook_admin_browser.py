"""The webhooks' pages in Chromium at 1,280 px: the delivery log with two webhooks on one
host, a delivery's page with its body and headers, a webhook's page after a ping, and the
empty list. Nothing reaches past the right edge; screenshots go to artifacts/."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from feed.models import Delivery, Event, Webhook

from ..admin.browser_support import browser, browser_marks, horizontal_overflow, new_page, screenshot  # noqa: F401
from .conftest import SECRET

pytestmark = browser_marks

# How far any table reaches past the box that holds it (a table scrolling sideways, which
# the page's own width does not show).
TABLE_OVERFLOW = """() => Math.max(0, ...Array.from(document.querySelectorAll('#content table')).map((table) => {
    const box = table.parentElement.getBoundingClientRect();
    return Math.round(table.getBoundingClientRect().right - Math.min(box.right, document.documentElement.clientWidth));
}))"""


def _overflow(page) -> int:
    return max(horizontal_overflow(page), page.evaluate(TABLE_OVERFLOW))


def _log_with_two_webhooks_on_one_host(receiver_url: str) -> Delivery:
    hook = Webhook.objects.create(url=receiver_url, secret=SECRET, public_only=True)
    fail = Webhook.objects.create(url=receiver_url.replace("/hook", "/fail"), secret=SECRET, public_only=True,
                                  failing_since=timezone.now())
    long = Webhook.objects.create(
        url="https://hooks.newsroom.example.org/claimbase/v2/incoming/partners/acme-corporation?token=abc",
        secret=SECRET, public_only=False,
    )
    failing = None
    for number in range(1, 4):
        event = Event.objects.create(type="claim.published", claim=40 + number, version=1, status="published",
                                     seq=264 + number, public_seq=73 + number, public=True)
        Delivery.objects.create(webhook=hook, event=event, seq=event.seq, status=Delivery.Status.DELIVERED,
                                attempts=1, last_status_code=200, delivered_at=timezone.now())
        Delivery.objects.create(webhook=long, event=event, seq=event.seq, status=Delivery.Status.DELIVERED,
                                attempts=1, last_status_code=204, delivered_at=timezone.now())
        delivery = Delivery.objects.create(
            webhook=fail, event=event, seq=event.seq, attempts=4 if number == 1 else 0, last_status_code=500 if number == 1 else None,
            last_error="HTTP 500: Internal Server Error: the receiver's database is down" if number == 1 else "",
            next_attempt_at=timezone.now() + timedelta(minutes=8),
        )
        failing = failing or delivery
    return failing


def test_the_webhook_pages_fit_1280_pixels_and_say_what_they_mean(browser, live_server, superuser, receiver, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    page = new_page(browser, live_server, "admin", "pw-admin")

    page.goto("/admin/feed/webhook/")
    assert "No webhooks yet" in page.inner_text("#content")
    screenshot(page, "webhook_list_empty")
    assert _overflow(page) == 0

    page.goto("/admin/")
    assert "sign-in lockouts" in page.inner_text("#content").lower()  # captions are set in capitals

    failing = _log_with_two_webhooks_on_one_host(receiver.url)
    page.goto("/admin/feed/delivery/")
    text = page.inner_text("#result_list")
    assert "/hook" in text and "/fail" in text and "hooks.newsroom.example.org/…/acme-corporation" in text
    screenshot(page, "delivery_log", full_page=True)
    assert _overflow(page) == 0

    page.goto(f"/admin/feed/delivery/{failing.pk}/change/")
    assert "X-Claimbase-Signature" in page.inner_text("#content")
    screenshot(page, "delivery_page", full_page=True)
    assert _overflow(page) == 0

    page.goto(f"/admin/feed/webhook/{failing.webhook_id}/change/")
    with page.expect_navigation():
        page.click("text=Send a test ping")
    assert "the receiver answered HTTP 200 OK" in page.inner_text(".messagelist")
    screenshot(page, "webhook_page_after_ping")
    assert _overflow(page) == 0
    assert page.errors == []
