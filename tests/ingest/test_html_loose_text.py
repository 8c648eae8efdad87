"""Text standing between the paragraphs of an article's container is made paragraphs
(``sources.ingest.html._loose_text_in_paragraphs``), and nothing else is: not the page's
frame (a copyright line loose in ``<body>``, "Skip to main content" in a header), not the
labels trafilatura leaves out (an ad's, a related story's), not a forum's posts of loose
lines (trafilatura reads them whole), and an element in a line that holds blocks (a link
around a card) stays as it stands, in order."""

from __future__ import annotations

import io

import pytest

from sources.ingest import extract

P = [
    "Russia voted six times for UN Security Council sanctions on Iran between June 2006 and June 2010, according to the council's records.",
    "The meeting between the two presidents took place in Ashgabat on Friday, the first since the new government was formed in Tehran.",
    "Officials said the talks covered energy, transport corridors and the North-South route that would link the Caspian to the Gulf.",
    "Analysts in Moscow cautioned that the agreements signed so far are mostly declarations of intent rather than binding contracts.",
    "The Iranian delegation included the ministers of oil and of roads, who met their counterparts separately after the plenary session.",
]


def text_of(html: str) -> str:
    return extract(io.BytesIO(html.encode()), declared_type="text/html").text


def in_article(body: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><body><article><p>{P[0]}</p>{body}<p>{P[3]}</p></article></body></html>'


# (markup, what Chromium copies of it, blank lines read as one break as quotes are)
IN_A_LINE_HOLDING_BLOCKS = {
    "a link around a card": (
        f'<div><p>{P[1]}</p><a class="card" href="/other"><div><h4>Iran and Russia sign a gas memorandum</h4>'
        f"<p>The deal covers ten years of deliveries.</p></div></a><p>{P[2]}</p></div>",
        f"Iran and Russia sign a gas memorandum\nThe deal covers ten years of deliveries.\n{P[2]}",
    ),
    "a font around paragraphs": (
        f'<div><font face="Arial"><p>{P[1]}</p>Loose inside the font.<p>{P[2]}</p></font>Loose after it.<p>{P[4]}</p></div>',
        f"{P[1]}\nLoose inside the font.\n{P[2]}\nLoose after it.",
    ),
    "a span around divisions": (
        f'<div><p>{P[1]}</p><span class="x"><div>First division.</div><div>Second division.</div></span>After the span.<p>{P[2]}</p></div>',
        "First division.\nSecond division.\nAfter the span.",
    ),
}


@pytest.mark.parametrize("markup, copied", IN_A_LINE_HOLDING_BLOCKS.values(), ids=IN_A_LINE_HOLDING_BLOCKS.keys())
def test_an_element_in_a_line_that_holds_blocks_keeps_its_text_in_order(markup, copied):
    assert copied in text_of(in_article(markup))


def article_among(*, inside: str = "", before: str = "", after: str = "") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><title>Talks</title></head><body>{before}<div class="article"><h1>Talks</h1>'
        f"<p>{P[0]}</p><p>{P[1]}</p>{inside}<p>{P[2]}</p><p>{P[3]}</p><p>{P[4]}</p></div>{after}</body></html>"
    )


# (the page, words of its boilerplate)
BOILERPLATE = {
    "copyright loose in the body": (
        article_among(after='<div class="foot"><p>Contact the newsroom.</p></div>© 2024 Example News Ltd. All rights reserved.'),
        "All rights reserved",
    ),
    "cookie notice beside a paragraph in the body": (
        article_among(after='<p>Contact us.</p><div id="notice">This website uses cookies to give you the best experience.</div>'),
        "uses cookies",
    ),
    "skip link in a header": (
        article_among(before='<header><div class="logo"><a>Example News</a></div>Skip to main content<nav><a>World</a></nav></header>'),
        "Skip to main content",
    ),
    "an ad's label in the article": (article_among(inside="<div>Advertisement</div>"), "Advertisement"),
    "a related story in the article": (article_among(inside="<div>Related: Caspian summit postponed again</div>"), "Related:"),
}


@pytest.mark.parametrize("page, words", BOILERPLATE.values(), ids=BOILERPLATE.keys())
def test_the_pages_frame_and_its_labels_are_not_made_paragraphs(page, words):
    text = text_of(page)
    assert P[0] in text and P[4] in text
    assert words not in text


FORUM = f"""<html><head><title>Forum: sanctions thread</title></head><body>
<div id="header"><div class="logo">CaspianTalk Forums</div><div class="userbar">Welcome, guest. <a>Login</a> or <a>Register</a></div></div>
<div class="breadcrumb"><a>Forum</a> &raquo; <a>Politics</a> &raquo; Sanctions thread</div>
<div id="posts">
<div class="post" id="post1"><div class="postauthor">hawk77<br>Senior member<br>Posts: 4,211</div>
<div class="postbody"><div class="bbcode_container"><div class="bbcode_quote"><div class="quote_container">Originally Posted by <b>dove</b><div class="message">{P[1]}</div></div></div></div>
I don't buy it. {P[0]}<br><br>
And another thing: {P[2]}
<div class="signature">-- Sent from my phone. Signature: never argue with an idiot.</div></div></div>
<div class="post" id="post2"><div class="postauthor">dove<br>Member</div>
<div class="postbody">{P[3]}<br>Cheers.</div></div>
</div>
<div id="footer">Powered by vBulletin® Version 4.2.5 Copyright © 2024 vBulletin Solutions</div>
</body></html>"""


def test_a_forum_thread_of_loose_lines_keeps_every_post():
    text = text_of(FORUM)
    for said in (P[1], P[0], P[2], P[3], "Cheers."):
        assert said in text
