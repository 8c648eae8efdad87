"""The main pages at 1,280 px wide, on the demo corpus: nothing reaches past the right edge,
titles do not wrap one word per line, short words in tables are not broken in two. Each page's screenshot goes to artifacts/."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.models import Claim
from feed.models import Delivery, Event, Webhook
from feed.sequencing import sequence_pending
from sources.models import Source

from .browser_support import WIDTH, browser, browser_marks, horizontal_overflow, screenshot  # noqa: F401

pytestmark = browser_marks

PASSWORD = "layout-pw"

# Tables and headings whose cells hold words: none may be squeezed to a word per line.
NARROW_TEXT = """() => {
    const offenders = [];
    document.querySelectorAll('#content h1, #content h2, td.field-claim, td.field-title, th.field-title, td.field-short_quote').forEach((node) => {
        const words = node.textContent.trim().split(/\\s+/).filter(Boolean);
        if (words.length < 4) return;
        const range = document.createRange();
        range.selectNodeContents(node);
        const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.bottom))).size;
        // One or two words a line: squeezed.
        if (lines > 2 && lines * 2 >= words.length) offenders.push(node.textContent.trim().slice(0, 60));
    });
    return offenders;
}"""


# Short words in table cells (an action, a user name, an offset, a date) broken across two
# lines: a column squeezed narrower than its words. Long unbroken values may break, and
# words break after their hyphens.
BROKEN_WORDS = """() => {
    const offenders = [];
    const walker = document.createTreeWalker(document.querySelector('#content'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!node.parentElement.closest('td, th')) continue;
        for (const match of node.data.matchAll(/[^\\s\\u002d\\u2010-\\u2014]{2,24}/g)) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.bottom))).size;
            if (lines > 1) offenders.push(match[0]);
        }
    }
    return Array.from(new Set(offenders)).slice(0, 20);
}"""


# How far any table reaches past the box that holds it (a table scrolling sideways).
TABLE_OVERFLOW = """() => Math.max(0, ...Array.from(document.querySelectorAll('#content table')).map((table) => {
    const box = table.parentElement.getBoundingClientRect();
    return Math.round(table.getBoundingClientRect().right - Math.min(box.right, document.documentElement.clientWidth));
}))"""


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", password=PASSWORD, verbosity=0)


def superuser_pages() -> list[tuple[str, str]]:
    """The webhooks' pages, with a webhook that failed and was disabled, and its log."""
    webhook = Webhook.objects.create(
        url="https://hooks.newsroom.example.org/claimbase/incoming", secret="s" * 24, active=False,
        types=["claim.published", "claim.retracted"],
        disabled_reason="Disabled after a day of failures: the last answer was HTTP 502 (Bad Gateway).",
    )
    sequence_pending()
    events = list(Event.objects.filter(public=True).order_by("seq")[:3])
    for number, event in enumerate(events):
        Delivery.objects.create(
            webhook=webhook, event=event, seq=event.seq, attempts=number + 1,
            status=Delivery.Status.DELIVERED if number == 0 else Delivery.Status.PENDING,
            last_status_code=200 if number == 0 else 502,
            last_error="" if number == 0 else "HTTP 502 from hooks.newsroom.example.org: Bad Gateway",
            delivered_at=timezone.now() if number == 0 else None,
        )
    return [
        ("webhook_list", "/admin/feed/webhook/"),
        ("webhook_page", f"/admin/feed/webhook/{webhook.pk}/change/"),
        ("webhook_add", "/admin/feed/webhook/add/"),
        ("delivery_list", "/admin/feed/delivery/"),
        ("event_list", "/admin/feed/event/"),
    ]


def pages() -> list[tuple[str, str]]:
    claim = Claim.objects.filter(status="changes_requested").first() or Claim.objects.first()
    published = Claim.objects.filter(status="published").first()
    source = Source.objects.order_by("-text_length").first()
    return [
        ("index", "/admin/"),
        ("claim_list", "/admin/claims/claim/"),
        ("claim_page", f"/admin/claims/claim/{claim.pk}/change/"),
        ("published_claim_page", f"/admin/claims/claim/{published.pk}/change/"),
        ("claim_history", f"/admin/claims/claim/{published.pk}/history/"),
        ("source_list", "/admin/sources/source/"),
        ("source_page", f"/admin/sources/source/{source.pk}/change/"),
        ("span_list", "/admin/sources/span/"),
        ("evidence_list", "/admin/claims/evidence/"),
        ("review_list", "/admin/claims/review/"),
        ("review_queue", "/admin/claims/claim/review-queue/"),
        ("not_found", "/admin/no/such/page/"),
    ]


@pytest.mark.parametrize("username", ["reviewer", "admin"])
def test_the_main_pages_fit_1280_pixels(demo, browser, live_server, username):
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    problems = {}
    for name, url in pages() + (superuser_pages() if username == "admin" else []):
        page.goto(url)
        page.wait_for_load_state("load")
        screenshot(page, f"{username}_{name}")
        overflow = max(horizontal_overflow(page), page.evaluate(TABLE_OVERFLOW))
        narrow, broken = page.evaluate(NARROW_TEXT), page.evaluate(BROKEN_WORDS)
        if overflow > 0 or narrow or broken:
            problems[name] = {"overflow": overflow, "narrow": narrow, "broken words": broken}
    assert problems == {}, json.dumps(problems, indent=1)
