"""Documents built for the ingestion tests and benchmarks: PDFs written byte by byte (text
drawn at chosen positions, in a chosen drawing order) and news pages with the boilerplate
that real sites wrap around an article."""

from __future__ import annotations

import textwrap
import zlib

PAGE_WIDTH, PAGE_HEIGHT = 612, 792
FONT_SIZE = 10
LEADING = 13


def _pdf_string(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"(" + escaped.encode("cp1252") + b")"


def pdf_bytes(
    pages: list[list[tuple[float, float, str]]],
    *,
    info: dict[str, str] | None = None,
    compress: bool = True,
    extra_page_content: bytes = b"",
    image_bytes: int = 0,
    picture_on_every_page: bool = False,
    page_entries: bytes = b"",
    page_tree_entries: bytes = b"",
    media_box: tuple[float, float, float, float] | None = (0, 0, PAGE_WIDTH, PAGE_HEIGHT),
    resources: bytes = b"",
    catalog_entries: bytes = b"",
    fonts: bytes = b"",
) -> bytes:
    """A PDF whose page ``n`` draws each ``(x, y, text)`` of ``pages[n]`` in list order,
    in Helvetica (a standard font: nothing embedded) of ``FONT_SIZE`` points, or of the
    size an item gives as a fourth member (``(x, y, text, size)``). ``info`` fills the
    document information dictionary (Title, Author, CreationDate...). ``media_box`` is
    written on each page (None: on none); ``page_entries`` (``/CropBox [...]``),
    ``page_tree_entries`` (``/MediaBox [...]`` inherited by every page), ``resources``
    (``/Properties << ... >>``), ``catalog_entries`` (``/Lang (fr)``) and ``fonts`` (``/F2
    << ... >>``, for ``extra_page_content``) are written into each page's, the page tree's,
    each page's resources', the catalog's and each page's font dictionaries."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the page tree's number is known
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    images: list[int] = []
    if image_bytes:
        # A grey-scale picture on the first page: how real PDFs grow large.
        width = 4096
        height = max(1, image_bytes // width)
        pixels = (bytes(range(256)) * (width * height // 256 + 1))[: width * height]
        for _ in range(len(pages) if picture_on_every_page else 1):
            images.append(
                add(
                    b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream" % (width, height, len(pixels), pixels)
                )
            )
    page_ids = []
    for number, drawn in enumerate(pages):
        operations = [b"BT", b"/F1 %d Tf" % FONT_SIZE]
        current = FONT_SIZE
        for x, y, text, *size in drawn:
            if size and size[0] != current:
                current = size[0]
                operations.append(b"/F1 %g Tf" % current)
            operations.append(b"1 0 0 1 %.2f %.2f Tm %s Tj" % (x, y, _pdf_string(text)))
        operations.append(b"ET")
        image = images[number] if number < len(images) else None
        if image:
            operations.append(b"q 200 0 0 150 72 72 cm /Im1 Do Q")
        stream = b"\n".join(operations) + b"\n" + extra_page_content
        if compress:
            stream = zlib.compress(stream)
            content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream))
        else:
            content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R %s%s /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R %s>> %s%s>> >>"
                % (
                    pages_id,
                    b"/MediaBox [%g %g %g %g] " % media_box if media_box else b"",
                    page_entries,
                    content,
                    font,
                    fonts,
                    b"/XObject << /Im1 %d 0 R >> " % image if image else b"",
                    resources,
                )
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R %s>>" % (pages_id, catalog_entries)
    kids = b" ".join(b"%d 0 R" % page for page in page_ids)
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d %s>>" % (kids, len(page_ids), page_tree_entries)
    info_id = None
    if info:
        entries = b" ".join(b"/%s %s" % (key.encode(), _pdf_string(value)) for key, value in info.items())
        info_id = add(b"<< %s >>" % entries)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"/Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info_id:
        trailer += b" /Info %d 0 R" % info_id
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def _lines(paragraphs: list[str], width: int) -> list[str]:
    """Wrapped lines, with an empty line between paragraphs."""
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines.extend(textwrap.wrap(paragraph, width, break_on_hyphens=False))
    return lines


def one_column_pdf(paragraphs: list[str], *, info: dict[str, str] | None = None) -> bytes:
    """Paragraphs on as many one-column pages as they need."""
    lines = _lines(paragraphs, 95)
    per_page = (PAGE_HEIGHT - 144) // LEADING
    pages = []
    for first in range(0, len(lines), per_page):
        chunk = lines[first : first + per_page]
        pages.append([(72, PAGE_HEIGHT - 72 - i * LEADING, line) for i, line in enumerate(chunk) if line])
    return pdf_bytes(pages, info=info)


def two_column_pdf(
    paragraphs: list[str],
    *,
    header: str | None = None,
    page_numbers: bool = False,
    interleaved: bool = True,
    info: dict[str, str] | None = None,
) -> bytes:
    """A report in two columns. ``interleaved`` draws line 1 of the left column, then
    line 1 of the right, and so on (as some producers do), so that the order of drawing
    is not the order of reading; otherwise the left column is drawn first."""
    lines = _lines(paragraphs, 44)
    top = PAGE_HEIGHT - 72 - (2 * LEADING if header else 0)
    per_column = int((top - 72) // LEADING)
    pages = []
    for first in range(0, len(lines), 2 * per_column):
        left = lines[first : first + per_column]
        right = lines[first + per_column : first + 2 * per_column]
        drawn = [(72, PAGE_HEIGHT - 72, header)] if header else []
        if page_numbers:
            drawn.append((290, 40, f"Page {len(pages) + 1}"))
        left_drawn = [(72, top - i * LEADING, line) for i, line in enumerate(left) if line]
        right_drawn = [(324, top - i * LEADING, line) for i, line in enumerate(right) if line]
        if interleaved:
            rows: dict[float, list] = {}
            for item in left_drawn + right_drawn:
                rows.setdefault(item[1], []).append(item)
            for y in sorted(rows, reverse=True):
                drawn.extend(sorted(rows[y]))
        else:
            drawn.extend(left_drawn + right_drawn)
        pages.append(drawn)
    return pdf_bytes(pages, info=info)


def image_only_pdf() -> bytes:
    """A scanned-looking page: a filled rectangle and no text at all."""
    return pdf_bytes([[]], extra_page_content=b"0.5 g 72 72 468 648 re f\n")


# ---------------------------------------------------------------------------------------------
# News pages: an article wrapped in the boilerplate real sites put around it


from dataclasses import dataclass  # noqa: E402
from html import escape  # noqa: E402
from pathlib import Path  # noqa: E402

SEEDS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"

BOILERPLATE = {
    "navigation": ["Home", "World news and analysis", "Business and markets today", "Opinion and editorials", "Subscribe now for full access"],
    "cookies": ["We use cookies to personalise content and ads and to analyse our traffic.", "Accept all cookies and continue reading"],
    "related": [
        "Related: Oil prices climb as talks stall in Vienna again",
        "Related: Five things to know about the new sanctions package",
        "Most read: Parliament passes the budget after a long night",
    ],
    "ads": ["Advertisement: Upgrade your kitchen with our spring sale today", "Sponsored content: Ten travel destinations you must see this year"],
    "comments": [
        "Great article, thanks for sharing these insights with us all.",
        "I completely disagree with the author on every single point here.",
        "Has anyone else noticed the pattern the writer keeps ignoring?",
    ],
    "footer": ["Copyright 2025 Daily Example Media Group. All rights reserved.", "Contact us about advertising and partnerships", "Privacy policy and terms of use"],
    "newsletter": ["Sign up for our morning briefing newsletter in your inbox every day."],
}


@dataclass
class TestPage:
    name: str
    html: str
    article: list[str]  # the article's paragraphs, as a reader sees them
    boilerplate: list[str]
    title: str


def seed_paragraphs(index: int, count: int = 8) -> list[str]:
    """Paragraphs of one seed document: real prose, in its own words."""
    path = sorted(SEEDS_DIR.glob("*.txt"))[index]
    paragraphs = [part.strip() for part in path.read_text(encoding="utf-8").split("\n\n") if len(part.strip()) > 80]
    return [paragraph for paragraph in paragraphs if "<" not in paragraph][:count]


def _p(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)


def _links(items: list[str], cls: str = "menu") -> str:
    return f'<ul class="{cls}">' + "".join(f'<li><a href="/{i}">{escape(item)}</a></li>' for i, item in enumerate(items)) + "</ul>"


def _head(title: str, *, author: str, date: str, site: str, canonical: str, lang: str = "en") -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)} | {site}</title>'
        f'<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="{site}">'
        f'<meta name="author" content="{author}"><meta property="article:published_time" content="{date}T08:00:00Z">'
        f'<link rel="canonical" href="{canonical}"><script>window.analytics = {{track: function() {{}}}};</script>'
        "<style>.menu{display:flex}</style></head>"
    )


def _comments() -> str:
    items = "".join(
        f'<li class="comment"><span class="comment-author">reader{i}</span><p>{escape(text)}</p></li>'
        for i, text in enumerate(BOILERPLATE["comments"])
    )
    return f'<section id="comments" class="comments"><h3>Comments (3)</h3><ol class="comment-list">{items}</ol></section>'


def news_pages() -> list[TestPage]:
    """Five layouts: a classic news article; an article split by ads; a blog post with a
    sidebar; a page of nested divs without an <article> element; an older page whose text
    stands between blocks, not in paragraphs."""
    pages = []
    boilerplate_all = [text for texts in BOILERPLATE.values() for text in texts]

    article = seed_paragraphs(0)
    title = "Iran and Russia: a relationship of convenience"
    html = (
        _head(title, author="Jane Roe", date="2025-01-15", site="Daily Example", canonical="https://news.example.com/world/iran-russia")
        + '<body><div id="cookie-banner" class="cookie-consent"><p>' + escape(BOILERPLATE["cookies"][0]) + "</p><button>"
        + escape(BOILERPLATE["cookies"][1]) + "</button></div>"
        + '<header class="site-header"><nav>' + _links(BOILERPLATE["navigation"]) + "</nav></header>"
        + f'<main><article><h1>{escape(title)}</h1><p class="byline">By Jane Roe, January 15, 2025</p>' + _p(article) + "</article>"
        + '<aside class="related"><h3>Related stories</h3>' + _links(BOILERPLATE["related"], "related") + "</aside>"
        + _comments() + "</main>"
        + '<footer class="site-footer">' + "".join(f"<p>{escape(t)}</p>" for t in BOILERPLATE["footer"]) + "</footer></body></html>"
    )
    pages.append(TestPage("classic", html, article, boilerplate_all, title))

    article = seed_paragraphs(1)
    title = "What the sanctions votes tell us"
    body = []
    for i, paragraph in enumerate(article):
        body.append(f"<p>{escape(paragraph)}</p>")
        if i % 2 == 1:
            ad = BOILERPLATE["ads"][(i // 2) % 2]
            body.append(f'<div class="ad-slot advertisement" data-ad="inline-{i}"><span class="ad-label">{escape(ad)}</span></div>')
    html = (
        _head(title, author="John Doe", date="2024-11-02", site="The Example Post", canonical="https://post.example.org/2024/11/sanctions")
        + '<body><header><nav class="navbar">' + _links(BOILERPLATE["navigation"]) + "</nav></header>"
        + f'<div class="container"><article class="story"><h1>{escape(title)}</h1>' + "\n".join(body) + "</article>"
        + '<div class="newsletter-signup"><p>' + escape(BOILERPLATE["newsletter"][0]) + "</p></div>"
        + '<aside class="most-read">' + _links(BOILERPLATE["related"], "most-read") + "</aside></div>"
        + _comments()
        + '<footer>' + "".join(f"<p>{escape(t)}</p>" for t in BOILERPLATE["footer"]) + "</footer></body></html>"
    )
    pages.append(TestPage("split-by-ads", html, article, boilerplate_all, title))

    article = seed_paragraphs(2)
    title = "Notes on a closer partnership"
    html = (
        _head(title, author="A. Blogger", date="2023-06-30", site="Example Blog", canonical="https://blog.example.net/closer")
        + '<body><div class="wrapper"><div class="top-bar">' + _links(BOILERPLATE["navigation"]) + "</div>"
        + '<div class="layout"><div class="sidebar"><div class="widget">' + escape(BOILERPLATE["newsletter"][0])
        + '</div><div class="widget">' + _links(BOILERPLATE["related"], "related") + "</div></div>"
        + f'<div class="post"><h2 class="post-title">{escape(title)}</h2><div class="entry-content">' + _p(article) + "</div></div></div>"
        + _comments()
        + '<div class="footer">' + "".join(f"<span>{escape(t)}</span> " for t in BOILERPLATE["footer"]) + "</div>"
        + '<div class="cookie-notice">' + escape(BOILERPLATE["cookies"][0]) + "</div></div></body></html>"
    )
    pages.append(TestPage("blog-with-sidebar", html, article, boilerplate_all, title))

    article = seed_paragraphs(3)
    title = "A quiet shift in regional diplomacy"
    nested = _p(article)
    for depth in range(6):
        nested = f'<div class="c{depth}">{nested}</div>'
    html = (
        _head(title, author="Staff Writer", date="2022-02-20", site="Example Wire", canonical="https://wire.example.com/shift")
        + '<body><div id="app"><div class="nav-wrap"><div class="nav">' + _links(BOILERPLATE["navigation"]) + "</div></div>"
        + f'<div class="content"><h1>{escape(title)}</h1>' + nested + "</div>"
        + '<div class="promo">' + escape(BOILERPLATE["ads"][0]) + "</div>"
        + '<div class="recirc">' + _links(BOILERPLATE["related"], "recirc") + "</div>"
        + _comments()
        + '<div class="legal">' + "".join(f"<p>{escape(t)}</p>" for t in BOILERPLATE["footer"]) + "</div></div></body></html>"
    )
    pages.append(TestPage("nested-divs", html, article, boilerplate_all, title))

    article = seed_paragraphs(4)
    title = "Old partners, new terms"
    # Text standing between the paragraphs of the story, not in paragraphs of its own: lines
    # separated by line breaks, a line before a paragraph, after a figure, after a code
    # block, after a paragraph in a division; and a footer of such lines.
    first, second, third, fourth, fifth, sixth, seventh, eighth = (escape(paragraph) for paragraph in article)
    html = (
        _head(title, author="Old School", date="2021-09-09", site="Example Gazette", canonical="https://gazette.example.com/terms")
        + '<body><div id="page"><div class="navigation">' + _links(BOILERPLATE["navigation"]) + "</div>"
        + f'<div id="story"><h1>{escape(title)}</h1>{first}<br><br>\n<i>{second}</i>'
        + f"<p>{third}</p>\n{fourth}"
        + '<figure><img src="map.png" alt="A map of the route"><figcaption>The route</figcaption></figure>'
        + f"{fifth}<pre><code>route = [Moscow, Baku, Tehran]</code></pre>{sixth}"
        + f"<div><p>{seventh}</p>{eighth}</div></div>"
        + '<div class="related">' + _links(BOILERPLATE["related"], "related") + "</div>"
        + _comments()
        + '<div class="footer"><div class="footer-links">' + _links(BOILERPLATE["navigation"], "footer-menu") + "</div>"
        + "<br>".join(escape(t) for t in BOILERPLATE["footer"]) + "</div></div></body></html>"
    )
    pages.append(TestPage("loose-text", html, article, boilerplate_all, title))
    return pages


def sentences(paragraphs: list[str]) -> list[str]:
    """Sentences of the paragraphs (a sentence ends with . ! ? and a space), with their
    white space collapsed."""
    import re

    found = []
    for paragraph in paragraphs:
        for sentence in re.split(r"(?<=[.!?”\"’])\s+(?=[A-Z“\"])", " ".join(paragraph.split())):
            if len(sentence) > 20:
                found.append(sentence)
    return found


def sentence_scores(text: str, article: list[str], boilerplate: list[str]) -> tuple[float, float]:
    """(precision, recall) of the article's sentences in ``text``: recall is the share of
    the article's sentences found; precision the share of the sentences found (article
    and boilerplate) that belong to the article."""
    flat = " ".join(text.split())
    wanted = sentences(article)
    unwanted = [" ".join(item.split()) for item in boilerplate]
    found = sum(1 for sentence in wanted if sentence in flat)
    noise = sum(1 for sentence in unwanted if sentence in flat)
    recall = found / len(wanted) if wanted else 1.0
    precision = found / (found + noise) if found + noise else 0.0
    return precision, recall


def report_paragraphs(count: int = 40) -> list[str]:
    """Paragraphs of a report: the seeds' prose, in order, across documents."""
    paragraphs = []
    for index in range(5):
        paragraphs.extend(seed_paragraphs(index, 100))
    return paragraphs[:count]
