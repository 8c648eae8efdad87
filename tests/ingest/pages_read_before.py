"""Pages the HTML reader read before the HTML5 reading was added (none of them nested too
deep for libxml2's tree), and a digest of what it reads of each
(``html_read_before_html5.json``): every one must still read the same, byte for byte.

Written at the commit before the HTML5 reading (c335121) by::

    python -c "from tests.ingest.pages_read_before import recorded; recorded()"

with ``sources`` from that commit first on the path (a ``git worktree`` of it). The HTML5
reading is asked for where libxml2's tree is too deep, and where libxml2 puts a paragraph
three deep in others and HTML5's reading reads all libxml2's did, in its order, adding no
line after its last (``html._chained_paragraphs_side_by_side``). 14 of these pages are so nested, and their
digests were written again when the second landed, by the same command in this checkout:
"seed 0, 1, 2, 4, in fonts" had been read as one line, or three (11 to 38 paragraphs), and
are read a line a paragraph, as Chromium's ``innerText`` has them; the chains of 5 to 120
paragraphs "after <font face=Arial><p>" and "after <p><font face=Arial>" had each line but
the first begin with a space, which Chromium's has not. Their metadata is the same; every
other page's digest is as it was at c335121."""

from __future__ import annotations

import hashlib
import io
import json
from html import escape
from pathlib import Path

from tests.documents import news_pages, report_paragraphs, seed_paragraphs

RECORD = Path(__file__).with_name("html_read_before_html5.json")
BASE_COMMIT = "c335121"


def _page(body: str, *, head: str = "<title>Minutes</title>", doctype: str = "") -> str:
    return f"{doctype}<html><head>{head}</head><body>{body}</body></html>"


def _minutes(number: int) -> str:
    return f"Paragraph number {number} of the minutes: the committee discussed item {number} at length."


def pages() -> dict[str, str]:
    """Each page by name: the test pages of news layouts, the seeds' prose, legacy chains
    short enough for libxml2, and the markup the HTML reader's other tests read."""
    made = {f"news page {number}": page.html for number, page in enumerate(news_pages())}
    for index in range(5):
        paragraphs = seed_paragraphs(index, count=40)
        made[f"seed {index}"] = _page("<article>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs) + "</article>")
        made[f"seed {index}, in fonts"] = _page("".join(f"<font face=Arial><p>{escape(p)}" for p in paragraphs))
        made[f"seed {index}, in divisions"] = _page("".join(f"<div>{escape(p)}" for p in paragraphs))
    made["report"] = _page("<main>" + "".join(f"<p>{escape(p)}</p>" for p in report_paragraphs()) + "</main>")
    for count in (5, 10, 60, 100, 120):
        for opener in ("<font face=Arial><p>", "<p><font face=Arial>", "<center><p>", "<b><p>"):
            made[f"{count} paragraphs after {opener}"] = _page("".join(f"{opener}{_minutes(n)}\n" for n in range(count)))
    for opener in ("<font face=Arial>", "<div class=x>", "<center>", "<blockquote>", "<span>", "<b><i>"):
        made[f"400 paragraphs after {opener}"] = _page("".join(f"{opener}<p>{_minutes(n)}</p>" for n in range(400)))
    made["a region 300 deep"] = _page("<article><p>Before.</p>" + "<div>" * 300 + "<p>Deep.</p>" + "</div>" * 300 + "<p>After.</p></article>")
    made["blocks of every kind"] = _page(
        "<article><h1>Heading</h1><p>First paragraph, with <b>bold</b> and <a href='/x'>a link</a>.</p>"
        "<ul><li>One<li>Two</ul><table><tr><th>Head<th>Other<tr><td>Cell<td>Cell <table><tr><td>nested</table></table>"
        "<dl><dt>Term<dd>Meaning</dl><blockquote>Quoted words.</blockquote><pre><code>code()</code></pre>"
        "<figure><img src=a.png alt='A picture'><figcaption>Its caption</figcaption></figure>"
        "<p>P<span><div>Q</div></span></p><p>Last &amp; final, caf&eacute;.</p></article>",
        head='<title>Blocks</title><meta name="author" content="Ann Writer"><link rel=canonical href="https://example.org/a">',
        doctype="<!DOCTYPE html>",
    )
    made["unclosed items in a paragraph"] = _page("".join(f"<p>{_minutes(n)} <ul><li>a {n}<li>b {n}</ul>" for n in range(50)))
    made["a page in French"] = '<html lang="fr"><head><title>Le compte rendu</title></head><body><p>' + "Le comité a discuté du point. " * 30 + "</p></body></html>"
    return made


def digest(data: bytes) -> str:
    """A digest of what the HTML reader reads of ``data``: its text and metadata, or the
    code of its refusal."""
    from sources.ingest import ExtractionError, extract

    try:
        extraction = extract(io.BytesIO(data), declared_type="text/html")
        read = repr((str(extraction.text), extraction.metadata))
    except ExtractionError as error:
        read = f"refused: {error.code}"
    return hashlib.sha256(read.encode("utf-8", errors="surrogatepass")).hexdigest()


def recorded() -> None:
    """Writes the digests of ``pages`` as this checkout reads them to ``RECORD``."""
    RECORD.write_text(json.dumps({name: digest(page.encode()) for name, page in pages().items()}, indent=1, sort_keys=True) + "\n")
