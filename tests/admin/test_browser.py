"""End to end in a real browser: select to claim, submit, approve from the queue, read it
published through the API.

Drives Debian's Chromium (/usr/bin/chromium) with Playwright; never a downloaded browser.
The run saves a screenshot of the source page to ``$ARTIFACTS_DIR`` (default:
``<repo>/artifacts/``, ignored by git).
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from claims import services
from claims.models import Claim
from sources.models import Span
from sources.services import source_create, span_create

from ..support import REPO_DIR, SAMPLE_TEXT, SEEDS_DIR

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# synchronous and safe here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEED = "004_80fb5168a06efd21.txt"
PASSAGE = (
    "Over a four-year period, from June 2006 to June 2010, Russia voted to sanction Iran at "
    "the United Nations Security Council on six occasions for its nuclear activities."
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def artifacts_dir() -> Path:
    path = Path(os.environ.get("ARTIFACTS_DIR") or REPO_DIR / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser, live_server, username: str, password: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def drag_select(page, quote: str) -> None:
    """Select ``quote`` in the source text with the mouse, as a person would."""
    box = page.evaluate(
        """(quote) => {
            const container = document.getElementById('source-text');
            const at = container.textContent.indexOf(quote);
            if (at < 0) throw new Error('quote not in the page');
            const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
            const point = (offset, atEnd) => {
                let seen = 0, node;
                walker.currentNode = container;
                while ((node = walker.nextNode())) {
                    if (offset < seen + node.data.length || (atEnd && offset === seen + node.data.length)) {
                        return [node, offset - seen];
                    }
                    seen += node.data.length;
                }
            };
            const [startNode, startOffset] = point(at, false);
            const [endNode, endOffset] = point(at + quote.length, true);
            const first = document.createRange();
            first.setStart(startNode, startOffset);
            first.setEnd(startNode, startOffset + 1);
            // Bring the passage into view: the text scrolls inside its own box.
            container.scrollIntoView({block: 'start'});
            const box = container.getBoundingClientRect();
            container.scrollTop += first.getBoundingClientRect().top - box.top - box.height / 3;
            const last = document.createRange();
            last.setStart(endNode, endOffset - 1);
            last.setEnd(endNode, endOffset);
            const a = first.getClientRects()[0], b = last.getClientRects()[0];
            return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
        }""",
        quote,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=12)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('#cb-selection input[name=quote]').value !== ''")


def test_select_to_claim_then_approve_from_the_queue_then_read_it_published(
    transactional_db, browser, live_server, analyst, reviewer
):
    text = (SEEDS_DIR / SEED).read_text(encoding="utf-8")
    assert PASSAGE in text
    source = source_create(user=analyst, title="Iran's Russian Conundrum (seed 004)", text=text)
    # Passages already cited, so the page shows its highlights next to the literal <sup> tags.
    services.claim_create(
        author=analyst,
        text="Russia never abstained on or vetoed UN sanctions against Iran, 2006 to 2010.",
        evidence=[services.EvidenceInput(source=source, quote="Not once did Russia abstain or veto sanctions against Tehran at the UN.")],
    )
    span_create(source=source, user=analyst, quote="The heyday of Russian support for international sanctions on Iran")

    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    assert page.locator("#source-text").inner_text().count("<sup>") == text.count("<sup>")
    drag_select(page, PASSAGE)
    start = text.index(PASSAGE)
    assert page.input_value("#cb-selection input[name=start]") == str(start)
    assert page.input_value("#cb-selection input[name=end]") == str(start + len(PASSAGE))
    page.click("[data-role=open-extension]")
    page.fill("#cb-claim-text", "Russia voted six times for UN Security Council sanctions on Iran, June 2006 to June 2010.")
    page.select_option("#cb-claim-stance", "supports")
    page.select_option("#cb-claim-verdict", "supported")
    page.select_option("#cb-claim-confidence", "high")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts_dir() / "source_page.png"))

    page.click("[data-role=create-claim]")
    page.wait_for_url("**/admin/claims/claim/*/change/")
    claim = Claim.objects.latest("id")
    assert (claim.status, claim.author_id) == ("draft", analyst.pk)
    span = claim.evidence.get().span
    assert (span.start, span.end, span.quote) == (start, start + len(PASSAGE), PASSAGE)
    page.click("button[data-action=submit]")
    page.wait_for_selector(".messagelist .success")
    assert Claim.objects.get(pk=claim.pk).status == "in_review"
    assert page.errors == []

    page = new_page(browser, live_server, "reviewer", "pw-reviewer")
    page.goto("/admin/claims/claim/review-queue/")
    card = page.locator(f"#claim-{claim.pk}")
    assert PASSAGE in card.inner_text()
    # High confidence on one source: the card shows the editorial warning, and approving
    # takes a comment saying why it does not apply.
    assert "single_source" in card.inner_text()
    card.locator("textarea[name=comment]").fill("The six votes are the UN's public record.")
    card.locator("button[data-action=approve]").click()
    page.wait_for_selector(".messagelist .success")
    assert page.url.endswith("/admin/claims/claim/review-queue/")
    assert Claim.objects.get(pk=claim.pk).status == "published"

    with urllib.request.urlopen(f"{live_server.url}/api/v1/claims/{claim.pk}/") as response:
        published = json.load(response)
    assert published["status"] == "published"
    assert published["verdict"] == "supported"
    assert PASSAGE in json.dumps(published, ensure_ascii=False)


def test_offsets_are_code_points_after_an_emoji(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Emoji", text=SAMPLE_TEXT)
    quote = "Russia voted again."
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    drag_select(page, quote)
    page.click("[data-role=make-span]")
    page.wait_for_selector(".messagelist .success")
    span = Span.objects.get(source=source)
    assert (span.start, span.end) == (SAMPLE_TEXT.index(quote), SAMPLE_TEXT.index(quote) + len(quote))
    assert page.url.endswith(f"#span-{span.pk}")
    # The new span is highlighted and names itself in the reader.
    assert page.locator(f"mark.cb-mark-current[data-spans~='{span.pk}']").count() >= 1
    assert page.errors == []
