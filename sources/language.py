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
