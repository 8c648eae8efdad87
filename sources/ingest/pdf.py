"""PDF: the text layer, in reading order, and the document's metadata (PDFium, through
pypdfium2). No OCR: a PDF of scanned pages is refused, saying so.

PDFium gives each run of text with its box; the page's reading order is found by an
XY cut (split the page at the widest empty band, vertical gutters first, and
read the parts left to right, top to bottom), so that two columns are read one after the
other whatever order they were drawn in. Page furniture at the top or bottom of most pages
(running heads, page numbers) is dropped; headings such as "Article 3" are kept
(``_running_lines`` says how the two are told apart).

PDFium reads in a child process (``extract_pdf``), within a memory and a time limit: what
a page costs PDFium follows what it draws, not the size of the file, and a small file can
ask for gigabytes; a crash of PDFium on a broken file ends the child, not the server.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from .errors import ExtractionError
from .normalise import normalise_extracted, without_lone_surrogates

logger = logging.getLogger(__name__)

# PDFium is not thread-safe: one document at a time per process.
_PDFIUM = threading.Lock()
MAX_PAGES = 5000
GUTTER = 9.0  # points: the narrowest empty vertical band that separates columns
Box = tuple[float, float, float, float]  # left, bottom, right, top


def _gaps(intervals: list[tuple[float, float]], minimum: float) -> list[tuple[float, float]]:
    """Empty stretches at least ``minimum`` wide between the union of ``intervals``."""
    gaps = []
    intervals = sorted(intervals)
    reach = intervals[0][1]
    for low, high in intervals[1:]:
        if low - reach >= minimum:
            gaps.append((reach, low))
        reach = max(reach, high)
    return gaps


def _reading_order(boxes: list[Box], line_height: float) -> list[list[Box]]:
    """Blocks of boxes in reading order: an XY cut (split the region at its widest empty
    band, a gutter between columns first, then the space between paragraphs; read the parts
    in order, and so on), in a loop: cut by recursion, a page of a thousand paragraphs
    passed Python's recursion limit and was refused as unreadable."""
    blocks = []
    pending = [boxes]  # regions still to read, the next one last
    while pending:
        region = pending.pop()
        parts = _cut(region, line_height) if len(region) > 1 else None
        if parts is None:
            blocks.append(region)
        else:
            pending.extend(reversed(parts))
    return blocks


def _cut(boxes: list[Box], line_height: float) -> tuple[list[Box], list[Box]] | None:
    """A region's two parts in reading order, either side of its widest empty band, or
    None when it has none (a block)."""
    vertical = _gaps([(box[0], box[2]) for box in boxes], GUTTER)
    if vertical:
        low, high = max(vertical, key=lambda gap: gap[1] - gap[0])
        cut = (low + high) / 2
        return [box for box in boxes if box[2] <= cut], [box for box in boxes if box[0] >= cut]
    # Bands separated by more than the space between lines (paragraphs), top first.
    horizontal = _gaps([(box[1], box[3]) for box in boxes], 0.9 * line_height)
    if horizontal:
        low, high = max(horizontal, key=lambda gap: gap[1] - gap[0])
        cut = (low + high) / 2
        return [box for box in boxes if box[1] >= cut], [box for box in boxes if box[3] <= cut]
    return None


# Where a line ends with a hyphen before a word goes on, PDFium joins the lines and writes
# this character for the hyphen (``FPDFText_IsHyphen``): a compound ("Russia-" / "Iran") and
# a hyphenated word ("nego-" / "tiations") alike. The text keeps the hyphen and the line
# break as the page draws them: "RussiaIran" is no word of the document.
_HYPHEN_AT_LINE_END = "\x02"
_HYPHEN_AT_LINE_END_IN_RANGE = "\ufffe"  # the same mark, in the text of a range


def _drawn_level(textpage) -> bool:
    """Whether the text of the page runs level with its drawing's axes (its runs' boxes,
    which PDFium gives in the page's own space, wider than high in all), not across them."""
    boxes = [textpage.get_rect(index) for index in range(textpage.count_rects())]
    return sum(box[2] - box[0] for box in boxes) > sum(box[3] - box[1] for box in boxes)


def _lines(text: str) -> list[str]:
    """The lines of a text PDFium read, each with its white space collapsed; none empty."""
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return [line for line in lines if line]


