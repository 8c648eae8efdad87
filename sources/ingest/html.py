"""HTML: the main content, without navigation, menus, cookie banners, comments or
footers (trafilatura), and the page's metadata."""

from __future__ import annotations

import bisect
import contextlib
import copy
import itertools
import logging
import re
import unicodedata
from collections import Counter
from datetime import date
from functools import lru_cache
from html import unescape
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from htmldate.core import ITEMPROP_ATTRS_MODIFIED, NAME_MODIFIED, PROPERTY_MODIFIED
from htmldate.extractors import LONG_TEXT_PATTERN, regex_parse
from lxml import etree
from lxml.html import HTMLParser, document_fromstring
import trafilatura.main_extractor
import trafilatura.metadata
import trafilatura.utils
import trafilatura.xml
from trafilatura import bare_extraction, extract_metadata
from trafilatura.metadata import META_URL, extract_url
from trafilatura.settings import MIN_DUPLICATE_LENGTH, Document, set_date_params, use_config
from trafilatura.utils import line_processing, load_html
from trafilatura.xml import xmltotxt

from ..dates import latest_day_begun
from .authors import author_tags_as_shown, organisation_authors_kept
from .encoding import Encoding, of_page
from .errors import ExtractionError
from .html5 import tree_as_browsers_read
from .normalise import normalise_extracted
from .visible import collapse_white_space, is_hidden, remove_unseen, shown_as_a_block

logger = logging.getLogger(__name__)

# The size of what is read is bounded by MAX_SOURCE_MB before it gets here; trafilatura's
# own cap (20 MB) would refuse a large page without saying so.
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MAX_FILE_SIZE", str(2**40))


# Trafilatura drops every character Python does not call printable (its
# ``remove_control_characters``), and so the format characters (Unicode's Cf) too: the
# zero-width non-joiner Persian writes inside words (می‌خواهم became میخواهم), the joiner of
# emoji sequences, direction marks, soft hyphens. A reader of the page has them, and the
# text spans are anchored to must hold what the reader has. The characters XML cannot hold
# are taken out before (``without_characters_xml_cannot_hold``); the C0 and C1 controls
# still go, as they did.
# The marks of where nested tables stand (``_HELD``, ``_END``) are kept too: noncharacters
# no page text holds (``without_characters_xml_cannot_hold`` took them out), so only ours.
@lru_cache(maxsize=2**14)
def _printable_space_or_format(char: str) -> str:
    keep = char.isprintable() or char.isspace() or char in _MARKS or unicodedata.category(char) == "Cf"
    return char if keep else ""


trafilatura.utils.return_printables_and_spaces = _printable_space_or_format

_TAG = rb"([A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*)"
_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*(?:\"\s*%s\s*\"|'\s*%s\s*'|%s(?=[\s>]))" % (_TAG, _TAG, _TAG), re.IGNORECASE)


# Real pages, scripts and all, stay well below this; a page this size, of as many elements
# as are read (MAX_HTML_ELEMENTS, below), takes about 6 s to sift (see bench/RESULTS.md).
MAX_HTML_BYTES = 10 * 2**20
# libxml2 checks each attribute of a tag against the others: a tag with a hundred thousand
# attributes takes minutes to parse. No real page has more than a few dozen.
MAX_ATTRIBUTES = 1000
_LONG_TAG = re.compile(rb"<[A-Za-z][^<>]{%d,}>" % (MAX_ATTRIBUTES * 3))
_ATTRIBUTE = re.compile(rb"[\s\"'][^\s\"'=<>/]+\s*=")


# Finding the main content costs time in more than proportion to the elements of a page:
# 20,000 paragraphs take 2 s, 40,000 4.3-4.8 s (5.7 s filling 10 MB), 100,000 24 s
# (bench/RESULTS.md). Real pages have
# a few thousand (the 2 MB news page of bench/ingestion.py, scripts and teasers and all,
# 12,000); a page of a million short paragraphs would hold a server's thread for minutes.
MAX_HTML_ELEMENTS = 40_000


# libxml2 stops reading a page whose elements nest deeper than it allows, and what follows
# that point is lost: 256 levels by default, which legacy markup reaches (an unclosed
# ``<font>``, ``<div>`` or ``<center>`` before each paragraph nests each paragraph one deeper
# than the last: of 400 such paragraphs the last 147 were gone). Its "huge" option allows
# 2,048, read here (the parser trafilatura reads pages with, ``load_html``).
PARSED_DEPTH = 2048
trafilatura.utils.HTML_PARSER = HTMLParser(
    collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
)
# Finding the main content of a page nested deep costs time in proportion to its elements
# times their depth (each element's ancestors are looked at, and each one's text with all
# it holds), and some of it walks the tree a call a level: a page nested deeper than
# ``MAX_HTML_DEPTH``, or whose elements' depths summed pass ``MAX_HTML_NESTING`` (as many
# elements as are read, 64 deep each), is refused. 39,000 paragraphs under 250 divisions
# took 34 s (3 deep, 13 s; 60 deep, 21 s; on a busy machine). Legacy markup's chains of
# like elements are laid side by side first (``_like_chains_side_by_side``).
MAX_HTML_DEPTH = 256
SIDE_BY_SIDE_FROM = 64
MAX_HTML_NESTING = MAX_HTML_ELEMENTS * SIDE_BY_SIDE_FROM


def _count_and_depth(tree) -> tuple[int, int, int]:
    """How many elements ``tree`` has, how deep they nest, and their depths summed, in one walk."""
    count = depth = deepest = summed = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end"), tag=etree.Element):
        if event == "start":
            count, depth = count + 1, depth + 1
            deepest, summed = max(deepest, depth), summed + depth
        else:
            depth -= 1
    return count, deepest, summed


def refuse_element_floods(content: str) -> tuple:
    """A page of more than ``MAX_HTML_ELEMENTS`` elements (as parsed: what scripts, styles
    and comments hold is not counted) is refused before its main content is looked for. One
    whose libxml2 tree is nested too deep to be read whole (``refuse_deep_nesting``) is
    parsed again as HTML5 builds it (``_as_browsers_read``), and refused if that tree is
    too deep or too large as well. Returns the parsed page (``None`` if nothing could be
    parsed), and whether it is libxml2's tree with a paragraph three deep in others
    (``_paragraph_in_a_paragraph``): a chain of paragraphs that
    ``_chained_paragraphs_side_by_side`` may read mended or as HTML5 builds it. Any other
    tree of libxml2's is mended where it parts from a browser's (``_mended``). A chained
    page is left as libxml2 built it: so mended and read once, 18 of 202 chained test
    pages lost text against Chromium (``bench/html_chains_against_chromium.py``), which
    libxml2's reading kept."""
    tree = load_html(content)
    count, deepest, _ = (0, 0, 0) if tree is None else _count_and_depth(tree)
    if count > MAX_HTML_ELEMENTS:
        raise _too_many(count)
    if tree is None:
        return None, False
    try:
        refuse_deep_nesting(tree, deepest)
    except ExtractionError:
        return _as_browsers_read(content), False
    if _paragraph_in_a_paragraph(tree):
        return tree, True
    return _mended(tree), False


def _mended(tree):
    """libxml2's ``tree`` mended where it parts from a browser's: a paragraph libxml2 put
    inside another is put after it (``_paragraphs_out_of_paragraphs``, rooted in a body
    first where the root is a paragraph: ``_paragraph_at_the_root``), and an anchor
    without an address is text (``_anchors_as_text``)."""
    tree = _paragraph_at_the_root(tree)
    _paragraphs_out_of_paragraphs(tree)
    _anchors_as_text(tree)
    return tree


# How deep libxml2 nests paragraphs in a chain before it is read again as HTML5 builds it.
CHAINED_DEPTH = 3


def _paragraph_in_a_paragraph(tree) -> bool:
    """Whether libxml2 put a paragraph inside a paragraph inside another, which no browser
    does (HTML5 ends an open paragraph at the next one, whatever is open inside it): legacy
    markup that opens ``<font face=Arial><p>`` before each paragraph, closing neither,
    nests each paragraph in the last. Three deep, not two: one element left open in a page
    of paragraphs not closed (a ``<span>``, an ``<em>``, a link) puts the paragraphs after
    it inside its own, which is mended in libxml2's tree (``_paragraphs_out_of_paragraphs``)
    at no cost a reader would see, where the page's second reading would cost its time
    again (a 0.8 MB page, 2.4 s then 5.5). One walk over the paragraphs, ended at the first
    so nested (XPath's ``//p//p//p`` took 20 s on 9,000 paragraphs so nested)."""
    inside = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end"), tag="p"):
        if event == "start" and inside >= CHAINED_DEPTH - 1:
            return True
        inside += 1 if event == "start" else -1
    return False


# Where an open paragraph's reach ends in HTML5 (its "button scope"): a paragraph inside
# one of these, itself inside a paragraph, stays where it is.
_PARAGRAPH_SCOPE = frozenset({"applet", "body", "button", "caption", "html", "marquee", "noscript", "object", "table", "td", "template", "th"})
# The start tags that end an open paragraph in HTML5 (a table does only in a page with a
# doctype, and is left where libxml2 put it).
_ENDS_A_PARAGRAPH = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl", "dd", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
        "hr", "li", "listing", "main", "menu", "nav", "ol", "p", "plaintext", "pre", "search", "section", "summary",
        "ul", "xmp",
    }
)
# The formatting elements HTML5 opens again in each paragraph after one left open.
_REOPENED = frozenset({"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"})


def _paragraphs_out_of_paragraphs(tree) -> None:
    """Each block libxml2 put inside a paragraph (a paragraph, a division, a list...) is put
    after it, with all that followed it in that paragraph, as HTML5 ends an open paragraph
    at the next block (whatever is open inside it: ``<p>A <span>left open<p>B``): one
    ``<span>``, ``<em>`` or link left open in a paragraph had libxml2 put every paragraph
    after it inside it, and the article was read as one line. What it was written in stays
    where it was, with what came before; the text stays in its order, and a block keeps
    what it holds (a hidden division its paragraphs). Text after the element left open
    is closed ends the last paragraph lifted, as HTML5 reads it on in that paragraph.

    A hidden formatting element left open (``<em style="display:none">``) is left holding
    what follows it: HTML5 opens it again, hidden, in every paragraph after it."""
    for block in _blocks_in_paragraphs(tree):
        outer = next((ancestor for ancestor in block.iterancestors() if ancestor.tag == "p" or ancestor.tag in _PARAGRAPH_SCOPE), None)
        if outer is None or outer.tag != "p" or outer.getparent() is None:
            continue
        place, after = outer, outer.tail
        outer.tail = None
        node = block
        while node is not outer:
            parent = node.getparent()
            if node is block:
                moved = [node, *node.itersiblings()]
            else:
                moved = list(node.itersiblings())
                _read_on_in(place, node.tail)
                node.tail = None
            for element in moved:
                place.addnext(element)
                place = element
            node = parent
        place.tail = (place.tail or "") + (after or "") or None


def _read_on_in(place, text: str | None) -> None:
    """``text`` after ``place``: at the end of it when it is a paragraph HTML5 holds open
    (it is read on in: nothing follows it before the text), else after it."""
    if not text:
        return
    if place.tag != "p" or place.tail:
        place.tail = (place.tail or "") + text
    elif len(place):
        place[-1].tail = (place[-1].tail or "") + text
    else:
        place.text = (place.text or "") + text


def _blocks_in_paragraphs(tree) -> list:
    """The blocks libxml2 put inside a paragraph within its reach, in document order, in one
    walk (looking up each paragraph's ancestors took 2.2 s for 39,000 paragraphs in 60
    divisions); what a block holds is its own (a paragraph in a hidden division is not
    lifted out of it), and so is what a hidden formatting element holds."""
    found, reach = [], [False]
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        if event == "end":
            reach.pop()
            continue
        tag = element.tag if isinstance(element.tag, str) else ""
        if reach[-1] and tag in _ENDS_A_PARAGRAPH:
            found.append(element)
            reach.append(tag == "p")
        elif tag in _REOPENED and is_hidden(element):
            reach.append(False)
        else:
            reach.append(tag == "p" or (reach[-1] and tag not in _PARAGRAPH_SCOPE))
    return found


