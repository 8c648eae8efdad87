"""Swagger UI and Redoc work in a real browser under the Content-Security-Policy, and load
nothing from outside the site.

Drives Debian's Chromium (/usr/bin/chromium) with Playwright; never a downloaded browser.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _static_files(settings):
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture
def page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(base_url=live_server.url)
        page.problems = []
        page.requested_hosts = set()
        page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: page.problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None,
        )
        page.blocked = {}
        page.on("request", lambda request: page.requested_hosts.add(urlsplit(request.url).netloc))
        page.on("requestfailed", lambda request: page.blocked.__setitem__(urlsplit(request.url).netloc, request.failure))
        yield page
        browser.close()


def loaded_from_outside(page, live_server) -> set[str]:
    """Hosts other than the site that the page loaded from. An attempt that the browser
    refused under the CSP (``net::ERR_BLOCKED_BY_CSP``) never left the machine."""
    outside = page.requested_hosts - {urlsplit(live_server.url).netloc, ""}
    return {host for host in outside if page.blocked.get(host) not in ("csp", "net::ERR_BLOCKED_BY_CSP")}


def test_swagger_ui_works_under_the_csp_and_loads_nothing_from_outside(page, live_server):
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock-tag", timeout=20_000)
    assert page.locator(".opblock").count() > 10
    assert page.problems == []
    assert loaded_from_outside(page, live_server) == set()


def test_redoc_works_under_the_csp_and_loads_nothing_from_outside(page, live_server):
    response = page.goto("/api/redoc/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector("h1:has-text('Claimbase API')", timeout=20_000)
    page.wait_for_selector("[role=menuitem]", timeout=20_000)
    assert page.locator("[role=menuitem]").count() > 10
    # Redoc's footer logo points at the vendor's host: the CSP refuses it.
    page.wait_for_timeout(500)
    assert loaded_from_outside(page, live_server) == set()
    assert [problem for problem in page.problems if "https://cdn.redoc.ly/" not in problem] == []
