"""Transactions that a concurrent writer can make the database abort.

PostgreSQL breaks a deadlock by aborting one of the transactions in it, and may abort a
transaction that cannot be serialised; either is the database saying "try again". A service
decorated with ``retried_transaction`` runs in a transaction (a savepoint when nested),
is run once more after such an abort, and if that fails too, answers ``Conflict`` (409):
never a 500.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, transaction

from .errors import Conflict

# SQLSTATE: serialization_failure, deadlock_detected.
RETRYABLE_STATES = frozenset({"40001", "40P01"})
ATTEMPTS = 2

Result = TypeVar("Result")


def is_retryable(error: BaseException) -> bool:
    """Whether the database aborted the transaction because of a concurrent one."""
    cause = error
    while cause is not None:
        if getattr(cause, "sqlstate", None) in RETRYABLE_STATES:
            return True
        cause = cause.__cause__
    return False


def retried_transaction(function: Callable[..., Result]) -> Callable[..., Result]:
    """Run ``function`` atomically; on a deadlock or serialization failure, run it once
    more; on a second one, raise ``Conflict`` (code ``concurrent_update``)."""

    @functools.wraps(function)
    def run(*args, **kwargs) -> Result:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return function(*args, **kwargs)
            except DatabaseError as error:
                if not is_retryable(error):
                    raise
                if attempt == ATTEMPTS:
                    raise Conflict(
                        "Someone else changed the same records at the same moment; try again.",
                        code="concurrent_update",
                    ) from error
        raise AssertionError("unreachable")

    return run
