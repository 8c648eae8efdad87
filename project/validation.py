"""Checks shared by the services of both apps."""

from __future__ import annotations

from django.db import models

from .errors import InvalidInput


def refuse_nul_characters(instance: models.Model) -> None:
    """PostgreSQL cannot store U+0000 in text; refuse it on every database alike, as a 400
    naming the field, rather than failing at the database."""
    errors = {
        field.name: ["Null characters are not allowed."]
        for field in instance._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and isinstance(getattr(instance, field.attname), str)
        and "\x00" in getattr(instance, field.attname)
    }
    if errors:
        first = next(iter(errors))
        raise InvalidInput(
            f"{first}: null characters are not allowed.", code="null_character", extra={"errors": errors}
        )
