"""Who may do what. Roles are the groups ``Analysts`` and ``Reviewers`` (see migrations)."""

from __future__ import annotations

ANALYSTS = "Analysts"
REVIEWERS = "Reviewers"
REVIEW_PERMISSION = "claims.review_claim"


def is_reviewer(user) -> bool:
    """Reviewers moderate; superusers have every permission (the four-eyes rule aside)."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(REVIEW_PERMISSION))


def is_analyst(user) -> bool:
    """Analysts create and edit sources, spans, their own claims and evidence."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.has_perm("claims.add_claim") or is_reviewer(user))
    )

