"""Turning a file (uploaded, fetched, or read from disk) into a source's text and metadata.

Pure Python: no database, no Django. ``extract`` detects the type from the bytes (a
declared type or a file name only chooses between plain text and Markdown, or names what
was refused), extracts the text (plain text and Markdown as they are; HTML's main
content; a PDF's text layer in reading order), normalises extracted text once, and reads
the metadata the document carries. Every refusal is an ``ExtractionError`` (a 400) whose
message says what was wrong with the file.
"""

from __future__ import annotations

from .detect import MEDIA_TYPES, detect_media_type
from .errors import ExtractionError
from .extract import Extraction, Metadata, extract
from .text import SpooledText

__all__ = ["MEDIA_TYPES", "Extraction", "ExtractionError", "Metadata", "SpooledText", "detect_media_type", "extract"]
