"""Domain errors shared by the apps.

Services raise these; the API maps them to HTTP answers in one place
(``project.api.exception_handler``) and the admin shows their message. ``code`` is a stable,
machine-readable name; the message is for people.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an operation."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}

    def as_dict(self) -> dict:
        return {"detail": self.message, "code": self.code, **self.extra}


class InvalidInput(DomainError):
    """The input breaks a rule of the domain (400)."""


class NotAllowed(DomainError):
    """The user may not do this (403)."""

    status_code = 403
    default_code = "permission_denied"


class Conflict(DomainError):
    """The object's state forbids the operation (409): workflow, freeze, protected deletes."""

    status_code = 409
    default_code = "conflict"


class StaleVersion(DomainError):
    """The caller acted on an outdated version of the object (412)."""

    status_code = 412
    default_code = "stale_version"
