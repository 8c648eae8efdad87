"""Uploads of source files: streamed to a temporary file, never held in memory, and
refused as soon as they pass ``MAX_SOURCE_MB``."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import TypeVar

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParserError
from django.utils.http import parse_header_parameters
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import MultiPartParser

from project.errors import InvalidInput, storage_full_said

from .ingestion import max_source_bytes, too_large_error

T = TypeVar("T")

# Room for the multipart envelope and the metadata fields around the file.
ENVELOPE_BYTES = 1024 * 1024


# What a browser escapes in a multipart file name (the HTML standard's form-data encoding):
# a quotation mark, CR and LF, and nothing else. A title is one line: a line break is a space.
_ESCAPED_BY_BROWSERS = re.compile("%22|(?:%0D|%0A)+", re.IGNORECASE)


def file_name_as_chosen(name: str | None) -> str | None:
    """The name of the file the user chose, where a browser sent it escaped: ``Report
    "Final" 2024.txt`` arrives as ``Report %22Final%22 2024.txt``, and gave that title."""
    return _ESCAPED_BY_BROWSERS.sub(lambda match: '"' if match.group() == "%22" else " ", name) if name else name


class SourceFileUploadHandler(TemporaryFileUploadHandler):
    """Every file part goes to a temporary file on disk, chunk by chunk; a file larger
    than the limit stops the upload with a 400 ``too_large``, a full disk with a 507
    ``storage_full``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spooled = []  # every temporary file of the upload, to discard if it is refused

    def new_file(self, field_name, file_name, *args, **kwargs):
        with storage_full_said():
            made = super().new_file(field_name, file_name_as_chosen(file_name), *args, **kwargs)
        self.spooled.append(self.file)
        return made

    def discard(self) -> None:
        """Closes, and so removes, every temporary file of a refused upload: left to the
        garbage collector (rare in a server, ``gunicorn.conf.py``), each would hold up to
        ``MAX_SOURCE_MB`` of disk and a descriptor after the refusal was answered."""
        for spooled in self.spooled:
            spooled.close()

    def receive_data_chunk(self, raw_data, start):
        with self._removed_if_refused():
            if start + len(raw_data) > max_source_bytes():
                raise too_large_error()
            with storage_full_said():
                return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        with self._removed_if_refused(), storage_full_said():  # the last buffered write reaches the disk here
            return super().file_complete(file_size)

    @contextlib.contextmanager
    def _removed_if_refused(self):
        """A refused file's temporary copy goes at once (Django's parser closes files only
        for its own ``StopUpload``): left to the garbage collector, each refused upload
        would hold up to ``MAX_SOURCE_MB`` of disk until a collection ran."""
        try:
            yield
        except BaseException:
            self.upload_interrupted()
            raise


class WatchedBody:
    """A multipart request body as the parser reads it, watched for its end.

    Django's multipart parser takes a body that stops short (the client announced N bytes
    in ``Content-Length`` and closed the connection after fewer; or the body ends before
    its closing boundary) for a complete one: the file part it was reading is dropped, and
    the request would be answered "No file was submitted". Counting the bytes and looking
    for the closing delimiter as they pass tells the two apart."""

    def __init__(self, stream, meta):
        self._stream = stream
        try:
            self.announced = int(meta.get("CONTENT_LENGTH") or 0) or None
        except ValueError:
            self.announced = None
        media_type, parameters = parse_header_parameters(meta.get("CONTENT_TYPE", ""))
        boundary = parameters.get("boundary", "") if media_type.startswith("multipart/") else ""
        # The close delimiter begins a line (RFC 2046: CRLF, then "--boundary--"); the same
        # dashes within a line, in the file's text or a preamble, are no end of the body. A
        # bare LF before it is taken too: a body of LF line ends, which Django's parser does
        # not read, is answered as it was ("No file was submitted"), not as one cut off.
        self._close = b"\n--" + boundary.encode("ascii", "replace") + b"--"
        # The boundary's dashes and name anywhere: within a line, Django's parser takes them
        # for a delimiter too and ends the part there (a file stored cut, with a 201), where
        # RFC 2046 has them begin a line, and the sender choose a boundary its content lacks.
        self._dashes = b"--" + boundary.encode("ascii", "replace") if boundary else b""
        # The end of what was read, where a delimiter read in two parts begins; the body's
        # start is a line's (a body of no part is its close delimiter alone).
        self._tail = b"\n"
        self.received = 0
        self.closed = not boundary  # a body without parts has no closing delimiter to wait for
        self.boundary_in_a_line = False

    def read(self, size=-1):
        return self._seen(self._stream.read(size))

    def readline(self, size=-1):  # what the request's iterator reads, as Django's parser drains it
        return self._seen(self._stream.readline(size))

    def _seen(self, data: bytes) -> bytes:
        self.received += len(data)
        if data and self._dashes:
            # The tail keeps the close delimiter but its last byte, and the byte before any
            # boundary not wholly read before: each is looked for once, where it ends.
            window = self._tail + data
            if not self.closed:
                self.closed = self._close in window
            if not self.boundary_in_a_line:
                self.boundary_in_a_line = _within_a_line(window, self._dashes, max(0, len(self._tail) - len(self._dashes) + 1))
            self._tail = window[-(len(self._close) - 1) :]
        return data

    def drain(self) -> None:
        """Reads what the parser left of the body, to tell a body cut off from one it could
        not read."""
        while self.read(64 * 1024):
            pass

    def refusal(self) -> InvalidInput | None:
        """The refusal of a body, read to its end first: one that stopped before its end,
        or that holds its boundary within a line."""
        if self.announced is not None and self.received < self.announced:
            return InvalidInput(
                f"The upload was incomplete: the request ended after {self.received:,} of the "
                f"{self.announced:,} bytes it announced (Content-Length), cut off before its end. Send the file again.",
                code="incomplete_upload",
                extra={"received_bytes": self.received, "expected_bytes": self.announced},
            )
        if not self.closed:
            return InvalidInput(
                "The upload was incomplete: the request ended before the closing boundary of its multipart "
                "body, cut off before its end. Send the file again.",
                code="incomplete_upload",
                extra={"received_bytes": self.received},
            )
        if self.boundary_in_a_line:
            return InvalidInput(
                f"The multipart body holds its boundary ({self._dashes[:80].decode('ascii', 'replace')!r}) "
                "within a line, where it cannot tell where the file ends (RFC 2046: a boundary begins a line, "
                "and the sender chooses one its content does not hold). Send it with another boundary, as "
                "browsers and HTTP libraries choose.",
                code="parse_error",
            )
        return None


