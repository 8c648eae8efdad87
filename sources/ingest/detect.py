"""What kind of document a file is: from its bytes first, its declared type and name after."""

from __future__ import annotations

import re

from .encoding import by_mark

PLAIN, MARKDOWN, HTML, PDF = "text/plain", "text/markdown", "text/html", "application/pdf"
MEDIA_TYPES = (PLAIN, MARKDOWN, HTML, PDF)

_EXTENSIONS = {
    ".txt": PLAIN,
    ".text": PLAIN,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".pdf": PDF,
}
_DECLARED = {
    "text/plain": PLAIN,
    "text/markdown": MARKDOWN,
    "text/x-markdown": MARKDOWN,
    "text/html": HTML,
    "application/xhtml+xml": HTML,
    "application/pdf": PDF,
}
# Declarations that say nothing about the content.
_UNINFORMATIVE = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}
# A PDF starts with its signature; readers find it anywhere in the first 1,024 bytes (ISO
# 32000-1, annex H), after junk some producers write first.
_PDF_SIGNATURE = b"%PDF-"
_PDF_SIGNATURE_WITHIN = 1024
# Markup at the start, after white space and comments: a doctype of HTML or one of the
# elements a page starts with. XHTML starts with an XML declaration (``<?xml version="1.0"
# encoding="utf-8"?>``), then perhaps processing instructions (a style sheet), comments and its
# doctype; after one, only a doctype of HTML or an ``<html>`` element makes a page: other XML
# (an RSS feed, ``<rss>``; an Atom feed, ``<feed>``) is no page, and stays what it was.
# A comment ends at its first "-->" (an atomic group): a head of thousands of comments that
# leads to no markup is given up on at once, not after trying every way of joining them
# (``(<!--.*?-->\s*)*`` took seconds for twenty, for ever for the 1,170 of 8 KB).
_COMMENT = rb"(?><!--.*?-->)"
_HTML_START = re.compile(
    rb"^\s*(?:"
    rb"<\?xml\s[^>]{0,1024}\?>(?:\s*(?:%s|<\?[^>]{0,1024}\?>))*\s*<(?:!doctype\s+html|html)[\s>]"
    rb"|(?:%s\s*)*<(?:!doctype\s+html|html|head|body|meta|title)[\s>]"
    rb")" % (_COMMENT, _COMMENT),
    re.IGNORECASE | re.DOTALL,
)
# XHTML sent as XML (``application/xml``, ``text/xml``): after its prolog (an XML
# declaration, processing instructions, comments, a doctype), a root ``<html>`` in the
# XHTML namespace. Other XML (a feed, an SVG image, data) is no page.
_XML = {"application/xml", "text/xml"}
_XHTML_ROOT = re.compile(
    rb"^\s*(?:(?:%s|<\?[^>]{0,1024}\?>|<!doctype\s[^>]{0,1024}>)\s*)*"
    rb"<html\s[^>]{0,4096}?(?<=\s)xmlns\s*=\s*([\"'])http://www\.w3\.org/1999/xhtml\1" % _COMMENT,
    re.IGNORECASE | re.DOTALL,
)
# Signatures of common formats that are not supported, so that a refusal can name them.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"{\\rtf", "an RTF document"),
)


def _extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].lower()
    return name[name.rfind(".") :] if "." in name else ""


def _is_pdf(head: bytes, declared: str, filename: str) -> bool:
    """A PDF signature at the start makes a PDF, whatever was declared. One further in
    counts only in a file declared or named a PDF, or declared and named as nothing in
    particular: a Markdown note or a page that quotes ``%PDF-1.7`` near its start is not a
    PDF."""
    if head.startswith(_PDF_SIGNATURE):
        return True
    if _PDF_SIGNATURE not in head[:_PDF_SIGNATURE_WITHIN]:
        return False
    named = _EXTENSIONS.get(_extension(filename))
    return PDF in (_DECLARED.get(declared), named) or (declared in _UNINFORMATIVE and named is None)


def _as_utf8(head: bytes) -> bytes:
    """``head`` in UTF-8, for the patterns of markup to read: without its byte order mark,
    and decoded from the UTF-16 or UTF-32 that mark names (a page in UTF-16 is ``<`` and a
    zero byte, ``h`` and a zero byte...). A character cut at the end is U+FFFD."""
    marked = by_mark(head)
    if marked is None:
        return head
    return head.decode(marked.codec, "replace").lstrip("\ufeff").encode("utf-8")


def describe_binary(head: bytes) -> str | None:
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            return description
    return None


def detect_media_type(head: bytes, *, declared_type: str = "", filename: str = "") -> str:
    """One of ``MEDIA_TYPES`` for a file starting with ``head`` (its first few kilobytes),
    or ``""`` when the content is of no supported type.

    A PDF signature at the start makes a PDF and a known binary signature refuses, whatever
    was declared (declarations are often wrong); a PDF signature further in, only where the
    declaration allows it (``_is_pdf``). Otherwise a declared HTML type or name, XHTML
    declared as XML (``_XHTML_ROOT``), or markup at the start of a file declared as nothing
    in particular (XHTML's after its XML declaration: ``_HTML_START``), makes HTML; the
    markup is read in the UTF-16 or UTF-32 a byte order mark names, as in UTF-8. A declared
    (or named) Markdown file is Markdown; the rest is plain text, if it is text at all
    (decided when it is decoded).
    """
    declared = declared_type.split(";")[0].strip().lower()
    if _is_pdf(head, declared, filename):
        return PDF
    if describe_binary(head):
        return ""
    markup = _as_utf8(head)
    if declared in _XML and _XHTML_ROOT.match(markup):
        return HTML
    claimed = _DECLARED.get(declared) or _EXTENSIONS.get(_extension(filename))
    if declared not in _UNINFORMATIVE and declared not in _DECLARED and not declared.startswith("text/"):
        # Declared as an image, audio, an archive...: not a document we read.
        return ""
    if claimed == PDF:
        return ""  # declared a PDF, but without the signature: not one
    if claimed in (HTML, MARKDOWN):
        return claimed
    if claimed is None and _HTML_START.match(markup):
        return HTML
    return PLAIN