def _paragraph_at_the_root(tree):
    """``tree`` with its root in a body, when the root is a paragraph holding blocks to put
    after it: libxml2 gives a page that begins with a paragraph (no ``<html>``, no doctype:
    a fragment, a notice printed before the document) its first paragraph as the root, and
    nothing can be put after a root."""
    if tree.tag != "p" or not _blocks_in_paragraphs(tree):
        return tree
    # A document of its own, of which the page is the root (XPath's ``//`` finds nothing
    # in an element made with no document).
    page = document_fromstring("<html><head></head><body></body></html>")
    page[1].append(tree)
    return page


def _misread_by_libxml2(tree) -> bool:
    """Whether libxml2 stopped at its depth (``PARSED_DEPTH``), reading no further."""
    return _count_and_depth(tree)[1] >= PARSED_DEPTH


def _as_browsers_read(content: str):
    """The tree of ``content`` as HTML5 builds it (``html5.tree_as_browsers_read``), for a
    page whose libxml2 tree is nested too deep: legacy markup that opens ``<font
    face=Arial><p>`` before each paragraph and closes neither nests each paragraph deeper
    in libxml2's, and lays them side by side in HTML5's. Refused as libxml2's would be when
    it is itself too large or too deep."""
    tree = tree_as_browsers_read(content)
    count, deepest, _ = _count_and_depth(tree)
    if count > MAX_HTML_ELEMENTS:
        raise _too_many(count)
    refuse_deep_nesting(tree, deepest)
    _divisions_of_text_as_paragraphs(tree)
    return tree


def _divisions_of_text_as_paragraphs(tree) -> None:
    """Each division holding text and no block (``_stands_as_a_block``), among
    paragraphs, made a paragraph. HTML5 ends a paragraph at a block written inside it
    (``<p>P<span><div>Q</div></span></p>`` is P, then Q, a line each, as a browser shows
    them), and trafilatura drops a division of text between paragraphs: Q was lost. The
    descendants looked at are bounded by the depths summed (``MAX_HTML_NESTING``)."""
    holders = {paragraph.getparent() for paragraph in tree.iter("p")}
    for division in list(tree.iter("div")):
        if division.getparent() not in holders or any(child.tag in _BLOCKS for child in division):
            continue
        if any(_stands_as_a_block(child) for child in division) or not "".join(division.itertext()).strip():
            continue
        division.tag = "p"


def _too_many(count: int) -> ExtractionError:
    return ExtractionError(
        f"The HTML page has {count:,} elements; pages of more than {MAX_HTML_ELEMENTS:,} are not "
        "read (finding the main content of a page costs time in more than proportion to them).",
        code="too_complex",
    )


def refuse_deep_nesting(tree, deepest: int) -> None:
    """Refuses ``tree``, nested ``deepest`` deep, when its parse stopped at the parser's
    depth (``PARSED_DEPTH``: what follows was not read), or when, chains of like elements
    laid side by side, it is nested deeper than ``MAX_HTML_DEPTH`` or its elements' depths
    summed pass ``MAX_HTML_NESTING``."""
    if deepest >= PARSED_DEPTH:
        raise _too_deep(
            f"{PARSED_DEPTH:,} deep or more: the parser reads no deeper, and the text past that point, "
            "with all that follows it, would be lost"
        )
    if deepest <= SIDE_BY_SIDE_FROM:
        return  # nor can the depths summed pass the bound: at most as many elements as are read
    _like_chains_side_by_side(tree)
    count, deepest, summed = _count_and_depth(tree)
    if deepest > MAX_HTML_DEPTH:
        raise _too_deep(f"more than {MAX_HTML_DEPTH} deep")
    if summed > MAX_HTML_NESTING:
        raise _too_deep(f"{summed / count:.0f} deep on average, {count:,} of them")


def _too_deep(how: str) -> ExtractionError:
    return ExtractionError(
        f"The HTML page nests its elements {how}: finding the main content of a page costs time in "
        "proportion to its elements times their depth, and pages nested so deep are not read.",
        code="too_complex",
    )


def _like_chains_side_by_side(tree) -> None:
    """Below ``SIDE_BY_SIDE_FROM`` levels, each element that is the last thing in one like it
    (``_last_in_its_like``) is put after it instead, and what followed that one
    after itself: the text stays in its order, each block stays a block, and the element,
    and what it holds, stays inside what that one stood in, whose like it was. Legacy
    markup opens an element before each paragraph and never closes it (``<font
    face=Arial>``, ``<div>``, ``<center>``, ``<blockquote>``): each paragraph stands one
    deeper than the last, as a browser nests them too, and shows them all."""
    depth, chained = 0, []
    for event, element in etree.iterwalk(tree, events=("start", "end"), tag=etree.Element):
        depth += 1 if event == "start" else -1
        if event == "start" and depth > SIDE_BY_SIDE_FROM and _last_in_its_like(element):
            chained.append(element)
    for element in chained:  # in document order: each put beside the one it was in, already laid
        if _last_in_its_like(element):
            holder = element.getparent()
            after = holder.tail
            holder.tail = None
            holder.addnext(element)  # its tail, white space, with it
            element.tail = (element.tail or "") + (after or "")


# Phrasing elements that change how text looks, not what it says: without attributes, any
# two are alike (legacy markup's unclosed ``<b><i>``).
_FORMATTING = frozenset({"b", "i", "u", "s", "em", "strong", "small", "big", "tt", "font", "span"})


def _last_in_its_like(element) -> bool:
    """Whether ``element`` is the last thing in an element like it, nothing but white space
    after it: the same tag and attributes, or both formatting without attributes."""
    holder = element.getparent()
    if holder is None or holder[-1] is not element or (element.tail or "").strip():
        return False
    if element.tag in _FORMATTING and holder.tag in _FORMATTING and not element.attrib and not holder.attrib:
        return True
    return element.tag == holder.tag and dict(element.attrib) == dict(holder.attrib)


def _cells_as_copied(tree) -> None:
    """A table's cells as a browser copies them: each once, in its own row, and a row only
    as long as its cells (``Wide head\tC``, then ``b2\tc2`` under a cell spanning two
    rows). Trafilatura lays a table out on a grid: a cell spanning columns or rows is
    followed by empty cells for each column and row it spans, and a short row is padded
    to the longest, tabs the page does not show. It sizes the grid by the cells' spans,
    so every span is made 0 (which trafilatura reads as a cell of no width) before it reads
    the page: then no cell is added."""
    for cell in tree.iter("td", "th"):
        cell.set("colspan", "0")
        cell.attrib.pop("rowspan", None)


def _breaks_in_cells_marked(tree) -> None:
    """Each line break (``<br>``) in a table's cell made a ``_BREAK`` mark in its text.
    Trafilatura makes a break followed by text a paragraph of that text, which ends the
    cell's line (``<td>one<br>two</td><td>x</td>`` was "one", "two", "x" on three lines,
    where Chromium 156 copies "two" and "x" on one line, a tab between), and drops a break
    with nothing after it, which ends the line in a browser (``<td>one<br></td><td>x</td>``
    was "one", a tab, "x", where Chromium copies "x" on a line of its own).
    ``_cell_text`` reads the marks as the browser does."""
    for line_break in [element for element in tree.iter("br") if next(element.iterancestors("td", "th"), None) is not None]:
        _write_where_it_stands(line_break, f"{_BREAK}{line_break.tail or ''}")
        line_break.getparent().remove(line_break)


# A table inside a cell is copied where it stands: the text of the cell before it ends its
# row's line, its rows follow, a line each, and what follows it (the rest of its cell, then
# the row's other cells) begins a new line, with no tab before it (Chromium 156's copy of
# a selection; ``innerText`` breaks the lines alike). Trafilatura takes a nested table out of its cell and writes it after
# the outer table. So each nested table is numbered (``_NUMBER``, an attribute) before
# trafilatura reads the page, and when trafilatura lays out a table
# (``_handle_table_keeping_places``) the tail of each table in its cells, which it moves
# into the cell, begins with ``_HELD`` + number + ``_END``, and the table it writes keeps
# its number. Noncharacters, which no page text holds (``without_characters_xml_cannot_hold``);
# put in only then, they are in none of the text trafilatura weighs before (link density)
# nor in what its fallback extractors read.
_NUMBER = "data-claimbase-nested"
_HELD, _END = "\ufdd0", "\ufdd2"
# Where a line break (``<br>``) stands in a table's cell (``_breaks_in_cells_marked``).
_BREAK = "\ufdd4"
# Which time the page repeats a paragraph, in binary (``_repeats_marked``).
_REPEAT_DIGITS = str.maketrans("01", "\ufdd6\ufdd7")
_MARKS = frozenset((_HELD, _END, _BREAK, "\ufdd6", "\ufdd7"))
_WITHOUT_REPEAT_MARKS = str.maketrans("", "", "\ufdd6\ufdd7")
_HELD_MARK = re.compile(f"{_HELD}([^{_END}]*){_END}")
# A break mark and the spaces beside it (trafilatura's between an item's blocks): a line break.
_SPACED_BREAK = re.compile(f" *{_BREAK} *")
# A mark left where trafilatura put no table (a cell read as paragraphs): it goes, and a
# space beside it with it when another is there.
_STRAY_MARK = re.compile(f"(?:(?<=[ \n])|^){_HELD}[^{_END}]*{_END} *|{_HELD}[^{_END}]*{_END}", re.MULTILINE)


def _nested_tables(tree) -> list:
    """The tables of ``tree`` inside another table, in one walk."""
    nested, depth = [], 0
    for event, table in etree.iterwalk(tree, events=("start", "end"), tag="table"):
        if event == "start" and depth:
            nested.append(table)
        depth += 1 if event == "start" else -1
    return nested


def _mark_nested_tables(tree) -> None:
    """Numbers each nested table of ``tree`` (see above)."""
    for number, table in enumerate(_nested_tables(tree)):
        table.set(_NUMBER, str(number))


def _tables_in(element):
    """The tables inside ``element`` that no other table inside it holds."""
    for child in element:
        if child.tag == "table":
            yield child
        elif isinstance(child.tag, str):
            yield from _tables_in(child)


_handle_table = trafilatura.main_extractor.handle_table


def _handle_table_keeping_places(table, potential_tags, options):
    """Trafilatura's ``handle_table``, the place of each numbered table in its cells marked
    and its own number kept (see above)."""
    for nested in _tables_in(table):
        if nested.get(_NUMBER) is not None:
            nested.tail = f"{_HELD}{nested.get(_NUMBER)}{_END}{nested.tail or ''}"
    # A list in a cell is kept, its items lines of the cell, as a browser shows and copies
    # them: trafilatura keeps one only in its "recall" focus, which changes nothing else of
    # how a table is read. Lists dense with links (menus) were taken out before, by link density.
    recall = copy.copy(options)
    recall.focus = "recall"
    written = _handle_table(table, potential_tags, recall)
    if written is not None and table.get(_NUMBER) is not None:
        written.set(_NUMBER, table.get(_NUMBER))
    return written


trafilatura.main_extractor.handle_table = _handle_table_keeping_places


# When lxml strips a tag (``strip_tags``), the text before, in and after it stays as
# separate text nodes side by side: stripping the 8,000 links of one paragraph left a run of
# 16,000. Trafilatura strips links and ``<span>`` (``prune_unwanted_sections``), then looks
# for the main content with ``xpath("//p//text()")``, whose cost grows with the square of
# such a run: one paragraph of 8,000 links took 16 s, of 39,000 minutes. Each element's text
# and tail are joined into one node again before it looks.
_prune_unwanted_sections = trafilatura.main_extractor.prune_unwanted_sections


def _text_runs_joined(tree) -> None:
    """Each run of text nodes in ``tree`` made one node: lxml reads a run as one text
    (``.text``, ``.tail``) and writes it back as one."""
    for element in tree.iter(etree.Element):
        if element.text is not None:
            element.text = element.text
        if element.tail is not None and element is not tree:
            element.tail = element.tail


def _prune_unwanted_sections_joining_text(tree, potential_tags, options, keep_teasers=False):
    """Trafilatura's ``prune_unwanted_sections``, the text runs its stripping left joined."""
    pruned = _prune_unwanted_sections(tree, potential_tags, options, keep_teasers)
    _text_runs_joined(pruned)
    return pruned


trafilatura.main_extractor.prune_unwanted_sections = _prune_unwanted_sections_joining_text


# Trafilatura's ``handle_paragraphs`` joins the text of each paragraph inside a paragraph
# to the outer one's as it meets it, through lxml (each join reads the whole text out of
# the tree and writes it back): a paragraph holding 15,000 others (libxml2's tree of three
# chained paragraphs, then 15,000 closed ones, 2.67 MB) took 29 s. The same function, the
# texts gathered and joined once, at the end: 0.96 s, the same text (the page read whole,
# mended too, 2.35 s).
_main_extractor = trafilatura.main_extractor


