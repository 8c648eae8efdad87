"""Adding sources from a file and from a URL in real Chromium, as an analyst does: the
form, a file picked and sent, a refusal explained in place, and the source page that
follows. Screenshots go to artifacts/."""

from __future__ import annotations

import threading
import time

import pytest

from sources.models import Source
from tests.documents import image_only_pdf, news_pages
from tests.support import html_page_handler, local_server

from .browser_support import browser, browser_marks, new_page, screenshot  # noqa: F401

pytestmark = browser_marks

FROM_FILE = "/admin/sources/source/add/from-file/"
FROM_URL = "/admin/sources/source/add/from-url/"
UPLOADED, FETCHED = news_pages()[0], news_pages()[1]


@pytest.fixture
def page_server():
    with local_server(html_page_handler(FETCHED.html)) as base:
        yield base


def shows_source_with(page, article: list[str]) -> Source:
    page.wait_for_url("**/admin/sources/source/*/change/")
    source = Source.objects.order_by("-id").first()
    text = page.inner_text("#source-text")
    assert article[0] in text and article[-1] in text
    assert page.errors == []
    return source


def test_an_analyst_adds_a_source_from_an_html_file(transactional_db, browser, live_server, analyst):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(FROM_FILE)
    screenshot(page, "source_add_from_file")
    page.set_input_files("input[type=file]", files=[{"name": "report.html", "mimeType": "text/html", "buffer": UPLOADED.html.encode()}])
    page.select_option("select[name=reliability]", "B")
    page.click("#content input[type=submit]")
    source = shows_source_with(page, UPLOADED.article)
    assert (source.title, source.original_media_type, source.reliability) == (UPLOADED.title, "text/html", "B")
    assert not any(line in source.text for line in UPLOADED.boilerplate)
    screenshot(page, "source_from_file")


def test_a_refused_file_is_explained_on_the_form(transactional_db, browser, live_server, analyst):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(FROM_FILE)
    page.set_input_files("input[type=file]", files=[{"name": "scan.pdf", "mimeType": "application/pdf", "buffer": image_only_pdf()}])
    page.click("#content input[type=submit]")
    page.wait_for_selector(".errornote, .errorlist")
    assert "no text layer" in page.inner_text("#content")
    assert not Source.objects.exists()
    screenshot(page, "source_add_from_file_refused")


def test_a_file_over_the_limit_is_refused_before_it_is_sent_the_form_kept(transactional_db, browser, live_server, analyst, settings):
    settings.MAX_SOURCE_MB = 0.01
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(FROM_FILE)
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    page.fill("input[name=title]", "My chosen title")
    page.set_input_files("input[type=file]", files=[{"name": "big.txt", "mimeType": "text/plain", "buffer": b"w " * 20000}])
    page.click("#content input[type=submit]")
    page.wait_for_selector("#cb-ingest-error")
    assert page.inner_text("#cb-ingest-error") == "The file is 40,000 bytes; larger than the limit of 0.01 MB (MAX_SOURCE_MB)."
    assert page.evaluate("document.activeElement.id") == "cb-ingest-error"
    assert page.get_attribute("input[type=file]", "aria-invalid") == "true"
    assert page.input_value("input[name=title]") == "My chosen title"
    assert sent == [] and not Source.objects.exists()
    screenshot(page, "source_add_from_file_too_large")
    # Another file, within the limit, is sent.
    page.set_input_files("input[type=file]", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"Short enough."}])
    page.click("#content input[type=submit]")
    page.wait_for_url("**/admin/sources/source/*/change/")
    assert Source.objects.get().title == "My chosen title"
    assert page.errors == []


def test_an_analyst_adds_a_source_from_a_url(transactional_db, browser, live_server, analyst, page_server, settings):
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(FROM_URL)
    screenshot(page, "source_add_from_url")
    page.fill("input[name=url]", page_server + "/article")
    page.click("#content input[type=submit]")
    source = shows_source_with(page, FETCHED.article)
    assert source.original_media_type == "text/html" and source.retrieved_at is not None
    screenshot(page, "source_from_url")


@pytest.fixture
def slow_page(settings, browser, live_server, analyst):
    """(the add-from-URL page filled in with a page that answers once released, the
    paths asked, the release)."""
    settings.SOURCE_FETCH_ALLOW_PRIVATE = True
    asked, release = [], threading.Event()

    class Slow(html_page_handler(FETCHED.html)):
        def do_GET(self):
            asked.append(self.path)
            release.wait(10)
            super().do_GET()

    with local_server(Slow) as base:
        page = new_page(browser, live_server, "analyst", "pw-analyst")
        page.goto(FROM_URL)
        page.fill("input[name=url]", base + "/article")
        yield page, asked, release
        release.set()


