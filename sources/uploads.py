"""Uploads of source files: streamed to a temporary file, never held in memory, and
refused as soon as they pass ``MAX_SOURCE_MB``."""

from __future__ import annotations

import contextlib
import re

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.http import parse_header_parameters
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser

from project.errors import InvalidInput, storage_full_said

from .ingestion import max_source_bytes, too_large_error

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

    def new_file(self, field_name, file_name, *args, **kwargs):
        with storage_full_said():
            return super().new_file(field_name, file_name_as_chosen(file_name), *args, **kwargs)

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
        # The end of what was read, where a delimiter read in two parts begins; the body's
        # start is a line's (a body of no part is its close delimiter alone).
        self._tail = b"\n"
        self.received = 0
        self.closed = not boundary  # a body without parts has no closing delimiter to wait for

    def read(self, size=-1):
        return self._seen(self._stream.read(size))

    def readline(self, size=-1):  # what the request's iterator reads, as Django's parser drains it
        return self._seen(self._stream.readline(size))

    def _seen(self, data: bytes) -> bytes:
        self.received += len(data)
        if data and not self.closed:
            keep = len(self._close) - 1
            self.closed = self._close in data or self._close in self._tail + data[:keep]
            self._tail = data[-keep:] if len(data) >= keep else (self._tail + data)[-keep:]
        return data

    def cut_off(self) -> InvalidInput | None:
        """The refusal of a body that stopped before its end, read to its end first."""
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
        return None


def refuse_cut_off(body: WatchedBody, files) -> None:
    """Raises ``incomplete_upload`` for a body that stopped short, after closing the files
    already spooled from it (their temporary copies go at once)."""
    if error := body.cut_off():
        for upload in files.values():
            upload.close()
        raise error


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
        request.upload_handlers = [SourceFileUploadHandler(request._request)]
        body = WatchedBody(stream, request.META)
        parsed = super().parse(body, media_type, parser_context)
        refuse_cut_off(body, parsed.files)
        refuse_replaced_bytes(parsed.data)
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