def _handle_paragraphs_joined_once(element, potential_tags, options):
    """Trafilatura's ``handle_paragraphs`` (2.3.1), the text of the paragraphs inside
    ``element`` joined once (see above); nothing else changed."""
    if len(element) == 0:
        return _main_extractor.process_node(element, options)
    processed_element = etree.Element(element.tag)
    etree.strip_tags(element, *{str(c.tag) for c in element.iterdescendants("*") if c.tag not in {*potential_tags, "done"}})
    inner_texts, joined = [], False  # the paragraphs' texts, and whether any was met
    for child in element.iter("*"):
        processed_child = _main_extractor.handle_textnode(child, options, comments_fix=False, preserve_spaces=True)
        if processed_child is not None:
            if processed_child.tag == "p":
                _main_extractor._log_event("extra in p", "p", processed_child.text)
                joined = True
                if processed_child.text:
                    inner_texts.append(processed_child.text)
                child.tag = "done"
                continue
            newsub = etree.Element(child.tag)
            if processed_child.tag in _main_extractor.INLINE_CONSUMING:
                if _main_extractor._wraps_inline(processed_child):
                    _main_extractor.define_newelem(processed_child, processed_element, keep_children=True)
                    child.tag = "done"
                    continue
                for item in processed_child:
                    if item.tag == "lb" and item.tail:
                        item.tail = " " + item.tail.lstrip()
                    elif _main_extractor.text_chars_test(item.text):
                        item.text = f" {item.text}"
                etree.strip_tags(processed_child, *{str(item.tag) for item in processed_child})
                _main_extractor._copy_attrs(child, newsub)
            newsub.text, newsub.tail = processed_child.text, processed_child.tail
            if processed_child.tag == "graphic":
                image_elem = _main_extractor.handle_image(processed_child, options)
                if image_elem is not None:
                    newsub = image_elem
            processed_element.append(newsub)
        child.tag = "done"
    if joined:
        processed_element.text = " ".join(inner_texts)
    if len(processed_element) > 0:
        last_elem = processed_element[-1]
        if last_elem.tag == "lb" and last_elem.tail is None:
            _main_extractor.delete_element(last_elem)
        return processed_element
    if _main_extractor.text_chars_test(processed_element.text):
        return processed_element
    _main_extractor._log_event("discarding element:", "p", etree.tostring(processed_element))
    return None


trafilatura.main_extractor.handle_paragraphs = _handle_paragraphs_joined_once


_list_marker = trafilatura.xml._list_marker


def _list_marker_as_copied(item, include_formatting: bool = True) -> str:
    """No marker before a list item in plain text: Chromium 156 copies a list's items a
    line each, without their bullets, and without an ordered list's numbers (a selection's
    text and what Ctrl+C puts on the clipboard alike). Trafilatura writes ``- `` before
    each (indented under another item), characters the page does not show: a quote
    copied across two items was not found."""
    return _list_marker(item, include_formatting) if include_formatting else ""


trafilatura.xml._list_marker = _list_marker_as_copied


# A page whose article stands in no frame trafilatura knows (its paragraphs in ``<body>``, a
# bare ``<div>``, a ``<center>``, a ``<div id=page>``) is read by its "wild" recovery, which
# takes paragraphs, quotations, code and tables alone: the article's headings and lists
# were lost, every one ("Second section heading", a list of the facts it goes on to quote),
# where the same article in an ``<article>`` or a ``<main>`` keeps them, a line each. The
# same recovery, which takes too the headings and lists that stand beside a paragraph (of
# the same parent), in their place: a sidebar's list or a menu beside no paragraph is not
# taken, nor a list each of whose items is a link alone (related articles, tags, pages to
# share to), nor a heading over such a list ("Share this:") or over nothing taken. A list whose
# items hold blocks is left as before, its paragraphs recovered each as one (trafilatura
# reads such a list's items a line each, the paragraphs in one run together: libxml2 puts
# the rest of a page in an item left open), and so is one of lists nested three deep or
# more (trafilatura's cost of reading a list grows with the square of its depth: 80 lists
# 120 deep beside paragraphs took 4.1 s against 1.7 s). The rest of the function is
# trafilatura's own (2.3.1), unchanged.
_RECOVERED_BESIDE_PARAGRAPHS = "|.//head[../p]|.//list[../p][not(.//p|.//div|.//table|.//head|.//quote|.//code|.//list//list//list)]"


def _recover_wild_text_with_headings_and_lists(tree, result_body, options, potential_tags=None, consumed=None):
    module = _main_extractor
    potential_tags = set(module.TAG_CATALOG if potential_tags is None else potential_tags)
    search_expr = ".//code|.//p|.//quote|.//table|.//div[contains(@class, 'w3-code')]" + _RECOVERED_BESIDE_PARAGRAPHS
    if options.focus == "recall":
        potential_tags.update(["div", "lb"])
        search_expr += "|.//div|.//lb|.//list"
    # What stands right after each heading, before the pruning takes a list of links away.
    after_heading = {heading: _next_element(heading) for heading in tree.iter("head")}
    search_tree = module.prune_unwanted_sections(tree, potential_tags, options, keep_teasers=options.fast)
    subelems = search_tree.xpath(search_expr)
    elem_texts = [module._elem_text(el) for el in result_body]
    existing = "\n".join(filter(None, elem_texts))
    existing_elems = set(elem_texts)
    handled: set = set()
    headings: list = []
    for subelem in subelems:
        if (consumed and subelem in consumed) or any(a in handled for a in subelem.iterancestors()):
            continue
        if subelem.tag == "list" and _links_alone(subelem):
            continue
        processed = module.handle_textelem(subelem, potential_tags, options)
        if processed is None:
            continue
        if processed is subelem:
            handled.add(subelem)
        text = module._elem_text(processed)
        images = {img.get("src") for img in processed.iter("graphic")}
        if not text and images and images <= {g.get("src") for g in result_body.iter("graphic")}:
            continue
        under_cap = len(existing) <= module.DEDUPE_SCAN_CAP
        fragment = module.trim(text + (processed.tail or "")) if module.text_chars_test(processed.tail) else ""
        if text and (
            text in existing_elems
            or (under_cap and ((len(text) > MIN_DUPLICATE_LENGTH and text in existing) or (fragment and fragment in existing)))
        ):
            continue
        result_body.append(processed)
        if under_cap:
            existing += "\n" + (fragment or text)
        existing_elems.add(text)
        if subelem.tag == "head":
            headings.append((subelem, processed))
    # A heading over a list of links alone is that list's ("Share this:", "Tags", "Related
    # articles"), and one that nothing taken follows is over nothing of the article: neither
    # is taken; the last first, so that a heading over such a heading goes too. A title
    # (``<h1>``) is the article's over a menu too.
    for heading, processed in reversed(headings):
        following = after_heading.get(heading)
        over_links = following is not None and following.tag == "list" and _links_alone(following) and heading.get("rend") != "h1"
        if result_body[-1] is processed or over_links:
            result_body.remove(processed)
    return result_body


def _next_element(element):
    """The element after ``element`` among its siblings (not a comment), or None."""
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    return following


# Marks a list each of whose items is a link alone (``_lists_of_links_marked``), which the
# wild recovery does not take: trafilatura's tree has its links' words, not its links.
LINKS_ALONE = "data-claimbase-links-alone"


def _links_alone(listing) -> bool:
    """Whether a list (trafilatura's ``list``) was marked as one of links alone."""
    return listing.get(LINKS_ALONE) is not None


def _lists_of_links_marked(tree) -> None:
    """Marks (``LINKS_ALONE``) each list of ``tree`` each of whose items holds nothing but
    a link's words (punctuation between aside): a list of related articles, of tags, of
    pages to share to, which trafilatura's pruning lets through when its links' words are
    long enough ("How the northern mill outlasted the great flood")."""
    for listing in tree.iter("ul", "ol"):
        items = [item for item in listing if item.tag == "li"]
        if items and all(_a_link_alone(item) for item in items):
            listing.set(LINKS_ALONE, "")


# What may stand between links in a list of links alone ("Home | News", "a, b").
_BETWEEN_LINKS = frozenset(" \t\n\r\xa0|·•,;:-–—/")


def _a_link_alone(item) -> bool:
    """Whether a list's item holds a link's words and nothing else (``_BETWEEN_LINKS``
    aside); an item holding a list of its own does not."""
    if item.find(".//ul") is not None or item.find(".//ol") is not None:
        return False
    linked = "".join("".join(link.itertext()) for link in item.iter("a") if link.get("href") is not None)
    outside = Counter("".join(item.itertext())) - Counter(linked)
    return bool(linked.strip()) and all(character in _BETWEEN_LINKS for character in outside)


trafilatura.main_extractor.recover_wild_text = _recover_wild_text_with_headings_and_lists


# A byline ("By Jane Roe, 5 March 2024"): trafilatura discards every element whose class
# names a byline, an author or metadata (its ``OVERALL_DISCARD_XPATH``; no option keeps
# them). A byline is kept, its classes and those inside it taken off before trafilatura
# reads the page, when nothing else can be in it: a line (at most ``BYLINE_CHARACTERS``)
# that begins "By" (or its word in a few languages), of text, links and inline phrases
# only. An author's box (a portrait, a biography, a follow button) is no such line.
BYLINE_CHARACTERS = 120
_BYLINE_CLASS = re.compile(r"byline", re.IGNORECASE)
_BYLINE_START = re.compile(r"(?:by|von|par|por|di|door|av|af)\s", re.IGNORECASE)
# (``font``: HTML5 opens a ``<font>`` left open again inside each paragraph, the byline's too.)
_INLINE = frozenset({"a", "span", "time", "b", "strong", "i", "em", "abbr", "small", "font"})


def _bylines_kept(tree) -> None:
    """Takes the classes off each byline of ``tree`` (see above) and off what it holds;
    its dates (``<time>``) become phrases, and a division a paragraph, which trafilatura
    keeps."""
    for element in list(tree.iter("p", "div", "span")):
        if not _BYLINE_CLASS.search(element.get("class") or ""):
            continue
        text = " ".join("".join(element.itertext()).split())
        inside = list(element.iter(etree.Element))[1:]
        if len(text) <= BYLINE_CHARACTERS and _BYLINE_START.match(text) and all(child.tag in _INLINE for child in inside):
            if element.tag == "div":  # trafilatura drops a short division between paragraphs
                element.tag = "p"
            for held in (element, *inside):
                held.attrib.pop("class", None)
                held.attrib.pop("id", None)
                if held.tag == "time":  # trafilatura removes a <time>, its text with it
                    held.tag = "span"


def _alt_text(image) -> str:
    """The text Chromium copies for ``image`` (Ctrl+C): its alt text; none for a decorative
    image (``alt=""``, or only spaces) or one the page does not display."""
    alt = image.get("alt") or ""
    if not alt.strip() or is_hidden(image):
        return ""
    return alt


# Elements that hold blocks: trafilatura reads a page's paragraphs, and the text standing
# between them in such an element it may drop.
_CONTAINERS = frozenset({"div", "section", "article", "main", "body", "header", "footer", "aside", "figure", "center"})


def _stands_alone(element) -> bool:
    """Whether ``element`` is a line of its own: in an element that holds blocks, with no
    text before or after it."""
    parent, previous = element.getparent(), element.getprevious()
    before = parent.text if previous is None else previous.tail
    return parent.tag in _CONTAINERS and not (before or "").strip() and not (element.tail or "").strip()


def _alt_texts_kept(tree) -> None:
    """Each image with alt text replaced by that text, where the image stands: in its line
    ("Before the image a map of the route after"), or a paragraph of its own where the
    image stands alone between blocks (``_stands_alone``). Chromium's copy of a selection
    writes it so, and trafilatura, asked for no images, drops them with their alt text: a
    quote copied across an image was not found. An image in a ``<picture>`` stands for it
    (trafilatura drops a picture whole)."""
    for image in list(tree.iter("img")):
        # The parser, knowing no <source>, may have put the image inside one.
        alt, placed = _alt_text(image), next(image.iterancestors("picture"), image)
        if not alt or placed.getparent() is None:
            continue
        if _stands_alone(placed):
            paragraph = placed.makeelement("p", {})
            paragraph.text, paragraph.tail = alt, placed.tail
            placed.getparent().replace(placed, paragraph)
        else:
            placed.tail = alt + (placed.tail or "")
            placed.drop_tree()


