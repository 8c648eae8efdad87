"""From a file to a source's text and metadata: the one entry point of the package."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import BinaryIO

import yaml

from project.validation import as_one_line, says_something

from ..dates import plausible_publication_date
from ..language import LANGUAGE_SAMPLE, as_tag, language_of_text
from .detect import HTML, MARKDOWN, PDF, PLAIN, describe_binary, detect_media_type
from .errors import ExtractionError
from .html import extract_html
from .normalise import normalise_extracted
from .pdf import extract_pdf
from .text import SpooledText, extract_text

SNIFF_BYTES = 8192
# Model field lengths: extracted metadata longer than these is never refused (the caller
# did not type it). Words (a title, authors, a publisher) are cut; a name of something (a
# URL, a language tag) is left blank, as cut it would name something else.
_MAX_LENGTHS = {"title": 500, "authors": 500, "publisher": 300, "url": 2000, "language": 35}
_NAMES = {"url", "language"}


@dataclass(frozen=True)
class Metadata:
    """What the document says about itself; empty where it says nothing, but its language,
    read from its text where it names none (``language.language_of_text``)."""

    title: str = ""
    authors: str = ""
    publisher: str = ""
    published_on: date | None = None
    url: str = ""
    language: str = ""
    # The publisher is not named by the page but taken from its canonical URL's host: it
    # goes with that URL if the URL is not kept (another site's, or too long).
    publisher_from_url: bool = False
    # The published day is written only in the canonical URL: it goes with that URL too.
    published_from_url: bool = False

    def as_fields(self) -> dict:
        """The source fields this metadata fills (the empty ones left out)."""
        flags = ("publisher_from_url", "published_from_url")
        return {name: value for name, value in self.__dict__.items() if value and name not in flags}


@dataclass(frozen=True)
class Extraction:
    # A ``SpooledText`` for a large plain-text or Markdown file (``sources.ingest.text``).
    text: str | SpooledText
    media_type: str
    metadata: Metadata = field(default_factory=Metadata)
    # The encoding the text was read in, as a charset parameter names it (``koi8-r``,
    # ``windows-1252``, ``utf-8``: ``encoding.Encoding.charset``); "" for a PDF, which is
    # no text in an encoding. The original is served with it.
    charset: str = ""


def _clean(value: str, name: str) -> str:
    value = as_one_line(normalise_extracted(str(value or "")))
    if len(value) > _MAX_LENGTHS[name]:
        value = "" if name in _NAMES else value[: _MAX_LENGTHS[name]].strip()
    # A title or a name of invisible characters alone, as kept, is none (``readable``); so
    # is one of U+FFFD alone, the mark of what its encoding could not read (a PDF's title
    # of a lone surrogate). Readable characters around such a mark are kept ("A�B").
    return value if says_something(value.replace("\ufffd", "")) else ""


# A publication date is a calendar day, written as ISO 8601 writes one (2024-03-04, then
# perhaps a time): ``date.fromisoformat`` also reads an ISO week ("2024-W10") as its Monday
# and "20240304T1" as a day, days no document gave.
_CALENDAR_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _publication_date(value) -> date | None:
    found = _CALENDAR_DATE.match(str(value or ""))
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:  # a day that does not exist (2024-02-30)
        return None


def _metadata(raw: dict) -> Metadata:
    published_on = _publication_date(raw.get("published_on"))
    # Whatever the document's kind, a day that has begun nowhere on Earth is no publication
    # date (a PDF's CreationDate of D:99991231 was kept, where HTML's was not), nor one
    # before printing or a program's zero date: a PDF's D:00010101000000Z, a front matter's
    # 0001-01-01 were stored, and a claim quoting "two years ago" from such a source could
    # not be saved.
    if published_on is not None and not plausible_publication_date(published_on):
        published_on = None
    url = _clean(raw.get("url", ""), "url")
    if not re.match(r"^https?://[^\s/]+", url):
        url = ""
    # "pt_BR" is pt-BR, from a page's lang as from front matter (``language.as_tag``).
    language = as_tag(_clean(raw.get("language", ""), "language"))
    return Metadata(
        title=_clean(raw.get("title", ""), "title"),
        authors=_clean(raw.get("authors", ""), "authors"),
        publisher=_clean(raw.get("publisher", ""), "publisher"),
        published_on=published_on,
        url=url,
        language=language,
        publisher_from_url=bool(raw.get("publisher_from_url")),
        published_from_url=bool(raw.get("published_from_url")),
    )


# A Markdown file's front matter: a YAML block between two "---" lines at its very start
# (Jekyll, Hugo, Pandoc), read for the metadata that fills a source's blank fields. The
# file is kept as it is, front matter included.
FRONT_MATTER_CHARACTERS = 16 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


def _scalar(value) -> str:
    return value if isinstance(value, str) else ""


def front_matter(start: str) -> dict:
    """The metadata of a Markdown file's front matter (``title``, ``author`` or ``authors``,
    ``date``, ``lang`` or ``language``, ``publisher``, ``url``), from the file's first
    characters; nothing when it has none, or none that YAML reads as a mapping. The date
    counts only as a calendar day (``2024-03-04``: not a week, ``2024-W10``), the language
    as a tag (``en_US`` is ``en-US``), the URL as the canonical one only when it is an
    http(s) address (Hugo's ``url: /blog/post/`` is a path on the site), as a page's own
    metadata does (``_metadata``).

    Read with YAML's base loader: every value as the text written (``title: 1:30`` is not
    90 minutes, ``007`` not 7, ``yes`` not true, and a day that does not exist is no error
    but text, which the date's own check then leaves out); no tag is acted on."""
    match = _FRONT_MATTER.match(start[:FRONT_MATTER_CHARACTERS])
    if match is None:
        return {}
    try:
        data = yaml.load(match[1], Loader=yaml.BaseLoader)  # noqa: S506 - the base loader builds strings, lists and dicts only
    except (yaml.YAMLError, RecursionError, ValueError):  # nesting thousands deep ("[[[[...") recurses
        return {}
    if not isinstance(data, dict):
        return {}
    authors = data.get("author", data.get("authors"))
    if isinstance(authors, list):
        # Joined as a page's people are: "van der Berg, Anna; AT&T Research".
        authors = "; ".join(filter(None, map(_scalar, authors)))
    return {
        "title": _scalar(data.get("title")),
        "authors": _scalar(authors),
        "published_on": _scalar(data.get("date")),
        "language": _scalar(data.get("lang", data.get("language"))),
        "publisher": _scalar(data.get("publisher")),
        "url": _scalar(data.get("url")),
    }


# What producers write where a title goes when the author wrote none. A page printed from a
# browser without a <title> is titled with its address ("127.0.0.1:8311/admin/"); Word's
# print driver names the file ("Microsoft Word - report.docx"); office suites and editors
# name a new file "Untitled-1", "Document1", "PowerPoint Presentation"; converters write
# the path or name of the file they read. Such a value names no document, and a source
# titled by it reads as if it had a title: the uploaded file's name, chosen by whoever
# uploads it, is the better fallback (``sources.ingestion`` puts it in a blank title).
_ADDRESS = re.compile(
    r"^(?:(?:https?|ftp|file)://|(?:about|blob|chrome|data|view-source):)"
    # A host (localhost, an IP address, a dotted name) with a port or a path, or www.: a
    # name alone ("Booking.com") may be a company's, and "TCP/IP" is no host.
    r"|^(?:localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]|(?:[a-z0-9-]+\.)+[a-z]{2,})(?::\d+(?:/\S*)?|/\S*)$"
    r"|^www\.[a-z0-9-]+\.\S+$",
    re.IGNORECASE,
)
_PATH = re.compile(r"^(?:[a-z]:[\\/]|\\\\|~?/\S)", re.IGNORECASE)
_DOCUMENT_EXTENSION = r"\.(?:pdf|docx?|docm|dotx?|odt|ods|odp|rtf|txt|md|html?|xhtml|tex|ps|indd|pages|key|numbers|pptx?|xlsx?|csv)"
_FILE_NAME = re.compile(rf"^[^\\/]+{_DOCUMENT_EXTENSION}$", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(?:untitled(?:[ _-]*(?:document|presentation|spreadsheet|page))?|document|doc|book|presentation|"
    r"powerpoint presentation|microsoft (?:word|powerpoint|excel)(?: document| presentation| worksheet)?|"
    r"new (?:microsoft word |text )?document|title|no title|none|null)(?:[ _-]*\(?\d+\)?)?$",
    re.IGNORECASE,
)
# Word's, PowerPoint's and Excel's print drivers on Windows: "Microsoft Word - " and the
# document's name, which is what its author called it: kept, without its extension.
_OFFICE_PREFIX = re.compile(r"^Microsoft (?:Office )?(?:Word|PowerPoint|Excel)\s*[-\u2013\u2014]\s*", re.IGNORECASE)


def document_title(value: str) -> str:
    """The title a document's metadata gives (a PDF's Info Title), or ``""`` when the value
    is what a program wrote there for want of one: an address or host:port/path, a file
    path, a bare file name with its extension, or a placeholder ("untitled", "Untitled-1",
    "Document1", "PowerPoint Presentation"). "Microsoft Word - report.docx" is "report":
    Word's driver names the document as its author saved it."""
    value = " ".join(str(value or "").split())
    named = _OFFICE_PREFIX.sub("", value, count=1)
    if named != value:
        value = re.sub(rf"{_DOCUMENT_EXTENSION}$", "", named, flags=re.IGNORECASE).strip()
    if not value or _ADDRESS.match(value) or _PATH.match(value) or _FILE_NAME.match(value) or _PLACEHOLDER.match(value):
        return ""
    return value


# A plain text file's first line is its title when it is set apart as one: short, followed by
# a blank line and then the text, opening with a letter or digit (not a list's dash, a quote's
# ">", a heading's "#" or "=", a transcript's "[00:01]"), not ending as a sentence or a
# salutation does (". , ; :" - "Dear Anna," is no title), on one line without tabs or runs of
# spaces (a table's header), and a title by ``document_title``. Otherwise the file's name
# stands in, as before. Markdown is not read so: it names itself in its front matter (as
# Jekyll, Hugo and Pandoc read it), and its first line is markup, whose text as a title would
# keep its emphasis and links ("# *The* [report](...)").
TITLE_LINE_CHARACTERS = 120


def title_line(start: str) -> str:
    """The title of a plain text file whose text begins with ``start`` (its first
    characters): its first line, when it is set apart as a title; else ``""``."""
    lines = start.split("\n", 2)
    if len(lines) < 3 or lines[1].strip() or not lines[2].strip():
        return ""
    line = lines[0].strip(" ")
    if not 0 < len(line) <= TITLE_LINE_CHARACTERS or not line.isprintable() or "   " in line:
        return ""
    if not line[0].isalnum() or line[-1] in ".,;:" or not any(character.isalpha() for character in line):
        return ""
    return document_title(line)


def _unsupported(head: bytes, declared_type: str, filename: str) -> ExtractionError:
    what = describe_binary(head)
    declared = declared_type.split(";")[0].strip().lower()
    if what:
        detail = f"it is {what}"
    elif declared == "application/pdf":
        detail = "it is declared a PDF (application/pdf) but is not one: a PDF begins with %PDF-"
    elif declared and declared != "application/octet-stream":
        detail = f"it is declared as {declared_type.split(';')[0].strip()}"
    else:
        detail = f"{filename or 'it'} is not a PDF although named so" if filename.lower().endswith(".pdf") else "its content is not recognised"
    return ExtractionError(
        f"Unsupported type: {detail}. Supported: plain text, Markdown, HTML and PDF with a text layer.",
        code="unsupported_type",
    )


def extract(
    stream: BinaryIO, *, declared_type: str = "", filename: str = "", charset: str | None = None, url: str | None = None
) -> Extraction:
    """Read ``stream`` (a seekable binary file, at its start) into an ``Extraction``.

    Plain text and Markdown are kept as they are (decoded, line endings made ``\\n``),
    in a ``SpooledText`` from ``SPOOLED_FROM`` bytes on;
    HTML and PDF text is extracted and normalised (``normalise_extracted``). ``url`` is
    where an HTML page came from (it resolves relative links in its metadata). A title is
    a PDF's Info Title unless a program wrote it for want of one (``document_title``), a
    Markdown file's front matter's, a plain text file's first line set apart as one
    (``title_line``), an HTML page's as trafilatura finds it.
    """
    head = stream.read(SNIFF_BYTES)
    if not head:
        raise ExtractionError("The file is empty (zero bytes).", code="empty_file")
    media_type = detect_media_type(head, declared_type=declared_type, filename=filename)
    if not media_type:
        raise _unsupported(head, declared_type, filename)
    stream.seek(0)
    read_in = ""
    if media_type == PDF:
        text, raw = extract_pdf(stream)
        raw["title"] = document_title(raw.get("title", ""))
    elif media_type == HTML:
        text, raw, encoding = extract_html(stream.read(), url=url, charset=charset)
        read_in = encoding.charset
    else:
        # The stream, not its bytes: the bytes go once decoded (see ``extract_text``).
        (text, encoding), raw = extract_text(stream, charset=charset), {}
        read_in = encoding.charset
        if media_type == MARKDOWN:
            start = next(text.pieces(FRONT_MATTER_CHARACTERS), "") if isinstance(text, SpooledText) else text
            raw = front_matter(start)
        else:
            start = next(text.pieces(FRONT_MATTER_CHARACTERS), "") if isinstance(text, SpooledText) else text[:FRONT_MATTER_CHARACTERS]
            raw = {"title": title_line(start)}
    # ``isspace`` where ``strip`` would copy the whole text to find it empty.
    if text.blank if isinstance(text, SpooledText) else not text or text.isspace():
        if isinstance(text, SpooledText):
            text.close()
        raise ExtractionError("The file holds no text (only white space).", code="empty_file")
    metadata = _metadata(raw)
    if not metadata.language:
        start = next(text.pieces(LANGUAGE_SAMPLE), "") if isinstance(text, SpooledText) else text
        metadata = replace(metadata, language=language_of_text(start))
    return Extraction(text=text, media_type=media_type, metadata=metadata, charset=read_in)


__all__ = ["Extraction", "Metadata", "extract", "PLAIN", "MARKDOWN", "HTML", "PDF"]
