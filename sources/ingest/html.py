"""HTML: the main content, without navigation, menus, cookie banners, comments or
footers (trafilatura), and the page's metadata."""

from __future__ import annotations

import logging
import re

from trafilatura import bare_extraction, extract_metadata
from trafilatura.settings import use_config

from .errors import ExtractionError
from .normalise import normalise_extracted

logger = logging.getLogger(__name__)

# The size of what is read is bounded by MAX_SOURCE_MB before it gets here; trafilatura's
# own cap (20 MB) would refuse a large page without saying so.
_CONFIG = use_config()
_CONFIG.set("DEFAULT", "MAX_FILE_SIZE", str(2**40))
_TAG = rb"([A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*)"
_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*(?:\"\s*%s\s*\"|'\s*%s\s*'|%s(?=[\s>]))" % (_TAG, _TAG, _TAG), re.IGNORECASE)


# Real pages, scripts and all, stay well below this; a page of pure text this size takes
# about a minute and a half to sift (see bench/RESULTS.md).
MAX_HTML_BYTES = 10 * 2**20
# libxml2 checks each attribute of a tag against the others: a tag with a hundred thousand
# attributes takes minutes to parse. No real page has more than a few dozen.
MAX_ATTRIBUTES = 1000
_LONG_TAG = re.compile(rb"<[A-Za-z][^<>]{%d,}>" % (MAX_ATTRIBUTES * 3))
_ATTRIBUTE = re.compile(rb"[\s\"'][^\s\"'=<>/]+\s*=")


def refuse_attribute_bombs(data: bytes) -> None:
    """A tag with more than ``MAX_ATTRIBUTES`` attributes is refused before parsing."""
    for tag in _LONG_TAG.finditer(data):
        count = len(_ATTRIBUTE.findall(tag.group(0)))
        if count > MAX_ATTRIBUTES:
            raise ExtractionError(
                f"The HTML has a tag with {count:,} attributes (at most {MAX_ATTRIBUTES:,} are read).",
                code="unreadable_html",
            )


def page_language(data: bytes) -> str:
    """The ``lang`` of the ``<html>`` element, as a BCP 47 tag (``pt_BR`` -> ``pt-BR``)."""
    match = _LANG.search(data[:64 * 1024])
    if not match:
        return ""
    return next(group for group in match.groups() if group).decode("ascii").replace("_", "-")


# Metadata is read from the start of the page, without scripts and styles (JSON-LD kept):
# where titles, bylines and dates are, and the cost no longer grows with the page's text
# (on a 2 MB page, reading metadata from all of it took twice as long as the main content).
METADATA_BYTES = 512 * 1024
_SCRIPTS_AND_STYLES = re.compile(
    rb"<script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL
)


def _metadata_of(content: bytes | str, url: str | None):
    if isinstance(content, str):
        content = content.encode("utf-8")
    # Dates only from markup (meta tags, <time>, the URL): a year guessed from the prose
    # would be worse than none.
    return extract_metadata(_SCRIPTS_AND_STYLES.sub(b"", content)[:METADATA_BYTES], default_url=url, extensive=False)


def extract_html(data: bytes, *, url: str | None = None, charset: str | None = None) -> tuple[str, dict]:
    """(text, metadata) of a page; metadata keys: title, authors, publisher, published_on
    (ISO date), url (canonical), language."""
    if len(data) > MAX_HTML_BYTES:
        raise ExtractionError(
            f"The HTML page is {len(data):,} bytes; pages over {MAX_HTML_BYTES // 2**20} MB are not read "
            "(finding the main content of a page costs time in proportion to its text).",
            code="too_large",
        )
    refuse_attribute_bombs(data)
    content: bytes | str = data
    if charset:
        try:
            content = data.decode(charset, errors="replace")
        except LookupError:
            content = data
    try:
        document = bare_extraction(
            content,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            config=_CONFIG,
        )
        metadata = _metadata_of(content, url) if document is not None else None
    except Exception as error:  # noqa: BLE001 - whatever the parser chokes on is a bad file
        logger.info("HTML extraction failed: %r", error)
        raise ExtractionError(f"The HTML could not be read ({type(error).__name__}).", code="unreadable_html") from error
    if document is None or not (document.text or "").strip():
        raise ExtractionError(
            "No main text was found in the HTML (a page of navigation only, or one built by scripts).",
            code="no_main_text",
        )
    text = normalise_extracted(document.text)
    return text, {
        "title": metadata.title or "",
        "authors": metadata.author or "",
        "publisher": metadata.sitename or "",
        "published_on": metadata.date or "",
        "url": metadata.url or "",
        "language": page_language(data) or (metadata.language or ""),
    }