# Elements a browser lays out as blocks: text standing beside one in a container is a line
# of its own (CSS's anonymous block box).
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "search", "section", "summary", "table", "ul",
    }
)


# White space a browser collapses (not U+00A0, which it shows as a space of its own), and
# a style that keeps it.
_COLLAPSED_SPACE = re.compile(r"[ \t\n\r\f]+")
_KEEPS_WHITE_SPACE = re.compile(r"white-space\s*:\s*(?:pre|break-spaces)", re.IGNORECASE)


def _anchors_as_text(tree) -> None:
    """Each ``<a>`` without an address (``<a name=s2>``, ``<a id=top>``: a place to go to,
    which a browser shows as text, not as a link) made a span. trafilatura took it for a
    link, and a paragraph in one (an anchor left open at a paragraph's start: ``<p><a
    name=s2>On one hand...``) for a line of links, and dropped it."""
    for anchor in tree.iter("a"):
        if anchor.get("href") is None:
            anchor.tag = "span"


# Phrases trafilatura removes with their text (its ``MANUALLY_CLEANED``), which a browser
# shows in the line they stand in.
_REMOVED_PHRASES = ("time", "label", "output", "blink")


def _phrases_as_text(tree) -> None:
    """Each ``<time>``, ``<label>``, ``<output>`` or ``<blink>`` that stands in a line of
    text (words before or after it) made a span: trafilatura removed it, its words with
    it, and "The council met on <time>7 December 2026</time> and voted." read "The council
    met on and voted.", a quote of the page no longer in the text. One standing alone (a
    date line of a page's furniture) is left to trafilatura."""
    for phrase in list(tree.iter(*_REMOVED_PHRASES)):
        parent, previous = phrase.getparent(), phrase.getprevious()
        if parent is None:
            continue
        before = parent.text if previous is None else previous.tail
        if (before or "").strip() or (phrase.tail or "").strip():
            phrase.tag = "span"


def _inline_code_as_text(tree) -> None:
    """Code outside preformatted text (``<code>`` in a line, not in a ``<pre>``, nor styled
    to keep its white space) with its white space collapsed as a browser collapses it:
    Chromium copies "x a b y" of ``x <code>a   b</code> y``, and trafilatura keeps every
    ``<code>`` as written, so that quote was not found. The element stays code, which
    trafilatura reads at once (as a span it took minutes for a page of thousands)."""
    kept = ("pre", "xmp", "listing", "plaintext", "textarea")
    for code in list(tree.iter("code")):
        if next(code.iterancestors(*kept), None) is not None or any(
            _KEEPS_WHITE_SPACE.search(element.get("style") or "") for element in (code, *code.iterancestors())
        ):
            continue
        for element in code.iter(etree.Element):
            if element.text:
                element.text = _COLLAPSED_SPACE.sub(" ", element.text)
            if element is not code and element.tail:
                element.tail = _COLLAPSED_SPACE.sub(" ", element.tail)
        # One space where the code meets the text around it with a space on each side.
        previous = code.getprevious()
        before = (code.getparent().text if previous is None else previous.tail) or ""
        if before.endswith((" ", "\t", "\n")) and (code.text or "").startswith(" "):
            code.text = code.text[1:]
        written = "".join(code.itertext())
        if written.endswith(" ") and (code.tail or "")[:1] in (" ", "\t", "\n", "\r"):
            code.tail = code.tail.lstrip(" \t\n\r\f")


def _quotations_in_their_line(tree) -> None:
    """An inline quotation (``<q>``) read as the text of its line, as a browser shows and
    copies it (its quotation marks are the style's, not the text's): trafilatura takes it
    for a block quotation, and "The minister said <q>we will never agree</q> and signed"
    was stored on two lines, the sentence a reader copies never found. One its own style
    shows as a block (``display: block``) stays a line of its own, as it is shown."""
    for quotation in tree.iter("q"):
        if shown_as_a_block(quotation):
            # On a line of its own: its text between line breaks, as copied.
            before, after = etree.Element("br"), etree.Element("br")
            after.tail, quotation.tail = quotation.tail, None
            quotation.addprevious(before)
            quotation.addnext(after)
        quotation.tag = "span"


def _formulas_and_drawings_as_text(tree) -> None:
    """A formula (``<math>``) as the text it shows, without its annotations (the TeX it
    was written in), and a drawing (``<svg>``) as its ``<text>`` labels, without its title
    and description; one that shows no text goes. Trafilatura, given a ``<math>``, laid
    the whole page out on one line; and it dropped a drawing's labels, which a reader sees
    and copies."""
    for element in list(tree.iter("math", "svg")):
        if element.getparent() is None or next(element.iterancestors("math", "svg"), None) is not None:
            continue
        if element.tag == "math":
            shown = copy.deepcopy(element)
            for annotation in list(shown.iter("annotation", "annotation-xml")):
                annotation.getparent().remove(annotation)  # its tail with it: white space
            text = "".join(shown.itertext())
        else:
            text = " ".join("".join(label.itertext()) for label in element.iter("text"))
        text = " ".join(text.split())
        if text:
            span = element.makeelement("span", {})
            span.text, span.tail = text, element.tail
            element.getparent().replace(element, span)
        else:
            element.drop_tree()


# Blocks in a list's item that trafilatura lays out itself: a list in it begins its own lines.
_LAID_OUT_IN_ITEMS = frozenset({"ul", "ol", "dl", "menu", "table"})


def _text_in(element) -> bool:
    return bool("".join(element.itertext()).strip()) if isinstance(element.tag, str) else False


def _blocks_in_items_marked(tree) -> None:
    """Each block in a list's item (a paragraph, a division, preformatted text) begins a line
    and ends one, as Chromium copies it, with ``_BREAK`` marks where those lines break:
    trafilatura runs an item's blocks into one line, glued ("Item onex=1after in item",
    "Step twoa div in it") or a space apart, and a quote across them was not found."""
    for item in list(tree.iter("li", "dd")):
        children = [child for child in item if isinstance(child.tag, str)]
        says = [_text_in(child) for child in children]
        said_later = [False] * len(children)  # whether a child after the index says something
        for index in range(len(children) - 2, -1, -1):
            said_later[index] = said_later[index + 1] or says[index + 1]
        breaks = []  # (the block, a break before it, a break after it), decided first
        for index, child in enumerate(children):
            if child.tag not in _BLOCKS or child.tag in _LAID_OUT_IN_ITEMS or not says[index]:
                continue
            previous = children[index - 1] if index else None
            # Text runs into it: the item's own, or a line's (not a block's, whose end breaks).
            before = (item.text or "") if previous is None else (previous.tail or "")
            run_into = bool(before.strip()) or (previous is not None and previous.tag not in _BLOCKS and says[index - 1])
            goes_on = bool((child.tail or "").strip()) or said_later[index]
            breaks.append((child, run_into, goes_on))
        for child, run_into, goes_on in breaks:
            if run_into:
                _write_where_it_stands(child, _BREAK)
            if goes_on:
                child.tail = _BREAK + (child.tail or "")


def _says_something(run: list) -> bool:
    """Whether a run of a container's inline content (its text or a block's tail, then the
    inline elements after it, each with its tail) holds any text."""
    text, *elements = run
    return bool((text or "").strip()) or any(
        "".join(element.itertext() if isinstance(element.tag, str) else ()).strip() or (element.tail or "").strip()
        for element in elements
    )


# Where text standing between blocks is made paragraphs: the elements that hold an
# article's paragraphs. Not the page's frame (body, header, footer, aside, nav), whose loose
# lines are a copyright notice or a "Skip to content" link, nor a container without a
# paragraph of its own (a forum's post of loose lines, which trafilatura reads whole).
_TEXT_CONTAINERS = ("div", "section", "article", "main", "center")
_PARAGRAPHS = frozenset({"p", "pre"})


def _stands_as_a_block(element) -> bool:
    """A block, or an element in a line holding one (a link around a card's heading and
    teaser): put in a paragraph, it would hold blocks, which trafilatura reorders or drops."""
    return element.tag in _BLOCKS or any(inner.tag in _BLOCKS for inner in element.iterdescendants())


def _loose_text_in_paragraphs(tree, most: int) -> None:
    """The text standing between the paragraphs of an article's container, made paragraphs
    (``most`` at most: the element cap's room): the lines a reader sees and Chromium
    copies. Trafilatura dropped such text where it followed a ``<pre><code>`` block, or
    preceded a paragraph ("Loose text <i>here</i><p>A paragraph</p>": the first line lost).
    A run of text with the inline elements in it (links, emphasis, line breaks) becomes one
    paragraph."""
    for container in list(tree.iter(*_TEXT_CONTAINERS)):
        children = list(container)
        if not any(child.tag in _PARAGRAPHS for child in children):
            continue
        laid, run = [], [container.text]
        container.text = None
        for child in children:
            container.remove(child)  # its tail goes with it
            if _stands_as_a_block(child):
                laid.append(run)
                run, child.tail = [child.tail], None
                laid.append(child)
            else:
                run.append(child)
        laid.append(run)
        last = None  # the last element put back (``len`` of an lxml element counts its children)
        for part in laid:
            if not isinstance(part, list):
                container.append(part)
                last = part
            elif most > 0 and _says_something(part):
                last = etree.SubElement(container, "p")
                last.text = part[0]
                last.extend(part[1:])
                most -= 1
            else:  # left as it stood: white space, an image without alt text, past the cap
                if last is None:
                    container.text = (container.text or "") + (part[0] or "")
                else:
                    last.tail = (last.tail or "") + (part[0] or "")
                container.extend(part[1:])
                last = part[-1] if len(part) > 1 else last


# Blocks of text a page may repeat (trafilatura drops one of more than
# ``MIN_DUPLICATE_LENGTH`` characters repeating the one before).
_REPEATABLE = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "li")


def _repeats_marked(tree) -> None:
    """Each block whose text earlier blocks hold begins with a mark of how many do (in
    binary, ``_REPEAT_DIGITS``), taken out of the text afterwards (``_text_of``).
    Trafilatura drops a block of more than 50 characters that repeats the one before it,
    meaning a copy its own passes made; a page that says a thing twice lost it the second
    time (a repeated pull quote, a chorus), and a quote across both was not found. Its own
    copies of one block stay alike, and go."""
    seen: dict[str, int] = {}
    for block in tree.iter(*_REPEATABLE):
        if any(child.tag in _BLOCKS for child in block):
            continue  # its blocks are marked (an item's paragraph): a mark here stands before them
        text = " ".join("".join(block.itertext()).split())
        if len(text) <= MIN_DUPLICATE_LENGTH:
            continue
        times = seen[text] = seen.get(text, -1) + 1
        if times:
            start = block.text or ""
            space = len(start) - len(start.lstrip())
            block.text = f"{start[:space]}{format(times, 'b').translate(_REPEAT_DIGITS)}{start[space:]}"


def _figures_kept(tree) -> None:
    """A figure's caption and its images' alt text, where the page shows them (Chromium
    copies both, each on a line of its own). Trafilatura removes every ``<figure>`` when
    images are not asked for, and its ``<figcaption>`` with it: a caption often carries
    what an analyst cites. A figure with a caption holding text, or an image with alt text
    (``_alt_text``), becomes a division and its captions paragraphs; its images are then
    their alt text (``_alt_texts_kept``). A caption the page hides (``hidden``; one hidden
    by its style goes as any element so hidden) is not kept."""
    for figure in list(tree.iter("figure")):
        captions = [caption for caption in figure.iter("figcaption") if "".join(caption.itertext()).strip()]
        shown = [caption for caption in captions if caption.get("hidden") is None]
        if shown or any(_alt_text(image) for image in figure.iter("img")):
            figure.tag = "div"
            for caption in captions:
                if caption in shown:
                    caption.tag = "p"
                else:
                    caption.drop_tree()


def refuse_attribute_bombs(data: bytes) -> None:
    """A tag with more than ``MAX_ATTRIBUTES`` attributes is refused before parsing."""
    for tag in _LONG_TAG.finditer(data):
        count = len(_ATTRIBUTE.findall(tag.group(0)))
        if count > MAX_ATTRIBUTES:
            raise ExtractionError(
                f"The HTML has a tag with {count:,} attributes (at most {MAX_ATTRIBUTES:,} are read).",
                code="unreadable_html",
            )


