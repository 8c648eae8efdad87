"""Driving Debian's Chromium with Playwright: the browser fixture, logging in, selecting text
with real mouse drags, and screenshots to ``$ARTIFACTS_DIR`` (default ``<repo>/artifacts/``,
ignored by git). Never a downloaded browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..support import REPO_DIR

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are
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
WIDTH = 1280

browser_marks = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def artifacts_dir() -> Path:
    path = Path(os.environ.get("ARTIFACTS_DIR") or REPO_DIR / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


# Resolves once every CSS background picture on the page has loaded, and the next frame is
# painted: the admin's date and time shortcuts add their icons after the page's load event,
# and a screenshot taken at once showed "Today |" without its calendar.
_BACKGROUNDS_PAINTED = """() => Promise.all(
    [...new Set([...document.querySelectorAll('*')]
        .flatMap(element => [...getComputedStyle(element).backgroundImage.matchAll(/url\\("?([^")]+)"?\\)/g)])
        .map(match => match[1]))]
    .map(source => new Promise(done => { const picture = new Image(); picture.onload = picture.onerror = done; picture.src = source; }))
).then(() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))"""


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    page.evaluate(_BACKGROUNDS_PAINTED)
    page.screenshot(path=str(artifacts_dir() / f"{name}.png"), full_page=full_page)


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser, live_server, username: str, password: str, *, width: int = WIDTH, height: int = 900):
    """A page logged in to the admin as ``username``; ``page.errors`` collects script errors."""
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
    context.set_default_timeout(8000)
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


_POINTS = """([quote, occurrence]) => {
    const container = document.getElementById('source-text');
    const text = container.textContent;
    let at = -1;
    for (let i = 0; i < occurrence; i += 1) {
        at = text.indexOf(quote, at + 1);
        if (at < 0) throw new Error('quote not in the page: ' + quote);
    }
    const point = (offset, atEnd) => {
        const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
        let seen = 0, node;
        while ((node = walker.nextNode())) {
            if (offset < seen + node.data.length || (atEnd && offset === seen + node.data.length)) {
                return [node, offset - seen];
            }
            seen += node.data.length;
        }
        throw new Error('offset past the text');
    };
    const [startNode, startOffset] = point(at, false);
    const [endNode, endOffset] = point(at + quote.length, true);
    const first = document.createRange();
    first.setStart(startNode, startOffset);
    first.setEnd(startNode, startOffset + (/[\\uD800-\\uDBFF]/.test(startNode.data[startOffset]) ? 2 : 1));
    // Bring the passage into view: the text scrolls inside its own box.
    const box = container.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight / 2) {
        window.scrollBy(0, box.top - 80);
    }
    const inner = container.getBoundingClientRect();
    container.scrollTop += first.getBoundingClientRect().top - inner.top - inner.height / 3;
    const last = document.createRange();
    const width = /[\\uDC00-\\uDFFF]/.test(endNode.data[endOffset - 1]) ? 2 : 1;
    last.setStart(endNode, endOffset - width);
    last.setEnd(endNode, endOffset);
    const rects = (range) => Array.from(range.getClientRects()).filter((r) => r.width > 0);
    const a = rects(first)[0], b = rects(last).slice(-1)[0];
    return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
}"""


def drag_select(page, quote: str, *, backwards: bool = False, occurrence: int = 1) -> None:
    """Select ``quote`` in the source text with a real mouse drag, as a person would:
    press on its first character, move, release after its last (or the reverse)."""
    page.wait_for_load_state("load")
    box = page.evaluate(_POINTS, [quote, occurrence])
    start, end = (box["x1"], box["y1"]), (box["x2"], box["y2"])
    if backwards:
        start, end = end, start
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=15)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('#cb-selection input[name=quote]').value !== ''")


def selected_text(page) -> str:
    return page.evaluate("() => window.getSelection().toString()")


def horizontal_overflow(page) -> int:
    """How far the page reaches past the viewport's right edge, in CSS pixels."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