def _lines_as_pdfium_reads(textpage) -> list[list[str]]:
    """The page's text as one block, its lines in PDFium's order."""
    text = textpage.get_text_range().replace(_HYPHEN_AT_LINE_END_IN_RANGE, "-\n").replace(_HYPHEN_AT_LINE_END, "-\n")
    lines = _lines(text)
    return [lines] if lines else []


def _page_blocks(textpage) -> list[list[str]]:
    """The page's blocks (paragraphs, column pieces) in reading order, each a list of lines.

    The text of a block is read in one call for its whole box (PDFium scans the page's
    characters on every call, so one call per line would cost lines x characters)."""
    boxes = [textpage.get_rect(index) for index in range(textpage.count_rects())]
    boxes = [box for box in boxes if box[2] > box[0] and box[3] > box[1]]
    if not boxes:
        return []
    line_height = statistics.median(box[3] - box[1] for box in boxes) or 1.0
    blocks = []
    for block in _reading_order(boxes, line_height):
        left = min(box[0] for box in block)
        bottom = min(box[1] for box in block)
        right = max(box[2] for box in block)
        top = max(box[3] for box in block)
        text = textpage.get_text_bounded(left - 1, bottom, right + 1, top).replace(_HYPHEN_AT_LINE_END, "-\n")
        if lines := _lines(text):
            blocks.append(lines)
    return blocks


# Where a page's furniture is: its first and last ``ENDS`` lines, each at most ``SHORT``
# characters, on at least ``MOST`` of the pages with a body (more than ``BODY`` lines).
ENDS = 2
SHORT = 60
MOST = 0.6
BODY = 4
# Words that may stand beside a page number ("Page 3 of 10", "p. 3", "Seite 3 von 10").
PAGE_WORDS = frozenset({"page", "pages", "p", "pp", "pg", "of", "seite", "von", "página", "pagina", "de", "sur", "side", "sida", "av"})
# A running head's title set apart from its page number: "Annual report 2024 | 7", "7 · Report".
_SET_APART = r"(?:\s*[|\u2022\u00b7\u2027\u2219\u2013\u2014]\s*|\s+-\s+)"
_NUMBER = re.compile(r"\d+")
_MARK = "\x00"


def _ends(lines: list[str]) -> list[int]:
    """Positions of the page's first and last ``ENDS`` lines that are short enough to be
    furniture."""
    positions = sorted(set(range(min(ENDS, len(lines)))) | set(range(max(0, len(lines) - ENDS), len(lines))))
    return [position for position in positions if len(lines[position]) <= SHORT]


def _numbered(line: str):
    """``(template, number)`` for each number of ``line``: the line with that one number
    marked, and the number."""
    for match in _NUMBER.finditer(line):
        yield line[: match.start()] + _MARK + line[match.end() :], int(match[0])


def _beside_a_page_number(template: str) -> bool:
    """Whether what stands beside the marked number is what stands beside a page number:
    nothing but punctuation, other numbers and words such as "page" and "of" ("- 3 -",
    "Page 3 of 10", "3/10"), or a title set apart from it by a bar, a bullet or a dash at
    either end of the line ("Annual report 2024 | 3", "3 · Annual report"). A word that
    names the number ("Article 3", "Table 3", "Section 3 ends here.") is not."""
    rest = template.replace(_MARK, " ")
    if all(word.lower() in PAGE_WORDS for word in re.findall(r"[^\W\d_]+", rest)):
        return True
    mark = re.escape(_MARK)
    return bool(re.fullmatch(rf"{mark}{_SET_APART}\S.*|.*\S{_SET_APART}{mark}", template))