def test_a_slow_fetch_says_it_is_under_way_and_takes_no_second_click(transactional_db, slow_page):
    """The form looked idle for as long as the page took; a second click then came back
    refused as a duplicate of the source the first one made."""
    page, asked, release = slow_page
    # What the page shows once sent, and what a second send does, are written down as
    # they happen (Playwright's calls wait while a page is pending) and read after.
    page.evaluate(
        """() => document.addEventListener("submit", event => {
            const button = document.querySelector("#content input[type=submit]");
            const seen = JSON.parse(sessionStorage.getItem("seen") || "[]");
            seen.push([event.defaultPrevented, button.disabled, button.value, document.querySelector(".cb-ingest-status").textContent]);
            sessionStorage.setItem("seen", JSON.stringify(seen));
            if (seen.length === 1) setTimeout(() => event.target.requestSubmit(), 100);  // a second send
        })"""
    )
    page.click("#content input[type=submit]", no_wait_after=True)
    while len(asked) < 1:
        time.sleep(0.05)
    time.sleep(0.5)
    release.set()
    shows_source_with(page, FETCHED.article)
    busy = ["Fetching the page…", "Fetching and reading the page: this can take up to 20 seconds."]
    assert page.evaluate("JSON.parse(sessionStorage.getItem('seen'))") == [[False, True, *busy], [True, True, *busy]]
    assert asked == ["/article"] and Source.objects.count() == 1


def test_a_send_stopped_in_the_browser_leaves_the_form_ready_again(transactional_db, slow_page):
    """Esc or the stop button fires nothing the page hears: the button had stayed disabled
    until the page was loaded again."""
    page, _, _ = slow_page
    page.evaluate(
        """() => {
            const form = document.querySelector("form.cb-ingest-form");
            form.dataset.busyForSeconds = "1";
            document.addEventListener("submit", () => setTimeout(() => window.stop(), 300));
        }"""
    )
    page.click("#content input[type=submit]", no_wait_after=True)
    button = page.locator("#content input[type=submit]")
    button.wait_for(state="visible")
    deadline = time.monotonic() + 5
    while (button.is_disabled() or button.input_value() != "Fetch and create the source") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert button.is_enabled() and button.input_value() == "Fetch and create the source"
    assert page.inner_text(".cb-ingest-status") == ""


def test_a_refusal_is_focused_so_that_it_is_read_out_first(transactional_db, browser, live_server, analyst):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(FROM_URL)
    page.fill("input[name=url]", "www.example.org/report")
    page.click("#content input[type=submit]")
    page.wait_for_selector("#cb-ingest-error")
    assert page.evaluate("document.activeElement.id") == "cb-ingest-error"
    assert "beginning with https://" in page.inner_text("#cb-ingest-error")
    assert page.get_attribute("input[name=url]", "aria-invalid") == "true"
    assert page.input_value("input[name=url]") == "www.example.org/report"
    assert page.locator("#content input[type=submit]").is_enabled()
    screenshot(page, "source_add_from_url_refused")


def test_a_long_text_is_loaded_to_be_edited_and_saved(transactional_db, browser, live_server, analyst, monkeypatch):
    """Written into the page once (the reader); "Load the text to edit it" fetches it exactly
    as stored, emoji and all, and what is edited then is saved."""
    from sources import admin as source_admin
    from sources.services import source_create

    monkeypatch.setattr(source_admin, "FORM_TEXT_LIMIT", 50)
    text = "A long report 🙂 on the pipeline.\n\nIts second paragraph names the 2006 agreement.\n"
    source = source_create(user=analyst, title="Long report", text=text)
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    page.click("fieldset summary:has-text('Edit text'), fieldset h2:has-text('Edit text')")
    assert page.locator("#id_text").is_hidden()
    page.click("text=Load the text to edit it")
    page.wait_for_selector("#id_text:not([disabled])")
    assert page.input_value("#id_text") == text
    page.locator("#id_text").scroll_into_view_if_needed()
    screenshot(page, "source_long_text_loaded")
    page.fill("#id_text", "A new first line.\n" + text)
    page.click("#content input[name=_continue]")
    page.wait_for_selector(".messagelist")
    source.refresh_from_db()
    assert source.text == "A new first line.\n" + text
    assert page.errors == []


def test_an_edit_that_orphans_cited_evidence_asks_first(transactional_db, browser, live_server, analyst, source, make_claim):
    """The refusal is in sight (the collapsed "Edit text" opens on it), names the claim, and
    "Save anyway" saves."""
    claim = make_claim(analyst, status="in_review")
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    page.click("fieldset summary:has-text('Edit text'), fieldset h2:has-text('Edit text')")
    page.fill("#id_text", source.text.replace("Russia voted six times", "Russia voted many times"))
    page.click("#content input[name=_continue]")
    error = page.locator(".errorlist", has_text="saving it orphans their evidence")
    error.wait_for()
    assert error.is_visible() and f"#{claim.pk}" in error.inner_text()
    error.scroll_into_view_if_needed()
    screenshot(page, "source_edit_orphans_evidence")
    page.check("#id_orphans_confirmed")
    page.click("#content input[name=_continue]")
    page.locator(".messagelist .warning").wait_for()
    source.refresh_from_db()
    assert "Russia voted many times" in source.text
    assert page.errors == []
