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


# The language of a document that does not name its own is read from its text (py3langid,
# the identifier trafilatura uses), from its first characters, when they are enough to
# tell and the identifier is nearly sure; otherwise none is given (the source's default
# stands, or what the user typed).
LANGUAGE_SAMPLE = 20_000
_ENOUGH_LETTERS = 30
_SURE = 0.95
_identifier = None


def _identify(text: str) -> tuple[str, float]:
    global _identifier
    if _identifier is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _identifier = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    language, probability = _identifier.classify(text)
    return language, float(probability)


def language_of_text(text: str) -> str:
    """The tag of the language ``text`` is written in ("ru", "ja"), or "" when it holds too
    few letters to tell (a title, a table of figures) or the identifier is unsure."""
    sample = text[:LANGUAGE_SAMPLE]
    if sum(character.isalpha() for character in sample) < _ENOUGH_LETTERS:
        return ""
    language, probability = _identify(sample)
    return language if probability >= _SURE and is_tag(language) else ""