def _running_lines(pages: list[list[list[str]]]) -> set[tuple[int, int]]:
    """The page furniture: ``(page, line)`` positions, the line counted across the page's
    blocks, of the running heads and page numbers to drop.

    Only a page's first and last two lines, of at most 60 characters, can be furniture, and
    only when the same line stands there on at least 60% of the pages with a body of their
    own (more than four lines: on pages of a line or two, slides, a title page, nothing is
    "running"). Two kinds of line are furniture:

    - a line identical on those pages (a running head, "Annual report 2024");
    - a page number: a line whose one changing number is the page's number, or the page's
      number plus the same offset on those pages (printed numbers often start after a cover),
      and whose other words are only words such as "page" and "of" ("3", "- 3 -", "Page 3",
      "Page 3 of 10", "3/10"), or a title that is the same on those pages set apart from the
      number by a bar, a bullet or a dash ("Annual report 2024 | 3").

    Everything else is content, even at the top of every page and even when its number
    follows the page's: "Article 3" on page 3 of a treaty, "Table 4", "Question 5", "Section 2
    ends here." are headings an analyst quotes, whereas a page number kept costs little. A
    line is dropped only where furniture stands, at the page's ends: the same words inside a
    page are kept."""
    numbers = range(len(pages))
    lines_of = [[line for block in blocks for line in block] for blocks in pages]
    bodied = [number for number in numbers if len(lines_of[number]) > BODY]
    if len(bodied) < 3:
        return set()
    identical: Counter = Counter()
    offsets: Counter = Counter()
    for number in bodied:
        lines = lines_of[number]
        ends = [lines[position] for position in _ends(lines)]
        identical.update(set(ends))
        offsets.update({(template, value - number) for line in ends for template, value in _numbered(line)})
    enough = MOST * len(bodied)
    running = {line for line, count in identical.items() if count >= enough}
    paging = {key for key, count in offsets.items() if count >= enough and _beside_a_page_number(key[0])}
    dropped = set()
    for number in numbers:
        lines = lines_of[number]
        for position in _ends(lines):
            line = lines[position]
            if line in running or any((template, value - number) in paging for template, value in _numbered(line)):
                dropped.add((number, position))
    return dropped


def _pdf_date(value: str) -> str:
    """``D:20250304...`` as ``2025-03-04``; empty when it is not a date, or not a day: a
    CreationDate of only a year or a month (``D:2019``, ``D:201905``) names no day, and the
    first of the month would be one made up (as the HTML path, a date without its day is
    no publication date)."""
    match = re.match(r"^(?:D:)?(\d{4})(\d{2})(\d{2})", value or "")
    if not match:
        return ""
    try:
        return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
    except ValueError:
        return ""


# The Unix epoch, the date a writer that had no clock (or a zero time) writes: 1970-01-01,
# 1969-12-31 in a time zone west of Greenwich. No PDF was made then (the format is of 1993).
EPOCH_DAYS = frozenset({"1970-01-01", "1969-12-31"})


# How far from the day a PDF is read its CreationDate may fall and still be the moment the file
# was made, not published: a day either way, for the time zones of the writer and the server.
MADE_WHEN_READ = timedelta(days=1)


def publication_date(created: str, *, read_on: date) -> str:
    """The publication date a PDF's CreationDate (``created``) gives, as ``2025-03-04``, or
    ``""`` when it gives none.

    A PDF's CreationDate is when the file was written, which for a report is about when it
    was published, but for a page printed from a browser, a document exported or converted
    (Word's "Save as PDF", a print driver) is the moment of printing: a designer printing a
    page and uploading it gets the day of the upload as its publication date. So a
    CreationDate within ``MADE_WHEN_READ`` of ``read_on``, the day the file is read, is
    taken for that moment and gives no date (the person uploading fills it in); an older one
    is kept, as the date of an old report is. A report published today and uploaded today
    loses its date: a blank is the cheaper mistake, as a wrong date looks like a right one.
    ModDate is no fallback: it is the CreationDate or later, never nearer publication. A
    CreationDate without its day (``D:2019``) gives none, nor does the Unix epoch
    (``D:19700101000000Z``, what broken writers put for want of a time)."""
    day = _pdf_date(created)
    if day in EPOCH_DAYS:
        return ""
    if day and abs(date.fromisoformat(day) - read_on) <= MADE_WHEN_READ:
        return ""
    return day


