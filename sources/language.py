"""A source's language: a BCP 47 tag ("en", "pt-BR"), one rule for every way in."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator

TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
MESSAGE = "Give a BCP 47 language tag, e.g. en or pt-BR."
# On the model field: the API, the admin and the importer all ask it (``full_clean``).
validate_tag = RegexValidator(TAG, MESSAGE)


def is_tag(value: str) -> bool:
    return bool(TAG.match(value))


def as_tag(value: str) -> str:
    """The BCP 47 tag a document names its language with, where it writes the subtags apart
    with underscores as locales do (``pt_BR`` is ``pt-BR``, ``en_US`` ``en-US``), or ``""``
    when the value is no tag. What a document says of itself (an HTML page's ``lang``, a
    Markdown file's front matter), never what a caller types: that is refused if not a tag."""
    tag = value.strip().replace("_", "-")
    return tag if is_tag(tag) else ""