def _decoded(data: bytes, charset: str | None = None) -> tuple[str, Encoding]:
    """The page's text in the encoding ``encoding.of_page`` finds, as a browser would: its
    byte order mark, else the ``charset`` it was sent with, else its ``<meta charset>``,
    else what its bytes are; UTF-8 with replacement characters when nothing fits. And that
    encoding: the original is served in it, whatever its ``<meta>`` says.

    Not trafilatura's ``decode_file``: its first step inflates bytes that look compressed up
    to trafilatura's size limit (raised here for large pages), and a 300 KB upload of
    deflated bytes became 300 MB. An original is kept as sent, so the text is read from
    those bytes, never from what they might inflate to."""
    encoding = of_page(data, charset)
    return encoding.decode(data), encoding


def page_language(data: bytes) -> str:
    """The ``lang`` of the ``<html>`` element, as written (``extract._metadata`` makes it
    a tag: ``pt_BR`` is ``pt-BR``)."""
    match = _LANG.search(data[:64 * 1024])
    if not match:
        return ""
    return next(group for group in match.groups() if group).decode("ascii")


# Characters that are not text, and that XML (so lxml, which trafilatura builds its trees
# with) cannot hold: C0 controls other than tab, line feed and carriage return; lone
# surrogates; the noncharacters (U+FDD0 to U+FDEF and the last two code points of every
# plane, U+FFFE and U+FFFF among them). libxml2 reads ``&#x1;`` or ``&#xFFFE;`` into its
# tree, but trafilatura's copy of that text into a new tree fails, and then it returns no
# main text at all: one such character refused a whole article as "navigation only".
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# The noncharacters of the other planes (U+1FFFE, U+1FFFF, ..., U+10FFFF) are looked for
# apart: in the class above, these thirty-two characters beyond the BMP made its scan of a
# page twenty times slower. Few pages hold anything from U+1FFFE on (emoji end below it).
_FROM_PLANE_TWO = re.compile("[\U0001fffe-\U0010ffff]")
# A numeric character reference as HTML reads it (decimal, or hex after ``x`` or ``X``; as
# many digits as follow; the semicolon optional) that may name what is not text: up to 31
# (C0 controls), D800 to DFFF (surrogates), FDD0 to FDEF or ending in FFFE or FFFF
# (noncharacters), six digits or more (beyond U+10FFFF, among others); ``_is_text``
# decides. Ordinary references (``&#233;``, ``&#x201C;``) do not match: a page full of them
# costs a scan, not a call per reference (five times as long).
_SUSPECT_REFERENCE = re.compile(
    r"&#(?:x0*(1?[0-9a-f]|d[89a-f][0-9a-f]{2}|fd[de][0-9a-f]|[0-9a-f]{0,2}fff[ef]|[0-9a-f]{6,})(?![0-9a-f])"
    r"|0*([12]?[0-9]|3[01]|5[5-7][0-9]{3}|6[45][0-9]{3}|[0-9]{6,})(?![0-9]));?",
    re.IGNORECASE,
)


def _is_text(code_point: int) -> bool:
    """Whether ``code_point`` is a character that XML holds and that is text."""
    return code_point <= 0x10FFFF and code_point & 0xFFFE != 0xFFFE and not _NOT_TEXT.match(chr(code_point))


def _reference_or_nothing(match: re.Match) -> str:
    hexadecimal, decimal = match.groups()
    digits = (hexadecimal or decimal).lstrip("0")
    if len(digits) > 7:
        return ""  # beyond U+10FFFF (and not a number for int() to parse at any length)
    return match.group() if _is_text(int(digits or "0", 16 if hexadecimal else 10)) else ""


def _character_or_nothing(match: re.Match) -> str:
    return match.group() if _is_text(ord(match.group())) else ""


def without_characters_xml_cannot_hold(content: str) -> str:
    """``content`` without the characters that are not text (``_is_text``), written as
    they are or as numeric character references, nor references beyond U+10FFFF; every
    other reference (``&amp;``, ``&#233;``, ``&#x201C;``) left for the parser to read.

    They are removed rather than made U+FFFD: none of them is a character a reader sees or
    quotes, and a U+FFFD in its place would be a mark inside a word that no quote copied
    from the page holds. A reference is another way of writing the character it names, and
    the control characters written as they are were already dropped (by trafilatura, and by
    ``normalise_extracted`` from every extracted text): removing the references too gives
    the same text however the page spells them. Either way the text stays storable
    (``project.validation.text_problem``: no NUL, no lone surrogate).
    A page with nothing to remove is scanned, not copied (but for one holding characters
    from U+1FFFE on)."""
    if "&#" in content:
        content = _SUSPECT_REFERENCE.sub(_reference_or_nothing, content)
    content = _NOT_TEXT.sub("", content)
    if _FROM_PLANE_TWO.search(content):
        content = _FROM_PLANE_TWO.sub(_character_or_nothing, content)
    return content


# An ``&`` written so comes out of trafilatura's last steps as itself: ``html.unescape``
# reads it back as ``&``, and it spells no word that ``sanitize`` replaces (``&nbsp;``)
# and no letter that ``str.title`` (applied to a site's name) capitalises (``&Amp;``).
_AMPERSAND = "&#38;"


def _escape_ampersands(tree) -> None:
    """Writes each ``&`` of the text of ``tree``, and of its ``<meta content>``, as
    ``_AMPERSAND``. Trafilatura unescapes what it extracts once more, though lxml has
    decoded the page's references already: a page showing ``&amp;`` or
    ``?year=2024&section=energy`` gave ``&`` and ``?year=2024§ion=energy``. Escaped,
    each value comes out as the page shows it. JSON-LD (a ``<script>``) is left as it
    is: the parser decodes nothing in a script, and trafilatura's decoding of it reads
    the ``&amp;`` that pages write in their JSON-LD."""
    for node in tree.iter():
        if node.tail and "&" in node.tail:
            node.tail = node.tail.replace("&", _AMPERSAND)
        if not isinstance(node.tag, str) or node.tag == "script":
            continue
        if node.text and "&" in node.text:
            node.text = node.text.replace("&", _AMPERSAND)
        content = node.get("content")
        if content and "&" in content:
            node.set("content", content.replace("&", _AMPERSAND))


# Elements of trafilatura's tree that begin a line of their own, in a cell as anywhere.
_LINE_ELEMENTS = frozenset({"p", "head", "list", "item", "quote", "lb", "code", "div", "table", "row"})
# Written after the text of a cell that ends where a line ends (see ``_line``): a
# noncharacter, which no page text holds (``without_characters_xml_cannot_hold``).
_ENDS_LINE = "\ufdd3"
# Written before the text of a cell that begins where a line begins (see ``_line``).
_STARTS_LINE = "\ufdd5"


def _ends_a_line(parts: list[str | None]) -> bool:
    """Whether a line break (``None``, or a ``<br>``'s ``_BREAK``) follows the last text of
    ``parts``."""
    for part in reversed(parts):
        if part is None:
            return True
        if part.strip():
            return part.rstrip().endswith(_BREAK)
    return False


def _starts_a_line(parts: list[str | None]) -> bool:
    """Whether a line break (``None``, or a ``<br>``'s ``_BREAK``) comes before the first
    text of ``parts``."""
    for part in parts:
        if part is None:
            return True
        if part.strip():
            return part.lstrip().startswith(_BREAK)
    return False


def _cell_text(cell) -> str:
    """A cell's text, its paragraphs, items and line breaks on lines of their own (a
    layout table's one cell holds a whole article), each line's white space collapsed;
    ``_ENDS_LINE`` after it when a paragraph, a division, a list or a line break closes the
    cell, no text after it, ``_STARTS_LINE`` before it when one opens the cell, no text
    before it."""
    parts: list[str | None] = []  # None where a line breaks

    def walk(element) -> None:
        for child in element:
            breaks = child.tag in _LINE_ELEMENTS
            if breaks:
                parts.append(None)
            parts.append(child.text or "")
            walk(child)
            if breaks:
                parts.append(None)
            parts.append(child.tail or "")

    parts.append(cell.text or "")
    walk(cell)
    joined = "".join("\n" if part is None else part for part in parts).replace(_BREAK, "\n")
    lines = (" ".join(line.split()) for line in joined.split("\n"))
    text = "\n".join(line for line in lines if line)
    if not text:
        return text
    return (_STARTS_LINE if _starts_a_line(parts) else "") + text + (_ENDS_LINE if _ends_a_line(parts) else "")


def _write_where_it_stands(element, text: str) -> None:
    """``text`` written in the tree where ``element`` begins: after its previous sibling, or
    at the start of its parent's text (the element itself is left to the caller)."""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent = element.getparent()
        parent.text = (parent.text or "") + text


def _tables_apart(body) -> None:
    """Moves each table inside another out to the end of ``body``, a ``_HELD`` mark and its
    tail left where it stood. Trafilatura's own extraction writes nested tables apart
    already; that of its fallback (readability) keeps them in their cells."""
    for index, table in enumerate(_nested_tables(body)):
        number = f"{table.get(_NUMBER) or ''}+{index}"
        table.set(_NUMBER, number)
        _write_where_it_stands(table, f"{_HELD}{number}{_END}{table.tail or ''}")
        table.tail = None
        body.append(table)


def _line(cells: list[str]) -> list[str]:
    """The cells of a line separated by tabs, as Chromium copies them: no tab at the start
    of a line (a row whose first cells are empty, or the rest of a row after a nested
    table, begins with the first cell that has text), nor after a cell that ends a line
    (``_ENDS_LINE``: ``<td>text<div>more</div></td><td>next</td>`` is copied
    "text\\nmore\\nnext"), nor before one that begins a line (``_STARTS_LINE``:
    ``<td>a</td><td><div>b</div></td>`` is copied "a\\t\\nb", its tab white space at a
    line's end); no line when no cell has text."""
    line = ""
    for text in cells:
        starts_line = text.startswith(_STARTS_LINE)
        text = text.removeprefix(_STARTS_LINE)
        if line and not line.endswith("\n"):
            line += "\n" if starts_line else "\t"
        line += text.replace(_ENDS_LINE, "\n")
    line = line.rstrip("\n")
    return [line] if line else []


def _lines(rows: list[list[str]], nested: dict, laid: dict) -> list[str]:
    """The lines of a table whose ``rows`` are its cells' text, a nested table's lines
    where its ``_HELD`` mark stands (``nested``: number -> table, each laid out once; its
    rows in ``laid``). The mark ends the line even where trafilatura kept nothing of the
    table (empty, or a menu's links): on the page the table is there, between the lines."""
    lines: list[str] = []
    for row in rows:
        cells: list[str] = []
        for text in row:
            pieces = _HELD_MARK.split(text)
            cells.append(pieces[0].strip())
            for number, after in zip(pieces[1::2], pieces[2::2]):
                lines += _line(cells)
                table = nested.pop(number, None)
                lines += [] if table is None else _lines(laid[table], nested, laid)
                cells = [after.strip()]
        lines += _line(cells)
    return lines


def _as_paragraphs(table, lines: list[str]) -> None:
    """Puts ``lines`` in the place of ``table``, a paragraph each, and its tail after
    (each put beside it, not at an index: no walk of its siblings)."""
    parent = table.getparent()
    if parent is None:
        return
    if table.tail and table.tail.strip():
        lines = [*lines, table.tail]
    for line in lines:
        paragraph = etree.Element("p")
        paragraph.text = line
        table.addprevious(paragraph)
    parent.remove(table)


def _tables_as_lines(body) -> None:
    """Each row of a table as one line, its cells' text separated by tabs, as a browser
    copies a row; a nested table's rows where it stands in its cell (see
    ``_handle_table_keeping_places``). Trafilatura writes tables as Markdown (``| a | b |`` and a
    ``|---|`` rule under the head), characters the page does not show: a quote copied from
    the page would not be found in the text. Each table is read once, and laid out once."""
    _tables_apart(body)
    tables = list(body.iter("table"))
    numbers = {table: table.get(_NUMBER) for table in tables}
    nested = {number: table for table, number in numbers.items() if number is not None}
    laid = {table: [[_cell_text(cell) for cell in row if cell.tag == "cell"] for row in table.iter("row")] for table in tables}
    held = {number for rows in laid.values() for row in rows for text in row for number in _HELD_MARK.findall(text)}
    for table in tables:
        placed = numbers[table] in held
        _as_paragraphs(table, [] if placed else _lines(laid[table], nested, laid))


