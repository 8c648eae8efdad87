"""The source list at 1,280 px, with what people put in titles, publishers and URLs: every
column header is seen whole, and the table stays in its box."""

from __future__ import annotations

from sources.services import source_create

from .browser_support import browser, browser_marks, new_page, screenshot  # noqa: F401

pytestmark = browser_marks

# Each header's right edge past the right edge of the box the table scrolls in, and how far
# the table reaches past that box.
CLIPPED_HEADERS = """() => {
    const box = document.querySelector('#result_list').parentElement.getBoundingClientRect();
    const right = Math.min(box.right, document.documentElement.clientWidth);
    const clipped = Array.from(document.querySelectorAll('#result_list thead th'))
        .filter((th) => th.getBoundingClientRect().right > right + 0.5 || th.scrollWidth > th.clientWidth + 1)
        .map((th) => th.textContent.trim());
    return {clipped, overflow: Math.round(document.querySelector('#result_list').getBoundingClientRect().right - right)};
}"""

SOURCES = [
    ("<script>alert(1)</script> heading", "", "https://example.org/a"),
    ("report", "", ""),
    ("Probe article on Caspian trade", "127.0.0.1:8732", "http://127.0.0.1:8732/caspian-trade.html"),
    ('<img src=x onerror=alert(1)><script>alert("t")</script> a title long enough to wrap', '<b>pub</b>"><svg onload=alert(2)>', "https://example.org/x"),
    ("Iran's defiance, returning US sanctions and the Russian connection", "Middle East Institute", ""),
    ("How US, EU policies pushing Iran closer to Russia?", "Tehran Times", "https://www.tehrantimes.com/news/502123/"),
]


def test_the_source_list_shows_every_header_whole_at_1280_pixels(transactional_db, browser, live_server, analyst):
    for title, publisher, url in SOURCES:
        source_create(user=analyst, title=title, text=f"The text of {title}. " * 40, publisher=publisher, url=url)
    page = new_page(browser, live_server, "analyst", "pw-analyst")
    page.goto("/admin/sources/source/")
    screenshot(page, "source_list")
    assert page.evaluate(CLIPPED_HEADERS) == {"clipped": [], "overflow": 0}
    assert page.errors == []
