"""Which encoding the bytes of a text file or a web page are read in: one rule for plain
text, Markdown and HTML, a browser's wherever a browser has one (the WHATWG Encoding
Standard, and HTML's way of finding a page's encoding), so that the stored text is what a
reader of the original sees, and an analyst's quote copied from it is found in it.

1. A byte order mark (UTF-8, UTF-16 or UTF-32) decides, whatever was declared: a browser
   reads it before anything else.
2. Else the first declaration, in order: the charset the file came with (HTTP), then a
   page's ``<meta charset>``. A label means what the Encoding Standard maps it to:
   ``iso-8859-1``, ``latin1``, ``us-ascii`` and ``ascii`` are windows-1252, as browsers
   read them (pages declared Latin-1 are full of cp1252's curly quotes and dashes). UTF-32's
   labels, which the standard leaves out, are honoured too. Any other label (unknown, or one
   of Python's codecs that is not a text encoding: ``base64``, ``zlib``, ``idna``) is no
   declaration. A declaration of UTF-8 the bytes contradict (see 3) is set aside: a
   browser would show U+FFFD where a page in a legacy encoding has its accented letters.
   So is a legacy declaration the bytes contradict: bytes that are valid UTF-8 throughout,
   beyond ASCII, are UTF-8 (but where UTF-16 or UTF-32 is declared). Here a browser would
   show "CafÃ©", but the fault is the server's (old servers label every file Latin-1),
   the author wrote "Café", and text in a legacy encoding is almost never valid UTF-8
   beyond a coincidence or two.
   A declaration of UTF-16 or UTF-32 (without a byte order mark) the bytes contradict is
   set aside too, and the bytes read by the rules that follow: a UTF-16 file has an even
   number of bytes, a UTF-32 file a multiple of four, neither an invalid sequence (UTF-16's
   unpaired surrogate, UTF-32's number beyond U+10FFFF or a surrogate) nor a private-use or
   unassigned character (windows-1252's "éééé" is U+E9E9 twice in UTF-16); and bytes without a
   zero byte that are text in UTF-8 or in a legacy encoding (no control character but white
   space; valid UTF-8, or ASCII for the most part, three bytes in four) are not UTF-16 (its
   text of any length has spaces, line ends, digits or Latin letters, each with a zero
   byte). A browser would show "效汬\u206f桴..." for "Hello there", "慃\ue966" for
   windows-1252's "Café", or U+FFFD throughout for UTF-32; the author wrote "Hello there".
3. Else UTF-8 when the bytes are UTF-8 but for a few places: more valid multi-byte
   characters than invalid sequences. One damaged character must not turn every accent of
   a UTF-8 file into two wrong ones; text in a legacy encoding is almost never valid UTF-8
   beyond a coincidence or two.
4. Else a legacy encoding guessed from the first ``GUESSED_FROM`` bytes: windows-1252, a
   browser's default, when that reading is plausible (charset-normalizer finds it no
   messier than text is, its five undefined bytes, C1 controls as a browser reads them,
   apart); else, the detector being sure it
   is not windows-1252, its best guess among the encodings browsers know, single-byte or
   CJK (never UTF-16 or UTF-32 without a mark). The detector is not asked to choose among
   Latin code pages that all read plausibly: on a few accented letters in English or French
   it ranks Baltic or Mac code pages first ("déją vu naļve"). Nor is its guess taken over
   windows-1252 when it found no language in its reading and windows-1252 reads letters of
   Latin scripts (``_reads_as_latin``): on a short text the detector may find windows-1252
   messy and rank ISO-8859-13 ("été ą l'école") or a CJK encoding first. The price: Czech, Hungarian
   or Turkish text without a letter windows-1252 leaves undefined or makes a symbol is read
   as windows-1252, as a browser without a hint reads it. Nor is a multi-byte guess taken
   that reads an ASCII letter as part of a character on little evidence (fewer than
   ``MULTI_BYTE_EVIDENCE`` characters beyond ASCII): English with one stray byte or
   sequence was read as Big5 or Shift_JIS, "The" as "穖燜he"; windows-1252 loses no letter.
5. Else none: plain text is refused, a page read as UTF-8.

Whatever the encoding, an invalid sequence reads as U+FFFD, as a browser shows it, and the
bytes windows-125x leaves undefined between 0x80 and 0x9F read as the C1 controls of the
same number, as the standard reads them. But a text that reads as mostly U+FFFD (more than
half its characters, ``mostly_replaced``) was not read at all: it is refused
(``undecodable_text``), not stored as a row of marks no quote can be found in. Decoding
also fails where Python's ISO-2022-JP reader gives up on a run of broken escape sequences.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from charset_normalizer import from_bytes

from .errors import ExtractionError

# The encoding is chosen from this much of the start of the file: the rest is decoded, not
# read twice. It is scanned for UTF-8 a little at a time, and held whole only to be guessed at.
GUESSED_FROM = 4 * 1024 * 1024
SCANNED = 64 * 1024


class _WithoutByteOrderMark(codecs.IncrementalDecoder):
    """A Unicode decoder that drops the byte order mark its text starts with (the mark
    decided the encoding: it is not part of the text)."""

    def __init__(self, decoder: codecs.IncrementalDecoder) -> None:
        super().__init__(decoder.errors)
        self._decoder = decoder
        self._started = False

    def decode(self, input: bytes, final: bool = False) -> str:
        text = self._decoder.decode(input, final)
        if not self._started and text:
            self._started = True
            return text.removeprefix("\ufeff")
        return text

    def reset(self) -> None:
        self._decoder.reset()
        self._started = False


class _TableDecoder(codecs.IncrementalDecoder):
    """A single-byte encoding read through a table of its 256 characters."""

    def __init__(self, table: str) -> None:
        super().__init__("replace")
        self._table = table

    def decode(self, input: bytes, final: bool = False) -> str:
        return codecs.charmap_decode(input, "replace", self._table)[0]


@functools.cache
def _windows_table(codec: str) -> str:
    """Python's ``codec`` with its undefined bytes from 0x80 to 0x9F read as the Encoding
    Standard reads them (the C1 control of the same number); any other undefined byte is
    U+FFFE, which ``charmap_decode`` takes for "undefined"."""

    def character(byte: int) -> str:
        try:
            return bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            return chr(byte) if 0x80 <= byte <= 0x9F else "\ufffe"

    return "".join(character(byte) for byte in range(256))


@dataclass(frozen=True)
class Encoding:
    """An encoding as browsers read it."""

    name: str  # as the Encoding Standard names it
    codec: str  # the Python codec that reads it

    @property
    def charset(self) -> str:
        """Its name as a charset parameter writes it, in lower case (``koi8-r``, ``utf-8``,
        ``shift_jis``): each such name is also one of its labels (``for_label`` reads it)."""
        return self.name.lower()

    @property
    def is_unicode(self) -> bool:
        return self.name.startswith("UTF-")

    @property
    def has_zero_bytes(self) -> bool:
        """Whether text in it holds zero bytes (UTF-16 and UTF-32 text does); in any other
        encoding a zero byte is binary data, not text."""
        return self.name.startswith(("UTF-16", "UTF-32"))

    def decoder(self) -> codecs.IncrementalDecoder:
        """An incremental decoder for the encoding: invalid sequences made U+FFFD, a
        leading byte order mark dropped."""
        if self.name.startswith("windows-"):
            return _TableDecoder(_windows_table(self.codec))
        decoder = codecs.getincrementaldecoder(self.codec)("replace")
        return _WithoutByteOrderMark(decoder) if self.is_unicode else decoder

    def decode(self, data: bytes) -> str:
        """The text of ``data``; refused (``undecodable_text``) when it is mostly U+FFFD."""
        text = self.decoder().decode(data, final=True)
        if mostly_replaced(text.count("\ufffd"), len(text)):
            raise unreadable(self)
        return text


def mostly_replaced(replaced: int, length: int) -> bool:
    """Whether a text of ``length`` characters, ``replaced`` of them U+FFFD, was not read:
    more than half of it marks what its encoding could not read."""
    return replaced * 2 > length


def unreadable(encoding: Encoding) -> ExtractionError:
    return ExtractionError(
        f"Read as {encoding.name}, most of the file's text is U+FFFD, the mark of what could not be read: "
        "no words to cite. Send it in UTF-8, or with the charset it is written in.",
        code="undecodable_text",
    )


# The Encoding Standard's encodings and their labels (https://encoding.spec.whatwg.org/),
# UTF-32 added. Its "replacement" encoding (ISO-2022-KR, HZ...) and x-user-defined are left
# out: neither reads a text, so their labels are no declaration.
_LABELS: dict[Encoding, tuple[str, ...]] = {
    Encoding("UTF-8", "utf-8"): ("unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"),
    Encoding("IBM866", "cp866"): ("866", "cp866", "csibm866", "ibm866"),
    Encoding("ISO-8859-2", "iso8859_2"): (
        "csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2", "iso_8859-2:1987", "l2", "latin2",
    ),
    Encoding("ISO-8859-3", "iso8859_3"): (
        "csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3", "iso_8859-3:1988", "l3", "latin3",
    ),
    Encoding("ISO-8859-4", "iso8859_4"): (
        "csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4", "iso_8859-4:1988", "l4", "latin4",
    ),
    Encoding("ISO-8859-5", "iso8859_5"): (
        "csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5", "iso88595", "iso_8859-5", "iso_8859-5:1988",
    ),
    Encoding("ISO-8859-6", "iso8859_6"): (
        "arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114", "iso-8859-6", "iso-8859-6-e",
        "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596", "iso_8859-6", "iso_8859-6:1987",
    ),
    Encoding("ISO-8859-7", "iso8859_7"): (
        "csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7", "iso-ir-126", "iso8859-7", "iso88597",
        "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek",
    ),
    Encoding("ISO-8859-8", "iso8859_8"): (
        "csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e", "iso-ir-138", "iso8859-8", "iso88598",
        "iso_8859-8", "iso_8859-8:1988", "visual",
    ),
    Encoding("ISO-8859-8-I", "iso8859_8"): ("csiso88598i", "iso-8859-8-i", "logical"),
    Encoding("ISO-8859-10", "iso8859_10"): ("csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6", "latin6"),
    Encoding("ISO-8859-13", "iso8859_13"): ("iso-8859-13", "iso8859-13", "iso885913"),
    Encoding("ISO-8859-14", "iso8859_14"): ("iso-8859-14", "iso8859-14", "iso885914"),
    Encoding("ISO-8859-15", "iso8859_15"): ("csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9"),
    Encoding("ISO-8859-16", "iso8859_16"): ("iso-8859-16",),
    Encoding("KOI8-R", "koi8_r"): ("cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"),
    Encoding("KOI8-U", "koi8_u"): ("koi8-ru", "koi8-u"),
    Encoding("macintosh", "mac_roman"): ("csmacintosh", "mac", "macintosh", "x-mac-roman"),
    Encoding("windows-874", "cp874"): ("dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874"),
    Encoding("windows-1250", "cp1250"): ("cp1250", "windows-1250", "x-cp1250"),
    Encoding("windows-1251", "cp1251"): ("cp1251", "windows-1251", "x-cp1251"),
    Encoding("windows-1252", "cp1252"): (
        "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1",
        "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252",
    ),
    Encoding("windows-1253", "cp1253"): ("cp1253", "windows-1253", "x-cp1253"),
    Encoding("windows-1254", "cp1254"): (
        "cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599", "iso_8859-9", "iso_8859-9:1989", "l5",
        "latin5", "windows-1254", "x-cp1254",
    ),
    Encoding("windows-1255", "cp1255"): ("cp1255", "windows-1255", "x-cp1255"),
    Encoding("windows-1256", "cp1256"): ("cp1256", "windows-1256", "x-cp1256"),
    Encoding("windows-1257", "cp1257"): ("cp1257", "windows-1257", "x-cp1257"),
    Encoding("windows-1258", "cp1258"): ("cp1258", "windows-1258", "x-cp1258"),
    Encoding("x-mac-cyrillic", "mac_cyrillic"): ("x-mac-cyrillic", "x-mac-ukrainian"),
    # The standard's GBK is read by its gb18030 decoder, its Big5 holds HKSCS, its
    # Shift_JIS is Microsoft's cp932 and its EUC-KR Microsoft's cp949.
    Encoding("GBK", "gb18030"): (
        "chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk", "iso-ir-58", "x-gbk",
    ),
    Encoding("gb18030", "gb18030"): ("gb18030",),
    Encoding("Big5", "big5hkscs"): ("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"),
    Encoding("EUC-JP", "euc_jp"): ("cseucpkdfmtjapanese", "euc-jp", "x-euc-jp"),
    Encoding("ISO-2022-JP", "iso2022_jp"): ("csiso2022jp", "iso-2022-jp"),
    Encoding("Shift_JIS", "cp932"): ("csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis"),
    Encoding("EUC-KR", "cp949"): (
        "cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601",
        "windows-949",
    ),
    Encoding("UTF-16BE", "utf-16-be"): ("unicodefffe", "utf-16be"),
    Encoding("UTF-16LE", "utf-16-le"): ("csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"),
    Encoding("UTF-32BE", "utf-32-be"): ("utf-32be",),
    Encoding("UTF-32LE", "utf-32-le"): ("utf-32", "utf-32le"),
}
_BY_LABEL = {label: encoding for encoding, labels in _LABELS.items() for label in labels}
_BY_CODEC = {codecs.lookup(encoding.codec).name: encoding for encoding in reversed(_LABELS)}
UTF_8 = _BY_LABEL["utf-8"]
WINDOWS_1252 = _BY_LABEL["windows-1252"]
# UTF-32 first: its little-endian mark starts with UTF-16's.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, UTF_8),
    (codecs.BOM_UTF32_LE, _BY_LABEL["utf-32le"]),
    (codecs.BOM_UTF32_BE, _BY_LABEL["utf-32be"]),
    (codecs.BOM_UTF16_LE, _BY_LABEL["utf-16le"]),
    (codecs.BOM_UTF16_BE, _BY_LABEL["utf-16be"]),
)


def for_label(label: str | bytes | None) -> Encoding | None:
    """The encoding a charset label names (``iso-8859-1`` is windows-1252), or ``None`` for
    a label that names no text encoding. Matched as the standard matches: ASCII letters in
    either case, white space around ignored. A label may come as the bytes of a header
    parameter (Django gives a multipart part's charset so)."""
    if isinstance(label, bytes):
        label = label.decode("latin-1")
    if not label or not label.isascii():
        return None
    return _BY_LABEL.get(label.strip("\t\n\f\r ").lower())


def by_mark(head: bytes) -> Encoding | None:
    """The encoding the byte order mark ``head`` starts with names, or ``None``."""
    return next((encoding for mark, encoding in _BYTE_ORDER_MARKS if head.startswith(mark)), None)


# In text decoded with ``surrogateescape``, an invalid sequence is a run of escaped bytes
# (lone surrogates, which valid UTF-8 never decodes to), a valid multi-byte character any
# other character beyond ASCII.
_NOT_UTF8 = re.compile("[\udc80-\udcff]+")
_MULTI_BYTE = re.compile("[^\x00-\x7f\udc80-\udcff]")


def _head(stream: BinaryIO):
    """The first ``GUESSED_FROM`` bytes of ``stream``, ``SCANNED`` at a time."""
    stream.seek(0)
    left = GUESSED_FROM
    while left > 0 and (piece := stream.read(min(SCANNED, left))):
        left -= len(piece)
        yield piece


def _utf8_counts(stream: BinaryIO) -> tuple[int, int]:
    """The invalid sequences and the valid multi-byte characters of the head of ``stream``
    read as UTF-8. A character cut at the end of the head is not held against it."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    invalid = multi_byte = 0
    for piece in _head(stream):
        text = decoder.decode(piece)
        if not text.isascii():
            invalid += _NOT_UTF8.subn("", text)[1]
            multi_byte += _MULTI_BYTE.subn("", text)[1]
    return invalid, multi_byte


# Bytes no text holds, white space apart: the C0 controls and DEL. Cyrillic or Greek in
# UTF-16 without a zero byte (a word without spaces: U+041F is 1F 04) is full of them.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


_ASCII = bytes(range(0x80))


def _mostly_ascii(non_ascii: int, size: int) -> bool:
    """Whether bytes of which ``non_ascii`` of ``size`` are beyond ASCII are ASCII for the
    most part (three in four or more), as text in a legacy encoding is: its letters beyond
    ASCII, a byte each, are a few among the rest ("Café naïve, déjà vu à Noël." has six
    in 27). UTF-16 text of CJK, which may lack a zero byte, is about half ASCII bytes."""
    return non_ascii * 4 <= size


def _unwritten(text: str) -> bool:
    """Whether ``text`` holds a character no author writes: a private-use character, or
    one Unicode has not assigned. Legacy bytes read as UTF-16 are full of them ("éé" in
    windows-1252 is U+E9E9); text in UTF-16 is made of the characters of scripts."""
    return any(unicodedata.category(character) in ("Co", "Cn") for character in set(text) if character > "\x7f")


def _contradicts_utf16_or_utf32(encoding: Encoding, stream: BinaryIO, utf8_invalid: int) -> bool:
    """Whether the bytes at ``stream`` cannot be ``encoding``'s, declared UTF-16 or UTF-32
    without a byte order mark (rule 2): a count of bytes its units do not divide, an invalid
    sequence in the head (a unit cut at the head's end is not held against it), a character
    of the head no author writes (``_unwritten``), or, for
    UTF-16, a head without a zero byte, with a space or a line break in it, that is text in
    UTF-8 (no ``utf8_invalid`` sequence) or in a legacy encoding (``_mostly_ascii``: of an
    even count of bytes, such text has no count or invalid sequence to give it away)."""
    unit = 4 if encoding.name.startswith("UTF-32") else 2
    stream.seek(0, io.SEEK_END)
    if stream.tell() % unit:
        return True
    decoder = codecs.getincrementaldecoder(encoding.codec)("strict")
    zero_byte = control = spaced = False
    size = non_ascii = 0
    try:
        for piece in _head(stream):
            if _unwritten(decoder.decode(piece)):
                return True
            zero_byte = zero_byte or b"\x00" in piece
            control = control or _CONTROL.search(piece) is not None
            spaced = spaced or b" " in piece or b"\n" in piece
            size, non_ascii = size + len(piece), non_ascii + len(piece.translate(None, _ASCII))
    except UnicodeDecodeError:
        return True
    # Such text of more than a word has a space or a line break; a short run of CJK in
    # UTF-16 may be ASCII bytes throughout, but without them ("你好" is "`O}Y").
    utf8_or_legacy = utf8_invalid == 0 or _mostly_ascii(non_ascii, size)
    return unit == 2 and not zero_byte and not control and spaced and utf8_or_legacy


def _known_to_browsers(detected: str) -> Encoding | None:
    """The Encoding Standard's encoding for a name charset-normalizer gives (Python's:
    ``latin_1``, ``cp932``, ``iso8859_2``), or ``None`` for one browsers do not read."""
    try:
        codec = codecs.lookup(detected).name
    except LookupError:
        return None
    return for_label(detected.replace("_", "-")) or for_label(codec) or _BY_CODEC.get(codec)


def _guessed(stream: BinaryIO) -> Encoding | None:
    """A legacy encoding for bytes that declare none and are not UTF-8 (rule 4)."""
    stream.seek(0)
    head = stream.read(GUESSED_FROM)
    if from_bytes(head.translate(_UNDEFINED_AS_SPACES), cp_isolation=["cp1252"]):
        return WINDOWS_1252
    latin = _reads_as_latin(head)
    for match in from_bytes(head):
        encoding = _known_to_browsers(match.encoding)
        if encoding is not None and not encoding.is_unicode:
            # A guess that found no language in its reading is no better than windows-1252's.
            if (latin and not match.coherence) or _swallows_letters_on_little_evidence(head, encoding):
                return WINDOWS_1252
            return encoding
    return WINDOWS_1252 if latin else None


# How many characters beyond ASCII a multi-byte encoding's reading must hold before it is
# taken over windows-1252 when it reads an ASCII letter as part of one of them.
MULTI_BYTE_EVIDENCE = 8
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# ... and how many ASCII letters of its own its reading must hold to be text in ASCII words.
ASCII_WORDS_EVIDENCE = 16


def _swallows_letters_on_little_evidence(head: bytes, encoding: Encoding) -> bool:
    """Whether ``encoding``'s reading of ``head`` takes an ASCII letter for the second byte
    of a character, and holds fewer than ``MULTI_BYTE_EVIDENCE`` characters beyond ASCII:
    text in ASCII (or UTF-8) but for one stray byte or sequence, which the detector read as
    Big5 or Shift_JIS ("The" became "穖燜he", a lone 0x81 "ゝhe"). Text in such an encoding
    has characters in numbers; one stray sequence read as windows-1252 loses no letter."""
    text = encoding.decoder().decode(head, final=True)
    beyond_ascii = len(_ASCII_RUNS.sub("", text))
    if beyond_ascii >= MULTI_BYTE_EVIDENCE:
        return False
    letters = len(head) - len(head.translate(None, _ASCII_LETTERS))
    read_as_letters = sum(map(str.isalpha, text.encode("ascii", "ignore").decode("ascii")))
    # Text in ASCII words, not a short text of the encoding's own ("台北市" in Big5 takes the
    # "x" of its first character's bytes, and has no ASCII word at all; "台北 Taipei" few).
    return read_as_letters >= ASCII_WORDS_EVIDENCE and letters > read_as_letters


# The five bytes windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D), which the
# Encoding Standard reads as C1 controls, and Python's cp1252 refuses: whether windows-1252
# reads a text plausibly is asked of it with spaces in their place.
_UNDEFINED_AS_SPACES = bytes.maketrans(b"\x81\x8d\x8f\x90\x9d", b"     ")


def _reads_as_latin(head: bytes) -> bool:
    """Whether ``head`` read as windows-1252 is plausibly text in a Latin script: nine in ten
    of its characters beyond ASCII letters (the accented letters of "été à l'école", not the
    symbols of CJK bytes read so: "×òÌìÎÒÃÇÈ¥¿´µ"), its undefined bytes (C1 controls, as a
    browser reads them) not counted."""
    text = head.translate(_UNDEFINED_AS_SPACES).decode("cp1252")
    beyond_ascii = _ASCII_RUNS.sub("", text)
    letters = sum(map(str.isalpha, beyond_ascii))
    return letters * 10 >= len(beyond_ascii) * 9


_ASCII_RUNS = re.compile("[\x00-\x7f]+")


def choose(stream: BinaryIO, *declared: str | None) -> Encoding | None:
    """The encoding to read the file at ``stream`` (seekable) in, given the charset labels
    declared for it, strongest first (``None`` for one not given): see the module's
    docstring. ``None`` when nothing fits."""
    stream.seek(0)
    marked = by_mark(stream.read(4))
    if marked is not None:
        return marked
    invalid, multi_byte = _utf8_counts(stream)
    mostly_utf8 = invalid == 0 or multi_byte > invalid
    encodings = [
        encoding
        for encoding in map(for_label, declared)
        if encoding is not None and not (encoding.has_zero_bytes and _contradicts_utf16_or_utf32(encoding, stream, invalid))
    ]
    if invalid == 0 and multi_byte and not any(encoding.is_unicode and encoding != UTF_8 for encoding in encodings):
        return UTF_8
    for encoding in encodings:
        if encoding != UTF_8 or mostly_utf8:
            return encoding
    if mostly_utf8:
        return UTF_8
    return _guessed(stream)


# Browsers read a <meta> late in the head too (reloading the page in its encoding).
MARKUP_SCANNED = 64 * 1024
# A ``<meta>`` tag (its first kilobyte), and the charset it declares, as ``<meta
# charset="...">`` or in the ``content`` of ``<meta http-equiv="Content-Type">``. Each
# pattern is matched from where the last match ended or in one tag: the scan stays linear.
_META = re.compile(rb"<meta[\s/][^>]{0,1024}", re.IGNORECASE)
_CHARSET = re.compile(rb"\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9._:+-]+)", re.IGNORECASE)
_NOT_MARKUP = re.compile(rb"<!--|<script\b", re.IGNORECASE)
_NOT_MARKUP_END = {b"<!--": re.compile(rb"-->"), b"<script": re.compile(rb"</script\s*>", re.IGNORECASE)}


def _markup(head: bytes) -> bytes:
    """``head`` without its comments and scripts (a ``<meta>`` there declares nothing), cut
    where one is left open."""
    kept, position = [], 0
    while opened := _NOT_MARKUP.search(head, position):
        kept.append(head[position : opened.start()])
        closed = _NOT_MARKUP_END[opened.group().lower()].search(head, opened.end())
        if closed is None:
            return b"".join(kept)
        position = closed.end()
    kept.append(head[position:])
    return b"".join(kept)


def declared_in_markup(data: bytes) -> str | None:
    """The label of the first ``<meta>`` charset naming an encoding, in the first
    ``MARKUP_SCANNED`` bytes of a page. UTF-16 and UTF-32 declared there are read as UTF-8,
    as the HTML standard says: markup whose ``<meta>`` reads as ASCII is not in either."""
    for tag in _META.finditer(_markup(data[:MARKUP_SCANNED])):
        declared = _CHARSET.search(tag.group())
        label = declared.group(1).decode("ascii") if declared else None
        encoding = for_label(label)
        if encoding is not None:
            return "utf-8" if encoding.is_unicode else label
    return None


def of_page(data: bytes, charset: str | None = None) -> Encoding:
    """The encoding of a web page sent with ``charset``: its byte order mark, else that
    charset, else its ``<meta charset>``, else what its bytes are; UTF-8 (invalid sequences
    made U+FFFD) when nothing fits."""
    return choose(io.BytesIO(data), charset, declared_in_markup(data)) or UTF_8
