"""Checks of input shared by the services of both apps, the importer and the forms: text
that cannot be stored, form fields given twice (``repeated_fields``), and JSON keys given
twice in one object (``object_without_repeats``, ``repeated_json_key``), and whole numbers
typed into a URL or a form (``ascii_integer``).

Every entry point (API, admin, import, shell) reaches the database through the services,
so text that cannot be stored is refused there, as a 400 naming the field (or a line error
on import), never as an encoding error from the driver.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import orjson
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import normalize_newlines

from .bidi import DIRECTION_CONTROLS
from .errors import InvalidInput

# U+0000 (PostgreSQL cannot store it in text) and lone surrogates (not Unicode scalar
# values: UTF-8 cannot encode them, so no driver can store them).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


# Texts up to this length are tested by encoding them (a copy of them, briefly); longer
# ones by the pattern alone, which copies nothing (a source's text may be 50 MB).
_ENCODED_TEST_MAX = 1 << 16


def _short_and_encodes(text: str) -> bool:
    """Whether ``text`` is short and has no surrogate (UTF-8 cannot encode one, lone or
    paired); False for a long one, which the caller scans with the pattern."""
    if len(text) > _ENCODED_TEST_MAX:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problem(value: Any) -> str | None:
    """Why ``value`` (a string, or a list of them) cannot be stored as text, or None."""
    values = value if isinstance(value, (list, tuple)) else [value]
    for item in values:
        if not isinstance(item, str):
            continue
        if "\x00" not in item and (item.isascii() or _short_and_encodes(item)):
            continue  # no surrogate: these tests take a tenth (ASCII) or a third of the pattern's scan
        found = _UNSTORABLE.search(item)
        if found is None:
            continue
        if found.group() == "\x00":
            return "null characters are not allowed"
        return f"lone surrogates (U+{ord(found.group()):04X}) are not text; send valid Unicode"
    return None


# On the model fields that hold one line (a source's title, publisher and authors, an
# entity's name), so that the API, the admin and the importer all ask it (``full_clean``): a
# tab or a line break there is a paste gone wrong, and an escape character rewrites the
# terminal of whoever lists it from a command.
# C0 and C1 controls: a tab, a line break, an escape...
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

ONE_LINE_MESSAGE = "Give one line of text: control characters (tabs, line breaks, escapes) are not allowed here."


def one_line(value: str) -> None:
    """Model field validator: no control character. A function rather than an inverted
    ``RegexValidator``: the OpenAPI schema would publish that one's pattern as a pattern the
    value must match, the opposite of the rule."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(ONE_LINE_MESSAGE, code="control_character")


# Letters and symbols that show as nothing: the Hangul fillers (default-ignorable code points
# of category Lo) and the blank Braille pattern (So).
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


# Private-use characters (a font's own glyphs) and characters newer than Python's Unicode
# data (an emoji of next year) may show: they are not known to be blank.
_UNKNOWN = frozenset(("Co", "Cn"))


def says_something(text: str) -> bool:
    """Whether ``text`` holds a character a reader can read: a letter, a digit, a punctuation
    mark or a symbol, other than those that show as nothing (``_BLANK_LOOKING``), or one
    that may show though Python cannot tell (``_UNKNOWN``). Spaces,
    zero-width and other format characters (U+200B, U+2060, U+FEFF, a soft hyphen),
    combining marks alone and controls say nothing, though ``str.strip`` keeps most of them:
    a comment the workflow requires, a claim's text, a title or a name made only of them is
    blank."""
    return any(_shows(character) for character in text)


def _shows(character: str) -> bool:
    category = unicodedata.category(character)
    return (category[0] in "LNPS" or category in _UNKNOWN) and character not in _BLANK_LOOKING


def readable(value: str) -> None:
    """Model field validator: ``says_something``, for every path that cleans the model. (Its
    code is its own: a field replaces the message of a code it knows, such as "blank".)"""
    if isinstance(value, str) and value and not says_something(value):
        raise ValidationError(
            "Write something readable: this holds only spaces or invisible characters.", code="unreadable"
        )


def as_one_line(text: str) -> str:
    """``text`` made one line for a field that takes one (``one_line``): each run of control
    characters, and of the line and paragraph separators (U+2028, U+2029), a space. For
    what the caller did not type (a file's name, a URL as a title); what a caller types is
    refused instead, not changed."""
    return re.sub(f"(?:{CONTROL_CHARACTERS.pattern}|[\u2028\u2029])+", " ", text).strip()


# What ``escaped`` shows escaped: control characters, the line and paragraph separators
# (line breaks to ``str.splitlines`` and to some log viewers), the direction controls
# (they reorder a line as shown), and lone surrogates (which no UTF-8 output takes;
# ``surrogateescape`` makes one of each byte that was not UTF-8).
_UNSHOWABLE = re.compile(f"{CONTROL_CHARACTERS.pattern}|{DIRECTION_CONTROLS.pattern}|[\u2028\u2029\ud800-\udfff]")


