"""A PDF's page furniture (running heads, page numbers) is dropped from its text, and
nothing else is: a heading at the top of every page whose number follows the page's
("Article 3" on page 3 of a treaty) is content an analyst quotes. See
``sources.ingest.pdf._running_lines``."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract, pdf
from tests.documents import LEADING, PAGE_HEIGHT, pdf_bytes

PAGES = 5


def _body(page: int) -> list[str]:
    return [
        f"Clause {page}.{line} of the treaty binds both parties to cooperate on energy and trade."
        for line in range(1, 7)
    ]


def _pdf(top, bottom, pages: int = PAGES, *, first_page_bare: bool = False) -> bytes:
    """``pages`` pages of a body, each under the lines ``top(n)`` and over ``bottom(n)``
    (``n`` counted from 1; None: no line there). ``first_page_bare``: the first page has
    neither (a cover)."""
    drawn = []
    for page in range(1, pages + 1):
        bare = first_page_bare and page == 1
        lines = ([] if bare or top(page) is None else [top(page)]) + _body(page)
        items = [(72, PAGE_HEIGHT - 72 - i * LEADING, line) for i, line in enumerate(lines)]
        if not bare and bottom(page) is not None:
            items.append((290, 40, bottom(page)))
        drawn.append(items)
    return pdf_bytes(drawn)


def _text(data: bytes) -> str:
    """The text as the child process of ``extract`` reads it, read here (faster)."""
    return pdf.read_pdf(io.BytesIO(data))[0]


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _has_every_body_line(text: str, pages: int = PAGES) -> bool:
    lines = _lines(text)
    return all(line in lines for page in range(1, pages + 1) for line in _body(page))


@pytest.mark.parametrize("heading", [
    "Article {n}",
    "Article {n2}",  # the treaty's articles start on its second page
    "Question {n}",
    "Table {n}",
    "Chapter {n}",
    "Annex {n}: energy",
    "Section {n} ends here.",
])
@pytest.mark.parametrize("where", ["top", "bottom"])
def test_a_heading_whose_number_follows_the_pages_is_kept(heading, where):
    def line(n):
        return heading.format(n=n, n2=n + 1)

    data = _pdf(line, lambda n: None) if where == "top" else _pdf(lambda n: None, line)
    text = _text(data)
    for n in range(1, PAGES + 1):
        assert line(n) in _lines(text), f"{line(n)!r} dropped"
    assert _has_every_body_line(text)


def test_a_treatys_articles_and_closing_lines_are_kept():
    """The tester's treaty: "Article n" opens page n, "Section n ends here." closes it."""
    text = extract(io.BytesIO(_pdf(lambda n: f"Article {n}", lambda n: f"Section {n} ends here."))).text
    lines = _lines(text)
    for n in range(1, PAGES + 1):
        assert f"Article {n}" in lines and f"Section {n} ends here." in lines
    assert _has_every_body_line(text)


def test_numbers_that_do_not_follow_the_pages_are_kept():
    """A number alone at the foot of each page that is not the page's (a count, a total)."""
    counts = {1: "12", 2: "7", 3: "31", 4: "4", 5: "19"}
    text = _text(_pdf(lambda n: None, lambda n: counts[n]))
    for count in counts.values():
        assert count in _lines(text)


@pytest.mark.parametrize("number", [
    "{n}",
    "- {n} -",
    "Page {n}",
    "page {n}",
    "Page {n} of {total}",
    "{n}/{total}",
    "p. {n}",
    "Annual report 2024 | {n}",
    "{n} | Annual report 2024",
    "Annual report 2024 \u2013 {n}",
])
@pytest.mark.parametrize("offset", [0, 4], ids=["numbered-from-1", "numbered-from-5"])
def test_page_numbers_are_dropped(number, offset):
    def line(n):
        return number.format(n=n + offset, total=PAGES + offset)

    text = _text(_pdf(lambda n: "Example Institute Annual Report 2025", line))
    lines = _lines(text)
    assert "Example Institute Annual Report 2025" not in lines
    for n in range(1, PAGES + 1):
        assert line(n) not in lines, f"{line(n)!r} kept"
    assert _has_every_body_line(text)


def test_page_numbers_that_start_after_a_cover_are_dropped():
    """The cover has no number; page 2 is printed "1"."""
    text = _text(_pdf(lambda n: None, lambda n: f"Page {n - 1}", first_page_bare=True))
    assert not any(line.startswith("Page ") for line in _lines(text))
    assert _has_every_body_line(text)


def test_a_line_like_the_furniture_inside_a_page_is_kept():
    """Furniture stands at a page's ends: the running head's words inside a page are text."""
    head = "Example Institute Annual Report 2025"
    drawn = []
    for page in range(1, PAGES + 1):
        lines = [head] + _body(page)[:3] + ([head, f"Page {page}"] if page == 3 else []) + _body(page)[3:] + [f"Page {page}"]
        drawn.append([(72, PAGE_HEIGHT - 72 - i * LEADING, line) for i, line in enumerate(lines)])
    lines = _lines(_text(pdf_bytes(drawn)))
    assert lines.count(head) == 1 and lines.count("Page 3") == 1
    assert "Page 2" not in lines
