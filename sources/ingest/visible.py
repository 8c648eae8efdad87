"""What a browser shows of a page, as Chromium copies it: the elements it does not show
taken out before the main content is looked for, and the white space of the page's
source collapsed as a browser collapses it."""

from __future__ import annotations

import re

from lxml import etree

# An element the page's own markup keeps from being shown: its ``hidden`` attribute (but
# ``hidden="until-found"`` on an inline element: it hides by ``content-visibility``, which
# an inline box ignores, and Chromium shows and copies "A <b hidden=until-found>bold</b>
# word"; on a block it hides the text until a search finds it, and Chromium copies none of
# it), or its own style (``display: none``, ``visibility: hidden``). A class that a style
# sheet hides cannot be known without the sheet.
NOT_DISPLAYED = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_INLINE_ELEMENTS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd",
        "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var",
    }
)
_DISPLAYED_OTHERWISE = re.compile(r"display\s*:\s*(?!inline\b|contents\b)[a-z]", re.IGNORECASE)
# A template's content is never shown; a <noscript>'s is not where scripts run, as they do
# in the browser an analyst copies from; a <title> names the page in its tab, wherever it
# is written (one inside a notice printed before the document, in libxml2's body).
_NEVER_SHOWN = frozenset({"template", "noscript", "title"})
# A page hidden whole until a script shows it (an anti-flicker snippet) is shown to the
# reader: its frame is never taken out.
_FRAME = frozenset({"html", "body"})
_CANDIDATES = etree.XPath("//template|//noscript|//body//title|//*[@hidden]|//*[@style]")
_CLOSED_DETAILS = etree.XPath("//details[not(@open)]")
_ARIA_HIDDEN = etree.XPath("//*[@aria-hidden]")


def shown_as_a_block(element) -> bool:
    """Whether its own style lays ``element`` out otherwise than inline (``display: block``,
    ``flex``, ``list-item``...): on a line of its own."""
    return bool(_DISPLAYED_OTHERWISE.search(element.get("style") or ""))


def is_hidden(element) -> bool:
    """Whether the page's markup keeps ``element`` from being shown (see above)."""
    hidden, style = element.get("hidden"), element.get("style") or ""
    if hidden is not None:
        if hidden.strip().lower() != "until-found":
            return True
        if element.tag not in _INLINE_ELEMENTS or shown_as_a_block(element):
            return True
    return bool(NOT_DISPLAYED.search(style))


def _closed(details) -> None:
    """A closed ``<details>`` as a browser shows it: its first ``<summary>`` alone."""
    summary = next((child for child in details if child.tag == "summary"), None)
    details.text = None
    for child in list(details):
        if child is not summary:
            details.remove(child)
    if summary is not None:
        summary.tail = None


def remove_unseen(tree) -> None:
    """Takes out of ``tree`` each element a browser does not show (``is_hidden``, a
    template, a noscript, a title in the body), its tail kept, and the body of a closed ``<details>``, its
    summary kept (``_closed``); and takes off ``aria-hidden``, which hides an
    element from screen readers only: Chromium shows its text, and copies it.

    Trafilatura drops some of them (an ``aria-hidden`` or ``display: none`` element) and
    keeps others (``hidden``, templates, noscript); its fallback extractor (jusText) keeps
    them all, and on a short page, finding the few characters more, it won: the whole
    article came out as one line, headings, items and rows joined by spaces. Taken out
    (or kept) before either reads the page, both read what the reader sees."""
    for element in _CANDIDATES(tree):
        if element.tag in _FRAME or element.getparent() is None:
            continue
        if element.tag in _NEVER_SHOWN or is_hidden(element):
            element.drop_tree()
    for details in _CLOSED_DETAILS(tree):
        _closed(details)
    for element in _ARIA_HIDDEN(tree):
        del element.attrib["aria-hidden"]


# The white space a browser collapses (not U+00A0, which it shows as a space of its own).
_SOURCE_SPACE = re.compile(r"[ \t\n\r\f]+")
# Elements of trafilatura's extracted tree that stand inside a line; every other one
# begins a line of its own (paragraphs, headings, items, line breaks, cells...).
_INLINE = frozenset(
    {"hi", "ref", "del", "span", "a", "b", "i", "em", "strong", "u", "s", "sub", "sup", "small", "abbr", "mark", "q", "cite", "time", "font"}
)


class _Collapser:
    """Collapses white space along the text of a tree in document order: a run of it
    one space, none at the start of a line nor after a space (``after_space``)."""

    def __init__(self) -> None:
        self.after_space = True

    def slot(self, value: str | None) -> str | None:
        if not value:
            return value
        value = _SOURCE_SPACE.sub(" ", value)
        if self.after_space and value.startswith(" "):
            value = value[1:]
        if value:
            self.after_space = value.endswith(" ")
        return value

    def walk(self, element) -> None:
        for child in element:
            if isinstance(child.tag, str):
                self.child(child)
            child.tail = self.slot(child.tail)

    def child(self, child) -> None:
        if child.tag == "code":  # preformatted: as written
            written = "".join(child.itertext())
            self.after_space = self.after_space if not written else written[-1].isspace()
            return
        block = child.tag not in _INLINE
        if block and len(child) == 0:  # trafilatura collapsed a block of text alone already
            self.after_space = True
            return
        self.after_space = self.after_space or block
        child.text = self.slot(child.text)
        self.walk(child)
        self.after_space = self.after_space or block


def collapse_white_space(body) -> None:
    """The white space of ``body`` (trafilatura's extracted tree) collapsed as a browser
    collapses it outside preformatted text: each run one space, none where a line begins.
    Trafilatura collapses it in a paragraph of text alone, not in one holding a line break
    (``<br>``) or another element: the source's line breaks and indentation were kept
    ("energy,\\n    transport   and trade."), and a quote copied from the page, which has
    "energy, transport and trade.", was not found."""
    collapser = _Collapser()
    body.text = collapser.slot(body.text)
    collapser.walk(body)
