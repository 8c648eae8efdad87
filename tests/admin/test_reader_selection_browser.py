"""The reader's selection in real Chromium, with real mouse drags: whatever the person
selects becomes a span whose quote is exactly the selected text, across paragraphs, starting
on an existing highlight (forwards and backwards), with curly quotes and emoji."""

from __future__ import annotations

import pytest

from sources.models import Span
from sources.services import source_create, span_create

from ..support import SAMPLE_TEXT, seed_text
from .browser_support import browser, browser_marks, drag_select, new_page  # noqa: F401

pytestmark = browser_marks

SEED = "004_80fb5168a06efd21.txt"
ACROSS_PARAGRAPHS = "Moscow needs regional allies that can abet its ambitions.\n- At least in American eyes"


def open_reader(browser, live_server, source):
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    return page


def make_span_from(page, quote: str, **drag) -> Span:
    """Drag over ``quote``, press "Make span", wait for the page to name the new span."""
    drag_select(page, quote, **drag)
    selected = page.input_value("#cb-selection input[name=quote]")
    assert selected == quote
    with page.expect_navigation():
        page.click("[data-role=make-span]")
    page.wait_for_selector(".messagelist .success, .messagelist .info")
    return Span.objects.order_by("-id").first()


def assert_exact(span: Span, text: str, quote: str) -> None:
    start = text.index(quote)
    assert (span.start, span.end, span.quote) == (start, start + len(quote), quote)
    assert text[span.start : span.end] == span.quote


def test_a_selection_across_paragraphs_becomes_a_span_with_the_exact_quote(transactional_db, browser, live_server, analyst):
    text = seed_text(SEED)
    assert ACROSS_PARAGRAPHS in text
    source = source_create(user=analyst, title="Iran's Russian Conundrum", text=text)
    page = open_reader(browser, live_server, source)
    span = make_span_from(page, ACROSS_PARAGRAPHS)
    assert_exact(span, text, ACROSS_PARAGRAPHS)
    assert page.errors == []


def test_a_selection_across_a_blank_line_becomes_a_span_with_the_exact_quote(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    quote = "sanctions on Iran.\n\nMoscow later said"
    page = open_reader(browser, live_server, source)
    span = make_span_from(page, quote)
    assert_exact(span, SAMPLE_TEXT, quote)


@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
def test_a_drag_starting_on_the_first_letter_of_a_highlight_selects_it(transactional_db, browser, live_server, analyst, backwards):
    text = seed_text(SEED)
    highlighted = "Moscow needs regional allies"
    source = source_create(user=analyst, title="Iran's Russian Conundrum", text=text)
    existing, _ = span_create(source=source, user=analyst, quote=highlighted)
    page = open_reader(browser, live_server, source)
    quote = "Moscow needs regional allies that can abet its ambitions."
    span = make_span_from(page, quote, backwards=backwards)
    assert span.pk != existing.pk
    assert_exact(span, text, quote)


@pytest.mark.parametrize("backwards", [False, True], ids=["forwards", "backwards"])
def test_exactly_an_existing_highlight_selected_again_is_that_span(transactional_db, browser, live_server, analyst, backwards):
    text = seed_text(SEED)
    source = source_create(user=analyst, title="Iran's Russian Conundrum", text=text)
    quote = "Moscow needs regional allies that can abet its ambitions."
    existing, _ = span_create(source=source, user=analyst, quote=quote)
    page = open_reader(browser, live_server, source)
    drag_select(page, quote, backwards=backwards)
    assert page.input_value("#cb-selection input[name=quote]") == quote
    assert not page.locator("[data-role=make-span]").is_disabled()


def test_curly_quotes_and_an_emoji_are_selected_exactly(transactional_db, browser, live_server, analyst):
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    quote = "“Curly quotes” stay curly; an emoji 🙂 sits before this sentence. Russia"
    page = open_reader(browser, live_server, source)
    span = make_span_from(page, quote)
    assert_exact(span, SAMPLE_TEXT, quote)
    # Ending on the emoji, and starting on it, backwards
    for selection in ("Moscow later said the sanctions went too far. “Curly quotes” stay curly; an emoji 🙂", "🙂 sits before"):
        span = make_span_from(page, selection, backwards=True)
        assert_exact(span, SAMPLE_TEXT, selection)