def _preformatted_ends_its_line(body) -> None:
    """A line break after each block of preformatted text (trafilatura's ``code`` standing
    among blocks), as a browser shows and copies one: ``xmltotxt`` ends no line after it,
    and the white space before the next paragraph, collapsed to a space, kept it from
    beginning one ("line three Following paragraph")."""
    for code in body.iter("code"):
        parent = code.getparent()
        if parent is not None and parent.tag in ("body", "div"):
            code.tail = "\n" + (code.tail or "").lstrip()


def _text_of(body) -> str:
    """The text of trafilatura's extracted tree (``bare_extraction``'s ``body``), laid
    out by its own ``xmltotxt`` (paragraphs, lists, headings, line breaks; tables a row a
    line, ``_tables_as_lines``), each character as the page shows it: ``document.text`` is
    that text unescaped once more, and its ``sanitize`` makes the words ``&nbsp;``,
    ``&#10;``, ``&#13;`` characters."""
    collapse_white_space(body)
    _preformatted_ends_its_line(body)
    _tables_as_lines(body)
    _escape_ampersands(body)
    # A break mark where trafilatura read a cell's text as no table's (a division's, or its
    # fallback's paragraphs) is the line break it stood for.
    text = xmltotxt(body, include_formatting=False)
    if _HELD in text:
        text = _STRAY_MARK.sub("", text)
    if _BREAK in text:
        text = _SPACED_BREAK.sub("\n", text)
    if "\ufdd6" in text or "\ufdd7" in text:  # a search is quick; a translation reads every character
        text = text.translate(_WITHOUT_REPEAT_MARKS)
    return text


# Metadata is read from the start of the page, without scripts and styles (JSON-LD kept):
# where titles, bylines and dates are, and the cost no longer grows with the page's text
# (on a 2 MB page, reading metadata from all of it took twice as long as the main content).
METADATA_BYTES = 512 * 1024
_END_TAG_SPACE = b" \t\n\r\f\v"


def without_scripts_and_styles(data: bytes) -> bytes:
    """``data`` without its ``<script>`` and ``<style>`` elements, each from its start tag to
    its end tag (``</script >`` too), JSON-LD scripts (whose start tag names ``ld+json``)
    kept, and an element never ended kept as it is; case ignored. One reading, left to
    right: the regular expression this replaces looked for an end tag to the page's end from
    every start tag, and a page of ``<script>`` never ended took minutes (400 KB, 116 s)."""
    lower = data.lower()
    kept, position = [], 0
    following = {b"script": lower.find(b"<script"), b"style": lower.find(b"<style")}
    # The next ">" and the next "ld+json", each looked for again only once passed: a
    # thousand "<script" in one tag are not each read to its end.
    tag_end = json = -1
    while True:
        found = [(at, name) for name, at in following.items() if at >= 0]
        if not found:
            break
        start, name = min(found)
        if tag_end < start:
            tag_end = lower.find(b">", start)
            if tag_end < 0:
                break  # no start tag ends after here: nothing further is an element to take out
        if json < start:
            json = lower.find(b"ld+json", start)
        end = None
        if not (name == b"script" and 0 <= json < tag_end):
            end = _end_tag(lower, name, tag_end + 1)
            if end is None:
                following[name] = -1  # never ended: nor is any later one
                continue
            kept.append(data[position:start])
            position = end
        # The next start tag of its kind after this one's start (the expression went on from
        # the next character too), or after its end tag when taken out.
        following[name] = lower.find(b"<" + name, start + 1 if end is None else end)
        for other, at in following.items():
            if 0 <= at < position:
                following[other] = lower.find(b"<" + other, position)
    kept.append(data[position:])
    return b"".join(kept)


def _end_tag(lower: bytes, name: bytes, start: int) -> int | None:
    """Where ``</name`` and the white space and ``>`` after it end, the first from
    ``start``; None when there is none."""
    opening = b"</" + name
    at = lower.find(opening, start)
    while at >= 0:
        after = at + len(opening)
        while after < len(lower) and lower[after] in _END_TAG_SPACE:
            after += 1
        if after < len(lower) and lower[after] == ord(">"):
            return after + 1
        at = lower.find(opening, at + 1)
    return None


# A date the page marks as one of modification (``article:modified_time``,
# ``og:updated_time``, ``last-modified``, ``dateModified``...) is not the day it was
# published: htmldate, asked for the original date, still falls back to such a date when
# the page has no other. They are taken out of what it reads (JSON-LD's ``dateModified``
# it does not read when asked for the original date). htmldate counts a "release_date"
# among them; it is left, as a release is a publication.
_MODIFICATION_MARKS = frozenset(NAME_MODIFIED | PROPERTY_MODIFIED | ITEMPROP_ATTRS_MODIFIED) - {"release_date"}


def _without_modification_dates(tree) -> None:
    """Removes from ``tree`` the meta tags, and the elements, that give a date of
    modification (``_MODIFICATION_MARKS``; ``<time class="updated">``)."""
    for element in list(tree.iter(etree.Element)):
        names = (element.get(attribute, "").lower() for attribute in ("name", "property", "itemprop", "http-equiv"))
        modified = any(name in _MODIFICATION_MARKS for name in names) or (
            element.tag == "time" and "updated" in (element.get("class") or "").split()
        )
        if modified and element.getparent() is not None:
            element.drop_tree()


def _url_as_written(tree, found: str | None) -> str:
    """``found``, the URL trafilatura chose, as the page writes it. That of a canonical
    link, which trafilatura normalises (courlan sorts its query), is unescaped once more
    (``?copy=1&section=energy`` became ``?copy=1§ion=energy``, a URL that does not
    exist), and its ``&`` cannot be escaped before (``&#38;`` would begin the URL's
    fragment): when ``found`` is that URL so changed, it is taken from the link again."""
    linked = extract_url(tree)
    if linked and found == line_processing(unescape(linked)):
        return linked
    return found or ""


def _base_of(tree, url: str | None) -> str:
    """The address a page's relative links are read against, as HTML reads them: its
    first ``<base href>``, itself read against the page's address ``url``; else ``url``;
    ``""`` when that is no absolute http(s) address (a file uploaded has none)."""
    base = next((element.get("href") for element in tree.iterfind(".//base[@href]")), None)
    address = _joined(url or "", base.strip()) if base else url or ""
    return address if _ABSOLUTE.match(address) else ""


def _joined(base: str, href: str) -> str:
    """``href`` read against ``base`` (an http(s) address) as a browser reads it (the WHATWG
    URL standard): without the C0 controls and spaces around it and the tabs and line
    breaks in it, and, but for one of another scheme, each backslash before its query a
    slash (``/\\evil.example/x`` is on evil.example); ``""`` when either is no URL
    (``http://[x``)."""
    href = _TABS_AND_LINE_BREAKS.sub("", href.strip(_C0_AND_SPACE))
    scheme = _SCHEME.match(href)
    if scheme is None or scheme.group().lower() in ("http:", "https:"):
        before_query = _BEFORE_QUERY.match(href).group()
        href = before_query.replace("\\", "/") + href[len(before_query) :]
    try:
        return urljoin(base, href)
    except ValueError:
        return ""


_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TABS_AND_LINE_BREAKS = re.compile("[\t\n\r]")
_BEFORE_QUERY = re.compile("[^?#]*")


_ABSOLUTE = re.compile(r"https?://[^\s/?#]", re.IGNORECASE)


def _link_addresses_as_read(tree) -> None:
    """The addresses of the page's canonical link and ``og:url``, as a browser reads any
    URL (the WHATWG URL standard): without the C0 controls and spaces around them, nor the
    tabs and line breaks in them. ``href=" https://host/story  "`` was recorded as
    ``https://host/story%20%20``, another URL than the story's, and the story uploaded
    again under its own was a second source."""
    for link in tree.iterfind(".//link[@href]"):
        link.set("href", _TABS_AND_LINE_BREAKS.sub("", link.get("href").strip(_C0_AND_SPACE)))
    for meta in tree.iterfind(".//meta[@content]"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url":
            meta.set("content", _TABS_AND_LINE_BREAKS.sub("", meta.get("content").strip(_C0_AND_SPACE)))


def _canonical_resolved(tree, url: str | None) -> str:
    """The page's canonical link, when it is relative (scheme-relative too: ``//host/x``
    takes the page's scheme, where trafilatura gives it https), read against the page's
    address and its ``<base>`` (``_base_of``); ``""`` when it is none, or absolute
    (trafilatura reads those), or nothing to read it against."""
    href = next((element.get("href") for element in tree.iterfind(".//head//link[@rel='canonical']")), None)
    href = (href or "").strip(_C0_AND_SPACE)
    if not href or _SCHEME.match(href) or not (base := _base_of(tree, url)):
        return ""
    return _joined(base, href)


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _not_recorded(url: str) -> bool:
    """Whether a source would not record ``url`` as its address: one that carries a user
    name or password (``http://admin:secret@host/``), or is no http or https address
    (``http://exa mple.org/``, a port past 65535)."""
    try:
        parts = urlsplit(url)
        parts.port
        # Its scheme and host (a long address of another site is left to the rules of
        # addresses, which say what it took with it: a date in its path).
        URLValidator(schemes=["http", "https"])(f"{parts.scheme}://{parts.netloc}/")
    except (ValueError, ValidationError):
        return True
    return "@" in parts.netloc


def _own_url_taken(metadata: Document, tree, url: str | None) -> None:
    """The URL the page gives itself, as it writes it (``_url_as_written``); a relative
    canonical link read against the page's address as a browser reads it, where
    trafilatura fell back to that address, finding it invalid (a page read at two
    addresses was two sources), or read it otherwise (against its ``og:url``, a
    scheme-relative one as https, a backslash as part of a path).
    One with a user name or password is not taken, as a fetch refuses to read one, and
    the page's address stands for it, in the URL and in a publisher named by its host:
    ``http://admin:hunter2@host/story`` was recorded, and showed to every reader, with
    ``admin:hunter2@host`` as its publisher. So for one a source cannot record (a port past
    65535, a space in the host), whose host had named the publisher."""
    found = _url_as_written(tree, metadata.url)
    if resolved := _canonical_resolved(tree, url):
        found = resolved
    if found and _not_recorded(found):
        found = url or ""
    named_by_host = META_URL.match(metadata.url or "")  # trafilatura's publisher when the page names none
    if metadata.sitename and named_by_host and metadata.sitename == named_by_host[1] and found != metadata.url:
        metadata.sitename = host_name(found)
    metadata.url = found


# A day written with digits, the year first (2024-02-29, 2024/2/29, /2024/02/29/ in a URL,
# 20240229) or last, after the day or the month (29.02.2024, 02/29/2024, 29.02.24).
_YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})(?:([-/._])(\d{1,2})\2(\d{1,2})(?!\d)|(\d{2})(\d{2}))")
_YEAR_LAST = re.compile(r"(?<!\d)(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")


def _in_digits(day: date, text: str) -> bool:
    for match in _YEAR_FIRST.finditer(text):
        year, _, month, number, compact_month, compact_number = match.groups()
        if (int(year), int(month or compact_month), int(number or compact_number)) == (day.year, day.month, day.day):
            return True
    for match in _YEAR_LAST.finditer(text):
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        if year in (day.year, day.year % 100) and (day.day, day.month) in ((first, second), (second, first)):
            return True
    return False


def _in_words(day: date, text: str) -> bool:
    """Whether ``text`` writes ``day`` with its month's name, as htmldate reads such dates
    (``29 February 2024``, ``February 29, 2024``, ``29. Februar 2024``)."""
    for match in LONG_TEXT_PATTERN.finditer(text):
        written = regex_parse(match.group())
        if written is not None and written.date() == day:
            return True
    return False


def _written_in_full(found: str | None, page: str, url: str | None) -> str:
    """``found``, the date htmldate found (ISO), if the page (or its URL) writes that day
    in full; else blank. htmldate makes a day of what is none: ``2024-02-30`` gave
    ``2024-02-01`` (the month, once the day failed), ``2024-02`` gave that month and
    today's day; a date the page never gave would be stored as its own."""
    if not found:
        return ""
    day = date.fromisoformat(found)
    texts = [page, url or ""]
    if any(_in_digits(day, text) for text in texts) or any(_in_words(day, text) for text in texts):
        return found
    return ""


