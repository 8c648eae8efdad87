"""Turning a file (uploaded, fetched, or read from disk) into a source's text and metadata.

Pure Python: no database, no Django. ``extract`` detects the type from the bytes (a
declared type or a file name only chooses between plain text and Markdown, or names what
was refused), extracts the text (plain text and Markdown as they are; HTML's main
content; a PDF's text layer in reading order), normalises extracted text once, and reads
the metadata the document carries. Every refusal is an ``ExtractionError`` (a 400) whose
message says what was wrong with the file.
"""

from __future__ import annotations

import importlib

from .detect import MEDIA_TYPES, detect_media_type
from .errors import ExtractionError
from .text import SpooledText

__all__ = ["MEDIA_TYPES", "Extraction", "ExtractionError", "Metadata", "SpooledText", "detect_media_type", "extract"]
_EXTRACT = ("Extraction", "Metadata", "extract")


def __getattr__(name: str):
    # ``extract`` and its readers (trafilatura, 0.15 s to import) load on first use: the
    # child process that reads a PDF (``sources.ingest.pdf``) imports this package too.
    if name not in _EXTRACT:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(".extract", __name__)
    # Importing the submodule bound its name here to the module: the function replaces it.
    globals().update({attribute: getattr(module, attribute) for attribute in _EXTRACT})
    return globals()[name]
