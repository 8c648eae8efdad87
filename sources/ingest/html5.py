"""A page as a browser reads it: HTML5's tree construction (Lexbor, through selectolax),
for the pages libxml2 nests too deep to be read.

libxml2's HTML parser is no HTML5 parser. Legacy markup that opens an element before each
paragraph and closes neither (``<font face=Arial><p>`` before every one) is nested by it
one level deeper a paragraph, font, p, font, p, and such a page passes the depth that is
read (``html.MAX_HTML_DEPTH``). A browser closes an open ``<p>`` at the next one, and
opens the formatting elements still open (``<font>``, ``<b>``...) again inside it, three
alike at most: the paragraphs stand side by side. ``html.refuse_element_floods`` asks
for this reading where libxml2's tree would be refused as nested too deep, and continues
with the tree built here as with libxml2's. Where libxml2 puts a paragraph three deep in others
(a shorter chain, read whole by libxml2 but as one line), ``html._chained_paragraphs_side_by_side``
reads the page both ways and takes this reading only where it reads all libxml2's did, in
its order, adding no line after its last: taken there unasked, it read some pages worse (paragraphs and headings dropped,
paragraphs in another order). Every other page is read as before, and starts no child.

Lexbor parses the page in a child process (``html5_child.py``), within ``MEMORY_MB`` of
memory and a time that grows with the page (``seconds_allowed``): HTML5 opens the
formatting elements still open again in each paragraph, and a page that leaves hundreds of
different ones open before thousands of paragraphs makes a tree of millions of elements
from a few hundred kilobytes; and Lexbor looks through all the elements open at each block,
a time in the square of the depth (100,000 nested ``<div>`` took 30 s). The child answers
with the tree's elements, text and attributes in document order (``html5_child._events``),
and refuses there a tree ``PARSED_DEPTH`` deep or more or of more than
``MAX_EVENT_ELEMENTS`` elements, before sending it.
"""

from __future__ import annotations

import logging
import marshal
import re
import subprocess
import sys
from pathlib import Path

from lxml.html import HTMLParser

from .errors import ExtractionError
from .html5_child import _CLOSE, MAX_EVENT_ELEMENTS, PARSED_DEPTH

logger = logging.getLogger(__name__)

# A 2 MB page of 24,000 paragraphs is parsed and walked in 0.35 s, within 110 MB; a page
# that leaves 300 formatting elements open before 30,000 paragraphs would take gigabytes.
# The time allowed grows with the page (``seconds_allowed``): a hostile page of 10 MB costs
# up to 3 s of processor time more than libxml2's refusal of it took (6.3 s at 0.5 s a
# megabyte), an ordinary one is read in a third of it.
MEMORY_MB = 512
SECONDS = 0.5
SECONDS_PER_MB = 0.25
# The child's time is processor time (``html5_child``); the clock allows for a busy machine.
WALL_CLOCK_FACTOR = 4
# HTML5's formatting elements: those it opens again in the next paragraph (its "list of
# active formatting elements").
FORMATTING = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"})

_CHILD = Path(__file__).with_name("html5_child.py")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


def tree_as_browsers_read(content: str):
    """The lxml tree of ``content`` as HTML5 builds it (an ``lxml.html`` tree, as
    trafilatura's ``load_html`` gives, without comments), its reopened formatting elements
    folded (``formatting_reopened_folded``). Refuses (400 ``too_complex``) a page that
    the child cannot read within its limits, or whose tree is nested ``PARSED_DEPTH`` deep
    or more, or holds more than ``MAX_EVENT_ELEMENTS`` elements."""
    data = content.encode("utf-8", errors="surrogatepass")
    answer = _child_answer(data, seconds_allowed(len(data)))
    if answer[0] == "deep":
        raise _refused(
            f"The HTML page nests its elements {PARSED_DEPTH:,} deep or more, read as a browser reads it: "
            "pages nested so deep are not read."
        )
    if answer[0] == "many":
        raise _refused(
            f"The HTML page has more than {MAX_EVENT_ELEMENTS:,} elements read as a browser reads it, or their "
            "attributes hold more than twice its characters (the formatting it leaves open is opened again, "
            "attributes and all, in each paragraph); such pages are not read."
        )
    tree = built_tree(answer[1])
    formatting_reopened_folded(tree)
    links_reopened_unwrapped(tree)
    return tree


def _refused(message: str) -> ExtractionError:
    return ExtractionError(message, code="too_complex")


def seconds_allowed(size: int) -> float:
    """The processor time the child is given for a page of ``size`` bytes."""
    return SECONDS + SECONDS_PER_MB * size / 2**20


def _child_answer(data: bytes, seconds: float) -> tuple:
    """The child's answer for the page ``data`` (UTF-8) within ``seconds``: ``("deep",)``,
    ``("many",)`` or ``("tree", events)``; refuses when the child ends without one."""
    try:
        child = subprocess.run(
            [sys.executable, str(_CHILD), str(MEMORY_MB), str(seconds)],
            input=data,
            capture_output=True,
            timeout=WALL_CLOCK_FACTOR * seconds,
        )
    except subprocess.TimeoutExpired as error:
        raise _refused(
            f"Reading the HTML page as a browser reads it took more than {WALL_CLOCK_FACTOR * seconds:.1f} seconds."
        ) from error
    try:
        answer = marshal.loads(child.stdout) if child.returncode == 0 else None
    except (EOFError, ValueError, TypeError):
        answer = None
    if not isinstance(answer, tuple) or not answer:
        logger.info("HTML5 reader ended with %s: %s", child.returncode, child.stderr[-2000:])
        raise _refused(
            f"The HTML page could not be read as a browser reads it within {MEMORY_MB:,} MB of memory "
            f"and {seconds:.1f} seconds of processor time."
        )
    return answer


