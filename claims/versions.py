"""A claim's version: what its ETag is made of, and what the changes feed reports.

A service saving one claim bumps its version on the instance (``claims.services._save``),
and the save is the feed's event. Changes that reach many claims at once (a reviewed source
or entity edited, evidence re-anchored, a contradiction's other side flagged or cleared,
warnings recomputed) bump them in one statement with ``bump_versions``, which also says so
(``claims_changed``): the feed records a ``claim.updated`` for each (``feed.recording``).
Whatever a claim's detail renders differently gets a new version; none is left serving the
old content under the old ETag, or missing from the feed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F
from django.dispatch import Signal

from .models import Claim

# Sent with ``claim_ids`` (a list), after their versions were bumped, in the transaction.
claims_changed = Signal()


def touch(claim_ids: Iterable[int]) -> None:
    """Give each of these claims a new version, without announcing it: for a change whose
    own row is the feed's event (a relation saved or deleted: ``feed.recording`` reads the
    versions from its signal), bumped first so that the event carries them."""
    Claim.objects.filter(pk__in=list(claim_ids)).update(version=F("version") + 1)


def bump_versions(claim_ids: Iterable[int]) -> list[int]:
    """Give each of these claims a new version, and announce it; returns the ids."""
    ids = sorted(set(claim_ids))
    if ids:
        Claim.objects.filter(pk__in=ids).update(version=F("version") + 1)
        claims_changed.send(sender=Claim, claim_ids=ids)
    return ids