# A tag in which a page names its own address (a canonical link, og:url), and the address
# it gives (a quoted or bare attribute value).
_OWN_ADDRESS_TAG = re.compile(
    r"<(?:link\b(?=[^>]*\brel\s*=\s*[\"']?[^\"'>]*\bcanonical\b)|meta\b(?=[^>]*[\"'\s=]og:url\b))[^>]*>", re.IGNORECASE
)
_ADDRESS_GIVEN = re.compile(r"\b(?:href|content)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))", re.IGNORECASE)


def _without_own_address(page: str, address: str) -> str:
    """``page`` without the address it names as its own, wherever it writes it again (a
    link to it, another tag), as written there and as read (``address``, its path)."""
    given = {value for tag in _OWN_ADDRESS_TAG.findall(page) for values in _ADDRESS_GIVEN.findall(tag) for value in values if value}
    path = urlsplit(address).path
    for written in sorted(given | ({path} if len(path) > 1 else set()), key=len, reverse=True):
        page = page.replace(written, " ")
    return page


def _metadata_of(content: str, url: str | None) -> tuple[Document, bool]:
    """The page's metadata (trafilatura's ``extract_metadata``), each value as the page
    writes it (``_escape_ampersands``, ``_url_as_written``; the URL the page came from,
    trafilatura's answer when the page names no canonical one, is escaped as its text is),
    and a published date only where the page writes that day (``_written_in_full``); and
    whether the page writes that day only in the canonical URL it names, whose refusal
    (another site's) takes the day with it."""
    head = without_scripts_and_styles(content.encode("utf-8"))[:METADATA_BYTES]
    # The cut may fall inside a character: its first bytes are dropped, so that the head is
    # read as the UTF-8 it is, not guessed at as some other encoding. Dates only from
    # markup (meta tags, <time>, the URL): a year guessed from the prose would be worse
    # than none.
    page = head.decode("utf-8", errors="ignore")
    tree = load_html(page)
    if tree is None:
        return Document(), False
    if _misread_by_libxml2(tree):
        # Read as the text is (``refuse_element_floods``): past libxml2's depth, a byline or
        # a date written after some 1,000 chained paragraphs had been lost.
        with contextlib.suppress(ExtractionError):
            tree = tree_as_browsers_read(page)
    _escape_ampersands(tree)
    author_tags_as_shown(tree)
    organisation_authors_kept(tree)
    _without_modification_dates(tree)
    _link_addresses_as_read(tree)
    default_url = url.replace("&", _AMPERSAND) if url else url
    # The latest date htmldate takes is the server's today by default: a page published in
    # Kiribati today, a day ahead of UTC, lost its date, which a Markdown file keeps.
    dates = {**set_date_params(extensive=False), "max_date": latest_day_begun().isoformat()}
    metadata = extract_metadata(tree, default_url=default_url, extensive=False, date_config=dates)
    _own_url_taken(metadata, tree, url)
    shown = unescape(page)
    metadata.date = _written_in_full(metadata.date, shown, url)
    # A day that the page writes only in the address it names as its own (".../2024/01/01/
    # story.html", however written: escaped, long, in its query).
    named_own = bool(metadata.url) and metadata.url != url
    without_own_address = _without_own_address(shown, metadata.url) if named_own else shown
    date_from_url = bool(metadata.date and named_own and not _written_in_full(metadata.date, without_own_address, url))
    return metadata, date_from_url


# A page fetched where a site first asks for consent (a consent wall) holds only that
# notice, and trafilatura, finding no article, falls back to the notice's text. Such a page
# is refused, and says why, when every line of its (short) text stands inside an element
# its id or class marks as a notice: a word of consent ("cookie", "consent", "gdpr", a
# CMP's) joined to a word of a notice's furniture ("banner", "wall", "modal", "dialog"...),
# or a consent manager's name. Marks alone, in any language; words alone never: a brief on
# a cookie law has them, and so does an article quoting a banner. The page's own frame
# (``<html>``, ``<body>``, ``<main>``, ``<article>``) marks nothing: a cookie plugin puts
# ``cookies-not-set`` on the body of every page.
CONSENT_NOTICE_MAX_CHARACTERS = 3000
_CONSENT_WORD = r"(?:cookies?|consent|gdpr|cmp\d*|privacy)"
_NOTICE_WORD = r"(?:banner|bar|notice|modal|popup|pop-up|overlay|dialog|wall|layer|container|prompt|message|manager|box|window|summary|settings)"
_CONSENT_MARK = re.compile(
    rf"{_CONSENT_WORD}[-_]?{_NOTICE_WORD}|{_NOTICE_WORD}[-_]?{_CONSENT_WORD}"
    r"|onetrust|didomi|cookiebot|usercentrics|truste|qc-cmp|sp_message",
    re.IGNORECASE,
)
_FRAME = frozenset({"html", "body", "main", "article"})


def _marked_text(tree) -> list[str]:
    """The text of each element of ``tree`` marked as a consent notice by its id or class."""
    return [
        " ".join(element.text_content().split())
        for element in tree.iter(etree.Element)
        if element.tag not in _FRAME
        and _CONSENT_MARK.search(f"{element.get('id') or ''} {element.get('class') or ''}")
    ]


# A page whose text stands only in its navigation: menus (``<nav>``, ``<menu>``, the roles
# of navigation, menus, a site's banner and its content information), and a site's header
# and footer (a ``<header>`` or ``<footer>`` not inside an article, a section, an aside or
# ``<main>``: HTML's banner and content information, as ARIA reads them). Trafilatura,
# finding no article, falls back to such text ("Home\nWorld\nBusiness"): such a page is
# refused, as one where nothing is found. A heading of the article in a header of its own
# stands beside the article's text, which is no navigation.
_NAVIGATION_ROLES = frozenset({"navigation", "menu", "menubar", "banner", "contentinfo"})
_SITE_FURNITURE = frozenset({"header", "footer"})
_SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})


def _is_navigation(element) -> bool:
    if element.tag in ("nav", "menu") or (element.get("role") or "").strip().lower() in _NAVIGATION_ROLES:
        return True
    return element.tag in _SITE_FURNITURE and not any(ancestor.tag in _SECTIONING for ancestor in element.iterancestors())


_MENU_ROLES = frozenset({"navigation", "menu", "menubar"})
_MENU_CANDIDATES = etree.XPath("//nav|//menu|//*[@role]")


def _menus_removed(tree) -> None:
    """Takes the page's menus (``<nav>``, ``<menu>``, an element whose role is one) out
    of ``tree``, their tails kept. Trafilatura leaves them out of an article long enough
    for its own extraction; on a short one its fallback kept them ("Home\nWorld\nPolitics"
    before the headline)."""
    for element in _MENU_CANDIDATES(tree):
        is_menu = element.tag in ("nav", "menu") or (element.get("role") or "").strip().lower() in _MENU_ROLES
        if is_menu and element.tag not in ("html", "body") and element.getparent() is not None:
            element.drop_tree()  # one inside a menu taken out already goes with it


def _navigation_text(tree) -> list[str]:
    """The text of the navigation elements of ``tree`` (``_is_navigation``) one after the
    other (a line of the fallback's text may run from one to the next), without white
    space: a menu's items stand apart on the page, not in its markup ("HomeWorld")."""
    joined = "".join("".join(element.text_content().split()) for element in tree.iter(etree.Element) if _is_navigation(element))
    return [joined] if joined else []


def _only_inside(lines: list[str], texts: list[str]) -> bool:
    """Whether there are ``texts`` and every line of ``lines`` stands in one of them."""
    return bool(texts) and all(any(line in text for text in texts) for line in lines)


# What a page its scripts build shows until they run, or where they do not: a line of it
# alone ("Loading...", "Loading application, please wait...", "Please enable JavaScript to
# view this page."), of a page that has scripts, is no article.
_SCRIPT_PLACEHOLDER = re.compile(
    r"(?:loading(?:\s+(?:the\s+)?(?:app|application|page|content|site))?(?:\s*,?\s*please\s+wait)?"
    r"|please\s+wait"
    r"|(?:please\s+)?(?:enable|turn\s+on|activate|allow)\s+javascript(?:\s+(?:to|in\s+order\s+to)\s+[\w\s]{0,40})?"
    r"|you\s+need\s+to\s+enable\s+javascript\s+to\s+run\s+this\s+app"
    r"|(?:this\s+(?:page|site|app|application|website)\s+)?(?:requires|needs)\s+javascript(?:\s+to\s+[\w\s]{0,40})?"
    r"|javascript\s+is\s+(?:required|disabled)(?:\s+in\s+your\s+browser)?"
    # The same in the languages most sites are written in.
    r"|cargando|por\s+favor,?\s+espere|(?:activa|habilita)\s+javascript"
    r"|chargement(?:\s+en\s+cours)?|veuillez\s+patienter|(?:veuillez\s+)?activer\s+javascript|activez\s+javascript"
    r"|javascript\s+est\s+(?:requis|nécessaire|désactivé)"
    r"|(?:wird\s+)?geladen|laden|bitte\s+warten|bitte\s+aktivieren\s+sie\s+javascript|javascript\s+ist\s+(?:deaktiviert|erforderlich)"
    r"|загрузка|пожалуйста,?\s+подождите|включите\s+javascript"
    r"|carregando|a\s+carregar|aguarde|ative\s+o\s+javascript|caricamento(?:\s+in\s+corso)?|attendere|abilita\s+javascript"
    r"|加载中|正在加载|請稍候|请稍候|请启用\s*javascript|読み込み中|javascriptを有効にしてください"
    r"|جار(?:ٍ)?\s+التحميل|يرجى\s+تفعيل\s+(?:جافا\s*سكريبت|javascript)|در\s+حال\s+بارگذاری)"
    r"[\s.…!。]*",
    re.IGNORECASE,
)
_SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
_PLACEHOLDER_MAX_CHARACTERS = 300


def _placeholder_only(content: str, lines: list[str]) -> bool:
    """Whether ``lines``, a page's short text, are only what a page its scripts build shows
    in their stead (``_SCRIPT_PLACEHOLDER``), and the page has scripts."""
    return (
        sum(map(len, lines)) <= _PLACEHOLDER_MAX_CHARACTERS
        and all(_SCRIPT_PLACEHOLDER.fullmatch(line) for line in lines)
        and _SCRIPT.search(content) is not None
    )


def refuse_furniture_only(content: str, text: str) -> None:
    """Refuses a page whose (short) text is only a cookie or consent notice, only its
    navigation (see above), read as its text was: without what a browser does not show,
    its images their alt text, or only the placeholder of a page its scripts build."""
    if len(text) > CONSENT_NOTICE_MAX_CHARACTERS or (tree := load_html(content)) is None:
        return
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    if _placeholder_only(content, lines):
        raise _no_main_text()
    remove_unseen(tree)
    _alt_texts_kept(tree)
    if _only_inside(lines, _marked_text(tree)):
        raise ExtractionError(
            "The page holds only a cookie or consent notice, not the article: the site asked for "
            "consent before showing it. Open the page in a browser, save it once past the notice, "
            "and upload the file.",
            code="consent_notice",
        )
    if _only_inside(["".join(line.split()) for line in lines], _navigation_text(tree)):
        raise _no_main_text()


def _no_main_text() -> ExtractionError:
    return ExtractionError(
        "No main text was found in the HTML (a page of navigation only, or one built by scripts).",
        code="no_main_text",
    )


def host_name(url: str) -> str:
    """What trafilatura names a page's publisher when the page names none: its URL's host
    without "www." (``trafilatura.metadata.META_URL``)."""
    found = META_URL.match(url)
    # Never a user name or password the URL carries (``http://admin:secret@host/``).
    return found[1].rsplit("@", 1)[-1] if found else ""


def _main_text(content: str, tree, url: str | None) -> tuple[Document | None, str]:
    """Trafilatura's extraction of the page (``content``, parsed as ``tree``, which this
    changes), and its text (``_text_of``); ``(None, "")`` when it finds none."""
    if tree is not None:
        remove_unseen(tree)
        _menus_removed(tree)
        _cells_as_copied(tree)
        _breaks_in_cells_marked(tree)
        _mark_nested_tables(tree)
        _figures_kept(tree)
        _bylines_kept(tree)
        _phrases_as_text(tree)
        _alt_texts_kept(tree)
        _inline_code_as_text(tree)
        _quotations_in_their_line(tree)
        _formulas_and_drawings_as_text(tree)
        _loose_text_in_paragraphs(tree, MAX_HTML_ELEMENTS - sum(1 for _ in tree.iter(etree.Element)))
        _blocks_in_items_marked(tree)
        _repeats_marked(tree)
        _lists_of_links_marked(tree)
    document = bare_extraction(
        content if tree is None else tree,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        config=_CONFIG,
    )
    return document, (_text_of(document.body) if document is not None else "")


