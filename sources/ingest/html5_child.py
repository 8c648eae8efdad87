"""The child process of ``html5.tree_as_browsers_read``: parses the page on its standard
input with Lexbor (selectolax) within the memory and processor time of its two arguments,
and writes the tree's elements, text and attributes in document order (``marshal``).

Run as a script, it imports nothing of the project (the package's imports load Django):
the process starts in 0.04 s.
"""

from __future__ import annotations

import marshal
import math
import re
import resource
import signal
import sys

# As deep as libxml2 reads (``html.PARSED_DEPTH``): a page nested deeper is refused there
# too, and a tree this deep is never read (``html.MAX_HTML_DEPTH``).
PARSED_DEPTH = 2048
# The formatting elements HTML5 opens again in each paragraph are mostly empty (opened
# before the paragraph's text, closed by the next paragraph), and are folded away
# (``html5.formatting_reopened_folded``) before the elements are counted against
# ``html.MAX_HTML_ELEMENTS`` (40,000): up to four times as many are sent.
MAX_EVENT_ELEMENTS = 4 * 40_000
# A page whose first ``PROBE_CHARACTERS`` nest past ``PARSED_DEPTH`` is refused before
# the whole of it is parsed: Lexbor's time in the square of the depth would be spent on
# a page refused anyway (10 MB of ``<div>`` would take hours; 3,000 of them, 16 KB, take 20 ms).
PROBE_CHARACTERS = 16 * 1024
# The attributes' characters sent, at most this many times the page's and this many more:
# HTML5 opens a formatting element left open again, attributes and all, in each paragraph,
# and one ``<font face="...">`` of 15 KB before 9,000 paragraphs (a page of 336 KB) had sent
# 136 MB, and the server held 811 MB building its tree.
ATTRIBUTES_PER_PAGE_CHARACTER = 2
ATTRIBUTES_ALLOWED = 1_000_000
# Elements whose content a browser shows nothing of: HTML5 reads it as text, markup and
# all (``<noframes>``, ``<noembed>``: a browser with frames and plugins); left out whole.
_UNSHOWN = frozenset({"noframes", "noembed"})
# ``<noscript>``, whose content a browser that runs scripts reads as text and shows nothing
# of (libxml2's reading leaves it out too): Lexbor parses as one that runs none, and a
# paragraph inside it, closing the paragraph around it, was read as the article's.
_NOSCRIPT = re.compile(r"<noscript\b", re.IGNORECASE)
_NOSCRIPT_END = re.compile(r"</noscript\s*>", re.IGNORECASE)

# Parsed in standards mode, whatever doctype the page gives (a second one is ignored): the
# one difference quirks mode makes to HTML5's tree (a page without a doctype, or an old
# one) is that a ``<table>`` stays inside an open ``<p>``, which trafilatura then reads as
# one line with it. libxml2, and a browser in standards mode, close the paragraph; a
# browser in either mode shows the table on lines of its own.
_STANDARDS = "<!DOCTYPE html>"
_CLOSE = None  # the event that closes the element last opened


def _child() -> None:
    """Parses the page on standard input within the limits of the two arguments (megabytes,
    seconds) and writes the answer: ``("deep",)``, ``("many",)`` or ``("tree", events)``."""
    memory_mb, seconds = int(sys.argv[1]), float(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    # Processor time, not the clock's: a busy machine slows the child without refusing
    # the page. SIGPROF's default ends the process, inside Lexbor's C code too; the
    # limit of whole seconds behind it is the kernel's own.
    signal.setitimer(signal.ITIMER_PROF, seconds)
    whole = math.ceil(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (whole, whole))
    content = sys.stdin.buffer.read().decode("utf-8", errors="surrogatepass")
    sys.stdout.buffer.write(marshal.dumps(parsed_events(content)))


def parsed_events(content: str) -> tuple:
    """``_events`` of ``content`` parsed by Lexbor, a first part alone before the whole
    when the page is longer (``PROBE_CHARACTERS``)."""
    from selectolax.lexbor import LexborHTMLParser

    content = without_noscript(content)
    allowed = ATTRIBUTES_ALLOWED + ATTRIBUTES_PER_PAGE_CHARACTER * len(content)
    if len(content) > PROBE_CHARACTERS and _events(LexborHTMLParser(_STANDARDS + content[:PROBE_CHARACTERS]).root, allowed)[0] == "deep":
        return ("deep",)
    return _events(LexborHTMLParser(_STANDARDS + content).root, allowed)


def without_noscript(content: str) -> str:
    """``content`` without its ``<noscript>`` elements, each up to its end tag (one never
    ended is left: a browser reads the rest of the page as its text). One reading, left to
    right."""
    kept, position = [], 0
    while (start := _NOSCRIPT.search(content, position)) and (end := _NOSCRIPT_END.search(content, start.end())):
        kept.append(content[position : start.start()])
        position = end.end()
    kept.append(content[position:])
    return "".join(kept)


def _events(root, attributes_allowed: int) -> tuple:
    """The elements under and with ``root`` (a Lexbor node) in document order: for each,
    ``(tag, attributes)`` as it opens, its text as strings, ``_CLOSE`` as it closes. No
    comments (libxml2's tree is parsed without them, ``html.trafilatura.utils.HTML_PARSER``),
    nor elements a browser shows nothing of (``_UNSHOWN``).
    ``("deep",)`` for a tree ``PARSED_DEPTH`` deep or more, ``("many",)`` for more than
    ``MAX_EVENT_ELEMENTS`` elements or attributes of more than ``attributes_allowed``
    characters in all. One walk, without recursion."""
    events, depth, elements, node, root_id = [], 0, 0, root, root.mem_id
    attribute_characters = 0
    while node is not None:
        if node.is_element_node and node.tag.lower() in _UNSHOWN:
            pass  # nothing of it sent: its next sibling follows
        elif node.is_element_node:
            elements, depth = elements + 1, depth + 1
            if depth >= PARSED_DEPTH:
                return ("deep",)
            if elements > MAX_EVENT_ELEMENTS:
                return ("many",)
            attributes = tuple((name.lower(), value or "") for name, value in node.attributes.items())
            attribute_characters += sum(len(name) + len(value) for name, value in attributes)
            if attribute_characters > attributes_allowed:
                return ("many",)
            events.append((node.tag.lower(), attributes))
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



if __name__ == "__main__":
    _child()
