"""The index's charts in real Chromium: every count is drawn whole, clear of its bar and
inside its chart, however many digits it has."""

from __future__ import annotations

from claims.admin import dashboard
from claims.models import Claim

from .browser_support import browser, browser_marks, new_page, screenshot  # noqa: F401

pytestmark = browser_marks

# Each count's box, its bar's end and the chart's width, in the SVG's units.
GEOMETRY = """() => Array.from(document.querySelectorAll('svg.cb-bars')).flatMap((svg) => {
    const width = svg.viewBox.baseVal.width;
    return Array.from(svg.querySelectorAll('a')).map((bar) => {
        const count = bar.querySelector('.cb-bar-count').getBBox();
        const track = bar.querySelector('.cb-bar-track');
        return {text: bar.querySelector('.cb-bar-count').textContent, left: count.x, right: count.x + count.width,
                barEnd: track.x.baseVal.value + track.width.baseVal.value, width};
    });
})"""

# How wide the browser draws a number as the charts draw their counts.
DRAWN_WIDTH = """(text) => {
    const svg = document.querySelector('svg.cb-bars');
    const probe = svg.querySelector('.cb-bar-count').cloneNode();
    probe.textContent = text;
    svg.appendChild(probe);
    const width = probe.getComputedTextLength();
    probe.remove();
    return width;
}"""


def test_counts_of_any_size_are_drawn_whole_beside_their_bars(transactional_db, browser, live_server, analyst, reviewer):
    Claim.objects.bulk_create(Claim(text=f"Claim {n}.", author=analyst) for n in range(12_345))
    page = new_page(browser, live_server, "reviewer", "pw-reviewer")
    screenshot(page, "index_large_counts")
    bars = page.evaluate(GEOMETRY)
    drafts = next(bar for bar in bars if bar["text"] == "12,345")
    assert [bar for bar in bars if bar["right"] > bar["width"] + 0.5 or bar["left"] < bar["barEnd"] + 2] == []
    assert drafts["right"] - drafts["left"] > 30  # all five digits, not three
    assert "12,345" in page.inner_text(".cb-dashboard-cards")
    # The room the server leaves a count holds it as this browser draws it, up to tens of millions.
    for count in (7, 999, 12_345, 18_775_000, 99_999_999):
        assert page.evaluate(DRAWN_WIDTH, f"{count:,}") <= dashboard.count_width(count)
    assert page.errors == []
