from __future__ import annotations

from project.errors import InvalidInput


class ExtractionError(InvalidInput):
    """The file cannot become a source; ``code`` names why (``unsupported_type``,
    ``empty_file``, ``no_text_layer``, ``unreadable_pdf``, ``unreadable_html``,
    ``no_main_text``, ``consent_notice``, ``undecodable_text``, ``too_complex``)."""
