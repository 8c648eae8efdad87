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
LANGUAGE_SAMPLE = 5_000
# Enough to tell: 100 letters in 15 words or more, or 50 letters of a script written without
# spaces (Chinese, Japanese, Thai...), and the identifier 99% sure. Below that it named
# short English lines Italian ("COVID-19 rates rose in Q3 2021, per CDC data"), a list of
# names Latin, a list of cities Portuguese, and a run of one letter Maltese.
_ENOUGH_LETTERS = 100
_ENOUGH_WORDS = 15
_ENOUGH_UNSPACED = 50
_SURE = 0.99
_WORD = re.compile(r"[^\W\d_]{2,}")
# Letters of the scripts written without spaces between words: Thai, Lao, Myanmar, Khmer,
# kana, CJK, Hangul.
UNSPACED_LETTER = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
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
    few words to tell (a title, a table of figures, a list of names) or the identifier is
    unsure."""
    sample = text[:LANGUAGE_SAMPLE]
    words = _WORD.findall(sample)
    enough_words = sum(map(len, words)) >= _ENOUGH_LETTERS and len(set(words)) >= _ENOUGH_WORDS
    if not enough_words and len(UNSPACED_LETTER.findall(sample)) < _ENOUGH_UNSPACED:
        return ""
    language, probability = _identify(sample)
    return language if probability >= _SURE and is_tag(language) else ""