def built_tree(events: list):
    """The lxml tree of ``events`` (``html5_child._events``): ``lxml.html`` elements, as libxml2's
    parse gives. A tag or an attribute name lxml refuses is left out (a tag's text and
    elements stay, in the element holding it), as are characters XML cannot hold."""
    # A parser of its own: lxml's parsers are not to be shared between threads (a server's
    # threads building trees at once with the module's one had a worker killed by SIGSEGV).
    parser = HTMLParser()
    root, holders, opened = None, [], []  # holders: [element, its last child] of each real element open
    for event in events:
        if event is _CLOSE:
            if opened.pop():
                holders.pop()
        elif isinstance(event, str):
            if holders:
                _add_text(holders[-1], event)
        else:
            element = _element(parser, *event)
            opened.append(element is not None)
            if element is None:
                continue
            if root is None:
                root = element
            elif holders:
                holders[-1][0].append(element)
                holders[-1][1] = element
            holders.append([element, None])
    return root


def _element(parser, tag: str, attributes: tuple):
    """An element of ``tag`` with those of ``attributes`` lxml takes; ``None`` when lxml
    refuses the tag's name."""
    try:
        element = parser.makeelement(tag)
    except ValueError:
        return None
    for name, value in attributes:
        try:
            element.set(name, _holdable(value))
        except ValueError:
            pass  # a name XML refuses (``<p "x">``): libxml2's tree has none either
    return element


def _add_text(holder: list, text: str) -> None:
    """Adds ``text`` to the element ``holder`` names: to its text before its first child,
    else to its last child's tail."""
    element, last = holder
    text = _holdable(text)
    if last is None:
        element.text = (element.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def _holdable(text: str) -> str:
    """``text`` without the characters XML cannot hold. The page was rid of them before it
    was parsed (``html.without_characters_xml_cannot_hold``); this answers the few a
    parser makes of what is left."""
    return _NOT_XML.sub("", text)


def formatting_reopened_folded(tree) -> None:
    """Takes out each formatting element (``FORMATTING``) that holds nothing, and puts the
    content of one that holds only an element like it (same tag and attributes, nothing
    else) in its stead. HTML5 opens the formatting elements left open again in each
    paragraph, three alike at most: ``<font face=Arial><p>`` before each paragraph gives
    each its font, in a font, in a font, and an empty one, where libxml2's tree has one.
    Neither changes the text nor how it looks; one walk, each element handled once."""
    for element in reversed(list(tree.iter(*FORMATTING))):
        children = len(element)
        if children == 0 and not element.text:
            _taken_out_keeping_tail(element)
        elif children == 1 and not element.text and not element[0].tail and _like(element, element[0]):
            inner = element[0]
            held = list(inner)
            element.text = inner.text
            element.remove(inner)
            element.extend(held)


def _like(element, inner) -> bool:
    """Whether ``inner`` is ``element``'s like: the same tag and attributes."""
    return inner.tag == element.tag and dict(inner.attrib) == dict(element.attrib)


def _taken_out_keeping_tail(element) -> None:
    """Removes ``element`` from its tree, its tail kept where it stood."""
    holder = element.getparent()
    if holder is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            holder.text = (holder.text or "") + element.tail
    holder.remove(element)


def links_reopened_unwrapped(tree) -> None:
    """Takes out each copy of a link that HTML5 opened again at the start of a paragraph
    (its text and elements kept in its stead). A link left open to the end of a paragraph
    (``<p>See <a href=...>the report<p>...``) is opened again in each paragraph that
    follows (inside the formatting opened again there), wrapping the whole of it: all its
    text became link text, and the article's paragraphs were dropped as a list of links.
    One walk over the paragraphs, in order."""
    open_link = None  # the attributes of a link left open at the end of the last paragraph
    for paragraph in list(tree.iter("p")):
        copy = _link_opening(paragraph, open_link) if open_link is not None else None
        last = _link_ending(paragraph)
        if copy is not None:
            whole = last is copy
            _unwrapped(copy)
            if whole:
                continue  # the link runs on into the next paragraph
        open_link = dict(last.attrib) if last is not None and last is not copy else None


def _link_opening(paragraph, attributes: dict):
    """The link with ``attributes`` that ``paragraph`` opens with (its first element, or
    the first inside the formatting it opens with), nothing before it; or None."""
    if (paragraph.text or "").strip():
        return None
    first = paragraph[0] if len(paragraph) else None
    while first is not None and first.tag != "a" and first.tag in FORMATTING and not (first.text or "").strip():
        first = first[0] if len(first) else None
    return first if first is not None and first.tag == "a" and dict(first.attrib) == attributes else None


def _link_ending(paragraph):
    """The link that ``paragraph`` ends with (its last element, or the last in it), nothing
    after it; or None."""
    last = paragraph[-1] if len(paragraph) else None
    while last is not None and last.tag != "a" and not (last.tail or "").strip():
        last = last[-1] if len(last) else None
    return last if last is not None and last.tag == "a" and not (last.tail or "").strip() else None


def _unwrapped(element) -> None:
    """Puts ``element``'s text and elements in its stead, its tail after them."""
    holder = element.getparent()
    index = holder.index(element)
    previous = element.getprevious()
    if element.text:
        if previous is None:
            holder.text = (holder.text or "") + element.text
        else:
            previous.tail = (previous.tail or "") + element.text
    held = list(element)
    for offset, child in enumerate(held):
        holder.insert(index + offset, child)
    if element.tail:
        if held:
            held[-1].tail = (held[-1].tail or "") + element.tail
        elif previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            holder.text = (holder.text or "") + element.tail
    holder.remove(element)
