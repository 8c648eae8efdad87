"""Legacy pages for the tests of the HTML5 reading: a 1998-style article that opens
``<font face=Arial>`` and ``<p>`` before each paragraph and closes neither, with the
blocks such pages hold between paragraphs, and its navigation and footer."""

from __future__ import annotations

NAVIGATION = '<center><a href="/">Home</a> | <a href="/archive">Archive</a> | <a href="/contact">Contact the editors</a></center>'
FOOTER = "<center><font size=1>Copyright 1998 The Valley Gazette. All rights reserved.</font></center>"
OPENERS = {"font-p": "<font face=Arial><p>", "p-font": "<p><font face=Arial>"}


def sentence(number: int) -> str:
    """The article's sentence ``number``, unlike every other."""
    return f"In the minutes of meeting {number} the council recorded that item {number} was settled after {number % 7 + 2} hours."


def blocks_after(number: int) -> list[tuple[str, list[str]]]:
    """The blocks that follow paragraph ``number``: (markup, the lines a reader sees)."""
    made = []
    if number % 50 == 49:
        made.append((f"<h2>Part {number // 50 + 1} of the minutes</h2>", [f"Part {number // 50 + 1} of the minutes"]))
    if number % 37 == 20:
        items = [f"Motion {number} first reading", f"Motion {number} second reading"]
        made.append(("<ul>" + "".join(f"<li>{item}" for item in items) + "</ul>", items))
    if number % 41 == 30:
        made.append((f"<table><tr><td>Votes for {number}<td>Votes against {number}</table>", [f"Votes for {number}\tVotes against {number}"]))
    if number % 43 == 10:
        made.append((f"<dl><dt>Term {number}<dd>Meaning of term {number}</dl>", [f"Term {number}", f"Meaning of term {number}"]))
    if number % 47 == 15:
        made.append((f"<blockquote>Quoted remark {number} from the floor.</blockquote>", [f"Quoted remark {number} from the floor."]))
    if number % 29 == 5:
        made.append(('<img src="seal.gif" width=40 height=40>', []))
    return made


def article_1998(
    count: int = 600, *, opener: str = "<font face=Arial><p>", closer: str = "", title: str = "Council minutes, 1998"
) -> str:
    """The page: its navigation, ``count`` paragraphs each after ``opener`` (and before
    ``closer``: none, as such pages were written), the blocks between some of them
    (``blocks_after``), its footer."""
    body = [NAVIGATION, "<h1>Council minutes</h1>"]
    for number in range(count):
        body.append(f"{opener}{sentence(number)}\n{closer}")
        body.extend(markup for markup, _ in blocks_after(number))
    body.append(FOOTER)
    return f'<html lang="en"><head><title>{title}</title></head><body bgcolor=white>{"".join(body)}</body></html>'


def article_lines(count: int = 600) -> list[str]:
    """What a reader sees of the article, a line each, in order (without its navigation,
    footer or main heading)."""
    lines = []
    for number in range(count):
        lines.append(sentence(number))
        lines.extend(line for _, shown in blocks_after(number) for line in shown)
    return lines