def _chained_paragraphs_side_by_side(content: str, url: str | None, document: Document, text: str, as_parsed) -> tuple[Document, str]:
    """The extraction of the page with its chained paragraphs laid side by side, the first
    of ``_side_by_side`` (the page as HTML5 builds it, then libxml2's tree mended) that
    reads all that libxml2's reads (``text``; ``_side_by_side`` says how each is checked); else
    libxml2's, ``document`` and ``text``, as before. For a page where libxml2 puts a
    paragraph three deep in others (``_paragraph_in_a_paragraph``; ``as_parsed`` is its
    tree as libxml2 built it): a short legacy chain of ``<font face=Arial><p>`` had its
    forty paragraphs read as one line, which both lay side by side, a line each, as a
    browser shows them. Taken on every such page, each had read some worse than libxml2's
    (``bench/html_chains_against_chromium.py``, of 202 chained pages, text lost against
    Chromium's): HTML5's on 43, a paragraph opening with an anchor left open (``<p><a
    name=s2>...``) or headings in a chain of ``<span><p>`` dropped, paragraphs in another
    order, a site's footer after the chain let in; the mended tree's on 18, the headings
    and lists libxml2 put inside the chain's paragraphs dropped by trafilatura once put
    after them (it keeps neither outside an article's frame: they are now read as
    paragraphs, ``_read_as_lines``). The texts compared, none of those is taken: of the
    202, 58 read better than libxml2's reading (line F1 0.483 to 0.719), none worse, none
    lost text. A tree refused (too large, too deep, the child's limits), or
    one trafilatura fails on, is passed over: the page is read as before, not refused."""
    for laid in _side_by_side(content, as_parsed):
        try:
            tree, reads_all_of = laid()
            other_document, other_text = _main_text(content, tree, url)
        except ExtractionError:
            continue
        except Exception as error:  # noqa: BLE001 - a second reading that fails leaves libxml2's, as read
            logger.info("A chained page read side by side failed: %r", error)
            continue
        if other_document is not None and reads_all_of(other_text, text):
            return other_document, other_text
    return document, text


def _side_by_side(content: str, as_parsed) -> tuple:
    """How a chained page's tree is had with its paragraphs side by side, in the order they
    are tried, each with how its reading is checked against libxml2's: HTML5's
    (``_as_browsers_read``: a child process parses the page again), whose reading must keep
    libxml2's order (``_reads_all_of``), then libxml2's tree mended as any other page's is
    (``_mended``, from the tree already parsed), whose reading may read libxml2's in another
    order (``_reads_all_of_in_any_order``). The mended reading scores better against
    Chromium (line F1 0.964 against 0.933 on 202 chained pages, each taken unguarded), but
    tried first it read worse than HTML5's on pages HTML5's reading is taken on: a probe of
    699 pages found 29 read worse, 20 of 80 of them pages laid out in a table's cell whose
    chained paragraphs hold a list or a table with text after it, which the mending left
    loose in the cell and trafilatura dropped (libxml2's reading had lost it too, so the
    check let it through; HTML5's reads it)."""

    def mended():
        held = [block for block in _blocks_in_paragraphs(as_parsed) if block.tag in _DROPPED_OUTSIDE_AN_ARTICLE]
        tree = _mended(as_parsed)
        _read_as_lines(held)
        return tree, _reads_all_of_in_any_order

    return (lambda: (_as_browsers_read(content), _reads_all_of), mended)


# Headings and lists trafilatura keeps only in an article's frame: between paragraphs
# read as loose text (a legacy chain's), it drops them.
_DROPPED_OUTSIDE_AN_ARTICLE = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl"})


def _read_as_lines(held: list) -> None:
    """Each heading of ``held`` (the blocks libxml2 put inside a chain's paragraphs) made a
    paragraph, and each list's items paragraphs in a division, where the mending lifted
    it out of the paragraph: the lines Chromium shows, which trafilatura read glued in
    libxml2's one line and dropped once lifted. One holding blocks is left as it is."""
    for block in held:
        if next(block.iterancestors("p"), None) is not None:
            continue
        if block.tag.startswith("h"):
            if not any(inner.tag in _BLOCKS for inner in block.iterdescendants()):
                block.tag = "p"
            continue
        items = [child for child in block if isinstance(child.tag, str)]
        if all(item.tag in ("li", "dt", "dd") and not any(inner.tag in _BLOCKS for inner in item.iterdescendants()) for item in items):
            block.tag = "div"
            for item in items:
                item.tag = "p"


def _reads_all_of(other: str, text: str) -> bool:
    """Whether the lines of ``other``, each taken whole where it goes on with ``text``, make
    up all of ``text``, white space aside: ``other`` reads what ``text`` reads, in the same
    order, broken into other lines (libxml2's one line of chained paragraphs may glue them,
    where HTML5's breaks the line between them), and may read lines of its own between
    (a table or a list among chained paragraphs, or paragraphs before them, which
    libxml2's reading had lost: anchors left open in a chain had it keep the last 7 of 20),
    but none after its last: a page's footer after a chain ("Copyright 1998 The Valley
    Gazette | Privacy | Terms"), which libxml2's reading, and that of the page written
    cleanly, leave out, is not let in. A line of ``other`` that holds some of ``text`` and
    something more does not go on with it: ``text`` is then not made up. One reading of
    each, left to right."""
    wanted = "".join(text.split())
    position = 0
    for line in other.splitlines():
        piece = "".join(line.split())
        if not piece:
            continue
        if wanted.startswith(piece, position):
            position += len(piece)
        elif position == len(wanted):
            return False  # a line of its own after the last
    return bool(wanted) and position == len(wanted)


def _reads_all_of_in_any_order(other: str, text: str) -> bool:
    """Whether the lines of ``other``, each found whole in ``text`` at a place no other line
    took and within one of its lines, cover all of ``text``, white space aside: ``other``
    reads what ``text`` reads, broken into other lines, in an order of its own, gluing none
    of its lines together (a footer's two rows read as one, ``all rights reservedLast
    updated``, or a table's cells); it may read lines of its own before and between, none
    after the last it found (a site's footer after a chain, as ``_reads_all_of``: lines of
    paragraphs, headings and rows had been let in there, and a probe found copyright lines
    so written let in). For the mended tree of a chain, which keeps the page's
    text in the order written: trafilatura reads a table or a list libxml2 put inside a chained
    paragraph after that paragraph's text, where Chromium shows it and the mended reading
    reads it in its place. The lines are placed in their order, each looked for from where
    the last was found; where that leaves some of ``text`` uncovered (a sentence the page
    also has as a paragraph of its own, placed inside a longer paragraph), placed again,
    the longest first, each looked for from where it was first found. The looking is bounded
    (``PLACING_PASSES``): past it, ``other`` is taken to differ, and libxml2's reading is
    kept."""
    lines = [line for line in ("".join(line.split()) for line in text.splitlines()) if line]
    wanted = "".join(lines)
    pieces = [piece for piece in ("".join(line.split()) for line in other.splitlines()) if piece]
    if not wanted or not pieces:
        return False
    ends = list(itertools.accumulate(len(line) for line in lines))
    budget = [PLACING_PASSES * len(wanted) + PLACING_FLOOR]
    places, position = [], 0
    for piece in pieces:
        place = _free_place(wanted, piece, position, [], budget, ends)
        if place < 0 and position:
            place = _free_place(wanted, piece, 0, [], budget, ends)
        places.append(place)
        if place >= 0:
            position = place + len(piece)
    if budget[0] < 0:
        return False
    in_order = range(len(pieces))
    longest_first = sorted(in_order, key=lambda index: -len(pieces[index]))
    return any(_covers(wanted, pieces, places, order, budget, ends) for order in (in_order, longest_first))


# How many times its length libxml2's reading may be looked through, all the lines of the
# other reading's placing counted (``_reads_all_of_in_any_order``): each line is found at
# once where the two read alike; a line of its own costs a look through the whole. A page
# of thousands of lines of its own would cost a look through for each (seconds for a
# large page); 32 looks through 2 MB take 8 ms. A short reading may be looked through for
# a million characters whatever its length (a millisecond).
PLACING_PASSES = 32
PLACING_FLOOR = 2**20


def _covers(wanted: str, pieces: list[str], hints: list[int], order, budget: list[int], ends: list[int]) -> bool:
    """Whether ``pieces``, placed in ``order`` at free places of ``wanted`` (each looked for
    from where it was first found; one found nowhere is not looked for again), each within
    a line (``ends``: where ``wanted``'s lines end), cover all of it within ``budget``, no
    piece after the last placed."""
    taken: list[tuple[int, int]] = []  # the places found, sorted
    covered, last = 0, -1
    for index in order:
        piece, hint = pieces[index], hints[index]
        place = -1 if hint < 0 else _free_place(wanted, piece, hint, taken, budget, ends)
        if place < 0 and hint > 0:
            place = _free_place(wanted, piece, 0, taken, budget, ends)
        if budget[0] < 0:
            return False
        if place >= 0:
            bisect.insort(taken, (place, place + len(piece)))
            covered, last = covered + len(piece), max(last, index)
    return covered == len(wanted) and last == len(pieces) - 1


def _free_place(wanted: str, piece: str, start: int, taken: list[tuple[int, int]], budget: list[int], ends: list[int]) -> int:
    """Where ``piece`` is in ``wanted`` from ``start`` on, overlapping none of ``taken`` and
    within one line (no end of a line, of ``ends``, inside it); -1. What is looked through
    is taken from ``budget``, and none once it is spent."""
    while budget[0] >= 0:
        place = wanted.find(piece, start)
        budget[0] -= (place if place >= 0 else len(wanted)) - start + len(piece)
        if place < 0:
            return -1
        index = bisect.bisect_right(taken, (place, len(wanted) + 1))
        before_free = index == 0 or taken[index - 1][1] <= place
        after_free = index == len(taken) or taken[index][0] >= place + len(piece)
        line = bisect.bisect_right(ends, place)
        within_a_line = line == len(ends) or ends[line] >= place + len(piece)
        if before_free and after_free and within_a_line:
            return place
        start = place + 1
    return -1


def extract_html(data: bytes, *, url: str | None = None, charset: str | None = None) -> tuple[str, dict, Encoding]:
    """(text, metadata, the encoding it was read in) of a page; metadata keys: title,
    authors, publisher, published_on (ISO date), url (canonical), language."""
    if len(data) > MAX_HTML_BYTES:
        raise ExtractionError(
            f"The HTML page is {len(data):,} bytes; pages over {MAX_HTML_BYTES // 2**20} MB are not read "
            "(finding the main content of a page costs time in proportion to its text).",
            code="too_large",
        )
    refuse_attribute_bombs(data)
    try:
        # Decoded once, here: the characters are sifted in the text, whatever the encoding
        # of the bytes.
        content, encoding = _decoded(data, charset)
        content = without_characters_xml_cannot_hold(content)
        tree, chained = refuse_element_floods(content)
        # libxml2's tree of a chain as parsed, mended if its reading is wanted (reading
        # the page changes the tree it reads).
        as_parsed = copy.deepcopy(tree) if chained else None
        document, text = _main_text(content, tree, url)
        if chained and document is not None:
            document, text = _chained_paragraphs_side_by_side(content, url, document, text, as_parsed)
        metadata, date_from_url = _metadata_of(content, url) if document is not None else (None, False)
    except ExtractionError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever the parser chokes on is a bad file
        logger.info("HTML extraction failed: %r", error)
        raise ExtractionError(
            "The HTML could not be read: its markup is broken past what the reader can mend. Saving the page "
            "again from a browser writes its markup whole.",
            code="unreadable_html",
        ) from error
    if document is None or not text.strip():
        raise _no_main_text()
    refuse_furniture_only(content, text)
    text = normalise_extracted(text)
    return text, {
        "title": metadata.title or "",
        "authors": metadata.author or "",
        "publisher": metadata.sitename or "",
        "publisher_from_url": bool(metadata.sitename) and metadata.sitename == host_name(metadata.url or ""),
        "published_on": metadata.date or "",
        "published_from_url": date_from_url,
        "url": metadata.url or "",
        "language": page_language(data) or (metadata.language or ""),
    }, encoding