def escaped(text: str) -> str:
    """``text`` as a log line or a terminal shows what someone else wrote (a receiver's
    answer, a file's name): on one line, control characters escaped as Python writes them
    (``\\n``, ``\\x1b``, ``\\u202e``), so that a line break cannot forge a line of its
    own, nor an escape sequence rewrite the terminal, nor a direction control reorder what
    follows; a byte that was not UTF-8 as ``\\xe9``, any other lone surrogate as
    ``\\ud800``."""
    return _UNSHOWABLE.sub(_escape, text)


def _escape(found: re.Match) -> str:
    character = found.group()
    if "\udc80" <= character <= "\udcff":
        return f"\\x{ord(character) - 0xDC00:02x}"  # the byte ``surrogateescape`` kept
    return character.encode("unicode_escape").decode("ascii")


def normalise_line_endings(text: str) -> str:
    """Every line break as LF: browsers post a textarea's breaks as CR LF, files from some
    systems carry CR LF or CR. One form of break keeps a selection's offsets and quote the
    same in the page, the API and the database: a source's text, a claim's text and notes,
    an evidence note, and a quote looked for in a source (``sources.anchoring``)."""
    return str(normalize_newlines(text)) if "\r" in text else text


def refuse_unstorable_text(instance: models.Model) -> None:
    """Refuse null characters and lone surrogates in every text field of ``instance`` (and
    in lists of strings, such as an entity's aliases), as one 400 naming the fields."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
            problem = text_problem(getattr(instance, field.attname))
            if problem is not None:
                errors[field.name] = [problem[0].upper() + problem[1:] + "."]
    if errors:
        first = next(iter(errors))
        code = "null_character" if "null" in errors[first][0] else "invalid_text"
        raise InvalidInput(f"{first}: {errors[first][0][0].lower()}{errors[first][0][1:]}", code=code, extra={"errors": errors})


# The name the services used before lone surrogates were refused too.
refuse_nul_characters = refuse_unstorable_text


def repeated_fields(bodies, names, *, files=frozenset()) -> dict[str, str]:
    """A message for each field of ``names`` that a form body (multipart or form-encoded:
    ``bodies``, its values and its files) gives more than once. Django and DRF keep the last
    value and drop the others without a word: a second file, a second title, lost. The
    API's source writes and the admin's add-source forms ask it; ``files`` name the file
    fields."""
    messages = {}
    for name in names:
        count = sum(len(body.getlist(name)) for body in bodies)
        if count > 1:
            messages[name] = (
                f"Send one file per request; {count} were sent." if name in files
                else f"Give this field once; {count} values were sent."
            )
    return messages


class RepeatedKey(ValueError):
    """A JSON object gives this key twice: parsers keep one value and lose the other silently."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def object_without_repeats(pairs: list[tuple[str, Any]]) -> dict:
    """``object_pairs_hook`` for ``json.load``: the object, or ``RepeatedKey``."""
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        raise RepeatedKey(next(key for key, _ in pairs if key in seen or seen.add(key)))
    return data


def _key_count(data: Any) -> int:
    count = 0
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            count += len(value)
            pending.extend(item for item in value.values() if isinstance(item, (dict, list)))
        elif isinstance(value, list):
            pending.extend(item for item in value if isinstance(item, (dict, list)))
    return count


def repeated_json_key(raw: bytes, parsed: Any) -> str | None:
    """The first key that JSON text ``raw`` gives twice in one object, or None.

    ``parsed`` is ``raw`` already parsed by a fast parser, which keeps one value per key.
    A text that is exactly what orjson writes for ``parsed`` (every line ``export_claims``
    writes) gave no key twice: it would be longer. Otherwise each key in the text ends with
    a quote followed by a colon or by JSON whitespace, so counting those pairs bounds the
    text's keys from above; when the bound equals the keys the parser kept, none was given
    twice, and the text is not read again. Only when a string value holds such a pair too
    (a quoted word in a claim) is the text parsed once more, keeping every key.
    """
    if orjson.dumps(parsed) == raw.rstrip(b"\r\n"):
        return None
    bound = raw.count(b'":') + raw.count(b'" ') + raw.count(b'"\n') + raw.count(b'"\r') + raw.count(b'"\t')
    if bound == _key_count(parsed):
        return None
    try:
        json.loads(raw, object_pairs_hook=object_without_repeats)
    except RepeatedKey as repeated:
        return repeated.key
    return None


_ASCII_INTEGER = re.compile(r"-?[0-9]+")


def ascii_integer(value: Any) -> int | None:
    """The whole number ``value`` writes in ASCII digits (a minus sign allowed), else None.

    ``int()`` also reads "١" (an Arabic-Indic one), "１" (full width), "1_000", " 7 " and
    "+7", and ``str.isdigit`` accepts "²", which ``int()`` then refuses: an id, a cursor or a
    page size has one spelling, and any other is a value the caller did not mean to send."""
    if not isinstance(value, str) or not _ASCII_INTEGER.fullmatch(value):
        return None
    return int(value)
