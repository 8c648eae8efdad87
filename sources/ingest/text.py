"""Plain text and Markdown: decoded and kept as they are (line endings made ``\\n``), in the
encoding ``sources.ingest.encoding`` chooses.

A file of ``SPOOLED_FROM`` bytes or more is decoded into a ``SpooledText`` (UTF-8 in a
temporary file, measured as it is written) rather than into a string: from the upload to
the database and back into the answer, its text never has to be in memory whole.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

from project.validation import normalise_line_endings

from ..language import UNSPACED_LETTER
from .encoding import Encoding, choose, mostly_replaced, unreadable
from .errors import ExtractionError

# Read and decoded this much at a time: the file's bytes are never all in memory at once.
CHUNK = 1 << 20


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


# UTF-32 first: its text reads as UTF-16 too (with NUL characters).
_WITHOUT_MARK = ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be")


def _unicode_without_mark(data: bytes) -> str:
    """The UTF-16 or UTF-32 that ``data`` (a file's start, holding zero bytes) reads as text
    in, without a byte order mark: all of it decodes, with no NUL and nearly nothing but
    letters, marks, digits, punctuation and spaces; "" if none does."""
    for encoding in _WITHOUT_MARK:
        unit = 4 if "32" in encoding else 2
        sample = data[: min(len(data), 4096) // unit * unit]
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        readable = sum(character.isprintable() or character in "\t\n\r" for character in text)
        # Words: spaced, or in a script written without spaces; and more than a few letters.
        worded = any(character.isspace() for character in text) or len(UNSPACED_LETTER.findall(text)) >= len(text) / 2
        if len(set(text)) >= 8 and "\x00" not in text and readable >= 0.98 * len(text) and worded:
            return encoding.replace("-le", "le").replace("-be", "be")
    return ""


def _binary_data(data: bytes = b"") -> ExtractionError:
    """The refusal of a file holding zero bytes, or none but no text either: ``data`` (its
    start) named as UTF-16 or UTF-32 without a byte order mark where it reads as such."""
    if encoding := _unicode_without_mark(data):
        return ExtractionError(
            f"The file looks like {encoding.upper()} text without a byte order mark, which is not guessed: "
            f"send it with its charset (text/plain; charset={encoding}), or save it with a byte order mark.",
            code="unsupported_type",
        )
    return ExtractionError("The file holds binary data, not text (it contains NUL bytes).", code="unsupported_type")


def _decoded(stream: BinaryIO, encoding: Encoding, ends: Callable[[str], str], *, spooled: bool = False) -> str | SpooledText:
    """The whole stream decoded as ``encoding`` (an invalid sequence made U+FFFD, as a
    browser shows it), ``ends`` applied to each piece; binary data (a zero byte, in an
    encoding whose text has none) refused, however far into the file. A NUL character of
    UTF-16 or UTF-32 text is text: the source's validation refuses it (``null_character``).
    A piece that ends in CR waits for the next, so that a CR LF split between two reads
    stays one line ending. A text that reads as mostly U+FFFD is refused
    (``undecodable_text``): it was not read (``encoding.mostly_replaced``).

    Joined into a string, the pieces and the text are what is held at the peak: twice the
    text. ``spooled``, the text goes to a ``SpooledText`` a piece at a time: one piece is
    held."""
    decoder = encoding.decoder()
    sink = SpooledText() if spooled else _Joined()
    pending = ""
    replaced = length = 0
    try:
        for chunk in _chunks(stream):
            if not encoding.has_zero_bytes and b"\x00" in chunk:
                raise _binary_data(chunk)
            piece = pending + decoder.decode(chunk)
            pending = "\r" if piece.endswith("\r") else ""
            piece = piece[:-1] if pending else piece
            replaced, length = replaced + piece.count("\ufffd"), length + len(piece)
            sink.write(ends(piece))
        piece = pending + decoder.decode(b"", final=True)
        replaced, length = replaced + piece.count("\ufffd"), length + len(piece)
        sink.write(ends(piece))
        if mostly_replaced(replaced, length):
            raise unreadable(encoding)
    except UnicodeError as error:
        # Python's ISO-2022-JP reader gives up on a long run of broken escape sequences
        # split between two reads.
        sink.close()
        raise ExtractionError(f"The file is not readable as {encoding.name} text.", code="undecodable_text") from error
    except BaseException:
        sink.close()
        raise
    return sink if spooled else sink.result()


def _size(stream: BinaryIO) -> int:
    stream.seek(0, os.SEEK_END)
    return stream.tell()


def read_text(
    stream: BinaryIO, *, charset: str | None = None, ends: Callable[[str], str] = normalise_line_endings, spooled: bool = False
) -> str | SpooledText:
    """The text of the file at ``stream`` (seekable), read a chunk at a time in the encoding
    ``encoding.choose`` finds from its first bytes (``encoding.GUESSED_FROM``) and the
    declared ``charset`` (its byte order mark, else the declaration, else UTF-8, else a guess);
    ``ends`` (CR LF and CR made ``\\n``, nothing else) applied as it is read; a ``SpooledText`` when
    ``spooled``. Binary data (NUL bytes) is refused, bytes in no encoding recognised, and a text
    that reads as mostly U+FFFD."""
    return _decoded(stream, _encoding(stream, charset), ends, spooled=spooled)


def _encoding(stream: BinaryIO, charset: str | None) -> Encoding:
    """The encoding ``encoding.choose`` finds for the file at ``stream``; refused when none
    fits (binary data, or bytes in no encoding recognised)."""
    encoding = choose(stream, charset)
    if encoding is None:
        if (binary := next((chunk for chunk in _chunks(stream) if b"\x00" in chunk), None)) is not None:
            raise _binary_data(binary)
        stream.seek(0)
        if _unicode_without_mark(head := stream.read(4096)):  # UTF-16 of a script without zero bytes
            raise _binary_data(head)
        raise ExtractionError("The file is not text in any encoding that could be recognised.", code="undecodable_text")
    return encoding


def decode(data: bytes, *, charset: str | None = None) -> str:
    """The text of ``data`` as it is (line endings too); see ``read_text``."""
    return read_text(io.BytesIO(data), charset=charset, ends=str)


def extract_text(stream: BinaryIO, *, charset: str | None = None) -> tuple[str | SpooledText, Encoding]:
    """The text of the file at ``stream``, line endings made ``\\n`` (a ``SpooledText``
    from ``SPOOLED_FROM`` bytes on), and the encoding it was read in (see ``read_text``)."""
    encoding = _encoding(stream, charset)
    return _decoded(stream, encoding, normalise_line_endings, spooled=_size(stream) >= SPOOLED_FROM), encoding