def _metadata_value(document, key: str) -> str:
    """The ``key`` entry of the document's Info dictionary; empty when absent or unreadable.

    Metadata only fills the blanks of a source: a document whose text layer is fine is read
    whatever its Info dictionary holds. ``get_metadata_dict`` decodes PDFium's UTF-16
    strictly, so one lone surrogate in a title (``<FEFFD800...>``) failed the whole file;
    here it becomes U+FFFD, as one in the text layer does, and the rest of the value is kept.
    """
    try:
        tag = key.encode("ascii") + b"\x00"
        size = pdfium_raw.FPDF_GetMetaText(document.raw, tag, None, 0)
        if size <= 2:  # only the terminating NUL: no such entry, or an empty one
            return ""
        buffer = ctypes.create_string_buffer(size)
        pdfium_raw.FPDF_GetMetaText(document.raw, tag, buffer, size)
        return without_lone_surrogates(buffer.raw[: size - 2].decode("utf-16-le", errors="surrogatepass"))
    except Exception as error:  # noqa: BLE001 - bad metadata is no reason to refuse the text
        logger.info("PDF metadata %s unreadable: %r", key, error)
        return ""


# PDFium keeps every object of a document it has parsed (a page's pictures among them)
# until the document is closed: the document is opened anew once the pages read since it
# was opened hold this many bytes of pictures, or this many drawn objects, so that a report
# of many illustrated pages costs a few of its pages in memory, not all of them. Not after
# a set number of pages: loading page n of a document just opened costs time in proportion
# to n, and a reading reopened every 8 pages took time in the square of their number (a
# 5,000-page text 14 s, against 1 s opened once).
PICTURE_BYTES_PER_OPENING = 8 << 20
OBJECTS_PER_OPENING = 200_000


# A page of more drawn objects than this is counted by its objects alone: its pictures'
# bytes are not summed object by object (a page of 5,000 shapes would cost as many calls).
PICTURES_COUNTED_UP_TO = 1000


def _held(page) -> tuple[int, int]:
    """What a page leaves PDFium holding until its document is closed: its drawn objects
    (a form counted as one), and its pictures' size, a byte a pixel (on a page of no more
    than ``PICTURES_COUNTED_UP_TO`` objects; a page of more reopens the document soon
    enough by its objects alone). Their sizes in pixels, not their bytes: asked for its
    bytes, PDFium reads a picture's stream, and the reader's own peak for one page of a
    50 MB picture went from 79 to 143 MB."""
    count = pdfium_raw.FPDFPage_CountObjects(page.raw)
    pictures = 0
    width, height = ctypes.c_uint(), ctypes.c_uint()
    for number in range(count if count <= PICTURES_COUNTED_UP_TO else 0):
        item = pdfium_raw.FPDFPage_GetObject(page.raw, number)
        if pdfium_raw.FPDFPageObj_GetType(item) == pdfium_raw.FPDF_PAGEOBJ_IMAGE and \
                pdfium_raw.FPDFImageObj_GetImagePixelSize(item, ctypes.byref(width), ctypes.byref(height)):
            pictures += width.value * height.value
    return count, pictures


def _opened(stream: BinaryIO):
    try:
        return pdfium.PdfDocument(stream)
    except pdfium.PdfiumError as error:
        message = str(error)
        if "password" in message.lower():
            raise ExtractionError("The PDF is encrypted with a password.", code="unreadable_pdf") from error
        if message.endswith("(PDFium: Success)."):
            # PDFium loads no document that has no page, and names no error for it.
            raise ExtractionError("The PDF could not be read: it has no page that loads.", code="unreadable_pdf") from error
        raise ExtractionError(f"The PDF could not be read ({message}).", code="unreadable_pdf") from error


# PDFium's memory follows what a page draws, not the size of the file: a 150 KB PDF whose one
# page inflates to 50 MB of drawing operators took 625 MB to load (PDFium builds an object
# for each). So a PDF is read in a child process, within ``MEMORY_MB`` of address space and
# ``SECONDS`` of time: a file that needs more is refused, and a crash of PDFium on a broken
# file is the child's. ``read_pdf`` reads in this process (the child's work).
MEMORY_MB = 1024
# Under a server's request timeout (gunicorn's is 30 s); a 100-page report takes 0.6 s.
SECONDS = 20
_ROOT = Path(__file__).resolve().parents[2]
_CHILD = "from sources.ingest.pdf import _child; _child()"


