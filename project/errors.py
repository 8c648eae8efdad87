"""Domain errors shared by the apps.

Services raise these; the API maps them to HTTP answers in one place
(``project.api.exception_handler``) and the admin shows their message. ``code`` is a stable,
machine-readable name; the message is for people.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from contextlib import contextmanager


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


def invalid_field(field: str, message: str, *, code: str = "invalid") -> InvalidInput:
    """A 400 that refuses one field: ``message`` is its detail and the field's message in
    ``errors``, as a serializer's field errors are."""
    return InvalidInput(message, code=code, extra={"errors": {field: [message]}})


class NotAllowed(DomainError):
    """The user may not do this (403)."""

    status_code = 403
    default_code = "permission_denied"


class Missing(DomainError):
    """What the request names is recorded, but what it needs is gone (404)."""

    status_code = 404
    default_code = "not_found"


class Unavailable(DomainError):
    """A store the answer needs did not answer (503): worth trying again."""

    status_code = 503
    default_code = "unavailable"
    retry_after = 30  # seconds, sent as Retry-After


class Conflict(DomainError):
    """The object's state forbids the operation (409): workflow, freeze, protected deletes."""

    status_code = 409
    default_code = "conflict"


class StaleVersion(DomainError):
    """The caller acted on an outdated version of the object (412)."""

    status_code = 412
    default_code = "stale_version"


class StorageFull(DomainError):
    """The server's disk (or quota) is full: a condition for its administrators, said as
    such (507, Insufficient Storage), with nothing created."""

    status_code = 507
    default_code = "storage_full"

    def __init__(self, message: str = "The server has no room left to store files; nothing was created. "
                 "Tell the site's administrators.", **kwargs) -> None:
        super().__init__(message, **kwargs)


# A full disk or a spent quota: where the originals are kept, or the temporary files an
# upload, a fetch or an extraction is spooled to.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT})


def no_room(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an error it was raised from, is a full disk (or quota)."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


# Storage that cannot be written at all: a read-only or unmounted volume, a directory the
# server may not write to, one that is not there.
_NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EIO})


class StorageUnavailable(Unavailable):
    """Where files are kept cannot be written (503): said as the administrators' matter,
    with nothing created; the path stays in the server's log."""

    default_code = "storage_unavailable"

    def __init__(self, message: str = "The server cannot write where it keeps files (its storage is read-only, "
                 "missing or not its own); nothing was created. Tell the site's administrators.", **kwargs) -> None:
        super().__init__(message, **kwargs)


@contextmanager
def storage_full_said() -> Iterator[None]:
    """A full disk inside the block is a ``StorageFull``, a storage that cannot be written
    (a read-only or missing volume, a permission) a ``StorageUnavailable``, each logged for
    the administrators; any other error is left as it is. Usable as a decorator."""
    try:
        yield
    except Exception as error:
        if not isinstance(error, DomainError) and no_room(error):
            logging.getLogger(__name__).error("No room left to store a file: %r", error)
            raise StorageFull() from error
        if not isinstance(error, DomainError) and isinstance(error, OSError) and error.errno in _NOT_WRITABLE:
            logging.getLogger(__name__).error("A file could not be stored: %r", error)
            raise StorageUnavailable() from error
        raise
