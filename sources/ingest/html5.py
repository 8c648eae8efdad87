"""A page as a browser reads it: HTML5's tree construction (Lexbor, through selectolax),
for the pages libxml2 nests too deep to be read.

libxml2's HTML parser is no HTML5 parser. Legacy markup that opens an element before each
paragraph and closes neither (``<font face=Arial><p>`` before every one) is nested by it
one level deeper a paragraph, font, p, font, p, and such a page passes the depth that is
read (``html.MAX_HTML_DEPTH``). A browser closes an open ``<p>`` at the next one, and
opens the formatting elements still open (``<font>``, ``<b>``...) again inside it, three
alike at most: the paragraphs stand side by side. ``html.refuse_element_floods`` asks
for this reading only where libxml2's tree would be refused as nested too deep, and
continues with the tree built here as with libxml2's: every other page is read as before.

Lexbor is parsed in a child process, within ``MEMORY_MB`` of memory and ``SECONDS`` of
processor time: HTML5 opens the formatting elements still open again in each paragraph, and a page
that leaves hundreds of different ones open before thousands of paragraphs makes a tree
of millions of elements from a few hundred kilobytes; and Lexbor looks through all the
elements open at each block, a time in the square of the depth (100,000 nested
``<div>`` took 30 s). The child answers with the tree's elements, text and attributes in
document order (``_events``), and refuses a tree past ``PARSED_DEPTH`` deep or of more
than ``MAX_EVENT_ELEMENTS`` elements there, before sending it.
"""

from __future__ import annotations

import logging
import marshal
import math
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

from .errors import ExtractionError

logger = logging.getLogger(__name__)

# A 2 MB page of 24,000 paragraphs is parsed and walked in 0.4 s, within 150 MB; a page
# that leaves 300 formatting elements open before 30,000 paragraphs would take gigabytes.
# The time allowed grows with the page (``seconds_allowed``): a hostile page costs about a
# second more than libxml2's refusal of it took, an ordinary one is read several times
# within it.
MEMORY_MB = 512
SECONDS = 1.0
SECONDS_PER_MB = 0.5
# As deep as libxml2 reads (``html.PARSED_DEPTH``): a page nested deeper is refused there
# too, and a tree this deep is never read (``html.MAX_HTML_DEPTH``).
PARSED_DEPTH = 2048
# The formatting elements HTML5 opens again in each paragraph are mostly empty (opened
# before the paragraph's text, closed by the next paragraph), and are folded away here
# (``formatting_reopened_folded``) before the elements are counted against
# ``html.MAX_HTML_ELEMENTS``: the child sends up to four times as many.
MAX_EVENT_ELEMENTS = 4 * 40_000
# A page whose first ``PROBE_CHARACTERS`` nest past ``PARSED_DEPTH`` is refused before
# the whole of it is parsed: Lexbor's time in the square of the depth would be spent on
# a page refused anyway (10 MB of ``<div>`` would take hours; 3,000 of them, 16 KB, take 20 ms).
PROBE_CHARACTERS = 16 * 1024

# HTML5's formatting elements: those it opens again in the next paragraph (its "list of
# active formatting elements").
FORMATTING = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"})

_ROOT = Path(__file__).resolve().parents[2]
_CHILD = "from sources.ingest.html5 import _child; _child()"
# Parsed in standards mode, whatever doctype the page gives (a second one is ignored): the
# one difference quirks mode makes to HTML5's tree (a page without a doctype, or an old
# one) is that a ``<table>`` stays inside an open ``<p>``, which trafilatura then reads as
# one line with it. libxml2, and a browser in standards mode, close the paragraph; a
# browser in either mode shows the table on lines of its own.
_STANDARDS = "<!DOCTYPE html>"
_CLOSE = None  # the event that closes the element last opened
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
            f"The HTML page has more than {MAX_EVENT_ELEMENTS:,} elements read as a browser reads it "
            "(the formatting it leaves open is opened again in each paragraph); such pages are not read."
        )
    tree = built_tree(answer[1])
    formatting_reopened_folded(tree)
    return tree


def _refused(message: str) -> ExtractionError:
    return ExtractionError(message, code="too_complex")


def seconds_allowed(size: int) -> float:
    """The time the child is given for a page of ``size`` bytes."""
    return SECONDS + SECONDS_PER_MB * size / 2**20


