"""Plain text and Markdown: decoded and kept as they are (line endings made ``\\n``)."""

from __future__ import annotations

import codecs
import io
import sys
from collections.abc import Callable
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


# Read and decoded this much at a time: the file's bytes are never all in memory at once.
CHUNK = 1 << 20
# charset-normalizer guesses an encoding from this much of the start of the file.
GUESSED_FROM = 4 * 1024 * 1024


def _without_bom(encoding: str) -> str:
    """The codec that reads text without a byte order mark as ``bytes.decode`` does:
    UTF-16 and UTF-32 in the machine's byte order (their incremental decoders refuse it)."""
    name = codecs.lookup(encoding).name
    if name in ("utf-16", "utf-32"):
        return f"{name}-{'le' if sys.byteorder == 'little' else 'be'}"
    return encoding


def _chunks(stream: BinaryIO):
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        yield chunk


def _decoded(stream: BinaryIO, encoding: str, ends: Callable[[str], str]) -> str:
    """The whole stream decoded as ``encoding`` (``UnicodeError`` if it is not: incremental
    decoders also raise its base class, e.g. for UTF-16 too short to hold a BOM),
    ``ends`` applied to each piece. A piece that ends in CR waits for the next, so that a
    CR LF split between two reads stays one line ending. The pieces and the text they are
    joined into are what is held at the peak: twice the text, never the file besides."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    pieces: list[str] = []
    pending = ""
    for chunk in _chunks(stream):
        piece = pending + decoder.decode(chunk)
        pending = "\r" if piece.endswith("\r") else ""
        pieces.append(ends(piece[:-1] if pending else piece))
    pieces.append(ends(pending + decoder.decode(b"", final=True)))
    return "".join(pieces)


def read_text(stream: BinaryIO, *, charset: str | None = None, ends: Callable[[str], str] = line_endings) -> str:
    """The text of the file at ``stream`` (seekable), read a chunk at a time: by its byte
    order mark, else UTF-8, else the declared charset, else the encoding charset-normalizer
    finds; ``ends`` (line endings made ``\\n``) applied as it is read. Binary data (NUL
    bytes) is refused."""
    stream.seek(0)
    head = stream.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            try:
                return _decoded(stream, encoding, ends)
            except UnicodeError as error:
                raise ExtractionError(f"The file starts as {encoding} text but is not valid {encoding}.", code="undecodable_text") from error
    if any(b"\x00" in chunk for chunk in _chunks(stream)):
        raise ExtractionError("The file holds binary data, not text (it contains NUL bytes).", code="unsupported_type")
    try:
        return _decoded(stream, "utf-8", ends)
    except UnicodeError:
        pass
    declared = _known_codec(charset)
    if declared:
        try:
            return _decoded(stream, _without_bom(declared), ends)
        except UnicodeError:
            pass
    stream.seek(0)
    best = from_bytes(stream.read(GUESSED_FROM)).best()
    if best is not None and best.encoding:
        try:
            return _decoded(stream, _without_bom(best.encoding), ends)
        except (UnicodeError, LookupError):
            pass
    raise ExtractionError("The file is not text in any encoding that could be recognised.", code="undecodable_text")


def decode(data: bytes, *, charset: str | None = None) -> str:
    """The text of ``data`` as it is (line endings too); see ``read_text``."""
    return read_text(io.BytesIO(data), charset=charset, ends=str)


def extract_text(stream: BinaryIO, *, charset: str | None = None) -> str:
    """The text of the file at ``stream``, line endings made ``\\n``."""
    return read_text(stream, charset=charset)
