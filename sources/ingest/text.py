"""Plain text and Markdown: decoded and kept as they are (line endings made ``\\n``)."""

from __future__ import annotations

import codecs
from typing import BinaryIO

from charset_normalizer import from_bytes

from .errors import ExtractionError
from .normalise import line_endings

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(data: bytes, *, charset: str | None = None) -> str:
    """The text of ``data``: by its byte order mark, else UTF-8, else the declared charset,
    else the encoding charset-normalizer finds. Binary data (NUL bytes) is refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise ExtractionError(f"The file starts as {encoding} text but is not valid {encoding}.", code="undecodable_text") from error
    if b"\x00" in data:
        raise ExtractionError("The file holds binary data, not text (it contains NUL bytes).", code="unsupported_type")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _known_codec(charset)
    if declared:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    best = from_bytes(data[: 4 * 1024 * 1024]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise ExtractionError("The file is not text in any encoding that could be recognised.", code="undecodable_text")


def extract_text(stream: BinaryIO, *, charset: str | None = None) -> str:
    """The text of the file at ``stream`` (at its start), line endings made ``\\n``.

    The bytes are let go as soon as they are decoded, before the line endings are changed:
    a file and its text are the most that is held at once (a 50 MB file, about 100 MB)."""
    data = stream.read()
    text = decode(data, charset=charset)
    del data
    return line_endings(text)
