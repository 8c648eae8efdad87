"""Uploads of source files: streamed to a temporary file, never held in memory, and
refused as soon as they pass ``MAX_SOURCE_MB``."""

from __future__ import annotations

import contextlib
import re

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser

from project.errors import storage_full_said

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


class SourceUploadParser(MultiPartParser):
    """multipart/form-data whose files stream to disk (``SourceFileUploadHandler``); a body
    that announces more than the limit is refused before it is read."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_source_bytes() + ENVELOPE_BYTES:
            raise too_large_error(length)
        request.upload_handlers = [SourceFileUploadHandler(request._request)]
        parsed = super().parse(stream, media_type, parser_context)
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