def _within_a_line(data: bytes, dashes: bytes, start: int) -> bool:
    """Whether ``dashes`` (a boundary's) occurs in ``data`` from ``start`` on, but at a
    line's start."""
    at = data.find(dashes, start)
    while at != -1:
        if at == 0 or data[at - 1] != 0x0A:  # a line feed, CRLF's or alone
            return True
        at = data.find(dashes, at + 1)
    return False


def read_upload(read: Callable[[], T], body: WatchedBody, handler: SourceFileUploadHandler) -> T:
    """What ``read`` parses of a multipart ``body`` (the parser reading it through
    ``handler``), or its refusal: a body cut off (``incomplete_upload``) or holding its
    boundary within a line, and a parser's error, said so where the body tells why. The
    temporary files of a refused body go at once, whatever refused it."""
    try:
        parsed = read()
        if refusal := body.refusal():
            raise refusal
    except (MultiPartParserError, ParseError) as error:  # Django's parser's, and the API's for it
        handler.discard()
        body.drain()
        if refusal := body.refusal():
            raise refusal from error
        raise
    except BaseException:
        handler.discard()
        raise
    return parsed


class SourceUploadParser(MultiPartParser):
    """multipart/form-data whose files stream to disk (``SourceFileUploadHandler``); a body
    that announces more than the limit is refused before it is read, one that stops short
    of its end once it is (``incomplete_upload``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_source_bytes() + ENVELOPE_BYTES:
            raise too_large_error(length)
        handler = SourceFileUploadHandler(request._request)
        request.upload_handlers = [handler]
        body = WatchedBody(stream, request.META)
        parsed = read_upload(lambda: super(SourceUploadParser, self).parse(body, media_type, parser_context), body, handler)
        refuse_replaced_bytes(parsed.data)  # the files parsed are the request's, closed when it ends
        return parsed


NOT_UTF8 = (
    "Holds U+FFFD, the replacement character, which bytes that are not UTF-8 are read as: send the field in "
    "UTF-8, without it."
)
# A source's one-line metadata: where a replacement mark is never meant. Its text and notes
# may quote one (a text extracted from a damaged file holds some).
METADATA_FIELDS = frozenset({"title", "authors", "publisher", "url", "language", "published_on", "retrieved_at", "kind", "reliability"})


def replaced_bytes(fields) -> list[str]:
    """The names of the metadata fields (of a ``QueryDict``) that hold U+FFFD. Django's
    parsers read a form field's bytes that are not UTF-8 as U+FFFD, and the value would be
    stored with marks where its letters were; they cannot tell bytes they replaced from the
    character sent as such, so a metadata field holding it is refused by name. (JSON bodies
    that are not UTF-8 are refused whole by their parser.)"""
    return [
        name for name, values in fields.lists() if name in METADATA_FIELDS and any("\ufffd" in value for value in values)
    ]


def refuse_replaced_bytes(fields) -> None:
    """The API's refusal: a 400 naming each field."""
    if replaced := replaced_bytes(fields):
        raise serializers.ValidationError({name: [NOT_UTF8] for name in replaced})


def add_replaced_bytes_errors(form) -> None:
    """The admin's: each field the form has, refused on the page."""
    for name in replaced_bytes(form.data):
        if name in form.fields:
            form.add_error(name, NOT_UTF8)


def upload_body_limit() -> int:
    """The largest request body that may carry a source file: the file and its envelope."""
    return max_source_bytes() + ENVELOPE_BYTES
