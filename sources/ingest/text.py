"""Plain text and Markdown: decoded and kept as they are (line endings made ``\\n``).

A file of ``SPOOLED_FROM`` bytes or more is decoded into a ``SpooledText`` (UTF-8 in a
temporary file, measured as it is written) rather than into a string: from the upload to
the database and back into the answer, its text never has to be in memory whole.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
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


# A text file this large or larger is decoded into a ``SpooledText``.
SPOOLED_FROM = 1 << 20


class SpooledText:
    """A text kept out of memory: UTF-8 in an anonymous temporary file (in the temporary
    directory, ``TMPDIR``; gone when closed or collected, or when the process ends), with
    what the database stores about it measured as it is written: its length in code
    points, the SHA-256 of its UTF-8 and its size in bytes.

    Written once (``write``), then read as often as needed, as bytes (``chunks``) or as
    text (``pieces``), a megabyte at a time. A lone surrogate is written as it came
    (``surrogatepass``), for the checks that read the pieces to refuse it."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._digest = hashlib.sha256()
        self.length = 0
        self.size = 0
        self.blank = True  # empty or only white space

    def write(self, piece: str) -> None:
        data = piece.encode("utf-8", "surrogatepass")
        self._file.write(data)
        self._digest.update(data)
        self.length += len(piece)
        self.size += len(data)
        if self.blank and piece and not piece.isspace():
            self.blank = False

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        """The text's UTF-8, ``size`` bytes at a time (a character may straddle two). Read
        by position: readers do not disturb one another."""
        self._file.flush()
        offset = 0
        while chunk := os.pread(self._file.fileno(), size, offset):
            offset += len(chunk)
            yield chunk

    def pieces(self, size: int = CHUNK) -> Iterator[str]:
        """The text, about ``size`` bytes of it at a time."""
        decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
        for chunk in self.chunks(size):
            if piece := decoder.decode(chunk):
                yield piece
        if piece := decoder.decode(b"", final=True):
            yield piece

    def utf8(self) -> bytes:
        """The whole text's UTF-8, read for the caller (a database that takes a value only
        whole: see ``sources.services``)."""
        self._file.flush()
        data = os.pread(self._file.fileno(), self.size, 0)
        return data if len(data) == self.size else b"".join(self.chunks())

    def read(self) -> str:
        """The whole text, as a string (for tests and small texts)."""
        return "".join(self.pieces())

    def close(self) -> None:
        self._file.close()

    def __repr__(self) -> str:
        return f"<SpooledText: {self.length:,} code points, {self.size:,} bytes>"


class _Joined:
    """Where a short text is decoded: pieces joined into a string at the end."""

    def __init__(self) -> None:
        self._pieces: list[str] = []

    def write(self, piece: str) -> None:
        self._pieces.append(piece)

    def close(self) -> None:
        self._pieces.clear()

    def result(self) -> str:
        return "".join(self._pieces)


def _decoded(stream: BinaryIO, encoding: str, ends: Callable[[str], str], *, spooled: bool = False) -> str | SpooledText:
    """The whole stream decoded as ``encoding`` (``UnicodeError`` if it is not: incremental
    decoders also raise its base class, e.g. for UTF-16 too short to hold a BOM),
    ``ends`` applied to each piece. A piece that ends in CR waits for the next, so that a
    CR LF split between two reads stays one line ending.

    Joined into a string, the pieces and the text are what is held at the peak: twice the
    text. ``spooled``, the text goes to a ``SpooledText`` a piece at a time: one piece is
    held."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    sink = SpooledText() if spooled else _Joined()
    pending = ""
    try:
        for chunk in _chunks(stream):
            piece = pending + decoder.decode(chunk)
            pending = "\r" if piece.endswith("\r") else ""
            sink.write(ends(piece[:-1] if pending else piece))
        sink.write(ends(pending + decoder.decode(b"", final=True)))
    except BaseException:
        sink.close()
        raise
    return sink if spooled else sink.result()


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    return stream.tell()


def read_text(
    stream: BinaryIO, *, charset: str | None = None, ends: Callable[[str], str] = line_endings, spooled: bool = False
) -> str | SpooledText:
    """The text of the file at ``stream`` (seekable), read a chunk at a time: by its byte
    order mark, else UTF-8, else the declared charset, else the encoding charset-normalizer
    finds; ``ends`` (line endings made ``\\n``) applied as it is read; a ``SpooledText``
    when ``spooled``. Binary data (NUL bytes) is refused."""
    decoded = functools.partial(_decoded, ends=ends, spooled=spooled)
    stream.seek(0)
    head = stream.read(4)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            try:
                return decoded(stream, encoding)
            except UnicodeError as error:
                raise ExtractionError(f"The file starts as {encoding} text but is not valid {encoding}.", code="undecodable_text") from error
    if any(b"\x00" in chunk for chunk in _chunks(stream)):
        raise ExtractionError("The file holds binary data, not text (it contains NUL bytes).", code="unsupported_type")
    try:
        return decoded(stream, "utf-8")
    except UnicodeError:
        pass
    declared = _known_codec(charset)
    if declared:
        try:
            return decoded(stream, _without_bom(declared))
        except UnicodeError:
            pass
    stream.seek(0)
    best = from_bytes(stream.read(GUESSED_FROM)).best()
    if best is not None and best.encoding:
        try:
            return decoded(stream, _without_bom(best.encoding))
        except (UnicodeError, LookupError):
            pass
    raise ExtractionError("The file is not text in any encoding that could be recognised.", code="undecodable_text")


def decode(data: bytes, *, charset: str | None = None) -> str:
    """The text of ``data`` as it is (line endings too); see ``read_text``."""
    return read_text(io.BytesIO(data), charset=charset, ends=str)


def extract_text(stream: BinaryIO, *, charset: str | None = None) -> str | SpooledText:
    """The text of the file at ``stream``, line endings made ``\\n``: a ``SpooledText``
    from ``SPOOLED_FROM`` bytes on."""
    return read_text(stream, charset=charset, spooled=_size(stream) >= SPOOLED_FROM)
