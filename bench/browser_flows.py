"""How many actions the two daily flows take in the admin, in Debian's Chromium.

1. Analyst: from a source page to a draft claim with the selected passage as `supports`
   evidence (drag over the passage, type the claim, press Enter).
2. Reviewer: from the review queue to a decision on the first claim (one click on
   "Approve and publish").

An action is one thing a person does: a drag, typing into a box, a key, a click. The script
serves a fresh demo database (SQLite in a temporary directory: migrate, ``seed_demo``) with
``manage.py runserver``, performs both flows, checks their results in the database and
prints the actions and the wall time of each. The suite runs the same two flow functions
against its live server and asserts the counts (tests/admin/test_flows_browser.py).

    .venv/bin/python bench/browser_flows.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PASSWORD = "bench-flows-pw"

# The demo corpus's seed 004: a passage no demo claim cites.
PASSAGE = "Moscow needs regional allies that can abet its ambitions."
CLAIM_TEXT = "Moscow needs regional allies to abet its ambitions in the Middle East."


@dataclass
class Actions:
    """Counts what a person does on a Playwright page."""

    page: object
    log: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.log)

    def drag(self, start: tuple[float, float], end: tuple[float, float], what: str) -> None:
        self.page.mouse.move(*start)
        self.page.mouse.down()
        self.page.mouse.move(*end, steps=15)
        self.page.mouse.up()
        self.log.append(f"drag over {what}")

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.log.append("type the claim")

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.log.append(f"press {key}")

    def click(self, selector: str, what: str) -> None:
        self.page.click(selector)
        self.log.append(f"click {what}")


PASSAGE_POINTS = """(quote) => {
    const container = document.getElementById('source-text');
    const at = container.textContent.indexOf(quote);
    if (at < 0) throw new Error('passage not in the page');
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    const point = (offset, atEnd) => {
        let seen = 0, node;
        walker.currentNode = container;
        while ((node = walker.nextNode())) {
            if (offset < seen + node.data.length || (atEnd && offset === seen + node.data.length)) return [node, offset - seen];
            seen += node.data.length;
        }
    };
    const [a, aOffset] = point(at, false), [b, bOffset] = point(at + quote.length, true);
    const first = document.createRange(); first.setStart(a, aOffset); first.setEnd(a, aOffset + 1);
    const frame = container.getBoundingClientRect();
    container.scrollTop += first.getBoundingClientRect().top - frame.top - frame.height / 3;
    const last = document.createRange(); last.setStart(b, bOffset - 1); last.setEnd(b, bOffset);
    const x = first.getClientRects()[0], y = last.getClientRects()[0];
    return [[x.left + 1, x.top + x.height / 2], [y.right - 1, y.top + y.height / 2]];
}"""


def analyst_flow(page, source_id: int, passage: str = PASSAGE, claim_text: str = CLAIM_TEXT) -> Actions:
    """From the source page to a draft claim with ``passage`` as evidence. Returns the
    actions; the page ends on the source page, showing the new claim's message."""
    page.goto(f"/admin/sources/source/{source_id}/change/")
    page.wait_for_load_state("load")
    page.evaluate("() => document.getElementById('source-text').scrollIntoView({block: 'center'})")
    start, end = page.evaluate(PASSAGE_POINTS, passage)
    actions = Actions(page)
    actions.drag(tuple(start), tuple(end), "the passage")
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'text'")
    actions.type(claim_text)
    with page.expect_navigation():
        actions.press("Enter")
    page.wait_for_selector(".messagelist .success")
    return actions


def reviewer_flow(page, claim_id: int) -> Actions:
    """From the review queue to the decision on ``claim_id``: approve it."""
    page.goto("/admin/claims/claim/review-queue/")
    actions = Actions(page)
    with page.expect_navigation():
        actions.click(f"#claim-{claim_id} button[data-action=approve]", "Approve and publish")
    page.wait_for_selector(".messagelist .success")
    return actions


def log_in(page, username: str, password: str) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(database_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    python = sys.executable
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "--password", PASSWORD]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def _django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are
    # synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as directory:
        database_url = f"sqlite:///{directory}/flows.sqlite3"
        port = _free_port()
        server = _serve(database_url, port)
        _django(database_url)
        from claims.models import Claim
        from sources.models import Source

        source = next(s for s in Source.objects.all() if PASSAGE in s.text)
        results = {"analyst": [], "reviewer": []}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                base = f"http://127.0.0.1:{port}"
                for run in range(options.runs):
                    analyst = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base).new_page()
                    log_in(analyst, "analyst", PASSWORD)
                    began = time.perf_counter()
                    actions = analyst_flow(analyst, source.pk, PASSAGE, f"{CLAIM_TEXT} (run {run + 1})")
                    results["analyst"].append((actions, time.perf_counter() - began))
                    claim = Claim.objects.latest("id")
                    evidence = claim.evidence.get()
                    assert (claim.status, evidence.stance, evidence.span.quote) == ("draft", "supports", PASSAGE)
                    # Ready for review: the reviewer's flow starts from the queue.
                    from claims import services
                    from django.contrib.auth.models import User

                    author = User.objects.get(username="analyst")
                    services.claim_update(claim=claim, user=author, verdict="supported", confidence="moderate")
                    services.claim_submit(claim=claim, user=author)
                    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base).new_page()
                    log_in(reviewer, "reviewer", PASSWORD)
                    began = time.perf_counter()
                    actions = reviewer_flow(reviewer, claim.pk)
                    results["reviewer"].append((actions, time.perf_counter() - began))
                    assert Claim.objects.get(pk=claim.pk).status == "published"
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"browser flows, {options.runs} run(s) each, Chromium headless at 1280x900")
    for name, target in (("analyst", 3), ("reviewer", 2)):
        actions = [entry[0] for entry in results[name]]
        seconds = [entry[1] for entry in results[name]]
        print(
            f"{name:9} actions {actions[0].count} (target <= {target}): {', '.join(actions[0].log)}; "
            f"median {statistics.median(seconds) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