def _child_answer(data: bytes, seconds: float) -> tuple:
    """The child's answer for the page ``data`` (UTF-8) within ``seconds``: ``("deep",)``,
    ``("many",)`` or ``("tree", events)``; refuses when the child ends without one."""
    try:
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(MEMORY_MB), str(math.ceil(seconds))],
            input=data,
            capture_output=True,
            timeout=seconds,
            cwd=_ROOT,
            env={**os.environ, "PYTHONPATH": str(_ROOT)},
        )
    except subprocess.TimeoutExpired as error:
        raise _refused(f"Reading the HTML page as a browser reads it took more than {seconds:.1f} seconds.") from error
    try:
        answer = marshal.loads(child.stdout) if child.returncode == 0 else None
    except (EOFError, ValueError, TypeError):
        answer = None
    if not isinstance(answer, tuple) or not answer:
        logger.info("HTML5 reader ended with %s: %s", child.returncode, child.stderr[-2000:])
        raise _refused(
            f"The HTML page could not be read as a browser reads it within {MEMORY_MB:,} MB of memory "
            f"and {seconds:.1f} seconds."
        )
    return answer


def _child() -> None:
    """The child process of ``_child_answer``: parses the page on its standard input within
    the limits of its two arguments and writes its answer (``marshal``)."""
    memory_mb, seconds = int(sys.argv[1]), int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    content = sys.stdin.buffer.read().decode("utf-8", errors="surrogatepass")
    sys.stdout.buffer.write(marshal.dumps(parsed_events(content)))


def parsed_events(content: str) -> tuple:
    """``_events`` of ``content`` parsed by Lexbor, a first part alone before the whole
    when the page is longer (``PROBE_CHARACTERS``)."""
    from selectolax.lexbor import LexborHTMLParser

    if len(content) > PROBE_CHARACTERS and _events(LexborHTMLParser(_STANDARDS + content[:PROBE_CHARACTERS]).root)[0] == "deep":
        return ("deep",)
    return _events(LexborHTMLParser(_STANDARDS + content).root)


def _events(root) -> tuple:
    """The elements under and with ``root`` (a Lexbor node) in document order: for each,
    ``(tag, attributes)`` as it opens, its text as strings, ``_CLOSE`` as it closes. No
    comments (libxml2's tree is parsed without them, ``html.trafilatura.utils.HTML_PARSER``).
    ``("deep",)`` for a tree ``PARSED_DEPTH`` deep or more, ``("many",)`` for more than
    ``MAX_EVENT_ELEMENTS`` elements. One walk, without recursion."""
    events, depth, elements, node, root_id = [], 0, 0, root, root.mem_id
    while node is not None:
        if node.is_element_node:
            elements, depth = elements + 1, depth + 1
            if depth >= PARSED_DEPTH:
                return ("deep",)
            if elements > MAX_EVENT_ELEMENTS:
                return ("many",)
            events.append((node.tag.lower(), tuple((name.lower(), value or "") for name, value in node.attributes.items())))
            child = node.first_child
            if child is not None:
                node = child
                continue
            events.append(_CLOSE)
            depth -= 1
        elif node.is_text_node:
            events.append(node.text_content or "")
        # Up to the nearest element with a next sibling, closing each element left.
        following = node.next if node.mem_id != root_id else None
        while following is None and node.mem_id != root_id:
            node = node.parent
            events.append(_CLOSE)
            depth -= 1
            following = node.next if node.mem_id != root_id else None
        node = following
    return ("tree", events)


def built_tree(events: list):
    """The lxml tree of ``events`` (``_events``): ``lxml.html`` elements, as libxml2's
    parse gives. A tag or an attribute name lxml refuses is left out (a tag's text and
    elements stay, in the element holding it), as are characters XML cannot hold."""
    from lxml.html import html_parser

    root, holders, opened = None, [], []  # holders: [element, its last child] of each real element open
    for event in events:
        if event is _CLOSE:
            if opened.pop():
                holders.pop()
        elif isinstance(event, str):
            if holders:
                _add_text(holders[-1], event)
        else:
            element = _element(html_parser, *event)
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
        elif children == 1 and not element.text and _like(element, element[0]):
            inner = element[0]
            held = list(inner)
            element.text, element.tail, tail = inner.text, element.tail, inner.tail
            element.remove(inner)
            element.extend(held)
            if tail:
                element.tail = tail + (element.tail or "")


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