def extract_pdf(stream: BinaryIO) -> tuple[str, dict]:
    """(text, metadata) of a PDF with a text layer, read in a child process; metadata
    keys: title, authors, published_on."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.flush()
        try:
            child = subprocess.run(
                [sys.executable, "-c", _CHILD, copy.name, str(MEMORY_MB), str(SECONDS)],
                capture_output=True,
                timeout=SECONDS + 5,
                cwd=_ROOT,
                env={**os.environ, "PYTHONPATH": str(_ROOT)},
            )
        except subprocess.TimeoutExpired as error:
            raise ExtractionError(
                f"Reading the PDF took more than {SECONDS} seconds; its pages draw too much to be read.",
                code="too_complex",
            ) from error
    try:
        answer = json.loads(child.stdout)
    except ValueError:
        answer = None
    if child.returncode != 0 or not isinstance(answer, dict):
        logger.info("PDF reader ended with %s: %s", child.returncode, child.stderr[-2000:])
        raise ExtractionError(
            f"The PDF could not be read within {MEMORY_MB:,} MB of memory and {SECONDS} seconds "
            "(a page that draws too much, or a broken file).",
            code="too_complex",
        )
    if "error" in answer:
        raise ExtractionError(answer["error"]["message"], code=answer["error"]["code"])
    return answer["text"], answer["metadata"]


def _child() -> None:
    """The child process of ``extract_pdf``: reads the PDF named by its first argument within
    the limits of the next two, and writes its answer, or its refusal, as JSON."""
    path, memory_mb, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    try:
        with open(path, "rb") as stream:
            text, metadata = read_pdf(stream)
        answer = {"text": text, "metadata": metadata}
    except ExtractionError as error:
        answer = {"error": {"code": error.code, "message": error.message}}
    sys.stdout.write(json.dumps(answer))


def read_pdf(stream: BinaryIO) -> tuple[str, dict]:
    """(text, metadata) of a PDF with a text layer, read in this process; metadata keys:
    title, authors, published_on."""
    with _PDFIUM:
        document = _opened(stream)
        try:
            count = len(document)
            if count > MAX_PAGES:
                raise ExtractionError(f"The PDF has {count:,} pages; at most {MAX_PAGES:,} are read.", code="too_many_pages")
            info = {key: _metadata_value(document, key) for key in ("Title", "Author", "CreationDate")}
            pages = []
            objects = pictures = 0  # held since the document was opened
            for number in range(count):
                if objects >= OBJECTS_PER_OPENING or pictures >= PICTURE_BYTES_PER_OPENING:
                    document.close()
                    document = _opened(stream)
                    objects = pictures = 0
                page = document[number]
                try:
                    held = _held(page)
                    objects, pictures = objects + held[0], pictures + held[1]
                    textpage = page.get_textpage()
                    if page.get_rotation() and _drawn_level(textpage):
                        # A page turned for display with its text drawn level on it (a
                        # landscape page set upright): PDFium, reading the turned page, gave
                        # the text's lines last first. Read as it is drawn, as the boxes are.
                        textpage.close()
                        page.set_rotation(0)
                        textpage = page.get_textpage()
                    if page.get_rotation():
                        # Text drawn turned, and the page turned to show it level: the boxes
                        # stand across the lines, which no cut of them finds; PDFium reads
                        # its lines in order (in a box it ran two of them together).
                        pages.append(_lines_as_pdfium_reads(textpage))
                    else:
                        pages.append(_page_blocks(textpage))
                    textpage.close()
                finally:
                    page.close()
        except ExtractionError:
            raise
        except Exception as error:  # noqa: BLE001 - PDFium's refusal of a broken file
            logger.info("PDF extraction failed: %r", error)
            raise ExtractionError(f"The PDF could not be read ({error}).", code="unreadable_pdf") from error
        finally:
            document.close()
    running = _running_lines(pages)
    paragraphs: list[str] = []
    for number, blocks in enumerate(pages):
        position = 0
        for block in blocks:
            kept = [line for offset, line in enumerate(block, position) if (number, offset) not in running]
            position += len(block)
            if kept:
                paragraphs.append("\n".join(kept))
    text = normalise_extracted("\n\n".join(paragraphs))
    if not any(character.isalnum() for character in text):
        raise ExtractionError(
            "The PDF has no text layer (scanned pages?); text is not recognised from images, so there is nothing to store.",
            code="no_text_layer",
        )
    metadata = {
        "title": info.get("Title", ""),
        "authors": info.get("Author", ""),
        "published_on": publication_date(info.get("CreationDate", ""), read_on=date.today()),
    }
    return text, metadata
